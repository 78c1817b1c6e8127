"""Markdown bodies to safe HTML: one configured markdown-it-py, then an nh3 allow-list.

CommonMark plus tables and heading anchors. Raw HTML is allowed in the source
(editors paste tables and `<abbr>`), so everything that comes out passes through
nh3: no script, iframe, event handler or javascript:/data: URL reaches a page.
Linkify stays off: it made rendering four times slower.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.anchors import anchors_plugin

from kkrsite.slugs import slugify

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var", "wbr",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"lang", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "time": {"datetime"},
    "ins": {"datetime"},
    "del": {"datetime"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
_SCHEMES = {"http", "https", "mailto", "tel", "webcal"}
_ALIGN_CLASSES = {"align-left", "align-center", "align-right"}


def _demote_h1_and_align_by_class(state: StateCore) -> None:
    """A page has one h1, its title: a `# heading` in a body becomes an h2.

    Table alignment becomes a class, not a style attribute, so a strict
    Content-Security-Policy (no inline styles) keeps it.
    """
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
        style = token.attrGet("style") if token.type in ("th_open", "td_open") else None
        if isinstance(style, str) and style.startswith("text-align:"):
            del token.attrs["style"]
            token.attrSet("class", "align-" + style.removeprefix("text-align:"))


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table")
    md.core.ruler.push("demote_h1_and_align_by_class", _demote_h1_and_align_by_class)
    anchors_plugin(md, min_level=2, max_level=4, slug_func=slugify)
    return md


_PARSER = _make_parser()


def sanitise(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ATTRIBUTES,
        allowed_classes={cell: _ALIGN_CLASSES for cell in ("th", "td")},
        url_schemes=_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """A Markdown body as sanitised HTML; tables wrapped so they scroll on a phone."""
    html = _IMG.sub(_usable_image, sanitise(_PARSER.render(text)))
    # Added after sanitising, which allows no attributes on <table>: a scrollable region must be
    # focusable and named for keyboard and screen-reader users (WCAG 2.1.1).
    return html.replace("<table>", _TABLE_OPEN).replace("</table>", "</table></div>")


_IMG = re.compile(r"<img\b([^>]*)>")


def _usable_image(match: re.Match[str]) -> str:
    """An image with no source is dropped; one with no text alternative is marked decorative."""
    attrs = match[1]
    if ' src="' not in attrs:
        return ""
    return match[0] if ' alt="' in attrs else f'<img{attrs} alt="">'


_TABLE_OPEN = '<div class="table-wrap" tabindex="0" role="region" aria-label="Tabel"><table>'


_LINK_ATTR = re.compile(r'\b(href|src)="([^"]*)"')


def absolutize(html: str, base: str) -> str:
    """Make every href and src in sanitised HTML absolute against `base` (for feeds)."""
    return _LINK_ATTR.sub(lambda m: f'{m[1]}="{urljoin(base, unescape(m[2]))}"', html)
