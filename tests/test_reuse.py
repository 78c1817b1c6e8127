"""A kept model memo reuses what the last assembly built, and only that."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import MakeSite, options

from kkrsite.errors import Problem
from kkrsite.model.assemble import assemble
from kkrsite.model.entities import Site, entry_kinds
from kkrsite.model.reuse import ModelMemo
from kkrsite.read import read_content
from kkrsite.sourcefile import SeenFiles

COLUMN = (
    "---\ntitle: Klumme om {what}\npublication: Danske Kommuner\nauthors: [kjeld-hansen]\n"
    "---\nTekst om {what}.\n"
)
FIRST = "columns/2011-09-01-sundhed.md"
SECOND = "columns/2011-10-01-trafik.md"


def _assemble(
    content: Path, memo: ModelMemo, parsed: dict[bytes, object], **kw: object
) -> tuple[Site | None, list[Problem]]:
    tree, problems = read_content(content, entry_kinds(), parsed, SeenFiles())  # type: ignore[arg-type]
    site, more = assemble(tree, options(content, **kw), memo)
    return site, problems + more


def _columns(site: Site | None) -> dict[str, object]:
    assert site is not None
    return {c.slug: c for c in site.columns}


def test_an_unchanged_entry_is_the_same_object_and_a_changed_one_is_new(
    make_site: MakeSite,
) -> None:
    files = {FIRST: COLUMN.format(what="sundhed"), SECOND: COLUMN.format(what="trafik")}
    content = make_site(files)
    memo, parsed = ModelMemo(), {}
    before = _columns(_assemble(content, memo, parsed)[0])
    (content / SECOND).write_text(COLUMN.format(what="veje"), encoding="utf-8")
    site, problems = _assemble(content, memo, parsed)
    after = _columns(site)
    assert problems == []
    assert after["sundhed"] is before["sundhed"]
    assert after["trafik"] is not before["trafik"]
    assert after["trafik"].title == "Klumme om veje"  # type: ignore[attr-defined]
    # Reused entries and new ones share the same regions: the indexes compare by identity.
    assert site is not None and site.indexes.entries_by_region["hovedstaden"]
    assert {c.slug for c in site.indexes.entries_by_region["hovedstaden"]} >= {"sundhed", "trafik"}


def test_a_changed_shared_file_builds_every_entry_again(make_site: MakeSite) -> None:
    content = make_site({FIRST: COLUMN.format(what="sundhed")})
    memo, parsed = ModelMemo(), {}
    before = _columns(_assemble(content, memo, parsed)[0])["sundhed"]
    person = content / "people/kjeld-hansen.yaml"
    person.write_text(
        person.read_text(encoding="utf-8").replace("Kjeld Hansen", "Kjeld H. Hansen"),
        encoding="utf-8",
    )
    after = _columns(_assemble(content, memo, parsed)[0])["sundhed"]
    assert after is not before
    assert [a.name for a in after.authors] == ["Kjeld H. Hansen"]  # type: ignore[attr-defined]


def test_another_build_date_builds_every_entry_again(make_site: MakeSite) -> None:
    """A meeting's status follows the build date, so the date is part of the context."""
    content = make_site({"kkr/hovedstaden/meetings/2012-03-01.md": "---\n---\n"})
    memo, parsed = ModelMemo(), {}
    site, _ = _assemble(content, memo, parsed, today=dt.date(2011, 12, 1))
    assert site is not None and site.meetings[0].status.value == "planned"
    site, _ = _assemble(content, memo, parsed, today=dt.date(2012, 3, 2))
    assert site is not None and site.meetings[0].status.value == "held"


def test_the_problems_of_a_reused_file_are_reported_again(make_site: MakeSite) -> None:
    broken = "---\ntitle: Klumme\npublication: Danske Kommuner\nauthors: [ingen-kendt]\n---\nx\n"
    content = make_site({FIRST: broken, SECOND: COLUMN.format(what="trafik")})
    memo, parsed = ModelMemo(), {}
    _, first = _assemble(content, memo, parsed)
    assert first and all(p.path.name == Path(FIRST).name for p in first)
    (content / SECOND).write_text(COLUMN.format(what="veje"), encoding="utf-8")
    _, again = _assemble(content, memo, parsed)
    assert again == first


def test_the_memo_holds_only_the_last_assembly(make_site: MakeSite) -> None:
    content = make_site({FIRST: COLUMN.format(what="sundhed")})
    memo, parsed = ModelMemo(), {}
    _assemble(content, memo, parsed)
    for what in ("veje", "skoler", "trafik"):
        (content / FIRST).write_text(COLUMN.format(what=what), encoding="utf-8")
        _assemble(content, memo, parsed)
    entries = [e for e, _ in memo.entries.values() if e is not None and e.kind.name == "column"]
    assert [e.title for e in entries] == ["Klumme om trafik"]
