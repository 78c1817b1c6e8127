"""Step 1, read: find every content file, decode it and parse its YAML; nothing more.

This is the only step that touches the content folder. What it returns is plain
data with line numbers, which the model step checks and turns into the site.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kkrsite.attachments import check_file
from kkrsite.errors import Problem
from kkrsite.kinds import EntryKind
from kkrsite.safefs import (
    MAX_TEXT_BYTES,
    Listing,
    UnsafeFile,
    hidden_character,
    link_problem,
    linked_component,
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
class Attachment:
    """A file under files/ that may be published: where it lies and its size in bytes."""

    path: Path
    size: int


@dataclass(frozen=True)
class ContentTree:
    """Everything read from the content folder."""

    root: Path
    sources: tuple[Source, ...]
    attachments: Mapping[str, Attachment] = field(default_factory=dict)
    """Publishable files under files/, by their path inside files/ (NFC)."""
    refused: frozenset[str] = frozenset()
    """Files under files/ that may not be published (each is reported)."""
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
MAX_CONTENT_FILES = 50_000
"""The most files (YAML, Markdown, attachments) read: time and memory grow with them."""
MAX_REGIONS = 20
"""Region folders: each has its own pages and feeds, and every all-region entry is in each."""
MAX_ATTACHMENT_BYTES = 100_000_000
"""The largest attachment published: a long annual report as PDF is ~20 MB."""


ParsedFile = tuple[Any, Mapping[KeyPath, int], str, int]
"""A file's data, the line of each key, its Markdown body and the body's first line."""

ParseMemo = MutableMapping[bytes, ParsedFile]
"""Files parsed before, by a digest of their bytes and kind (kept by `kkrsite serve`)."""


def read_content(
    root: Path, kinds: Sequence[EntryKind], memo: ParseMemo | None = None
) -> tuple[ContentTree, list[Problem]]:
    """Read every content file under `root`; problems are collected, never raised.

    With a `memo`, a file whose bytes were parsed before is not parsed again (the
    parse is a function of the bytes, the kind and the suffix).

    Markdown entries are found where their `kinds` say: `kkr/<region>/<folder>/` for a
    kind that belongs to a region, `<folder>/` for the others.

    No symbolic link is followed anywhere under `root`, and neither `root` nor a folder on
    the way to it from the working folder may be one.
    """
    link = linked_component(root, Path.cwd())
    if link is not None:
        return ContentTree(root, ()), [link_problem(link)]
    problems: list[Problem] = []
    sources: list[Source] = []
    found: list[tuple[Path, str]] = []
    in_region = {k.folder: k.name for k in kinds if k.in_region}

    def listing(folder: Path) -> Listing:
        if not folder.is_dir() or folder.is_symlink():
            if folder.is_symlink():
                problems.append(link_problem(folder))
            return Listing((), (), ())
        listed = list_folder(folder)
        problems.extend(listed.problems)
        return listed

    def want(listed: Listing, kind: str, suffixes: tuple[str, ...]) -> list[Path]:
        for path in listed.dirs:
            problems.append(
                Problem(path, None, "kkrsite does not read folders here: move its files up a level")
            )
        wanted = []
        for path in listed.files:
            if path.suffix.lower() in suffixes:
                found.append((path, kind))
                wanted.append(path)
            else:
                problems.append(
                    Problem(
                        path,
                        None,
                        f"kkrsite does not read '{path.suffix or 'files without a suffix'}' here: "
                        f"name the file with {' or '.join(suffixes)}, or move it to files/",
                    )
                )
        _same_stem(wanted, problems)
        return wanted

    top = listing(root)
    for name, kind in (("site", SITE), ("topics", TOPICS)):
        named = [p for p in top.files if p.stem.lower() == name and p.suffix.lower() in _YAML]
        if not named:
            problems.append(Problem(root / f"{name}.yaml", None, _MISSING[name]))
        elif len(named) > 1:
            _same_stem(named, problems)
        else:
            found.append((named[0], kind))

    person_slugs = [nfc(path.stem) for path in want(listing(root / "people"), PERSON, _YAML)]

    region_dirs = []
    regions = listing(root / "kkr").dirs
    if len(regions) > MAX_REGIONS:
        problems.append(
            Problem(
                root / "kkr",
                None,
                f"holds {len(regions)} region folders; kkrsite builds at most {MAX_REGIONS} "
                "(Denmark has five KKR): remove the surplus",
            )
        )
        regions = ()
    for region_dir in regions:
        region_dirs.append(nfc(region_dir.name))
        region = listing(region_dir)
        kkr_files = [p for p in region.files if p.stem == "kkr" and p.suffix.lower() in _YAML]
        if not kkr_files:
            problems.append(
                Problem(
                    region_dir / "kkr.yaml", None, "every region folder needs a kkr.yaml; add one"
                )
            )
        elif len(kkr_files) > 1:
            _same_stem(kkr_files, problems)
        else:
            found.append((kkr_files[0], REGION))
        for child in region.dirs:
            if child.name in in_region:
                want(listing(child), in_region[child.name], (".md",))
        strays = [p for p in region.files if p not in kkr_files]
        strays += [p for p in region.dirs if p.name not in in_region]
        holds = ["kkr.yaml", *(f"{folder}/" for folder in in_region)]
        for child in strays:
            problems.append(
                Problem(
                    child,
                    None,
                    "not part of a region: a region folder holds "
                    f"{', '.join(holds[:-1])} and {holds[-1]}",
                )
            )
    for entry_kind in kinds:
        if not entry_kind.in_region:
            want(listing(root / entry_kind.folder), entry_kind.name, (".md",))

    attachment_files: list[Path] = []
    pending = [root / "files"]
    while pending and len(attachment_files) <= MAX_CONTENT_FILES:
        listed = listing(pending.pop())
        pending.extend(listed.dirs)
        attachment_files.extend(listed.files)
    if len(found) + len(attachment_files) > MAX_CONTENT_FILES:
        problems.append(
            Problem(
                root,
                None,
                f"holds more than {MAX_CONTENT_FILES:,} files; kkrsite builds at most that many "
                "(twenty years of five councils is a few thousand)",
            )
        )
        found, attachment_files = [], []
    for path, kind in found:
        source, problem = _read_source(root, path, kind, memo)
        if problem is not None:
            problems.append(problem)
        if source is not None:
            sources.append(source)

    attachments: dict[str, Attachment] = {}
    refused: set[str] = set()
    for path in sorted(attachment_files):
        rel = nfc(path.relative_to(root / "files").as_posix())
        size = path.lstat().st_size
        why = attachment_refusal(path, size)
        if why is not None:
            problems.append(Problem(path, None, why))
            refused.add(rel)
        else:
            attachments[rel] = Attachment(path, size)

    tree = ContentTree(
        root=root,
        sources=tuple(sources),
        attachments=dict(sorted(attachments.items())),
        refused=frozenset(refused),
        region_dirs=tuple(region_dirs),
        person_slugs=tuple(person_slugs),
    )
    return tree, problems


def attachment_refusal(path: Path, size: int) -> str | None:
    """Why a file under files/ may not be published, or None: its type, content and size."""
    if size > MAX_ATTACHMENT_BYTES:
        return (
            f"is larger than {MAX_ATTACHMENT_BYTES // 1_000_000} MB: publish a smaller "
            "version, or link to the document elsewhere with `url:`"
        )
    return check_file(path)


def _same_stem(paths: list[Path], problems: list[Problem]) -> None:
    """`x.yml` beside `x.yaml` (or `X.md` beside `x.md`): one would silently replace the other."""
    stems: dict[str, list[Path]] = {}
    for path in paths:
        stems.setdefault(nfc(path.stem).casefold(), []).append(path)
    for group in stems.values():
        if len(group) > 1:
            names = " and ".join(p.name for p in group)
            problems.extend(
                Problem(p, None, f"{names} describe the same thing: keep one of them")
                for p in group
            )


def _read_source(
    root: Path, path: Path, kind: str, memo: ParseMemo | None
) -> tuple[Source | None, Problem | None]:
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
    if raw.startswith(b"\xef\xbb\xbf"):  # a BOM, as Windows editors write it
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, Problem(
            path, line, "the file is not UTF-8 text; save it with the encoding UTF-8"
        )
    text = nfc(text.replace("\r\n", "\n").replace("\r", "\n"))
    try:
        if path.suffix == ".md":
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
    if data is None and path.suffix == ".md":
        data = {}  # `---` `---` is a meeting with every default; required fields are checked later
    expected_list = kind == TOPICS
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


STATIC_SUFFIXES: tuple[str, ...] = (".css", ".js", ".mjs", ".svg", ".png", ".jpg", ".jpeg")
STATIC_SUFFIXES += (".gif", ".webp", ".ico", ".woff", ".woff2", ".json", ".txt", ".map")
"""What a template folder's static/ may publish under /assets/: never a page of its own."""


def read_templates(folders: list[Path]) -> tuple[dict[str, Path], list[Problem]]:
    """Check the template folders (no links, no odd names) and find their static assets.

    Returns the assets by path under static/, the first folder's file winning, so a
    site's own templates/ overrides the built-in ones file by file.
    """
    assets: dict[str, Path] = {}
    problems: list[Problem] = []
    for folder in folders:
        link = linked_component(folder, Path.cwd())
        if link is not None:
            problems.append(link_problem(link))
            continue
        pending = [folder]
        while pending:
            listed = list_folder(pending.pop())
            problems.extend(listed.problems)
            pending.extend(d for d in listed.dirs if d.name != "__pycache__")
            for path in listed.files:
                parts = path.relative_to(folder).parts
                if parts[0] != "static":
                    continue
                rel = nfc("/".join(parts[1:]))
                if path.suffix.lower() not in STATIC_SUFFIXES:
                    problems.append(
                        Problem(
                            path,
                            None,
                            f"static/ publishes only {', '.join(STATIC_SUFFIXES)} files: "
                            f"'{path.suffix or path.name}' is not one of them",
                        )
                    )
                else:
                    assets.setdefault(rel, path)
    return dict(sorted(assets.items())), problems
