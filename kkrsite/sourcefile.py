"""One content file: read its bytes, decode them, split off the front matter, parse the YAML.

The parse is a function of the bytes, the kind and the suffix, so a memo of earlier
parses (kept by `kkrsite serve`) can stand in for it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kkrsite.errors import Problem
from kkrsite.safefs import MAX_TEXT_BYTES, UnsafeFile, hidden_character, nfc, read_bytes
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


def read_source(
    root: Path, path: Path, kind: str, memo: ParseMemo | None
) -> tuple[Source | None, Problem | None]:
    """The file at `path` as a `Source` of `kind`, or the problem that stops it being one."""
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
        return Source(path, rel, kind, *known), None
    source, problem = _parse_source(path, rel, kind, raw)
    if source is not None:
        memo[key] = (source.data, source.lines, source.body, source.body_line)
    return source, problem


def _parse_source(
    path: Path, rel: str, kind: str, raw: bytes
) -> tuple[Source | None, Problem | None]:
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
