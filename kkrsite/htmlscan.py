"""Raw HTML in bodies, read by a linear HTML5 tokenizer and rebuilt within the limits.

Python's own HTMLParser is quadratic on some inputs, and the tree builders after
this step (nh3's html5ever, lexbor) are quadratic in nesting depth; so raw HTML is
tokenized here in one pass and rebuilt as explicitly closed, allow-listed elements
at most MAX_DEPTH deep before any of them sees it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from html import escape, unescape
from typing import NamedTuple

from kkrsite.errors import MarkdownLimitError
from kkrsite.htmlpolicy import ALLOWED_TAGS, HEADINGS, MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS


def line_at(html: str, starts: Sequence[tuple[int, int]], offset: int) -> int:
    """The 1-based body line the HTML at `offset` was rendered from."""
    block_offset, line = 0, 0
    for start, block_line in starts:
        if start > offset:
            break
        block_offset, line = start, block_line
    return line + html.count("\n", block_offset, offset) + 1


def too_deep(line: int, depth: int | None, tag: str) -> MarkdownLimitError:
    remedy = f"remove the surplus `<{tag}>`s"
    if tag in ("em", "strong"):
        remedy += " (Markdown `*` and `_` emphasis)"
    deep = f"{depth} deep (at most {MAX_DEPTH})" if depth else f"more than {MAX_DEPTH} deep"
    return MarkdownLimitError(line, f"the body nests HTML elements {deep}: {remedy}")


# --- an HTML5 tokenizer ------------------------------------------------------------------------

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
        item: Tag | None = None
        if ch == "!":
            after = _skip_markup_declaration(html, lt, ahead)
        elif ch == "?":
            after = _after_gt(html, lt + 2)
        elif ch == "/" and lt + 2 < end and html[lt + 2].isascii() and html[lt + 2].isalpha():
            item = _read_tag(html, lt + 2, lt, closing=True)
            if item is None:  # the text ends inside a tag: the rest is that tag
                end = lt
                break
            after = item.end
        elif ch == "/" and lt + 2 < end:
            after = lt + 3 if html[lt + 2] == ">" else _after_gt(html, lt + 2)
        elif ch.isascii() and ch.isalpha():
            item = _read_tag(html, lt + 1, lt, closing=False)
            if item is None:
                end = lt
                break
            after = item.end
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


# --- raw HTML rebuilt as explicitly closed, allow-listed elements ------------------------------

_SPECIAL = frozenset({
    "blockquote", "br", "caption", "col", "colgroup", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "wbr",
})  # fmt: skip
"""The allowed elements the HTML standard calls special: `</span>` does not close past one."""
_SCOPE = frozenset({"caption", "table", "td", "th"})
"""The allowed elements that bound "in scope": a `</div>` outside a table cell is ignored."""
_CLOSES_P = frozenset({
    "blockquote", "dd", "details", "div", "dl", "dt", "figcaption", "figure", "h2", "h3", "h4",
    "h5", "h6", "hr", "li", "ol", "p", "pre", "summary", "table", "ul",
})  # fmt: skip
_TABLE_PARTS = frozenset({"caption", "colgroup", "tbody", "thead", "tfoot", "tr", "td", "th"})


class _Rule(NamedTuple):
    """How the tree builder treats an allowed element's tags (the HTML standard, simplified)."""

    void: bool
    closes_p: bool  # its start tag closes an open p
    closes_current: frozenset[str]  # … and these while they are the current element
    closes_open: frozenset[str]  # … and the latest of these, if no special element is above
    special: bool
    scope: bool
    li_stop: bool  # bounds the search of closes_open for li, dd and dt
    table: bool
    end_bound: str  # its end tag closes it if none of these stands above it


def _rule(name: str) -> _Rule:
    closes_current = frozenset[str]()
    if name in HEADINGS:
        closes_current = HEADINGS
    elif name in ("tr", "td", "th"):
        cells = {"tr", "td", "th"} if name == "tr" else {"td", "th"}
        closes_current = frozenset(cells | {"caption", "colgroup"})
    elif name in _TABLE_PARTS:
        closes_current = _TABLE_PARTS
    closes_open = {"li": {"li"}, "dd": {"dd", "dt"}, "dt": {"dd", "dt"}, "a": {"a"}}.get(name, ())
    return _Rule(
        void=name in ("br", "col", "hr", "img", "wbr"),
        closes_p=name in _CLOSES_P,
        closes_current=closes_current,
        closes_open=frozenset(closes_open),
        special=name in _SPECIAL,
        scope=name in _SCOPE,
        li_stop=name in _SPECIAL and name not in ("div", "p"),
        table=name == "table",
        # A table part closes past anything in its own table; a block element past
        # anything up to a table cell; any other element only past non-special ones.
        end_bound="tables"
        if name in _TABLE_PARTS | {"table"}
        else ("scope" if name in _SPECIAL else "special"),
    )


_RULES = {name: _rule(name) for name in ALLOWED_TAGS}
_DROP_CONTENT = frozenset({"script", "style"})


class Rebuild:
    """HTML rebuilt as allow-listed elements, each explicitly closed, at most MAX_DEPTH deep.

    nh3 (html5ever) and lexbor take time quadratic in how deep elements nest, and a
    tree builder nests by rules no tag counter can follow exactly (a `</p>` that
    finds no paragraph, reopened formatting …). So the tree is built here, once, by
    a small model of the HTML standard's rules for the allowed elements (a `<p>`
    or `<li>` closes an open one; an end tag closes what it names unless a special
    element stands in between), and written out with every element closed in
    order. A tree builder then nests as written: never deeper than MAX_DEPTH (plus
    the tbody and tr it adds to a table). Elements outside the allow-list are left
    out, their content kept (nh3 would do the same), except script and style; the
    raw text of textarea, xmp … is kept as text.
    """

    def __init__(self, html: str, starts: Sequence[tuple[int, int]]) -> None:
        self.source = html
        self.starts = starts
        self.out: list[str] = []
        self.stack: list[str] = []
        self.where: dict[str, list[int]] = {}  # indexes in stack by name
        self.special: list[int] = [-1]  # indexes in stack, below a sentinel
        self.scope: list[int] = [-1]
        self.li_stop: list[int] = [-1]
        self.tables: list[int] = [-1]
        self.elements = 0

    def html(self) -> str:
        """The rebuilt HTML; raises MarkdownLimitError if it has too many or too deep elements."""
        source, out = self.source, self.out
        for item in scan_html(source):
            if isinstance(item, Text):
                text = source[item.start : item.end]
                if item.raw_in in ("textarea", "title"):  # character references still count
                    out.append(text.replace("<", "&lt;"))
                elif item.raw_in:
                    if item.raw_in not in _DROP_CONTENT:
                        out.append(escape(text, quote=False))
                else:
                    out.append(text.replace("<", "&lt;"))
            elif item.name in _RULES:
                if item.closing:
                    self._end(item.name)
                else:
                    self._start(item)
            elif item.closing and item.name == "br":  # `</br>` is read as `<br>`
                out.append("<br>")
        self._pop_to(0)
        return "".join(out)

    def _refuse(self, tag: Tag, message: str) -> MarkdownLimitError:
        return MarkdownLimitError(line_at(self.source, self.starts, tag.offset), message)

    def _start(self, tag: Tag) -> None:
        name = tag.name
        rule = _RULES[name]
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise self._refuse(
                tag,
                f"the body has more than {MAX_ELEMENTS} elements: split it into several entries",
            )
        if len(tag.attrs) > MAX_ATTRIBUTES:
            raise self._refuse(
                tag,
                f"a `<{name}>` in the body has {len(tag.attrs)} attributes "
                f"(at most {MAX_ATTRIBUTES}): remove the surplus",
            )
        stack = self.stack
        if rule.closes_p and 0 <= self._last("p") >= self.scope[-1]:
            self._pop_to(self._last("p"))
        if stack and stack[-1] in rule.closes_current:
            self._pop_to(len(stack) - 1)
            if stack and stack[-1] in rule.closes_current:  # a td closed, then its tr
                self._pop_to(len(stack) - 1)
        if rule.closes_open:
            latest = max(self._last(other) for other in rule.closes_open)
            if latest >= 0 and latest >= (self.li_stop if name != "a" else self.special)[-1]:
                self._pop_to(latest)
        self.out.append(_start_tag(tag))
        if rule.void:
            return
        index = len(stack)
        if index >= MAX_DEPTH:
            raise too_deep(line_at(self.source, self.starts, tag.offset), None, name)
        self.where.setdefault(name, []).append(index)
        if rule.special:
            self.special.append(index)
        if rule.scope:
            self.scope.append(index)
        if rule.li_stop:
            self.li_stop.append(index)
        if rule.table:
            self.tables.append(index)
        stack.append(name)

    def _end(self, name: str) -> None:
        rule = _RULES[name]
        if rule.void:
            return
        if name in HEADINGS:  # `</h3>` closes whichever heading is open
            latest = max(self._last(heading) for heading in HEADINGS)
        else:
            latest = self._last(name)
        bound: list[int] = getattr(self, rule.end_bound)
        if latest >= 0 and latest >= bound[-1]:
            self._pop_to(latest)

    def _last(self, name: str) -> int:
        places = self.where.get(name)
        return places[-1] if places else -1

    def _pop_to(self, index: int) -> None:
        stack, out = self.stack, self.out
        while len(stack) > index:
            name = stack.pop()
            at = len(stack)
            self.where[name].pop()
            if self.special[-1] == at:
                self.special.pop()
            if self.scope[-1] == at:
                self.scope.pop()
            if self.li_stop[-1] == at:
                self.li_stop.pop()
            if self.tables[-1] == at:
                self.tables.pop()
            out.append(f"</{name}>")


def _start_tag(tag: Tag) -> str:
    """A start tag written plainly: simple attribute names, values double-quoted as written."""
    parts = [f"<{tag.name}"]
    for name, value in tag.attrs.items():
        if name and all(ch.isascii() and (ch.isalnum() or ch in "-_:.") for ch in name):
            # Character references stay as written, so the value decodes as it would have.
            parts.append(f' {name}="{value.replace(chr(34), "&quot;")}"')
    return "".join(parts) + ">"
