"""Step 2, model: what one assembly built, for the next one to reuse (kept by `kkrsite serve`).

An entity is a function of its file and of the context it is checked in: the shared
entities (settings, topics, people, regions), the names of people, regions and
attachments that references may use, and the build's options. So when the context
is the same as last time, the shared entities are taken over as they were, and an
entry whose file has the same bytes at the same place is the same object as last
time, with the same problems. Keeping the objects, not copies, matters twice: the
indexes compare regions by identity, and the digests of kkrsite/digest.py are
remembered by identity, so a page of unchanged entries is keyed without walking them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kkrsite.config import Options
from kkrsite.digest import digest
from kkrsite.errors import Problem
from kkrsite.model.entities import Entry
from kkrsite.model.shared import Person, Region, SiteConfig, Topic
from kkrsite.read import ContentTree
from kkrsite.sourcefile import PERSON, REGION, SITE, TOPICS, Source

SHARED_KINDS = frozenset((SITE, TOPICS, PERSON, REGION))
"""The files every entry may depend on: a change to one of them builds everything again."""

EntryKey = tuple[str, str, str, bytes]
"""An entry file's kind, path on disk, path in the content folder and digest of its bytes."""


@dataclass(frozen=True)
class Shared:
    """The shared entities one assembly built, and the problems found building them."""

    config: SiteConfig | None
    topics: dict[str, Topic]
    people: dict[str, Person]
    regions: dict[str, Region]
    topic_slugs: set[str] | None
    problems: tuple[Problem, ...]


@dataclass
class ModelMemo:
    """The last assembly's context, shared entities and entries, by what they were built from."""

    context: bytes = b""
    shared: Shared | None = None
    entries: dict[EntryKey, tuple[Entry | None, tuple[Problem, ...]]] = field(default_factory=dict)
    fresh: list[Entry] | None = None
    """The entries the last assembly built anew from changed files; None if the context
    changed (then every entry was built anew)."""

    def start(self, tree: ContentTree, options: Options) -> Shared | None:
        """Begin an assembly: the shared entities to reuse, or None (then all is built anew)."""
        context = context_key(tree, options)
        self.fresh = []
        if context != self.context:
            self.context, self.shared, self.entries, self.fresh = context, None, {}, None
        return self.shared


def entry_key(source: Source) -> EntryKey | None:
    """What an entry is built from besides the context; None if its bytes are unknown."""
    if not source.key:
        return None
    return (source.kind, str(source.path), source.rel, source.key)


def context_key(tree: ContentTree, options: Options) -> bytes:
    """A digest of everything an entry's build may read besides its own file."""
    shared = tuple(
        (s.kind, str(s.path), s.rel, s.key or digest((s.data, s.lines)))
        for s in tree.sources
        if s.kind in SHARED_KINDS
    )
    attachments = tuple((rel, str(a.path), a.size) for rel, a in tree.attachments.items())
    return digest(
        (
            options,
            str(tree.root),
            shared,
            attachments,
            tuple(sorted(tree.refused)),
            tree.region_dirs,
            tree.person_slugs,
        )
    )
