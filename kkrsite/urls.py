"""The URL scheme: the one place that says where everything is published.

A URL here is site-relative and ends in `/` for a page (`/kkr/hovedstaden/`);
`links.py` adds the path of base_url. An entry's URL follows its kind's
declaration (`EntryKind.path`), so a new kind needs no code here.
"""

from __future__ import annotations

from urllib.parse import quote

from kkrsite.kinds import EntryKind
from kkrsite.model.entities import Agreement, Entry, Meeting
from kkrsite.model.shared import Document, Person, Region, Topic

FILES_PREFIX = "/filer/"
"""Where attachments under content/files/ are published."""
ASSETS_PREFIX = "/assets/"
"""Where the templates' static/ files are published."""
HOME = "/"
REGIONS = "/kkr/"
TOPICS = "/emner/"
PEOPLE = "/personer/"
ARCHIVE = "/arkiv/"
NOT_FOUND = "/404.html"
SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"

Routable = Region | Person | Topic | Entry
"""Anything with a page of its own: every entry kind, regions, people and topics."""


def url_of(obj: Routable) -> str:
    """The site-relative URL of an entity's page."""
    match obj:
        case Region():
            return f"{REGIONS}{obj.slug}/"
        case Person():
            return f"{PEOPLE}{obj.slug}/"
        case Topic():
            return f"{TOPICS}{obj.slug}/"
        case Entry():
            region = obj.in_regions[0] if obj.kind.in_region else None
            return f"{kind_url(obj.kind, region)}{obj.slug}/"
    raise TypeError(f"no URL for {type(obj).__name__}")


def kind_url(kind: EntryKind, region: Region | None = None) -> str:
    """The list of a kind's entries: all of them, or (for a kind in regions) one region's."""
    return f"{url_of(region)}{kind.path}/" if region is not None else f"/{kind.path}/"


def meetings_url(region: Region) -> str:
    """A region's list of meetings."""
    return kind_url(Meeting.KIND, region)


def agreements_url(region: Region) -> str:
    """A region's list of framework agreements."""
    return kind_url(Agreement.KIND, region)


def feed_url(page_url: str) -> str:
    """The feed that belongs to a page: `/kkr/x/` → `/kkr/x/feed.xml`."""
    return page_url + "feed.xml"


def calendar_url(region: Region | None) -> str:
    """A region's meeting calendar, or the calendar of all meetings."""
    return f"{url_of(region)}moeder.ics" if region else "/moeder.ics"


def data_url(name: str) -> str:
    """An open-data file: `meetings` → `/data/meetings.json`."""
    return f"/data/{name}.json"


def year_url(year: int) -> str:
    """The archive of one year."""
    return f"{ARCHIVE}{year}/"


def page_url(base: str, number: int) -> str:
    """Page `number` of a paginated list at `base`: `base` itself, then `base`side/2/, …"""
    return base if number == 1 else f"{base}side/{number}/"


def file_url(rel: str) -> str:
    """The site-relative URL of an attachment under files/."""
    return FILES_PREFIX + quote(rel)


def document_url(doc: Document) -> str:
    """Where a document points: its attachment under /filer/, or its own URL."""
    return file_url(doc.file) if doc.file else doc.url or ""


def asset_url(name: str) -> str:
    """The site-relative URL of a file from the templates' static/ folder."""
    return ASSETS_PREFIX + quote(name)


def output_file(url: str) -> str:
    """Where a URL is written under build/: `/kkr/x/` → `kkr/x/index.html`."""
    path = url.lstrip("/")
    return path + "index.html" if url.endswith("/") else path
