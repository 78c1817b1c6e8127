"""Reading folders that arrive by pull request: never follow a link, never read without bounds.

content/ and templates/ are input from strangers. Everything kkrsite reads from
them goes through this module: folders are listed without following symbolic
links, names that break a checkout elsewhere are refused, and files are opened
with O_NOFOLLOW and read up to a limit.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from kkrsite.errors import Problem

MAX_TEXT_BYTES = 1_000_000
"""The largest YAML or Markdown file kkrsite reads (a long set of minutes is ~100 kB)."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
"""A named pipe opened for reading would wait for a writer forever; this makes it fail."""

_WINDOWS_RESERVED = re.compile(
    r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?", re.IGNORECASE | re.DOTALL
)
_WINDOWS_FORBIDDEN = set('<>:"\\|?*')


class UnsafeFile(Exception):
    """A file that must not be read: a link, not a regular file, or too large."""


def link_problem(path: Path) -> Problem:
    """The message for a symbolic link found where content or templates are read."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return Problem(
        path,
        None,
        f"is a symbolic link (to '{target}'): kkrsite never follows links in content or "
        "templates; put the file itself here",
    )


@functools.lru_cache(maxsize=65536)  # every build asks again for each of thousands of names
def name_problem(name: str) -> str | None:
    """Why a file name cannot be used, or None: names must work on every editor's machine."""
    if _WINDOWS_RESERVED.fullmatch(name.rstrip(". ")):
        return (
            f"the name '{name}' is reserved on Windows ({name.split('.')[0].upper()}), so the "
            "repository cannot be checked out there: rename it"
        )
    if name.endswith((".", " ")):
        return f"the name '{name}' ends with a dot or a space, which Windows drops: rename it"
    bad = sorted({c for c in name if c in _WINDOWS_FORBIDDEN or ord(c) < 32 or ord(c) == 127})
    if bad:
        shown = " ".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in bad)
        return f"the name '{name}' holds characters Windows forbids ({shown}): rename it"
    return None


HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
"""Characters no text needs (TAB and LF are fine, CR is gone by now): C0 and C1 controls,
DEL, the line and paragraph separators (YAML counts them as line breaks, so every line
number after one would be wrong), the bidirectional overrides (they make text read
differently from how it is stored), lone surrogates and non-characters. They break
XML feeds, and ESC can rewrite a terminal line."""


def describe_hidden(char: str) -> str:
    """What a character HIDDEN matches is, for a message: `an invisible … (U+001B)`."""
    code = ord(char)
    if code in (0x2028, 0x2029):
        what = "an invisible line separator"
    elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        what = "an invisible text-direction mark"
    elif 0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF or code >= 0xFFFE:
        what = "a character that is not valid text"
    else:
        what = "an invisible control character"
    return f"{what} (U+{code:04X})"


def hidden_character(text: str, first_line: int = 1) -> tuple[int, str] | None:
    """The line of the first invisible character no content needs, and what to do; or None."""
    found = HIDDEN.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + first_line
    return line, f"this line holds {describe_hidden(found.group())}; delete it"


def nfc(text: str) -> str:
    """Text in Unicode NFC: an 'å' typed on a Mac (a + ring) and on Windows are the same."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Listing:
    """A folder's visible entries, none of them a link."""

    files: tuple[Path, ...]
    dirs: tuple[Path, ...]
    problems: tuple[Problem, ...]


def list_folder(folder: Path) -> Listing:
    """The folder's files and sub-folders, sorted; links, odd names and clashes as problems.

    Names starting with `.` are skipped (editor and system files). Two names that are
    the same on a case-insensitive or normalising file system (macOS, Windows) are a
    clash: only one of them would survive a checkout there.
    """
    files: list[Path] = []
    dirs: list[Path] = []
    problems: list[Problem] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        return Listing((), (), (Problem(folder, None, f"cannot be read: {exc.strerror}"),))
    same: defaultdict[str, list[Path]] = defaultdict(list)
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            problems.append(link_problem(path))
            continue
        why = name_problem(entry.name)
        if why is not None:
            problems.append(Problem(path, None, why))
            continue
        same[nfc(entry.name).casefold()].append(path)
        if entry.is_dir(follow_symlinks=False):
            dirs.append(path)
        elif entry.is_file(follow_symlinks=False):
            files.append(path)
        else:
            problems.append(
                Problem(path, None, "is not a regular file or folder (a device or pipe): remove it")
            )
    for paths in same.values():
        if len(paths) > 1:
            names = " and ".join(p.name for p in paths)
            for path in paths:
                problems.append(
                    Problem(
                        path,
                        None,
                        f"the names {names} differ only in upper/lower case or accents, and "
                        "Windows and macOS would keep only one: rename or remove one",
                    )
                )
    return Listing(tuple(files), tuple(dirs), tuple(problems))


def read_bytes(path: Path, limit: int) -> bytes:
    """The whole file, opened without following a link; UnsafeFile if it is not a plain file
    no larger than `limit` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY | _NONBLOCK)
    except OSError as exc:
        if path.is_symlink():
            raise UnsafeFile(link_problem(path).message) from None
        raise UnsafeFile(f"cannot be read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("is not a regular file: remove it")
        # Asked for `limit + 1` bytes at once, Python sets aside that much for every file.
        wanted = min(info.st_size, limit) + 1
        data = file.read(wanted)
        if len(data) == wanted:  # it grew since fstat, or is over the limit
            data += file.read(limit + 1 - len(data))
    if len(data) > limit:
        raise UnsafeFile(
            f"is larger than {limit // 1_000_000} MB, the most kkrsite reads: "
            "split it, or move large attachments out of the text"
        )
    return data


def linked_component(path: Path, base: Path) -> Path | None:
    """The first symbolic link on `path` at or below `base` (the path itself included), if any.

    Folders above `base` are the user's own choice (e.g. /tmp on macOS is a link);
    below it, a link may have come in a pull request.
    """
    absolute = Path(os.path.abspath(path))
    try:
        rel = absolute.relative_to(os.path.abspath(base))
    except ValueError:
        return absolute if absolute.is_symlink() else None
    current = Path(os.path.abspath(base))
    for part in rel.parts:
        current = current / part
        if current.is_symlink():
            return current
    return None
