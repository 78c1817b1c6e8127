"""Built sites served over HTTP on 127.0.0.1, and Debian's Chromium driven by Playwright.

The sites are built once per test session (per xdist worker) with the real command line,
each served from its own free port by a background thread; `--base-url` points the built
site's absolute links at that server. Playwright never downloads a browser: it drives
the `chromium` on PATH. Without it the browser tests are skipped locally and fail in CI
(when the environment variable CI is set), where they must run.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import run_kkrsite
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

REPO = Path(__file__).resolve().parents[2]
CONTENT = {"example": REPO / "content", "flere-aar": REPO / "tests/sites/flere-aar/content"}
# 1 December 2011: flere-aar's KKR Hovedstaden then has planned meetings ahead of it.
EPOCH = "1322697600"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def chromium_path() -> str | None:
    """Debian's Chromium: on PATH, or where the Debian package puts it."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


@dataclass(frozen=True)
class Site:
    """A built site and the address it is served at."""

    name: str
    root: Path
    base: str  # "http://127.0.0.1:<port>/"

    def url(self, path: str) -> str:
        """The served address of a site path such as "/kkr/"."""
        return self.base + path.lstrip("/")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # no access log in test output
        pass


@contextmanager
def served_build(name: str, content: Path, out: Path, *extra: str) -> Iterator[Site]:
    """Build `content` into `out` with the real CLI and serve it until the block ends.

    The server is bound first, so the build can be told its address (`--base-url`).
    """
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name=f"serve-{name}", daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        result = run_kkrsite(
            "build",
            "--content",
            str(content),
            "--out",
            str(out),
            "--base-url",
            base,
            *extra,
            cwd=REPO,
            epoch=EPOCH,
        )
        assert result.returncode == 0, f"kkrsite build of {name} failed:\n{result.stderr}"
        yield Site(name, out, base)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    """The example site and tests/sites/flere-aar, built and served, by name."""
    with (
        served_build(
            "example", CONTENT["example"], tmp_path_factory.mktemp("example") / "site"
        ) as example,
        served_build(
            "flere-aar", CONTENT["flere-aar"], tmp_path_factory.mktemp("flere-aar") / "site"
        ) as flere_aar,
    ):
        yield {"example": example, "flere-aar": flere_aar}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if chromium_path() is None:
        reason = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Chromium from the system, with nothing that phones home."""
    chromium = playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """Open a served address in a fresh context of the given width; closed after the test.

    open_page(url, width, height=800, mobile=False): a phone (`mobile`) also has touch
    and honours the viewport meta tag. The page must answer 200.
    """
    contexts: list[BrowserContext] = []

    def open_(url: str, width: int, height: int = 800, mobile: bool = False) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            is_mobile=mobile,
            has_touch=mobile,
            locale="da-DK",
        )
        contexts.append(context)
        page = context.new_page()
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url} did not answer 200"
        return page

    yield open_
    for context in contexts:
        context.close()
