"""The whole published site, built with the real CLI: every URL of the map, whole and linked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import icalendar
import pytest
from conftest import build_site, with_columns

from kkrsite.pagecheck import check_links, check_sitemap
from kkrsite.sitecheck import check_site

REPO = Path(__file__).resolve().parent.parent
FLERE_AAR = REPO / "tests/sites/flere-aar"
BASE = "https://kkr.example.dk/"
REGIONS = ("hovedstaden", "sjaelland", "syddanmark", "midtjylland", "nordjylland")


def test_every_path_of_the_url_map_exists(example: Path) -> None:
    expected = [
        "index.html",
        "kkr/index.html",
        "moeder.ics",
        "feed.xml",
        "klummer/index.html",
        "klummer/feed.xml",
        "klummer/nye-udfordringer-i-kkr/index.html",
        "publikationer/index.html",
        "emner/index.html",
        "emner/socialomraadet/index.html",
        "emner/socialomraadet/feed.xml",
        "personer/index.html",
        "personer/kjeld-hansen/index.html",
        "arkiv/index.html",
        "arkiv/2011/index.html",
        "arkiv/2007/index.html",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        *(f"data/{n}.json" for n in ("regions", "people", "meetings", "agreements", "columns")),
    ]
    for region in REGIONS:
        expected += [
            f"kkr/{region}/index.html",
            f"kkr/{region}/moeder/index.html",
            f"kkr/{region}/rammeaftaler/index.html",
            f"kkr/{region}/rammeaftaler/styringsaftale-2012/index.html",
            f"kkr/{region}/feed.xml",
            f"kkr/{region}/moeder.ics",
        ]
    missing = [p for p in expected if not (example / p).is_file()]
    assert missing == []


@pytest.mark.parametrize("site", ["example", "flere_aar"])
def test_no_internal_link_is_broken(site: str, request: pytest.FixtureRequest) -> None:
    build = request.getfixturevalue(site)
    assert [p.format(build) for p in check_links(build, BASE)] == []


@pytest.mark.parametrize("site", ["example", "flere_aar"])
def test_the_sitemap_lists_every_page(site: str, request: pytest.FixtureRequest) -> None:
    build = request.getfixturevalue(site)
    assert [p.format(build) for p in check_sitemap(build, BASE)] == []


@pytest.mark.parametrize("site", ["example", "flere_aar"])
def test_feeds_and_calendars_follow_the_rules(site: str, request: pytest.FixtureRequest) -> None:
    build = request.getfixturevalue(site)
    assert [p.format(build) for p in check_site(build, BASE)] == []


def test_robots_points_to_the_sitemap(example: Path) -> None:
    assert f"Sitemap: {BASE}sitemap.xml" in (example / "robots.txt").read_text().splitlines()


def _feed_links(path: Path) -> list[str]:
    return [item.findtext("link") or "" for item in ET.parse(path).getroot().iter("item")]


def test_a_region_feed_has_the_region_and_nothing_else(flere_aar: Path) -> None:
    links = _feed_links(flere_aar / "kkr/sjaelland/feed.xml")
    assert links, "the Sjælland feed is empty"
    for link in links:
        assert "/kkr/hovedstaden/" not in link and "/kkr/nordjylland/" not in link
    meetings = sorted((flere_aar / "kkr/sjaelland/moeder").glob("*/index.html"))
    for meeting in meetings:
        # A meeting enters the feed on its day; the build date is 2011-12-01.
        url = f"{BASE}kkr/sjaelland/moeder/{meeting.parent.name}/"
        assert (url in links) == (meeting.parent.name[:10] <= "2011-12-01")


def test_the_site_feed_is_newest_first_and_every_page_links_its_feed(example: Path) -> None:
    items = list(ET.parse(example / "feed.xml").getroot().iter("item"))
    assert len(items) == len(set(_feed_links(example / "feed.xml")))
    head = (example / "kkr/hovedstaden/index.html").read_text()
    assert re.search(
        r'<link rel="alternate" type="application/rss\+xml"[^>]*href="/kkr/hovedstaden/feed.xml"',
        head,
    )


def test_calendars_have_one_event_per_meeting(flere_aar: Path) -> None:
    total = 0
    for region in ("hovedstaden", "sjaelland", "nordjylland"):
        calendar = icalendar.Calendar.from_ical(
            (flere_aar / f"kkr/{region}/moeder.ics").read_bytes()
        )
        events = [c for c in calendar.walk("VEVENT")]
        pages = list((flere_aar / f"kkr/{region}/moeder").glob("*/index.html"))
        assert len(events) == len(pages)
        total += len(events)
    everything = icalendar.Calendar.from_ical((flere_aar / "moeder.ics").read_bytes())
    assert len(list(everything.walk("VEVENT"))) == total


def test_open_data_lists_every_meeting(example: Path) -> None:
    data = json.loads((example / "data/meetings.json").read_text(encoding="utf-8"))
    urls = json.dumps(data)
    for region in REGIONS:
        for page in (example / f"kkr/{region}/moeder").glob("*/index.html"):
            assert f"{BASE}kkr/{region}/moeder/{page.parent.name}/" in urls


def test_long_lists_are_paginated(tmp_path: Path) -> None:
    site = build_site(with_columns(tmp_path, 45), tmp_path / "site")
    first = (site / "klummer/index.html").read_text()
    assert (site / "klummer/side/2/index.html").is_file() and (
        site / "klummer/side/3/index.html"
    ).is_file()
    assert not (site / "klummer/side/4").exists()  # 47 columns: 20 + 20 + 7
    assert '<link rel="next" href="/klummer/side/2/">' in first
    second = (site / "klummer/side/2/index.html").read_text()
    assert '<link rel="prev" href="/klummer/">' in second
    assert check_links(site, BASE) == []
