"""One content file: read its bytes, decode them, split off the front matter, parse the YAML.

The parse is a function of the bytes, the kind and the suffix, so a memo of earlier
parses (kept by `kkrsite serve`) can stand in for it.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from kkrsite.errors import Problem
from kkrsite.safefs import (
    MAX_TEXT_BYTES,
    Listing,
    UnsafeFile,
    hidden_character,
    list_folder,
    nfc,
    read_bytes,
)
from kkrsite.yamlfile import KeyPath, YamlError, parse_yaml

SITE = "site"
TOPICS = "topics"
PERSON = "person"
REGION = "region"
"""What a YAML file describes, decided by where it lies; a Markdown entry's is its kind's name."""


@dataclass(frozen=True)
class Source:
    """One content file, parsed: its data, the line of every key, and its Markdown body."""

    path: Path
    """The file on disk, as found under the content folder."""
    rel: str
    """The path inside the content folder, with `/` separators."""
    kind: str
    """SITE, TOPICS, PERSON, REGION, or the `name` of an entry kind."""
    data: Any
    lines: Mapping[KeyPath, int]
    body: str = ""
    body_line: int = 1
    key: bytes = field(default=b"", compare=False, repr=False)
    """A digest of the file's bytes, kind and suffix, when read with a memo (else empty)."""

    def line(self, *keys: str | int) -> int:
        """The line of the deepest key of `keys` that has one (1 for the file)."""
        path: KeyPath = tuple(keys)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    @property
    def stem(self) -> str:
        """The file name without its suffix."""
        return Path(self.rel).stem

    @property
    def region(self) -> str:
        """For files under kkr/<region>/, the region folder's name."""
        parts = self.rel.split("/")
        return parts[1] if parts[0] == "kkr" and len(parts) > 2 else ""


ParsedFile = tuple[Any, Mapping[KeyPath, int], str, int]
"""A file's data, the line of each key, its Markdown body and the body's first line."""

ParseMemo = MutableMapping[bytes, ParsedFile]
"""Files parsed before, by a digest of their bytes and kind (kept by `kkrsite serve`)."""

Read = tuple[Source | None, Problem | None]
"""A file read as a Source, or the problem that stops it being one."""
T = TypeVar("T")


class SeenFiles:
    """What was last read from each file and folder, and how it looked on disk then.

    Kept by `kkrsite serve` and in-process rebuilds: a file whose inode, size and
    times are as they were is not opened again, and a folder whose times are as they
    were (no entry came, went or was renamed in it) is not listed again. As in git's
    index, what changed less than RACY_NS before it was read is read again next time,
    since a second write within one tick of the file system's clock leaves the times
    as they were.
    """

    RACY_NS = 100_000_000
    _FOLDER = "/"  # no kind is called that

    def __init__(self) -> None:
        self._before: dict[tuple[str, str], tuple[tuple[int, ...], Any]] = {}
        self._now: dict[tuple[str, str], tuple[tuple[int, ...], Any]] = {}

    def source(self, path: Path, kind: str, read: Callable[[], Read]) -> Read:
        """`read()` of the file at `path`, or what it gave last time if the file looks the same."""
        return self._or_make(path, kind, read, lambda found: found[0] is not None)

    def listing(self, folder: Path) -> Listing:
        """`safefs.list_folder(folder)`, or its last result if the folder looks as it did."""
        return self._or_make(folder, self._FOLDER, lambda: list_folder(folder), lambda _: True)

    def next_build(self) -> None:
        """Forget what was not read in the build that ended (removed, renamed, changed)."""
        self._before, self._now = self._now, {}

    def _or_make(
        self, path: Path, kind: str, make: Callable[[], T], worth: Callable[[T], bool]
    ) -> T:
        """What `make()` gave for `path` last time, if it looks as it did then; else `make()`,
        kept for next time if `worth` it and not made within RACY_NS of a change."""
        try:
            info = os.lstat(path)
        except OSError:
            return make()
        look = (info.st_dev, info.st_ino, info.st_mode, info.st_size, info.st_mtime_ns,
                info.st_ctime_ns)  # fmt: skip
        known = self._before.get((str(path), kind))
        if known is not None and known[0] == look:
            self._now[(str(path), kind)] = known
            made: T = known[1]
            return made
        made_at = time.time_ns()
        made = make()
        if worth(made) and max(info.st_mtime_ns, info.st_ctime_ns) < made_at - self.RACY_NS:
            self._now[(str(path), kind)] = (look, made)
        return made


def read_source(
    root: Path, path: Path, kind: str, memo: ParseMemo | None, seen: SeenFiles | None = None
) -> Read:
    """The file at `path` as a `Source` of `kind`, or the problem that stops it being one."""
    if seen is not None:
        return seen.source(path, kind, lambda: _read_source(root, path, kind, memo))
    return _read_source(root, path, kind, memo)


def _read_source(root: Path, path: Path, kind: str, memo: ParseMemo | None) -> Read:
    rel = nfc(path.relative_to(root).as_posix())
    try:
        raw = read_bytes(path, MAX_TEXT_BYTES)
    except UnsafeFile as exc:
        return None, Problem(path, None, str(exc))
    if memo is None:
        return _parse_source(path, rel, kind, raw)
    key = hashlib.blake2b(f"{kind}\0{path.suffix}\0".encode() + raw, digest_size=16).digest()
    known = memo.get(key)
    if known is not None:
        return Source(path, rel, kind, *known, key=key), None
    source, problem = _parse_source(path, rel, kind, raw)
    if source is not None:
        memo[key] = (source.data, source.lines, source.body, source.body_line)
        source = replace(source, key=key)
    return source, problem


def _parse_source(path: Path, rel: str, kind: str, raw: bytes) -> Read:
    """`raw` decoded and parsed as a `Source`, or the problem that stops it being one."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a BOM, as Windows editors write it
    markdown = path.suffix.lower() == ".md"  # the read step finds `x.MD` as well
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, Problem(
            path, line, "the file is not UTF-8 text; save it with the encoding UTF-8"
        )
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
    try:
        if markdown:
            front, front_line, body, body_line = split_front_matter(text)
            parsed = parse_yaml(front, front_line)
        else:
            body, body_line = "", 1
            parsed = parse_yaml(text)
    except YamlError as exc:
        return None, Problem(path, exc.line, exc.message)
    hidden = hidden_character(body, body_line)
    if hidden is not None:
        return None, Problem(path, *hidden)
    data = parsed.data
    if data is None and markdown:
        data = {}  # `---` `---` is a meeting with every default; required fields are checked later
    expected_list = kind == TOPICS
    if expected_list and not isinstance(data, list):
        return None, Problem(
            path,
            1,
            "topics.yaml must be a list of topics, each `- slug: …` with name and description",
        )
    if not expected_list and not isinstance(data, dict):
        what = "the front matter" if markdown else "the file"
        found = {type(None): " (it is empty)", list: " (it is a list: remove the `- `)"}
        return None, Problem(
            path,
            parsed.lines.get((), 1),
            f"{what} must be fields written as `name: value`, one a line"
            + found.get(type(data), ""),
        )
    return Source(path, rel, kind, data, parsed.lines, body, body_line), None


_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


class FrontMatterError(YamlError):
    """The `---` fences around the front matter are missing or not closed."""


def split_front_matter(text: str) -> tuple[str, int, str, int]:
    """Split a Markdown file into (front matter, its first line, body, the body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        hint = (
            "Did you forget the line `---` before the fields?"
            if re.match(r"^[A-Za-z_]+\s*:", lines[0] if lines else "")
            else "Start the file with a line `---`, then the fields (`title: …`), then `---`."
        )
        raise FrontMatterError(1, f"no front matter. {hint}")
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]):
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            return front, 2, body, index + 2
    raise FrontMatterError(
        1,
        "the front matter opened on line 1 is never closed: "
        "did you forget the line `---` after the fields?",
    )
