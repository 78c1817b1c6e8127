"""The fast way through Markdown gives the very bytes of the markdown-it-py way, or steps aside."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import REPO

from kkrsite.errors import MarkdownLimitError
from kkrsite.markdown import render_markdown, render_with_markdown_it
from kkrsite.markdownrs import PLAIN_MAX_CHARS, is_plain, render_plain
from kkrsite.sourcefile import FrontMatterError, split_front_matter

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate

TRICKY = [
    "# Titel\n\nTekst.\n",
    "# Én\n\n## Én\n\n### Én\n\n#### Én\n\n##### Fem\n\n###### Seks\n",
    "## indhold\n\n## main-content\n\n## afsnit-1\n",  # reserved ids and prefixes
    "Setext over\nto linjer\n===\n\nOg en til\n---\n",
    "## Kode `x > y` og &amp; *fed* [link](/a)\n",
    "## Linje  \nbrud\n===\n",
    "## 🎉\n\n## !!!\n",
    "Et afsnit med *kursiv*, **fed**, ***begge***, `kode`, ~~ikke~~ og \\*stjerne\\*.\n",
    '[link](https://kl.dk "titel med \\"citat\\"") og [tom]() og [ref]\n\n[ref]: /sti \'T\'\n',
    "[æble](/filer/æble.pdf) og [mellemrum](a\\ b) og [%](/%)\n",
    "- en\n- to\n  - under\n    - underunder\n- tre\n",
    "- løs\n\n- liste\n\n  med afsnit\n",
    "3. tre\n4. fire\n\n1) en\n2) to\n",
    "> citat\n> > i citat\n\n> - liste i citat\n",
    "```python\nx = 1 > 2 & 3\n```\n\n~~~\nuden sprog\n~~~\n\n    indrykket\n",
    "| a | b | c |\n|:-|:-:|-:|\n| 1 | **2** | `3` |\n| kun en |\n",
    "| a |\n|---|\n| `x\\|y` |\n\nEfter tabellen.\n",
    "Tekst &copy; &#x41; &#65; &bogus; &amp;amp; &quot;\n",
    "Hård  \nlinje\\\nskift\n",
    "***\n___\n- - -\n",
    "Sidste linje uden linjeskift",
    "",
    "\n\n\n",
    "* a\n* b\n\n+ c\n",
    "Overskrift i tekst # ikke\n\n#Heller ikke\n",
    "[ikke lukket\n\n]alene[\n",
    "_a_ __b__ _a*b_ *a_b*\n",
]


def _site_bodies() -> list[tuple[str, str]]:
    """Every Markdown body of the example site and the test sites."""
    bodies = []
    for root in (REPO / "content", REPO / "tests/sites"):
        for path in sorted(root.rglob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
            try:
                bodies.append((str(path.relative_to(REPO)), split_front_matter(text)[2]))
            except FrontMatterError:
                continue  # an invalid case's front matter: its body is no Markdown case
    return bodies


def _same_both_ways(text: str) -> None:
    """If `text` is plain, the fast way gives markdown-it-py's bytes (or its refusal)."""
    try:
        slow: object = render_with_markdown_it(text)
    except MarkdownLimitError as exc:
        slow = exc
    try:
        fast: object = render_markdown(text)
    except MarkdownLimitError as exc:
        fast = exc
    if isinstance(slow, MarkdownLimitError):
        assert isinstance(fast, MarkdownLimitError) and str(fast) == str(slow), text[:80]
    else:
        assert fast == slow, text[:80]


def test_every_site_body_gives_the_same_bytes_both_ways() -> None:
    bodies = _site_bodies()
    plain = [text for _, text in bodies if is_plain(text)]
    assert len(plain) > len(bodies) / 2, "the fast way is hardly used: it tests little"
    for text in plain:
        _same_both_ways(text)


def test_generated_bodies_give_the_same_bytes_both_ways(tmp_path: Path) -> None:
    """The benchmark's bodies: headings, lists, tables, links, emphasis in many mixes."""
    content = generate(tmp_path / "site", 400, seed=5).content
    texts = [split_front_matter(p.read_text(encoding="utf-8"))[2] for p in content.rglob("*.md")]
    assert all(is_plain(text) for text in texts)
    for text in texts:
        _same_both_ways(text)


@pytest.mark.parametrize("text", TRICKY, ids=range(len(TRICKY)))
def test_tricky_constructs_give_the_same_bytes_both_ways(text: str) -> None:
    assert is_plain(text)
    assert render_plain(text, lambda title: "x") is not None
    _same_both_ways(text)


@pytest.mark.parametrize(
    "text",
    [
        "Rå <b>HTML</b>",
        "En autolink <https://kl.dk>",
        "Et billede ![alt](/filer/a.png)",
        "x" * (PLAIN_MAX_CHARS + 1),
        ">" * 2_000 + " dybt",
        "*" * 1_001,
        "[" * 300 + "a" * 5_000,  # look-ahead from every `[` over the rest
        "|" + " a |" * 60 + "\n|" + "---|" * 60 + "\n",
        "| a |\n|---|\n" + "| x |\n" * 3_000,
    ],
    ids=[
        "raw HTML",
        "autolink",
        "image",
        "long",
        "deep quotes",
        "delimiter run",
        "bracket flood",
        "wide table",
        "long table",
    ],
)
def test_what_only_markdown_it_py_may_meet_takes_its_way(text: str) -> None:
    assert not is_plain(text)
    assert render_plain(text, lambda title: "x") is None


def test_deep_nesting_the_tags_show_takes_markdown_it_pys_way() -> None:
    """Lists nested by indentation hold no marker the quick look counts: the HTML shows it."""
    nested = "".join("  " * level + "- punkt\n" for level in range(30))
    assert is_plain(nested)
    assert render_plain(nested, lambda title: "x") is None
    _same_both_ways(nested)
