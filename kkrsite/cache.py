"""The build cache: what the last build wrote into an output folder, kept across runs.

`.kkrsite-cache/<output folder name>.sqlite`, beside the output folder, records for
each output file the digest of everything it was made from (its key) and how the
file looked on disk when it was written. The next build renders a file again only
when its key changed or the file on disk is no longer the one written.

The cache is never trusted blindly: a pull request could commit a cache and an
output folder of its own making. So a cache counts only for the very output folder
this machine's last build finished, known by its marker file's inode and change
time, which no commit can carry; anything else, and any cache that cannot be read,
is discarded (with a warning if it could not be read) and the build starts clean.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sqlite3
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kkrsite.sourcefile import ParsedFile
from kkrsite.yamlfile import KeyPath

FORMAT = 4
"""The layout of the cache file; a cache of another format is discarded."""

FOLDER = ".kkrsite-cache"


@dataclass(frozen=True)
class Written:
    """One output file as the last build left it: its key and its look on disk."""

    key: str
    """The digest of its inputs (hex); for a copied file, of the source's look on disk."""
    stat: tuple[int, int, int]
    """(size, mtime_ns, inode) of the file written: another file there is not this one."""
    files: tuple[str, ...] = ()
    """For a page: the attachments under files/ its bodies link to (published with it)."""


@dataclass(frozen=True)
class State:
    """What a finished build left in its output folder."""

    salt: str
    """The digest of kkrsite's code, its libraries and the build's options."""
    marker: tuple[int, int, int]
    """(device, inode, ctime_ns) of the output folder's marker when the build finished."""
    outputs: Mapping[str, Written]
    inputs: str = ""
    """A digest of how every content and template file looked (names, sizes, times, inodes)
    and of the build date: when it is the same, nothing can have changed."""
    counts: tuple[int, int, int] = (0, 0, 0)
    """Pages, generated files and copied files of that build, for its summary line."""


def cache_file(out: Path) -> Path:
    """Where the cache of output folder `out` lives: beside it."""
    return out.parent / FOLDER / f"{out.name}.sqlite"


def file_stat(path: Path) -> tuple[int, int, int] | None:
    """(size, mtime_ns, inode) of a regular file, not following links; None if there is none."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):  # lstat: a link is a link, not its target
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def marker_stat(path: Path) -> tuple[int, int, int] | None:
    """(device, inode, ctime_ns) of a marker file: no copy or commit can reproduce them."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_ctime_ns)


def load_state(
    out: Path, salt: str, marker: tuple[int, int, int] | None
) -> tuple[State | None, str | None]:
    """The state the last build recorded for `out`, if it may be trusted; else why not.

    Returns (state, warning): a cache that is missing, or made by other code or
    options, or for another build of the folder, is quietly not used; one that
    cannot be read gives a warning to print.
    """
    path = cache_file(out)
    if marker is None or os.path.islink(path.parent) or os.path.islink(path):
        return None, None  # never read through a link
    if not os.path.isfile(path):
        return None, None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
            if meta.get("format") != str(FORMAT) or meta.get("salt") != salt:
                return None, None
            if meta.get("marker") != json.dumps(list(marker)):
                return None, None
            inputs, counts = str(meta.get("inputs", "")), json.loads(meta.get("counts", "[0,0,0]"))
            outputs = {}
            for rel, key, size, mtime, inode, files in db.execute(
                "SELECT path, key, size, mtime_ns, inode, files FROM outputs"
            ):
                linked = tuple(json.loads(files)) if files else ()
                if not all(isinstance(f, str) for f in linked):
                    raise ValueError("a list of linked files holds something else")
                outputs[str(rel)] = Written(str(key), (int(size), int(mtime), int(inode)), linked)
    except (sqlite3.Error, ValueError, TypeError) as exc:
        return None, (
            f"the build cache '{path}' could not be read ({exc}); it is ignored and the site "
            "is built from scratch"
        )
    pages, others, files = (int(n) for n in counts)
    return State(salt, marker, outputs, inputs, (pages, others, files)), None


def save_state(
    out: Path,
    state: State,
    parsed: Mapping[bytes, ParsedFile],
    known: Iterable[bytes],
    held: Mapping[str, Written] | None,
) -> str | None:
    """Record what this build left in `out`, and the parsed files it used.

    `known` are the parsed files the cache held when this build trusted it (none, if
    it did not: then the cache is written anew), and `held` the output files it holds
    now, if known (then only those that differ are written). The file is updated in
    one transaction. Returns a warning when the cache cannot be written (the build
    stands).
    """
    path = cache_file(out)
    if os.path.islink(path.parent) or (path.parent.exists() and not path.parent.is_dir()):
        return (
            f"'{path.parent}' is not a folder kkrsite may write its build cache in; no cache kept"
        )
    try:
        _write_state(path, state, parsed, set(known), held)
    except (OSError, sqlite3.Error) as exc:
        forget(out)
        return f"could not write the build cache '{path}' ({exc}); the next build starts clean"
    return None


def _write_state(
    path: Path,
    state: State,
    parsed: Mapping[bytes, ParsedFile],
    known: set[bytes],
    held: Mapping[str, Written] | None,
) -> None:
    path.parent.mkdir(exist_ok=True)
    _ignore_in_git(path.parent)
    if not known or os.path.islink(path):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # nothing in it was trusted: start anew
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        # A cache need not survive a power cut (a damaged one is discarded): no fsync.
        db.execute("PRAGMA synchronous = OFF")
        db.execute("BEGIN")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, key TEXT, "
            "size INTEGER, mtime_ns INTEGER, inode INTEGER, files TEXT)"
        )
        db.execute(
            "CREATE TABLE IF NOT EXISTS parsed "
            "(key BLOB PRIMARY KEY, data TEXT, body TEXT, body_line INTEGER)"
        )
        db.execute("DELETE FROM meta")
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("format", str(FORMAT)),
                ("salt", state.salt),
                ("marker", json.dumps(list(state.marker))),
                ("inputs", state.inputs),
                ("counts", json.dumps(list(state.counts))),
            ],
        )
        if not known or held is None:
            db.execute("DELETE FROM outputs")
            held = {}
        db.executemany(
            "DELETE FROM outputs WHERE path = ?", ((rel,) for rel in held.keys() - state.outputs)
        )
        changed = {rel: w for rel, w in state.outputs.items() if held.get(rel) != w}
        db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?)", _rows(changed))
        # Only the difference: a one-file edit rewrites one row, not every body.
        db.executemany("DELETE FROM parsed WHERE key = ?", ((k,) for k in known - parsed.keys()))
        # A body goes in as UTF-8 bytes: given as text, sqlite3 would leave a UTF-8 copy of
        # every body attached to it (CPython caches it on the string) for the whole build.
        rows = (
            (key, json.dumps([_encode(data), _encode_lines(lines)]), body.encode(), line)
            for key, (data, lines, body, line) in sorted(parsed.items())
            if key not in known
        )
        # executemany holds every row it is given until it returns: give it a few at a time.
        while chunk := list(itertools.islice(rows, 256)):
            db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?, ?)", chunk)
        db.execute("COMMIT")


def _encode_lines(lines: Mapping[KeyPath, int]) -> list[Any]:
    return [[[_encode(p) for p in path], n] for path, n in lines.items()]


def load_parsed(out: Path) -> dict[bytes, ParsedFile]:
    """The parsed content files the cache of `out` keeps; call only when `load_state`
    trusted it. A row that cannot be read is left out (that file is parsed again)."""
    found: dict[bytes, ParsedFile] = {}
    try:
        with contextlib.closing(sqlite3.connect(f"file:{cache_file(out)}?mode=ro", uri=True)) as db:
            for key, value, body, body_line in db.execute(
                "SELECT key, data, body, body_line FROM parsed"
            ):
                with contextlib.suppress(ValueError, TypeError, KeyError, RecursionError):
                    data, lines = json.loads(value)
                    path_lines = {tuple(_decode(p) for p in path): int(n) for path, n in lines}
                    text = bytes(body).decode()
                    found[bytes(key)] = (_decode(data), path_lines, text, int(body_line))
    except sqlite3.Error:
        return {}
    return found


def _encode(value: Any) -> Any:
    """A parsed YAML value as JSON, every type kept: text, true/false and whole numbers as
    they are; the rest tagged (mappings keep the type and order of their keys)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, list):
        return {"l": [_encode(item) for item in value]}
    if isinstance(value, dict):
        return {"m": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"a parsed value of type {type(value).__name__}")


def _decode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, dict) and len(value) == 1:
        tag, inner = next(iter(value.items()))
        if tag == "f":
            return float(inner)
        if tag == "l":
            return [_decode(item) for item in inner]
        if tag == "m":
            return {_decode(k): _decode(v) for k, v in inner}
    raise ValueError("not a parsed value")


def forget(out: Path) -> None:
    """Remove the cache of `out` (before a build that does not use it)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(cache_file(out))


def _rows(outputs: Mapping[str, Written]) -> Iterable[tuple[str, str, int, int, int, str]]:
    for rel, written in sorted(outputs.items()):
        size, mtime, inode = written.stat
        files = json.dumps(list(written.files)) if written.files else ""
        yield rel, written.key, size, mtime, inode, files


def _ignore_in_git(folder: Path) -> None:
    """A .gitignore inside the cache folder keeps it out of commits, whatever the project's says."""
    ignore = folder / ".gitignore"
    if not os.path.lexists(ignore):
        ignore.write_text("*\n", encoding="utf-8")
