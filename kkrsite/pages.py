"""Step 3, routes: the HTML pages, each with its URL, template, data and breadcrumbs.

Lists of entries are paginated by PAGE_SIZE; `routes.plan` takes the pages from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from kkrsite.digest import Remembered
from kkrsite.kinds import EntryKind
from kkrsite.model.entities import Agreement, Entry, Meeting, MeetingStatus, Role, Site, entry_kinds
from kkrsite.model.shared import Origin, Period, Person, Region
from kkrsite.siteplan import Crumbs, Page, Pagination
from kkrsite.urls import (
    ARCHIVE,
    HOME,
    NOT_FOUND,
    PEOPLE,
    REGIONS,
    TOPICS,
    agreements_url,
    calendar_url,
    feed_url,
    kind_url,
    meetings_url,
    page_url,
    url_of,
    year_url,
)

PAGE_SIZE = 20
"""Entries a listing page shows before it continues at /…/side/2/."""

FRONT = ("Forside", HOME)
KKR = ("KKR", REGIONS)


EntryPages = Remembered[int, Page]
"""Entry pages by their entry (kept by `kkrsite serve`): an entry's page is a function
of the entry alone, so the same entry object has the same page object."""


def plan_pages(site: Site, entry_pages: EntryPages | None = None) -> list[Page]:
    """Every HTML page, in the order the sitemap lists them."""
    if entry_pages is not None:
        entry_pages.next_build()  # only the pages of this plan's entries are kept
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
        pages += _kind_pages(site, kind, entry_pages)
    pages += _topic_pages(site)
    pages += _people_pages(site)
    pages += _archive(site)
    pages.append(Page(NOT_FOUND, "404.html", "Siden findes ikke", {}, (), in_sitemap=False))
    return pages


def _front_pages(
    site: Site, upcoming: tuple[Meeting, ...], upcoming_in: Mapping[str, tuple[Meeting, ...]]
) -> list[Page]:
    """The front page and the overviews across all regions."""
    dated_today = _dated_today(site)
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
    here = _in_region(region)
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


def _kind_pages(site: Site, kind: EntryKind, entry_pages: EntryPages | None) -> list[Page]:
    """One page per entry of a kind; a kind not in regions also has its list, paginated."""
    entries = site.of_kind(kind)
    pages = []
    if not kind.in_region:
        base = kind_url(kind)
        feed = feed_url(base) if kind.feed_title else None
        pages += _paginated(base, kind.list_template, kind.plural, entries, {}, (FRONT,), feed=feed)
    for entry in entries:
        known = entry_pages.get(id(entry)) if entry_pages is not None else None
        if known is not None:
            pages.append(known[1])
            continue
        page = _entry_page(kind, entry)
        if entry_pages is not None:
            entry_pages.put(id(entry), (entry, page))
        pages.append(page)
    return pages


def _entry_page(kind: EntryKind, entry: Entry) -> Page:
    """An entry's own page: from the entry alone."""
    if kind.in_region:
        region = entry.in_regions[0]
        crumbs = (*_in_region(region), (kind.plural, kind_url(kind, region)))
    else:
        crumbs = (FRONT, (kind.plural, kind_url(kind)))
    context = {kind.name: entry}
    return Page(url_of(entry), kind.page_template, entry.title, context, crumbs, entry.origin)


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
K = TypeVar("K")


def _newest_groups(
    items: tuple[T, ...], key: Callable[[T], K], order: Callable[[K], Any]
) -> tuple[tuple[K, tuple[T, ...]], ...]:
    """Items grouped by `key`, the group last in `order` first, each group in the order given."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return tuple((k, tuple(groups[k])) for k in sorted(groups, key=order, reverse=True))


def _by_year(
    items: tuple[T, ...], year: Callable[[T], int]
) -> tuple[tuple[int, tuple[T, ...]], ...]:
    """Items grouped by year, newest year first, each group in the order given."""
    return _newest_groups(items, year, lambda y: y)


def _period_order(period: Period) -> tuple[int, int]:
    """Election periods in time order: by first year, then last."""
    return (period.start, period.end)


def _by_period(roles: tuple[Role, ...]) -> tuple[tuple[Period, tuple[Role, ...]], ...]:
    """Roles grouped by election period, newest period first, each group in the order given."""
    return _newest_groups(roles, lambda r: r.period, _period_order)


def _alphabetical(people: tuple[Person, ...]) -> tuple[Person, ...]:
    """People by name, upper and lower case alike ("de Vries" before "Hansen")."""
    return tuple(sorted(people, key=lambda p: p.name.lower()))


def _archive(site: Site) -> list[Page]:
    """/arkiv/ lists the years; /arkiv/<year>/ everything dated in that year, by month."""
    by_year = _by_year(_dated_today(site), lambda e: e.sort_date.year)
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
        months = _newest_groups(entries, lambda e: e.sort_date.month, lambda m: m)
        context = {
            "year": year,
            "months": tuple((dt.date(year, m, 1), es) for m, es in months),
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


def _dated_today(site: Site) -> tuple[Entry, ...]:
    """The site's entries dated up to today, in the site's order."""
    return tuple(e for e in site.entries if e.sort_date <= site.today)


def _in_region(region: Region) -> Crumbs:
    return (FRONT, KKR, (region.name, url_of(region)))


def _upcoming(meetings: tuple[Meeting, ...], today: dt.date) -> tuple[Meeting, ...]:
    """Meetings from today on that are not marked held, soonest first."""
    ahead = [m for m in meetings if m.date >= today and m.status is not MeetingStatus.HELD]
    return tuple(sorted(ahead, key=lambda m: (m.published, m.region.slug, m.slug)))
