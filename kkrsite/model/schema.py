"""The content format of the Markdown entries: every field of each kind's files, declared once.

The shared files' records (site.yaml, topics, people, regions) are in
`shared_schema.py`; `DOCUMENTED` names every record of both. Each record is a
TypedDict: a key's annotation gives the Python type of its clean value (read by
mypy, so a misspelt field in `assemble.py` is a type error) and a `Spec` with the
field's checker, meaning and whether it is required (read by `record`, which
builds the `Record` that checks files). The same declarations document the
format: docs/content.md shows `describe(record)` for each (tested).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, TypedDict

from kkrsite.kinds import EntryKind
from kkrsite.model.fields import Checker, ListOf, Record, Spec, record
from kkrsite.model.shared_schema import (
    APPOINTMENT,
    PERSON,
    REGION,
    SECRETARIAT,
    SITE,
    TERM,
    TOPIC,
)
from kkrsite.model.values import URL, Bool, Choice, Date, FileRef, Int, Ref, Slug, Text, Time
from kkrsite.yamlfile import KeyPath

MAX_TOPICS_PER_ENTRY = 10
"""Topics on one entry: each puts the entry on another page and in another feed."""
MAX_AUTHORS = 10
"""Writers of one column (all five chairs together is the most seen): each lists it."""


# --- documents, which several kinds of entry have -----------------------------------


class DocumentData(TypedDict):
    """documents (each item)."""

    title: Annotated[str, Spec(Text(), "what the document is, e.g. Referat", required=True)]
    file: Annotated[str | None, Spec(FileRef(), "a file under files/, published under /filer/")]
    url: Annotated[str | None, Spec(URL, "a link to the document elsewhere")]


def _file_or_url(doc: DocumentData, path: KeyPath, c: Checker) -> None:
    if doc["file"] is None and doc["url"] is None:
        c.report(path, "a document needs `file:` (a file under files/) or `url:` (a link); add one")
    elif doc["file"] is not None and doc["url"] is not None:
        c.report(path, "a document has both `file:` and `url:`; keep the one it should open")


DOCUMENT = record(DocumentData, rule=_file_or_url)


# --- Markdown entries -------------------------------------------------------------------


class EntryData(TypedDict):
    """The fields every Markdown entry may have; each entry's record lists them last."""

    slug: Annotated[str | None, Spec(Slug(), "overrides the slug made from the file name")]
    summary: Annotated[str | None, Spec(Text(), "one or two sentences for lists and feeds")]
    updated: Annotated[dt.date | None, Spec(Date(), "when the entry was last changed")]
    draft: Annotated[
        bool | None,
        Spec(Bool(), "true leaves the entry out unless the build is run with --drafts"),
    ]
    topics: Annotated[
        tuple[str, ...],
        Spec(ListOf(Ref("topic"), most=MAX_TOPICS_PER_ENTRY), "topic slugs from topics.yaml"),
    ]


class AgendaItemData(TypedDict):
    """agenda (each item)."""

    title: Annotated[str, Spec(Text(), "the agenda point", required=True)]
    topic: Annotated[str | None, Spec(Ref("topic"), "a topic slug")]
    decision: Annotated[str | None, Spec(Text(), "what the KKR decided")]


AGENDA_ITEM = record(AgendaItemData, shorthand="title")

MEETING_STATUS = Choice(
    ("planned", "held", "cancelled"),
    "status",
    {"planlagt": "planned", "afholdt": "held", "aflyst": "cancelled"},
)


class MeetingData(EntryData):
    """kkr/<region>/meetings/<YYYY-MM-DD>[-<suffix>].md."""

    date: Annotated[
        dt.date | None, Spec(Date(), "the day of the meeting; must match the file name")
    ]
    time: Annotated[dt.time | None, Spec(Time(), "when it starts, e.g. 10:00")]
    end_time: Annotated[dt.time | None, Spec(Time(), "when it ends, e.g. 13:00")]
    location: Annotated[str | None, Spec(Text(), "where it is held")]
    title: Annotated[str | None, Spec(Text(), "a title; by default 'Møde i <KKR> <date>'")]
    status: Annotated[
        str | None,
        Spec(MEETING_STATUS, "planned, held or cancelled; by default from the date"),
    ]
    agenda: Annotated[
        tuple[AgendaItemData, ...],
        Spec(ListOf(AGENDA_ITEM), "the agenda: title, topic, decision"),
    ]
    documents: Annotated[
        tuple[DocumentData, ...], Spec(ListOf(DOCUMENT), "documents: title and file or url")
    ]


def _end_after_start(meeting: MeetingData, path: KeyPath, c: Checker) -> None:
    if meeting["end_time"] is None:
        return
    if meeting["time"] is None:
        c.report((*path, "end_time"), "'end_time' needs a start: add `time:` as well")
    elif meeting["end_time"] <= meeting["time"]:
        c.report((*path, "end_time"), "'end_time' must be after 'time'")


MEETING = record(MeetingData, rule=_end_after_start, last=EntryData)


class AgreementData(EntryData):
    """kkr/<region>/agreements/<slug>.md."""

    title: Annotated[str, Spec(Text(), "the agreement's title", required=True)]
    kind: Annotated[
        str,
        Spec(
            Choice(("udviklingsstrategi", "styringsaftale", "rammeaftale"), "kind"),
            "udviklingsstrategi, styringsaftale or rammeaftale",
            required=True,
        ),
    ]
    year: Annotated[
        int,
        Spec(Int(2007, 2100, example="2012"), "the year the agreement is for", required=True),
    ]
    status: Annotated[
        str,
        Spec(
            Choice(("udkast", "anbefalet", "godkendt"), "status"),
            "udkast, anbefalet or godkendt",
            required=True,
        ),
    ]
    date: Annotated[dt.date | None, Spec(Date(), "when it was recommended or approved")]
    documents: Annotated[
        tuple[DocumentData, ...], Spec(ListOf(DOCUMENT), "documents: title and file or url")
    ]


AGREEMENT = record(AgreementData, last=EntryData)


class ColumnData(EntryData):
    """columns/<YYYY-MM-DD>-<slug>.md."""

    title: Annotated[str, Spec(Text(), "the column's headline", required=True)]
    date: Annotated[
        dt.date | None,
        Spec(Date(), "the day it was printed; required unless the file name starts with it"),
    ]
    publication: Annotated[
        str | None,
        Spec(Text(example="Danske Kommuner"), "the magazine; Danske Kommuner when left out"),
    ]
    issue: Annotated[str | None, Spec(Text(example='"26/2011"'), "the issue, e.g. 26/2011")]
    authors: Annotated[
        tuple[str, ...],
        Spec(
            ListOf(Ref("person"), non_empty=True, most=MAX_AUTHORS),
            "person slugs of the writers",
            required=True,
        ),
    ]
    regions: Annotated[
        tuple[str, ...],
        Spec(ListOf(Ref("region")), "region slugs; by default the regions the authors chaired"),
    ]


COLUMN = record(ColumnData, last=EntryData)


class PublicationData(EntryData):
    """publications/<YYYY-MM-DD>-<slug>.md."""

    title: Annotated[str, Spec(Text(), "the publication's title", required=True)]
    kind: Annotated[
        str,
        Spec(Slug(example="beretning"), "beretning, pjece, notat, brev, …", required=True),
    ]
    date: Annotated[
        dt.date | None,
        Spec(Date(), "the day it was published; required unless the file name starts with it"),
    ]
    regions: Annotated[
        tuple[str, ...], Spec(ListOf(Ref("region")), "region slugs; empty means all regions")
    ]
    documents: Annotated[
        tuple[DocumentData, ...], Spec(ListOf(DOCUMENT), "documents: title and file or url")
    ]


PUBLICATION = record(PublicationData, last=EntryData)


ENTRY_RECORDS: dict[str, Record[Any]] = {
    "meeting": MEETING,
    "agreement": AGREEMENT,
    "column": COLUMN,
    "publication": PUBLICATION,
}
"""The record of each kind of entry, by `EntryKind.name`."""


def record_of(kind: EntryKind) -> Record[Any]:
    """The record a kind's files are checked against."""
    try:
        return ENTRY_RECORDS[kind.name]
    except KeyError:
        raise LookupError(
            f"the entry kind {kind.name!r} has no record: add it to ENTRY_RECORDS in "
            "kkrsite/model/schema.py"
        ) from None


def describe(record: Record[Any]) -> str:
    """The fields of a record as a Markdown table, for docs/content.md (tested to match)."""
    rows = ["| field | required | what it holds |", "|---|---|---|"]
    for f in record.fields:
        rows.append(f"| `{f.name}` | {'yes' if f.required else ''} | {f.doc} |")
    return "\n".join(rows)


DOCUMENTED: Mapping[str, Record[Any]] = {
    "site.yaml": SITE,
    "topics.yaml (each item)": TOPIC,
    "people/<slug>.yaml": PERSON,
    "kkr/<region>/kkr.yaml": REGION,
    "terms (each item)": TERM,
    "appointments (each item)": APPOINTMENT,
    "secretariat": SECRETARIAT,
    "kkr/<region>/meetings/<YYYY-MM-DD>[-<suffix>].md": MEETING,
    "agenda (each item)": AGENDA_ITEM,
    "documents (each item)": DOCUMENT,
    "kkr/<region>/agreements/<slug>.md": AGREEMENT,
    "columns/<YYYY-MM-DD>-<slug>.md": COLUMN,
    "publications/<YYYY-MM-DD>-<slug>.md": PUBLICATION,
}
"""Every record a user writes, by the heading it has in docs/content.md."""
