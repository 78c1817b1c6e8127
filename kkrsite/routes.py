"""Step 3, routes: the one module that decides every URL, and which pages the site has.

A URL here is site-relative and ends in `/` for a page (`/kkr/hovedstaden/`);
the render step adds the path of base_url. Two sources claiming one URL are
reported together, each naming the other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from kkrsite.errors import Problem, display_path
from kkrsite.model.entities import (
    Agreement,
    Column,
    Document,
    Entry,
    Meeting,
    MeetingStatus,
    Origin,
    Person,
    Publication,
    Region,
    Site,
    Topic,
    newest_first,
)

FILES_PREFIX = "/filer/"
ASSETS_PREFIX = "/assets/"
PAGE_SIZE = 20
"""Entries a listing page shows before it continues at /…/side/2/."""
FEED_SIZE = 50
"""Items in a feed: the newest."""
DATA_FILES = ("regions", "people", "meetings", "agreements", "columns", "publications", "topics")
"""The open-data files under /data/."""

Routable = Region | Person | Topic | Entry
"""Anything with a page of its own: every entry kind, regions, people and topics."""


def url_of(obj: Routable) -> str:
    """The site-relative URL of an entity's page."""
    match obj:
        case Region():
            return f"/kkr/{obj.slug}/"
        case Meeting():
            return f"/kkr/{obj.region.slug}/moeder/{obj.slug}/"
        case Agreement():
            return f"/kkr/{obj.region.slug}/rammeaftaler/{obj.slug}/"
        case Column():
            return f"/klummer/{obj.slug}/"
        case Publication():
            return f"/publikationer/{obj.slug}/"
        case Person():
            return f"/personer/{obj.slug}/"
        case Topic():
            return f"/emner/{obj.slug}/"
    raise TypeError(f"no URL for {type(obj).__name__}")


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


@dataclass(frozen=True)
class Pagination:
    """Where a page sits in a paginated list; URLs are site-relative."""

    number: int
    count: int
    previous: str | None = None
    next: str | None = None


@dataclass(frozen=True)
class Page:
    """One HTML page to render: where it goes, with which template and data."""

    url: str
    template: str
    title: str
    context: Mapping[str, Any] = field(default_factory=dict)
    breadcrumbs: tuple[tuple[str, str], ...] = ()
    """(title, url) from the front page down, not including this page."""
    origin: Origin | None = None
    """The content file the page is made from, if one: named when two pages collide."""
    in_sitemap: bool = True
    feed: str | None = None
    """The feed that follows this page's content, linked with rel="alternate"."""
    feed_title: str | None = None
    """That feed's title, the same as in the feed itself."""


@dataclass(frozen=True)
class Feed:
    """An RSS 2.0 feed: its URL, the page it belongs to and its items, newest first."""

    url: str
    title: str
    description: str
    page_url: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Calendar:
    """An iCalendar file of meetings."""

    url: str
    title: str
    meetings: tuple[Meeting, ...]


@dataclass(frozen=True)
class DataFile:
    """One open-data JSON file under /data/."""

    url: str
    name: str


@dataclass(frozen=True)
class Plan:
    """Everything the site consists of, decided once from the model."""

    pages: tuple[Page, ...]
    feeds: tuple[Feed, ...]
    calendars: tuple[Calendar, ...]
    data: tuple[DataFile, ...]
    sitemap_url: str = "/sitemap.xml"
    robots_url: str = "/robots.txt"

    @property
    def sitemap_pages(self) -> tuple[Page, ...]:
        """The pages a search engine should know."""
        return tuple(p for p in self.pages if p.in_sitemap)


HOME = ("Forside", "/")
KKR = ("KKR", "/kkr/")
Crumbs = tuple[tuple[str, str], ...]


def feed_url(page_url: str) -> str:
    """The feed that belongs to a page: `/kkr/x/` → `/kkr/x/feed.xml`."""
    return page_url + "feed.xml"


def meetings_url(region: Region) -> str:
    """A region's list of meetings."""
    return f"{url_of(region)}moeder/"


def agreements_url(region: Region) -> str:
    """A region's list of framework agreements."""
    return f"{url_of(region)}rammeaftaler/"


def data_url(name: str) -> str:
    """An open-data file: `meetings` → `/data/meetings.json`."""
    return f"/data/{name}.json"


def calendar_url(region: Region | None) -> str:
    """A region's meeting calendar, or the calendar of all meetings."""
    return f"/kkr/{region.slug}/moeder.ics" if region else "/moeder.ics"


def plan(site: Site) -> tuple[Plan, list[Problem]]:
    """Every page, feed, calendar and data file, in a stable order; URL collisions as problems."""
    today = site.today
    pages: list[Page] = []
    dated_today = tuple(e for e in site.entries if e.sort_date <= today)
    upcoming = _upcoming(site.meetings, today)
    upcoming_in = {
        r.slug: _upcoming(site.meetings_by_region.get(r.slug, ()), today) for r in site.regions
    }
    pages.append(
        Page(
            "/",
            "index.html",
            site.config.title,
            {
                "next_meetings": upcoming[:5],
                "latest_columns": site.columns[:5],
                "latest": dated_today[:8],
            },
            feed="/feed.xml",
        )
    )
    next_by_region = {slug: next(iter(ahead), None) for slug, ahead in upcoming_in.items()}
    pages.append(
        Page(
            "/kkr/",
            "regions.html",
            "Kommunekontaktrådene",
            {"next_meeting": next_by_region},
            (HOME,),
        )
    )
    pages.append(
        Page(
            "/moeder/",
            "meetings_overview.html",
            "Møder",
            {"next_meetings": upcoming},
            (HOME,),
        )
    )
    pages.append(
        Page(
            "/rammeaftaler/",
            "agreements_overview.html",
            "Rammeaftaler",
            {
                "by_region": tuple(
                    (r, site.agreements_by_region.get(r.slug, ())) for r in site.regions
                )
            },
            (HOME,),
        )
    )
    for region in site.regions:
        pages += _region_pages(site, region, upcoming_in[region.slug])
    for meeting in site.meetings:
        crumbs = (*_in_region(meeting.region), ("Møder", meetings_url(meeting.region)))
        pages.append(_entry_page(meeting, "meeting.html", {"meeting": meeting}, crumbs))
    for agreement in site.agreements:
        crumbs = (
            *_in_region(agreement.region),
            ("Rammeaftaler", agreements_url(agreement.region)),
        )
        pages.append(_entry_page(agreement, "agreement.html", {"agreement": agreement}, crumbs))
    pages += _paginated(
        "/klummer/",
        "columns.html",
        "Klummer",
        site.columns,
        {},
        (HOME,),
        feed=feed_url("/klummer/"),
    )
    for column in site.columns:
        pages.append(
            _entry_page(column, "column.html", {"column": column}, (HOME, ("Klummer", "/klummer/")))
        )
    pages += _paginated(
        "/publikationer/", "publications.html", "Publikationer", site.publications, {}, (HOME,)
    )
    for publication in site.publications:
        crumbs = (HOME, ("Publikationer", "/publikationer/"))
        pages.append(
            _entry_page(publication, "publication.html", {"publication": publication}, crumbs)
        )
    counts = tuple((t, len(site.entries_by_topic.get(t.slug, ()))) for t in site.topics)
    pages.append(Page("/emner/", "topics.html", "Emner", {"topics": counts}, (HOME,)))
    for topic in site.topics:
        entries = site.entries_by_topic.get(topic.slug, ())
        crumbs = (HOME, ("Emner", "/emner/"))
        pages += _paginated(
            url_of(topic),
            "topic.html",
            topic.name,
            entries,
            {"topic": topic},
            crumbs,
            topic.origin,
            feed=feed_url(url_of(topic)),
        )
    pages.append(Page("/personer/", "people.html", "Personer", {}, (HOME,)))
    for person in site.people:
        context = {
            "person": person,
            "roles": site.roles_by_person.get(person.slug, ()),
            "appointments": site.appointments_by_person.get(person.slug, ()),
            "columns": site.columns_by_person.get(person.slug, ()),
        }
        crumbs = (HOME, ("Personer", "/personer/"))
        pages.append(
            Page(url_of(person), "person.html", person.name, context, crumbs, person.origin)
        )
    pages += _archive(site)
    pages.append(Page("/404.html", "404.html", "Siden findes ikke", {}, (), in_sitemap=False))

    def feed(url: str, title: str, description: str, page: str, entries: tuple[Entry, ...]) -> Feed:
        return _feed(url, title, description, page, entries, today)

    feeds = [
        feed("/feed.xml", site.config.title, site.config.description, "/", site.entries),
        feed(
            "/klummer/feed.xml",
            "KKR-klummer",
            "KKR-klummer, nyeste først.",
            "/klummer/",
            site.columns,
        ),
    ]
    for region in site.regions:
        feeds.append(
            feed(
                feed_url(url_of(region)),
                region.name,
                f"Møder, rammeaftaler, klummer og publikationer fra {region.name}.",
                url_of(region),
                site.entries_by_region.get(region.slug, ()),
            )
        )
    for topic in site.topics:
        feeds.append(
            feed(
                feed_url(url_of(topic)),
                f"{topic.name} – KKR",
                topic.description or f"Alt om {topic.name}.",
                url_of(topic),
                site.entries_by_topic.get(topic.slug, ()),
            )
        )
    calendars = [Calendar(calendar_url(None), "Møder i alle KKR", _chronological(site.meetings))]
    calendars += [
        Calendar(
            calendar_url(r),
            f"Møder i {r.name}",
            _chronological(site.meetings_by_region.get(r.slug, ())),
        )
        for r in site.regions
    ]
    data = [DataFile(data_url(name), name) for name in DATA_FILES]
    # A page names its feed by the feed's own title: one source for both.
    titles = {f.url: f.title for f in feeds}
    pages = [replace(p, feed_title=titles[p.feed]) if p.feed else p for p in pages]
    result = Plan(tuple(pages), tuple(feeds), tuple(calendars), tuple(data))
    return result, _collisions(result)


def _region_pages(site: Site, region: Region, upcoming: tuple[Meeting, ...]) -> list[Page]:
    """A region's page and its lists; `upcoming` are its meetings ahead, soonest first."""
    today = site.today
    meetings = site.meetings_by_region.get(region.slug, ())
    agreements = site.agreements_by_region.get(region.slug, ())
    ahead = {id(m) for m in upcoming}
    earlier = tuple(m for m in meetings if id(m) not in ahead)
    term = region.term_on(today)
    latest = region.latest_term_on(today)
    base = url_of(region)
    crumbs = (HOME, KKR)
    here = (*crumbs, (region.name, base))
    overview = {
        "region": region,
        "term": term,
        "latest_term": latest,
        "earlier_terms": tuple(
            t for t in reversed(region.terms) if t.period.end < today.year and t is not latest
        ),
        "next_meetings": upcoming,
        "held_meetings": earlier,
        "agreements": agreements,
        "latest": tuple(
            e
            for e in site.entries_by_region.get(region.slug, ())
            if isinstance(e, (Column, Publication))
        )[:10],
        "feed": feed_url(base),
        "calendar": calendar_url(region),
    }
    return [
        Page(
            base, "region.html", region.name, overview, crumbs, region.origin, feed=feed_url(base)
        ),
        Page(
            meetings_url(region),
            "meetings.html",
            f"Møder i {region.name}",
            {
                "region": region,
                "planned": upcoming,
                "by_year": _by_year(earlier, lambda m: m.date.year),
                "calendar": calendar_url(region),
            },
            here,
        ),
        Page(
            agreements_url(region),
            "agreements.html",
            f"Rammeaftaler i {region.name}",
            {"region": region, "by_year": _by_year(agreements, lambda a: a.year)},
            here,
        ),
    ]


T = TypeVar("T")


def _by_year(
    items: tuple[T, ...], year: Callable[[T], int]
) -> tuple[tuple[int, tuple[T, ...]], ...]:
    """Items grouped by year, newest year first, each group in the order given."""
    years: dict[int, list[T]] = {}
    for item in items:
        years.setdefault(year(item), []).append(item)
    return tuple((y, tuple(years[y])) for y in sorted(years, reverse=True))


def _archive(site: Site) -> list[Page]:
    """/arkiv/ lists the years; /arkiv/<year>/ everything dated in that year, by month."""
    by_year = _by_year(
        tuple(e for e in site.entries if e.sort_date <= site.today), lambda e: e.sort_date.year
    )
    pages = [
        Page(
            "/arkiv/",
            "archive.html",
            "Arkiv",
            {"years": tuple((y, len(es)) for y, es in by_year)},
            (HOME,),
        )
    ]
    years = [y for y, _ in by_year]  # newest first
    for index, (year, entries) in enumerate(by_year):
        months: dict[int, list[Entry]] = {}
        for entry in entries:
            months.setdefault(entry.sort_date.month, []).append(entry)
        context = {
            "year": year,
            "months": tuple(
                (dt.date(year, m, 1), tuple(months[m])) for m in sorted(months, reverse=True)
            ),
            "newer_year": years[index - 1] if index > 0 else None,
            "older_year": years[index + 1] if index + 1 < len(years) else None,
        }
        pages.append(
            Page(
                f"/arkiv/{year}/",
                "archive_year.html",
                f"Arkiv {year}",
                context,
                (HOME, ("Arkiv", "/arkiv/")),
            )
        )
    return pages


def _paginated(
    base: str,
    template: str,
    title: str,
    entries: tuple[Entry, ...],
    context: Mapping[str, Any],
    crumbs: Crumbs,
    origin: Origin | None = None,
    feed: str | None = None,
) -> list[Page]:
    """A list of entries as pages of PAGE_SIZE: `base`, then `base`side/2/, …"""
    chunks = [entries[i : i + PAGE_SIZE] for i in range(0, len(entries), PAGE_SIZE)] or [()]

    def at(n: int) -> str:
        return base if n == 1 else f"{base}side/{n}/"

    pages = []
    for n, chunk in enumerate(chunks, start=1):
        pagination = Pagination(
            n,
            len(chunks),
            at(n - 1) if n > 1 else None,
            at(n + 1) if n < len(chunks) else None,
        )
        page_title = title if n == 1 else f"{title} – side {n}"
        page_crumbs = crumbs if n == 1 else (*crumbs, (title, base))
        pages.append(
            Page(
                at(n),
                template,
                page_title,
                {**context, "items": chunk, "pagination": pagination},
                page_crumbs,
                origin,
                feed=feed,
            )
        )
    return pages


def _feed(
    url: str, title: str, description: str, page: str, entries: tuple[Entry, ...], today: dt.date
) -> Feed:
    """The newest FEED_SIZE entries up to today; ties on date broken by URL.

    A planned meeting enters the feed on its day: an item dated in the future
    is implausible to feed readers and validators.
    """
    ordered = newest_first((e for e in entries if e.sort_date <= today), url_of)
    return Feed(url, title, description, page, tuple(ordered[:FEED_SIZE]))


def _chronological(meetings: tuple[Meeting, ...]) -> tuple[Meeting, ...]:
    return tuple(sorted(meetings, key=lambda m: (m.published, url_of(m))))


def _in_region(region: Region) -> Crumbs:
    return (HOME, KKR, (region.name, url_of(region)))


def _entry_page(
    entry: Meeting | Agreement | Column | Publication,
    template: str,
    context: dict[str, Any],
    breadcrumbs: Crumbs,
) -> Page:
    return Page(url_of(entry), template, entry.title, context, breadcrumbs, entry.origin)


def _upcoming(meetings: tuple[Meeting, ...], today: dt.date) -> tuple[Meeting, ...]:
    """Meetings from today on that are not marked held, soonest first."""
    ahead = [m for m in meetings if m.date >= today and m.status is not MeetingStatus.HELD]
    return tuple(sorted(ahead, key=lambda m: (m.published, m.region.slug, m.slug)))


def _collisions(result: Plan) -> list[Problem]:
    """Every output path claimed twice; each content file involved is named."""
    claims: defaultdict[str, list[Page | None]] = defaultdict(list)
    for page in result.pages:
        claims[page.url].append(page)
    generated: list[Feed | Calendar | DataFile] = [*result.feeds, *result.calendars, *result.data]
    for other in generated:
        claims[other.url].append(None)
    problems = []
    cwd = Path.cwd()
    for url, claimants in claims.items():
        if len(claimants) < 2:
            continue
        files = [p for p in claimants if p is not None and p.origin is not None]
        for page in files:
            assert page.origin is not None
            others = [display_path(p.origin.path, cwd) for p in files if p is not page and p.origin]
            by = ", ".join(others) if others else "a page kkrsite makes itself"
            problems.append(
                Problem(
                    page.origin.path,
                    page.origin.line,
                    f"the URL {url} is also claimed by {by}: "
                    "give one of them another slug (set `slug:` or rename the file)",
                )
            )
    return problems
