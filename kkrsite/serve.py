"""`kkrsite serve`: a live preview that rebuilds on every save and reloads only what changed.

The site is built into a folder of its own (`.kkrsite-preview/`, never build/) with
a `Builder` kept for the whole session, and served by livereload's Tornado server
parts (servehandlers), adding the livereload script (and, after a failed build, the
problem overlay) to each HTML response, never to the files on disk (servepage). Only
the browsers whose page changed are reloaded (servebrowsers); content and templates
are watched with watchfiles (servewatch).

Builds run in the main thread (where the template time limit works, and Ctrl-C stops
them); the server runs in a thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import socket
import sys
import threading
import time
import traceback
import webbrowser
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from tornado import httpserver, netutil

from kkrsite.builder import Builder
from kkrsite.config import Options
from kkrsite.errors import ContentError, KkrsiteError, UsageError, display_path, printable
from kkrsite.servebrowsers import Browsers, Outcome
from kkrsite.servehandlers import application
from kkrsite.servepaths import allowed_host, host_warning, preview_base_url
from kkrsite.servewatch import Watch

PREVIEW_OUT = Path(".kkrsite-preview")
"""Where `kkrsite serve` builds: its own folder, so a preview never replaces build/."""

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


SWITCH_SECONDS = 0.0005
"""How often the interpreter may pass from the building thread to the serving one."""


@dataclass(frozen=True)
class ServeSettings:
    """How `kkrsite serve` listens."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    open_browser: bool = False
    debug: bool = False


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
        self.browsers = Browsers(options.out)
        """The open pages; the server thread's once the first build is in."""

    @property
    def clients(self) -> dict[Any, str | None]:
        """Connected browsers (their websocket handlers) → the output file each shows."""
        return self.browsers.clients

    # -- the main thread: bind, build, watch ------------------------------------------

    def run(self) -> int:
        """Serve until stopped; returns the exit code (0).

        Raises UsageError when the address cannot be bound or the first build cannot be
        made for a reason other than the content (no content folder, a foreign --out).
        """
        self._bind()
        server = threading.Thread(target=self._serve, name="kkrsite-serve", daemon=True)
        # The server thread tells the browsers and answers their requests while the main
        # thread goes on building: handing the interpreter over every 0.5 ms, not every
        # 5 ms, lets the page just saved reach the browser before the rest is built.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_SECONDS)
        stop_on_term = threading.current_thread() is threading.main_thread()
        if stop_on_term:  # `kill` stops the preview as cleanly as Ctrl-C does
            previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            self.options = replace(
                self.options, base_url=self.options.base_url or preview_base_url(*self._bound())
            )
            self._builder = self._new_builder()
            # Watching starts before the first build: a save during it is built after it.
            watch = Watch(self.options, lambda line: self.say(line, err=True))
            try:
                self.browsers.start(self._build(first=True))
            except BaseException:
                watch.close()
                raise
            server.start()
            while not self.ready.wait(0.05):
                if not server.is_alive():
                    watch.close()
                    raise UsageError(f"the preview server could not start on {self.address}")
            self._announce()
            if self.settings.open_browser:
                threading.Thread(target=webbrowser.open, args=(self.address,), daemon=True).start()
            watch.run(self._stop, lambda: self._publish(self._build()), _tidy)
        except KeyboardInterrupt:
            pass
        finally:
            sys.setswitchinterval(switch_interval)
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
        self.say("kkrsite serve: stopped (stoppet)")
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
        self.say(
            f"Serving the preview of {display_path(self.options.content, Path.cwd())}/ "
            f"({display_path(self.options.out, Path.cwd())}/{with_}) at {self.address}"
        )
        self.say("Watching content and templates for changes; press Ctrl-C to stop")
        warning = host_warning(self.settings.host)
        if warning is not None:
            self.say(warning, err=True)

    def _new_builder(self) -> Builder:
        # The page of an entry just saved is written, and its browsers told, first.
        return Builder(self.options, first=lambda pages: self._publish(Outcome(changed=pages)))

    def _build(self, first: bool = False) -> Outcome:
        """One build, counted once done (good or not)."""
        outcome = self._try_build(first)
        self.builds += 1
        return outcome

    def _try_build(self, first: bool) -> Outcome:
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
                self.say(line, err=True)
            self.say(
                f"kkrsite: {_counted(len(lines), 'problem')} found; the preview shows the "
                "last good build until a save fixes them",
                err=True,
            )
            return Outcome(problems=lines)
        except KkrsiteError as exc:
            if first:
                raise
            line = f"kkrsite: {printable(str(exc))}"
            self.say(line, err=True)
            return Outcome(problems=(line,))
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
            self.say(line, err=True)
            self._builder = self._new_builder()  # its state may be half-updated
            return Outcome(problems=(line,))
        for warning in getattr(self._builder, "warnings", ()):
            self.say(f"kkrsite: warning: {printable(warning)}", err=True)
        seconds = time.perf_counter() - started
        if first:
            shown = display_path(self.options.out, Path.cwd())
            self.say(f"Built {result.pages} pages into {shown}/ in {seconds:.2f} s")
        else:
            n = len(result.changed)
            what = "nothing changed" if n == 0 else f"{_counted(n, 'file')} changed"
            self.say(f"Built {result.pages} pages in {seconds:.2f} s: {what}")
        return Outcome(changed=result.changed)

    def say(self, line: str, err: bool = False) -> None:
        stream = self.err if err else self.out
        with contextlib.suppress(ValueError, OSError):  # a closed stream must not stop serving
            print(line, file=stream, flush=True)

    # -- the server thread -------------------------------------------------------------

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        server = httpserver.HTTPServer(application(self))
        server.add_sockets(self._sockets)
        self.ready.set()
        try:
            loop.run_forever()
        finally:
            server.stop()
            for client in list(self.browsers.clients):
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
        told = self.browsers.apply(outcome)
        if told:
            self.say(f"Reloaded {_counted(told, 'browser')}")

    def allowed(self, host_header: str) -> bool:
        return allowed_host(host_header, self.settings.host)


def _tidy() -> None:
    """Collect the last build's garbage while nobody waits, then set the survivors aside.

    A site of thousands of entries is hundreds of thousands of objects; frozen, they
    are not walked again by the collections that run during the next build (each
    would cost a fifth of a second at 4,000 entries), only here, between saves.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _counted(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' if n != 1 else ''}"


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def serve(options: Options, settings: ServeSettings) -> int:
    """Run `kkrsite serve` until Ctrl-C; returns the exit code."""
    return Preview(options, settings).run()
