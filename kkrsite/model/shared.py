"""The entities entries share: the site's settings, topics, people, regions and their terms.

Frozen dataclasses with no I/O, built once per build by `shared_assemble` from
site.yaml, topics.yaml, people/ and each kkr.yaml; an entry's documents and every
entity's `Origin` are here too. References are resolved: a term's chair is a Person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


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
