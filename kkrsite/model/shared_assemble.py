"""Step 2, model: the shared files (site.yaml, topics.yaml, people/, kkr.yaml) into entities.

The `Builder` holds what one assembly has found so far, and the problems; the
entries are built on it afterwards by `assemble.py`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TypeVar

from kkrsite.config import Options
from kkrsite.errors import Problem
from kkrsite.model import shared_schema
from kkrsite.model.fields import Checker, Record
from kkrsite.model.formats import slug_problem, suggest_slug
from kkrsite.model.shared import (
    Appointment,
    Origin,
    Person,
    Region,
    Secretariat,
    SiteConfig,
    Term,
    Topic,
)
from kkrsite.model.shared_schema import MAX_TOPICS
from kkrsite.read import ContentTree
from kkrsite.sourcefile import PERSON, REGION, SITE, TOPICS, Source

T = TypeVar("T")


@dataclass
class Builder:
    """One assembly: the content read, the options, the problems and the entities so far."""

    tree: ContentTree
    options: Options
    problems: list[Problem] = field(default_factory=list)
    topics: dict[str, Topic] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    topic_slugs: set[str] | None = None
    """Topic slugs in topics.yaml; None while it is missing or unreadable (then not checked)."""

    def checker(self, source: Source) -> Checker:
        return Checker(
            source,
            self.problems,
            people=self.tree.person_slugs,
            topics=self.topic_slugs,
            regions=self.tree.region_dirs,
            attachments=self.tree.attachments,
            refused=self.tree.refused,
            files_root=self.tree.root / "files",
        )

    def check(self, source: Source, record: Record[T]) -> T | None:
        return record.clean(source.data, source.stem, self.checker(source))

    def of_kind(self, kind: str) -> list[Source]:
        return [s for s in self.tree.sources if s.kind == kind]

    def origin(self, source: Source, *keys: str | int) -> Origin:
        return Origin(source.path, source.rel, source.line(*keys))

    def report(self, source: Source, line: int | None, message: str) -> None:
        self.problems.append(Problem(source.path, line, message))


def build_shared(b: Builder) -> SiteConfig | None:
    """The site's settings, topics, people and regions, into `b`; the settings returned."""
    config = _site_config(b)
    _topics(b)
    _people(b)
    _regions(b)
    return config


def _site_config(b: Builder) -> SiteConfig | None:
    sources = b.of_kind(SITE)
    if not sources:
        return None
    clean = b.check(sources[0], shared_schema.SITE)
    if clean is None:
        return None
    base_url = b.options.base_url or clean["base_url"]
    return SiteConfig(
        title=clean["title"],
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        language=clean["language"] or "da",
        description=clean["description"],
        publisher=clean["publisher"],
        accessibility_statement=clean["accessibility_statement"],
        contact=Secretariat(**clean["contact"]) if clean["contact"] else None,
    )


def _topics(b: Builder) -> None:
    for source in b.of_kind(TOPICS):
        if len(source.data) > MAX_TOPICS:
            b.report(
                source,
                1,
                f"topics.yaml lists {len(source.data)} topics; at most {MAX_TOPICS} are "
                "allowed (each has its own page and feed): merge related ones",
            )
            b.topic_slugs = None  # uses of topics are not checked against a list refused whole
            return
        # Known slugs first, so one bad topic does not make every use of a good one an error.
        b.topic_slugs = {
            t["slug"] for t in source.data if isinstance(t, dict) and isinstance(t.get("slug"), str)
        }
        checker = b.checker(source)
        for index, raw in enumerate(source.data):
            clean = shared_schema.TOPIC.clean(raw, "topic", checker, (index,))
            if clean is None:
                continue
            if clean["slug"] in b.topics:
                first = b.topics[clean["slug"]].origin.line
                b.report(
                    source,
                    source.line(index),
                    f"the topic '{clean['slug']}' is listed twice "
                    f"(first on line {first}); keep one",
                )
                continue
            b.topics[clean["slug"]] = Topic(
                clean["slug"], clean["name"], clean["description"] or "", b.origin(source, index)
            )


def _file_slug(b: Builder, source: Source, name: str, what: str) -> bool:
    why = slug_problem(name)
    if why is None:
        return True
    short = suggest_slug(name)
    b.report(
        source,
        None,
        f"the {what} name '{name}' is not a valid slug: rename it to '{short}' "
        + ("(lower-case a-z, digits and hyphens only)" if short != name else f"({why})"),
    )
    return False


def _people(b: Builder) -> None:
    for source in b.of_kind(PERSON):
        clean = b.check(source, shared_schema.PERSON)
        if not _file_slug(b, source, source.stem, "file") or clean is None:
            continue
        b.people[source.stem] = Person(slug=source.stem, origin=b.origin(source), **clean)


def _regions(b: Builder) -> None:
    for source in b.of_kind(REGION):
        clean = b.check(source, shared_schema.REGION)
        if not _file_slug(b, source, source.region, "folder") or clean is None:
            continue
        terms = []
        for index, t in enumerate(clean["terms"]):
            members = tuple(b.people.get(m) for m in t["members"])
            chair, vice = b.people.get(t["chair"] or ""), b.people.get(t["vice_chair"] or "")
            if None in members or (t["chair"] and not chair) or (t["vice_chair"] and not vice):
                continue  # a person file with errors, already reported
            terms.append((index, Term(t["period"], chair, vice, tuple(p for p in members if p))))
        terms.sort(key=lambda it: it[1].period)
        for (_, earlier), (index, later) in itertools.pairwise(terms):
            if later.period.start <= earlier.period.end:
                b.report(
                    source,
                    source.line("terms", index),
                    f"the terms {earlier.period.label} and {later.period.label} overlap: "
                    "a region has one chair at a time",
                )
        appointments = tuple(
            Appointment(a["body"], person, a["period"], a["role"])
            for a in clean["appointments"]
            if (person := b.people.get(a["person"])) is not None
        )
        secretariat = Secretariat(**clean["secretariat"]) if clean["secretariat"] else None
        b.regions[source.region] = Region(
            slug=source.region,
            name=clean["name"],
            region=clean["region"],
            origin=b.origin(source),
            municipalities=clean["municipalities"],
            secretariat=secretariat,
            terms=tuple(t for _, t in terms),
            appointments=appointments,
            description=clean["description"],
        )
