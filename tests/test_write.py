"""Writing: the new site replaces the old one whole, or not at all."""

from pathlib import Path

import pytest
from conftest import tree

from kkrsite.write import write_site


def test_replaces_the_old_site_and_leaves_no_temporary_folders(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, {"index.html": b"old", "gammel/index.html": b"x"}, [])
    attachment = tmp_path / "a.pdf"
    attachment.write_bytes(b"%PDF")
    count = write_site(out, {"index.html": b"new"}, [(attachment, "filer/a.pdf")])
    assert count == 2
    assert tree(out) == {"index.html": b"new", "filer/a.pdf": b"%PDF"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "build"]


def test_a_failure_midway_leaves_the_old_site_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, {"index.html": b"old"}, [])
    with pytest.raises(FileNotFoundError):
        write_site(out, {"index.html": b"new"}, [(tmp_path / "missing.pdf", "filer/missing.pdf")])
    assert tree(out) == {"index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]
