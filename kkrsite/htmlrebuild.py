"""Raw HTML rebuilt as explicitly closed, allow-listed elements, at most MAX_DEPTH deep.

The tree builders after this step (nh3's html5ever, lexbor) are quadratic in nesting
depth; so raw HTML, read by the linear tokenizer (kkrsite.htmlscan), is rebuilt here
before any of them sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import NamedTuple

from kkrsite.errors import MarkdownLimitError
from kkrsite.htmlpolicy import ALLOWED_TAGS, HEADINGS, MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS
from kkrsite.htmlscan import Tag, Text, scan_html


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
_BOUNDS = {
    "special": _SPECIAL,
    "scope": _SCOPE,
    "li_stop": _SPECIAL - {"div", "p"},  # bounds the search of closes_open for li, dd and dt
    "tables": frozenset({"table"}),
}
"""Kinds of bound, by the elements that are one: what stands between an element and a tag."""


class _Rule(NamedTuple):
    """How the tree builder treats an allowed element's tags (the HTML standard, simplified)."""

    void: bool
    closes_p: bool  # its start tag closes an open p
    closes_current: frozenset[str]  # … and these while they are the current element
    closes_open: frozenset[str]  # … and the latest of these, if no special element is above
    bounds: tuple[str, ...]  # the kinds of bound (_BOUNDS) it is
    end_bound: str  # its end tag closes it if no bound of this kind stands above it


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
        bounds=tuple(kind for kind, members in _BOUNDS.items() if name in members),
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
        # Indexes in stack of the open elements of each kind of bound, above a sentinel.
        self.bounds: dict[str, list[int]] = {kind: [-1] for kind in _BOUNDS}
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

    def _line(self, tag: Tag) -> int:
        return line_at(self.source, self.starts, tag.offset)

    def _refuse(self, tag: Tag, message: str) -> MarkdownLimitError:
        return MarkdownLimitError(self._line(tag), message)

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
        if rule.closes_p and 0 <= self._last("p") >= self.bounds["scope"][-1]:
            self._pop_to(self._last("p"))
        if stack and stack[-1] in rule.closes_current:
            self._pop_to(len(stack) - 1)
            if stack and stack[-1] in rule.closes_current:  # a td closed, then its tr
                self._pop_to(len(stack) - 1)
        if rule.closes_open:
            latest = max(self._last(other) for other in rule.closes_open)
            bound = self.bounds["li_stop" if name != "a" else "special"]
            if latest >= 0 and latest >= bound[-1]:
                self._pop_to(latest)
        self.out.append(_start_tag(tag))
        if rule.void:
            return
        index = len(stack)
        if index >= MAX_DEPTH:
            raise too_deep(self._line(tag), None, name)
        self.where.setdefault(name, []).append(index)
        for kind in rule.bounds:
            self.bounds[kind].append(index)
        stack.append(name)

    def _end(self, name: str) -> None:
        rule = _RULES[name]
        if rule.void:
            return
        if name in HEADINGS:  # `</h3>` closes whichever heading is open
            latest = max(self._last(heading) for heading in HEADINGS)
        else:
            latest = self._last(name)
        if latest >= 0 and latest >= self.bounds[rule.end_bound][-1]:
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
            for places in self.bounds.values():
                if places[-1] == at:
                    places.pop()
            out.append(f"</{name}>")


def _start_tag(tag: Tag) -> str:
    """A start tag written plainly: simple attribute names, values double-quoted as written."""
    parts = [f"<{tag.name}"]
    for name, value in tag.attrs.items():
        if name and all(ch.isascii() and (ch.isalnum() or ch in "-_:.") for ch in name):
            # Character references stay as written, so the value decodes as it would have.
            parts.append(f' {name}="{value.replace(chr(34), "&quot;")}"')
    return "".join(parts) + ">"
