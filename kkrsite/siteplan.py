"""The plan's value types: what the site consists of, as plain frozen values.

`routes.plan` makes them from the model; the render step and the writers read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kkrsite.model.entities import Entry, Meeting
from kkrsite.model.shared import Origin, Region, SiteConfig
from kkrsite.urls import ARCHIVE, HOME, PEOPLE, REGIONS, ROBOTS, SITEMAP, TOPICS

Crumbs = tuple[tuple[str, str], ...]
"""Breadcrumbs: (title, site path) from the front page down."""


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
    breadcrumbs: Crumbs = ()
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
