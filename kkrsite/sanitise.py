"""The sanitiser, which has the last word on every HTML fragment that leaves the build.

nh3 (Rust's ammonia) keeps only the allow-listed tags, attributes and URL schemes
of `kkrsite/htmlpolicy.py`. Edits that need the markup (table wrappers, image
fixes, absolute URLs for feeds) are made on an HTML5 parse (lexbor) or inside a
sanitiser pass, and a sanitiser pass always comes after them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit

import nh3
from selectolax.lexbor import LexborHTMLParser

from kkrsite.htmlpolicy import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_CLASSES,
    ALLOWED_TAGS,
    RESERVED_ID_PREFIXES,
    RESERVED_IDS,
    TABLE_WRAPPER,
    URL_ATTRIBUTES,
    URL_SCHEMES,
    WRAPPER_VALUES,
)
from kkrsite.htmlrebuild import Rebuild

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

AttributeFilter = Callable[[str, str, str], "str | None"]


def clean(html: str, *, wrapper: bool, attribute_filter: AttributeFilter | None = None) -> str:
    """One nh3 pass with the allow-list; `wrapper` also allows exactly the table wrapper div."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        tag_attribute_values=WRAPPER_VALUES if wrapper else None,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    # A character reference (`&#1;`) can spell a control character the read step would
    # refuse as text; nh3 writes it out raw. Control characters have no place in HTML.
    return _CONTROLS.sub("", cleaned)


def url_safe(url: str) -> str:
    """A URL with the characters URLs may not hold (space, quotes, `<`, `>`, …) %-encoded.

    Browsers encode them anyway; written encoded, the page is valid HTML and a URL
    can never look like the end of its attribute to a careless reader.
    """
    return quote(url, safe=_URL_SAFE)


_URL_SAFE = "!#$%&'()*+,/:;=?@[]~-._"
"""RFC 3986's reserved and unreserved punctuation, and `%` of existing escapes."""


def unique_ids() -> AttributeFilter:
    """An attribute filter for one nh3 pass: drop ids the page uses or the fragment repeats,
    and %-encode what a URL may not hold."""
    seen: set[str] = set()

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) in URL_ATTRIBUTES:
            return url_safe(value)
        if attribute != "id":
            return value
        reserved = value in RESERVED_IDS or value.startswith(RESERVED_ID_PREFIXES)
        if reserved or value in seen or not value or any(c.isspace() for c in value):
            return None  # an id must be unique, non-empty and without spaces
        seen.add(value)
        return value

    return keep


def sanitise(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes, and ids the page has not.

    Raises MarkdownLimitError for HTML nested deeper than MAX_DEPTH (see htmlrebuild.Rebuild).
    """
    return clean(Rebuild(html, ()).html(), wrapper=False, attribute_filter=unique_ids())


@lru_cache(maxsize=2048)  # an entry is in several feeds, with the same base each time
def absolutize(html: str, base: str) -> str:
    """Sanitised HTML (render_markdown's) with every href and src made absolute, for feeds.

    The URLs are joined inside a sanitiser pass: nh3 hands the filter the decoded
    value and escapes what it returns, so a quote in a URL can never end the attribute.
    """
    ids = unique_ids()

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) not in URL_ATTRIBUTES:
            return ids(tag, attribute, value)
        try:
            joined = urljoin(base, value)
            scheme = urlsplit(joined).scheme
        except ValueError:  # e.g. an unclosed IPv6 bracket: not a URL
            return None
        # nh3 checks the scheme before the filter runs, not after: check the result here.
        return url_safe(joined) if scheme.lower() in URL_SCHEMES else None

    return clean(html, wrapper=True, attribute_filter=absolute)


def wrap_tables_and_fix_images(html: str) -> str:
    """Drop images with no source, mark those with no text alternative decorative, wrap tables."""
    tree = LexborHTMLParser(html, is_fragment=True)
    for image in tree.css("img"):
        attributes = image.attributes
        if "src" not in attributes:
            image.decompose()
        elif "alt" not in attributes:
            image.attrs["alt"] = ""
    for table in tree.css("table"):
        wrapper = tree.create_node("div")
        for name, value in TABLE_WRAPPER:
            wrapper.attrs[name] = value
        table.insert_before(wrapper, move=True)
        wrapper.insert_child(table, move=True)
    return tree.html or ""
