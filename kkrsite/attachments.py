"""Which files under files/ may be published under /filer/: judged by name and by content.

Everything under files/ is served from the council's own address, so a web page,
an SVG or a script there would run in a reader's browser as the council's site.
Only the kinds council editors publish are allowed (documents, spreadsheets,
text and photos), and only when the first bytes show the file is what its name
says. Files are opened without following links and read a bounded amount: the
first `HEAD_BYTES`, and for zip-based office files the zip's directory, refused
before it is parsed when it is larger than any real document's.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

HEAD_BYTES = 8192
"""How much of a file is read to judge it (a browser's sniffer reads 1,445 bytes)."""

MAX_ZIP_MEMBERS = 10_000
"""More parts than any real office document has (a 500-slide deck has a few thousand)."""

MAX_ZIP_DIRECTORY_BYTES = MAX_ZIP_MEMBERS * 256
"""The largest zip directory read: 256 bytes a part (a real part takes under 150)."""

_THE_SITE = "the council's own address"


@dataclass(frozen=True)
class FileType:
    """One kind of file that may be published: what it is and how its content is recognised."""

    suffix: str
    """The usual suffix, without the dot ("jpg" for .jpeg too)."""
    what: str
    """What it is, for messages: "a PDF document"."""
    family: str
    """Content that has the same family is accepted (every picture format is one family)."""
    fix: str
    """How an editor makes a good one, for messages: "export the document as PDF again"."""
    image: bool = False


def _type(
    suffix: str, what: str, fix: str, family: str | None = None, image: bool = False
) -> FileType:
    return FileType(suffix, what, family or suffix, fix, image)


_PDF = _type("pdf", "a PDF document", "export the document as PDF again")
_TEXT = _type("txt", "plain text", "save it again as plain text (UTF-8)", family="text")
_CSV = _type("csv", "CSV data", "save it again as CSV (in Excel: 'CSV UTF-8')", family="text")
_OLE = "save it again from Microsoft Office"
_IMAGE = "save the picture again as JPEG or PNG"

ALLOWED: Mapping[str, FileType] = {
    "pdf": _PDF,
    "docx": _type("docx", "a Word document", "save it again from Word as .docx"),
    "xlsx": _type("xlsx", "an Excel workbook", "save it again from Excel as .xlsx"),
    "pptx": _type("pptx", "a PowerPoint presentation", "save it again from PowerPoint as .pptx"),
    "odt": _type("odt", "an OpenDocument text", "save it again from LibreOffice as .odt"),
    "ods": _type("ods", "an OpenDocument spreadsheet", "save it again from LibreOffice as .ods"),
    "odp": _type("odp", "an OpenDocument presentation", "save it again from LibreOffice as .odp"),
    "doc": _type("doc", "an old-format Word document", _OLE, family="ole2"),
    "xls": _type("xls", "an old-format Excel workbook", _OLE, family="ole2"),
    "ppt": _type("ppt", "an old-format PowerPoint presentation", _OLE, family="ole2"),
    "rtf": _type("rtf", "an RTF document", "save it again as RTF"),
    "csv": _CSV,
    "txt": _TEXT,
    "png": _type("png", "a PNG picture", _IMAGE, family="image", image=True),
    "jpg": _type("jpg", "a JPEG picture", _IMAGE, family="image", image=True),
    "jpeg": _type("jpg", "a JPEG picture", _IMAGE, family="image", image=True),
    "gif": _type("gif", "a GIF picture", _IMAGE, family="image", image=True),
    "webp": _type("webp", "a WebP picture", _IMAGE, family="image", image=True),
}
"""Every suffix (lower case, no dot) that may be published, and what its content must be."""

SUFFIXES: tuple[str, ...] = tuple(ALLOWED)
"""The suffixes that may be published, for docs and messages."""

IMAGE_SUFFIXES: tuple[str, ...] = tuple(s for s, t in ALLOWED.items() if t.image)
"""The suffixes of pictures (a person's `photo:` must be one)."""


def suffix_of(name: str) -> str:
    """The suffix of a file name as a web server reads it: after the last dot, lower case."""
    base = name.rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    return suffix.lower() if dot and stem else ""


def is_image(name: str) -> bool:
    """Whether a file with this name is a picture kkrsite publishes (png, jpg, gif, webp)."""
    kind = ALLOWED.get(suffix_of(name))
    return kind is not None and kind.image


# What a refused kind is, why it is refused, and what to do instead.
_WEB_PAGE = (
    "a web page",
    f"would run on {_THE_SITE}",
    "save the document as PDF, or write its text as a Markdown entry",
)
_PROGRAM = ("a program", f"must never be offered to readers from {_THE_SITE}", "remove it")
_PROGRAMS = (
    "exe", "dll", "com", "scr", "bat", "cmd", "sh", "ps1", "msi", "msix", "apk", "jar", "app",
    "dmg", "pkg", "deb", "rpm", "php", "asp", "aspx", "jsp", "cgi", "py", "pl", "rb", "lnk",
)  # fmt: skip
_SCRIPT = ("a script", f"would run on {_THE_SITE}", "remove it")
_ARCHIVE = (
    "an archive",
    "hides what is inside it",
    "add the files themselves (as PDF, office documents or pictures)",
)
_MACROS = (
    "an Office file with macros",
    "can run code on the reader's computer",
    "save it without macros as .docx, .xlsx or .pptx",
)
_OTHER_PICTURE = ("a picture", "is in a format many browsers cannot show", _IMAGE)

_REFUSED: Mapping[str, tuple[str, str, str]] = {
    **dict.fromkeys(("html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "hta"), _WEB_PAGE),
    **dict.fromkeys(
        ("svg", "svgz"), ("an SVG image", f"can carry script that would run on {_THE_SITE}", _IMAGE)
    ),
    **dict.fromkeys(("js", "mjs", "cjs", "vbs", "wasm"), _SCRIPT),
    **dict.fromkeys(
        ("xml", "xsl", "xslt", "rss", "atom"),
        (
            "XML",
            f"a browser can run as a web page on {_THE_SITE}",
            "publish the data as CSV or the document as PDF",
        ),
    ),
    "css": (
        "a stylesheet",
        "could change how the council's own pages look",
        "remove it (the site's stylesheet is part of the templates)",
    ),
    "json": (
        "data for programs",
        "is not a document for readers",
        "publish the data as CSV (the site's own data is under /data/)",
    ),
    "swf": ("a Flash file", "can run script", "publish its content as PDF or as a picture"),
    **dict.fromkeys(_PROGRAMS, _PROGRAM),
    **dict.fromkeys(
        ("zip", "rar", "7z", "tar", "gz", "tgz", "bz2", "xz", "zst", "cab", "iso"), _ARCHIVE
    ),
    **dict.fromkeys(("docm", "dotm", "xlsm", "xltm", "xlsb", "pptm", "potm", "ppsm"), _MACROS),
    **dict.fromkeys(("heic", "heif", "avif", "tif", "tiff", "bmp", "ico"), _OTHER_PICTURE),
}


def _allowed_list() -> str:
    return ", ".join(f".{s}" for s in SUFFIXES)


@dataclass(frozen=True)
class _Seen:
    """What a file's first bytes show it is."""

    what: str
    family: str | None = None
    """The family of `FileType` this content belongs to, when it is one that may be published."""
    suffix: str | None = None
    """The suffix to rename it to, when that alone would make it right."""


_UNKNOWN = _Seen("data of an unknown kind")
_ZIP = _Seen("a zip archive")

_SIGNATURES: tuple[tuple[bytes, _Seen], ...] = (
    (b"%PDF-", _Seen("a PDF document", "pdf", "pdf")),
    (b"\x89PNG\r\n\x1a\n", _Seen("a PNG picture", "image", "png")),
    (b"\xff\xd8\xff", _Seen("a JPEG picture", "image", "jpg")),
    (b"GIF87a", _Seen("a GIF picture", "image", "gif")),
    (b"GIF89a", _Seen("a GIF picture", "image", "gif")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _Seen("an old-format Office file", "ole2")),
    (b"{\\rtf", _Seen("an RTF document", "rtf", "rtf")),
    (b"MZ", _Seen("a Windows program")),
    (b"\x7fELF", _Seen("a Linux program")),
    (b"\xcf\xfa\xed\xfe", _Seen("a Mac program")),
    (b"\xce\xfa\xed\xfe", _Seen("a Mac program")),
    (b"\xca\xfe\xba\xbe", _Seen("a Mac or Java program")),
    (b"#!", _Seen("a script")),
    (b"\x1f\x8b", _Seen("a compressed archive (gzip)")),
    (b"7z\xbc\xaf\x27\x1c", _Seen("a 7-Zip archive")),
    (b"Rar!\x1a\x07", _Seen("a RAR archive")),
    (b"\xfd7zXZ\x00", _Seen("a compressed archive (xz)")),
    (b"FWS", _Seen("a Flash file")),
    (b"CWS", _Seen("a Flash file")),
    (b"ZWS", _Seen("a Flash file")),
    (b"%!PS", _Seen("a PostScript file")),
    (b"\xff\xfe", _Seen("text saved as UTF-16")),
    (b"\xfe\xff", _Seen("text saved as UTF-16")),
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


def _markup_start(head: bytes) -> bytes | None:
    """The start a browser's sniffer would take for HTML or XML, or None."""
    text = head.removeprefix(_UTF8_BOM).lstrip(_WHITESPACE)
    lower = text[:16].lower()
    for start in _HTML_STARTS:
        if lower.startswith(start) and len(text) > len(start) and text[len(start)] in _TAG_ENDS:
            return text[: len(start)]
    if lower.startswith(_XML_START):
        return text[: len(_XML_START)]
    return None


def _looks_like(head: bytes, open_zip: Callable[[], zipfile.ZipFile] | None) -> _Seen:
    """What the first bytes (and for a zip, its list of parts) show the file is."""
    if head.startswith(_ZIP_MAGIC):
        return _zip_content(open_zip) if open_zip is not None else _ZIP
    for magic, seen in _SIGNATURES:
        if head.startswith(magic):
            return seen
    if head[:4] == b"RIFF" and head[8:14] == b"WEBPVP":
        return _Seen("a WebP picture", "image", "webp")
    markup = _markup_start(head)
    if markup is not None:
        if markup.lower() == _XML_START:
            return _Seen("XML, which a browser can run as a web page")
        return _Seen("a web page (HTML)")
    if not any(b in _BINARY_BYTES for b in head):
        return _Seen("plain text", "text")
    return _UNKNOWN


_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_OOXML = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}


class TooManyMembers(zipfile.BadZipFile):
    """A zip with more parts, or a larger directory, than any real office document."""


def _zip_content(open_zip: Callable[[], zipfile.ZipFile]) -> _Seen:
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
        return _Seen(
            f"a zip archive of more than {MAX_ZIP_MEMBERS:,} parts, far more than any real document"
        )
    # zipfile raises these for damaged, encrypted or oddly compressed archives.
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError):
        return _Seen("a damaged zip archive")
    if suffix is None:
        return _ZIP
    return _Seen(ALLOWED[suffix].what, suffix, suffix)


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
        seen = _looks_like(head, open_zip) if head else None
        if seen is not None and seen.suffix is not None:
            fix = f"rename it to end in .{seen.suffix}"
        else:
            fix = f"add the suffix of its kind ({_allowed_list()})"
        return f"has no suffix such as .pdf, so a browser would have to guess what it is: {fix}"
    kind = ALLOWED.get(suffix)
    if kind is None:
        if suffix not in _REFUSED:
            return (
                f"is a .{suffix} file, not a kind kkrsite publishes (only {_allowed_list()}): "
                "save it as one of those, a document as PDF"
            )
        what, why, fix = _REFUSED[suffix]
        return f"is {what} (.{suffix}), which {why}: {fix}"
    if not head:
        return "is empty: put the real file here, or remove it"
    if kind.family == "text":
        return _text_refusal(suffix, kind, head, open_zip)
    seen = _looks_like(head, open_zip)
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
    markup = _markup_start(head)
    if markup is not None:
        shown = markup.decode("ascii", "replace")
        like = "XML" if markup.lower() == _XML_START else "a web page"
        return (
            f"is named .{suffix} but begins like {like} ('{shown}'), which a browser could run "
            f"on {_THE_SITE}: remove the markup at the start, or publish it as PDF"
        )
    # Any byte but the few that mark binary data is text: UTF-8, and Windows-1252 or
    # Latin-1 too, which Excel on a Danish Windows writes as "CSV" and opens correctly.
    if any(b in _BINARY_BYTES for b in head.removeprefix(_UTF8_BOM)):
        seen = _looks_like(head, open_zip)
        if seen.suffix is not None:
            return f"is named .{suffix} but is {seen.what}: rename it to end in .{seen.suffix}"
        what = "binary data" if seen is _UNKNOWN else seen.what
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
