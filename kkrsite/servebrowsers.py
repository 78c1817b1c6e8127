"""The preview's open pages: what each browser shows and was served, and whom a build reloads.

Each browser says which page it shows (livereload's `info` message carries its URL,
`/x/` is `x/index.html`); after a build, only the browsers whose page's output file
changed are told to reload: the files the build names as changed, less those whose
bytes are still the ones browsers were served (a build may name a file it wrote
again unchanged). Everything here runs in the server thread, once the first build is in.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kkrsite.servepage import NO_SITE, add_to_page, reload_messages, reload_page
from kkrsite.servepaths import content_type, locate, output_file, read_regular
from kkrsite.urls import ASSETS_PREFIX


@dataclass(frozen=True)
class Outcome:
    """One build as the server publishes it: what changed, or the lines of what went wrong."""

    changed: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()


class Browsers:
    """The browsers of one preview and what they were served of its output folder."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.clients: dict[Any, str | None] = {}
        """Connected browsers (their websocket handlers) → the output file each shows."""
        self._problems: tuple[str, ...] = ()
        self._has_site = False
        self._generation = 0
        self._changed_in: dict[str, int] = {}
        self._served_in: dict[str, int] = {}
        self._problems_in = 0
        """The build whose problems (the overlay every page shows) are the current ones."""
        self._digests: dict[str, bytes] = {}

    def start(self, first: Outcome) -> None:
        """Start from the first build: the state served, not a change to announce."""
        self._problems, self._generation = first.problems, 1
        self._has_site = (self.out / "index.html").is_file()
        self._digest_assets()

    def apply(self, outcome: Outcome) -> int:
        """Tell the browsers whose page a build changed to reload; returns how many were told."""
        overlay_changed = outcome.problems != self._problems
        self._problems = outcome.problems
        self._has_site = (self.out / "index.html").is_file()
        self._generation += 1
        if overlay_changed:
            self._problems_in = self._generation
        changed = self._really_changed(outcome.changed)
        for rel in changed:
            self._changed_in[rel] = self._generation
        messages = reload_messages(self.clients, changed, overlay_changed, self._exists)
        for client, message in messages.items():
            client.send_message(message)
        return len(messages)

    def page(self, raw_path: str) -> tuple[int, bytes, str, str | None]:
        """Status, body, content type and redirect for a request path."""
        found = locate(self.out, raw_path)
        if found.redirect is not None:
            return 302, b"", "text/plain; charset=utf-8", found.redirect
        status, data, rel = 200, None, found.rel
        if found.file is not None:
            data = read_regular(found.file)
        if data is None or rel is None:
            status, rel = 404, "404.html"
            data = self._read(rel)
        if data is None:
            data = NO_SITE.encode()
        else:
            # What the browsers were first served of this file since the last build.
            self._digests.setdefault(rel, _digest(data))
        kind = content_type(rel)
        if kind.startswith("text/html"):
            self._served_in[output_file(raw_path) or rel] = self._generation
            data = add_to_page(data, self._problems, self._has_site)
        return status, data, kind, None

    def hello(self, client: Any, url: str) -> None:
        """A browser said which page it shows; reload it at once if that page is stale."""
        rel = output_file(url)
        self.clients[client] = rel
        if rel is None:
            return
        built = max(self._changed_in.get(rel, 0), self._problems_in)
        if built > self._served_in.get(rel, 0):
            # Built again between serving the page and this message (the page, or the
            # problems its overlay shows): it shows the old one.
            client.send_message(reload_page(rel))

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
            data = self._read(rel)
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
        folder = self.out / ASSETS_PREFIX.strip("/")
        stack = [folder] if folder.is_dir() and not folder.is_symlink() else []
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        data = read_regular(Path(entry.path))
                        rel = Path(entry.path).relative_to(self.out).as_posix()
                        if data is not None:
                            self._digests[rel] = _digest(data)

    def _read(self, rel: str) -> bytes | None:
        """The bytes of output file `rel`, found as a request for it would find them."""
        found = locate(self.out, "/" + rel).file
        return read_regular(found) if found is not None else None

    def _exists(self, rel: str) -> bool:
        return locate(self.out, "/" + rel).file is not None


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()
