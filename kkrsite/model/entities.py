"""The entries and the site that holds them: frozen dataclasses with no I/O, read by every view.

Each kind of Markdown entry (meeting, agreement, column, publication) is a class
extending `Entry` that declares its `EntryKind`. Reverse relations (a region's
meetings, a person's columns) live in `Site`'s indexes, computed once by
`assemble`, so no entity points back at its container.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import ClassVar, Generic, TypeVar, cast

from kkrsite.dates import TIMEZONE
from kkrsite.kinds import EntryKind
from kkrsite.model.shared import (
    Appointment,
    Document,
    Origin,
    Period,
    Person,
    Region,
    SiteConfig,
    Topic,
)


@dataclass(frozen=True, kw_only=True)
class Entry:
    """What every Markdown entry has: a slug, a title, a body and the common fields."""

    slug: str
    title: str
    origin: Origin
    body: str = ""
    summary: str | None = None
    updated: dt.date | None = None
    draft: bool = False
    topics: tuple[Topic, ...] = ()
    documents: tuple[Document, ...] = ()
    body_line: int = 1
    """The line of the file the body starts on, for messages about the body."""

    KIND: ClassVar[EntryKind]
    """What kind of entry this class is: declared once, read by every step."""

    @property
    def kind(self) -> EntryKind:
        """The kind of entry."""
        return self.KIND

    @property
    def in_regions(self) -> tuple[Region, ...]:
        """The regions the entry concerns: it is listed on their pages and in their feeds."""
        raise NotImplementedError

    @property
    def sort_date(self) -> dt.date:
        """The date the entry is listed under."""
        raise NotImplementedError

    @cached_property  # every list and feed sorts by it
    def published(self) -> dt.datetime:
        """When the entry is dated: its day at 00:00 in Copenhagen (a meeting: its start)."""
        return dt.datetime.combine(self.sort_date, dt.time(0, 0), tzinfo=TIMEZONE)


class MeetingStatus(Enum):
    """Whether a meeting is ahead, has been held, or was called off."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class AgendaItem:
    """One point on a meeting's agenda (dagsorden), with the decision when taken."""

    title: str
    topic: Topic | None = None
    decision: str | None = None


@dataclass(frozen=True, kw_only=True)
class Meeting(Entry):
    """A KKR meeting: planned, held or cancelled."""

    region: Region
    date: dt.date
    status: MeetingStatus
    time: dt.time | None = None
    end_time: dt.time | None = None
    location: str | None = None
    agenda: tuple[AgendaItem, ...] = ()

    KIND = EntryKind(
        name="meeting",
        collection="meetings",
        key="møde",
        label="Møde",
        plural="Møder",
        folder="meetings",
        in_region=True,
        path="moeder",
        shown_before_its_date=True,
        menu=1,
    )

    @property
    def in_regions(self) -> tuple[Region, ...]:
        return (self.region,)

    @property
    def sort_date(self) -> dt.date:
        return self.date

    @property
    def headline(self) -> str:
        """The title as feeds and calendars show it, where no status badge is seen."""
        cancelled = self.status is MeetingStatus.CANCELLED
        return (
            f"Aflyst: {self.title}"
            if cancelled and "aflyst" not in self.title.lower()
            else self.title
        )

    @property
    def start(self) -> dt.datetime | None:
        """When the meeting starts, in Copenhagen time, if a time is given."""
        if self.time is None:
            return None
        return dt.datetime.combine(self.date, self.time, tzinfo=TIMEZONE)

    @cached_property
    def published(self) -> dt.datetime:
        return self.start or super().published


class AgreementKind(Enum):
    """The kinds of framework agreement on the specialised social area."""

    UDVIKLINGSSTRATEGI = "udviklingsstrategi"
    STYRINGSAFTALE = "styringsaftale"
    RAMMEAFTALE = "rammeaftale"


class AgreementStatus(Enum):
    """Where an agreement is: a draft, recommended by the KKR, approved by the councils."""

    UDKAST = "udkast"
    ANBEFALET = "anbefalet"
    GODKENDT = "godkendt"


@dataclass(frozen=True, kw_only=True)
class Agreement(Entry):
    """A framework agreement (rammeaftale) of one region for one year."""

    region: Region
    agreement_kind: AgreementKind
    year: int
    status: AgreementStatus
    date: dt.date | None = None
    """When it was recommended or approved."""

    KIND = EntryKind(
        name="agreement",
        collection="agreements",
        key="rammeaftale",
        label="Rammeaftale",
        plural="Rammeaftaler",
        folder="agreements",
        in_region=True,
        path="rammeaftaler",
        dated_files=False,
        shown_before_its_date=True,
        menu=3,
    )

    @property
    def in_regions(self) -> tuple[Region, ...]:
        return (self.region,)

    @property
    def sort_date(self) -> dt.date:
        return self.date or dt.date(self.year, 1, 1)


@dataclass(frozen=True, kw_only=True)
class Column(Entry):
    """A "KKR klumme" printed in a magazine, written by one or more chairs."""

    date: dt.date
    publication: str
    issue: str | None = None
    """The magazine issue, e.g. `26/2011`."""
    authors: tuple[Person, ...] = ()
    regions: tuple[Region, ...] = ()
    """Given, or else the regions the authors chaired on the date."""

    KIND = EntryKind(
        name="column",
        collection="columns",
        key="klumme",
        label="Klumme",
        plural="Klummer",
        folder="columns",
        in_region=False,
        path="klummer",
        feed_title="KKR-klummer",
        menu=2,
    )

    @property
    def in_regions(self) -> tuple[Region, ...]:
        return self.regions

    @property
    def sort_date(self) -> dt.date:
        return self.date


@dataclass(frozen=True, kw_only=True)
class Publication(Entry):
    """An annual report, brochure, note or letter, often with a PDF."""

    publication_kind: str
    date: dt.date
    regions: tuple[Region, ...] = ()
    """The regions it concerns; all of them when the content leaves it empty."""

    KIND = EntryKind(
        name="publication",
        collection="publications",
        key="publikation",
        label="Publikation",
        plural="Publikationer",
        folder="publications",
        in_region=False,
        path="publikationer",
    )

    @property
    def in_regions(self) -> tuple[Region, ...]:
        return self.regions

    @property
    def sort_date(self) -> dt.date:
        return self.date


@dataclass(frozen=True)
class Role:
    """One role a person held: chair, vice-chair or member of a KKR, or an appointment."""

    title: str
    """In Danish, e.g. "Formand for KKR Hovedstaden"."""
    region: Region
    period: Period


@dataclass(frozen=True)
class Indexes:
    """Every reverse relation the views read, computed once by `assemble`."""

    entries: tuple[Entry, ...] = ()
    """Every published entry of every kind, newest first."""
    meetings_by_region: Mapping[str, tuple[Meeting, ...]] = field(default_factory=dict)
    agreements_by_region: Mapping[str, tuple[Agreement, ...]] = field(default_factory=dict)
    entries_by_region: Mapping[str, tuple[Entry, ...]] = field(default_factory=dict)
    """Every entry that concerns a region, newest first."""
    entries_by_topic: Mapping[str, tuple[Entry, ...]] = field(default_factory=dict)
    roles_by_person: Mapping[str, tuple[Role, ...]] = field(default_factory=dict)
    appointments_by_person: Mapping[str, tuple[tuple[Region, Appointment], ...]] = field(
        default_factory=dict
    )
    columns_by_person: Mapping[str, tuple[Column, ...]] = field(default_factory=dict)


E = TypeVar("E", bound=Entry)


class _Published(Generic[E]):
    """A `Site` attribute such as `site.meetings`: the published entries of one class."""

    def __init__(self, cls: type[E]) -> None:
        self.cls = cls

    def __get__(self, site: Site, owner: type[Site]) -> tuple[E, ...]:
        return cast(tuple[E, ...], site.of_kind(self.cls.KIND))


@dataclass(frozen=True)
class Site:
    """The whole content set, valid and resolved, with every index the views need."""

    config: SiteConfig
    today: dt.date
    topics: tuple[Topic, ...]
    people: tuple[Person, ...]
    regions: tuple[Region, ...]
    by_kind: Mapping[str, tuple[Entry, ...]]
    """The published entries of each kind (by `EntryKind.name`), newest first."""
    indexes: Indexes = field(default_factory=Indexes)

    def of_kind(self, kind: EntryKind) -> tuple[Entry, ...]:
        """The published entries of one kind, newest first."""
        return self.by_kind.get(kind.name, ())

    meetings = _Published(Meeting)
    """Every published meeting, newest first."""
    agreements = _Published(Agreement)
    """Every published agreement, newest first."""
    columns = _Published(Column)
    """Every published column, newest first."""
    publications = _Published(Publication)
    """Every published publication, newest first."""

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every published entry of every kind, newest first."""
        return self.indexes.entries

    def files_used(self) -> frozenset[str]:
        """Attachments (paths under files/) that published documents and photos name."""
        documents = {d.file for e in self.entries for d in e.documents if d.file}
        return frozenset(documents | {p.photo for p in self.people if p.photo})


ENTRY_CLASSES: tuple[type[Entry], ...] = (Meeting, Agreement, Column, Publication)
"""Every kind of entry, in the order open data and mixed lists name them."""


def entry_classes() -> tuple[type[Entry], ...]:
    """Every kind of entry's class (read at call time, so a test may add a kind)."""
    return ENTRY_CLASSES


def entry_kinds() -> tuple[EntryKind, ...]:
    """Every kind of entry."""
    return tuple(cls.KIND for cls in ENTRY_CLASSES)


def newest_first(
    entries: Iterable[E], ident: Callable[[E], str], limit: int | None = None
) -> list[E]:
    """By `published`, newest first; entries of the same moment in the order of `ident`.

    With a `limit`, only the first `limit` of that order (a feed's newest fifty).
    """
    if limit is not None:
        entries = list(entries)
        if limit <= 0:
            return []
        if len(entries) > limit:
            # Only entries at least as new as the limit-th newest can be among the first.
            oldest = heapq.nlargest(limit, (e.published for e in entries))[-1]
            entries = [e for e in entries if e.published >= oldest]
    ordered = sorted(entries, key=ident)
    ordered.sort(key=lambda e: e.published, reverse=True)  # stable: equal moments keep ident order
    return ordered if limit is None else ordered[:limit]


def sort_entries(entries: Iterable[E]) -> tuple[E, ...]:
    """Newest first; ties broken by kind, slug and file so the order never depends on disk order."""
    return tuple(
        sorted(
            entries,
            key=lambda e: (e.sort_date, e.kind.key, e.slug, e.origin.rel),
            reverse=True,
        )
    )
