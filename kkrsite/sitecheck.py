"""Checks on a built site: links resolve, pages are in the sitemap, feeds and calendars are valid.

These read build/ as a reader's browser, a search engine and a feed reader would,
so they catch what no single template test sees: a link to a page that was never
made, or markup that would run script. Markup is judged by an HTML5 parse
(lexbor), the reading a browser makes, never by patterns in the text; feed
bodies are held to the sanitiser's own allow-list (kkrsite.htmlpolicy).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import icalendar
from selectolax.lexbor import LexborHTMLParser, LexborNode

from kkrsite.errors import Problem
from kkrsite.htmlpolicy import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    TABLE_WRAPPER,
    URL_SCHEMES,
)
from kkrsite.htmlscan import scan_tags

_LINKING = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src")}
"""The URLs a page links to or loads from the site: each must exist in build/."""
URL_ATTRIBUTES = frozenset({
    "action", "archive", "background", "cite", "classid", "codebase", "data", "dynsrc",
    "formaction", "href", "icon", "itemtype", "longdesc", "lowsrc", "manifest", "ping", "poster",
    "profile", "src", "srcset", "usemap", "xlink:href",
})  # fmt: skip
"""Attributes a browser reads a URL (srcset: several) from."""
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data"})
"""URL schemes that run script or open a document made by the URL itself."""
EMBEDDING = frozenset({"applet", "base", "embed", "frame", "frameset", "iframe", "object"})
"""Elements the site never uses: they load other documents into a page, or re-aim its links."""


def html_files(build: Path) -> Iterator[Path]:
    """Every HTML page under build/, in a stable order."""
    yield from sorted(build.rglob("*.html"))


def target_of(url: str, page_url: str, base_url: str, build: Path) -> Path | None:
    """The file an internal link points to, or None for a link off the site.

    Raises ValueError for a URL that does not parse (e.g. `http://[::1`).
    """
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


def scheme_of(url: str) -> str | None:
    """A URL's scheme, lower case, as a browser reads it ('' if relative, None if no URL).

    urlsplit strips what the URL standard strips first: leading and trailing
    spaces and control characters, and tabs and newlines anywhere (`java\\tscript:`).
    """
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return None


def _urls(attribute: str, value: str) -> list[str]:
    """The URLs in an attribute's value: one, or each candidate of a srcset."""
    if attribute != "srcset":
        return [value]
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


def _read_page(path: Path) -> tuple[str | None, Problem | None]:
    """A page's text, or the problem that it is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        return None, Problem(path, line, f"not UTF-8 (byte 0x{byte}): every page must be UTF-8")


class _Lines:
    """Lines of tags and attributes in a page, found by tokenizing it once, when first asked.

    lexbor's nodes carry no line; only pages with a problem pay for this pass.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.tags: dict[str, int] | None = None
        self.attributes: dict[tuple[str, str, str], int] = {}

    def _scan(self) -> dict[str, int]:
        if self.tags is None:
            self.tags = {}
            line, counted_to = 1, 0
            for tag in scan_tags(self.text):
                if tag.closing:
                    continue
                line += self.text.count("\n", counted_to, tag.offset)
                counted_to = tag.offset
                self.tags.setdefault(tag.name, line)
                for name, value in tag.attrs.items():
                    self.attributes.setdefault((tag.name, name, unescape(value)), line)
        return self.tags

    def of_tag(self, tag: str) -> int | None:
        """The line of the first start tag of this name."""
        return self._scan().get(tag)

    def of_attribute(self, tag: str, attribute: str, value: str) -> int | None:
        """The line of the first such tag with this attribute and value, else of the tag."""
        self._scan()
        return self.attributes.get((tag, attribute, value), self.of_tag(tag))


def check_links(build: Path, base_url: str) -> list[Problem]:
    """For every page: each internal link or asset exists in build/, and nothing runs script.

    Script is anything a browser would run that the site's templates never write:
    an inline event handler, a javascript:, vbscript: or data: URL, a script that is
    inline or from another site, or an element that embeds another document.
    """
    problems: list[Problem] = []
    for path in html_files(build):
        problems += _check_page(path, build, base_url)
    return problems


def _check_page(path: Path, build: Path, base_url: str) -> list[Problem]:
    text, unreadable = _read_page(path)
    if text is None:
        return [unreadable] if unreadable else []
    here = page_url(build, path).lstrip("/")
    lines = _Lines(text)
    problems: list[Problem] = []
    for node in LexborHTMLParser(text).css("*"):
        tag = node.tag or ""
        attributes = {name: value or "" for name, value in node.attributes.items()}
        if tag in EMBEDDING:
            problems.append(
                Problem(path, lines.of_tag(tag), f"<{tag}> in a page: the site never embeds one")
            )
        if tag == "script":
            problems += _check_script(path, attributes.get("src"), here, base_url, build, lines)
        for name, value in attributes.items():
            if name.startswith("on"):
                problems.append(
                    Problem(
                        path,
                        lines.of_attribute(tag, name, value),
                        f"inline event handler {name} on <{tag}>: the site runs no inline script",
                    )
                )
            elif name in URL_ATTRIBUTES:
                for url in _urls(name, value):
                    if scheme_of(url) in SCRIPT_SCHEMES:
                        problems.append(
                            Problem(
                                path,
                                lines.of_attribute(tag, name, value),
                                f"{scheme_of(url)}: URL in {name} on <{tag}>: {url[:80]!r}",
                            )
                        )
            if (tag, name) in _LINKING:
                problems += _check_link(path, value, tag, name, here, base_url, build, lines)
    return problems


def _check_script(
    path: Path, src: str | None, here: str, base_url: str, build: Path, lines: _Lines
) -> list[Problem]:
    if not src:
        return [Problem(path, lines.of_tag("script"), "inline <script>: the site runs none")]
    try:
        on_site = target_of(src, here, base_url, build) is not None
    except ValueError:
        on_site = False
    if on_site:
        return []
    return [
        Problem(
            path,
            lines.of_attribute("script", "src", src),
            f"<script> from another site: {src}",
        )
    ]


def _check_link(
    path: Path,
    url: str,
    tag: str,
    attribute: str,
    here: str,
    base_url: str,
    build: Path,
    lines: _Lines,
) -> list[Problem]:
    if url.startswith(("#", "mailto:", "tel:", "webcal:")):
        return []
    try:
        target = target_of(url, here, base_url, build)
    except ValueError:
        return [
            Problem(
                path, lines.of_attribute(tag, attribute, url), f"broken link: {url} is not a URL"
            )
        ]
    if target is None or target.is_file():
        return []
    line = lines.of_attribute(tag, attribute, url)
    return [Problem(path, line, f"broken link: {url} (no {target.relative_to(build)})")]


def check_sitemap(build: Path, base_url: str) -> list[Problem]:
    """A problem for every page missing from sitemap.xml, and every sitemap URL with no page."""
    sitemap = build / "sitemap.xml"
    if not sitemap.is_file():
        return [Problem(sitemap, None, "there is no sitemap.xml")]
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    try:
        root = ET.parse(sitemap).getroot()
    except ET.ParseError as exc:
        return [Problem(sitemap, exc.position[0], f"not well-formed XML: {exc}")]
    listed = {e.text or "" for e in root.findall("s:url/s:loc", ns)}
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
_WRAPPER = dict(TABLE_WRAPPER)


def _rfc822(text: str | None) -> dt.datetime | None:
    """An RFC 822 date as feed validators read it: English names, the weekday right."""
    if not text or not _RFC822.match(text):
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.strftime("%a") == text[:3] else None


def has_markup(text: str) -> bool:
    """Whether an HTML5 parser reads any element or comment in `text`."""
    root = LexborHTMLParser(text, is_fragment=True).root
    return root is not None and any(
        not node.is_text_node for node in root.traverse(include_text=True)
    )


def description_problems(html: str) -> list[str]:
    """What in a feed item's HTML the sanitiser would not have let through, or readers misread."""
    problems: list[str] = []
    for node in LexborHTMLParser(html, is_fragment=True).css("*"):
        problems += _element_problems(node)
    return problems


def _element_problems(node: LexborNode) -> list[str]:
    tag = node.tag or ""
    problems = []
    if tag == "script":
        problems.append("contains script (<script>)")
    elif tag not in ALLOWED_TAGS:
        problems.append(f"has <{tag}>, which the sanitiser does not allow")
    allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, frozenset())
    for name, value in node.attributes.items():
        value = value or ""
        if name.startswith("on"):
            problems.append(f"contains script (event handler {name} on <{tag}>)")
            continue
        for url in _urls(name, value) if name in URL_ATTRIBUTES else ():
            scheme = scheme_of(url)
            if scheme == "":
                problems.append(f"has relative URLs ({url}); readers need absolute ones")
            elif scheme not in URL_SCHEMES:
                problems.append(
                    f"contains a URL the sanitiser does not allow ({name}={url[:80]!r} on <{tag}>)"
                )
        if tag in ALLOWED_TAGS and not (
            name in allowed
            or (tag == "div" and _WRAPPER.get(name) == value)
            or (name == "class" and value in ALLOWED_CLASSES.get(tag, frozenset()))
        ):
            problems.append(f"has {name}={value[:40]!r} on <{tag}>, which the sanitiser drops")
    return problems


def check_feed(path: Path, feed_url: str, base_url: str) -> list[Problem]:
    """The rules of the W3C feed validator that a generator can get wrong, for one RSS 2.0 file.

    Item descriptions are also held to the sanitiser's allow-list, with absolute URLs.
    """
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
        if has_markup(title):
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
        for message in description_problems(item.findtext("description") or ""):
            bad(f"{where} description {message}")
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
    """Every check on a built site: pages (links, script), sitemap, each feed, each calendar."""
    problems = check_links(build, base_url) + check_sitemap(build, base_url)
    for feed in sorted(build.rglob("feed.xml")):
        problems += check_feed(
            feed, urljoin(base_url, feed.relative_to(build).as_posix()), base_url
        )
    for calendar in sorted(build.rglob("*.ics")):
        problems += check_calendar(calendar)
    return problems
