"""Raw HTML rebuilt within the limits: its meaning kept, its depth bounded for every tree builder."""

import pytest
from selectolax.lexbor import LexborHTMLParser

from kkrsite.errors import MarkdownLimitError
from kkrsite.htmlpolicy import MAX_DEPTH
from kkrsite.markdown import render_markdown


def test_raw_html_keeps_its_meaning_when_rebuilt() -> None:
    html = render_markdown(
        "<ul><li>a<li>b</ul>\n\n<p>x<p>y\n\n<table><tr><td>1<td>2<tr><td>3</table>\n\n"
        '<a href="?a=1&copy=2" title=\'say "hi"\'>l</a> a < b\n'
    )
    assert "<ul><li>a</li><li>b</li></ul>" in html
    assert "<p>x</p><p>y\n</p>" in html
    assert "<tr><td>1</td><td>2</td></tr><tr><td>3</td></tr>" in html
    assert '<a href="?a=1&amp;copy=2" title="say &quot;hi&quot;">l</a> a &lt; b' in html


@pytest.mark.parametrize(
    "motif",
    [
        "<div>",
        "<b><div></b>",
        "<p><b>x</p>y",
        "<table><td>",
        "<li><ul>",
        "<p><span><dialog></p>",
        "<button><button></button><rt></button>",
        "</font><font><tt>",
        '<div a="\n\n</div> [x](u)\n\n',
        "<span>" * 50 + "<div>" + "</span>" * 50,
        "<svg><style>" + "<div>" * 3,
        "<select><style></select><div>",
        "<b a=1><b a=2><p>x</p>",
    ],
)
def test_no_tree_builder_can_be_led_to_nest_deep(motif: str) -> None:
    """Each motif, repeated, once slipped past a tag counter: refused or rendered shallow."""
    try:
        html = render_markdown(motif * max(200, 30_000 // len(motif)))
    except MarkdownLimitError:
        return
    deepest, todo = 0, [(node, 1) for node in LexborHTMLParser(html, is_fragment=True).css("*")]
    for node, _ in todo:
        depth, parent = 0, node
        while parent is not None and depth <= 3 * MAX_DEPTH:
            depth, parent = depth + 1, parent.parent
        deepest = max(deepest, depth)
    assert deepest <= 3 * MAX_DEPTH
