"""The read step: files found by place, decoded and parsed, problems collected."""

from pathlib import Path

import pytest
from conftest import MakeSite

from kkrsite import sourcefile
from kkrsite.model.entities import entry_kinds
from kkrsite.read import read_content
from kkrsite.sourcefile import PERSON, SeenFiles


def _messages(content: Path) -> list[str]:
    return [
        f"{p.path.relative_to(content).as_posix()}:{p.line}: {p.message}"
        for p in read_content(content, entry_kinds())[1]
    ]


def test_kinds_come_from_where_files_lie(make_site: MakeSite) -> None:
    tree, problems = read_content(make_site(), entry_kinds())
    assert problems == []
    kinds = {s.rel: s.kind for s in tree.sources}
    assert kinds["kkr/hovedstaden/meetings/2011-08-24.md"] == "meeting"
    assert kinds["people/kjeld-hansen.yaml"] == PERSON
    assert tree.region_dirs == ("hovedstaden",)


def test_bom_and_crlf_are_fine(make_site: MakeSite) -> None:
    text = "\ufeff---\r\ntitle: Møde\r\n---\r\nLinje ét.\r\n"
    tree, problems = read_content(
        make_site({"kkr/hovedstaden/meetings/2011-08-24.md": text.encode()}), entry_kinds()
    )
    assert problems == []
    meeting = next(s for s in tree.sources if s.kind == "meeting")
    assert meeting.data == {"title": "Møde"}
    assert meeting.body == "Linje ét.\n"
    assert meeting.body_line == 4


def test_latin1_is_reported_at_its_line(make_site: MakeSite) -> None:
    raw = "---\ntitle: Møde\n---\nI Næstved\n".encode("latin-1")
    content = make_site({"kkr/hovedstaden/meetings/2011-08-24.md": raw})
    assert _messages(content) == [
        "kkr/hovedstaden/meetings/2011-08-24.md:2: the file is not UTF-8 text; "
        "save it with the encoding UTF-8"
    ]


def test_front_matter_forgotten_opening_line(make_site: MakeSite) -> None:
    content = make_site({"kkr/hovedstaden/meetings/2011-08-24.md": "title: Møde\n---\nTekst\n"})
    [message] = _messages(content)
    assert message.startswith("kkr/hovedstaden/meetings/2011-08-24.md:1: no front matter.")
    assert "Did you forget the line `---` before the fields?" in message


def test_front_matter_never_closed(make_site: MakeSite) -> None:
    content = make_site({"kkr/hovedstaden/meetings/2011-08-24.md": "---\ntitle: Møde\nTekst\n"})
    [message] = _messages(content)
    assert "never closed" in message


def test_yaml_error_lines_count_from_the_file_not_the_front_matter(make_site: MakeSite) -> None:
    body = "---\ntitle: ok\nsummary: a: b\n---\n"
    [message] = _messages(make_site({"kkr/hovedstaden/meetings/2011-08-24.md": body}))
    assert message.startswith("kkr/hovedstaden/meetings/2011-08-24.md:3: YAML syntax error")


def test_files_kkrsite_would_ignore_are_reported(make_site: MakeSite) -> None:
    content = make_site({"people/jens.txt": "name: Jens\n"})
    [message] = _messages(content)
    assert "people/jens.txt:None: kkrsite does not read '.txt' here" in message


def test_attachments_are_listed_with_sizes(make_site: MakeSite) -> None:
    tree, _ = read_content(
        make_site({"files/referat.pdf": b"%PDF-1.4\n", "files/.DS_Store": b"x"}), entry_kinds()
    )
    assert {rel: a.size for rel, a in tree.attachments.items()} == {"referat.pdf": 9}


def test_sub_folders_are_reported_not_skipped(make_site: MakeSite) -> None:
    content = make_site({"kkr/hovedstaden/meetings/2012/2012-01-05.md": "---\n---\n"})
    assert _messages(content) == [
        "kkr/hovedstaden/meetings/2012:None: kkrsite does not read folders here: move its files up a level"
    ]


def test_a_markdown_file_with_an_upper_case_suffix_is_read_as_markdown(
    make_site: MakeSite,
) -> None:
    """Windows editors may save `.MD`: the file is found, so it must be read as Markdown too."""
    content = make_site(
        {
            "kkr/hovedstaden/meetings/2011-08-24.md": None,
            "kkr/hovedstaden/meetings/2011-08-24.MD": "---\ntopics: [sundhed]\n---\nReferat.\n",
        }
    )
    tree, problems = read_content(content, entry_kinds())
    assert problems == []
    [meeting] = [s for s in tree.sources if s.rel.endswith(".MD")]
    assert meeting.body == "Referat.\n" and meeting.data == {"topics": ["sundhed"]}


def test_a_file_that_looks_as_it_did_is_not_opened_again(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kkrsite serve` reads only the files that changed on disk since the last build."""
    content = make_site()
    seen, memo = SeenFiles(), {}
    opened: list[str] = []
    real = sourcefile.read_bytes

    def counted(path: Path, limit: int) -> bytes:
        opened.append(path.name)
        return real(path, limit)

    monkeypatch.setattr(sourcefile, "read_bytes", counted)
    monkeypatch.setattr(SeenFiles, "RACY_NS", 0)  # the files were all written just now
    first, _ = read_content(content, entry_kinds(), memo, seen)
    assert "site.yaml" in opened
    opened.clear()
    person = content / "people/kjeld-hansen.yaml"
    person.write_text(person.read_text(encoding="utf-8") + "# ændret\n", encoding="utf-8")
    again, _ = read_content(content, entry_kinds(), memo, seen)
    assert opened == ["kjeld-hansen.yaml"]
    assert again.sources == first.sources
    site = next(s for s in again.sources if s.rel == "site.yaml")
    assert site is next(s for s in first.sources if s.rel == "site.yaml")
    # Folders are listed again only when an entry came, went or was renamed in them.
    listed: list[str] = []
    real_list = sourcefile.list_folder
    monkeypatch.setattr(
        sourcefile, "list_folder", lambda folder: listed.append(folder.name) or real_list(folder)
    )
    read_content(content, entry_kinds(), memo, seen)
    assert listed == []
    (content / "people/ny-person.yaml").write_text("name: Ny Person\nparty: A\n", encoding="utf-8")
    third, _ = read_content(content, entry_kinds(), memo, seen)
    assert listed == ["people"]
    assert "people/ny-person.yaml" in {s.rel for s in third.sources}


def test_a_file_read_just_after_it_was_written_is_read_again(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second save in the same clock tick keeps the file's times: such a file is not trusted."""
    path = make_site() / "site.yaml"
    changed = max(path.lstat().st_mtime_ns, path.lstat().st_ctime_ns)
    found = read_content(path.parent, entry_kinds())[0].sources[0]
    for age_ns, trusted in ((SeenFiles.RACY_NS // 10, False), (SeenFiles.RACY_NS * 10, True)):
        monkeypatch.setattr(sourcefile.time, "time_ns", lambda age=age_ns: changed + age)
        seen = SeenFiles()
        seen.source(path, found.kind, lambda: (found, None))
        seen.next_build()
        again = seen.source(path, found.kind, lambda: (None, None))  # read again: nothing
        assert (again[0] is found) is trusted
