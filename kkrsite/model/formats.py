"""The written forms content uses, as plain checks on text: slugs, dates, years and addresses.

These know nothing of records or files; the field types (`values.py`), the
assembly of entries and the command line's `--base-url` all use them.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from kkrsite.slugs import slugify

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""A slug, matched whole (`fullmatch`): `$` would let a trailing newline through."""
MAX_SLUG = 80
"""The longest slug: it is a folder name in the built site, and a URL people type."""


def suggest_slug(text: str) -> str:
    """A valid slug made from `text`, cut at a hyphen to at most MAX_SLUG characters."""
    slug = slugify(text)
    if len(slug) > MAX_SLUG:
        slug = slug[: MAX_SLUG + 1].rsplit("-", 1)[0][:MAX_SLUG]
    return slug


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot be used in a URL, or None."""
    if not SLUG_RE.fullmatch(slug):
        return "use only lower-case a-z, digits and hyphens"
    if len(slug) > MAX_SLUG:
        return f"it is {len(slug)} characters long; use at most {MAX_SLUG}"
    return None


DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)

YEARS = range(1900, 2200)
"""The years a date or period may name: enough for any council, and safe for every writer
(calendars and open data compute with the years around a date)."""
YEARS_HINT = f"use a year from {YEARS.start} to {YEARS.stop - 1}"


def parse_date(text: str) -> dt.date | None:
    """`2011-08-29` as a date; None when it is not one (e.g. 2011-02-30) or not in YEARS."""
    match = DATE_RE.fullmatch(text)
    if match is None or int(match[1]) not in YEARS:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


EMAIL_RE = re.compile(r"[^@\s\"'<>]+@[^@\s\"'<>]+\.[a-zA-Z]{2,}")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.ASCII)
_BASE_PATH = re.compile(r"(/(?!\.\.?(/|$))[A-Za-z0-9._~-]*)*/?", re.ASCII)
"""A plain path: letters, digits and `-._~` between slashes, no `.` or `..` segment."""
_LOOPBACK = frozenset(("localhost", "127.0.0.1", "::1"))


def url_problem(text: str, base: bool = False) -> str | None:
    """Why `text` cannot be used as a link (or, with `base`, as the site's base_url), or None.

    A link is http(s) with a real host name, or mailto:. The base_url is stricter:
    https, no user name or password, no query or fragment, a plain path; plain http
    only for the local machine (a preview on localhost).
    """
    # Every whitespace character but " " is unprintable (Unicode categories C and Z).
    if " " in text or not text.isprintable():
        return "it holds a space or an invisible character"
    if not base and text.startswith("mailto:"):
        return None if EMAIL_RE.fullmatch(text.removeprefix("mailto:")) else "not an e-mail link"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return f"it cannot be read as an address ({exc})"
    host = parts.hostname or ""
    secure = parts.scheme == "https" or (parts.scheme == "http" and (host in _LOOPBACK or not base))
    if not secure:
        return "it must start with https://"
    if not host:
        return "it has no host name after https://"
    if parts.username is not None or parts.password is not None:
        return "it must not hold a user name or password"
    if port is not None and not 0 < port < 65536:
        return f"the port {port} does not exist"
    if ":" not in host and not _valid_host(host):
        return f"'{host}' is not a valid host name"
    if base and (parts.query or parts.fragment or "?" in text or "#" in text):
        return "it must not have a ? query or # fragment"
    if base and not _BASE_PATH.fullmatch(parts.path):
        return (
            "its path may hold only letters a-z, digits, '-', '_', '.', '~' and '/', "
            "and no '.' or '..' folder"
        )
    return None


def _valid_host(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(ascii_host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)
