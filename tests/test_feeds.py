"""RSS 2.0 feeds pass what the W3C feed validator checks, and are reproducible."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from io import BytesIO
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from kkrsite.feeds import write_rss
from kkrsite.links import Links
from kkrsite.markdown import render_markdown
from kkrsite.model.entities import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Column,
    Entry,
    Meeting,
    MeetingStatus,
)
from kkrsite.model.shared import Origin, Region, SiteConfig, Topic
from kkrsite.sanitise import absolutize
from kkrsite.siteplan import Feed

BASE = "https://kkr.example.dk/"
LINKS = Links(BASE)
CONFIG = SiteConfig("KKR Test", BASE, "da", "Prøvesite", "KL")
ATOM = "{http://www.w3.org/2005/Atom}"
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}$"
)


def origin(rel: str) -> Origin:
    return Origin(Path(rel), rel)


HEALTH = Topic("sundhed", "Sundhed", "Det nære sundhedsvæsen.", origin("topics.yaml"))
REGION = Region("hovedstaden", "KKR Hovedstaden", "Region Hovedstaden", origin("kkr.yaml"))
MEETING = Meeting(
    slug="2011-08-29",
    title="Møde i KKR Hovedstaden 29. august 2011",
    origin=origin("kkr/hovedstaden/meetings/2011-08-29.md"),
    body="Referat med [dagsorden](dagsorden.pdf) og [forsiden](/).",
    summary="Sundhedsaftalen & vækstforum.",
    topics=(HEALTH,),
    region=REGION,
    date=dt.date(2011, 8, 29),
    status=MeetingStatus.HELD,
    time=dt.time(10, 0),
)
COLUMN = Column(
    slug="samarbejde",
    title="Samarbejde <script>alert(1)</script> & tillid",
    origin=origin("columns/2011-11-07-samarbejde.md"),
    body="Tekst.\n\n<script>alert('x')</script>\n",
    summary="En klumme om <script>samarbejde</script>.",
    date=dt.date(2011, 11, 7),
    publication="Danske Kommuner",
    issue="38/2011",
)
AGREEMENT = Agreement(
    slug="rammeaftale-2012",
    title="Rammeaftale 2012",
    origin=origin("kkr/hovedstaden/agreements/rammeaftale-2012.md"),
    region=REGION,
    agreement_kind=AgreementKind.RAMMEAFTALE,
    year=2012,
    status=AgreementStatus.UDKAST,
)


def body_html(entry: Entry) -> str:
    """What the renderer hands feeds: sanitised HTML with every link absolute."""
    assert isinstance(entry, (Meeting, Column, Agreement))
    return absolutize(render_markdown(entry.body), LINKS.absolute_url(entry))


def feed(*entries: Entry, feed_url: str = "/feed.xml", page_url: str = "/") -> Feed:
    return Feed(feed_url, "KKR Test", "Alt fra KKR.", page_url, entries)


def rss(f: Feed) -> bytes:
    return write_rss(f, LINKS, body_html, CONFIG)


def channel(data: bytes) -> ET.Element:
    root = ET.fromstring(data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    found = root.find("channel")
    assert found is not None
    return found


def text(element: ET.Element, path: str) -> str:
    found = element.find(path)
    assert found is not None and found.text is not None, path
    return found.text


def check_feed(data: bytes) -> ET.Element:
    """The rules of the W3C feed validator this writer can break; returns the channel."""
    assert data.startswith(b"<?xml") and data.endswith(b"\n")
    namespaces = {uri for _, (_, uri) in ET.iterparse(BytesIO(data), events=("start-ns",))}
    assert namespaces <= {"http://www.w3.org/2005/Atom"}
    ch = channel(data)
    for tag in ("title", "link", "description", "language"):
        assert text(ch, tag).strip(), tag
    assert text(ch, "link").startswith(BASE)
    self_link = ch.find(f"{ATOM}link")
    assert self_link is not None
    assert self_link.get("rel") == "self" and self_link.get("type") == "application/rss+xml"
    assert self_link.get("href", "").startswith(BASE)
    guids = []
    for item in ch.iter("item"):
        link, guid = text(item, "link"), item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "true"
        assert link.startswith(BASE) and guid.text == link
        guids.append(guid.text)
        assert RFC822.match(text(item, "pubDate"))
        description = item.findtext("description") or ""
        assert "<script" not in description.lower()
        for ref in re.findall(r'(?:href|src)="([^"]*)"', description):
            assert re.match(r"^[a-z][a-z0-9+.-]*:", ref), f"relative URL {ref} in description"
    assert len(guids) == len(set(guids)), "guids must be unique"
    return ch


def test_channel_describes_the_feed_and_where_it_is_served() -> None:
    ch = check_feed(
        rss(feed(MEETING, feed_url="/kkr/hovedstaden/feed.xml", page_url="/kkr/hovedstaden/"))
    )
    assert text(ch, "title") == "KKR Test"
    assert text(ch, "link") == "https://kkr.example.dk/kkr/hovedstaden/"
    assert text(ch, "description") == "Alt fra KKR."
    assert text(ch, "language") == "da"
    assert text(ch, "generator") == "kkrsite"
    self_link = ch.find(f"{ATOM}link")
    assert self_link is not None
    assert self_link.get("href") == "https://kkr.example.dk/kkr/hovedstaden/feed.xml"


def test_the_atom_link_follows_a_base_url_with_a_path() -> None:
    links = Links("https://www.kl.dk/kkr/")
    ch = channel(write_rss(feed(MEETING), links, lambda e: "", CONFIG))
    self_link = ch.find(f"{ATOM}link")
    assert self_link is not None and self_link.get("href") == "https://www.kl.dk/kkr/feed.xml"
    assert text(ch, "item/guid") == "https://www.kl.dk/kkr/kkr/hovedstaden/moeder/2011-08-29/"


def test_items_keep_the_order_given_with_absolute_unique_links() -> None:
    ch = check_feed(rss(feed(COLUMN, MEETING, AGREEMENT)))
    assert [text(i, "guid") for i in ch.iter("item")] == [
        "https://kkr.example.dk/klummer/samarbejde/",
        "https://kkr.example.dk/kkr/hovedstaden/moeder/2011-08-29/",
        "https://kkr.example.dk/kkr/hovedstaden/rammeaftaler/rammeaftale-2012/",
    ]


def test_guids_do_not_change_when_content_is_added() -> None:
    before = check_feed(rss(feed(MEETING)))
    after = check_feed(rss(feed(COLUMN, MEETING)))
    assert text(before, "item/guid") in [text(i, "guid") for i in after.iter("item")]


def test_pub_dates_are_rfc822_in_copenhagen_time_with_english_names() -> None:
    ch = check_feed(rss(feed(COLUMN, MEETING, AGREEMENT)))
    assert [text(i, "pubDate") for i in ch.iter("item")] == [
        "Mon, 07 Nov 2011 00:00:00 +0100",  # a column: its date at midnight, winter time
        "Mon, 29 Aug 2011 10:00:00 +0200",  # a meeting with a time: its start, summer time
        "Sun, 01 Jan 2012 00:00:00 +0100",  # an agreement without a date: 1 January of its year
    ]


def test_last_build_date_is_the_newest_items_date_not_the_clock() -> None:
    ch = check_feed(rss(feed(COLUMN, MEETING)))
    assert (
        text(ch, "lastBuildDate") == text(ch, "item/pubDate") == "Mon, 07 Nov 2011 00:00:00 +0100"
    )


def test_titles_are_plain_text_that_stays_inert_when_read_as_html() -> None:
    ch = check_feed(rss(feed(COLUMN)))
    title = text(ch, "item/title")
    assert title == "Samarbejde &lt;script>alert(1)&lt;/script> & tillid"
    as_html = LexborHTMLParser(f"<p>{title}</p>", is_fragment=True)
    assert as_html.css("script") == []
    assert as_html.text() == "Samarbejde <script>alert(1)</script> & tillid"


def test_description_is_escaped_html_without_script_and_with_absolute_links() -> None:
    ch = check_feed(rss(feed(COLUMN, MEETING)))
    column, meeting = ch.iter("item")
    assert text(column, "description").startswith(
        "<p>En klumme om &lt;script&gt;samarbejde&lt;/script&gt;.</p>"
    )
    assert "<p>Tekst.</p>" in text(column, "description")
    described = text(meeting, "description")
    assert described.startswith("<p>Sundhedsaftalen &amp; vækstforum.</p>")
    assert (
        'href="https://kkr.example.dk/kkr/hovedstaden/moeder/2011-08-29/dagsorden.pdf"' in described
    )
    assert 'href="https://kkr.example.dk/"' in described


def test_html_bodies_are_escaped_by_the_xml_writer() -> None:
    data = rss(feed(MEETING))
    assert b"<p>" not in data and b"&lt;p&gt;" in data


def test_control_characters_pasted_into_a_body_are_dropped() -> None:
    pasted = Column(
        slug="kopieret",
        title="Fra Word\x0b",
        origin=origin("columns/2011-11-08-kopieret.md"),
        body="Linje\x0bskift og\x01 mere.",
        date=dt.date(2011, 11, 8),
        publication="Danske Kommuner",
    )
    ch = check_feed(rss(feed(pasted)))
    assert text(ch, "item/title") == "Fra Word"
    assert text(ch, "item/description") == "<p>Linjeskift og mere.</p>"


def test_an_entry_with_neither_summary_nor_body_has_no_description() -> None:
    ch = check_feed(rss(feed(AGREEMENT)))
    assert ch.find("item/description") is None
    assert text(ch, "item/title") == "Rammeaftale 2012"


def test_topics_are_categories() -> None:
    ch = check_feed(rss(feed(MEETING, COLUMN)))
    meeting, column = ch.iter("item")
    assert [c.text for c in meeting.iter("category")] == ["Sundhed"]
    assert list(column.iter("category")) == []


def test_same_input_gives_the_same_bytes() -> None:
    f = feed(COLUMN, MEETING, AGREEMENT)
    assert rss(f) == rss(f)
    assert rss(f).startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<rss")


def test_an_empty_feed_is_still_valid() -> None:
    ch = check_feed(rss(feed()))
    assert ch.find("item") is None
    assert ch.find("lastBuildDate") is None
