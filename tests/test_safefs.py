"""Untrusted folders: no link is followed, no odd name passes, no file is read without bound."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kkrsite.safefs import (
    UnsafeFile,
    linked_component,
    list_folder,
    name_problem,
    read_bytes,
)


def test_a_link_is_listed_as_a_problem_naming_its_target(tmp_path: Path) -> None:
    (tmp_path / "ok.pdf").write_bytes(b"%PDF-")
    os.symlink("/proc/self/environ", tmp_path / "env.txt")
    os.symlink(tmp_path.parent, tmp_path / "outside")
    listed = list_folder(tmp_path)
    assert listed.files == (tmp_path / "ok.pdf",)
    assert listed.dirs == ()
    messages = sorted((p.path.name, p.message) for p in listed.problems)
    assert messages == [
        (
            "env.txt",
            "is a symbolic link (to '/proc/self/environ'): kkrsite never follows links in "
            "content or templates; put the file itself here",
        ),
        (
            "outside",
            f"is a symbolic link (to '{tmp_path.parent}'): kkrsite never follows links in "
            "content or templates; put the file itself here",
        ),
    ]


def test_reading_a_link_is_refused_even_if_asked(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("TOKEN=abc")
    os.symlink(secret, tmp_path / "person.yaml")
    with pytest.raises(UnsafeFile, match="symbolic link"):
        read_bytes(tmp_path / "person.yaml", 1000)


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.md").write_bytes(b"x" * 2_000_001)
    with pytest.raises(UnsafeFile, match="larger than 2 MB"):
        read_bytes(tmp_path / "big.md", 2_000_000)


def test_a_pipe_is_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.yaml")
    listed = list_folder(tmp_path)
    assert [p.message for p in listed.problems] == [
        "is not a regular file or folder (a device or pipe): remove it"
    ]


@pytest.mark.parametrize(
    ("name", "reserved"),
    [
        ("con.yaml", "CON"),
        ("CON.pdf", "CON"),
        ("nul", "NUL"),
        ("Aux.md", "AUX"),
        ("com1.txt", "COM1"),
        ("lpt9.pdf", "LPT9"),
        ("com¹.pdf", "COM¹"),
    ],
)
def test_windows_reserved_names_are_refused(name: str, reserved: str) -> None:
    why = name_problem(name)
    assert why is not None and f"reserved on Windows ({reserved})" in why


@pytest.mark.parametrize("name", ["a:b.md", "what?.pdf", "tab\there.md", "trailing.", "space "])
def test_names_windows_cannot_hold_are_refused(name: str) -> None:
    assert name_problem(name) is not None


@pytest.mark.parametrize("name", ["console.yaml", "kjeld-hansen.yaml", "referat æøå.pdf", "com.md"])
def test_ordinary_names_pass(name: str) -> None:
    assert name_problem(name) is None


def test_names_that_differ_only_in_case_or_normal_form_clash(tmp_path: Path) -> None:
    (tmp_path / "Referat.pdf").write_bytes(b"%PDF-")
    (tmp_path / "referat.pdf").write_bytes(b"%PDF-")
    (tmp_path / "\u00e5r.pdf").write_bytes(b"%PDF-")  # å, one code point
    (tmp_path / "a\u030ar.pdf").write_bytes(b"%PDF-")  # a + combining ring, as macOS writes it
    problems = list_folder(tmp_path).problems
    assert len(problems) == 4
    assert all("differ only in upper/lower case or accents" in p.message for p in problems)


def test_hidden_files_are_skipped_not_read(tmp_path: Path) -> None:
    os.symlink("/etc/passwd", tmp_path / ".hidden")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    listed = list_folder(tmp_path)
    assert listed.files == () and listed.problems == ()


def test_a_linked_folder_on_the_way_is_found(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "link")
    assert linked_component(tmp_path / "link" / "build", tmp_path) == tmp_path / "link"
    assert linked_component(tmp_path / "real" / "build", tmp_path) is None
    assert linked_component(tmp_path / "link", tmp_path) == tmp_path / "link"
