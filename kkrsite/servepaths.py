"""The preview's requests: which hosts may ask, and which output file a request path names.

Nothing here follows a link or leaves the output folder; a server bound to loopback
answers only to loopback names.
"""

from __future__ import annotations

import ipaddress
import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kkrsite.outfolder import MARKER

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
