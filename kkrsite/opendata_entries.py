"""Open data: the file of each kind of entry (meetings, agreements, columns, publications,
or every field of a kind with no layout of its own) and topics.json."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TypeVar

from kkrsite.kinds import EntryKind
from kkrsite.links import Links
from kkrsite.model.entities import (
    Agreement,
    Column,
    Entry,
    Meeting,
    Publication,
    Site,
    entry_kinds,
    newest_first,
)
from kkrsite.opendata_values import (
    Json,
    clock_time,
    documents,
    id_of,
    iso_date,
    json_value,
    topic_ids,
)
from kkrsite.urls import feed_url, url_of

E = TypeVar("E", bound=Entry)


def _newest(
    name: str,
    entries: Iterable[E],
    ident: Callable[[E], str],
    record: Callable[[E, Links], Json],
    links: Links,
) -> Json:
    """A file's list called `name`: each entry as `record` writes it, newest first."""
    return {name: [record(entry, links) for entry in newest_first(entries, ident)]}


def _slug(entry: Entry) -> str:
    return entry.slug


def meetings_file(site: Site, links: Links) -> Json:
    """Every meeting, newest first, with its agenda and documents."""
    return _newest("meetings", site.meetings, _meeting_id, _meeting, links)


def _meeting_id(meeting: Meeting) -> str:
    return f"{meeting.region.slug}/{meeting.slug}"


def _meeting(meeting: Meeting, links: Links) -> Json:
    agenda_topics = (a.topic for a in meeting.agenda if a.topic)
    return {
        "id": _meeting_id(meeting),
        "region": meeting.region.slug,
        "title": meeting.title,
        "date": meeting.date.isoformat(),
        "time": clock_time(meeting.time),
        "end_time": clock_time(meeting.end_time),
        "location": meeting.location,
        "status": meeting.status.value,
        "url": links.absolute_url(meeting),
        "topics": topic_ids((*meeting.topics, *agenda_topics)),
        "agenda": [
            {"title": a.title, "topic": id_of(a.topic), "decision": a.decision}
            for a in meeting.agenda
        ],
        "documents": documents(meeting.documents, links),
        "summary": meeting.summary,
        "updated": iso_date(meeting.updated),
    }


def agreements_file(site: Site, links: Links) -> Json:
    """Every framework agreement, newest first."""
    return _newest("agreements", site.agreements, _agreement_id, _agreement, links)


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
        "date": iso_date(agreement.date),
        "url": links.absolute_url(agreement),
        "topics": topic_ids(agreement.topics),
        "documents": documents(agreement.documents, links),
        "summary": agreement.summary,
        "updated": iso_date(agreement.updated),
    }


def columns_file(site: Site, links: Links) -> Json:
    """Every column, newest first."""
    return _newest("columns", site.columns, _slug, _column, links)


def _column(column: Column, links: Links) -> Json:
    return {
        "id": column.slug,
        "title": column.title,
        "date": column.date.isoformat(),
        "publication": column.publication,
        "issue": column.issue,
        "authors": [p.slug for p in column.authors],
        "regions": [r.slug for r in column.regions],
        "topics": topic_ids(column.topics),
        "url": links.absolute_url(column),
        "summary": column.summary,
        "updated": iso_date(column.updated),
    }


def publications_file(site: Site, links: Links) -> Json:
    """Every publication, newest first."""
    return _newest("publications", site.publications, _slug, _publication, links)


def _publication(publication: Publication, links: Links) -> Json:
    return {
        "id": publication.slug,
        "title": publication.title,
        "kind": publication.publication_kind,
        "date": publication.date.isoformat(),
        "regions": [r.slug for r in publication.regions],
        "topics": topic_ids(publication.topics),
        "documents": documents(publication.documents, links),
        "url": links.absolute_url(publication),
        "summary": publication.summary,
        "updated": iso_date(publication.updated),
    }


def topics_file(site: Site, links: Links) -> Json:
    """Every topic, with its feed."""
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


def kind_named(collection: str) -> EntryKind | None:
    """The kind of entry whose collection (and open-data file) is called `collection`."""
    return next((k for k in entry_kinds() if k.collection == collection), None)


def kind_file(collection: str) -> Callable[[Site, Links], Json]:
    """The file of a kind with no layout of its own: every field of its entries."""
    kind = kind_named(collection)
    if kind is None:
        raise ValueError(f"no open-data file called {collection!r}")

    def build(site: Site, links: Links) -> Json:
        return _newest(collection, site.of_kind(kind), _slug, _entry, links)

    return build


NOT_DATA = frozenset(("origin", "body", "body_line", "draft"))
"""Entry fields that are not data: where the file lies, the text itself, the draft flag."""


def _entry(entry: Entry, links: Links) -> Json:
    """An entry's fields as JSON: references as ids, dates as ISO text, its URL."""
    out: Json = {"id": entry.slug}
    for f in dataclasses.fields(entry):
        if f.name not in NOT_DATA and f.name != "slug":
            out[f.name] = json_value(getattr(entry, f.name), links)
    out["url"] = links.absolute_url(entry)
    return out
