"""Built sites served over HTTP on 127.0.0.1, and Debian's Chromium driven by Playwright.

The sites are built once per test session (per xdist worker) with the real command line,
each served from its own free port by a background thread; `--base-url` points the built
site's absolute links at that server. Playwright never downloads a browser: it drives
the `chromium` on PATH, started once per session. Without it the browser tests fail,
saying what to install: a green run means they ran.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import chromium_missing, chromium_path, run_kkrsite
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
    # A short poll: shutdown() waits for the next poll, which is 0.5 s by default.
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name=f"serve-{name}", daemon=True
    )
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
    missing = chromium_missing()
    if missing:
        pytest.fail(missing, pytrace=False)
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


def new_context(
    browser: Browser, width: int, height: int = 800, mobile: bool = False
) -> BrowserContext:
    """A fresh browser context: the viewport, Danish, and a phone's touch when `mobile`."""
    return browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=mobile,
        has_touch=mobile,
        locale="da-DK",
    )


def load(page: Page, url: str) -> Page:
    """Go to a served address; it must answer 200."""
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} did not answer 200"
    return page


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """Open a served address in a fresh context of the given width; closed after the test.

    open_page(url, width, height=800, mobile=False): a phone (`mobile`) also has touch
    and honours the viewport meta tag. The page must answer 200.
    """
    contexts: list[BrowserContext] = []

    def open_(url: str, width: int, height: int = 800, mobile: bool = False) -> Page:
        context = new_context(browser, width, height, mobile)
        contexts.append(context)
        return load(context.new_page(), url)

    yield open_
    for context in contexts:
        context.close()


Visit = Callable[[str, int], Page]


@pytest.fixture(scope="session")
def visit(browser: Browser) -> Iterator[Visit]:
    """Load a served address in the session's page of the given width (800 px high, desktop).

    For tests that only read a freshly loaded page (axe-core, layout): every load is a new
    document, and the sites run no script, so one page per width serves them all; a new
    context per page costs Chromium a renderer process and axe-core a cold start.
    Tests that type, click or need a phone use `open_page`.
    """
    pages: dict[int, Page] = {}

    def visit_(url: str, width: int) -> Page:
        if width not in pages:
            pages[width] = new_context(browser, width).new_page()
        return load(pages[width], url)

    yield visit_
    for page in pages.values():
        page.context.close()
