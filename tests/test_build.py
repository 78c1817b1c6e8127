"""The pipeline as a whole: reproducible, and nothing written when anything is wrong."""

from pathlib import Path

import pytest
from conftest import MakeSite, options, tree

from kkrsite.build import load
from kkrsite.builder import build
from kkrsite.errors import ContentError, UsageError


def test_two_builds_are_byte_identical(make_site: MakeSite, tmp_path: Path) -> None:
    content = make_site(
        {
            "files/referat.pdf": b"%PDF-1.4\n",
            "kkr/hovedstaden/meetings/2011-08-24.md": (
                "---\ndocuments:\n  - title: Referat\n    file: referat.pdf\n---\nReferat.\n"
            ),
        }
    )
    first = build(options(content))
    before = tree(tmp_path / "build")
    build(options(content))
    assert tree(tmp_path / "build") == before
    assert first.pages == len([k for k in before if k.endswith(".html")])
    assert before["filer/referat.pdf"] == b"%PDF-1.4\n"
    assert "assets/style.css" in before


def test_every_problem_is_collected_before_anything_is_written(
    make_site: MakeSite, tmp_path: Path
) -> None:
    content = make_site()
    build(options(content))
    before = tree(tmp_path / "build")
    (content / "people/kjeld-hansen.yaml").write_text("name: Kjeld\n")
    (content / "topics.yaml").write_text("- slug: Sundhed\n  name: Sundhed\n")
    with pytest.raises(ContentError) as caught:
        build(options(content))
    files = {p.path.name for p in caught.value.problems}
    assert files == {"kjeld-hansen.yaml", "topics.yaml", "2011-08-24.md"}
    assert tree(tmp_path / "build") == before


def test_output_inside_content_is_refused(make_site: MakeSite) -> None:
    content = make_site()
    with pytest.raises(UsageError, match="overlaps the content folder"):
        load(
            options(content).__class__(
                content=content, out=content / "build", today=options(content).today
            )
        )
