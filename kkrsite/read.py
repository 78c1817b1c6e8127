"""Step 1, read: find every content file by where it lies, and parse each; nothing more.

This is the only step that touches the content folder. What it returns is plain
data with line numbers, which the model step checks and turns into the site; one
file is decoded and parsed by `kkrsite.sourcefile`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kkrsite.attachments import check_file
from kkrsite.errors import Problem
from kkrsite.kinds import EntryKind
from kkrsite.safefs import Listing, link_problem, linked_component, list_folder, nfc
from kkrsite.sourcefile import (
    PERSON,
    REGION,
    SITE,
    TOPICS,
    ParseMemo,
    SeenFiles,
    Source,
    read_source,
)


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


def read_content(
    root: Path,
    kinds: Sequence[EntryKind],
    memo: ParseMemo | None = None,
    seen: SeenFiles | None = None,
) -> tuple[ContentTree, list[Problem]]:
    """Read every content file under `root`; problems are collected, never raised.

    With a `memo`, a file whose bytes were parsed before is not parsed again (the
    parse is a function of the bytes, the kind and the suffix); with `seen`, a file
    that looks on disk as it did when last read is not even opened, nor a folder
    listed again whose entries did not change.

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
        if folder.is_symlink():
            problems.append(link_problem(folder))
            return Listing((), (), ())
        if not folder.is_dir():
            return Listing((), (), ())
        listed = seen.listing(folder) if seen is not None else list_folder(folder)
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
        the_one = _the_one(named, Problem(root / f"{name}.yaml", None, _MISSING[name]), problems)
        if the_one is not None:
            found.append((the_one, kind))

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
        missing = Problem(
            region_dir / "kkr.yaml", None, "every region folder needs a kkr.yaml; add one"
        )
        kkr_file = _the_one(kkr_files, missing, problems)
        if kkr_file is not None:
            found.append((kkr_file, REGION))
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
        source, problem = read_source(root, path, kind, memo, seen)
        if problem is not None:
            problems.append(problem)
        if source is not None:
            sources.append(source)

    if seen is not None:
        seen.next_build()
    attachments, refused = _judge_attachments(root / "files", attachment_files, problems)
    tree = ContentTree(
        root=root,
        sources=tuple(sources),
        attachments=attachments,
        refused=refused,
        region_dirs=tuple(region_dirs),
        person_slugs=tuple(person_slugs),
    )
    return tree, problems


def _judge_attachments(
    files: Path, paths: list[Path], problems: list[Problem]
) -> tuple[dict[str, Attachment], frozenset[str]]:
    """The files under `files` that may be published, and those refused (each reported)."""
    attachments: dict[str, Attachment] = {}
    refused: set[str] = set()
    for path in sorted(paths):
        rel = nfc(path.relative_to(files).as_posix())
        size = path.lstat().st_size
        why = attachment_refusal(path, size)
        if why is not None:
            problems.append(Problem(path, None, why))
            refused.add(rel)
        else:
            attachments[rel] = Attachment(path, size)
    return dict(sorted(attachments.items())), frozenset(refused)


def attachment_refusal(path: Path, size: int) -> str | None:
    """Why a file under files/ may not be published, or None: its type, content and size."""
    if size > MAX_ATTACHMENT_BYTES:
        return (
            f"is larger than {MAX_ATTACHMENT_BYTES // 1_000_000} MB: publish a smaller "
            "version, or link to the document elsewhere with `url:`"
        )
    return check_file(path)


def _the_one(named: list[Path], missing: Problem, problems: list[Problem]) -> Path | None:
    """The one file of `named`; else None, reporting `missing` or the files that clash."""
    if not named:
        problems.append(missing)
    elif len(named) > 1:
        _same_stem(named, problems)
    else:
        return named[0]
    return None


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
