"""Markdown: CommonMark, tables, Danish anchors, and nothing executable survives."""

from html.parser import HTMLParser

import pytest

from kkrsite.markdown import render_markdown


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


def test_absolutize_for_feeds() -> None:
    from kkrsite.markdown import absolutize

    html = '<p><a href="../moeder/">m</a> <a href="https://kl.dk/">kl</a> <img src="/filer/a.png" alt=""></p>'
    out = absolutize(html, "https://kkr.example.dk/kkr/hovedstaden/")
    assert 'href="https://kkr.example.dk/kkr/moeder/"' in out
    assert 'href="https://kl.dk/"' in out
    assert 'src="https://kkr.example.dk/filer/a.png"' in out


def test_images_always_have_a_source_and_a_text_alternative() -> None:
    html = render_markdown(
        '<img src="kort.png"> <img onerror="x()"> ![Foto af rådhuset](raadhus.jpg)'
    )
    assert '<img src="kort.png" alt="">' in html
    assert html.count("<img") == 2
    assert '<img src="raadhus.jpg" alt="Foto af rådhuset">' in html
