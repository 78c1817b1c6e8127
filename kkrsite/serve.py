"""`kkrsite serve`: a live preview that rebuilds on every save and reloads only what changed.

The site is built into a folder of its own (`.kkrsite-preview/`, never build/) with
a `Builder` kept for the whole session, and served by livereload's Tornado server
parts: its websocket handler speaks the livereload protocol with livereload.js in
the browser, and a handler of our own serves the output folder, adding the
livereload script (and, after a failed build, the problem overlay) to each HTML
response, never to the files on disk.

Each browser says which page it shows (livereload's `info` message carries its URL,
`/x/` is `x/index.html`); after a build, only the browsers whose page's output file
changed are told to reload: the files the build names as changed, less those whose
bytes are still the ones browsers were served (a build may name a file it wrote
again unchanged). A changed stylesheet is swapped in every page (livereload's live
CSS); any other changed asset, and the overlay appearing, changing or going, reload
every page.

Content and templates are watched with watchfiles (operating-system events, no
polling): each folder on its own, listed without following a link, so a link in
content/ never makes kkrsite watch (or walk) a folder outside it. A burst of saves
is one build; changes made during a build give one more build after it. Builds run
in the main thread (where the template time limit works, and Ctrl-C stops them);
the server runs in a thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html
import ipaddress
import json
import mimetypes
import os
import signal
import socket
import stat
import sys
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, netutil, web
from watchfiles._rust_notify import RustNotify

from kkrsite.build import Builder
from kkrsite.config import Options
from kkrsite.errors import ContentError, KkrsiteError, UsageError, display_path, printable
from kkrsite.htmlscan import scan_tags
from kkrsite.render import template_dirs
from kkrsite.safefs import linked_component, list_folder
from kkrsite.urls import ASSETS_PREFIX
from kkrsite.write import MARKER

PREVIEW_OUT = Path(".kkrsite-preview")
"""Where `kkrsite serve` builds: its own folder, so a preview never replaces build/."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

WATCH_STEP_MS = 10
"""How often the watcher looks at the events it was sent: a save is seen within two steps,
and saves less than a step apart are one build."""
WATCH_MAX_MS = 400
"""The longest a stream of saves (a checkout, a copy) is waited for before building anyway."""
MAX_WATCHED_FOLDERS = 5_000
"""Folders watched at most; a content set has a few dozen (a folder a kind a region)."""

OVERLAY_ID = "kkrsite-problems"

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",  # feeds and the sitemap; browsers show it
    ".ics": "text/calendar; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}
_PLAIN_NAMES = frozenset(("_redirects", "_headers"))

_LIVE_CSS = (".css",)

_LIVERELOAD_SCRIPT = (
    # livereload's own snippet: the script is fetched from the address the page came from.
    "<script>(function(){var s=document.createElement('script');"
    "var port=window.location.port||(window.location.protocol=='https:'?443:80);"
    "s.src='//'+window.location.hostname+':'+port+'/livereload.js?port='+port;"
    "document.head.appendChild(s);})();</script>"
)

_OVERLAY_STYLE = (
    "<style>"
    f"#{OVERLAY_ID}{{position:fixed;inset:0 0 auto 0;z-index:2147483647;box-sizing:border-box;"
    "width:100%;max-width:none;max-height:100vh;overflow:auto;margin:0;padding:1rem 1.25rem;"
    "background:#fff;color:#1b1f24;border:0;border-bottom:6px solid #a1211c;"
    "box-shadow:0 4px 24px rgba(0,0,0,.35);font:1rem/1.5 system-ui,sans-serif;text-align:left}"
    f"#{OVERLAY_ID} h2{{margin:0 0 .5rem;color:#a1211c;font-size:1.375rem;line-height:1.25}}"
    f"#{OVERLAY_ID} p{{margin:0 0 .5rem;max-width:none}}"
    f"#{OVERLAY_ID} ul{{margin:.5rem 0 1rem;padding:0;list-style:none}}"
    f"#{OVERLAY_ID} li{{margin:.25rem 0;padding:.5rem .75rem;background:#fbeceb;"
    "border-left:4px solid #a1211c}"
    f"#{OVERLAY_ID} code{{font:.9375rem/1.4 ui-monospace,Menlo,Consolas,monospace;"
    "white-space:pre-wrap;overflow-wrap:anywhere;color:#1b1f24;background:none}"
    f"#{OVERLAY_ID} button{{font:inherit;padding:.375rem 1rem;background:#a1211c;color:#fff;"
    "border:0;border-radius:4px;cursor:pointer}"
    f"#{OVERLAY_ID}:focus-visible,#{OVERLAY_ID} button:focus-visible{{outline:3px solid #1b1f24;"
    "outline-offset:2px}"
    "</style>"
)

_NO_SITE = (
    '<!DOCTYPE html>\n<html lang="da">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>Ingen side – kkrsite serve</title>\n</head>\n<body>\n<main>\n"
    "<h1>Ingen side her</h1>\n<p>Forhåndsvisningen har ingen side på denne adresse.</p>\n"
    "</main>\n</body>\n</html>\n"
)
"""Shown for a missing address when the site has no 404.html (or was never built)."""


# --- hosts and addresses -------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_warning(host: str) -> str | None:
    """What to say when the preview can be reached from other machines, or None."""
    if is_loopback(host):
        return None
    return (
        f"kkrsite: warning: --host {host} is not a loopback address: anyone who can reach "
        "this machine can see the preview, drafts included; leave out --host to serve on "
        "127.0.0.1 only"
    )


def preview_base_url(host: str, port: int) -> str:
    """The address pages and feeds of the preview link to: `http://HOST:PORT/`.

    A server on every address (0.0.0.0, ::) is linked on this machine's loopback.
    """
    bare = host.strip("[]")
    if bare in ("", "0.0.0.0"):
        bare = "127.0.0.1"
    elif bare == "::":
        bare = "::1"
    shown = f"[{bare}]" if ":" in bare else bare
    return f"http://{shown}:{port}/"


def allowed_host(header: str, bound: str) -> bool:
    """Whether a request's Host header (or an Origin's host) may reach this server.

    A server bound to loopback answers only to loopback names, so a web page cannot
    reach the preview (drafts included) under a domain of its own (DNS rebinding).
    """
    if not is_loopback(bound):
        return True
    if header.startswith("["):
        name = header[1 : header.find("]")] if "]" in header else header
    else:
        name = header.rsplit(":", 1)[0] if header.count(":") == 1 else header
    return is_loopback(name)


# --- paths: URL → output file --------------------------------------------------------


def url_segments(raw_path: str) -> list[str] | None:
    """The decoded segments of a request path, or None if it could leave the output folder.

    `..` and `.` (written or %-encoded), backslashes, NUL, colons and empty segments
    are refused: no such address is ever published.
    """
    if not raw_path.startswith("/"):
        return None
    try:
        decoded = unquote(raw_path, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    parts = decoded[1:].split("/")
    if parts and parts[-1] == "":
        parts = parts[:-1]
    for part in parts:
        if part in ("", ".", "..") or any(c in part for c in "\\\0:"):
            return None
    return parts


def output_file(url: str) -> str | None:
    """The output file a page address shows: `/x/` → `x/index.html`, `/feed.xml` → itself."""
    try:
        path = urlsplit(url).path or "/"
    except ValueError:
        return None
    parts = url_segments(path)
    if parts is None:
        return None
    if path.endswith("/"):
        parts = [*parts, "index.html"]
    return "/".join(parts)


@dataclass(frozen=True)
class Found:
    """What a request path leads to in the output folder."""

    file: Path | None = None
    rel: str | None = None
    redirect: str | None = None


def locate(root: Path, raw_path: str) -> Found:
    """Find a request path in the output folder, following no link and leaving it never.

    A folder asked for without its slash is redirected to it (`/klummer` → `/klummer/`);
    a folder gives its index.html. Every component is checked with lstat: a link
    anywhere on the way, even one pointing inside, is not followed.
    """
    parts = url_segments(raw_path)
    if parts is None or MARKER in parts:
        return Found()
    current = root
    try:
        info = os.lstat(current)
        for part in parts:
            if not stat.S_ISDIR(info.st_mode):
                return Found()
            current = current / part
            info = os.lstat(current)
            if stat.S_ISLNK(info.st_mode):
                return Found()
        if stat.S_ISDIR(info.st_mode):
            if not raw_path.endswith("/"):
                return Found(redirect=raw_path + "/")
            parts = [*parts, "index.html"]
            current = current / "index.html"
            info = os.lstat(current)
        if not stat.S_ISREG(info.st_mode):
            return Found()
    except OSError:
        return Found()
    return Found(file=current, rel="/".join(parts))


def read_regular(path: Path) -> bytes | None:
    """A regular file's bytes, opened without following a link; None if that fails."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return None
        return file.read()


def content_type(name: str) -> str:
    """The Content-Type of an output file: feeds as XML, .ics as text/calendar, HTML as UTF-8."""
    base = name.rsplit("/", 1)[-1]
    if base in _PLAIN_NAMES:
        return "text/plain; charset=utf-8"
    suffix = os.path.splitext(base)[1].lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(base)
    return guessed or "application/octet-stream"


# --- what is added to HTML responses -------------------------------------------------


def overlay_html(lines: list[str], has_site: bool) -> str:
    """The problem overlay: a dialog with a heading, what happened in Danish, the problem lines.

    It takes the focus when the page loads, so a screen reader reads it first; the
    lines are English (for now), marked so.
    """
    n = len(lines)
    found = f"{n} problem" if n == 1 else f"{n} problemer"
    kept = (
        "Du ser den seneste udgave af siden, der kunne bygges."
        if has_site
        else "Der er endnu ingen udgave af siden, der kunne bygges."
    )
    items = "".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return (
        f'<dialog open id="{OVERLAY_ID}" tabindex="-1" '
        f'aria-labelledby="{OVERLAY_ID}-title" aria-describedby="{OVERLAY_ID}-text">'
        f'<h2 id="{OVERLAY_ID}-title">Siden kunne ikke bygges</h2>'
        f'<p id="{OVERLAY_ID}-text">kkrsite fandt {found}. {kept} '
        f"Ret {'fejlen' if n == 1 else 'fejlene'} og gem igen, så bliver siden bygget "
        "og vist på ny.</p>"
        f'<ul lang="en">{items}</ul>'
        '<form method="dialog"><button type="submit">Skjul</button></form>'
        f"<script>document.getElementById('{OVERLAY_ID}').focus();</script>"
        "</dialog>"
    )


def inject(page: bytes, head: str, body: str) -> bytes:
    """`page` with `head` before `</head>` and `body` right after the `<body>` start tag.

    The places are found by the HTML5 tokenizer, not by searching text (a `</head>`
    inside a script is not the end of the head). A page without them gets the
    additions at its start.
    """
    try:
        text = page.decode("utf-8")
    except UnicodeDecodeError:
        return page
    head_end = body_start = None
    for tag in scan_tags(text):
        if tag.name == "head" and tag.closing and head_end is None:
            head_end = tag.offset
        elif tag.name == "body" and not tag.closing:
            body_start = tag.end
            break
    if body_start is None:
        return (head + body).encode() + page
    if head_end is None:
        return (text[:body_start] + head + body + text[body_start:]).encode()
    return (text[:head_end] + head + text[head_end:body_start] + body + text[body_start:]).encode()


# --- which browsers reload -----------------------------------------------------------


def reload_messages(
    clients: Mapping[Any, str | None],
    changed: Iterable[str],
    overlay_changed: bool,
    existing: Callable[[str], bool],
) -> dict[Any, dict[str, Any]]:
    """The livereload `reload` command to send to each browser that must reload, by browser.

    `clients` maps each browser to the output file its page shows (None: unknown).
    A browser reloads when its file changed; one on a missing address (the 404 page)
    when 404.html changed or its file appeared. Every browser reloads when the
    overlay appeared, changed or went, or an asset other than a stylesheet changed;
    a changed stylesheet is swapped live in the others.
    """
    changed = set(changed)
    assets = {rel for rel in changed if rel.startswith(ASSETS_PREFIX.strip("/") + "/")}
    stylesheets = {rel for rel in assets if rel.endswith(_LIVE_CSS)}
    everything = overlay_changed or bool(assets - stylesheets)
    messages: dict[Any, dict[str, Any]] = {}
    for client, rel in clients.items():
        mine = rel is not None and (rel in changed or ("404.html" in changed and not existing(rel)))
        if everything or mine:
            messages[client] = _reload(_page_path(rel))
        elif stylesheets:
            messages[client] = _reload("/" + min(stylesheets))
    return messages


def _reload(path: str) -> dict[str, Any]:
    return {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}


def _page_path(rel: str | None) -> str:
    if rel is None:
        return "/"
    return "/" + rel.removesuffix("index.html")


# --- the server ----------------------------------------------------------------------


@dataclass(frozen=True)
class ServeSettings:
    """How `kkrsite serve` listens."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    open_browser: bool = False
    debug: bool = False


@dataclass(frozen=True)
class Outcome:
    """One build as the server publishes it: what changed, or the lines of what went wrong."""

    changed: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()


class Preview:
    """Builds, serves, watches and reloads until `stop()` (or Ctrl-C in the main thread)."""

    def __init__(
        self,
        options: Options,
        settings: ServeSettings,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
    ) -> None:
        self.settings = settings
        self.options = options
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.address = ""
        """The preview's address, `http://HOST:PORT/`, once bound."""
        self.ready = threading.Event()
        """Set once the first build is done and the server answers."""
        self.builds = 0
        """Builds finished (good or not); tests wait on it."""
        self._stop = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sockets: list[socket.socket] = []
        self._builder: Builder | None = None
        # State below belongs to the server thread.
        self._problems: tuple[str, ...] = ()
        self._has_site = False
        self._generation = 0
        self._changed_in: dict[str, int] = {}
        self._served_in: dict[str, int] = {}
        self._digests: dict[str, bytes] = {}
        self._too_many_folders = False
        self.clients: dict[Any, str | None] = {}
        """Connected browsers (their websocket handlers) → the output file each shows."""

    # -- the main thread: bind, build, watch ------------------------------------------

    def run(self) -> int:
        """Serve until stopped; returns the exit code (0).

        Raises UsageError when the address cannot be bound or the first build cannot be
        made for a reason other than the content (no content folder, a foreign --out).
        """
        self._bind()
        server = threading.Thread(target=self._serve, name="kkrsite-serve", daemon=True)
        stop_on_term = threading.current_thread() is threading.main_thread()
        if stop_on_term:  # `kill` stops the preview as cleanly as Ctrl-C does
            previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            self.options = replace(
                self.options, base_url=self.options.base_url or preview_base_url(*self._bound())
            )
            self._builder = Builder(self.options)
            # Watching starts before the first build: a save during it is built after it.
            folders, watcher = self._watcher()
            try:
                first = self._build(first=True)
            except BaseException:
                watcher.close()
                raise
            # The first build is the state the server starts from, not a change to announce.
            self._problems, self._generation = first.problems, 1
            self._has_site = (self.options.out / "index.html").is_file()
            self._digest_assets()
            server.start()
            while not self.ready.wait(0.05):
                if not server.is_alive():
                    watcher.close()
                    raise UsageError(f"the preview server could not start on {self.address}")
            self._announce()
            if self.settings.open_browser:
                threading.Thread(target=webbrowser.open, args=(self.address,), daemon=True).start()
            self._watch(folders, watcher)
        except KeyboardInterrupt:
            pass
        finally:
            if stop_on_term:
                signal.signal(signal.SIGTERM, previous)
            self._stop.set()
            if self._loop is not None:
                with contextlib.suppress(RuntimeError):  # already closed
                    self._loop.call_soon_threadsafe(self._loop.stop)
            if server.is_alive():
                server.join(timeout=5)
            for sock in self._sockets:
                sock.close()
        self._say("kkrsite serve: stopped (stoppet)")
        return 0

    def stop(self) -> None:
        """Stop serving (from any thread): `run()` returns within a watch step."""
        self._stop.set()

    def _bind(self) -> None:
        host, port = self.settings.host, self.settings.port
        try:
            self._sockets = netutil.bind_sockets(port, host)
        except OSError as exc:
            why = (exc.strerror or str(exc)).lower()
            hint = f"choose another with --port, e.g. --port {port + 1}" if port else "check --host"
            raise UsageError(f"cannot serve on {host}:{port}: {why}; {hint}") from None
        self.address = preview_base_url(*self._bound())

    def _bound(self) -> tuple[str, int]:
        port = int(self._sockets[0].getsockname()[1])
        return self.settings.host, port

    def _announce(self) -> None:
        shown_too = {"drafts": self.options.drafts, "future entries": self.options.future}
        extras = [name for name, on in shown_too.items() if on]
        with_ = f", with {' and '.join(extras)}" if extras else ""
        self._say(
            f"Serving the preview of {display_path(self.options.content, Path.cwd())}/ "
            f"({display_path(self.options.out, Path.cwd())}/{with_}) at {self.address}"
        )
        self._say("Watching content and templates for changes; press Ctrl-C to stop")
        warning = host_warning(self.settings.host)
        if warning is not None:
            self._say(warning, err=True)

    def _watch(self, folders: list[Path], watcher: RustNotify) -> None:
        """Build after each burst of changes until stopped; re-watch when folders come or go.

        A new watcher is made before the build that follows a change of folders, so a
        file saved in a new folder during that build is seen.
        """
        try:
            while True:
                found = watcher.watch(WATCH_MAX_MS, WATCH_STEP_MS, 0, self._stop)
                if found == "signal":
                    raise KeyboardInterrupt
                if found == "stop" or self._stop.is_set():
                    return
                if isinstance(found, str) or not any(_visible(path) for _, path in found):
                    continue
                if self._folders() != folders:
                    watcher.close()
                    folders, watcher = self._watcher()
                self._publish(self._build())
        finally:
            watcher.close()

    def _watcher(self) -> tuple[list[Path], RustNotify]:
        """The folders to watch and a watcher of them; listed again if one goes meanwhile."""
        for _attempt in range(10):
            folders = self._folders()
            with contextlib.suppress(FileNotFoundError):
                return folders, _watcher(folders)
        raise UsageError(
            f"cannot watch '{self.options.content}': its folders keep disappearing while "
            "they are listed"
        )

    def _folders(self) -> list[Path]:
        """Content and template folders and every folder in them, listed without links.

        A root reached through a link is watched only where the read step reads it: a
        link above the current folder is the user's own choice, one inside it is not.
        """
        roots = [self.options.content, *template_dirs(self.options.templates)]
        found: list[Path] = []
        stack = [r for r in roots if r.is_dir() and linked_component(r, Path.cwd()) is None]
        while stack and len(found) < MAX_WATCHED_FOLDERS:
            folder = stack.pop()
            found.append(folder)
            stack.extend(list_folder(folder).dirs)
        if stack and not self._too_many_folders:
            self._too_many_folders = True
            self._say(
                f"kkrsite: warning: more than {MAX_WATCHED_FOLDERS:,} folders in the content "
                "and templates: only the first are watched; saves elsewhere are built with "
                "the next save in a watched folder",
                err=True,
            )
        return sorted(found)

    def _build(self, first: bool = False) -> Outcome:
        """One build; its problems are printed as `kkrsite build` prints them.

        On the first build, anything but a content problem is raised: the command
        line asks for something that cannot be done.
        """
        assert self._builder is not None
        started = time.perf_counter()
        try:
            result = self._builder.build()
        except ContentError as exc:
            lines = tuple(exc.lines())
            for line in lines:
                self._say(line, err=True)
            n = len(lines)
            self._say(
                f"kkrsite: {n} problem{'s' if n != 1 else ''} found; the preview shows the "
                "last good build until a save fixes them",
                err=True,
            )
            return self._done(Outcome(problems=lines))
        except KkrsiteError as exc:
            if first:
                raise
            line = f"kkrsite: {printable(str(exc))}"
            self._say(line, err=True)
            return self._done(Outcome(problems=(line,)))
        except Exception as exc:  # a bug in kkrsite, not a mistake in the content: say so
            if first and self.settings.debug:
                raise
            line = (
                f"kkrsite: internal error, this is a bug in kkrsite ({type(exc).__name__}: "
                f"{printable(str(exc))}); the preview shows the last good build. Run again "
                "with --debug to see the traceback, and report it."
            )
            if self.settings.debug:
                traceback.print_exc(file=self.err)
            self._say(line, err=True)
            self._builder = Builder(self.options)  # its state may be half-updated
            return self._done(Outcome(problems=(line,)))
        for warning in getattr(self._builder, "warnings", ()):
            self._say(f"kkrsite: warning: {printable(warning)}", err=True)
        seconds = time.perf_counter() - started
        if first:
            shown = display_path(self.options.out, Path.cwd())
            self._say(f"Built {result.pages} pages into {shown}/ in {seconds:.2f} s")
        else:
            n = len(result.changed)
            what = "nothing changed" if n == 0 else f"{n} file{'s' if n != 1 else ''} changed"
            self._say(f"Built {result.pages} pages in {seconds:.2f} s: {what}")
        return self._done(Outcome(changed=result.changed))

    def _done(self, outcome: Outcome) -> Outcome:
        self.builds += 1
        return outcome

    def _say(self, line: str, err: bool = False) -> None:
        stream = self.err if err else self.out
        with contextlib.suppress(ValueError, OSError):  # a closed stream must not stop serving
            print(line, file=stream, flush=True)

    # -- the server thread -------------------------------------------------------------

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        app = web.Application(
            [
                (r"/livereload", _ReloadSocket, {"preview": self}),
                (r"/livereload\.js", _ReloadScript),
                (r"/.*", _SiteHandler, {"preview": self}),
            ],
            log_function=lambda _handler: None,  # no access log in the terminal
            websocket_ping_interval=20,
        )
        server = httpserver.HTTPServer(app)
        server.add_sockets(self._sockets)
        self.ready.set()
        try:
            loop.run_forever()
        finally:
            server.stop()
            for client in list(self.clients):
                with contextlib.suppress(Exception):
                    client.close()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    def _publish(self, outcome: Outcome) -> None:
        """Hand a build's outcome to the server thread, which tells the browsers."""
        self.ready.wait()
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # the loop is closing: nobody to tell
            self._loop.call_soon_threadsafe(self._apply, outcome)

    def _apply(self, outcome: Outcome) -> None:
        overlay_changed = outcome.problems != self._problems
        self._problems = outcome.problems
        self._has_site = (self.options.out / "index.html").is_file()
        self._generation += 1
        changed = self._really_changed(outcome.changed)
        for rel in changed:
            self._changed_in[rel] = self._generation
        messages = reload_messages(self.clients, changed, overlay_changed, self._exists)
        for client, message in messages.items():
            client.send_message(message)
        if messages:
            n = len(messages)
            self._say(f"Reloaded {n} browser{'s' if n != 1 else ''}")

    def _really_changed(self, changed: frozenset[str]) -> set[str]:
        """The files among `changed` whose bytes differ from the ones browsers were served.

        A build may name a file it wrote again with the same bytes (one that could not
        trust what it wrote before); a page a browser shows is then compared with what
        it was served, so that browser is not reloaded for nothing. Files no browser
        fetched are taken as named.
        """
        really = set()
        for rel in changed:
            before = self._digests.get(rel)
            if before is None:
                really.add(rel)
                continue
            found = locate(self.options.out, "/" + rel).file
            data = read_regular(found) if found is not None else None
            now = _digest(data) if data is not None else None
            if now != before:
                really.add(rel)
                if now is None:
                    del self._digests[rel]
                else:
                    self._digests[rel] = now
        return really

    def _digest_assets(self) -> None:
        """Remember the assets as built: every page loads them, so every page reloads
        when one changes, and a build naming an asset it wrote again unchanged is known."""
        folder = self.options.out / ASSETS_PREFIX.strip("/")
        stack = [folder] if folder.is_dir() and not folder.is_symlink() else []
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        data = read_regular(Path(entry.path))
                        rel = Path(entry.path).relative_to(self.options.out).as_posix()
                        if data is not None:
                            self._digests[rel] = _digest(data)

    def _exists(self, rel: str) -> bool:
        return locate(self.options.out, "/" + rel).file is not None

    def page(self, raw_path: str) -> tuple[int, bytes, str, str | None]:
        """Status, body, content type and redirect for a request path (server thread)."""
        found = locate(self.options.out, raw_path)
        if found.redirect is not None:
            return 302, b"", "text/plain; charset=utf-8", found.redirect
        status, data, rel = 200, None, found.rel
        if found.file is not None:
            data = read_regular(found.file)
        if data is None or rel is None:
            status, rel = 404, "404.html"
            missing = locate(self.options.out, "/404.html")
            data = read_regular(missing.file) if missing.file else None
        if data is None:
            data = _NO_SITE.encode()
        else:
            # What the browsers were first served of this file since the last build.
            self._digests.setdefault(rel, _digest(data))
        kind = content_type(rel)
        if kind.startswith("text/html"):
            self._served_in[output_file(raw_path) or rel] = self._generation
            overlay = overlay_html(list(self._problems), self._has_site) if self._problems else ""
            head = _LIVERELOAD_SCRIPT + (_OVERLAY_STYLE if overlay else "")
            data = inject(data, head, overlay)
        return status, data, kind, None

    def hello(self, client: Any, url: str) -> None:
        """A browser said which page it shows; reload it at once if that page is stale."""
        rel = output_file(url)
        self.clients[client] = rel
        if rel is not None and self._changed_in.get(rel, 0) > self._served_in.get(rel, 0):
            # Built again between serving the page and this message: it shows the old one.
            client.send_message(_reload(_page_path(rel)))

    def allowed(self, host_header: str) -> bool:
        return allowed_host(host_header, self.settings.host)


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _watcher(folders: list[Path]) -> RustNotify:
    """A watcher of these folders, each on its own (no link followed, no folder walked).

    Operating-system events where there are any, else polling (watchfiles decides).
    watchfiles documents this Rust backend for direct use; its `watch()` generator
    makes its watcher only when first asked for changes, too late to see a save made
    during the build that follows a change of folders.
    """
    return RustNotify([str(f) for f in folders], False, False, 300, False, True)


def _visible(path: str) -> bool:
    """A change kkrsite reads: not a dot-file (editor swap files, which the read step skips)."""
    return not os.path.basename(path).startswith(".")


class _ThisMachineOnly:
    """A handler of this preview that answers only requests addressed to this machine."""

    preview: Preview
    request: Any

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def prepare(self) -> None:
        if not self.preview.allowed(self.request.host):
            self.set_status(421)  # type: ignore[attr-defined]
            self.finish("kkrsite serve answers only to addresses of this machine\n")  # type: ignore[attr-defined]


class _SiteHandler(_ThisMachineOnly, web.RequestHandler):
    """Serves the output folder, adding the livereload script and the overlay to HTML."""

    def get(self) -> None:
        self._answer(head=False)

    def head(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        status, data, kind, redirect = self.preview.page(self.request.path)
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        if redirect is not None:
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(redirect + query, permanent=False)
            return
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.set_header("Content-Length", str(len(data)))
        if not head:
            self.write(data)
        self.finish()

    def compute_etag(self) -> None:
        return None  # every answer is fresh: no 304 for a page that was just rebuilt

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        _log_bug(self.preview, "serving " + self.request.path, typ, value, tb)


class _ReloadScript(LiveReloadJSHandler):  # type: ignore[misc]
    """livereload.js, as livereload serves it."""

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")


class _ReloadSocket(_ThisMachineOnly, LiveReloadHandler):  # type: ignore[misc]
    """livereload's websocket, remembering which page each browser shows.

    The handshake is livereload's; the browser's `info` message names its page, and
    the browser is kept in this preview's own list (livereload's is one for the process).
    """

    def check_origin(self, origin: str) -> bool:
        try:
            netloc = urlsplit(origin).netloc
        except ValueError:
            return False
        return self.preview.allowed(netloc)

    def on_message(self, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        if data.get("command") == "hello":
            super().on_message(message)  # livereload's handshake reply
        elif data.get("command") == "info" and isinstance(data.get("url"), str):
            self.preview.hello(self, data["url"])

    def on_close(self) -> None:
        self.preview.clients.pop(self, None)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        _log_bug(self.preview, "talking to a browser", typ, value, tb)


def _log_bug(preview: Preview, doing: str, typ: Any, value: Any, tb: Any) -> None:
    if preview.settings.debug:
        traceback.print_exception(typ, value, tb, file=preview.err)
    preview._say(
        f"kkrsite: internal error while {doing}, this is a bug in kkrsite "
        f"({getattr(typ, '__name__', typ)}: {printable(str(value))}); run with --debug to "
        "see the traceback, and report it",
        err=True,
    )


def serve(options: Options, settings: ServeSettings) -> int:
    """Run `kkrsite serve` until Ctrl-C; returns the exit code."""
    return Preview(options, settings).run()
