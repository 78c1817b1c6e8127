"""Whether one file under files/ may be published under /filer/: its name and its content.

Everything under files/ is served from the council's own address, so a web page,
an SVG or a script there would run in a reader's browser as the council's site.
Only the kinds council editors publish are allowed (documents, spreadsheets,
text and photos), and only when the first bytes show the file is what its name
says. Files are opened without following links and read a bounded amount: the
first `HEAD_BYTES`, and for zip-based office files the zip's directory, refused
before it is parsed when it is larger than any real document's. The allow-list by
name is `kkrsite.filetypes`; what the bytes show is `kkrsite.sniff`.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

from kkrsite.filetypes import ALLOWED, THE_SITE, FileType, allowed_list, refused_by_name, suffix_of
from kkrsite.sniff import UNKNOWN, has_binary_bytes, looks_like, markup_start, open_bounded_zip

HEAD_BYTES = 8192
"""How much of a file is read to judge it (a browser's sniffer reads 1,445 bytes)."""


def refusal(
    name: str, head: bytes, open_zip: Callable[[], zipfile.ZipFile] | None = None
) -> str | None:
    """None when a file with this name and these first bytes may be published; else why not.

    `head` is the file's first `HEAD_BYTES` (all of it when shorter). `open_zip` opens the
    file as a zip; without it a zip-based office file (docx, odt, …) is refused, as its
    parts cannot be checked. The message follows the file's path: "is named .pdf but …".
    """
    suffix = suffix_of(name)
    if not suffix:
        seen = looks_like(head, open_zip) if head else None
        if seen is not None and seen.suffix is not None:
            fix = f"rename it to end in .{seen.suffix}"
        else:
            fix = f"add the suffix of its kind ({allowed_list()})"
        return f"has no suffix such as .pdf, so a browser would have to guess what it is: {fix}"
    kind = ALLOWED.get(suffix)
    if kind is None:
        return refused_by_name(suffix)
    if not head:
        return "is empty: put the real file here, or remove it"
    if kind.family == "text":
        return _text_refusal(suffix, kind, head, open_zip)
    seen = looks_like(head, open_zip)
    if seen.family == kind.family:
        return None
    if seen.suffix is not None:
        return f"is named .{suffix} but is {seen.what}: rename it to end in .{seen.suffix}"
    return f"is named .{suffix} but is {seen.what}, not {kind.what}: {kind.fix} and put that here"


def _text_refusal(
    suffix: str, kind: FileType, head: bytes, open_zip: Callable[[], zipfile.ZipFile] | None
) -> str | None:
    """Why a .txt or .csv is not plain text a browser would show as text, or None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"is text saved as UTF-16: {kind.fix}"
    markup = markup_start(head)
    if markup is not None:
        shown = markup.start.decode("ascii", "replace")
        like = "XML" if markup.xml else "a web page"
        return (
            f"is named .{suffix} but begins like {like} ('{shown}'), which a browser could run "
            f"on {THE_SITE}: remove the markup at the start, or publish it as PDF"
        )
    # Any byte but the few that mark binary data is text: UTF-8, and Windows-1252 or
    # Latin-1 too, which Excel on a Danish Windows writes as "CSV" and opens correctly.
    if has_binary_bytes(head):
        seen = looks_like(head, open_zip)
        if seen.suffix is not None:
            return f"is named .{suffix} but is {seen.what}: rename it to end in .{seen.suffix}"
        what = "binary data" if seen is UNKNOWN else seen.what
        return f"is named .{suffix} but is {what}, not text: {kind.fix} and put that here"
    return None


_LINK = "is a symbolic link: kkrsite never follows links in content; put the file itself here"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Non-blocking, so that a named pipe cannot make the build wait forever.
_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def check_file(path: Path) -> str | None:
    """None when the file at `path` may be published; else why not, for the line after its path.

    The file is opened without following a symbolic link and read a bounded amount: its
    first `HEAD_BYTES`, and for a zip its directory, up to `MAX_ZIP_DIRECTORY_BYTES`.
    """
    suffix = suffix_of(path.name)
    if suffix and suffix not in ALLOWED:
        return refusal(path.name, b"")  # refused by its name: nothing to read
    if not _NOFOLLOW and path.is_symlink():
        return _LINK  # no O_NOFOLLOW on this system: look first
    try:
        fd = os.open(path, _FLAGS)
    except OSError as error:
        return _LINK if path.is_symlink() else _unreadable(error)
    try:
        with os.fdopen(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return "is not an ordinary file: put the file itself here"
            head = file.read(HEAD_BYTES)
            return refusal(path.name, head, lambda: open_bounded_zip(file))
    except OSError as error:
        return _unreadable(error)


def _unreadable(error: OSError) -> str:
    return f"cannot be read ({error.strerror}): check that the file is there and readable"
