"""Markdown bodies to safe HTML: markdown-it-py within limits, then the sanitiser, last.

CommonMark plus tables and heading anchors. A plain body takes the fast way of
kkrsite/markdownrs.py (the same HTML, from markdown-it.rs); the rest come here,
through markdown-it-py with the limits of kkrsite/markdownlimits.py hooked in.
Raw HTML is allowed in the source (editors paste tables and `<abbr>`), so every
fragment that leaves this module comes out of the sanitiser (`kkrsite/sanitise.py`)
last: no script, iframe, event handler or javascript:/data: URL reaches a page or a
feed. Table wrappers come from markdown-it's renderer, or from an HTML5 parse when
raw HTML is involved. Linkify stays off: it made rendering four times slower.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from kkrsite.errors import MarkdownLimitError
from kkrsite.htmlpolicy import (
    HEADING_FALLBACK,
    HEADINGS,
    MAX_DEPTH,
    RESERVED_ID_PREFIXES,
    RESERVED_IDS,
    WRAPPER_OPEN,
)
from kkrsite.htmlrebuild import Rebuild, too_deep
from kkrsite.htmlscan import scan_tags
from kkrsite.markdownlimits import (
    MAX_LINES,
    Budget,
    block_budget,
    budget_of,
    counted_image,
    inline_budget,
    inline_within_budget,
    narrow_table,
    skip_token_within_budget,
    tokenize_blocks,
)
from kkrsite.markdownrs import render_plain
from kkrsite.sanitise import clean, unique_ids, wrap_tables_and_fix_images
from kkrsite.slugs import slugify

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
    ids = _Ids(set(RESERVED_IDS) | _raw_html_ids(state.tokens, budget_of(state.env)))
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h2", "h3", "h4"):
            title = "".join(
                child.content
                for child in tokens[index + 1].children or ()
                if child.type in ("text", "code_inline")
            )
            token.attrSet("id", ids.claim(slugify(title)))


def _raw_html_ids(tokens: Sequence[Token], budget: Budget) -> set[str]:
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
    md.block.ruler.at("table", narrow_table)
    # Before every block rule, and in the chains that ask whether a paragraph, list or
    # table row ends: so also once for each line of a long paragraph or table.
    md.block.ruler.before(
        "table",
        "kkrsite_budget",
        block_budget,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.inline.ruler.before("text", "kkrsite_budget", inline_budget)
    md.inline.ruler.at("image", counted_image)
    md.inline.skipToken = skip_token_within_budget  # type: ignore[method-assign]
    md.block.tokenize = tokenize_blocks  # type: ignore[method-assign, assignment]
    md.core.ruler.at("inline", inline_within_budget)
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
    ids = _Ids(set(RESERVED_IDS))
    plain = render_plain(text, lambda title: ids.claim(slugify(title)))
    if plain is not None:
        return clean(plain, wrapper=True)
    return render_with_markdown_it(text)


def render_with_markdown_it(text: str) -> str:
    """`render_markdown`'s way for every body that is not plain (and, in tests, for all)."""
    budget = Budget()
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
