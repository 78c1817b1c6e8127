"""Every check on a built site (`check --links`): pages and sitemap, then feeds and calendars."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

from kkrsite.errors import Problem
from kkrsite.feedcheck import check_calendar, check_feed
from kkrsite.pagecheck import check_links, check_sitemap


def check_site(build: Path, base_url: str) -> list[Problem]:
    """Every check on a built site: pages (links, script), sitemap, each feed, each calendar."""
    problems = check_links(build, base_url) + check_sitemap(build, base_url)
    for feed in sorted(build.rglob("feed.xml")):
        problems += check_feed(
            feed, urljoin(base_url, feed.relative_to(build).as_posix()), base_url
        )
    for calendar in sorted(build.rglob("*.ics")):
        problems += check_calendar(calendar)
    return problems
