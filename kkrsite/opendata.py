"""Open data: the JSON files under /data/, one per name in `routes.data_files()`.

Every file has the same envelope (`generated_by`, `format_version`, `source`,
`timezone`) and one list named after the file; people.json holds the three
Popolo lists `persons`, `organizations` and `memberships` instead. Field names
are part of the published format (docs/open-data.md): add fields, never rename
them within a format version. Output depends only on the model, never on the
clock or the order of files on disk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Any

from kkrsite.dates import TIMEZONE
from kkrsite.links import Links
from kkrsite.model.entities import (
    Agreement,
    Appointment,
    Column,
    Document,
    Entry,
    Meeting,
    Period,
    Person,
    Publication,
    Region,
    Site,
    Term,
    Topic,
    entry_kinds,
    newest_first,
)
from kkrsite.slugs import slugify
from kkrsite.urls import calendar_url, document_url, feed_url, file_url, url_of

FORMAT_VERSION = 1
"""The major version of the format: raised only if a field is renamed or removed."""

Json = dict[str, Any]

CHAIR = "formand"
VICE_CHAIR = "næstformand"
MEMBER = "medlem"


_HTML_SAFE = str.maketrans({c: f"\\u{ord(c):04x}" for c in ("<", ">", "&", "\u2028", "\u2029")})
"""Characters written as escapes, so a file can be pasted into HTML or a <script> safely.

They can only occur inside JSON strings, and every parser reads the escape back as the
character; everything else, æøå included, is written as it is.
"""


def data_inputs(name: str, site: Site) -> object:
    """Everything in the model that /data/<name>.json is made from (besides the settings):
    the file is made again only when this changes."""
    if name in ("regions", "people"):
        return (site.regions, site.people)
    if name == "topics":
        return site.topics
    kind = next((k for k in entry_kinds() if k.collection == name), None)
    return site.of_kind(kind) if kind is not None else site  # a kind's file: its entries


def write_data(name: str, site: Site, links: Links) -> bytes:
    """One /data/<name>.json file as UTF-8 bytes: pretty-printed, æøå kept as letters."""
    build = _FILES.get(name) or _of_kind(name)
    document = {
        "generated_by": "kkrsite",
        "format_version": FORMAT_VERSION,
        "source": site.config.base_url,
        "timezone": TIMEZONE.key,
        **build(site, links),
    }
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
    return (text.translate(_HTML_SAFE) + "\n").encode("utf-8")


# ---------------------------------------------------------------- regions


def _regions(site: Site, links: Links) -> Json:
    return {"regions": [_region(r, links) for r in sorted(site.regions, key=lambda r: r.slug)]}


def _region(region: Region, links: Links) -> Json:
    secretariat = region.secretariat
    return {
        "id": region.slug,
        "name": region.name,
        "region": region.region,
        "url": links.absolute_url(region),
        "description": region.description,
        "municipalities": list(region.municipalities),
        "secretariat": (
            {
                "email": secretariat.email,
                "phone": secretariat.phone,
                "address": secretariat.address,
            }
            if secretariat
            else None
        ),
        "terms": [_term(t) for t in region.terms],
        "appointments": [_appointment(a) for a in region.appointments],
        "feed": links.absolute_url(feed_url(url_of(region))),
        "calendar": links.absolute_url(calendar_url(region)),
    }


def _term(term: Term) -> Json:
    return {
        **_period(term.period),
        "chair": _id(term.chair),
        "vice_chair": _id(term.vice_chair),
        "members": [p.slug for p in term.members],
    }


def _appointment(appointment: Appointment) -> Json:
    return {
        "body": appointment.body,
        "person": appointment.person.slug,
        "role": appointment.role,
        **_period(appointment.period),
    }


def _period(period: Period) -> Json:
    """An election period as its label and its first and last day."""
    return {"period": period.label, **_dates(period)}


def _dates(period: Period) -> Json:
    """An election period's first and last day."""
    return {
        "start_date": dt.date(period.start, 1, 1).isoformat(),
        "end_date": dt.date(period.end, 12, 31).isoformat(),
    }


# ---------------------------------------------------------------- people (Popolo)


def _people(site: Site, links: Links) -> Json:
    regions = sorted(site.regions, key=lambda r: r.slug)
    organizations = [_kkr_organization(r, links) for r in regions]
    bodies: dict[str, Json] = {}
    memberships: list[Json] = []
    for region in regions:
        for term in region.terms:
            memberships += _term_memberships(region, term)
    for region in regions:
        for appointment in region.appointments:
            body_id = body_organization_id(region, appointment.body)
            bodies.setdefault(
                body_id,
                {
                    "id": body_id,
                    "name": appointment.body,
                    "classification": "regional_body",
                    "region": region.slug,
                    "url": None,
                },
            )
            memberships.append(
                {
                    "person_id": appointment.person.slug,
                    "organization_id": body_id,
                    "role": appointment.role or MEMBER,
                    **_dates(appointment.period),
                    "on_behalf_of_id": region.slug,
                }
            )
    organizations += [bodies[k] for k in sorted(bodies)]
    return {
        "persons": [_person(p, links) for p in sorted(site.people, key=lambda p: p.slug)],
        "organizations": organizations,
        "memberships": memberships,
    }


def body_organization_id(region: Region, body: str) -> str:
    """The id of a body a KKR appoints to: `hovedstaden/vaekstforum`.

    Scoped by region because each region has its own body of the same name
    (the Vækstforum of Region Hovedstaden is not the one of Region Sjælland).
    """
    return f"{region.slug}/{slugify(body) or 'organ'}"


def _person(person: Person, links: Links) -> Json:
    return {
        "id": person.slug,
        "name": person.name,
        "url": links.absolute_url(person),
        "image": links.absolute_url(file_url(person.photo)) if person.photo else None,
        "links": [{"url": person.url}] if person.url else [],
        "title": person.title,
        "party": person.party,
        "municipality": person.municipality,
    }


def _kkr_organization(region: Region, links: Links) -> Json:
    return {
        "id": region.slug,
        "name": region.name,
        "classification": "kkr",
        "region": region.slug,
        "url": links.absolute_url(region),
    }


def _term_memberships(region: Region, term: Term) -> list[Json]:
    """One membership per person in a term: the chair's and vice-chair's role wins over member."""
    held: dict[str, str] = {}
    for role, person in ((CHAIR, term.chair), (VICE_CHAIR, term.vice_chair)):
        if person is not None:
            held.setdefault(person.slug, role)
    for person in term.members:
        held.setdefault(person.slug, MEMBER)
    return [
        {
            "person_id": slug,
            "organization_id": region.slug,
            "role": role,
            **_dates(term.period),
            "on_behalf_of_id": None,
        }
        for slug, role in held.items()
    ]


# ---------------------------------------------------------------- entries


def _meetings(site: Site, links: Links) -> Json:
    return {"meetings": [_meeting(m, links) for m in newest_first(site.meetings, _meeting_id)]}


def _meeting_id(meeting: Meeting) -> str:
    return f"{meeting.region.slug}/{meeting.slug}"


def _meeting(meeting: Meeting, links: Links) -> Json:
    agenda_topics = (a.topic for a in meeting.agenda if a.topic)
    return {
        "id": _meeting_id(meeting),
        "region": meeting.region.slug,
        "title": meeting.title,
        "date": meeting.date.isoformat(),
        "time": _time(meeting.time),
        "end_time": _time(meeting.end_time),
        "location": meeting.location,
        "status": meeting.status.value,
        "url": links.absolute_url(meeting),
        "topics": _topic_ids((*meeting.topics, *agenda_topics)),
        "agenda": [
            {"title": a.title, "topic": _id(a.topic), "decision": a.decision}
            for a in meeting.agenda
        ],
        "documents": _documents(meeting.documents, links),
        "summary": meeting.summary,
        "updated": _date(meeting.updated),
    }


def _agreements(site: Site, links: Links) -> Json:
    ordered = newest_first(site.agreements, _agreement_id)
    return {"agreements": [_agreement(a, links) for a in ordered]}


def _agreement_id(agreement: Agreement) -> str:
    return f"{agreement.region.slug}/{agreement.slug}"


def _agreement(agreement: Agreement, links: Links) -> Json:
    return {
        "id": _agreement_id(agreement),
        "region": agreement.region.slug,
        "title": agreement.title,
        "kind": agreement.agreement_kind.value,
        "year": agreement.year,
        "status": agreement.status.value,
        "date": _date(agreement.date),
        "url": links.absolute_url(agreement),
        "topics": _topic_ids(agreement.topics),
        "documents": _documents(agreement.documents, links),
        "summary": agreement.summary,
        "updated": _date(agreement.updated),
    }


def _columns(site: Site, links: Links) -> Json:
    ordered = newest_first(site.columns, lambda c: c.slug)
    return {"columns": [_column(c, links) for c in ordered]}


def _column(column: Column, links: Links) -> Json:
    return {
        "id": column.slug,
        "title": column.title,
        "date": column.date.isoformat(),
        "publication": column.publication,
        "issue": column.issue,
        "authors": [p.slug for p in column.authors],
        "regions": [r.slug for r in column.regions],
        "topics": _topic_ids(column.topics),
        "url": links.absolute_url(column),
        "summary": column.summary,
        "updated": _date(column.updated),
    }


def _publications(site: Site, links: Links) -> Json:
    ordered = newest_first(site.publications, lambda p: p.slug)
    return {"publications": [_publication(p, links) for p in ordered]}


def _publication(publication: Publication, links: Links) -> Json:
    return {
        "id": publication.slug,
        "title": publication.title,
        "kind": publication.publication_kind,
        "date": publication.date.isoformat(),
        "regions": [r.slug for r in publication.regions],
        "topics": _topic_ids(publication.topics),
        "documents": _documents(publication.documents, links),
        "url": links.absolute_url(publication),
        "summary": publication.summary,
        "updated": _date(publication.updated),
    }


def _topics(site: Site, links: Links) -> Json:
    return {
        "topics": [
            {
                "id": t.slug,
                "name": t.name,
                "description": t.description or None,
                "url": links.absolute_url(t),
                "feed": links.absolute_url(feed_url(url_of(t))),
            }
            for t in site.topics
        ]
    }


# ---------------------------------------------------------------- shared pieces


def _documents(documents: Sequence[Document], links: Links) -> list[Json]:
    return [
        {
            "title": d.title,
            "url": links.absolute_url(document_url(d)),
            "type": d.file_type,
            "size": d.size,
        }
        for d in documents
    ]


def _topic_ids(topics: Iterable[Topic]) -> list[str]:
    """Topic ids in the order given, each once."""
    return list(dict.fromkeys(t.slug for t in topics))


def _id(obj: Person | Topic | None) -> str | None:
    return obj.slug if obj is not None else None


def _date(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _time(moment: dt.time | None) -> str | None:
    return moment.strftime("%H:%M") if moment is not None else None


def _of_kind(collection: str) -> Callable[[Site, Links], Json]:
    """The file of a kind with no layout of its own: every field of its entries."""
    kind = next((k for k in entry_kinds() if k.collection == collection), None)
    if kind is None:
        raise ValueError(f"no open-data file called {collection!r}")

    def build(site: Site, links: Links) -> Json:
        entries = newest_first(site.of_kind(kind), lambda e: e.slug)
        return {collection: [_entry(e, links) for e in entries]}

    return build


_COMMON = frozenset(("origin", "body", "body_line", "draft"))
"""Entry fields that are not data: where the file lies, the text itself, the draft flag."""


def _entry(entry: Entry, links: Links) -> Json:
    """An entry's fields as JSON: references as ids, dates as ISO text, its URL."""
    out: Json = {"id": entry.slug}
    for f in dataclasses.fields(entry):
        if f.name not in _COMMON and f.name != "slug":
            out[f.name] = _value(getattr(entry, f.name), links)
    out["url"] = links.absolute_url(entry)
    return out


def _value(value: object, links: Links) -> Any:
    match value:
        case Person() | Topic() | Region():
            return value.slug
        case Document():
            return _documents([value], links)[0]
        case dt.date() | dt.time():
            return value.isoformat()
        case Enum():
            return value.value
        case tuple():
            return [_value(v, links) for v in value]
    return value


_FILES: dict[str, Callable[[Site, Links], Json]] = {
    "regions": _regions,
    "people": _people,
    "meetings": _meetings,
    "agreements": _agreements,
    "columns": _columns,
    "publications": _publications,
    "topics": _topics,
}
