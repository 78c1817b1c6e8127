"""Checks on a built site: links resolve, pages are in the sitemap, feeds and calendars are valid.

These read build/ as a reader's browser and a search engine would, so they
catch what no single template test sees: a link to a page that was never made.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import icalendar

from kkrsite.errors import Problem

_LINKING = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src")}


class _Links(HTMLParser):
    """Collects every URL a page links to or loads, with its line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in _LINKING and value is not None:
                self.found.append((value, self.getpos()[0]))


def html_files(build: Path) -> Iterator[Path]:
    """Every HTML page under build/, in a stable order."""
    yield from sorted(build.rglob("*.html"))


def target_of(url: str, page_url: str, base_url: str, build: Path) -> Path | None:
    """The file an internal link points to, or None for a link off the site."""
    absolute = urljoin(urljoin(base_url, page_url), url)
    parts, base = urlsplit(absolute), urlsplit(base_url)
    if parts.scheme not in ("http", "https", "") or parts.netloc != base.netloc:
        return None
    if not parts.path.startswith(base.path):
        return None
    rel = unquote(parts.path[len(base.path) :])
    path = build / rel
    return path / "index.html" if rel == "" or rel.endswith("/") else path


def page_url(build: Path, path: Path) -> str:
    """The site-relative URL a file is served at: `kkr/x/index.html` → `/kkr/x/`."""
    rel = path.relative_to(build).as_posix()
    return "/" + rel.removesuffix("index.html")


def check_links(build: Path, base_url: str) -> list[Problem]:
    """A problem for every internal link or asset that does not exist in build/."""
    problems = []
    for path in html_files(build):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        here = page_url(build, path).lstrip("/")
        for url, line in parser.found:
            if url.startswith(("#", "mailto:", "tel:", "webcal:")):
                continue
            target = target_of(url, here, base_url, build)
            if target is not None and not target.is_file():
                problems.append(
                    Problem(path, line, f"broken link: {url} (no {target.relative_to(build)})")
                )
    return problems


def check_sitemap(build: Path, base_url: str) -> list[Problem]:
    """A problem for every page missing from sitemap.xml, and every sitemap URL with no page."""
    sitemap = build / "sitemap.xml"
    if not sitemap.is_file():
        return [Problem(sitemap, None, "there is no sitemap.xml")]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {e.text or "" for e in ET.parse(sitemap).getroot().findall("s:url/s:loc", ns)}
    pages = {
        urljoin(base_url, page_url(build, p).lstrip("/")): p
        for p in html_files(build)
        if p.name == "index.html"
    }
    problems = [
        Problem(path, None, f"page {url} is not in sitemap.xml")
        for url, path in sorted(pages.items())
        if url not in listed
    ]
    problems += [
        Problem(sitemap, None, f"{url} is listed but no page exists")
        for url in sorted(listed - set(pages))
    ]
    return problems


# --- feeds -----------------------------------------------------------------------------

_ATOM = "{http://www.w3.org/2005/Atom}"
_RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
)
_TAG = re.compile(r"<[a-zA-Z/!]")
_UNSAFE = re.compile(r"<script|<iframe|\son[a-z]+\s*=|javascript:|data:text/html", re.IGNORECASE)
_URL_ATTR = re.compile(r'\b(?:href|src)="([^"]*)"')


def _rfc822(text: str | None) -> dt.datetime | None:
    """An RFC 822 date as feed validators read it: English names, the weekday right."""
    if not text or not _RFC822.match(text):
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.strftime("%a") == text[:3] else None


def check_feed(path: Path, feed_url: str, base_url: str) -> list[Problem]:
    """The rules of the W3C feed validator that a generator can get wrong, for one RSS 2.0 file."""
    problems: list[Problem] = []

    def bad(message: str) -> None:
        problems.append(Problem(path, None, message))

    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        return [Problem(path, exc.position[0], f"not well-formed XML: {exc}")]
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        return [
            Problem(
                path,
                1,
                'not an RSS 2.0 feed: the root must be <rss version="2.0"> with a <channel>',
            )
        ]
    for name in ("title", "link", "description"):
        if not (channel.findtext(name) or "").strip():
            bad(f"the channel has no {name}")
    if not (channel.findtext("link") or "").startswith(base_url):
        bad(f"the channel link must be an absolute URL on {base_url}")
    if not re.fullmatch(r"[a-z]{2}(-[a-z]{2})?", channel.findtext("language") or ""):
        bad("the channel has no valid language (e.g. da)")
    selves = [a for a in channel.findall(f"{_ATOM}link") if a.get("rel") == "self"]
    if len(selves) != 1 or selves[0].get("href") != feed_url:
        bad(f'the channel needs one atom:link rel="self" with href="{feed_url}"')
    dates: list[dt.datetime] = []
    guids: set[str] = set()
    for index, item in enumerate(channel.findall("item"), start=1):
        where = f"item {index}"
        title, link = item.findtext("title") or "", item.findtext("link") or ""
        guid = item.find("guid")
        if not title.strip() and not (item.findtext("description") or "").strip():
            bad(f"{where} has neither title nor description")
        if _TAG.search(title):
            bad(f"{where} has markup in its title; titles are plain text")
        if not link.startswith(base_url):
            bad(f"{where} link {link!r} is not an absolute URL on {base_url}")
        if guid is None or not (guid.text or "").strip():
            bad(f"{where} has no guid")
        else:
            value = (guid.text or "").strip()
            if value in guids:
                bad(f"{where} repeats the guid {value}")
            guids.add(value)
            if guid.get("isPermaLink", "true") == "true" and not value.startswith(base_url):
                bad(f"{where} guid {value!r} is a permalink but not an absolute URL on {base_url}")
        moment = _rfc822(item.findtext("pubDate"))
        if moment is None:
            bad(f"{where} pubDate {item.findtext('pubDate')!r} is not an RFC 822 date")
        else:
            dates.append(moment)
        description = item.findtext("description") or ""
        if _UNSAFE.search(description):
            bad(f"{where} description contains script or an event handler")
        relative = [u for u in _URL_ATTR.findall(description) if not urlsplit(u).scheme]
        if relative:
            bad(
                f"{where} description has relative URLs ({relative[0]}); readers need absolute ones"
            )
    last = channel.findtext("lastBuildDate")
    if dates and (last is None or _rfc822(last) != max(dates)):
        bad("lastBuildDate must be the newest item's pubDate (not the build's clock)")
    return problems


# --- calendars --------------------------------------------------------------------------


def check_calendar(path: Path) -> list[Problem]:
    """RFC 5545 essentials: it parses, and every event has what clients need."""
    try:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
    except ValueError as exc:
        return [Problem(path, None, f"does not parse as iCalendar: {exc}")]
    problems = [
        Problem(path, None, f"the calendar has no {name}")
        for name in ("VERSION", "PRODID")
        if name not in calendar
    ]
    zones = {str(tz.get("TZID")) for tz in calendar.walk("VTIMEZONE")}
    uids: set[str] = set()
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", ""))
        for name in ("UID", "DTSTAMP", "DTSTART"):
            if name not in event:
                problems.append(Problem(path, None, f"event {uid or '?'} has no {name}"))
        if uid in uids:
            problems.append(Problem(path, None, f"the UID {uid} is used twice"))
        uids.add(uid)
        start = event.get("DTSTART")
        tzid = start.params.get("TZID") if start is not None else None
        if tzid and tzid not in zones:
            problems.append(Problem(path, None, f"event {uid} uses TZID {tzid} with no VTIMEZONE"))
        end = event.get("DTEND")
        if start is not None and end is not None and not end.dt > start.dt:
            problems.append(Problem(path, None, f"event {uid} ends before it starts"))
    return problems


def check_site(build: Path, base_url: str) -> list[Problem]:
    """Every check on a built site: links, sitemap, each feed, each calendar."""
    problems = check_links(build, base_url) + check_sitemap(build, base_url)
    for feed in sorted(build.rglob("feed.xml")):
        problems += check_feed(
            feed, urljoin(base_url, feed.relative_to(build).as_posix()), base_url
        )
    for calendar in sorted(build.rglob("*.ics")):
        problems += check_calendar(calendar)
    return problems
