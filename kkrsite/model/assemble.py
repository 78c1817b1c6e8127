"""Step 2, model: check every source against the schema and build the `Site`, once.

Problems are collected across the whole content set, never raised one at a
time, so a user sees everything that is wrong in one run. An entity whose file
has errors is left out; references to it are not reported again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar, cast

from kkrsite.config import Options
from kkrsite.dates import date_da
from kkrsite.errors import Problem
from kkrsite.kinds import EntryKind
from kkrsite.model import schema
from kkrsite.model.entities import (
    AgendaItem,
    Agreement,
    AgreementKind,
    AgreementStatus,
    Appointment,
    Column,
    Document,
    Entry,
    Indexes,
    Meeting,
    MeetingStatus,
    Origin,
    Person,
    Publication,
    Region,
    Role,
    Secretariat,
    Site,
    SiteConfig,
    Term,
    Topic,
    entry_classes,
    sort_entries,
)
from kkrsite.model.fields import (
    Checker,
    ListOf,
    Record,
    Ref,
    Type,
    parse_date,
    slug_problem,
    suggest_slug,
)
from kkrsite.read import PERSON, REGION, SITE, TOPICS, ContentTree, Source

T = TypeVar("T")

_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:-(.+))?", re.ASCII | re.DOTALL)


@dataclass
class _Builder:
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


def assemble(tree: ContentTree, options: Options) -> tuple[Site | None, list[Problem]]:
    """Build the site model from what was read; returns it with every problem found."""
    b = _Builder(tree, options)
    config = _site_config(b)
    _topics(b)
    _people(b)
    _regions(b)
    built = {
        cls.KIND.name: [e for s in b.of_kind(cls.KIND.name) if (e := _build_entry(b, s, cls))]
        for cls in entry_classes()
    }
    if config is None:
        return None, b.problems

    def published(kind: EntryKind) -> tuple[Entry, ...]:
        return sort_entries(
            e
            for e in built[kind.name]
            if (options.drafts or not e.draft)
            and (options.future or kind.shown_before_its_date or e.sort_date <= options.today)
        )

    regions = tuple(b.regions[slug] for slug in sorted(b.regions))
    by_kind = {cls.KIND.name: published(cls.KIND) for cls in entry_classes()}
    site = Site(
        config=config,
        today=options.today,
        topics=tuple(b.topics.values()),
        people=tuple(sorted(b.people.values(), key=lambda p: (p.name, p.slug))),
        regions=regions,
        by_kind=by_kind,
        indexes=_indexes(by_kind, regions),
    )
    return site, b.problems


def _build_entry(b: _Builder, source: Source, cls: type[Entry]) -> Entry | None:
    """An entry of kind `cls` from its file: by the kind's own rules, or the common ones."""
    builder = _BUILDERS.get(cls.KIND.name)
    return builder(b, source) if builder is not None else _common_entry(b, source, cls)


def _site_config(b: _Builder) -> SiteConfig | None:
    sources = b.of_kind(SITE)
    if not sources:
        return None
    clean = b.check(sources[0], schema.SITE)
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


def _topics(b: _Builder) -> None:
    for source in b.of_kind(TOPICS):
        if len(source.data) > schema.MAX_TOPICS:
            b.report(
                source,
                1,
                f"topics.yaml lists {len(source.data)} topics; at most {schema.MAX_TOPICS} are "
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
            clean = schema.TOPIC.clean(raw, "topic", checker, (index,))
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


def _file_slug(b: _Builder, source: Source, name: str, what: str) -> bool:
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


def _people(b: _Builder) -> None:
    for source in b.of_kind(PERSON):
        clean = b.check(source, schema.PERSON)
        if not _file_slug(b, source, source.stem, "file") or clean is None:
            continue
        b.people[source.stem] = Person(slug=source.stem, origin=b.origin(source), **clean)


def _regions(b: _Builder) -> None:
    for source in b.of_kind(REGION):
        clean = b.check(source, schema.REGION)
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


class _Common(TypedDict):
    """The fields every entry class is made with, from its file and its clean values."""

    slug: str
    origin: Origin
    body: str
    body_line: int
    summary: str | None
    updated: dt.date | None
    draft: bool
    topics: tuple[Topic, ...]


def _entry_fields(b: _Builder, source: Source, clean: schema.EntryData, slug: str) -> _Common:
    return {
        "slug": clean["slug"] or slug,
        "origin": b.origin(source),
        "body": source.body,
        "body_line": source.body_line,
        "summary": clean["summary"],
        "updated": clean["updated"],
        "draft": bool(clean["draft"]),
        "topics": tuple(b.topics[t] for t in clean["topics"] if t in b.topics),
    }


def _documents(b: _Builder, documents: tuple[schema.DocumentData, ...]) -> tuple[Document, ...]:
    return tuple(Document(d["title"], d["file"], d["url"], _size(b, d["file"])) for d in documents)


def _size(b: _Builder, rel: str | None) -> int | None:
    attachment = b.tree.attachments.get(rel) if rel else None
    return attachment.size if attachment else None


def _entry_date(b: _Builder, source: Source, date: dt.date | None) -> tuple[dt.date, str] | None:
    """An entry's date, from `date:` or the file name (they must agree), and the name's slug."""
    match = _DATED_NAME.fullmatch(source.stem)
    name_date = parse_date(match[1]) if match else None
    if match and name_date is None:
        b.report(
            source,
            None,
            f"the file name starts with {match[1]}, which is not a real date: "
            "rename the file with the right date",
        )
        return None
    day = date or name_date
    if day is None:
        b.report(
            source,
            1,
            "the required field 'date' is missing: add `date: YYYY-MM-DD`, "
            "or start the file name with the date",
        )
        return None
    if name_date is not None and day != name_date:
        b.report(
            source,
            source.line("date"),
            f"the date {day.isoformat()} does not match the file name's date "
            f"{name_date.isoformat()}: make them the same",
        )
        return None
    return day, (match[2] or source.stem) if match else source.stem


def _slug_ok(b: _Builder, source: Source, given: str | None, slug: str) -> bool:
    """Whether the slug made from the file name may be used (or `slug:` was `given`)."""
    why = slug_problem(slug)
    if given or why is None:
        return True
    short = suggest_slug(slug) or "a-name"
    rule = "lower-case a-z, digits and hyphens" if short != slug else why
    b.report(
        source,
        None,
        f"the file name gives the slug '{slug}', which is not valid: rename the file to use "
        f"'{short}', or set `slug:` ({rule})",
    )
    return False


def _meeting(b: _Builder, source: Source) -> Meeting | None:
    clean = b.check(source, schema.MEETING)
    region = b.regions.get(source.region)
    if not _DATED_NAME.fullmatch(source.stem):
        example = clean["date"].isoformat() if clean and clean["date"] else "2011-08-29"
        b.report(
            source,
            None,
            f"a meeting's file name must start with its date: name it like {example}.md "
            f"(or {example}-ekstraordinaert.md for a second meeting that day)",
        )
        return None
    if clean is None or region is None:
        return None
    dated = _entry_date(b, source, clean["date"])
    if dated is None or not _slug_ok(b, source, clean["slug"], source.stem):
        return None
    day = dated[0]
    tagged = set(clean["topics"]) | {a["topic"] for a in clean["agenda"] if a["topic"]}
    if len(tagged) > schema.MAX_TOPICS_PER_ENTRY:
        # Each topic puts the meeting on another page and in another feed: bound the fan-out.
        b.report(
            source,
            source.line("agenda"),
            f"the meeting is tagged with {len(tagged)} topics (its own and its agenda's); "
            f"at most {schema.MAX_TOPICS_PER_ENTRY} are allowed: choose the main ones",
        )
        return None
    status = clean["status"] or ("planned" if day >= b.options.today else "held")
    return Meeting(
        **_entry_fields(b, source, clean, source.stem),
        title=clean["title"] or f"Møde i {region.name} {date_da(day)}",
        region=region,
        date=day,
        status=MeetingStatus(status),
        time=clean["time"],
        end_time=clean["end_time"],
        location=clean["location"],
        agenda=tuple(
            AgendaItem(a["title"], b.topics.get(a["topic"] or ""), a["decision"])
            for a in clean["agenda"]
        ),
        documents=_documents(b, clean["documents"]),
    )


def _agreement(b: _Builder, source: Source) -> Agreement | None:
    clean = b.check(source, schema.AGREEMENT)
    region = b.regions.get(source.region)
    if clean is None or region is None or not _slug_ok(b, source, clean["slug"], source.stem):
        return None
    return Agreement(
        **_entry_fields(b, source, clean, source.stem),
        title=clean["title"],
        region=region,
        agreement_kind=AgreementKind(clean["kind"]),
        year=clean["year"],
        status=AgreementStatus(clean["status"]),
        date=clean["date"],
        documents=_documents(b, clean["documents"]),
    )


def _dated(
    b: _Builder, source: Source, date: dt.date | None, given_slug: str | None
) -> tuple[dt.date, str] | None:
    """A column's or publication's date and slug, either of which may come from its name."""
    dated = _entry_date(b, source, date)
    if dated is None or not _slug_ok(b, source, given_slug, dated[1]):
        return None
    return dated


def _column(b: _Builder, source: Source) -> Column | None:
    clean = b.check(source, schema.COLUMN)
    dated = _dated(b, source, clean["date"], clean["slug"]) if clean is not None else None
    if clean is None or dated is None:
        return None
    day, slug = dated
    authors = tuple(b.people.get(a) for a in clean["authors"])
    if None in authors:
        return None
    if clean["regions"]:
        regions = tuple(b.regions[r] for r in clean["regions"] if r in b.regions)
    else:
        # The regions the authors chaired on the day the column was printed.
        regions = tuple(
            r
            for r in b.regions.values()
            if (term := r.term_on(day)) and term.chair and term.chair.slug in clean["authors"]
        )
    return Column(
        **_entry_fields(b, source, clean, slug),
        title=clean["title"],
        date=day,
        publication=clean["publication"] or "Danske Kommuner",
        issue=clean["issue"],
        authors=tuple(a for a in authors if a),
        regions=tuple(sorted(regions, key=lambda r: r.slug)),
    )


def _publication(b: _Builder, source: Source) -> Publication | None:
    clean = b.check(source, schema.PUBLICATION)
    dated = _dated(b, source, clean["date"], clean["slug"]) if clean is not None else None
    if clean is None or dated is None:
        return None
    day, slug = dated
    chosen = clean["regions"] or tuple(sorted(b.regions))
    return Publication(
        **_entry_fields(b, source, clean, slug),
        title=clean["title"],
        publication_kind=clean["kind"],
        date=day,
        regions=tuple(b.regions[r] for r in sorted(chosen) if r in b.regions),
        documents=_documents(b, clean["documents"]),
    )


_BUILDERS: dict[str, Callable[[_Builder, Source], Entry | None]] = {
    Meeting.KIND.name: _meeting,
    Agreement.KIND.name: _agreement,
    Column.KIND.name: _column,
    Publication.KIND.name: _publication,
}
"""Kinds with rules of their own (a meeting's default title, a column's default regions);
any other kind is built by `_common_entry`."""


def _common_entry(b: _Builder, source: Source, cls: type[Entry]) -> Entry | None:
    """An entry by the rules every kind shares: its record checked, references resolved.

    Fields of `cls` beyond Entry's take the checked value of the field of the same
    name; a person, topic or region slug becomes the Person, Topic or Region, a
    document the Document. A kind that lives in a region gets `region`.
    """
    kind = cls.KIND
    record = schema.record_of(kind)
    clean: dict[str, Any] | None = b.check(source, record)
    if clean is None:
        return None
    if kind.dated_files:
        dated = _dated(b, source, clean.get("date"), clean["slug"])
        if dated is None:
            return None
        clean["date"], slug = dated
    else:
        slug = source.stem
        if not _slug_ok(b, source, clean["slug"], slug):
            return None
    values: dict[str, Any] = {**_entry_fields(b, source, cast(schema.EntryData, clean), slug)}
    if kind.in_region:
        values["region"] = b.regions.get(source.region)
        if values["region"] is None:
            return None
    values["documents"] = _documents(b, clean.get("documents", ()))
    try:
        for f in dataclasses.fields(cls):
            if f.name not in values and f.name in clean:
                values[f.name] = _resolved(b, record.field(f.name).type, clean[f.name])
    except _Unresolved:
        return None  # it names a person or region whose file has errors, already reported
    return cls(**values)


class _Unresolved(Exception):
    """A reference to an entity left out for errors of its own."""


def _resolved(b: _Builder, kind: Type, value: Any) -> Any:
    """A checked value with references made objects: slugs → Person, Topic, Region."""
    if value is None:
        return None
    if isinstance(kind, ListOf):
        return tuple(_resolved(b, kind.item, v) for v in value)
    if isinstance(kind, Ref):
        references: dict[str, Mapping[str, object]] = {
            "person": b.people,
            "topic": b.topics,
            "region": b.regions,
        }
        known = references[kind.what]
        if value not in known:
            raise _Unresolved(value)
        return known[value]
    return value


def _indexes(by_kind: Mapping[str, tuple[Entry, ...]], regions: tuple[Region, ...]) -> Indexes:
    """Every reverse relation the views read, computed once."""
    entries = sort_entries(e for kind in by_kind.values() for e in kind)
    by_region: defaultdict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        for region in entry.in_regions:
            by_region[region.slug].append(entry)
    by_topic: defaultdict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        slugs = {t.slug for t in entry.topics}
        if isinstance(entry, Meeting):
            slugs.update(a.topic.slug for a in entry.agenda if a.topic)
        for slug in sorted(slugs):
            by_topic[slug].append(entry)

    roles: defaultdict[str, list[Role]] = defaultdict(list)
    appointments: defaultdict[str, list[tuple[Region, Appointment]]] = defaultdict(list)
    for region in regions:
        for term in region.terms:
            held = [("Formand for", term.chair), ("Næstformand for", term.vice_chair)]
            # A chair is also a member; the member role is only shown for the others.
            held += [
                ("Medlem af", m) for m in term.members if m not in (term.chair, term.vice_chair)
            ]
            for title, person in held:
                if person is not None:
                    roles[person.slug].append(Role(f"{title} {region.name}", region, term.period))
        for appointment in region.appointments:
            appointments[appointment.person.slug].append((region, appointment))
    columns: defaultdict[str, list[Column]] = defaultdict(list)
    for column in by_kind.get(Column.KIND.name, ()):
        assert isinstance(column, Column)
        for author in column.authors:
            columns[author.slug].append(column)

    def frozen(index: dict[str, list[Any]]) -> dict[str, tuple[Any, ...]]:
        return {key: tuple(values) for key, values in sorted(index.items())}

    def of_kind_by_region(kind: EntryKind) -> dict[str, tuple[Any, ...]]:
        return frozen(
            {
                r.slug: [e for e in by_kind.get(kind.name, ()) if any(x is r for x in e.in_regions)]
                for r in regions
            }
        )

    return Indexes(
        entries=entries,
        meetings_by_region=of_kind_by_region(Meeting.KIND),
        agreements_by_region=of_kind_by_region(Agreement.KIND),
        entries_by_region=frozen(dict(by_region)),
        entries_by_topic=frozen(dict(by_topic)),
        roles_by_person=frozen(
            {k: sorted(v, key=lambda r: (r.period, r.region.slug)) for k, v in roles.items()}
        ),
        appointments_by_person=frozen(
            {
                k: sorted(v, key=lambda ra: (ra[1].period, ra[0].slug, ra[1].body))
                for k, v in appointments.items()
            }
        ),
        columns_by_person=frozen(dict(columns)),
    )
