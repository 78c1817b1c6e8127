"""Step 3, routes: the one module that decides every URL, and which pages the site has.

A URL here is site-relative and ends in `/` for a page (`/kkr/hovedstaden/`);
the render step adds the path of base_url. Two sources claiming one URL are
reported together, each naming the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kkrsite.errors import Problem, display_path
from kkrsite.model.entities import (
    Agreement,
    Column,
    Document,
    Meeting,
    MeetingStatus,
    Origin,
    Person,
    Publication,
    Region,
    Site,
    Topic,
)

FILES_PREFIX = "/filer/"
ASSETS_PREFIX = "/assets/"

Routable = Region | Meeting | Agreement | Column | Publication | Person | Topic


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
class Page:
    """One page to render: where it goes, with which template and data."""

    url: str
    template: str
    title: str
    context: Mapping[str, Any] = field(default_factory=dict)
    breadcrumbs: tuple[tuple[str, str], ...] = ()
    """(title, url) from the front page down, not including this page."""
    origin: Origin | None = None
    """The content file the page is made from, if one: named when two pages collide."""


HOME = ("Forside", "/")


def plan(site: Site) -> tuple[list[Page], list[Problem]]:
    """Every page of the site, in a stable order, and a problem for every URL claimed twice."""
    today = site.today
    pages = [
        Page(
            "/",
            "index.html",
            site.config.title,
            {
                "next_meetings": _upcoming(site.meetings, today)[:5],
                "latest_columns": site.columns[:5],
                "latest": tuple(e for e in site.entries if e.sort_date <= today)[:8],
            },
        )
    ]
    for region in site.regions:
        meetings = site.meetings_by_region.get(region.slug, ())
        upcoming = _upcoming(meetings, today)
        term = region.term_on(today)
        latest = region.latest_term_on(today)
        pages.append(
            Page(
                url_of(region),
                "region.html",
                region.name,
                {
                    "region": region,
                    "term": term,
                    "latest_term": latest,
                    "earlier_terms": tuple(
                        t
                        for t in reversed(region.terms)
                        if t.period.end < today.year and t is not latest
                    ),
                    "next_meetings": upcoming,
                    "held_meetings": tuple(
                        m for m in meetings if all(m is not u for u in upcoming)
                    ),
                    "agreements": site.agreements_by_region.get(region.slug, ()),
                    "latest": tuple(
                        e
                        for e in site.entries_by_region.get(region.slug, ())
                        if isinstance(e, (Column, Publication))
                    )[:10],
                },
                (HOME,),
                region.origin,
            )
        )
    for meeting in site.meetings:
        pages.append(
            _entry_page(meeting, "meeting.html", {"meeting": meeting}, _in_region(meeting.region))
        )
    for agreement in site.agreements:
        pages.append(
            _entry_page(
                agreement, "agreement.html", {"agreement": agreement}, _in_region(agreement.region)
            )
        )
    for column in site.columns:
        pages.append(_entry_page(column, "column.html", {"column": column}, (HOME,)))
    for publication in site.publications:
        pages.append(
            _entry_page(publication, "publication.html", {"publication": publication}, (HOME,))
        )
    for person in site.people:
        context = {
            "person": person,
            "roles": site.roles_by_person.get(person.slug, ()),
            "appointments": site.appointments_by_person.get(person.slug, ()),
            "columns": site.columns_by_person.get(person.slug, ()),
        }
        pages.append(
            Page(url_of(person), "person.html", person.name, context, (HOME,), person.origin)
        )
    return pages, _collisions(pages)


def _in_region(region: Region) -> tuple[tuple[str, str], ...]:
    return (HOME, (region.name, url_of(region)))


def _entry_page(
    entry: Meeting | Agreement | Column | Publication,
    template: str,
    context: dict[str, Any],
    breadcrumbs: tuple[tuple[str, str], ...],
) -> Page:
    return Page(url_of(entry), template, entry.title, context, breadcrumbs, entry.origin)


def _upcoming(meetings: tuple[Meeting, ...], today: Any) -> tuple[Meeting, ...]:
    """Planned meetings from today on, soonest first."""
    ahead = [m for m in meetings if m.date >= today and m.status is not MeetingStatus.HELD]
    return tuple(sorted(ahead, key=lambda m: (m.date, m.time or m.date, m.region.slug, m.slug)))


def _collisions(pages: list[Page]) -> list[Problem]:
    claims: defaultdict[str, list[Page]] = defaultdict(list)
    for page in pages:
        claims[page.url].append(page)
    problems = []
    cwd = Path.cwd()
    for url, claimants in claims.items():
        if len(claimants) < 2:
            continue
        for page in claimants:
            others = [
                display_path(p.origin.path, cwd) for p in claimants if p is not page and p.origin
            ]
            if page.origin is None:
                continue
            problems.append(
                Problem(
                    page.origin.path,
                    page.origin.line,
                    f"the URL {url} is also claimed by {', '.join(others)}: "
                    "give one of them another slug (set `slug:` or rename the file)",
                )
            )
    return problems
