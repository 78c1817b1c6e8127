"""The content model: frozen dataclasses with no I/O, built once per build and read by every view.

References are resolved: a term's chair is a Person, a meeting's region a Region.
Reverse relations (a region's meetings, a person's columns) live in `Site`'s
indexes, computed once by `assemble`, so no entity points back at its container.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import ClassVar, TypeVar, cast

from kkrsite.dates import TIMEZONE
from kkrsite.kinds import EntryKind


@dataclass(frozen=True)
class Origin:
    """Where an entity was written: the file and the line it starts on."""

    path: Path
    rel: str
    line: int = 1


@dataclass(frozen=True)
class Secretariat:
    """How to reach a KKR's secretariat; each part may be unknown."""

    email: str | None = None
    phone: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class SiteConfig:
    """site.yaml: what the whole site is called and where it is served."""

    title: str
    base_url: str
    """Absolute URL the site is served from, ending in `/`."""
    language: str
    description: str
    publisher: str
    accessibility_statement: str | None = None
    """URL of the site's accessibility statement (tilgængelighedserklæring)."""
    contact: Secretariat | None = None
    """Who readers can write or call, shown in every page's footer."""


@dataclass(frozen=True)
class Topic:
    """One of the core areas (kerneområder) content can be tagged with."""

    slug: str
    name: str
    description: str
    origin: Origin


@dataclass(frozen=True)
class Person:
    """A politician: a chair, member, author or appointee."""

    slug: str
    name: str
    title: str
    party: str
    """The party letter, e.g. S or V."""
    municipality: str
    origin: Origin
    photo: str | None = None
    """Path of a picture under files/."""
    url: str | None = None


@dataclass(frozen=True, order=True)
class Period:
    """An election period (valgperiode), e.g. 2010-2013, inclusive of both years."""

    start: int
    end: int

    @property
    def label(self) -> str:
        """As written in content: `2010-2013`."""
        return f"{self.start}-{self.end}"

    def contains(self, day: dt.date) -> bool:
        """Whether `day` falls in the period."""
        return self.start <= day.year <= self.end


@dataclass(frozen=True)
class Term:
    """A region's chair, vice-chair and members for one election period."""

    period: Period
    chair: Person | None = None
    vice_chair: Person | None = None
    members: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Appointment:
    """A person a KKR appointed to a regional body (udpegning)."""

    body: str
    person: Person
    period: Period
    role: str | None = None


@dataclass(frozen=True)
class Region:
    """One KKR: the council of the municipalities of one region."""

    slug: str
    """The folder name under kkr/, e.g. `hovedstaden`."""
    name: str
    """The council, e.g. "KKR Hovedstaden"."""
    region: str
    """The region, e.g. "Region Hovedstaden"."""
    origin: Origin
    municipalities: tuple[str, ...] = ()
    secretariat: Secretariat | None = None
    terms: tuple[Term, ...] = ()
    """Sorted by period, oldest first."""
    appointments: tuple[Appointment, ...] = ()
    description: str | None = None

    def term_on(self, day: dt.date) -> Term | None:
        """The term in office on `day`, if the content has one."""
        return next((t for t in self.terms if t.period.contains(day)), None)

    def latest_term_on(self, day: dt.date) -> Term | None:
        """The term in office on `day`, or else the most recent one before it."""
        started = [t for t in self.terms if t.period.start <= day.year]
        return self.term_on(day) or (started[-1] if started else None)


@dataclass(frozen=True)
class Document:
    """A document attached to an entry: a file under files/ or a link."""

    title: str
    file: str | None = None
    """Path under files/ (published under /filer/)."""
    url: str | None = None
    size: int | None = None
    """Size in bytes, for files."""

    @property
    def file_type(self) -> str | None:
        """The kind of file in capitals (PDF, DOCX, …) when the name says it, else None."""
        name = (self.file or self.url or "").split("?")[0].rsplit("/", 1)[-1]
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return suffix.upper() if suffix in _FILE_TYPES else None


_FILE_TYPES = frozenset(
    ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "csv", "zip")
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

    @property
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

    @property
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

    @property
    def meetings(self) -> tuple[Meeting, ...]:
        """Every published meeting, newest first."""
        return cast(tuple[Meeting, ...], self.of_kind(Meeting.KIND))

    @property
    def agreements(self) -> tuple[Agreement, ...]:
        """Every published agreement, newest first."""
        return cast(tuple[Agreement, ...], self.of_kind(Agreement.KIND))

    @property
    def columns(self) -> tuple[Column, ...]:
        """Every published column, newest first."""
        return cast(tuple[Column, ...], self.of_kind(Column.KIND))

    @property
    def publications(self) -> tuple[Publication, ...]:
        """Every published publication, newest first."""
        return cast(tuple[Publication, ...], self.of_kind(Publication.KIND))

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


E = TypeVar("E", bound=Entry)


def newest_first(entries: Iterable[E], ident: Callable[[E], str]) -> list[E]:
    """By `published`, newest first; entries of the same moment in the order of `ident`."""
    ordered = sorted(entries, key=ident)
    ordered.sort(key=lambda e: e.published, reverse=True)  # stable: equal moments keep ident order
    return ordered


def sort_entries(entries: Iterable[E]) -> tuple[E, ...]:
    """Newest first; ties broken by kind, slug and file so the order never depends on disk order."""
    return tuple(
        sorted(
            entries,
            key=lambda e: (e.sort_date, e.kind.key, e.slug, e.origin.rel),
            reverse=True,
        )
    )
