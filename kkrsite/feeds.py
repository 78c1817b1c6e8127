"""RSS 2.0 feeds, written with ElementTree so every title and body is escaped by the XML writer.

A feed is reproducible: the same content gives the same bytes. Nothing reads the
clock: `lastBuildDate` is the newest item's `pubDate`. Every link and guid is an
absolute URL of an entry's page, which never changes when other content is added.
Only plain RSS 2.0 plus `atom:link rel="self"` is written, no other namespace.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from email.utils import format_datetime
from html import escape

from kkrsite.htmlscan import inert
from kkrsite.links import Links
from kkrsite.model.entities import Entry, Meeting
from kkrsite.model.shared import SiteConfig
from kkrsite.siteplan import Feed

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("atom", ATOM)

GENERATOR = "kkrsite"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 forbids even escaped; ElementTree would write them and break the feed."""


def rfc822(moment: dt.datetime) -> str:
    """`Mon, 29 Aug 2011 10:00:00 +0200`: English names whatever the locale."""
    return format_datetime(moment)


def write_rss(
    feed: Feed, links: Links, body_html: Callable[[Entry], str], config: SiteConfig
) -> bytes:
    """The feed as RSS 2.0: UTF-8 with an XML declaration, ending with a newline."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", feed.title)
    _text(channel, "link", links.absolute_url(feed.page_url))
    _text(channel, "description", feed.description)
    _text(channel, "language", config.language)
    if feed.entries:
        _text(channel, "lastBuildDate", rfc822(max(e.published for e in feed.entries)))
    _text(channel, "generator", GENERATOR)
    ET.SubElement(
        channel,
        f"{{{ATOM}}}link",
        {"href": links.absolute_url(feed.url), "rel": "self", "type": "application/rss+xml"},
    )
    for entry in feed.entries:
        _item(channel, entry, links, body_html)
    ET.indent(rss)
    out = io.BytesIO()
    ET.ElementTree(rss).write(out, encoding="utf-8", xml_declaration=True)
    out.write(b"\n")
    return out.getvalue()


def _item(
    channel: ET.Element, entry: Entry, links: Links, body_html: Callable[[Entry], str]
) -> None:
    item = ET.SubElement(channel, "item")
    url = links.absolute_url(entry)
    _text(item, "title", entry.headline if isinstance(entry, Meeting) else entry.title)
    _text(item, "link", url)
    _text(item, "guid", url).set("isPermaLink", "true")
    _text(item, "pubDate", rfc822(entry.published))
    html = _description(entry, body_html)
    if html:
        _text(item, "description", html, html=True)
    for topic in entry.topics:
        _text(item, "category", topic.name)


def _description(entry: Entry, body_html: Callable[[Entry], str]) -> str:
    """The summary as a paragraph, then the body: HTML that the XML writer escapes as text."""
    parts = [f"<p>{escape(entry.summary)}</p>"] if entry.summary else []
    body = body_html(entry).strip()
    if body:
        parts.append(body)
    return "\n".join(parts)


def _text(parent: ET.Element, tag: str, text: str, html: bool = False) -> ET.Element:
    """A child element holding `text`; plain text (`html` false) is kept inert for readers
    that take it as HTML."""
    element = ET.SubElement(parent, tag)
    element.text = _NOT_XML.sub("", text if html else inert(text))
    return element
