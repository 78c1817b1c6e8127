"""Step 3, routes: which pages, feeds, calendars and data files the site has, decided once.

`plan` reads the model and lays out the site in named steps — pages, feeds,
calendars, open data, navigation — each a plain value the render step and the
writers consume. URLs come from `kkrsite/urls.py`. Two sources claiming one URL
are reported together, each naming the other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from kkrsite.errors import Problem, display_path
from kkrsite.kinds import EntryKind
from kkrsite.model.entities import (
    Agreement,
    Entry,
    Meeting,
    MeetingStatus,
    Origin,
    Period,
    Person,
    Region,
    Role,
    Site,
    SiteConfig,
    entry_kinds,
    newest_first,
)
from kkrsite.urls import (
    ARCHIVE,
    HOME,
    NOT_FOUND,
    PEOPLE,
    REGIONS,
    ROBOTS,
    SITEMAP,
    TOPICS,
    agreements_url,
    calendar_url,
    data_url,
    feed_url,
    kind_url,
    meetings_url,
    page_url,
    url_of,
    year_url,
)

PAGE_SIZE = 20
"""Entries a listing page shows before it continues at /…/side/2/."""
FEED_SIZE = 50
"""Items in a feed: the newest."""


def data_files() -> tuple[tuple[str, str], ...]:
    """The open-data files under /data/: (name, label), a file for each kind of entry."""
    kinds = tuple((k.collection, k.plural.lower()) for k in entry_kinds())
    return (("regions", "KKR"), ("people", "personer"), *kinds, ("topics", "emner"))


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
class Navigation:
    """The links every page shows and the site's fixed places, as site paths.

    Templates build no paths: they give these to `url()`.
    """

    menu: tuple[tuple[str, str], ...]
    """The main menu, as (text, site path)."""
    follow: tuple[tuple[str, str], ...]
    """Feeds and calendars to follow, in the footer."""
    more: tuple[tuple[str, str], ...]
    """Lists that are not in the menu (publications, people), in the footer."""
    data: tuple[tuple[str, str], ...]
    """The open-data files, by their Danish names."""
    lists: Mapping[str, str]
    """Each kind's list of all its entries, by the kind's collection: `lists.columns`."""
    home: str = HOME
    regions: str = REGIONS
    """The list of the KKR."""
    topics: str = TOPICS
    people: str = PEOPLE
    archive: str = ARCHIVE


@dataclass(frozen=True)
class SiteView:
    """What every page may read of the site (the templates' `site`): nothing else is global.

    A page's output depends only on its `Page`, this view and its templates: the rule
    incremental builds rely on. Anything else a page shows comes in its own context.
    """

    config: SiteConfig
    today: dt.date
    regions: tuple[Region, ...]


@dataclass(frozen=True)
class Plan:
    """Everything the site consists of, decided once from the model."""

    view: SiteView
    pages: tuple[Page, ...]
    feeds: tuple[Feed, ...]
    calendars: tuple[Calendar, ...]
    data: tuple[DataFile, ...]
    sitemap_url: str = SITEMAP
    robots_url: str = ROBOTS

    @property
    def sitemap_pages(self) -> tuple[Page, ...]:
        """The pages a search engine should know."""
        return tuple(p for p in self.pages if p.in_sitemap)


Crumbs = tuple[tuple[str, str], ...]
FRONT = ("Forside", HOME)
KKR = ("KKR", REGIONS)


def plan(site: Site) -> tuple[Plan, list[Problem]]:
    """Every page, feed, calendar and data file, in a stable order; URL collisions as problems."""
    feeds = _feeds(site)
    # A page names its feed by the feed's own title: one source for both.
    titles = {f.url: f.title for f in feeds}
    pages = [replace(p, feed_title=titles[p.feed]) if p.feed else p for p in _pages(site)]
    data = tuple(DataFile(data_url(name), name) for name, _ in data_files())
    result = Plan(site_view(site), tuple(pages), feeds, _calendars(site), data)
    return result, _collisions(result)


def site_view(site: Site) -> SiteView:
    """The part of the site every page may read."""
    return SiteView(site.config, site.today, site.regions)


def navigation() -> Navigation:
    """The main menu and the footer's links, the same on every page."""
    kinds = entry_kinds()
    in_menu = sorted((k for k in kinds if k.menu is not None), key=lambda k: k.menu or 0)
    return Navigation(
        menu=(
            FRONT,
            KKR,
            *((k.plural, kind_url(k)) for k in in_menu),
            ("Emner", TOPICS),
            ("Arkiv", ARCHIVE),
        ),
        follow=(
            ("Nyheder som RSS-feed", feed_url(HOME)),
            ("Alle møder som kalender (iCalendar)", calendar_url(None)),
            *((f"{k.plural} som RSS-feed", feed_url(kind_url(k))) for k in kinds if k.feed_title),
        ),
        more=(
            *((k.plural, kind_url(k)) for k in kinds if k.menu is None and not k.in_region),
            ("Personer", PEOPLE),
        ),
        data=tuple((label, data_url(name)) for name, label in data_files()),
        lists=MappingProxyType({k.collection: kind_url(k) for k in kinds}),
    )


# --- pages ---------------------------------------------------------------------------


def _pages(site: Site) -> list[Page]:
    """Every HTML page, in the order the sitemap lists them."""
    today = site.today
    upcoming = _upcoming(site.meetings, today)
    upcoming_in = {
        r.slug: _upcoming(site.indexes.meetings_by_region.get(r.slug, ()), today)
        for r in site.regions
    }
    pages = _front_pages(site, upcoming, upcoming_in)
    for region in site.regions:
        pages += _region_pages(site, region, upcoming_in[region.slug])
    for kind in entry_kinds():
        pages += _kind_pages(site, kind)
    pages += _topic_pages(site)
    pages += _people_pages(site)
    pages += _archive(site)
    pages.append(Page(NOT_FOUND, "404.html", "Siden findes ikke", {}, (), in_sitemap=False))
    return pages


def _front_pages(
    site: Site, upcoming: tuple[Meeting, ...], upcoming_in: Mapping[str, tuple[Meeting, ...]]
) -> list[Page]:
    """The front page and the overviews across all regions."""
    dated_today = tuple(e for e in site.entries if e.sort_date <= site.today)
    front = {
        "next_meetings": upcoming[:5],
        "latest_columns": site.columns[:5],
        "latest": dated_today[:8],
    }
    next_by_region = {slug: next(iter(ahead), None) for slug, ahead in upcoming_in.items()}
    agreements = tuple((r, site.indexes.agreements_by_region.get(r.slug, ())) for r in site.regions)
    return [
        Page(HOME, "index.html", site.config.title, front, feed=feed_url(HOME)),
        Page(
            REGIONS,
            "regions.html",
            "Kommunekontaktrådene",
            {"next_meeting": next_by_region},
            (FRONT,),
        ),
        Page(
            kind_url(Meeting.KIND),
            "meetings_overview.html",
            Meeting.KIND.plural,
            {
                "next_meetings": upcoming,
                "calendar": calendar_url(None),
                "meetings_by_region": site.indexes.meetings_by_region,
            },
            (FRONT,),
        ),
        Page(
            kind_url(Agreement.KIND),
            "agreements_overview.html",
            Agreement.KIND.plural,
            {"by_region": agreements},
            (FRONT,),
        ),
    ]


def _region_pages(site: Site, region: Region, upcoming: tuple[Meeting, ...]) -> list[Page]:
    """A region's page and its lists; `upcoming` are its meetings ahead, soonest first."""
    today = site.today
    meetings = site.indexes.meetings_by_region.get(region.slug, ())
    agreements = site.indexes.agreements_by_region.get(region.slug, ())
    ahead = {id(m) for m in upcoming}
    earlier = tuple(m for m in meetings if id(m) not in ahead)
    term = region.term_on(today)
    latest = region.latest_term_on(today)
    base = url_of(region)
    crumbs = (FRONT, KKR)
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
        "appointments": tuple(
            sorted(region.appointments, key=lambda a: _period_order(a.period), reverse=True)
        ),
        "latest": tuple(
            e for e in site.indexes.entries_by_region.get(region.slug, ()) if not e.kind.in_region
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


def _kind_pages(site: Site, kind: EntryKind) -> list[Page]:
    """One page per entry of a kind; a kind not in regions also has its list, paginated."""
    entries = site.of_kind(kind)
    pages = []
    if not kind.in_region:
        base = kind_url(kind)
        feed = feed_url(base) if kind.feed_title else None
        pages += _paginated(base, kind.list_template, kind.plural, entries, {}, (FRONT,), feed=feed)
    for entry in entries:
        if kind.in_region:
            region = entry.in_regions[0]
            crumbs = (*_in_region(region), (kind.plural, kind_url(kind, region)))
        else:
            crumbs = (FRONT, (kind.plural, kind_url(kind)))
        context = {kind.name: entry}
        pages.append(
            Page(url_of(entry), kind.page_template, entry.title, context, crumbs, entry.origin)
        )
    return pages


def _topic_pages(site: Site) -> list[Page]:
    """The list of topics, and each topic's entries, paginated."""
    by_topic = site.indexes.entries_by_topic
    counts = tuple((t, len(by_topic.get(t.slug, ()))) for t in site.topics)
    pages = [Page(TOPICS, "topics.html", "Emner", {"topics": counts}, (FRONT,))]
    for topic in site.topics:
        pages += _paginated(
            url_of(topic),
            "topic.html",
            topic.name,
            by_topic.get(topic.slug, ()),
            {"topic": topic},
            (FRONT, ("Emner", TOPICS)),
            topic.origin,
            feed=feed_url(url_of(topic)),
        )
    return pages


def _people_pages(site: Site) -> list[Page]:
    """The list of people, and each person's roles, appointments and columns."""
    people = {
        "people": _alphabetical(site.people),
        "roles_by_person": site.indexes.roles_by_person,
    }
    pages = [Page(PEOPLE, "people.html", "Personer", people, (FRONT,))]
    for person in site.people:
        context = {
            "person": person,
            "roles": _by_period(site.indexes.roles_by_person.get(person.slug, ())),
            "appointments": site.indexes.appointments_by_person.get(person.slug, ()),
            "columns": site.indexes.columns_by_person.get(person.slug, ()),
        }
        crumbs = (FRONT, ("Personer", PEOPLE))
        pages.append(
            Page(url_of(person), "person.html", person.name, context, crumbs, person.origin)
        )
    return pages


T = TypeVar("T")


def _by_year(
    items: tuple[T, ...], year: Callable[[T], int]
) -> tuple[tuple[int, tuple[T, ...]], ...]:
    """Items grouped by year, newest year first, each group in the order given."""
    years: dict[int, list[T]] = {}
    for item in items:
        years.setdefault(year(item), []).append(item)
    return tuple((y, tuple(years[y])) for y in sorted(years, reverse=True))


def _period_order(period: Period) -> tuple[int, int]:
    """Election periods in time order: by first year, then last."""
    return (period.start, period.end)


def _by_period(roles: tuple[Role, ...]) -> tuple[tuple[Period, tuple[Role, ...]], ...]:
    """Roles grouped by election period, newest period first, each group in the order given."""
    periods: dict[Period, list[Role]] = {}
    for role in roles:
        periods.setdefault(role.period, []).append(role)
    newest = sorted(periods, key=_period_order, reverse=True)
    return tuple((p, tuple(periods[p])) for p in newest)


def _alphabetical(people: tuple[Person, ...]) -> tuple[Person, ...]:
    """People by name, upper and lower case alike ("de Vries" before "Hansen")."""
    return tuple(sorted(people, key=lambda p: p.name.lower()))


def _archive(site: Site) -> list[Page]:
    """/arkiv/ lists the years; /arkiv/<year>/ everything dated in that year, by month."""
    by_year = _by_year(
        tuple(e for e in site.entries if e.sort_date <= site.today), lambda e: e.sort_date.year
    )
    pages = [
        Page(
            ARCHIVE,
            "archive.html",
            "Arkiv",
            {"years": tuple((y, len(es)) for y, es in by_year)},
            (FRONT,),
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
                year_url(year),
                "archive_year.html",
                f"Arkiv {year}",
                context,
                (FRONT, ("Arkiv", ARCHIVE)),
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

    pages = []
    for n, chunk in enumerate(chunks, start=1):
        pagination = Pagination(
            n,
            len(chunks),
            page_url(base, n - 1) if n > 1 else None,
            page_url(base, n + 1) if n < len(chunks) else None,
        )
        page_title = title if n == 1 else f"{title} – side {n}"
        page_crumbs = crumbs if n == 1 else (*crumbs, (title, base))
        pages.append(
            Page(
                page_url(base, n),
                template,
                page_title,
                {**context, "items": chunk, "pagination": pagination},
                page_crumbs,
                origin,
                feed=feed,
            )
        )
    return pages


# --- feeds and calendars ------------------------------------------------------------


def _feeds(site: Site) -> tuple[Feed, ...]:
    """The site's feed, each feed-bearing kind's, each region's and each topic's."""

    def feed(url: str, title: str, description: str, page: str, entries: tuple[Entry, ...]) -> Feed:
        return _feed(url, title, description, page, entries, site.today)

    feeds = [feed(feed_url(HOME), site.config.title, site.config.description, HOME, site.entries)]
    for kind in entry_kinds():
        if kind.feed_title:
            base = kind_url(kind)
            description = f"{kind.feed_title}, nyeste først."
            feeds.append(
                feed(feed_url(base), kind.feed_title, description, base, site.of_kind(kind))
            )
    for region in site.regions:
        feeds.append(
            feed(
                feed_url(url_of(region)),
                region.name,
                f"Møder, rammeaftaler, klummer og publikationer fra {region.name}.",
                url_of(region),
                site.indexes.entries_by_region.get(region.slug, ()),
            )
        )
    for topic in site.topics:
        feeds.append(
            feed(
                feed_url(url_of(topic)),
                f"{topic.name} – KKR",
                topic.description or f"Alt om {topic.name}.",
                url_of(topic),
                site.indexes.entries_by_topic.get(topic.slug, ()),
            )
        )
    return tuple(feeds)


def _feed(
    url: str, title: str, description: str, page: str, entries: tuple[Entry, ...], today: dt.date
) -> Feed:
    """The newest FEED_SIZE entries up to today; ties on date broken by URL.

    A planned meeting enters the feed on its day: an item dated in the future
    is implausible to feed readers and validators.
    """
    ordered = newest_first((e for e in entries if e.sort_date <= today), url_of)
    return Feed(url, title, description, page, tuple(ordered[:FEED_SIZE]))


def _calendars(site: Site) -> tuple[Calendar, ...]:
    """All meetings, and each region's."""
    calendars = [Calendar(calendar_url(None), "Møder i alle KKR", _chronological(site.meetings))]
    calendars += [
        Calendar(
            calendar_url(r),
            f"Møder i {r.name}",
            _chronological(site.indexes.meetings_by_region.get(r.slug, ())),
        )
        for r in site.regions
    ]
    return tuple(calendars)


def _chronological(meetings: tuple[Meeting, ...]) -> tuple[Meeting, ...]:
    return tuple(sorted(meetings, key=lambda m: (m.published, url_of(m))))


def _in_region(region: Region) -> Crumbs:
    return (FRONT, KKR, (region.name, url_of(region)))


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
