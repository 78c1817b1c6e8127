"""What a file's first bytes show it is: magic numbers, office zip containers, WHATWG sniffing.

A zip's directory is read through `open_bounded_zip`, refused before it is parsed
when it is larger than any real document's.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple

from kkrsite.filetypes import ALLOWED

MAX_ZIP_MEMBERS = 10_000
"""More parts than any real office document has (a 500-slide deck has a few thousand)."""

MAX_ZIP_DIRECTORY_BYTES = MAX_ZIP_MEMBERS * 256
"""The largest zip directory read: 256 bytes a part (a real part takes under 150)."""


@dataclass(frozen=True)
class Seen:
    """What a file's first bytes show it is."""

    what: str
    family: str | None = None
    """The family of `FileType` this content belongs to, when it is one that may be published."""
    suffix: str | None = None
    """The suffix to rename it to, when that alone would make it right."""


UNKNOWN = Seen("data of an unknown kind")
_ZIP = Seen("a zip archive")

_SIGNATURES: tuple[tuple[bytes, Seen], ...] = (
    (b"%PDF-", Seen("a PDF document", "pdf", "pdf")),
    (b"\x89PNG\r\n\x1a\n", Seen("a PNG picture", "image", "png")),
    (b"\xff\xd8\xff", Seen("a JPEG picture", "image", "jpg")),
    (b"GIF87a", Seen("a GIF picture", "image", "gif")),
    (b"GIF89a", Seen("a GIF picture", "image", "gif")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Seen("an old-format Office file", "ole2")),
    (b"{\\rtf", Seen("an RTF document", "rtf", "rtf")),
    (b"MZ", Seen("a Windows program")),
    (b"\x7fELF", Seen("a Linux program")),
    (b"\xcf\xfa\xed\xfe", Seen("a Mac program")),
    (b"\xce\xfa\xed\xfe", Seen("a Mac program")),
    (b"\xca\xfe\xba\xbe", Seen("a Mac or Java program")),
    (b"#!", Seen("a script")),
    (b"\x1f\x8b", Seen("a compressed archive (gzip)")),
    (b"7z\xbc\xaf\x27\x1c", Seen("a 7-Zip archive")),
    (b"Rar!\x1a\x07", Seen("a RAR archive")),
    (b"\xfd7zXZ\x00", Seen("a compressed archive (xz)")),
    (b"FWS", Seen("a Flash file")),
    (b"CWS", Seen("a Flash file")),
    (b"ZWS", Seen("a Flash file")),
    (b"%!PS", Seen("a PostScript file")),
    (b"\xff\xfe", Seen("text saved as UTF-16")),
    (b"\xfe\xff", Seen("text saved as UTF-16")),
)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_UTF8_BOM = b"\xef\xbb\xbf"

# WHATWG MIME Sniffing, "identifying a resource with an unknown MIME type": a
# resource that starts (after whitespace) with one of these is taken for HTML,
# when followed by a tag-terminating byte, or (the last) for XML.
_WHITESPACE = b"\t\n\x0c\r "
_HTML_STARTS = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div",
    b"<font", b"<table", b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p",
    b"<!--",
)  # fmt: skip
# The standard ends a tag with a space or ">"; other whitespace and "/" are refused too,
# as some older browsers read them so.
_TAG_ENDS = frozenset(b" >\t\n\x0c\r/")
_XML_START = b"<?xml"
# WHATWG "binary data bytes": a resource with one of these is not text.
_BINARY_BYTES = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])


class Markup(NamedTuple):
    """The start of a file that a browser's sniffer would take for HTML or XML."""

    start: bytes
    xml: bool


def markup_start(head: bytes) -> Markup | None:
    """The start a browser's sniffer would take for HTML or XML, or None."""
    text = head.removeprefix(_UTF8_BOM).lstrip(_WHITESPACE)
    lower = text[:16].lower()
    for start in _HTML_STARTS:
        if lower.startswith(start) and len(text) > len(start) and text[len(start)] in _TAG_ENDS:
            return Markup(text[: len(start)], xml=False)
    if lower.startswith(_XML_START):
        return Markup(text[: len(_XML_START)], xml=True)
    return None


def has_binary_bytes(head: bytes) -> bool:
    """Whether `head` holds a byte that marks binary data, so that it is not text."""
    return any(b in _BINARY_BYTES for b in head)


def looks_like(head: bytes, open_zip: Callable[[], zipfile.ZipFile] | None) -> Seen:
    """What the first bytes (and for a zip, its list of parts) show the file is."""
    if head.startswith(_ZIP_MAGIC):
        return _zip_content(open_zip) if open_zip is not None else _ZIP
    for magic, seen in _SIGNATURES:
        if head.startswith(magic):
            return seen
    if head[:4] == b"RIFF" and head[8:14] == b"WEBPVP":
        return Seen("a WebP picture", "image", "webp")
    markup = markup_start(head)
    if markup is not None:
        if markup.xml:
            return Seen("XML, which a browser can run as a web page")
        return Seen("a web page (HTML)")
    if not has_binary_bytes(head):
        return Seen("plain text", "text")
    return UNKNOWN


_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_OOXML = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}


class TooManyMembers(zipfile.BadZipFile):
    """A zip with more parts, or a larger directory, than any real office document."""


def _zip_content(open_zip: Callable[[], zipfile.ZipFile]) -> Seen:
    """Which office format a zip is, from its list of parts; or that it is damaged."""
    try:
        with open_zip() as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise TooManyMembers
            names = [m.filename for m in members]
            if names and names[0] == "mimetype":
                with archive.open(members[0]) as part:
                    mimetype = part.read(100).strip()
                suffix = _ODF.get(mimetype)
            elif "[content_types].xml" in {n.lower() for n in names}:
                suffix = next(
                    (s for p, s in _OOXML.items() if any(n.lower().startswith(p) for n in names)),
                    None,
                )
            else:
                suffix = None
    except TooManyMembers:
        return Seen(
            f"a zip archive of more than {MAX_ZIP_MEMBERS:,} parts, far more than any real document"
        )
    # zipfile raises these for damaged, encrypted or oddly compressed archives.
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError):
        return Seen("a damaged zip archive")
    if suffix is None:
        return _ZIP
    return Seen(ALLOWED[suffix].what, suffix, suffix)


def open_bounded_zip(file: BinaryIO) -> zipfile.ZipFile:
    """`file` as a zip, raising `TooManyMembers` rather than reading a directory too large.

    zipfile reads a zip's whole directory in one read before anyone can count its parts;
    here no single read may be longer than `MAX_ZIP_DIRECTORY_BYTES`.
    """
    file.seek(0)
    return zipfile.ZipFile(_BoundedReads(file, MAX_ZIP_DIRECTORY_BYTES))


class _BoundedReads(io.RawIOBase):
    """A file whose every read is at most `limit` bytes, or raises `TooManyMembers`."""

    def __init__(self, file: BinaryIO, limit: int) -> None:
        super().__init__()
        self._file = file
        self._limit = limit

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET, /) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0 or size > self._limit:
            here = self._file.tell()
            left = self._file.seek(0, os.SEEK_END) - here
            self._file.seek(here)
            if min(left, size if size is not None and size >= 0 else left) > self._limit:
                raise TooManyMembers(f"a read of more than {self._limit} bytes")
        return self._file.read(-1 if size is None else size)
