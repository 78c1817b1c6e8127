"""docs/content.md shows every field exactly as the schema declares it."""

from pathlib import Path

import pytest

from kkrsite.model import schema

DOC = (Path(__file__).resolve().parent.parent / "docs/content.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("heading", list(schema.DOCUMENTED))
def test_every_record_is_documented_as_declared(heading: str) -> None:
    assert f"### {heading}\n\n{schema.describe(schema.DOCUMENTED[heading])}\n" in DOC
