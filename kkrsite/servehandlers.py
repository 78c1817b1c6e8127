"""The preview's Tornado handlers: the output folder, livereload.js and livereload's websocket.

livereload's websocket handler speaks the livereload protocol with livereload.js in the
browser; the site handler serves the output folder with what `Browsers.page` adds. Each
answers only requests addressed to this machine when the preview listens on loopback.
"""

from __future__ import annotations

import json
import traceback
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web

from kkrsite.errors import printable

if TYPE_CHECKING:
    from kkrsite.serve import Preview


def application(preview: Preview) -> web.Application:
    """The preview's Tornado application: the websocket, livereload.js, then the site."""
    return web.Application(
        [
            (r"/livereload", _ReloadSocket, {"preview": preview}),
            (r"/livereload\.js", _ReloadScript),
            (r"/.*", _SiteHandler, {"preview": preview}),
        ],
        log_function=lambda _handler: None,  # no access log in the terminal
        websocket_ping_interval=20,
    )


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
        status, data, kind, redirect = self.preview.browsers.page(self.request.path)
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
            self.preview.browsers.hello(self, data["url"])

    def on_close(self) -> None:
        self.preview.browsers.clients.pop(self, None)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        _log_bug(self.preview, "talking to a browser", typ, value, tb)


def _log_bug(preview: Preview, doing: str, typ: Any, value: Any, tb: Any) -> None:
    if preview.settings.debug:
        traceback.print_exception(typ, value, tb, file=preview.err)
    preview.say(
        f"kkrsite: internal error while {doing}, this is a bug in kkrsite "
        f"({getattr(typ, '__name__', typ)}: {printable(str(value))}); run with --debug to "
        "see the traceback, and report it",
        err=True,
    )
