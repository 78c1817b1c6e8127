"""Open data's shared pieces: model values as JSON (documents, ids, dates, times, any field)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

from kkrsite.links import Links
from kkrsite.model.shared import Document, Person, Region, Topic
from kkrsite.urls import document_url

Json = dict[str, Any]


def documents(attached: Sequence[Document], links: Links) -> list[Json]:
    """Documents as title, absolute URL, file type and size."""
    return [
        {
            "title": d.title,
            "url": links.absolute_url(document_url(d)),
            "type": d.file_type,
            "size": d.size,
        }
        for d in attached
    ]


def topic_ids(topics: Iterable[Topic]) -> list[str]:
    """Topic ids in the order given, each once."""
    return list(dict.fromkeys(t.slug for t in topics))


def id_of(obj: Person | Topic | None) -> str | None:
    """A person's or topic's id, or null."""
    return obj.slug if obj is not None else None


def iso_date(day: dt.date | None) -> str | None:
    """A day as ISO text, or null."""
    return day.isoformat() if day is not None else None


def clock_time(moment: dt.time | None) -> str | None:
    """A time of day as HH:MM, or null."""
    return moment.strftime("%H:%M") if moment is not None else None


def json_value(value: object, links: Links) -> Any:
    """Any field of an entry: references as ids, dates as ISO text, tuples as lists."""
    match value:
        case Person() | Topic() | Region():
            return value.slug
        case Document():
            return documents([value], links)[0]
        case dt.date() | dt.time():
            return value.isoformat()
        case Enum():
            return value.value
        case tuple():
            return [json_value(v, links) for v in value]
    return value
