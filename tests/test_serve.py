"""`kkrsite serve`: a save reloads the browsers whose page changed and no other; problems
show in the terminal and on every page, and go on the next good save; only the output
folder is served, with the right content types, on this machine unless told otherwise.

Each test starts a preview on a free port in a thread of the test process and talks to
it as livereload.js does (a websocket: `hello`, then `info` with the page's address);
pages are fetched over HTTP and read with an HTML5 parser. Nothing waits a fixed time
for something to happen: every wait polls and gives up after a few seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import BASE, MakeSite, run_kkrsite
from selectolax.lexbor import LexborHTMLParser
from tornado.websocket import WebSocketClientConnection, websocket_connect

from kkrsite.config import Options
from kkrsite.serve import PREVIEW_OUT, Preview, ServeSettings
from kkrsite.servebrowsers import Browsers, Outcome
from kkrsite.servepage import OVERLAY_ID, inject, reload_messages
from kkrsite.servepaths import (
    allowed_host,
    content_type,
    host_warning,
    is_loopback,
    locate,
    output_file,
    preview_base_url,
)
from kkrsite.servewatch import Watch

EPOCH = "1322697600"  # 1 December 2011, the day the tests' content is built on
TODAY = dt.date(2011, 12, 1)
WAIT = 10.0  # seconds anything may take before a test gives up
MEETING = "kkr/hovedstaden/moeder/2011-08-24/"
PERSON = "personer/soeren-aebeloe/"
COLUMN = "columns/2011-09-08-samarbejde.md"
COLUMN_TEXT = "---\ntitle: Samarbejde\nauthors: [kjeld-hansen]\n---\nKlummens tekst.\n"


# --- a preview in a thread, and browsers as livereload.js ---------------------------------


class Running:
    """A preview serving in a thread of the test process."""

    def __init__(self, preview: Preview, out: io.StringIO, err: io.StringIO) -> None:
        self.preview, self.out, self.err = preview, out, err

    @property
    def base(self) -> str:
        return self.preview.address

    def get(self, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """GET a raw path (sent as written: no normalising of `..`)."""
        port = int(self.base.rsplit(":", 1)[1].strip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        try:
            connection.putrequest("GET", path, skip_host=host is not None)
            if host is not None:
                connection.putheader("Host", host)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def page(self, path: str) -> LexborHTMLParser:
        status, _headers, body = self.get("/" + path)
        assert status == 200, f"/{path} answered {status}"
        return LexborHTMLParser(body.decode("utf-8"))

    def wait_for_builds(self, count: int) -> None:
        until(lambda: self.preview.builds >= count, f"{count} builds")


def until(condition: Callable[[], object], what: str) -> None:
    """Poll `condition` until it holds; fail after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {WAIT:.0f} s for {what}")
        time.sleep(0.01)


@contextmanager
def previewing(content: Path, templates: Path | None = None, **kw: Any) -> Iterator[Running]:
    """Serve a preview of `content` (drafts and future on) on a free port until the block ends."""
    options = Options(
        content=content,
        out=content.parent / PREVIEW_OUT,
        today=TODAY,
        templates=templates,
        drafts=True,
        future=True,
        **kw,
    )
    out, err = io.StringIO(), io.StringIO()
    preview = Preview(options, ServeSettings(host="127.0.0.1", port=0), out=out, err=err)
    failed: list[BaseException] = []

    def run() -> None:
        try:
            preview.run()
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run, name="test-preview", daemon=True)
    thread.start()
    until(lambda: preview.ready.is_set() or failed, "the preview to start")
    if failed:
        raise failed[0]
    try:
        yield Running(preview, out, err)
    finally:
        preview.stop()
        thread.join(WAIT)
        assert not thread.is_alive(), "the preview did not stop"
    assert not failed, failed


def run_apart(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run an async test scenario in a thread of its own, with its own event loop.

    The browser tests' Playwright keeps an event loop running in the main thread of a
    worker that ran them; `asyncio.run` there would refuse.
    """
    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:  # handed to the test's thread below
            failed.append(exc)

    thread = threading.Thread(target=run, name="serve-scenario")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


class Browser:
    """A browser showing one page of the preview, as livereload.js connects it."""

    def __init__(self, socket: WebSocketClientConnection, path: str) -> None:
        self.socket, self.path = socket, path

    @classmethod
    async def open(cls, running: Running, path: str) -> Browser:
        """Load the page and connect as its livereload.js does."""
        running.get("/" + path)  # the page first, then its livereload.js connects
        before = len(running.preview.clients)
        socket = await websocket_connect(running.base.replace("http", "ws", 1) + "livereload")
        hello = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}
        await socket.write_message(json.dumps(hello))
        answer = json.loads(await asyncio.wait_for(socket.read_message(), WAIT) or "{}")
        assert answer.get("command") == "hello", answer
        info = {"command": "info", "plugins": {}, "url": running.base + path}
        await socket.write_message(json.dumps(info))
        deadline = time.monotonic() + WAIT
        while len(running.preview.clients) <= before:  # the server has read `info`
            assert time.monotonic() < deadline, "the server did not take the info message"
            await asyncio.sleep(0.005)
        return cls(socket, path)

    async def message(self, timeout: float = WAIT) -> dict[str, Any] | None:
        """The next message, or None if none comes within `timeout` seconds."""
        try:
            text = await asyncio.wait_for(self.socket.read_message(), timeout)
        except TimeoutError:
            return None
        return json.loads(text) if text else None

    async def reloaded(self) -> dict[str, Any]:
        message = await self.message()
        assert message is not None, f"the browser on /{self.path} was not told to reload"
        assert message["command"] == "reload", message
        return message

    def close(self) -> None:
        self.socket.close()


NOT_TOLD = 0.3
"""Seconds a browser that must not reload listens after the one that must was told: both
messages are sent in one step of the server, so a wrong one would be there already."""


def edit(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- reloading only what changed --------------------------------------------------------------


def test_a_save_reloads_the_browsers_on_that_page_and_no_other(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = make_site()
    meeting = content / "kkr/hovedstaden/meetings/2011-08-24.md"
    listed: list[int] = []
    real_list = Watch._list
    monkeypatch.setattr(Watch, "_list", lambda watch: listed.append(1) or real_list(watch))
    interval = sys.getswitchinterval()
    with previewing(content) as running:
        listed.clear()
        assert sys.getswitchinterval() < interval  # the server answers while a build runs

        async def scenario() -> None:
            on_meeting = await Browser.open(running, MEETING)
            on_person = await Browser.open(running, PERSON)
            edit(meeting, "---\ntopics: [sundhed]\n---\nReferat med en ny beslutning.\n")
            message = await on_meeting.reloaded()
            assert message["path"] == "/" + MEETING
            assert await on_person.message(NOT_TOLD) is None, (
                running.out.getvalue() + running.err.getvalue()
            )
            on_meeting.close()
            on_person.close()

        run_apart(scenario)
        assert "Referat med en ny beslutning." in running.page(MEETING).body.text()  # type: ignore[union-attr]
        assert listed == []  # a file saved in place brings no folder: none were listed
    assert sys.getswitchinterval() == interval


def test_a_changed_stylesheet_is_swapped_in_every_page(make_site: MakeSite, tmp_path: Path) -> None:
    content = make_site()
    templates = tmp_path / "templates"
    edit(templates / "static/style.css", "body { color: #1b1f24; }\n")
    with previewing(content, templates) as running:

        async def scenario() -> None:
            browsers = [await Browser.open(running, p) for p in ("", MEETING, PERSON)]
            edit(templates / "static/style.css", "body { color: #000; }\n")
            for browser in browsers:
                message = await browser.reloaded()
                assert (message["path"], message["liveCSS"]) == ("/assets/style.css", True)
                browser.close()

        run_apart(scenario)
        status, _headers, body = running.get("/assets/style.css")
        assert (status, body) == (200, b"body { color: #000; }\n")


def test_a_browser_on_a_missing_page_reloads_when_the_page_appears(make_site: MakeSite) -> None:
    content = make_site()
    with previewing(content) as running:
        status, _headers, _body = running.get("/klummer/samarbejde/")
        assert status == 404

        async def scenario() -> None:
            waiting = await Browser.open(running, "klummer/samarbejde/")
            elsewhere = await Browser.open(running, MEETING)
            edit(content / COLUMN, COLUMN_TEXT)  # in a folder made after the preview started
            await waiting.reloaded()
            assert await elsewhere.message(NOT_TOLD) is None
            # The new folder is watched too: editing the column reloads its page again.
            edit(content / COLUMN, COLUMN_TEXT.replace("Klummens tekst.", "Ny tekst."))
            await waiting.reloaded()
            waiting.close()
            elsewhere.close()

        run_apart(scenario)
        assert "Ny tekst." in running.page("klummer/samarbejde/").body.text()  # type: ignore[union-attr]


def test_an_editor_swap_file_builds_nothing_and_a_save_builds(make_site: MakeSite) -> None:
    content = make_site()
    with previewing(content) as running:
        builds = running.preview.builds
        edit(content / "kkr/hovedstaden/meetings/.2011-08-24.md.swp", "editor swap file")
        time.sleep(NOT_TOLD)  # the watcher sees a change within milliseconds: none comes
        assert running.preview.builds == builds
        topics = content / "topics.yaml"
        edit(topics, topics.read_text(encoding="utf-8") + "\n")
        running.wait_for_builds(builds + 1)


class Listener:
    """A browser's websocket, as `Browsers` sees it: it is sent messages."""

    def __init__(self) -> None:
        self.told: list[dict[str, Any]] = []

    def send_message(self, message: dict[str, Any]) -> None:
        self.told.append(message)


def test_a_page_served_before_a_build_reloads_when_its_browser_connects(tmp_path: Path) -> None:
    """A build can end between serving a page and its livereload.js connecting: a message
    sent then reaches no one, so the browser is told when it says which page it shows."""
    page = tmp_path / "klummer/samarbejde/index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<!DOCTYPE html><html><body><p>Tekst</p></body></html>", encoding="utf-8")
    (tmp_path / "index.html").write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    url = "http://127.0.0.1:8000/klummer/samarbejde/"
    browsers = Browsers(tmp_path)
    browsers.start(Outcome())
    for outcome in (
        Outcome(problems=("content/columns/a.md:3: fejl",)),  # the overlay comes
        Outcome(),  # and goes
        Outcome(changed=frozenset({"klummer/samarbejde/index.html"})),
    ):
        if outcome.changed:
            page.write_text(page.read_text(encoding="utf-8").replace("Tekst", "Ny"), "utf-8")
        browsers.page("/klummer/samarbejde/")
        browsers.apply(outcome)  # while the page loads: no browser connected yet
        late = Listener()
        browsers.hello(late, url)
        assert [m["command"] for m in late.told] == ["reload"], outcome
        browsers.page("/klummer/samarbejde/")  # reloaded
        current = Listener()
        browsers.hello(current, url)
        assert current.told == [], outcome
        del browsers.clients[late], browsers.clients[current]


def test_which_browsers_reload() -> None:
    clients = {
        "meeting": "kkr/hovedstaden/moeder/2011-08-24/index.html",
        "front": "index.html",
        "missing": "klummer/ny/index.html",
        "unknown": None,
    }
    exists = {"kkr/hovedstaden/moeder/2011-08-24/index.html", "index.html"}.__contains__

    def told(changed: set[str], overlay: bool = False) -> dict[str, str]:
        messages = reload_messages(clients, changed, overlay, exists)
        return {client: message["path"] for client, message in messages.items()}

    assert told(set()) == {}
    assert told({"kkr/hovedstaden/moeder/2011-08-24/index.html", "feed.xml"}) == {
        "meeting": "/kkr/hovedstaden/moeder/2011-08-24/"
    }
    assert told({"klummer/ny/index.html"}) == {"missing": "/klummer/ny/"}
    assert told({"404.html"}) == {"missing": "/klummer/ny/"}
    assert told({"assets/style.css", "index.html"}) == {
        "meeting": "/assets/style.css",
        "front": "/",
        "missing": "/assets/style.css",
        "unknown": "/assets/style.css",
    }
    everyone = {
        "meeting": "/kkr/hovedstaden/moeder/2011-08-24/",
        "front": "/",
        "missing": "/klummer/ny/",
        "unknown": "/",
    }
    assert told({"assets/logo.svg"}) == everyone
    assert told(set(), overlay=True) == everyone


# --- problems: terminal, overlay, last good site, recovery ---------------------------------


def overlay_of(page: LexborHTMLParser) -> tuple[str, list[str]] | None:
    """The overlay's heading and problem lines, or None when the page has no overlay."""
    dialog = page.css_first(f"#{OVERLAY_ID}")
    if dialog is None:
        return None
    heading = dialog.css_first("h2")
    assert heading is not None and dialog.attributes.get("aria-labelledby") == heading.id
    return heading.text(), [li.text() for li in dialog.css("li")]


def build_lines(content: Path) -> list[str]:
    """The problem lines `kkrsite build` prints for the content, without its summary."""
    result = run_kkrsite(
        "build", "--content", str(content), "--out", str(content.parent / "x"), cwd=Path.cwd(),
        epoch=EPOCH,
    )  # fmt: skip
    assert result.returncode == 1
    return [line for line in result.stderr.splitlines() if not line.startswith("kkrsite:")]


def test_a_broken_save_shows_the_problems_on_every_page_until_a_good_save(
    make_site: MakeSite,
) -> None:
    content = make_site()
    meeting = content / "kkr/hovedstaden/meetings/2011-08-24.md"
    good = meeting.read_text(encoding="utf-8")
    with previewing(content) as running:
        before = running.get("/" + MEETING)[2]
        on_disk = (running.preview.options.out / MEETING / "index.html").read_bytes()

        async def scenario() -> None:
            browsers = [await Browser.open(running, p) for p in (MEETING, PERSON)]
            edit(meeting, good.replace("[sundhed]", "[sundhet]"))
            for browser in browsers:
                await browser.reloaded()  # every page shows the overlay, so every page reloads
            problems = build_lines(content)
            assert problems and "unknown topic 'sundhet'" in problems[0]
            for path in (MEETING, PERSON, ""):
                assert overlay_of(running.page(path)) == ("Siden kunne ikke bygges", problems)
            assert problems[0] in running.err.getvalue().splitlines()
            # The last good site is served (with the overlay), and left on disk as it was.
            page = running.page(MEETING)
            overlay = page.css_first(f"#{OVERLAY_ID}")
            assert overlay is not None
            overlay.decompose()
            assert page.body.text() == LexborHTMLParser(before).body.text()  # type: ignore[union-attr]
            assert (running.preview.options.out / MEETING / "index.html").read_bytes() == on_disk

            edit(meeting, good.replace("Referat.", "Referat, rettet."))
            for browser in browsers:
                await browser.reloaded()
                browser.close()

        run_apart(scenario)
        for path in (MEETING, PERSON):
            assert overlay_of(running.page(path)) is None
        assert "Referat, rettet." in running.page(MEETING).body.text()  # type: ignore[union-attr]


def test_a_site_broken_from_the_start_shows_the_overlay_until_fixed(make_site: MakeSite) -> None:
    """Hostile fixture: the problem quotes markup from the content; the overlay shows it as text."""
    hostile = '<img src=x onerror="alert(1)">'
    meeting = "kkr/hovedstaden/meetings/2011-08-24.md"
    content = make_site({meeting: f"---\ntopics: ['{hostile}']\n---\nReferat.\n"})
    with previewing(content) as running:
        status, headers, body = running.get("/")
        assert status == 404  # nothing was ever built
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        parsed = LexborHTMLParser(body.decode())
        found = overlay_of(parsed)
        assert found is not None and found[1] == build_lines(content)
        assert hostile in found[1][0]
        assert not parsed.css(f"#{OVERLAY_ID} img")

        async def scenario() -> None:
            browser = await Browser.open(running, "")
            edit(content / meeting, "---\ntopics: [sundhed]\n---\nReferat.\n")
            await browser.reloaded()
            browser.close()

        run_apart(scenario)
        assert overlay_of(running.page("")) is None


def test_a_link_in_the_content_is_not_watched(make_site: MakeSite, tmp_path: Path) -> None:
    """Hostile fixture: a link in content/ to a folder outside; saves there build nothing."""
    outside = tmp_path / "outside"
    edit(outside / "notes.md", "Noter.\n")
    content = make_site()
    os.symlink(outside, content / "columns")
    with previewing(content) as running:
        assert "is a symbolic link" in running.err.getvalue()
        builds = running.preview.builds
        edit(outside / "notes.md", "Andre noter.\n")
        edit(outside / "new.md", "Ny.\n")
        time.sleep(NOT_TOLD)  # the watcher sees a change within milliseconds: none comes
        assert running.preview.builds == builds


# --- what is served, and to whom ------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One preview of the test content set, for the tests that only read it."""
    root = tmp_path_factory.mktemp("served")
    for rel, text in {**BASE, COLUMN: COLUMN_TEXT}.items():
        edit(root / "content" / rel, text)
    with previewing(root / "content") as running:
        yield running


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/feed.xml", "application/xml; charset=utf-8"),
        ("/klummer/feed.xml", "application/xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/moeder.ics", "text/calendar; charset=utf-8"),
        ("/data/people.json", "application/json"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ],
)
def test_each_file_is_served_with_its_content_type(
    served: Running, path: str, expected: str
) -> None:
    status, headers, body = served.get(path)
    assert status == 200, path
    assert headers["Content-Type"] == expected
    assert headers["Cache-Control"] == "no-store"
    rel = path.lstrip("/") or "index.html"
    if not rel.endswith(".html"):  # only pages get the livereload script
        assert body == (served.preview.options.out / rel).read_bytes()


def test_pages_get_the_livereload_script_but_the_files_on_disk_stay_clean(served: Running) -> None:
    page = served.page("")
    scripts = [s.text() for s in page.css("head script")]
    assert any("/livereload.js" in s for s in scripts)
    status, _headers, body = served.get("/livereload.js")
    assert status == 200 and b"LiveReload" in body
    for html in served.preview.options.out.rglob("*.html"):
        parsed = LexborHTMLParser(html.read_text(encoding="utf-8"))
        assert not parsed.css("script"), f"{html} holds a script"


def test_a_folder_is_redirected_to_its_slash_and_a_missing_page_is_the_404_page(
    served: Running,
) -> None:
    status, headers, _body = served.get("/klummer")
    assert (status, headers["Location"]) == (302, "/klummer/")
    status, _headers, body = served.get("/findes/ikke/")
    assert status == 404
    assert body.startswith(
        (served.preview.options.out / "404.html").read_bytes().split(b"</head>")[0]
    )


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/klummer/../../outside.txt",
        "/%2e%2e/outside.txt",
        "/%2E%2E/%2e%2e/outside.txt",
        "/klummer/%2e%2e%2f%2e%2e%2foutside.txt",
        "/..%2foutside.txt",
        "/..%5coutside.txt",
        "/klummer%00/index.html",
        "//outside.txt",
        "/link-out/secret.txt",
        "/link-out",
        "/link-in/index.html",
        "/file-link.txt",
        "/.kkrsite-build",
    ],
)
def test_nothing_outside_the_output_folder_is_served(served: Running, path: str) -> None:
    """Hostile fixture: `..` written and encoded, and links inside the output folder,
    pointing out of it and into it, none of which is followed."""
    out = served.preview.options.out
    secret = out.parent / "outside.txt"
    secret.write_text("HEMMELIGT", encoding="utf-8")
    folder = out.parent / "secret-folder"
    edit(folder / "secret.txt", "HEMMELIGT")
    for name, target in (
        ("link-out", folder),
        ("link-in", out / "klummer"),
        ("file-link.txt", secret),
    ):
        if not (out / name).is_symlink():
            os.symlink(target, out / name)
    status, _headers, body = served.get(path)
    assert status in (400, 404), f"{path} answered {status}"
    assert b"HEMMELIGT" not in body
    assert b"root:" not in body


def test_only_addresses_of_this_machine_reach_a_loopback_preview(served: Running) -> None:
    """A web page cannot read the preview under a name of its own (DNS rebinding)."""
    port = served.base.rsplit(":", 1)[1].strip("/")
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"):
        assert served.get("/", host=host)[0] == 200, host
    for host in (f"evil.example:{port}", "evil.example", f"192.168.1.5:{port}"):
        assert served.get("/", host=host)[0] == 421, host


def test_locate_follows_no_link(tmp_path: Path) -> None:
    out = tmp_path / "out"
    edit(out / "a/index.html", "A")
    edit(out / "feed.xml", "F")
    os.symlink(out / "a", out / "b")
    assert locate(out, "/a/").rel == "a/index.html"
    assert locate(out, "/a").redirect == "/a/"
    assert locate(out, "/feed.xml").rel == "feed.xml"
    assert locate(out, "/b/").file is None
    assert locate(out, "/b/index.html").file is None
    assert locate(out, "/a/%2e%2e/feed.xml").file is None
    assert locate(tmp_path / "missing", "/").file is None


def test_page_addresses_name_their_output_files() -> None:
    assert output_file("http://127.0.0.1:8000/") == "index.html"
    assert output_file("http://127.0.0.1:8000/klummer/x/?a=1#b") == "klummer/x/index.html"
    assert output_file("http://127.0.0.1:8000/feed.xml") == "feed.xml"
    assert output_file("http://127.0.0.1:8000/emner/%C3%A6/") == "emner/æ/index.html"
    assert output_file("http://127.0.0.1:8000/../x/") is None
    assert output_file("http://127.0.0.1:8000/%2e%2e/x/") is None


def test_content_types_by_name() -> None:
    assert content_type("kkr/hovedstaden/feed.xml") == "application/xml; charset=utf-8"
    assert content_type("kkr/hovedstaden/moeder.ics") == "text/calendar; charset=utf-8"
    assert content_type("_redirects") == "text/plain; charset=utf-8"
    assert content_type("filer/referat.pdf") == "application/pdf"
    assert content_type("filer/ukendt") == "application/octet-stream"


def test_the_script_and_overlay_go_where_the_tokenizer_says() -> None:
    page = (
        b"<!DOCTYPE html><html><head><script>var s = '</head><body>';</script></head>"
        b'<body class="x"><main>Indhold</main></body></html>'
    )
    result = inject(page, "<script>LIVE</script>", '<div id="o">O</div>').decode()
    parsed = LexborHTMLParser(result)
    assert [s.text() for s in parsed.css("head script")][-1] == "LIVE"
    body = parsed.body
    assert body is not None and body.child is not None and body.child.id == "o"
    assert parsed.css_first("script").text() == "var s = '</head><body>';"
    assert inject(b"<p>no head or body</p>", "H", "B") == b"HB<p>no head or body</p>"


# --- the command line ---------------------------------------------------------------------


def test_hosts() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.5", "example.dk"))
    assert host_warning("127.0.0.1") is None
    warning = host_warning("0.0.0.0")
    assert warning is not None and "0.0.0.0 is not a loopback address" in warning
    assert preview_base_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert preview_base_url("0.0.0.0", 8000) == "http://127.0.0.1:8000/"
    assert preview_base_url("::1", 8001) == "http://[::1]:8001/"
    assert allowed_host("evil.example", "0.0.0.0")
    assert not allowed_host("evil.example", "127.0.0.1")


def test_the_command_previews_on_this_machine_and_stops_cleanly_on_ctrl_c(
    make_site: MakeSite,
) -> None:
    """The installed command: served on 127.0.0.1 into .kkrsite-preview/, never build/,
    drafts marked; Ctrl-C stops it with a short line, no traceback."""
    content = make_site(
        {COLUMN: COLUMN_TEXT.replace("---\nKlummens", "draft: true\n---\nKlummens")}
    )
    folder = content.parent
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "kkrsite"), "serve", "--port", "0"],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 3 * WAIT
        while not any(" at http://" in line for line in lines):
            assert process.stdout is not None and time.monotonic() < deadline
            line = process.stdout.readline()
            assert line, f"kkrsite serve stopped: {process.communicate()}"
            lines.append(line)
        address = lines[-1].rsplit(" at ", 1)[1].strip()
        assert address.startswith("http://127.0.0.1:")
        port = int(address.rsplit(":", 1)[1].strip("/"))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        connection.request("GET", "/klummer/samarbejde/")
        page = LexborHTMLParser(connection.getresponse().read().decode())
        connection.close()
        badge = page.css_first(".badge--unpublished")
        assert badge is not None and badge.text() == "Kladde"
        assert (folder / ".kkrsite-preview/index.html").is_file()
        assert not (folder / "build").exists()
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=3 * WAIT)
    assert process.returncode in (0, 130), stderr
    assert "Traceback" not in stdout + stderr
    assert "stopped" in (stdout + stderr).splitlines()[-1]


def test_drafts_and_future_entries_are_marked_only_where_they_are_shown(
    make_site: MakeSite, tmp_path: Path
) -> None:
    content = make_site(
        {
            COLUMN: COLUMN_TEXT.replace("---\nKlummens", "draft: true\n---\nKlummens"),
            "columns/2012-03-01-senere.md": COLUMN_TEXT.replace("Samarbejde", "Senere"),
            "kkr/hovedstaden/meetings/2012-02-01.md": "---\nlocation: Herlev\n---\n",
        }
    )
    shown = tmp_path / "shown"
    result = run_kkrsite(
        "build", "--content", str(content), "--out", str(shown), "--drafts", "--future",
        cwd=tmp_path, epoch=EPOCH,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    def marks(page: Path) -> list[str]:
        parsed = LexborHTMLParser(page.read_text(encoding="utf-8"))
        return [badge.text() for badge in parsed.css(".badge--unpublished")]

    assert marks(shown / "klummer/samarbejde/index.html") == ["Kladde"]
    assert marks(shown / "klummer/senere/index.html") == ["Ikke udgivet endnu"]
    assert sorted(marks(shown / "klummer/index.html")) == ["Ikke udgivet endnu", "Kladde"]
    # A planned meeting is published before its day: never marked.
    assert (shown / "kkr/hovedstaden/moeder/2012-02-01/index.html").is_file()
    assert marks(shown / "kkr/hovedstaden/moeder/2012-02-01/index.html") == []
    assert marks(shown / "kkr/hovedstaden/moeder/index.html") == []

    published = tmp_path / "published"
    result = run_kkrsite(
        "build", "--content", str(content), "--out", str(published), cwd=tmp_path, epoch=EPOCH
    )
    assert result.returncode == 0, result.stderr
    assert not any(marks(page) for page in published.rglob("*.html"))
