"""Step 3, routes: which pages, feeds, calendars and data files the site has, decided once.

`plan` reads the model and lays out the site in named steps — pages (`kkrsite/pages.py`),
feeds, calendars, open data, navigation — each a plain value (`kkrsite/siteplan.py`) the
render step and the writers consume. URLs come from `kkrsite/urls.py`. Two sources
claiming one URL are reported together, each naming the other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from kkrsite.errors import Problem, display_path
from kkrsite.model.entities import Entry, Meeting, Site, entry_kinds, newest_first
from kkrsite.pages import FRONT, KKR, EntryPages, plan_pages
from kkrsite.siteplan import Calendar, DataFile, Feed, Navigation, Page, Plan, SiteView
from kkrsite.urls import (
    ARCHIVE,
    HOME,
    PEOPLE,
    TOPICS,
    calendar_url,
    data_url,
    feed_url,
    kind_url,
    url_of,
)

FEED_SIZE = 50
"""Items in a feed: the newest."""


def data_files() -> tuple[tuple[str, str], ...]:
    """The open-data files under /data/: (name, label), a file for each kind of entry."""
    kinds = tuple((k.collection, k.plural.lower()) for k in entry_kinds())
    return (("regions", "KKR"), ("people", "personer"), *kinds, ("topics", "emner"))


def plan(site: Site, entry_pages: EntryPages | None = None) -> tuple[Plan, list[Problem]]:
    """Every page, feed, calendar and data file, in a stable order; URL collisions as problems.

    `entry_pages` keeps the entry pages of the last plan, for entries that are the same.
    """
    feeds = _feeds(site)
    # A page names its feed by the feed's own title: one source for both.
    titles = {f.url: f.title for f in feeds}
    planned = plan_pages(site, entry_pages)
    pages = [replace(p, feed_title=titles[p.feed]) if p.feed else p for p in planned]
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
    ordered = newest_first((e for e in entries if e.sort_date <= today), url_of, FEED_SIZE)
    return Feed(url, title, description, page, tuple(ordered))


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
