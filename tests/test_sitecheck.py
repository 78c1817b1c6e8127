"""The built-site checks catch what a validator or a reader would: tried on broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_kkrsite

from kkrsite.sitecheck import check_calendar, check_feed, check_links

BASE = "https://kkr.example.dk/"
FEED_URL = BASE + "feed.xml"

GOOD_ITEM = (
    "<item><title>Møde i KKR Hovedstaden</title>"
    "<link>https://kkr.example.dk/kkr/hovedstaden/moeder/2011-08-29/</link>"
    '<guid isPermaLink="true">https://kkr.example.dk/kkr/hovedstaden/moeder/2011-08-29/</guid>'
    "<pubDate>Mon, 29 Aug 2011 00:00:00 +0200</pubDate>"
    "<description>&lt;p&gt;Referat&lt;/p&gt;</description></item>"
)


def _feed(
    items: str = GOOD_ITEM, last: str = "Mon, 29 Aug 2011 00:00:00 +0200", self_url: str = FEED_URL
) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        "<title>KKR</title><link>https://kkr.example.dk/</link><description>Alt</description>"
        f'<language>da</language><atom:link href="{self_url}" rel="self" type="application/rss+xml"/>'
        f"<lastBuildDate>{last}</lastBuildDate>{items}</channel></rss>"
    )


def _check(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "feed.xml"
    path.write_text(text, encoding="utf-8")
    return [p.message for p in check_feed(path, FEED_URL, BASE)]


def test_a_good_feed_passes(tmp_path: Path) -> None:
    assert _check(tmp_path, _feed()) == []


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            _feed(GOOD_ITEM.replace("Mon, 29", "Tue, 29")),
            "item 1 pubDate 'Tue, 29 Aug 2011 00:00:00 +0200' is not an RFC 822 date",
        ),
        (_feed(GOOD_ITEM.replace("Mon, 29 Aug", "man, 29 aug")), "is not an RFC 822 date"),
        (
            _feed(GOOD_ITEM.replace("<link>https://kkr.example.dk", "<link>")),
            "item 1 link '/kkr/hovedstaden/moeder/2011-08-29/' is not an absolute URL",
        ),
        (_feed(GOOD_ITEM + GOOD_ITEM), "item 2 repeats the guid"),
        (_feed(self_url=BASE + "andet.xml"), 'the channel needs one atom:link rel="self"'),
        (
            _feed(last="Fri, 25 Nov 2026 10:00:00 +0100"),
            "lastBuildDate must be the newest item's pubDate",
        ),
        (
            _feed(GOOD_ITEM.replace("<title>Møde", "<title>&lt;b&gt;Møde")),
            "item 1 has markup in its title",
        ),
        (
            _feed(GOOD_ITEM.replace("&lt;p&gt;Referat", "&lt;script&gt;alert(1)&lt;/script&gt;")),
            "description contains script",
        ),
        (
            _feed(GOOD_ITEM.replace("&lt;p&gt;Referat", '&lt;a href="../moeder/"&gt;m&lt;/a&gt;')),
            "description has relative URLs (../moeder/)",
        ),
        (_feed().replace("<language>da</language>", ""), "the channel has no valid language"),
        (_feed().replace("</channel>", ""), "not well-formed XML"),
    ],
)
def test_each_broken_feed_is_caught(tmp_path: Path, broken: str, message: str) -> None:
    assert any(message in m for m in _check(tmp_path, broken)), _check(tmp_path, broken)


CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kkrsite//KKR//DA\r\n{events}END:VCALENDAR\r\n"
)
EVENT = "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20110829T000000Z\r\n{start}END:VEVENT\r\n"


def _calendar(tmp_path: Path, events: str) -> list[str]:
    path = tmp_path / "moeder.ics"
    path.write_text(CALENDAR.format(events=events), encoding="utf-8")
    return [p.message for p in check_calendar(path)]


def test_calendar_rules(tmp_path: Path) -> None:
    good = EVENT.format(uid="a@kkr", start="DTSTART;VALUE=DATE:20110829\r\n")
    assert _calendar(tmp_path, good) == []
    assert _calendar(tmp_path, good + good) == ["the UID a@kkr is used twice"]
    no_zone = EVENT.format(uid="b@kkr", start="DTSTART;TZID=Europe/Copenhagen:20110829T100000\r\n")
    assert _calendar(tmp_path, no_zone) == [
        "event b@kkr uses TZID Europe/Copenhagen with no VTIMEZONE"
    ]
    no_start = EVENT.format(uid="c@kkr", start="")
    assert _calendar(tmp_path, no_start) == ["event c@kkr has no DTSTART"]


def test_a_broken_link_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<p>\n<a href="/kkr/">KKR</a></p>\n', encoding="utf-8")
    [problem] = check_links(tmp_path, BASE)
    assert (problem.line, problem.message) == (2, "broken link: /kkr/ (no kkr/index.html)")


def test_check_links_on_the_command_line(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parent.parent
    out = tmp_path / "site"
    assert run_kkrsite("build", "--out", str(out), cwd=repo, epoch="1322697600").returncode == 0
    ok = run_kkrsite("check", "--links", "--out", str(out), cwd=repo, epoch="1322697600")
    assert ok.returncode == 0, ok.stderr
    assert "No problems in the built site" in ok.stdout
    (out / "kkr/index.html").unlink()
    broken = run_kkrsite("check", "--links", "--out", str(out), cwd=repo, epoch="1322697600")
    assert broken.returncode == 1
    assert "broken link: /kkr/ (no kkr/index.html)" in broken.stderr
    assert "Traceback" not in broken.stderr
