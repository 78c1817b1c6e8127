"""Which kinds of file may be published under /filer/, judged by name: the allow-list.

Only the kinds council editors publish are allowed (documents, spreadsheets, text
and photos); every other suffix is refused, the common ones with what they are,
why they may not be served from the council's address, and what to do instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

THE_SITE = "the council's own address"
"""Where everything under files/ is served from, for messages."""


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
    f"would run on {THE_SITE}",
    "save the document as PDF, or write its text as a Markdown entry",
)
_PROGRAM = ("a program", f"must never be offered to readers from {THE_SITE}", "remove it")
_PROGRAMS = (
    "exe", "dll", "com", "scr", "bat", "cmd", "sh", "ps1", "msi", "msix", "apk", "jar", "app",
    "dmg", "pkg", "deb", "rpm", "php", "asp", "aspx", "jsp", "cgi", "py", "pl", "rb", "lnk",
)  # fmt: skip
_SCRIPT = ("a script", f"would run on {THE_SITE}", "remove it")
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
        ("svg", "svgz"), ("an SVG image", f"can carry script that would run on {THE_SITE}", _IMAGE)
    ),
    **dict.fromkeys(("js", "mjs", "cjs", "vbs", "wasm"), _SCRIPT),
    **dict.fromkeys(
        ("xml", "xsl", "xslt", "rss", "atom"),
        (
            "XML",
            f"a browser can run as a web page on {THE_SITE}",
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


def allowed_list() -> str:
    """The suffixes that may be published, for messages: ".pdf, .docx, …"."""
    return ", ".join(f".{s}" for s in SUFFIXES)


def refused_by_name(suffix: str) -> str:
    """Why a file whose suffix is not in `ALLOWED` may not be published."""
    if suffix not in _REFUSED:
        return (
            f"is a .{suffix} file, not a kind kkrsite publishes (only {allowed_list()}): "
            "save it as one of those, a document as PDF"
        )
    what, why, fix = _REFUSED[suffix]
    return f"is {what} (.{suffix}), which {why}: {fix}"
