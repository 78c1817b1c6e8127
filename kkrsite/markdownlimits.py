"""The limits on what markdown-it-py does for one body, checked as it goes.

Bodies come by pull request, so one that would keep markdown-it busy for long (deep
nesting, huge tables, floods of markup characters) is refused with
`MarkdownLimitError`, at its line, before the expensive step runs. The rules here
are hooked into markdown-it-py's parser by kkrsite/markdown.py; kkrsite/markdownrs.py
takes only bodies that cannot reach them.
"""

from __future__ import annotations

import re

from markdown_it.parser_block import ParserBlock
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.table import table as _table_rule
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.image import image as _image_rule
from markdown_it.utils import EnvType

from kkrsite.errors import MarkdownLimitError
from kkrsite.htmlpolicy import MAX_ELEMENTS

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


class Budget:
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


def budget_of(env: EnvType) -> Budget:
    budget: Budget = env["kkrsite"]  # render_markdown puts it there
    return budget


def block_budget(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Runs before the block rules at each line, and at each line a block may end on."""
    if len(state.tokens) > MAX_ELEMENTS:
        raise MarkdownLimitError(start + 1, _TOO_MANY_ELEMENTS)
    return False


def inline_budget(state: StateInline, silent: bool) -> bool:
    """Runs before the inline rules at each place markdown-it tries them."""
    budget: Budget = state.env["kkrsite"]
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


def tokenize_blocks(state: StateBlock, start: int, end: int) -> None:
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


def skip_token_within_budget(state: StateInline) -> None:
    """markdown-it's skipToken, with which link texts are read ahead, counted."""
    budget = budget_of(state.env)
    budget.label_steps += 1
    if budget.label_steps > MAX_LABEL_STEPS:
        raise budget.refuse(
            state,
            "the body has too many `[` that open no link, which markdown-it reads ahead "
            "from each: write a literal `[` as `\\[`, or split the body into several entries",
        )
    ParserInline.skipToken(state.md.inline, state)


def counted_image(state: StateInline, silent: bool) -> bool:
    """markdown-it's image rule, refusing a body with more than MAX_IMAGES images."""
    if not _image_rule(state, silent):
        return False
    if not silent:
        budget = budget_of(state.env)
        budget.images += 1
        if budget.images > MAX_IMAGES:
            raise budget.refuse(
                state, f"the body has more than {MAX_IMAGES} images: split it into several entries"
            )
    return True


def inline_within_budget(state: StateCore) -> None:
    """markdown-it's core `inline` rule, counting tokens and noting each block's line."""
    budget = budget_of(state.env)
    budget.tokens = len(state.tokens)
    for token in state.tokens:
        if token.type == "inline":
            budget.line = token.map[0] if token.map else budget.line
            # An image's text is read from a part of this block: no run there either.
            budget.runs = _ANY_RUN.search(token.content) is not None
            token.children = []
            state.md.inline.parse(token.content, state.md, state.env, token.children)
            budget.tokens += len(token.children)


def narrow_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
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
