"""Browser tests: built sites served over HTTP and driven by Debian's Chromium (Playwright).

A package, so that its conftest.py is `browser.conftest` and never takes the place of
tests/conftest.py, which the other test modules import as `conftest`.
"""
