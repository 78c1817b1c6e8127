"""Checks on a built site's feeds and calendars, as a feed validator and calendar clients read them.

Feed bodies are held to the sanitiser's own allow-list (kkrsite.htmlpolicy), judged
by an HTML5 parse (lexbor) as a reader would make it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from pathlib import Path
from xml.etree import ElementTree as ET

from selectolax.lexbor import LexborHTMLParser, LexborNode

from kkrsite.errors import Problem
from kkrsite.htmlpolicy import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    TABLE_WRAPPER,
    URL_SCHEMES,
)
from kkrsite.pagecheck import URL_ATTRIBUTES, attribute_urls, scheme_of

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
        for url in attribute_urls(name, value) if name in URL_ATTRIBUTES else ():
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
    import icalendar  # here, not with the module: a build that checks nothing starts faster

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
