"""What kkrsite may do to the output folder: refuse what it must not replace, and recover.

The output folder is only ever replaced when it is missing, empty, or a folder
kkrsite built, known by its marker file; never through a symbolic link. A build
first finishes what a killed build left behind: it puts a complete site back in
place if the output folder is missing, and removes its own stale staging folders.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from kkrsite.errors import UsageError

MARKER = ".kkrsite-build"
"""The file in every build that says kkrsite wrote the folder and may replace it."""

COMPLETE = b"This folder is written by kkrsite and replaced whole by each build.\n"
"""The marker of a finished build: fixed, so two builds of the same content are identical."""

INCOMPLETE = b"kkrsite has not finished writing or removing this folder.\n"
"""The marker while a staging folder is written, and while a retired build is removed."""

UPDATING = b"kkrsite is updating this folder in place; if this stays, the next build rebuilds it.\n"
"""The marker while a finished build is updated file by file (an incremental build)."""

_MARKER_TEXTS = (COMPLETE, INCOMPLETE, UPDATING)
"""Every marker text kkrsite has written: keep old texts here so older builds stay known."""

FOLDER_MODE = 0o755
NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
BINARY: int = getattr(os, "O_BINARY", 0)
_SUFFIX_LENGTH = 8
_SUFFIX_CHARS = frozenset(string.ascii_lowercase + string.digits + "_")

_State = Literal["empty", "complete", "updating", "incomplete", "foreign"]


# --- what may be replaced ------------------------------------------------------------


def check_output(out: Path, content: Path, templates: Path | None) -> None:
    """Refuse an output folder that is, contains or lies inside the content or templates
    folder, or that contains the current folder; reads nothing but the paths."""
    places = {absolute(out), out.resolve()}
    refuse_current_folder(out, places)
    for folder, what in ((content, "content"), (templates, "templates")):
        if folder is None:
            continue
        for place in places:
            for other in (absolute(folder), folder.resolve()):
                if place.is_relative_to(other) or other.is_relative_to(place):
                    raise UsageError(
                        f"the output folder '{out}' overlaps the {what} folder '{folder}' (it "
                        "is, contains or lies inside it) and building would replace it: "
                        "choose another --out"
                    )
    if out.exists() and not out.is_dir():
        raise UsageError(f"'{out}' is a file, not a folder: choose another --out")


def absolute(path: Path) -> Path:
    """`path` made absolute, without resolving links."""
    return Path(os.path.abspath(path))


def shown(path: Path) -> str:
    """A path as a user reads it: relative to the current folder when inside it."""
    cwd = Path.cwd()
    if path != cwd and path.is_relative_to(cwd):
        return path.relative_to(cwd).as_posix()
    return str(path)


def refuse_current_folder(out: Path, places: Iterable[Path]) -> None:
    cwd = Path.cwd()
    if any(cwd.is_relative_to(place) for place in places):
        raise UsageError(
            f"the output folder '{out}' is or contains the current folder, and building "
            "would replace the folder you are working in: choose another --out, e.g. build"
        )


def refuse_unsafe_path(target: Path, out: Path) -> None:
    """Refuse a link as the output folder or on its path inside the current folder, or a file
    where a folder must be.

    Folders above the current folder are the user's own choice (e.g. /tmp on macOS is
    a link); inside it, a link may have come in a pull request.
    """
    cwd = Path.cwd()
    for place in (*reversed(target.parents), target):
        try:
            info = os.lstat(place)
        except FileNotFoundError:
            return  # the rest of the path is made by this build
        if stat.S_ISLNK(info.st_mode):
            if place == target or (place != cwd and place.is_relative_to(cwd)):
                raise UsageError(
                    f"'{shown(place)}' is a symbolic link (to '{os.readlink(place)}'): kkrsite "
                    f"never writes through a link; remove the link, or choose another --out "
                    f"than '{out}'"
                )
            info = os.stat(place)
        if not stat.S_ISDIR(info.st_mode):
            raise UsageError(f"'{shown(place)}' is a file, not a folder: choose another --out")


def refuse_foreign(target: Path, out: Path) -> None:
    """Refuse to replace a folder kkrsite did not build, unless it is empty."""
    if not os.path.lexists(target):
        return
    refuse_unsafe_path(target, out)
    # The output folder itself is only ever a finished build: a marker that is empty or
    # half-written (a `touch`, a text cut short) does not make a folder kkrsite's.
    if folder_state(target) not in ("complete", "updating", "empty"):
        raise UsageError(
            f"'{out}' is not a folder kkrsite built (it has no {MARKER} and is not empty): "
            "choose another --out, or empty it first"
        )


def folder_state(folder: Path) -> _State:
    """What a folder is to kkrsite, judged by its marker, never by its name."""
    marker = folder / MARKER
    with contextlib.suppress(FileNotFoundError):
        info = os.lstat(marker)
        if stat.S_ISREG(info.st_mode) and info.st_size <= max(map(len, _MARKER_TEXTS)):
            text = marker.read_bytes()
            if text == COMPLETE:
                return "complete"
            if text == UPDATING:
                return "updating"
            # A kill while the marker was written leaves the start of a known text.
            if any(known.startswith(text) for known in _MARKER_TEXTS):
                return "incomplete"
    with os.scandir(folder) as entries:
        return "foreign" if any(True for _ in entries) else "empty"


# --- what a killed build left behind ------------------------------------------------


def _staging_kind(name: str, entry: str) -> Literal["new", "old"] | None:
    """Whether `entry` is a staging (`new`) or retired (`old`) folder of the output `name`."""
    for kind in ("new", "old"):
        prefix = f".{name}.{kind}-"
        suffix = entry.removeprefix(prefix)
        if (
            entry.startswith(prefix)
            and len(suffix) == _SUFFIX_LENGTH
            and set(suffix) <= _SUFFIX_CHARS
        ):
            return "new" if kind == "new" else "old"
    return None


def new_folder(target: Path, kind: Literal["new", "old"]) -> Path:
    """A new, empty folder beside the output; only its name when `kind` is "old"."""
    while True:
        path = target.parent / f".{target.name}.{kind}-{secrets.token_hex(_SUFFIX_LENGTH // 2)}"
        if kind == "old":
            if not os.path.lexists(path):
                return path
            continue
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, FOLDER_MODE)
            os.chmod(path, FOLDER_MODE)  # the umask may have taken bits away
            return path


def finish_interrupted(target: Path) -> None:
    """Put a complete site back if the output folder is missing; remove stale staging folders.

    Only folders that carry the marker, or are empty, are touched: a folder with a
    staging name but no marker is somebody else's and stays.
    """
    found: list[tuple[Literal["new", "old"], Path, _State]] = []
    with os.scandir(target.parent) as entries:
        for entry in entries:
            kind = _staging_kind(target.name, entry.name)
            if kind is not None and entry.is_dir(follow_symlinks=False):
                found.append((kind, Path(entry.path), folder_state(Path(entry.path))))
    if not os.path.lexists(target):
        # A kill between the two renames leaves both: the new site was being published.
        complete = sorted(
            ((kind == "new", (path / MARKER).stat().st_mtime_ns, path.name), path)
            for kind, path, state in found
            if state == "complete"
        )
        if complete:
            recovered = complete[-1][1]
            os.rename(recovered, target)
            found = [f for f in found if f[1] != recovered]
    for _kind, path, state in found:
        if state != "foreign":
            remove_tree(path)


def remove_tree(folder: Path) -> None:
    """Remove a folder kkrsite wrote so that a kill at any point leaves it recognisable.

    The marker is first emptied, which marks the folder incomplete (a half-removed site
    is never put back) and needs no space on a full disk; it is removed last (a folder
    without it would never be removed by a later build).
    """
    with contextlib.suppress(FileNotFoundError):
        fd = os.open(folder / MARKER, os.O_WRONLY | NOFOLLOW | BINARY)
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)
    with os.scandir(folder) as entries:
        children = [entry for entry in entries if entry.name != MARKER]
    for entry in children:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(folder / MARKER)
    os.rmdir(folder)
