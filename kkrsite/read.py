"""Step 1, read: find every content file, decode it and parse its YAML; nothing more.

This is the only step that touches the content folder. What it returns is plain
data with line numbers, which the model step checks and turns into the site.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from kkrsite.errors import Problem
from kkrsite.yamlfile import KeyPath, YamlError, parse_yaml


class Kind(Enum):
    """What a content file describes, decided by where it lies."""

    SITE = "site"
    TOPICS = "topics"
    PERSON = "person"
    REGION = "region"
    MEETING = "meeting"
    AGREEMENT = "agreement"
    COLUMN = "column"
    PUBLICATION = "publication"


@dataclass(frozen=True)
class Source:
    """One content file, parsed: its data, the line of every key, and its Markdown body."""

    path: Path
    """The file on disk, as found under the content folder."""
    rel: str
    """The path inside the content folder, with `/` separators."""
    kind: Kind
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


@dataclass(frozen=True)
class ContentTree:
    """Everything read from the content folder."""

    root: Path
    sources: tuple[Source, ...]
    attachments: Mapping[str, int] = field(default_factory=dict)
    """Files under files/, by path inside files/, with their size in bytes."""
    region_dirs: tuple[str, ...] = ()
    """The folder names under kkr/, each a region."""
    person_slugs: tuple[str, ...] = ()
    """The people known from people/<slug>.yaml, even those whose file has errors."""


_YAML = (".yaml", ".yml")
_MISSING = {
    "site": "site.yaml is missing: create it with title, base_url, description and publisher "
    "(see docs/content.md)",
    "topics": "topics.yaml is missing: create it with a list of topics, each `- slug: …` "
    "with name and description",
}
_MARKDOWN_DIRS = {
    "meetings": Kind.MEETING,
    "agreements": Kind.AGREEMENT,
}


def read_content(root: Path) -> tuple[ContentTree, list[Problem]]:
    """Read every content file under `root`; problems are collected, never raised."""
    problems: list[Problem] = []
    sources: list[Source] = []
    found: list[tuple[Path, Kind]] = []

    def want(path: Path, kind: Kind, suffixes: tuple[str, ...]) -> None:
        if path.is_dir():
            problems.append(
                Problem(path, None, "kkrsite does not read folders here: move its files up a level")
            )
        elif path.suffix.lower() in suffixes:
            found.append((path, kind))
        else:
            problems.append(
                Problem(
                    path,
                    None,
                    f"kkrsite does not read '{path.suffix or 'files without a suffix'}' here: "
                    f"name the file with {' or '.join(suffixes)}, or move it to files/",
                )
            )

    for name, kind in (("site", Kind.SITE), ("topics", Kind.TOPICS)):
        path = next((root / f"{name}{s}" for s in _YAML if (root / f"{name}{s}").is_file()), None)
        if path is None:
            problems.append(Problem(root / f"{name}.yaml", None, _MISSING[name]))
        else:
            found.append((path, kind))

    person_slugs = []
    for path in _visible(root / "people"):
        want(path, Kind.PERSON, _YAML)
        person_slugs.append(path.stem)

    region_dirs = []
    for region_dir in _visible_dirs(root / "kkr"):
        region_dirs.append(region_dir.name)
        kkr_file = next(
            (region_dir / f"kkr{s}" for s in _YAML if (region_dir / f"kkr{s}").is_file()), None
        )
        if kkr_file is None:
            problems.append(
                Problem(
                    region_dir / "kkr.yaml", None, "every region folder needs a kkr.yaml; add one"
                )
            )
        else:
            found.append((kkr_file, Kind.REGION))
        for child in _visible(region_dir):
            if child.is_dir() and child.name in _MARKDOWN_DIRS:
                for path in _visible(child):
                    want(path, _MARKDOWN_DIRS[child.name], (".md",))
            elif child != kkr_file:
                problems.append(
                    Problem(
                        child,
                        None,
                        "not part of a region: a region folder holds kkr.yaml, meetings/ "
                        "and agreements/",
                    )
                )
    for folder, kind in (("columns", Kind.COLUMN), ("publications", Kind.PUBLICATION)):
        for path in _visible(root / folder):
            want(path, kind, (".md",))

    for path, kind in found:
        source, problem = _read_source(root, path, kind)
        if problem is not None:
            problems.append(problem)
        if source is not None:
            sources.append(source)

    attachments: dict[str, int] = {}
    files_root = root / "files"
    if files_root.is_dir():
        for path in sorted(files_root.rglob("*")):
            if path.is_file() and not any(
                p.startswith(".") for p in path.relative_to(files_root).parts
            ):
                attachments[path.relative_to(files_root).as_posix()] = path.stat().st_size

    tree = ContentTree(
        root=root,
        sources=tuple(sources),
        attachments=attachments,
        region_dirs=tuple(region_dirs),
        person_slugs=tuple(person_slugs),
    )
    return tree, problems


def _visible(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _visible_dirs(folder: Path) -> list[Path]:
    return [p for p in _visible(folder) if p.is_dir()]


def _read_source(root: Path, path: Path, kind: Kind) -> tuple[Source | None, Problem | None]:
    rel = path.relative_to(root).as_posix()
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):  # a BOM, as Windows editors write it
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, Problem(
            path, line, "the file is not UTF-8 text; save it with the encoding UTF-8"
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        if path.suffix == ".md":
            front, front_line, body, body_line = split_front_matter(text)
            parsed = parse_yaml(front, front_line)
        else:
            body, body_line = "", 1
            parsed = parse_yaml(text)
    except YamlError as exc:
        return None, Problem(path, exc.line, exc.message)
    data = parsed.data
    if data is None and path.suffix == ".md":
        data = {}  # `---` `---` is a meeting with every default; required fields are checked later
    expected_list = kind is Kind.TOPICS
    if expected_list and not isinstance(data, list):
        return None, Problem(
            path,
            1,
            "topics.yaml must be a list of topics, each `- slug: …` with name and description",
        )
    if not expected_list and not isinstance(data, dict):
        what = "the front matter" if path.suffix == ".md" else "the file"
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
