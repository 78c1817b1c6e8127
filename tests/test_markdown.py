"""Markdown: CommonMark, tables, Danish anchors, and nothing executable survives."""

from html.parser import HTMLParser

import pytest
from selectolax.lexbor import LexborHTMLParser

from kkrsite.errors import MarkdownLimitError
from kkrsite.htmlpolicy import RESERVED_IDS
from kkrsite.markdown import render_markdown
from kkrsite.pagecheck import URL_ATTRIBUTES, scheme_of
from kkrsite.sanitise import absolutize


def test_tables_abbr_and_anchors() -> None:
    html = render_markdown(
        '## Møde i Næstved\n\n<abbr title="KommuneKontaktRåd">KKR</abbr>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'
    )
    assert '<h2 id="moede-i-naestved">Møde i Næstved</h2>' in html
    assert '<abbr title="KommuneKontaktRåd">KKR</abbr>' in html
    assert "<table>" in html and "<td>2</td>" in html


def test_a_body_h1_becomes_h2() -> None:
    assert render_markdown("# Overskrift\n").startswith('<h2 id="overskrift">')


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        '<iframe src="https://evil.example/"></iframe>',
        "<svg onload=alert(1)>",
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<div onclick="x()">x</div>',
        "<style>body{display:none}</style>",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
    ],
)
def test_nothing_executable_survives(hostile: str) -> None:
    finder = _Finder()
    finder.feed(render_markdown(f"Tekst\n\n{hostile}\n"))
    assert finder.found == []


class _Finder(HTMLParser):
    """Collects every tag, attribute and URL a browser could run."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "svg", "style", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            url = (value or "").strip().lower()
            if name.startswith("on") or url.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag} {name}={value}")


def test_tables_scroll_in_a_named_focusable_region() -> None:
    html = render_markdown("| a |\n|---|\n| 1 |\n")
    assert html.startswith(
        '<div class="table-wrap" tabindex="0" role="region" aria-label="Tabel"><table>'
    )
    assert html.rstrip().endswith("</table></div>")


def test_images_always_have_a_source_and_a_text_alternative() -> None:
    html = render_markdown(
        '<img src="kort.png"> <img onerror="x()"> ![Foto af rådhuset](raadhus.jpg)'
    )
    assert '<img src="kort.png" alt="">' in html
    assert html.count("<img") == 2
    assert '<img src="raadhus.jpg" alt="Foto af rådhuset">' in html


# --- feeds: URLs made absolute inside the sanitiser ------------------------------------------

BASE = "https://kkr.example.dk/kkr/hovedstaden/moeder/2011-08-24/"

_SCRIPTY_TAGS = ("script", "svg", "math", "iframe", "object", "embed", "style", "base", "form")


def _runnable(html: str) -> list[str]:
    """What a browser, reading `html` with an HTML5 parser, could run or be sent off by."""
    found = []
    for node in LexborHTMLParser(html, is_fragment=True).css("*"):
        if node.tag in _SCRIPTY_TAGS:
            found.append(f"<{node.tag}>")
        for name, value in node.attributes.items():
            if name.startswith("on"):
                found.append(f"{node.tag} {name}")
            elif name in URL_ATTRIBUTES and scheme_of(value or "") not in (
                "",
                "http",
                "https",
                "mailto",
                "tel",
                "webcal",
            ):
                found.append(f"{node.tag} {name}={value!r}")
    return found


@pytest.mark.parametrize(
    "hostile",
    [
        """<a href='https://example.org/"><svg/onload=alert(1)>'>x</a>""",
        """<a href="https://example.org/&quot;><svg/onload=alert(1)>">x</a>""",
        """<a href="https://example.org/&#34;><svg/onload=alert(1)>">x</a>""",
        """<a href="https://example.org/&#x22;><svg/onload=alert(1)>">x</a>""",
        """<a href='https://example.org/&#39;><svg/onload=alert(1)>'>x</a>""",
        """<img src='https://example.org/"><img src=x onerror=alert(1)>' alt="">""",
        """<img src="x.png&quot; onerror=&quot;alert(1)" alt="">""",
        """<a href="java\tscript:alert(1)">x</a>""",
        """<a href="java\nscript:alert(1)">x</a>""",
        """<a href="&#x6A;avascript:alert(1)">x</a>""",
        """<a href="javascript&colon;alert(1)">x</a>""",
        """<a href=" &#14; javascript:alert(1)">x</a>""",
        """<a href="JAVASCRIPT:alert(1)">x</a>""",
        """<a href="VbScript:msgbox(1)">x</a>""",
        """<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>""",
        """<img src="data:image/svg+xml,<svg onload=alert(1)>" alt="">""",
        """<img srcset="javascript:alert(1) 1x, x.png 2x" alt="">""",
        """<form><button formaction="javascript:alert(1)">x</button></form>""",
        """<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>""",
        """[x](javascript:alert(1) "t") ![y](javascript:alert(1))""",
        """[x](<https://example.org/"><svg onload=alert(1)>>)""",
    ],
)
def test_nothing_runnable_reaches_a_page_or_a_feed(hostile: str) -> None:
    page = render_markdown(f"Tekst\n\n{hostile}\n")
    feed = absolutize(page, BASE)
    assert _runnable(page) == []
    assert _runnable(feed) == []


# --- the sanitiser has the last word ---------------------------------------------------------


def test_raw_html_tables_are_wrapped_and_editors_cannot_forge_the_wrapper() -> None:
    html = render_markdown(
        '<div class="table-wrap" tabindex="0" role="region" aria-label="Tabel">falsk</div>\n\n'
        "<table><tr><td>Særlige dagtilbud</td></tr></table>\n"
    )
    assert "<div>falsk</div>" in html
    assert html.count('class="table-wrap"') == 1
    assert '<div class="table-wrap" tabindex="0" role="region" aria-label="Tabel"><table>' in html
    assert "<td>Særlige dagtilbud</td>" in html


def test_a_markdown_table_is_the_same_bytes_with_or_without_raw_html_beside_it() -> None:
    table = "| Punkt | Beslutning |\n|:---|---|\n| 1 | Godkendt |\n"
    plain = render_markdown(table)
    with_raw = render_markdown(table + "\n<abbr>KKR</abbr>\n")
    assert with_raw.startswith(plain)


# --- heading ids -----------------------------------------------------------------------------


def _ids(html: str) -> list[str]:
    return [n.attributes["id"] or "" for n in LexborHTMLParser(html).css("[id]")]


def test_heading_ids_are_unique_and_linear() -> None:
    # 4000 identical headings: the plugin this replaced took seconds (quadratic).
    ids = _ids(render_markdown("## a\n" * 4000 + "## a-2\n## a-4000\n"))
    assert ids[:3] == ["a", "a-2", "a-3"]
    assert ids[-3:] == ["a-4000", "a-2-2", "a-4000-2"]
    assert len(set(ids)) == len(ids)


def test_heading_ids_never_take_the_pages_own_and_are_never_empty() -> None:
    html = render_markdown(
        "## Main content\n## Møder\n## 😀\n## 🙂\n## År 2011\n"
        '<h2 id="main-content">rå</h2><h3 id="sekretariat">rå</h3><h3 id="egen">rå</h3>\n\n'
        "## Egen\n"
    )
    ids = _ids(html)
    assert ids == [
        "main-content-2",
        "moeder-2",
        "afsnit",
        "afsnit-2",
        "afsnit-aar-2011",
        "egen",
        "egen-2",
    ]
    assert not RESERVED_IDS & set(ids)


# --- runaway bodies are refused, with the line ----------------------------------------------


def _refusal(text: str) -> tuple[int, str]:
    with pytest.raises(MarkdownLimitError) as caught:
        render_markdown(text)
    return caught.value.line, caught.value.message


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        # 50,000 nested divs took nh3 and lexbor about ten seconds each.
        ("Tekst\n\n" + "<div>" * 50_000, 3, "nests HTML elements more than 64 deep"),
        ("Tekst\n\n" + "<div>" * 50_000, 3, "remove the surplus `<div>`s"),
        ("a\n\n" + "*a " * 200 + "b" + " a*" * 200, 3, "nests HTML elements 201 deep (at most 64)"),
        # A header of 5000 columns: markdown-it pads every row to it.
        ("# T\n\n|" + "a|" * 5000 + "\n|" + "-|" * 5000 + "\n" + "x\n" * 2000, 4, "5000 columns"),
        ("[" * 50_000, 1, "too many `[` that open no link"),
        ("a\n" + "*" * 5_000 + "a", 2, "more than 1000 `*` in a row"),
        ("Først et afsnit.\n\nSå\nen " + "_" * 1_001 + " her", 4, "more than 1000 `_` in a row"),
        ("Tekst\n\n![" + "~" * 1_001 + "](kort.png)", 3, "more than 1000 `~` in a row"),
        ("x\n\n[" + "*" * 1_001 + "](https://kl.dk)", 3, "more than 1000 `*` in a row"),
        ("- a\n" * 20_010, 20_001, "more than 100000 Markdown elements"),
        ("&" * 250_000, 1, "too much markup to read"),
        ("\n" * 60_000, 50_001, "the body has 60001 lines (at most 50000)"),
        ("![a](b.png) " * 1_500, 1, "more than 1000 images"),
        ("<p>x" * 110_000, 1, "more than 100000 elements"),
        ("<div " + " ".join(f"a{i}" for i in range(200)) + ">", 1, "has 200 attributes"),
        ("> " * 25 + "a", 1, "nests lists and block quotes too deep"),
    ],
)
def test_runaway_bodies_are_refused_with_the_line(body: str, line: int, message: str) -> None:
    found_line, found = _refusal(body)
    assert message in found, found
    assert found_line == line


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("a " + "*" * 1_000 + " b", "*" * 1_000),
        ("`" + "_" * 5_000 + "`", "<code>" + "_" * 5_000 + "</code>"),  # code is not markup
        ("Først *fremhævet*.\n\n" + "- punkt\n" * 50, "<em>fremhævet</em>"),
    ],
)
def test_bodies_within_the_limits_are_shown(body: str, shown: str) -> None:
    assert shown in render_markdown(body)
