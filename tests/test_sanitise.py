"""The sanitiser: feed bodies made absolute inside a sanitiser pass, judged by an HTML5 parse."""

from selectolax.lexbor import LexborHTMLParser

from kkrsite.feedcheck import description_problems
from kkrsite.markdown import render_markdown
from kkrsite.sanitise import absolutize

BASE = "https://kkr.example.dk/kkr/hovedstaden/moeder/2011-08-24/"


def test_absolutize_for_feeds() -> None:
    html = '<p><a href="../moeder/">m</a> <a href="https://kl.dk/">kl</a> <img src="/filer/a.png" alt=""></p>'
    out = absolutize(html, "https://kkr.example.dk/kkr/hovedstaden/")
    assert 'href="https://kkr.example.dk/kkr/moeder/"' in out
    assert 'href="https://kl.dk/"' in out
    assert 'src="https://kkr.example.dk/filer/a.png"' in out


def test_feed_urls_are_absolute_and_quotes_stay_in_the_attribute() -> None:
    page = render_markdown(
        """<a href='../"><svg/onload=alert(1)>'>x</a> [y](#afsnit) ![z](/filer/kort.png)"""
    )
    tree = LexborHTMLParser(absolutize(page, BASE), is_fragment=True)
    assert [a.attributes["href"] for a in tree.css("a")] == [
        "https://kkr.example.dk/kkr/hovedstaden/moeder/%22%3E%3Csvg/onload=alert(1)%3E",
        BASE + "#afsnit",
    ]
    assert [img.attributes["src"] for img in tree.css("img")] == [
        "https://kkr.example.dk/filer/kort.png"
    ]
    assert tree.css("svg") == []


def test_a_feed_body_passes_the_site_checks_own_reading() -> None:
    page = render_markdown(
        "## Dagsorden\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        "<table><tr><td>Særlige dagtilbud</td></tr></table>\n\n[KL](https://www.kl.dk/) "
        '<a href="../">op</a> <abbr title="KommuneKontaktRåd">KKR</abbr>\n'
    )
    assert description_problems(absolutize(page, BASE)) == []


def test_a_character_reference_cannot_smuggle_a_control_character() -> None:
    html = render_markdown('<a href="x&#0000001;y">l&#27;[2J</a>\n')
    assert "\x01" not in html and "\x1b" not in html
    assert 'href="x%01y"' in html  # in a URL, %-encoded: a valid URL, and no control character


def test_raw_heading_ids_that_are_empty_or_hold_spaces_are_dropped() -> None:
    html = render_markdown('<h3 id="">e</h3>\n\n<h2 id="a b">sp</h2>\n')
    ids = [n.attributes.get("id") for n in LexborHTMLParser(html, is_fragment=True).css("h2, h3")]
    assert "" not in ids and "a b" not in ids
