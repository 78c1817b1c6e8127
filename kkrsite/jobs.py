"""Every output file as a job: its path, the digest of everything it is made from, and how.

The rule incremental builds rest on (see docs/architecture.md): an output file is
a function of the values its job names, so two jobs with the same key make the
same bytes, and a file whose key did not change is not made again.

- a page: its `Page` value (URL, template name, title, context, breadcrumbs, feed),
  the site-wide `SiteView` every template may read, and the source of its template
  and of every template that one extends, includes or imports;
- a feed or calendar: its value and the site's settings;
- an open-data file: the part of the model it lists (`opendata.data_inputs`);
- the sitemap and robots.txt: every page's URL and the site's settings;
- a copied attachment or asset: the source file's size, time and inode on disk.

Every key also holds the salt: kkrsite's own code, the versions of the libraries
that shape the output, and the build's options.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from kkrsite import calendars, feeds, opendata, sitemap
from kkrsite.config import Options
from kkrsite.digest import Digests, digest
from kkrsite.model.entities import Site
from kkrsite.render import Renderer
from kkrsite.siteplan import Page, Plan
from kkrsite.urls import output_file

LIBRARIES = (
    "jinja2",
    "markupsafe",
    "markdown-it-py",
    "markdown-it-pyrs",
    "nh3",
    "babel",
    "icalendar",
    "tzdata",
)
"""The libraries whose version can change a byte of the output."""


@dataclass(frozen=True)
class Job:
    """One generated output file: a page to render, or bytes a writer makes."""

    path: str
    """Where it goes, relative to the output folder."""
    key: str
    """The digest of everything the file is made from (hex)."""
    page: Page | None = None
    """The page to render, for an HTML page."""
    make: Callable[[], bytes] | None = None
    """What writes the file, for a feed, calendar, data file, sitemap or robots.txt."""


def salt(options: Options) -> str:
    """The digest of kkrsite's code, the libraries' versions and the options of a build."""
    options_used = (
        str(options.content.absolute()),
        str(options.templates.absolute()) if options.templates else None,
        options.drafts,
        options.future,
        options.base_url,
    )
    versions = tuple((name, _version(name)) for name in LIBRARIES)
    return digest((_code_digest(), versions, options_used)).hex()


def plan_jobs(site: Site, plan: Plan, renderer: Renderer, salted: str) -> list[Job]:
    """Every generated file of the site, pages first, each with its key."""
    d = renderer.digests
    config, links = d.of(site.config), renderer.links

    def key(*parts: bytes | str) -> str:
        return _key(d, salted, *parts)

    view = d.of(plan.view)
    jobs = [page_job(page, view, renderer, salted) for page in plan.pages]
    jobs += [
        Job(
            output_file(feed.url),
            key("feed", config, d.of(feed)),
            make=partial(feeds.write_rss, feed, links, renderer.feed_html, site.config),
        )
        for feed in plan.feeds
    ]
    jobs += [
        Job(
            output_file(cal.url),
            key("calendar", config, d.of(cal)),
            make=partial(calendars.write_ics, cal, links),
        )
        for cal in plan.calendars
    ]
    jobs += [
        Job(
            output_file(data.url),
            key("data", config, d.of(data), d.without(*opendata.data_inputs(data.name, site))),
            make=partial(opendata.write_data, data.name, site, links),
        )
        for data in plan.data
    ]
    urls = tuple(page.url for page in plan.sitemap_pages)
    jobs += [
        Job(
            output_file(plan.sitemap_url),
            key("sitemap", config, d.of(urls)),
            make=lambda: sitemap.write_sitemap(plan.sitemap_pages, links),
        ),
        Job(
            output_file(plan.robots_url),
            key("robots", config, plan.sitemap_url),
            make=lambda: sitemap.write_robots(links.absolute_url(plan.sitemap_url)),
        ),
    ]
    return jobs


def page_job(page: Page, view: bytes, renderer: Renderer, salted: str) -> Job:
    """A page's job; `view` is the digest of the plan's `SiteView`."""
    d = renderer.digests
    template = renderer.template_key(page.template)
    return Job(output_file(page.url), _key(d, salted, "page", view, template, d.of(page)), page)


def _key(d: Digests, salted: str, *parts: bytes | str) -> str:
    """A job's key: the digest of its parts and the salt."""
    return d.of_parts(salted, *parts).hex()


def copy_key(salted: str, source_stat: Sequence[int] | None) -> str:
    """The key of a copied file: the look on disk of its source."""
    return digest((salted, "copy", tuple(source_stat) if source_stat else None)).hex()


@cache
def _code_digest() -> bytes:
    """kkrsite's own Python code: a changed kkrsite (even at the same version) starts clean."""
    package = Path(__file__).resolve().parent
    files = sorted(package.rglob("*.py"))
    return digest(tuple((p.relative_to(package).as_posix(), p.read_bytes()) for p in files))


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"
