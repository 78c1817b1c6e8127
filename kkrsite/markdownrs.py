"""The fast way through Markdown, for plain bodies: markdown-it.rs, then kkrsite's touches.

Most bodies are plain CommonMark: paragraphs, headings, lists, emphasis, links,
tables and code. For those, markdown-it-pyrs (markdown-it ported to Rust) writes the
HTML markdown-it-py writes, several times faster; `tests/test_markdownrs.py` holds
them to the same bytes on every test site and on generated bodies. A body with
anything else takes markdown-it-py's way (kkrsite/markdown.py), where every limit
is checked as markdown-it meets it: raw HTML or an autolink (any `<`), an image,
a long text, a wide table, deep nesting or long runs of markup characters.

The HTML is then given kkrsite's touches as markdown.py gives them to the tokens,
reading it with kkrsite's HTML tokenizer: the h1 of a body becomes an h2, h2–h4
get ids from their text, table alignment becomes a class and tables get their
scrolling wrapper. With no raw HTML in the body, every tag in it is one that
markdown-it.rs wrote. The sanitiser still has the last word (markdown.py).
"""

from __future__ import annotations

from collections.abc import Callable
from html import unescape

from markdown_it_pyrs import MarkdownIt

from kkrsite.htmlpolicy import WRAPPER_OPEN
from kkrsite.htmlscan import Text, scan_html
from kkrsite.markdownlimits import MAX_LABEL_STEPS, MAX_TABLE_COLUMNS

PLAIN_MAX_CHARS = 20_000
"""Longer bodies take markdown-it-py's way, with its limits checked as it goes."""
PLAIN_MAX_MARKERS = 1_000
"""`>`, `*`, `_` and `~` in one body: beyond, deep nesting or long runs are possible."""
PLAIN_MAX_CELLS = 5_000
"""Table cells a body may make (rows times the widest row): markdown-it pads every row."""
PLAIN_MAX_DEPTH = 16
"""Elements inside each other in the HTML. Below it, markdown-it-py's own nesting limits
(20 block levels, MAX_DEPTH tokens, hidden paragraphs included) cannot be reached."""

# Within these bounds no limit of kkrsite/markdownlimits.py can be reached, so both ways
# refuse the same bodies: a body of at most PLAIN_MAX_CHARS makes fewer than MAX_ELEMENTS
# tokens, and the look-ahead from each `[` (MAX_LABEL_STEPS, which MAX_INLINE_STEPS also
# counts) goes no further than the characters after it, which `is_plain` adds up.

_PARSER = MarkdownIt("commonmark").enable("table")
_ALIGN = "text-align:"
_IDS = frozenset({"h2", "h3", "h4"})
_VOID = frozenset({"br", "hr", "img"})


def is_plain(text: str) -> bool:
    """Whether `text` may take the fast way: nothing in it that only markdown-it-py may meet."""
    if len(text) > PLAIN_MAX_CHARS or "<" in text or "![" in text:
        return False
    if sum(text.count(c) for c in ">*_~") > PLAIN_MAX_MARKERS:
        return False
    ahead, at = 0, text.find("[")
    while at >= 0:
        ahead += len(text) - at  # markdown-it looks ahead from each `[` for its `]`
        at = text.find("[", at + 1)
    if ahead > MAX_LABEL_STEPS // 2:
        return False
    if "|" in text:
        lines = text.split("\n")
        widest = max(line.count("|") for line in lines)
        if widest >= MAX_TABLE_COLUMNS or len(lines) * (widest + 1) > PLAIN_MAX_CELLS:
            return False
    return True


def render_plain(text: str, claim: Callable[[str], str]) -> str | None:
    """A plain body as HTML before the sanitiser, or None if it must take the slow way.

    `claim` turns a heading's text into its id (markdown.py's rule, unique in the body).
    """
    if not is_plain(text):
        return None
    # Rust reads the text as UTF-8, which CPython then keeps on the string for its life:
    # a body lives as long as the build, so Rust is given a copy that does not.
    html = _PARSER.render(text.encode().decode())
    out: list[str] = []
    done = depth = 0
    heading: tuple[int, str, list[str]] | None = None  # an h2–h4 being read: where, which, text
    for item in scan_html(html):
        if isinstance(item, Text):
            if heading is not None:
                heading[2].append(html[item.start : item.end])
            continue
        name = "h2" if item.name == "h1" else item.name  # a page's only h1 is its title
        if item.closing:
            depth -= 1
            if heading is not None and name == heading[1]:
                where, _, texts = heading
                # A line break in a heading is no part of its text (markdown-it's tokens).
                out[where] = f'<{name} id="{claim(unescape("".join(texts)).replace(chr(10), ""))}">'
                heading = None
            if item.name != name or name == "table":
                out += [
                    html[done : item.offset],
                    f"</{name}>" + ("</div>" if name == "table" else ""),
                ]
                done = item.end
            continue
        if item.name not in _VOID:
            depth += 1
            if depth > PLAIN_MAX_DEPTH:
                return None  # markdown-it-py's way decides, and refuses it, at its line
        if name in _IDS:
            out += [html[done : item.offset], ""]  # the start tag, once its text is known
            heading, done = (len(out) - 1, name, []), item.end
        elif name == "table":
            out += [html[done : item.offset], WRAPPER_OPEN]
            done = item.offset
        elif name in ("th", "td") and item.attrs.get("style", "").startswith(_ALIGN):
            side = item.attrs["style"].removeprefix(_ALIGN)
            out += [html[done : item.offset], f'<{name} class="align-{side}">']
            done = item.end
    out.append(html[done:])
    return "".join(out)
