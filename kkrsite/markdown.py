"""Markdown bodies to safe HTML: markdown-it-py within limits, then an nh3 allow-list, last.

CommonMark plus tables and heading anchors. Raw HTML is allowed in the source
(editors paste tables and `<abbr>`), so every fragment that leaves this module
comes out of nh3 last: no script, iframe, event handler or javascript:/data: URL
reaches a page or a feed. Edits that need the markup (table wrappers, image
fixes, absolute URLs for feeds) are made on markdown-it tokens, on an HTML5
parse (lexbor) or inside the sanitiser pass, never on serialised text.

Bodies come by pull request, so one that would keep markdown-it, nh3 or lexbor
busy for long (deep nesting, huge tables, floods of markup characters) is
refused with `MarkdownLimitError` before the expensive step runs.
Linkify stays off: it made rendering four times slower.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from html import escape, unescape
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.parser_inline import ParserInline
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table as _table_rule
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.image import image as _image_rule
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from selectolax.lexbor import LexborHTMLParser

from kkrsite.slugs import slugify


class MarkdownLimitError(ValueError):
    """A body refused because it exceeds what a council body ever needs; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


# --- the allow-list (sitecheck.py judges feeds by the same constants) ------------------------

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
_WRAPPER_VALUES = {"div": {name: frozenset({value}) for name, value in TABLE_WRAPPER}}
_WRAPPER_OPEN = "<div " + " ".join(f'{name}="{value}"' for name, value in TABLE_WRAPPER) + ">"

RESERVED_IDS = frozenset({"main-content", "moeder", "sekretariat", "tabel_udpegninger"})
"""Every literal id in templates/*.html: a heading in a body never takes one of them."""
RESERVED_ID_PREFIXES = ("aar-", "maaned-")
"""The fixed start of each id a template makes from a value (`aar-{{ year }}`)."""
HEADING_FALLBACK = "afsnit"
"""The id of a heading whose text gives no slug (only emoji or punctuation)."""

# --- limits: what a council body never needs ---------------------------------------------------

MAX_LINES = 50_000
"""Lines in one body: markdown-it does work for every line, even a blank one."""
MAX_ELEMENTS = 100_000
"""Markdown tokens (paragraphs, list items, table cells, links, emphasis …) in one body."""
MAX_INLINE_STEPS = 200_000
"""Places where markdown-it tries its inline rules: text runs and markup characters."""
MAX_LABEL_STEPS = 100_000
"""Steps markdown-it takes looking for the `]` of link texts: a flood of `[` costs it dearly."""
MAX_DELIMITER_RUN = 1_000
"""`*`, `_` or `~` in a row: markdown-it makes a token of each."""
MAX_IMAGES = 1_000
"""markdown-it reads each image's text with a parser of its own."""
MAX_TABLE_COLUMNS = 50
"""markdown-it pads every row to the header's width: wide tables make millions of cells."""
MAX_DEPTH = 64
"""Elements inside each other: nh3 (html5ever) and lexbor take time quadratic in the depth."""
MAX_ATTRIBUTES = 100
"""Attributes of one element: html5ever checks each new one against all before it."""

_TOO_MANY_ELEMENTS = (
    f"the body has more than {MAX_ELEMENTS} Markdown elements (paragraphs, list items, "
    "table cells, links, emphasis …): split it into several entries"
)
_RUNS = {ch: ch * (MAX_DELIMITER_RUN + 1) for ch in "*_~"}


class _Budget:
    """What markdown-it has done so far for one body, checked as it goes."""

    def __init__(self) -> None:
        self.tokens = 0  # block tokens plus the inline tokens of finished blocks
        self.inline_steps = 0
        self.label_steps = 0
        self.images = 0
        self.line = 0  # 0-based first line of the inline block being read
        self.raw_html = False

    def refuse(self, state: StateInline, message: str) -> MarkdownLimitError:
        """The error for a limit hit at the current place of an inline block."""
        return MarkdownLimitError(self.line + state.src.count("\n", 0, state.pos) + 1, message)


def _budget(env: EnvType) -> _Budget:
    budget: _Budget = env["kkrsite"]  # render_markdown puts it there
    return budget


def _block_budget(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Runs before the block rules at each line, and at each line a block may end on."""
    if len(state.tokens) > MAX_ELEMENTS:
        raise MarkdownLimitError(start + 1, _TOO_MANY_ELEMENTS)
    return False


def _inline_budget(state: StateInline, silent: bool) -> bool:
    """Runs before the inline rules at each place markdown-it tries them."""
    budget = _budget(state.env)
    budget.inline_steps += 1
    run = _RUNS.get(state.src[state.pos])
    if run is not None and state.src.startswith(run, state.pos):
        raise budget.refuse(
            state,
            f"the body has more than {MAX_DELIMITER_RUN} `{run[0]}` in a row: "
            f"remove them or write them as `\\{run[0]}`",
        )
    if budget.inline_steps > MAX_INLINE_STEPS:
        raise budget.refuse(
            state,
            f"the body has too much markup to read (over {MAX_INLINE_STEPS} places where "
            "`[`, `<`, `*`, `_`, `&`, `` ` `` or `\\` could start markup): "
            "split it into several entries or remove the surplus characters",
        )
    if budget.tokens + len(state.tokens) > MAX_ELEMENTS:
        raise budget.refuse(state, _TOO_MANY_ELEMENTS)
    return False


def _tokenize_blocks(state: StateBlock, start: int, end: int) -> None:
    """markdown-it's block tokenizer, refusing text nested past maxNesting (it would drop it)."""
    deepest = state.md.options.maxNesting
    if state.level >= deepest:
        line = state.skipEmptyLines(start)
        if line < end and state.sCount[line] >= state.blkIndent:
            raise MarkdownLimitError(
                line + 1,
                f"the body nests lists and block quotes too deep (at most {deepest} levels, "
                "a list counting two): markdown-it would leave out the text inside; flatten them",
            )
    ParserBlock.tokenize(state.md.block, state, start, end)


def _skip_token_within_budget(state: StateInline) -> None:
    """markdown-it's skipToken, with which link texts are read ahead, counted."""
    budget = _budget(state.env)
    budget.label_steps += 1
    if budget.label_steps > MAX_LABEL_STEPS:
        raise budget.refuse(
            state,
            "the body has too many `[` that open no link, which markdown-it reads ahead "
            "from each: write a literal `[` as `\\[`, or split the body into several entries",
        )
    ParserInline.skipToken(state.md.inline, state)


def _counted_image(state: StateInline, silent: bool) -> bool:
    """markdown-it's image rule, refusing a body with more than MAX_IMAGES images."""
    if not _image_rule(state, silent):
        return False
    if not silent:
        budget = _budget(state.env)
        budget.images += 1
        if budget.images > MAX_IMAGES:
            raise budget.refuse(
                state, f"the body has more than {MAX_IMAGES} images: split it into several entries"
            )
    return True


def _inline_within_budget(state: StateCore) -> None:
    """markdown-it's core `inline` rule, counting tokens and noting each block's line."""
    budget = _budget(state.env)
    budget.tokens = len(state.tokens)
    for token in state.tokens:
        if token.type == "inline":
            budget.line = token.map[0] if token.map else budget.line
            token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)
            budget.tokens += len(token.children)


def _narrow_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's table rule, refusing one wider than MAX_TABLE_COLUMNS before it is built."""
    row = start + 1
    if (
        row < end
        and state.src.count("|", state.bMarks[row], state.eMarks[row]) >= MAX_TABLE_COLUMNS
    ):
        # A delimiter row of n pipes has at most n + 1 cells: only now read it as the rule does.
        if not _table_rule(state, start, end, True):
            return False
        delimiter_row = state.src[state.bMarks[row] + state.tShift[row] : state.eMarks[row]]
        columns = sum(1 for cell in delimiter_row.split("|") if cell.strip())
        if columns > MAX_TABLE_COLUMNS:
            raise MarkdownLimitError(
                row + 1,
                f"the table has {columns} columns (at most {MAX_TABLE_COLUMNS}): "
                "split it, or attach the data as a file",
            )
    return _table_rule(state, start, end, silent)


# --- the parser --------------------------------------------------------------------------------


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


class _Ids:
    """Unique ids in linear time: `a`, `a-2`, `a-3` …, never a taken or reserved one."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.next: dict[str, int] = {}

    def claim(self, slug: str) -> str:
        slug = slug or HEADING_FALLBACK
        if slug.startswith(RESERVED_ID_PREFIXES):
            slug = f"{HEADING_FALLBACK}-{slug}"
        candidate = slug
        if candidate in self.taken:
            # Each (slug, n) is tried at most once in a body, so a body of identical
            # headings, or of literal `a-2` headings, costs linear time.
            n = self.next.get(slug, 2)
            while f"{slug}-{n}" in self.taken:
                n += 1
            self.next[slug] = n + 1
            candidate = f"{slug}-{n}"
        self.taken.add(candidate)
        return candidate


def _heading_ids(state: StateCore) -> None:
    """Give each h2–h4 an id from its text (Danish slugs), unique in the body and on the page."""
    ids = _Ids(set(RESERVED_IDS) | _raw_html_ids(state.tokens, _budget(state.env)))
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3", "h4"):
            title = "".join(
                child.content
                for child in tokens[index + 1].children or ()
                if child.type in ("text", "code_inline")
            )
            token.attrSet("id", ids.claim(slugify(title)))


def _raw_html_ids(tokens: Sequence[Token], budget: _Budget) -> set[str]:
    """The ids raw HTML gives headings (generated ids avoid them); notes if there is raw HTML."""
    ids: set[str] = set()
    for token in tokens:
        for part in token.children or () if token.type == "inline" else (token,):
            if part.type in ("html_block", "html_inline"):
                budget.raw_html = True
                if "id" in part.content.lower():  # spare the tokenizer the rest
                    ids.update(
                        tag.attr("id")
                        for tag in scan_tags(part.content)
                        if tag.name in _HEADINGS and not tag.closing and "id" in tag.attrs
                    )
    return ids


_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})


def _render_table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    html = self.renderToken(tokens, idx, options, env)
    return _WRAPPER_OPEN + html if env.get("wrap_tables") else html


def _render_table_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    html = self.renderToken(tokens, idx, options, env)
    return html.replace("</table>", "</table></div>", 1) if env.get("wrap_tables") else html


def _make_parser() -> tuple[MarkdownIt, RendererHTML]:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable("table")
    md.block.ruler.at("table", _narrow_table)
    # Before every block rule, and in the chains that ask whether a paragraph, list or
    # table row ends: so also once for each line of a long paragraph or table.
    md.block.ruler.before(
        "table",
        "kkrsite_budget",
        _block_budget,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.inline.ruler.before("text", "kkrsite_budget", _inline_budget)
    md.inline.ruler.at("image", _counted_image)
    md.inline.skipToken = _skip_token_within_budget  # type: ignore[method-assign]
    md.block.tokenize = _tokenize_blocks  # type: ignore[method-assign, assignment]
    md.core.ruler.at("inline", _inline_within_budget)
    md.core.ruler.push("demote_h1_and_align_by_class", _demote_h1_and_align_by_class)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    assert isinstance(md.renderer, RendererHTML)
    return md, md.renderer


_PARSER, _RENDERER = _make_parser()


# --- sanitising --------------------------------------------------------------------------------

AttributeFilter = Callable[[str, str, str], "str | None"]


def _clean(html: str, *, wrapper: bool, attribute_filter: AttributeFilter | None = None) -> str:
    """One nh3 pass with the allow-list; `wrapper` also allows exactly the table wrapper div."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        tag_attribute_values=_WRAPPER_VALUES if wrapper else None,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def _unique_ids() -> AttributeFilter:
    """An attribute filter for one nh3 pass: drop ids the page uses or the fragment repeats."""
    seen: set[str] = set()

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute != "id":
            return value
        if value in RESERVED_IDS or value.startswith(RESERVED_ID_PREFIXES) or value in seen:
            return None
        seen.add(value)
        return value

    return keep


def sanitise(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes, and ids the page has not.

    Raises MarkdownLimitError for HTML nested deeper than MAX_DEPTH (see _Rebuild).
    """
    return _clean(_Rebuild(html, ()).html(), wrapper=False, attribute_filter=_unique_ids())


@lru_cache(maxsize=2048)  # an entry is in several feeds, with the same base each time
def absolutize(html: str, base: str) -> str:
    """Sanitised HTML (render_markdown's) with every href and src made absolute, for feeds.

    The URLs are joined inside a sanitiser pass: nh3 hands the filter the decoded
    value and escapes what it returns, so a quote in a URL can never end the attribute.
    """
    ids = _unique_ids()

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) not in URL_ATTRIBUTES:
            return ids(tag, attribute, value)
        try:
            joined = urljoin(base, value)
            scheme = urlsplit(joined).scheme
        except ValueError:  # e.g. an unclosed IPv6 bracket: not a URL
            return None
        # nh3 checks the scheme before the filter runs, not after: check the result here.
        return joined if scheme.lower() in URL_SCHEMES else None

    return _clean(html, wrapper=True, attribute_filter=absolute)


# --- rendering ---------------------------------------------------------------------------------


def render_markdown(text: str) -> str:
    """A Markdown body as sanitised HTML; tables wrapped so they scroll on a phone.

    Raises MarkdownLimitError for a body over one of the limits above.
    """
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise MarkdownLimitError(
            MAX_LINES + 1,
            f"the body has {lines} lines (at most {MAX_LINES}): split it into several entries",
        )
    budget = _Budget()
    env: EnvType = {"kkrsite": budget}
    tokens = _PARSER.parse(text, env)
    if not budget.raw_html and not budget.images:
        # Only markdown-it wrote markup: its nesting is in the tokens, and the table
        # wrappers come from its renderer, so one sanitiser pass is the last word.
        _check_token_depth(tokens)
        env["wrap_tables"] = True
        return _clean(_RENDERER.render(tokens, _PARSER.options, env), wrapper=True)
    html, starts = _render_noting_lines(tokens, env)
    # Raw HTML is rebuilt as explicitly closed elements at most MAX_DEPTH deep, so no
    # tree builder after it is led to nest deeper (see _Rebuild).
    rebuilt = _Rebuild(html, starts).html()
    html = _clean(rebuilt, wrapper=False, attribute_filter=_unique_ids())
    if "<table" not in html and "<img" not in html:  # nh3 writes a `<` in text as `&lt;`
        return html
    return _clean(_wrap_tables_and_fix_images(html), wrapper=True)


def _wrap_tables_and_fix_images(html: str) -> str:
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


def _render_noting_lines(
    tokens: Sequence[Token], env: EnvType
) -> tuple[str, list[tuple[int, int]]]:
    """markdown-it's render loop, noting where in the HTML each source block starts."""
    options = _PARSER.options
    out: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for index, token in enumerate(tokens):
        if token.map is not None:
            starts.append((offset, token.map[0]))
        if token.type == "inline":
            part = _RENDERER.renderInline(token.children or [], options, env)
        elif token.type in _RENDERER.rules:
            part = _RENDERER.rules[token.type](tokens, index, options, env)
        else:
            part = _RENDERER.renderToken(tokens, index, options, env)
        out.append(part)
        offset += len(part)
    return "".join(out), starts


def _check_token_depth(tokens: Sequence[Token]) -> None:
    """Refuse markup markdown-it made (emphasis in emphasis …) nested deeper than MAX_DEPTH."""
    depth = deepest = 0
    first: tuple[int, str] | None = None
    line = 0
    for token in tokens:
        if token.map is not None:
            line = token.map[0]
        for part in token.children or () if token.type == "inline" else (token,):
            depth += part.nesting
            line += part.type in ("softbreak", "hardbreak")
            if depth > deepest:
                deepest = depth
                if first is None and depth > MAX_DEPTH:
                    first = (line + 1, part.tag)
    if first is not None:
        raise _too_deep(first[0], deepest, first[1])


def _too_deep(line: int, depth: int | None, tag: str) -> MarkdownLimitError:
    remedy = f"remove the surplus `<{tag}>`s"
    if tag in ("em", "strong"):
        remedy += " (Markdown `*` and `_` emphasis)"
    deep = f"{depth} deep (at most {MAX_DEPTH})" if depth else f"more than {MAX_DEPTH} deep"
    return MarkdownLimitError(line, f"the body nests HTML elements {deep}: {remedy}")


def _line_at(html: str, starts: Sequence[tuple[int, int]], offset: int) -> int:
    """The 1-based body line the HTML at `offset` was rendered from."""
    block_offset, line = 0, 0
    for start, block_line in starts:
        if start > offset:
            break
        block_offset, line = start, block_line
    return line + html.count("\n", block_offset, offset) + 1


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
    if name in _HEADINGS:
        closes_current = _HEADINGS
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


class _Rebuild:
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
        return MarkdownLimitError(_line_at(self.source, self.starts, tag.offset), message)

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
            raise _too_deep(_line_at(self.source, self.starts, tag.offset), None, name)
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
        if name in _HEADINGS:  # `</h3>` closes whichever heading is open
            latest = max(self._last(heading) for heading in _HEADINGS)
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
