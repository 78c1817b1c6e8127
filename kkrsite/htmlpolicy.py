"""What markup may leave the build from a body, and how much of it: one place for both.

The sanitiser (`kkrsite/sanitise.py`) enforces the allow-list, the raw-HTML rebuild
(`kkrsite/htmlrebuild.py`) the limits, and `check --links` (`kkrsite/feedcheck.py`)
judges built feeds by the same constants.
"""

from __future__ import annotations

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var", "wbr",
})  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"lang", "title"}),
    "a": frozenset({"href", "hreflang"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "ol": frozenset({"start"}),
    "td": frozenset({"colspan", "rowspan", "headers"}),
    "th": frozenset({"colspan", "rowspan", "headers", "scope"}),
    "time": frozenset({"datetime"}),
    "ins": frozenset({"datetime"}),
    "del": frozenset({"datetime"}),
    **{f"h{level}": frozenset({"id"}) for level in range(2, 7)},
}
URL_ATTRIBUTES = frozenset({("a", "href"), ("img", "src")})
"""The allowed attributes that hold a URL: nh3 checks their scheme, feeds make them absolute."""
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "webcal"})
ALLOWED_CLASSES: dict[str, frozenset[str]] = {
    cell: frozenset({"align-left", "align-center", "align-right"}) for cell in ("th", "td")
}
TABLE_WRAPPER = (
    ("class", "table-wrap"),
    ("tabindex", "0"),
    ("role", "region"),
    ("aria-label", "Tabel"),
)
"""A table scrolls in a focusable, named region (WCAG 2.1.1): the only attributes a div gets."""
WRAPPER_VALUES = {"div": {name: frozenset({value}) for name, value in TABLE_WRAPPER}}
WRAPPER_OPEN = "<div " + " ".join(f'{name}="{value}"' for name, value in TABLE_WRAPPER) + ">"

RESERVED_IDS = frozenset({"main-content", "moeder", "sekretariat", "tabel_udpegninger"})
"""Every literal id in templates/*.html: a heading in a body never takes one of them."""
RESERVED_ID_PREFIXES = ("aar-", "maaned-")
"""The fixed start of each id a template makes from a value (`aar-{{ year }}`)."""
HEADING_FALLBACK = "afsnit"
"""The id of a heading whose text gives no slug (only emoji or punctuation)."""

HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
"""The headings a body may have: its page's title is the only h1."""

# --- limits on raw HTML: what a council body never needs -----------------------------------

MAX_ELEMENTS = 100_000
"""Markdown tokens (paragraphs, list items, table cells, links, emphasis …) in one body."""
MAX_DEPTH = 64
"""Elements inside each other: nh3 (html5ever) and lexbor take time quadratic in the depth."""
MAX_ATTRIBUTES = 100
"""Attributes of one element: html5ever checks each new one against all before it."""
