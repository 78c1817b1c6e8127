"""Step 5, write: put the whole site in place at once, or not at all, under the output's lock.

The site is written into a staging folder beside the output folder and swapped
in with two renames once every file is written, so a failed build leaves the
previous build exactly as it was and a reader never sees half a site; or a
finished build is updated in place, every new file written beside its place and
then renamed in. A lock beside the output folder keeps two builds from writing
it at once. What may be replaced, and the recovery after a killed build, are in
kkrsite/outfolder.py.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from kkrsite.errors import UsageError
from kkrsite.outfolder import (
    BINARY,
    COMPLETE,
    FOLDER_MODE,
    INCOMPLETE,
    MARKER,
    NOFOLLOW,
    UPDATING,
    absolute,
    finish_interrupted,
    folder_state,
    new_folder,
    refuse_current_folder,
    refuse_foreign,
    refuse_unsafe_path,
    remove_tree,
    shown,
)

_FILE_MODE = 0o644
_CLOEXEC: int = getattr(os, "O_CLOEXEC", 0)

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
    target = absolute(out)
    try:
        refuse_current_folder(out, {target, target.resolve()})
        refuse_unsafe_path(target, out)
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target, out):
            finish_interrupted(target)
            refuse_foreign(target, out)
            staging = Staging(new_folder(target, "new"), target)
            _write_file(staging.folder / MARKER, INCOMPLETE)
            try:
                yield staging
            finally:
                if not staging.published:
                    with contextlib.suppress(OSError):
                        remove_tree(staging.folder)
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
    target = absolute(out)
    try:
        refuse_unsafe_path(target, out)
        with _locked(target, out):
            finish_interrupted(target)
            if not os.path.isdir(target) or folder_state(target) != "complete":
                return False
            made: set[Path] = {target}
            existing = set(made)
            ready: list[tuple[Path, Path]] = []
            writes: list[tuple[str, Callable[[Path], None]]] = [
                (rel, functools.partial(_write_file, data=data))
                for rel, data in sorted(pages.items())
            ]
            writes += [(rel, functools.partial(_copy_file, source)) for source, rel in copies]
            try:
                for rel, write in writes:
                    path = _place(target, rel, made)
                    ready.append((_beside(path, write), path))
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
                f"'{shown(path)}' is a symbolic link (to '{os.readlink(path)}'): kkrsite "
                "never writes through a link; remove it"
            )
        fd = os.open(path, os.O_RDWR | os.O_CREAT | NOFOLLOW | _CLOEXEC, _FILE_MODE)
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


# --- writing and swapping -----------------------------------------------------------


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
            os.mkdir(folder, FOLDER_MODE)
            os.chmod(folder, FOLDER_MODE)
        made.add(folder)
    return target


def _create(path: Path) -> BinaryIO:
    """Open a published file for writing, never through a link."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NOFOLLOW | BINARY, _FILE_MODE)
    return open(fd, "wb")


def _write_file(path: Path, data: bytes) -> None:
    """Write one published file, readable by everyone whatever the umask."""
    with _create(path) as file:
        file.write(data)
    os.chmod(path, _FILE_MODE)


def _copy_file(source: Path, path: Path) -> None:
    """Copy an attachment or asset; a source that cannot be read is named as such."""
    try:
        reader = open(source, "rb")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise UsageError(
            f"could not read '{shown(absolute(source))}': {_reason(exc)}; "
            "the previous build was left as it was"
        ) from None
    with reader, _create(path) as writer:
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
    staging folder in its place (see finish_interrupted).
    """
    _set_marker(staging, COMPLETE)
    if not os.path.lexists(target):
        os.rename(staging, target)
        return
    retired = new_folder(target, "old")
    os.rename(target, retired)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired, target)
        raise
    # The new site is in place; what cannot be removed now, the next build removes.
    with contextlib.suppress(OSError):
        remove_tree(retired)


def _reason(exc: OSError) -> str:
    """An OSError in plain words."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return (exc.strerror or str(exc)).lower()
