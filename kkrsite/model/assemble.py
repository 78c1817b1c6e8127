"""Step 2, model: check every source against the schema and build the `Site`, once.

The shared files are built first (`shared_assemble`), then the entries of every
kind, here, and the indexes last (`indexes`). Problems are collected across the
whole content set, never raised one at a time, so a user sees everything that is
wrong in one run. An entity whose file has errors is left out; references to it
are not reported again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, TypedDict, cast

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
    Column,
    Entry,
    Meeting,
    MeetingStatus,
    Publication,
    Site,
    entry_classes,
    sort_entries,
)
from kkrsite.model.fields import ListOf, Type
from kkrsite.model.formats import parse_date, slug_problem, suggest_slug
from kkrsite.model.indexes import build_indexes
from kkrsite.model.reuse import EntryKey, ModelMemo, Shared, entry_key
from kkrsite.model.shared import Document, Origin, SiteConfig, Topic
from kkrsite.model.shared_assemble import Builder, build_shared
from kkrsite.model.values import Ref
from kkrsite.read import ContentTree
from kkrsite.sourcefile import Source

_DATED_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:-(.+))?", re.ASCII | re.DOTALL)


def assemble(
    tree: ContentTree, options: Options, memo: ModelMemo | None = None
) -> tuple[Site | None, list[Problem]]:
    """Build the site model from what was read; returns it with every problem found.

    With a `memo` (see kkrsite/model/reuse.py), what the last assembly built from the
    same files in the same context is taken over, not built again.
    """
    b = Builder(tree, options)
    config = _shared(b, memo)
    built_before = memo.entries if memo is not None else {}
    built_now: dict[EntryKey, tuple[Entry | None, tuple[Problem, ...]]] = {}
    fresh = memo.fresh if memo is not None else None

    def entry(source: Source, cls: type[Entry]) -> Entry | None:
        key = entry_key(source) if memo is not None else None
        if key is None:
            return _build_entry(b, source, cls)
        known = built_before.get(key)
        if known is None:
            start = len(b.problems)
            known = (_build_entry(b, source, cls), tuple(b.problems[start:]))
            if known[0] is not None and fresh is not None:
                fresh.append(known[0])
        else:
            b.problems.extend(known[1])
        built_now[key] = known
        return known[0]

    built = {
        cls.KIND.name: [e for s in b.of_kind(cls.KIND.name) if (e := entry(s, cls))]
        for cls in entry_classes()
    }
    if memo is not None:
        memo.entries = built_now  # only this build's: the memo does not grow with edits
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
        indexes=build_indexes(by_kind, regions),
    )
    return site, b.problems


def _shared(b: Builder, memo: ModelMemo | None) -> SiteConfig | None:
    """Build the shared entities into `b`, or take them over from the memo's last assembly."""
    shared = memo.start(b.tree, b.options) if memo is not None else None
    if shared is not None:
        b.topics, b.people, b.regions = shared.topics, shared.people, shared.regions
        b.topic_slugs = shared.topic_slugs
        b.problems.extend(shared.problems)
        return shared.config
    config = build_shared(b)
    if memo is not None:
        memo.shared = Shared(config, b.topics, b.people, b.regions, b.topic_slugs, (*b.problems,))
    return config


def _build_entry(b: Builder, source: Source, cls: type[Entry]) -> Entry | None:
    """An entry of kind `cls` from its file: by the kind's own rules, or the common ones."""
    builder = _BUILDERS.get(cls.KIND.name)
    return builder(b, source) if builder is not None else _common_entry(b, source, cls)


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


def _entry_fields(b: Builder, source: Source, clean: schema.EntryData, slug: str) -> _Common:
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


def _documents(b: Builder, documents: tuple[schema.DocumentData, ...]) -> tuple[Document, ...]:
    return tuple(Document(d["title"], d["file"], d["url"], _size(b, d["file"])) for d in documents)


def _size(b: Builder, rel: str | None) -> int | None:
    attachment = b.tree.attachments.get(rel) if rel else None
    return attachment.size if attachment else None


def _entry_date(b: Builder, source: Source, date: dt.date | None) -> tuple[dt.date, str] | None:
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


def _slug_ok(b: Builder, source: Source, given: str | None, slug: str) -> bool:
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


def _meeting(b: Builder, source: Source) -> Meeting | None:
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


def _agreement(b: Builder, source: Source) -> Agreement | None:
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
    b: Builder, source: Source, date: dt.date | None, given_slug: str | None
) -> tuple[dt.date, str] | None:
    """A column's or publication's date and slug, either of which may come from its name."""
    dated = _entry_date(b, source, date)
    if dated is None or not _slug_ok(b, source, given_slug, dated[1]):
        return None
    return dated


def _column(b: Builder, source: Source) -> Column | None:
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


def _publication(b: Builder, source: Source) -> Publication | None:
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


_BUILDERS: dict[str, Callable[[Builder, Source], Entry | None]] = {
    Meeting.KIND.name: _meeting,
    Agreement.KIND.name: _agreement,
    Column.KIND.name: _column,
    Publication.KIND.name: _publication,
}
"""Kinds with rules of their own (a meeting's default title, a column's default regions);
any other kind is built by `_common_entry`."""


def _common_entry(b: Builder, source: Source, cls: type[Entry]) -> Entry | None:
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


def _resolved(b: Builder, kind: Type, value: Any) -> Any:
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
