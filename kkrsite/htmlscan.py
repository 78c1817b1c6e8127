"""A linear HTML5 tokenizer: the tags and text of HTML as a browser's tokenizer reads them.

Python's own HTMLParser is quadratic on some inputs; this reads HTML in one pass,
for the rebuild of raw HTML in bodies (kkrsite.htmlrebuild), for titles made inert
in feeds and calendars, and for the links and lines of built pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import unescape
from typing import NamedTuple

_SPACE = "\t\n\f\r "
_RAW_TEXT = frozenset({
    "iframe", "noembed", "noframes", "plaintext", "script", "style", "textarea", "title", "xmp",
})  # fmt: skip
"""Elements whose content the tokenizer reads as text up to their end tag."""


class Tag(NamedTuple):
    """A start or end tag as the HTML5 tokenizer reads it, from `offset` (its `<`) to `end`."""

    name: str
    attrs: dict[str, str]  # as written: character references not decoded
    offset: int
    end: int
    closing: bool

    def attr(self, name: str) -> str:
        """An attribute's value with character references decoded ('' if absent)."""
        return unescape(self.attrs.get(name, ""))


class Text(NamedTuple):
    """Text between tags, or the raw text of a `raw_in` element (script, textarea …)."""

    start: int
    end: int
    raw_in: str = ""


def scan_html(html: str) -> Iterator[Tag | Text]:
    """The tags and text of `html` as the HTML5 tokenizer reads them, in linear time.

    Comments, doctypes and bogus comments are skipped; the content of a raw-text
    element (script, textarea …) up to its end tag is one Text. (Inside svg or math
    that content would be markup: svg and math are not allowed, so it is read as text.)
    """
    end = len(html)
    pos = text_from = 0
    ahead = _Ahead(html)
    while True:
        lt = html.find("<", pos)
        if lt < 0 or lt + 1 >= end:
            break
        ch = html[lt + 1]
        closing = ch == "/"
        name_at = lt + 2 if closing else lt + 1
        item: Tag | None = None
        if ch == "!":
            after = _skip_markup_declaration(html, lt, ahead)
        elif ch == "?":
            after = _after_gt(html, lt + 2)
        elif name_at < end and html[name_at].isascii() and html[name_at].isalpha():
            item = _read_tag(html, name_at, lt, closing=closing)
            if item is None:  # the text ends inside a tag: the rest is that tag
                end = lt
                break
            after = item.end
        elif closing and lt + 2 < end:
            after = lt + 3 if html[lt + 2] == ">" else _after_gt(html, lt + 2)
        else:  # a `<` that starts nothing is text
            pos = lt + 1
            continue
        if text_from < lt:
            yield Text(text_from, lt)
        if item is not None:
            yield item
            if not item.closing and item.name in _RAW_TEXT:
                close = end if item.name == "plaintext" else _raw_text_end(html, after, item.name)
                if after < close:
                    yield Text(after, close, item.name)
                after = close
        pos = text_from = after
    if text_from < end:
        yield Text(text_from, end)


def scan_tags(html: str) -> Iterator[Tag]:
    """Every tag in `html`, read as the HTML5 tokenizer reads it."""
    for item in scan_html(html):
        if isinstance(item, Tag):
            yield item


def inert(text: str) -> str:
    """Plain text that stays plain when a program reads it as HTML: each `<` that would
    start a tag is written `&lt;`.

    RSS leaves open whether a title is text or HTML, and readers differ; a title such
    as `Møde <script>…` must not become markup in the readers that take it as HTML.
    """
    starts = [tag.offset for tag in scan_tags(text)] if "<" in text else []
    if not starts:
        return text
    parts, last = [], 0
    for offset in starts:
        parts += [text[last:offset], "&lt;"]
        last = offset + 1
    return "".join([*parts, text[last:]])


def urls_in(html: str) -> Iterator[str]:
    """The targets of the links and images in `html`, character references decoded."""
    for tag in scan_tags(html):
        if not tag.closing and tag.name in ("a", "img"):
            url = tag.attr("href" if tag.name == "a" else "src")
            if url:
                yield url


def _after_gt(html: str, pos: int) -> int:
    found = html.find(">", pos)
    return len(html) if found < 0 else found + 1


class _Ahead:
    """Where a string next occurs: searched again only once the reading has passed it."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.found: dict[str, int] = {}

    def find(self, needle: str, pos: int) -> int:
        found = self.found.get(needle)
        if found is None or 0 <= found < pos:  # -1 stays true: the reading only goes on
            found = self.found[needle] = self.html.find(needle, pos)
        return found


def _skip_markup_declaration(html: str, lt: int, ahead: _Ahead) -> int:
    """After `<!`: a comment ends at `-->` or `--!>` (or at once: `<!-->`); anything else at `>`."""
    if not html.startswith("<!--", lt):
        return _after_gt(html, lt + 2)  # doctype, bogus comment, CDATA outside svg/math
    pos = lt + 4
    if html.startswith(">", pos):
        return pos + 1
    if html.startswith("->", pos):
        return pos + 2
    ends = [found for found in (ahead.find("-->", pos), ahead.find("--!>", pos)) if found >= 0]
    if not ends:
        return len(html)
    first = min(ends)
    return first + (3 if html.startswith("-->", first) else 4)


def _raw_text_end(html: str, pos: int, name: str) -> int:
    """Where the raw text of a `name` element ends: at its end tag (case-insensitive)."""
    end = len(html)
    while True:
        found = html.find("</", pos)
        if found < 0:
            return end
        after = found + 2 + len(name)
        if html[found + 2 : after].lower() == name and (
            after >= end or html[after] in _SPACE + "/>"
        ):
            return found
        pos = found + 2


def _read_tag(html: str, pos: int, lt: int, *, closing: bool) -> Tag | None:
    """The tag whose name starts at `pos`; None if the text ends inside it."""
    end = len(html)
    start = pos
    while pos < end and html[pos] not in _SPACE and html[pos] not in "/>":
        pos += 1
    name = html[start:pos].lower()
    attrs: dict[str, str] = {}
    while True:
        while pos < end and html[pos] in _SPACE:
            pos += 1
        if pos >= end:
            return None
        ch = html[pos]
        if ch == ">":
            return Tag(name, attrs, lt, pos + 1, closing)
        if ch == "/":
            pos += 1
            if pos < end and html[pos] == ">":
                return Tag(name, attrs, lt, pos + 1, closing)
            continue
        start = pos
        pos += 1  # a name may start with `=`
        while pos < end and html[pos] not in _SPACE and html[pos] not in "/>=":
            pos += 1
        attribute = html[start:pos].lower()
        while pos < end and html[pos] in _SPACE:
            pos += 1
        value = ""
        if pos < end and html[pos] == "=":
            pos += 1
            while pos < end and html[pos] in _SPACE:
                pos += 1
            if pos >= end:
                return None
            quote = html[pos]
            if quote in "\"'":
                close = html.find(quote, pos + 1)
                if close < 0:
                    return None
                value, pos = html[pos + 1 : close], close + 1
            elif quote != ">":
                start = pos
                while pos < end and html[pos] not in _SPACE and html[pos] != ">":
                    pos += 1
                value = html[start:pos]
        attrs.setdefault(attribute, value)  # the first of a repeated attribute wins
