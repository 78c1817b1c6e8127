"""Step 5, write: put the whole site in place at once, or not at all, and destroy nothing else.

The site is written into a staging folder beside the output folder and swapped
in with two renames once every file is written, so a failed build leaves the
previous build exactly as it was and a reader never sees half a site.

The output folder is only ever replaced when it is missing, empty, or a folder
kkrsite built, known by its marker file; never through a symbolic link. A lock
beside it keeps two builds from writing it at once, and each build first
finishes what a killed build left behind: it puts a complete site back in place
if the output folder is missing, and removes its own stale staging folders.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import secrets
import shutil
import stat
import string
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
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

_FILE_MODE = 0o644
_FOLDER_MODE = 0o755
_NOFOLLOW: int = getattr(os, "O_NOFOLLOW", 0)
_BINARY: int = getattr(os, "O_BINARY", 0)
_CLOEXEC: int = getattr(os, "O_CLOEXEC", 0)
_SUFFIX_LENGTH = 8
_SUFFIX_CHARS = frozenset(string.ascii_lowercase + string.digits + "_")

_State = Literal["empty", "complete", "updating", "incomplete", "foreign"]

_REASONS: dict[int, str] = {
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied (the folder is read-only or belongs to someone else)",
    errno.EPERM: "permission denied (the folder is read-only or belongs to someone else)",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENAMETOOLONG: "a name in the path is too long",
    errno.ELOOP: "the path goes through a symbolic link",
    errno.EMFILE: "too many files are open",
    errno.EIO: "the disk reported an input/output error",
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = "the disk quota is used up"


def check_output(out: Path, content: Path, templates: Path | None) -> None:
    """Refuse an output folder that is, contains or lies inside the content or templates
    folder, or that contains the current folder; reads nothing but the paths."""
    places = {_absolute(out), out.resolve()}
    _refuse_current_folder(out, places)
    for folder, what in ((content, "content"), (templates, "templates")):
        if folder is None:
            continue
        for place in places:
            for other in (_absolute(folder), folder.resolve()):
                if place.is_relative_to(other) or other.is_relative_to(place):
                    raise UsageError(
                        f"the output folder '{out}' overlaps the {what} folder '{folder}' (it "
                        "is, contains or lies inside it) and building would replace it: "
                        "choose another --out"
                    )
    if out.exists() and not out.is_dir():
        raise UsageError(f"'{out}' is a file, not a folder: choose another --out")


def write_site(out: Path, pages: Mapping[str, bytes], copies: Iterable[tuple[Path, str]]) -> int:
    """Write `pages` (path → bytes) and `copies` (source, path) as `out`; returns the file count.

    Raises UsageError, naming the folder and the reason, when `out` may not be
    replaced or cannot be written; `out` is then left exactly as it was.
    """
    with staged_site(out) as staging:
        for rel, data in sorted(pages.items()):
            staging.write(rel, data)
        for source, rel in copies:
            staging.copy(source, rel)
        staging.publish()
        return staging.count


class Staging:
    """A new site being written in a folder beside the output folder, file by file.

    Files may be written from forked worker processes too: each write makes the
    folders it needs. `publish()` swaps the folder in as the output folder.
    """

    def __init__(self, folder: Path, target: Path) -> None:
        self.folder = folder
        self.target = target
        self.count = 0
        self.published = False
        self._made: set[Path] = {folder}

    def write(self, rel: str, data: bytes) -> None:
        """Write one file of the site."""
        _write_file(_place(self.folder, rel, self._made), data)
        self.count += 1

    def copy(self, source: Path, rel: str) -> None:
        """Copy one attachment or asset into the site."""
        _copy_file(source, _place(self.folder, rel, self._made))
        self.count += 1

    def publish(self) -> None:
        """Put the new site in place of the output folder, in one step for readers."""
        _swap(self.folder, self.target)
        self.published = True


@contextlib.contextmanager
def staged_site(out: Path) -> Iterator[Staging]:
    """A staging folder for a new site of `out`, under the output's lock.

    Unless `publish()` was called when the block ends, the staging folder is removed
    and `out` is left exactly as it was. OSErrors become a UsageError naming the
    folder and the reason.
    """
    # One absolute spelling, never resolved: the folders checked are the folders written.
    target = _absolute(out)
    try:
        _refuse_current_folder(out, {target, target.resolve()})
        _refuse_unsafe_path(target, out)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target, out):
            _finish_interrupted(target)
            _refuse_foreign(target, out)
            staging = Staging(_new_folder(target, "new"), target)
            _write_file(staging.folder / MARKER, INCOMPLETE)
            try:
                yield staging
            finally:
                if not staging.published:
                    with contextlib.suppress(OSError):
                        _remove_tree(staging.folder)
    except OSError as exc:
        raise UsageError(
            f"could not write the site to '{out}': {_reason(exc)}; '{out}' was left as it was"
        ) from None


def update_site(
    out: Path,
    pages: Mapping[str, bytes],
    copies: Iterable[tuple[Path, str]],
    removed: Iterable[str],
) -> bool:
    """Update a finished build in place: write `pages` and `copies`, remove `removed`.

    Returns False, writing nothing, when `out` is not a finished build (then the
    caller builds the whole site). Every new file is first written beside its place;
    only when all are written are they renamed into place (which needs no space), so
    a full disk leaves `out` as it was. While files are renamed the marker says so:
    after a kill there, the next build rebuilds the folder whole.
    """
    target = _absolute(out)
    try:
        _refuse_unsafe_path(target, out)
        with _locked(target, out):
            _finish_interrupted(target)
            if not os.path.isdir(target) or _state(target) != "complete":
                return False
            made: set[Path] = {target}
            existing = set(made)
            ready: list[tuple[Path, Path]] = []
            try:
                for rel, data in sorted(pages.items()):
                    path = _place(target, rel, made)
                    ready.append((_beside(path, functools.partial(_write_file, data=data)), path))
                for source, rel in copies:
                    path = _place(target, rel, made)
                    ready.append((_beside(path, functools.partial(_copy_file, source)), path))
            except BaseException:
                for temporary, _ in ready:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary)
                for folder in sorted(made - existing, key=lambda p: len(p.parts), reverse=True):
                    with contextlib.suppress(OSError):
                        os.rmdir(folder)
                raise
            _set_marker(target, UPDATING)
            for temporary, path in ready:
                os.replace(temporary, path)
            for rel in sorted(removed):
                _remove_file(target, rel)
            _set_marker(target, COMPLETE)
    except OSError as exc:
        raise UsageError(
            f"could not update the site in '{out}': {_reason(exc)}; '{out}' was left as it was "
            "or, if it was half-way, the next build rebuilds it"
        ) from None
    return True


def _beside(path: Path, write: Callable[[Path], None]) -> Path:
    """Write a new file beside `path` (to be renamed into its place); returns its path."""
    temporary = path.with_name(f".{path.name}.kkrsite-new")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    write(temporary)
    return temporary


def _remove_file(target: Path, rel: str) -> None:
    """Remove one file of the site, and the folders it leaves empty."""
    path = _place(target, rel, {target, *target.joinpath(*rel.split("/")).parents})
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    for folder in path.parents:
        if folder == target or not folder.is_relative_to(target):
            break
        try:
            os.rmdir(folder)
        except OSError:
            break  # not empty


# --- what may be replaced ------------------------------------------------------------


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _shown(path: Path) -> str:
    """A path as a user reads it: relative to the current folder when inside it."""
    cwd = Path.cwd()
    if path != cwd and path.is_relative_to(cwd):
        return path.relative_to(cwd).as_posix()
    return str(path)


def _refuse_current_folder(out: Path, places: Iterable[Path]) -> None:
    cwd = Path.cwd()
    if any(cwd.is_relative_to(place) for place in places):
        raise UsageError(
            f"the output folder '{out}' is or contains the current folder, and building "
            "would replace the folder you are working in: choose another --out, e.g. build"
        )


def _refuse_unsafe_path(target: Path, out: Path) -> None:
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
                    f"'{_shown(place)}' is a symbolic link (to '{os.readlink(place)}'): kkrsite "
                    f"never writes through a link; remove the link, or choose another --out "
                    f"than '{out}'"
                )
            info = os.stat(place)
        if not stat.S_ISDIR(info.st_mode):
            raise UsageError(f"'{_shown(place)}' is a file, not a folder: choose another --out")


def _refuse_foreign(target: Path, out: Path) -> None:
    """Refuse to replace a folder kkrsite did not build, unless it is empty."""
    if not os.path.lexists(target):
        return
    _refuse_unsafe_path(target, out)
    # The output folder itself is only ever a finished build: a marker that is empty or
    # half-written (a `touch`, a text cut short) does not make a folder kkrsite's.
    if _state(target) not in ("complete", "updating", "empty"):
        raise UsageError(
            f"'{out}' is not a folder kkrsite built (it has no {MARKER} and is not empty): "
            "choose another --out, or empty it first"
        )


def _state(folder: Path) -> _State:
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


# --- the lock -------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(target: Path, out: Path) -> Iterator[None]:
    """Hold `.{name}.lock` beside the output for the build; removed again on release.

    The operating system releases the lock when the process dies, so a killed build
    never blocks the next one; the file it leaves is taken over and removed.
    """
    path = target.parent / f".{target.name}.lock"
    busy = UsageError(f"another kkrsite build is writing '{out}' right now; wait for it to finish")
    for _attempt in range(10):
        if os.path.islink(path):
            raise UsageError(
                f"'{_shown(path)}' is a symbolic link (to '{os.readlink(path)}'): kkrsite "
                "never writes through a link; remove it"
            )
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _CLOEXEC, _FILE_MODE)
        try:
            if not _try_lock(fd):
                raise busy
            # A build that finished just now removed the file we opened: lock the new one.
            with contextlib.suppress(FileNotFoundError):
                if os.path.samestat(os.fstat(fd), os.lstat(path)):
                    break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    else:
        raise busy
    try:
        yield
    finally:
        _unlock(fd, path)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int, path: Path) -> None:
        # Windows removes no open file: unlock and close first.
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int, path: Path) -> None:
        # Removed while still held, so no other build can lock this file once it is gone.
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


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


def _finish_interrupted(target: Path) -> None:
    """Put a complete site back if the output folder is missing; remove stale staging folders.

    Only folders that carry the marker, or are empty, are touched: a folder with a
    staging name but no marker is somebody else's and stays.
    """
    found: list[tuple[Literal["new", "old"], Path, _State]] = []
    with os.scandir(target.parent) as entries:
        for entry in entries:
            kind = _staging_kind(target.name, entry.name)
            if kind is not None and entry.is_dir(follow_symlinks=False):
                found.append((kind, Path(entry.path), _state(Path(entry.path))))
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
            _remove_tree(path)


def _remove_tree(folder: Path) -> None:
    """Remove a folder kkrsite wrote so that a kill at any point leaves it recognisable.

    The marker is first emptied, which marks the folder incomplete (a half-removed site
    is never put back) and needs no space on a full disk; it is removed last (a folder
    without it would never be removed by a later build).
    """
    with contextlib.suppress(FileNotFoundError):
        fd = os.open(folder / MARKER, os.O_WRONLY | _NOFOLLOW | _BINARY)
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


# --- writing and swapping -----------------------------------------------------------


def _new_folder(target: Path, kind: Literal["new", "old"]) -> Path:
    """A new, empty folder beside the output; only its name when `kind` is "old"."""
    while True:
        path = target.parent / f".{target.name}.{kind}-{secrets.token_hex(_SUFFIX_LENGTH // 2)}"
        if kind == "old":
            if not os.path.lexists(path):
                return path
            continue
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, _FOLDER_MODE)
            os.chmod(path, _FOLDER_MODE)  # the umask may have taken bits away
            return path


def _place(staging: Path, rel: str, made: set[Path]) -> Path:
    """The path of `rel` inside the staging folder, its folders made (0755)."""
    parts = rel.split("/")
    if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
        raise UsageError(f"refusing to write '{rel}': the path leaves the output folder")
    if rel == MARKER:
        raise UsageError(f"refusing to write '{rel}': the name is kkrsite's own marker file")
    target = staging.joinpath(*parts)
    for folder in reversed(target.parents):
        if folder in made or not folder.is_relative_to(staging):
            continue
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, _FOLDER_MODE)
            os.chmod(folder, _FOLDER_MODE)
        made.add(folder)
    return target


def _write_file(path: Path, data: bytes) -> None:
    """Write one published file, readable by everyone whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _BINARY, _FILE_MODE)
    with open(fd, "wb") as file:
        file.write(data)
    os.chmod(path, _FILE_MODE)


def _copy_file(source: Path, path: Path) -> None:
    """Copy an attachment or asset; a source that cannot be read is named as such."""
    try:
        reader = open(source, "rb")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise UsageError(
            f"could not read '{_shown(_absolute(source))}': {_reason(exc)}; "
            "the previous build was left as it was"
        ) from None
    with reader:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _BINARY, _FILE_MODE)
        with open(fd, "wb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
    os.chmod(path, _FILE_MODE)


def _set_marker(folder: Path, text: bytes) -> None:
    """Replace the marker in one step, so a kill leaves the old text or the new, never neither."""
    temporary = folder / f"{MARKER}.tmp"
    _write_file(temporary, text)
    os.replace(temporary, folder / MARKER)


def _swap(staging: Path, target: Path) -> None:
    """Mark the staging folder complete, then replace `target` with it by two renames.

    A kill between the renames leaves no `target`; the next build puts the complete
    staging folder in its place (see _finish_interrupted).
    """
    _set_marker(staging, COMPLETE)
    if not os.path.lexists(target):
        os.rename(staging, target)
        return
    retired = _new_folder(target, "old")
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    # The new site is in place; what cannot be removed now, the next build removes.
    with contextlib.suppress(OSError):
        _remove_tree(retired)


def _reason(exc: OSError) -> str:
    """An OSError in plain words."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return (exc.strerror or str(exc)).lower()
