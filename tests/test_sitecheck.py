"""The built-site checks catch what a validator or a reader would: tried on broken files."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import pytest
from conftest import MakeSite, build_site, run_kkrsite

from kkrsite.feedcheck import check_calendar, check_feed, description_problems
from kkrsite.pagecheck import check_links, check_sitemap
from kkrsite.sitecheck import check_site

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


# --- feed bodies are held to the sanitiser's allow-list --------------------------------------


def _item(description: str, title: str = "Møde i KKR Hovedstaden") -> str:
    """GOOD_ITEM with this title and description (both escaped as the XML writer does)."""
    return GOOD_ITEM.replace("Møde i KKR Hovedstaden", escape(title)).replace(
        "&lt;p&gt;Referat&lt;/p&gt;", escape(description)
    )


@pytest.mark.parametrize(
    ("description", "message"),
    [
        # What absolutize() once wrote for <a href='https://example.org/"><svg/onload=…>'>.
        (
            '<a href="https://example.org/"><svg/onload=alert(1)>">x</a>',
            "item 1 description contains script (event handler onload on <svg>)",
        ),
        ('<a href="https://example.org/"><svg/onload=alert(1)>">x</a>', "has <svg>"),
        ("<p>x</p><script>alert(1)</script>", "item 1 description contains script (<script>)"),
        ('<b onclick="x()">x</b>', "contains script (event handler onclick on <b>)"),
        ('<a href="java\tscript:alert(1)">x</a>', "contains a URL the sanitiser does not allow"),
        (
            '<a href="java&#x09;script:alert(1)">x</a>',
            "contains a URL the sanitiser does not allow",
        ),
        ('<a href=" JAVASCRIPT:alert(1)">x</a>', "contains a URL the sanitiser does not allow"),
        (
            '<img src="data:image/png;base64,AAAA" alt="">',
            "contains a URL the sanitiser does not allow",
        ),
        ('<img srcset="https://a.dk/x.png 1x, vbscript:x 2x" alt="">', "vbscript:x"),
        ('<img src="/filer/kort.png" alt="">', "has relative URLs (/filer/kort.png)"),
        ('<a href="#afsnit">x</a>', "has relative URLs (#afsnit)"),
        ('<p style="display:none">x</p>', "has style='display:none' on <p>"),
        ('<div class="table-wrap" tabindex="-1">x</div>', "has tabindex='-1' on <div>"),
        ("<iframe src='https://kkr.example.dk/'></iframe>", "has <iframe>"),
    ],
)
def test_feed_bodies_are_read_as_a_browser_would(
    tmp_path: Path, description: str, message: str
) -> None:
    found = _check(tmp_path, _feed(_item(description)))
    assert any(message in m for m in found), found


def test_a_sanitised_feed_body_passes(tmp_path: Path) -> None:
    description = (
        '<h2 id="dagsorden">Dagsorden</h2><p><a href="https://kkr.example.dk/kkr/">KKR</a> '
        '<abbr title="KommuneKontaktRåd">KKR</abbr> <img src="https://kkr.example.dk/filer/k.png"'
        ' alt=""></p><div class="table-wrap" tabindex="0" role="region" aria-label="Tabel">'
        '<table><tr><td class="align-left">1</td></tr></table></div>'
    )
    assert _check(tmp_path, _feed(_item(description))) == []


@pytest.mark.parametrize("title", ["3 < 5 og 5 > 3", "Møde & beslutning", "a <- b"])
def test_titles_with_angle_brackets_but_no_markup_pass(tmp_path: Path, title: str) -> None:
    assert _check(tmp_path, _feed(_item("<p>Referat</p>", title=title))) == []


def test_a_comment_in_a_title_is_markup(tmp_path: Path) -> None:
    found = _check(tmp_path, _feed(_item("<p>Referat</p>", title="Møde <!-- skjult -->")))
    assert "item 1 has markup in its title; titles are plain text" in found


# --- pages: nothing runs script ------------------------------------------------------------


def _page_problems(tmp_path: Path, body: str) -> list[tuple[int | None, str]]:
    page = tmp_path / "index.html"
    page.write_text(f'<!doctype html><html lang="da"><body>{body}</body></html>\n', "utf-8")
    return [(p.line, p.message) for p in check_links(tmp_path, BASE)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<a href="/" onclick="steal()">x</a>', "inline event handler onclick on <a>"),
        ('<p ONMOUSEOVER="steal()">x</p>', "inline event handler onmouseover on <p>"),
        ('<a href="javascript:alert(1)">x</a>', "javascript: URL in href on <a>"),
        ('<a href=" &#x6A;ava&#x09;script&colon;alert(1)">x</a>', "javascript: URL in href on <a>"),
        ('<a href="JAVA\nSCRIPT:alert(1)">x</a>', "javascript: URL in href on <a>"),
        ('<a href="vbscript:msgbox(1)">x</a>', "vbscript: URL in href on <a>"),
        ('<a href="data:text/html,&lt;script&gt;">x</a>', "data: URL in href on <a>"),
        ('<img srcset="/x.png 1x, javascript:alert(1) 2x" alt="">', "javascript: URL in srcset"),
        ('<form><button formaction="javascript:alert(1)">x</button></form>', "in formaction"),
        ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "in xlink:href"),
        ("<script>alert(1)</script>", "inline <script>: the site runs none"),
        ('<script src="https://evil.example/x.js"></script>', "<script> from another site"),
        ('<script src="//evil.example/x.js"></script>', "<script> from another site"),
        ('<iframe src="/"></iframe>', "<iframe> in a page"),
        ('<object data="/x.swf"></object>', "<object> in a page"),
        ('<embed src="/x.swf">', "<embed> in a page"),
        ('<base href="https://evil.example/">', "<base> in a page"),
    ],
)
def test_pages_that_would_run_script_are_caught(tmp_path: Path, body: str, message: str) -> None:
    found = _page_problems(tmp_path, f"<p>tekst</p>\n{body}")
    assert any(message in m for _, m in found), found
    assert all(line == 2 for line, m in found if message in m), found


def test_a_page_with_its_own_script_and_links_passes(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("", "utf-8")
    body = (
        '<script src="/assets/app.js"></script><a href="/">Forside</a> '
        '<a href="mailto:kkr@kl.dk">Skriv</a> <a href="https://www.kl.dk/">KL</a>'
    )
    assert _page_problems(tmp_path, body) == []


def test_odd_files_give_problems_not_tracebacks(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_bytes("<p>\nMøde i Næstved</p>".encode("latin-1"))
    (tmp_path / "sitemap.xml").write_text("<urlset><url><loc>x</url></urlset>", "utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<a href="http://[::1">x</a>', "utf-8")
    links = [(p.line, p.message) for p in check_links(tmp_path, BASE)]
    assert (1, "broken link: http://[::1 is not a URL") in links
    assert (2, "not UTF-8 (byte 0xf8): every page must be UTF-8") in links
    [sitemap] = check_sitemap(tmp_path, BASE)
    assert sitemap.message.startswith("not well-formed XML")


def test_a_hostile_body_builds_into_a_site_that_passes_the_check(
    tmp_path: Path, make_site: MakeSite
) -> None:
    """The attack that once put a live handler in every feed: the built site has none."""
    hostile = """<a href='https://example.org/"><svg/onload=alert(1)>'>x</a> <img src="https://example.org/x.png&quot; onerror=&quot;alert(1)">\n"""
    content = make_site(
        {"kkr/hovedstaden/meetings/2011-08-24.md": f"---\ntopics: [sundhed]\n---\n{hostile}"}
    )
    out = build_site(content, tmp_path / "site")
    assert check_site(out, "https://kkr.example.dk/") == []
    feed = ET.parse(out / "kkr/hovedstaden/feed.xml").getroot()
    [description] = [
        d.text or "" for d in feed.iter("description") if "example.org" in (d.text or "")
    ]
    assert description_problems(description) == []
    assert "<svg" not in description
