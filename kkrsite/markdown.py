"""Markdown bodies to safe HTML: markdown-it-py within limits, then the sanitiser, last.

CommonMark plus tables and heading anchors. Raw HTML is allowed in the source
(editors paste tables and `<abbr>`), so every fragment that leaves this module
comes out of the sanitiser (`kkrsite/sanitise.py`) last: no script, iframe, event
handler or javascript:/data: URL reaches a page or a feed. Table wrappers come
from markdown-it's renderer, or from an HTML5 parse when raw HTML is involved.

Bodies come by pull request, so one that would keep markdown-it, nh3 or lexbor
busy for long (deep nesting, huge tables, floods of markup characters) is
refused with `MarkdownLimitError` before the expensive step runs.
Linkify stays off: it made rendering four times slower.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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

from kkrsite.errors import MarkdownLimitError
from kkrsite.htmlpolicy import (
    HEADING_FALLBACK,
    HEADINGS,
    MAX_DEPTH,
    MAX_ELEMENTS,
    RESERVED_ID_PREFIXES,
    RESERVED_IDS,
    WRAPPER_OPEN,
)
from kkrsite.htmlrebuild import Rebuild, too_deep
from kkrsite.htmlscan import scan_tags
from kkrsite.sanitise import clean, unique_ids, wrap_tables_and_fix_images
from kkrsite.slugs import slugify

# --- limits on what markdown-it does: what a council body never needs ---------------------

MAX_LINES = 50_000
"""Lines in one body: markdown-it does work for every line, even a blank one."""
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

_TOO_MANY_ELEMENTS = (
    f"the body has more than {MAX_ELEMENTS} Markdown elements (paragraphs, list items, "
    "table cells, links, emphasis …): split it into several entries"
)
_RUNS = {ch: ch * (MAX_DELIMITER_RUN + 1) for ch in "*_~"}
_ANY_RUN = re.compile("|".join(re.escape(run) for run in _RUNS.values()))


class _Budget:
    """What markdown-it has done so far for one body, checked as it goes."""

    def __init__(self) -> None:
        self.tokens = 0  # block tokens plus the inline tokens of finished blocks
        self.inline_steps = 0
        self.label_steps = 0
        self.images = 0
        self.line = 0  # 0-based first line of the inline block being read
        self.runs = True  # whether the inline block being read has a run over MAX_DELIMITER_RUN
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
    budget: _Budget = state.env["kkrsite"]
    budget.inline_steps += 1
    # Hundreds of thousands of calls a build: within every limit, one test and out.
    if not budget.runs and (
        budget.inline_steps <= MAX_INLINE_STEPS
        and budget.tokens + len(state.tokens) <= MAX_ELEMENTS
    ):
        return False
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
            # An image's text is read from a part of this block: no run there either.
            budget.runs = _ANY_RUN.search(token.content) is not None
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
                        if tag.name in HEADINGS and not tag.closing and "id" in tag.attrs
                    )
    return ids


def _render_table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    html = self.renderToken(tokens, idx, options, env)
    return WRAPPER_OPEN + html if env.get("wrap_tables") else html


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
        return clean(_RENDERER.render(tokens, _PARSER.options, env), wrapper=True)
    html, starts = _render_noting_lines(tokens, env)
    # Raw HTML is rebuilt as explicitly closed elements at most MAX_DEPTH deep, so no
    # tree builder after it is led to nest deeper (see htmlrebuild.Rebuild).
    rebuilt = Rebuild(html, starts).html()
    html = clean(rebuilt, wrapper=False, attribute_filter=unique_ids())
    if "<table" not in html and "<img" not in html:  # nh3 writes a `<` in text as `&lt;`
        return html
    return clean(wrap_tables_and_fix_images(html), wrapper=True)


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
        raise too_deep(first[0], deepest, first[1])
