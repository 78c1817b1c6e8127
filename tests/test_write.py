"""Writing: the new site replaces the old one whole or not at all, and never anything else.

The output folder is replaced only when it is missing, empty or marked as a kkrsite
build, never through a symbolic link, never by two builds at once; a build killed
at any point is finished or cleaned up by the next one.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeSite, run_kkrsite, tree

from kkrsite import write
from kkrsite.cache import FOLDER as CACHE_FOLDER
from kkrsite.errors import UsageError
from kkrsite.outfolder import COMPLETE, INCOMPLETE, MARKER
from kkrsite.write import write_site

EPOCH = "1322697600"  # 1 December 2011
OLD = {"index.html": b"old", "a.html": b"a", "b.html": b"b", "gammel/index.html": b"x"}
NEW = {"index.html": b"new", "ny/index.html": b"y"}


def built(pages: dict[str, bytes]) -> dict[str, bytes]:
    """The files of a finished build of `pages`: the pages and the marker."""
    return {**pages, MARKER: COMPLETE}


def names(folder: Path) -> list[str]:
    """What lies in a folder, but the build cache (beside every output folder the CLI writes)."""
    return sorted(p.name for p in folder.iterdir() if p.name != CACHE_FOLDER)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path, as a user works in their site's folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(out: Path, pages: dict[str, bytes] | None = None) -> str:
    """Write and expect a refusal; returns its message."""
    with pytest.raises(UsageError) as caught:
        write_site(out, pages or NEW, [])
    return str(caught.value)


# --- replacing a build ---------------------------------------------------------------


def test_replaces_the_old_site_and_leaves_nothing_beside_it(here: Path) -> None:
    write_site(Path("build"), OLD, [])
    attachment = here / "a.pdf"
    attachment.write_bytes(b"%PDF")
    count = write_site(Path("build"), {"index.html": b"new"}, [(attachment, "filer/a.pdf")])
    assert count == 2
    assert tree(here / "build") == built({"index.html": b"new", "filer/a.pdf": b"%PDF"})
    assert names(here) == ["a.pdf", "build"]  # no staging folder, no lock file


def test_the_marker_is_one_fixed_harmless_line(here: Path) -> None:
    write_site(Path("first"), NEW, [])
    write_site(Path("second"), NEW, [])
    assert tree(here / "first") == tree(here / "second")
    text = (here / "first" / MARKER).read_text(encoding="ascii")
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "kkrsite" in text and "<" not in text


def test_a_missing_source_is_named_and_the_old_site_kept(here: Path) -> None:
    write_site(Path("build"), OLD, [])
    with pytest.raises(UsageError) as caught:
        write_site(Path("build"), NEW, [(here / "missing.pdf", "filer/missing.pdf")])
    message = str(caught.value)
    assert message.startswith("could not read 'missing.pdf': no such file or directory")
    assert tree(here / "build") == built(OLD)
    assert names(here) == ["build"]


def test_an_empty_folder_is_replaced(here: Path) -> None:
    (here / "build").mkdir()
    write_site(Path("build"), NEW, [])
    assert tree(here / "build") == built(NEW)


def test_a_folder_kkrsite_did_not_build_is_refused(here: Path) -> None:
    docs = here / "docs"
    docs.mkdir()
    (docs / "speech.odt").write_bytes(b"my speech")
    assert refused(Path("docs")) == (
        "'docs' is not a folder kkrsite built (it has no .kkrsite-build and is not empty): "
        "choose another --out, or empty it first"
    )
    assert tree(docs) == {"speech.odt": b"my speech"}
    assert names(here) == ["docs"]


def test_a_repository_folder_is_refused(here: Path) -> None:
    git = here / ".git"
    (git / "objects").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    before = tree(git)
    assert "'.git' is not a folder kkrsite built" in refused(Path(".git"))
    assert tree(git) == before


def test_a_marker_with_other_text_is_not_kkrsite_s(here: Path) -> None:
    docs = here / "docs"
    docs.mkdir()
    (docs / MARKER).write_text("my notes about kkrsite\n")
    assert "is not a folder kkrsite built" in refused(Path("docs"))
    assert (docs / MARKER).read_text() == "my notes about kkrsite\n"


def test_a_path_that_leaves_the_output_folder_is_refused(here: Path) -> None:
    assert "leaves the output folder" in refused(Path("build"), {"../escaped.html": b"x"})
    assert names(here) == []


# --- links ------------------------------------------------------------------------------


def test_an_output_folder_that_is_a_link_is_refused_and_its_target_untouched(here: Path) -> None:
    elsewhere = here / "elsewhere"
    write_site(elsewhere, OLD, [])  # even a kkrsite build is not replaced through a link
    (here / "build").symlink_to(elsewhere)
    assert refused(Path("build")) == (
        f"'build' is a symbolic link (to '{elsewhere}'): kkrsite never writes through a link; "
        "remove the link, or choose another --out than 'build'"
    )
    assert tree(elsewhere) == built(OLD)
    assert (here / "build").is_symlink()


def test_a_link_on_the_path_inside_the_current_folder_is_refused(here: Path) -> None:
    (here / "real").mkdir()
    (here / "site").symlink_to(here / "real")
    message = refused(Path("site/build"))
    assert message.startswith("'site' is a symbolic link (to ")
    assert names(here / "real") == []


def test_a_link_above_the_current_folder_is_the_user_s_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    write_site(tmp_path / "alias" / "build", NEW, [])
    assert tree(tmp_path / "real" / "build") == built(NEW)


def test_a_lock_file_that_is_a_link_is_refused_and_its_target_untouched(here: Path) -> None:
    victim = here / "victim.txt"
    victim.write_text("keep me\n")
    (here / ".build.lock").symlink_to(victim)
    assert refused(Path("build")).startswith("'.build.lock' is a symbolic link")
    assert victim.read_text() == "keep me\n"
    assert not (here / "build").exists()


# --- what must never be the output: via the command line ------------------------------


def build(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_kkrsite("build", *args, cwd=site, epoch=EPOCH)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_cli_refuses_a_user_folder_and_keeps_its_files(make_site: MakeSite, tmp_path: Path) -> None:
    make_site()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "speech.odt").write_bytes(b"my speech")
    result = build(tmp_path, "--out", "docs")
    assert result.returncode == 1
    assert result.stderr == (
        "kkrsite: 'docs' is not a folder kkrsite built (it has no .kkrsite-build and is not "
        "empty): choose another --out, or empty it first\n"
    )
    assert tree(tmp_path / "docs") == {"speech.odt": b"my speech"}
    assert names(tmp_path) == ["content", "docs"]


def test_cli_builds_into_a_folder_it_built_and_leaves_nothing_beside(
    make_site: MakeSite, tmp_path: Path
) -> None:
    make_site()
    assert build(tmp_path).returncode == 0
    first = tree(tmp_path / "build")
    assert first[MARKER] == COMPLETE
    assert build(tmp_path).returncode == 0
    assert tree(tmp_path / "build") == first
    assert names(tmp_path) == ["build", "content"]


def test_cli_check_does_not_mind_a_folder_it_would_not_replace(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """`check` writes nothing, so an unmarked build/ (e.g. from an older kkrsite) is no fault."""
    make_site()
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "index.html").write_text("old\n")
    result = run_kkrsite("check", cwd=tmp_path, epoch=EPOCH)
    assert result.returncode == 0, result.stderr
    assert tree(tmp_path / "build") == {"index.html": b"old\n"}


@pytest.mark.parametrize("out", [".", ".."])
def test_cli_refuses_the_current_folder_or_one_above(
    out: str, make_site: MakeSite, tmp_path: Path
) -> None:
    make_site()
    result = build(tmp_path, "--out", out)
    assert result.returncode == 1
    assert result.stderr == (
        f"kkrsite: the output folder '{out}' is or contains the current folder, and building "
        "would replace the folder you are working in: choose another --out, e.g. build\n"
    )
    assert names(tmp_path) == ["content"]


@pytest.mark.parametrize("out", ["content", "content/build"])
def test_cli_refuses_the_content_folder_or_inside_it(
    out: str, make_site: MakeSite, tmp_path: Path
) -> None:
    content = make_site()
    before = tree(content)
    result = build(tmp_path, "--out", out)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"kkrsite: the output folder '{out}' overlaps the content folder 'content'"
    )
    assert tree(content) == before


def test_cli_refuses_an_output_that_holds_the_content(make_site: MakeSite, tmp_path: Path) -> None:
    content = make_site()
    result = build(tmp_path, "--content", str(content), "--out", str(tmp_path))
    assert result.returncode == 1
    assert "is or contains the current folder" in result.stderr


@pytest.mark.parametrize("out", ["proj", "proj/tpl", "proj/tpl/build"])
def test_cli_refuses_an_output_that_is_holds_or_lies_in_the_templates(
    out: str, make_site: MakeSite, tmp_path: Path
) -> None:
    make_site()
    templates = tmp_path / "proj" / "tpl"
    templates.mkdir(parents=True)
    (templates / "base.html").write_text("{% block main %}{% endblock %}\n")
    result = build(tmp_path, "--templates", "proj/tpl", "--out", out)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"kkrsite: the output folder '{out}' overlaps the templates folder 'proj/tpl'"
    )
    assert tree(tmp_path / "proj") == {"tpl/base.html": b"{% block main %}{% endblock %}\n"}


def test_cli_refuses_a_committed_build_link(make_site: MakeSite, tmp_path: Path) -> None:
    make_site()
    target = tmp_path / "important"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    (tmp_path / "build").symlink_to(target)
    result = build(tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"kkrsite: 'build' is a symbolic link (to '{target}')")
    assert tree(target) == {"notes.txt": b"mine\n"}


def test_cli_refuses_an_output_below_a_file(make_site: MakeSite, tmp_path: Path) -> None:
    make_site()
    (tmp_path / "afile").write_text("x\n")
    result = build(tmp_path, "--out", "afile/x")
    assert result.returncode == 1
    assert result.stderr == "kkrsite: 'afile' is a file, not a folder: choose another --out\n"


# --- two builds at once --------------------------------------------------------------------


@pytest.fixture
def held_lock(tmp_path: Path) -> Iterator[Path]:
    """The lock of tmp_path/build, held as a running build holds it."""
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / ".build.lock"
    with path.open("w") as file:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield path
    path.unlink()


def test_a_second_build_at_once_is_refused_clearly(held_lock: Path, here: Path) -> None:
    assert refused(Path("build")) == (
        "another kkrsite build is writing 'build' right now; wait for it to finish"
    )
    assert names(here) == [".build.lock"]


def test_cli_refuses_a_second_build_at_once(
    held_lock: Path, make_site: MakeSite, tmp_path: Path
) -> None:
    make_site()
    result = build(tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "kkrsite: another kkrsite build is writing 'build' right now; wait for it to finish\n"
    )


def test_a_lock_file_removed_while_locking_is_not_trusted(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build ends (removing its lock file) and a third starts, just as this one locks."""
    fcntl = pytest.importorskip("fcntl")
    path = here / ".build.lock"
    path.write_bytes(b"")
    real = write._try_lock
    third: list[Any] = []

    def try_lock(fd: int) -> bool:
        if not third:
            path.unlink()
            third.append(path.open("w"))
            fcntl.flock(third[0].fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return real(fd)

    monkeypatch.setattr(write, "_try_lock", try_lock)
    try:
        assert refused(Path("build")).startswith("another kkrsite build is writing 'build'")
    finally:
        third[0].close()
    assert names(here) == [".build.lock"]


def test_a_lock_file_left_by_a_killed_build_does_not_block(here: Path) -> None:
    (here / ".build.lock").write_bytes(b"")  # the process that held it is gone
    write_site(Path("build"), NEW, [])
    assert names(here) == ["build"]


# --- permissions ---------------------------------------------------------------------------


def test_published_files_are_world_readable_whatever_the_umask(here: Path) -> None:
    attachment = here / "a.pdf"
    attachment.write_bytes(b"%PDF")
    attachment.chmod(0o600)
    before = os.umask(0o077)
    try:
        write_site(Path("build"), NEW, [(attachment, "filer/a.pdf")])
    finally:
        os.umask(before)
    modes = {
        p.relative_to(here).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in [here / "build", *(here / "build").rglob("*")]
    }
    assert modes == {
        "build": 0o755,
        f"build/{MARKER}": 0o644,
        "build/index.html": 0o644,
        "build/ny": 0o755,
        "build/ny/index.html": 0o644,
        "build/filer": 0o755,
        "build/filer/a.pdf": 0o644,
    }


# --- failures while writing ------------------------------------------------------------


def failing_after(calls: int, error: int) -> Callable[..., None]:
    """A _write_file that writes `calls` files, then fails with `error`."""
    real = write._write_file
    done = [0]

    def fake(path: Path, data: bytes) -> None:
        done[0] += 1
        if done[0] > calls:
            raise OSError(error, os.strerror(error), str(path))
        real(path, data)

    return fake


def test_disk_full_is_explained_and_the_old_site_kept(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_site(Path("build"), OLD, [])
    monkeypatch.setattr(write, "_write_file", failing_after(2, errno.ENOSPC))
    assert refused(Path("build")) == (
        "could not write the site to 'build': the disk is full; 'build' was left as it was"
    )
    assert tree(here / "build") == built(OLD)
    assert names(here) == ["build"]


def test_cli_disk_full_exits_1_without_a_traceback(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_site()
    assert build(tmp_path).returncode == 0
    before = tree(tmp_path / "build")
    monkeypatch.setattr(write, "_write_file", failing_after(5, errno.ENOSPC))
    result = build(tmp_path, "--clean")
    assert result.returncode == 1
    assert result.stderr == (
        "kkrsite: could not write the site to 'build': the disk is full; "
        "'build' was left as it was\n"
    )
    assert tree(tmp_path / "build") == before
    assert names(tmp_path) == ["build", "content"]


def test_a_full_disk_while_updating_leaves_the_build_as_it_was(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = make_site()
    assert build(tmp_path).returncode == 0
    before = tree(tmp_path / "build")
    meeting = content / "kkr/hovedstaden/meetings/2011-08-24.md"
    meeting.write_text(meeting.read_text(encoding="utf-8") + "\nEt nyt afsnit.\n", encoding="utf-8")
    monkeypatch.setattr(write, "_write_file", failing_after(2, errno.ENOSPC))
    result = build(tmp_path)
    assert result.returncode == 1
    # (An update in place or a whole new site, as the build judges: either way nothing is lost.)
    assert "the site" in result.stderr and "the disk is full" in result.stderr
    assert tree(tmp_path / "build") == before
    assert names(tmp_path) == ["build", "content"]
    monkeypatch.undo()
    again = build(tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Et nyt afsnit." in "".join(
        data.decode("utf-8", "replace") for data in tree(tmp_path / "build").values()
    )


def read_only(monkeypatch: pytest.MonkeyPatch, folder: Path, error: int = errno.EROFS) -> None:
    """Make writes under `folder` fail as on a read-only disk (root is not stopped by chmod),
    or with another `error` (EACCES: a folder without write permission, as seen by non-root)."""

    def inside(path: Any) -> bool:
        return Path(os.path.abspath(path)).is_relative_to(folder)

    real_open, real_mkdir = os.open, os.mkdir
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT

    def fake_open(path: Any, flags: int, *args: Any, **kw: Any) -> int:
        if flags & writing and inside(path):
            raise OSError(error, os.strerror(error), str(path))
        return real_open(path, flags, *args, **kw)

    def fake_mkdir(path: Any, *args: Any, **kw: Any) -> None:
        if inside(path):
            raise OSError(error, os.strerror(error), str(path))
        real_mkdir(path, *args, **kw)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)


def test_cli_read_only_output_parent_exits_1_without_a_traceback(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_site()
    (tmp_path / "public").mkdir()
    read_only(monkeypatch, tmp_path / "public")
    result = build(tmp_path, "--out", "public/site")
    assert result.returncode == 1
    assert result.stderr == (
        "kkrsite: could not write the site to 'public/site': the disk is read-only; "
        "'public/site' was left as it was\n"
    )
    assert names(tmp_path / "public") == []


def test_a_read_only_folder_is_explained(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (here / "public").mkdir()
    (here / "public").chmod(0o555)
    if not hasattr(os, "geteuid") or os.geteuid() == 0:
        # Root writes into read-only folders: refuse as the kernel refuses everyone else.
        read_only(monkeypatch, here / "public", errno.EACCES)
    try:
        message = refused(Path("public/site"))
    finally:
        (here / "public").chmod(0o755)
    assert message.startswith("could not write the site to 'public/site': permission denied")


def test_a_name_too_long_is_explained(here: Path) -> None:
    long = "x" * 300
    assert refused(Path(long)) == (
        f"could not write the site to '{long}': a name in the path is too long; "
        f"'{long}' was left as it was"
    )


# --- killed builds: the next build finishes or cleans up -----------------------------------


def stale(here: Path, kind: str, suffix: str, files: dict[str, bytes]) -> Path:
    folder = here / f".build.{kind}-{suffix}"
    folder.mkdir()
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    return folder


def test_stale_staging_folders_with_the_marker_or_empty_are_removed(here: Path) -> None:
    write_site(Path("build"), OLD, [])
    stale(here, "new", "0a1b2c3d", {MARKER: INCOMPLETE, "index.html": b"half"})
    stale(here, "new", "0a1b2c3e", {MARKER: INCOMPLETE[:10]})  # killed writing the marker
    stale(here, "old", "0a1b2c3f", built(OLD))
    stale(here, "new", "0a1b2c40", {})
    write_site(Path("build"), NEW, [])
    assert tree(here / "build") == built(NEW)
    assert names(here) == ["build"]


def test_folders_with_a_staging_name_but_no_marker_are_kept(here: Path) -> None:
    mine = stale(here, "new", "0a1b2c3d", {"notes.txt": b"mine"})
    victim = here / "victim"
    victim.mkdir()
    (victim / MARKER).write_bytes(COMPLETE)
    (here / ".build.old-0a1b2c3e").symlink_to(victim)
    write_site(Path("build"), NEW, [])
    assert tree(mine) == {"notes.txt": b"mine"}
    assert tree(victim) == {MARKER: COMPLETE}
    assert names(here) == [".build.new-0a1b2c3d", ".build.old-0a1b2c3e", "build", "victim"]


def test_a_complete_staging_folder_is_put_in_place_when_build_is_missing(here: Path) -> None:
    """A kill between the two renames: the site being published is put in place first."""
    stale(here, "old", "0a1b2c3d", built(OLD))
    stale(here, "new", "0a1b2c3e", built(NEW))
    with pytest.raises(UsageError, match="could not read"):  # this build fails after recovery
        write_site(Path("build"), {"x.html": b"x"}, [(here / "missing.pdf", "filer/m.pdf")])
    assert tree(here / "build") == built(NEW)
    assert names(here) == ["build"]


def test_an_incomplete_staging_folder_is_never_put_in_place(here: Path) -> None:
    stale(here, "new", "0a1b2c3e", {MARKER: INCOMPLETE, "index.html": b"half"})
    with pytest.raises(UsageError, match="could not read"):
        write_site(Path("build"), {"x.html": b"x"}, [(here / "missing.pdf", "filer/m.pdf")])
    assert names(here) == []


def test_the_retired_site_is_put_back_when_build_is_missing(here: Path) -> None:
    stale(here, "old", "0a1b2c3d", built(OLD))
    with pytest.raises(UsageError, match="could not read"):
        write_site(Path("build"), {"x.html": b"x"}, [(here / "missing.pdf", "filer/m.pdf")])
    assert tree(here / "build") == built(OLD)
    assert names(here) == ["build"]


class Killed(BaseException):
    """Stands for a signal that stops the build between two steps."""


def test_an_interruption_between_the_renames_puts_the_old_site_back(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_site(Path("build"), OLD, [])
    real = os.rename
    calls = [0]

    def rename(source: Any, target: Any) -> None:
        calls[0] += 1
        if calls[0] == 2:
            raise Killed
        real(source, target)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(Killed):
        write_site(Path("build"), NEW, [])
    assert tree(here / "build") == built(OLD)
    assert names(here) == ["build"]


_KILL = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from kkrsite import write

    def dies_at(call, real):
        calls = [0]
        def wrapper(*args, **kw):
            calls[0] += 1
            if calls[0] == call:
                os._exit(137)  # as SIGKILL: no except, no finally
            return real(*args, **kw)
        return wrapper

    point = sys.argv[1]
    if point == "writing":
        write._write_file = dies_at(3, write._write_file)  # the marker and one page written
    elif point == "before the swap":
        os.rename = dies_at(1, os.rename)
    elif point == "between the renames":
        os.rename = dies_at(2, os.rename)
    elif point == "removing the old site":
        os.unlink = dies_at(2, os.unlink)
    write.write_site(Path("build"), {f"ny-{n}.html": b"new" for n in range(5)}, [])
    sys.exit("the kill point was never reached")
    """
)


KILLED = {f"ny-{n}.html": b"new" for n in range(5)}
"""The site the killed build was writing."""


@pytest.mark.parametrize(
    ("point", "left", "seen"),
    [
        ("writing", ["build", ".build.new-"], OLD),
        ("before the swap", ["build", ".build.new-"], OLD),
        ("between the renames", [".build.new-", ".build.old-"], None),
        ("removing the old site", ["build", ".build.old-"], KILLED),
    ],
)
def test_a_build_killed_at_any_point_is_recovered_by_the_next(
    point: str, left: list[str], seen: dict[str, bytes] | None, here: Path
) -> None:
    write_site(Path("build"), OLD, [])
    package = Path(write.__file__).resolve().parents[1]
    killed = subprocess.run(
        [sys.executable, "-c", _KILL, point],
        cwd=here,
        env={**os.environ, "PYTHONPATH": str(package)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == 137, killed.stderr
    found = sorted(name[: len(".build.new-")] if name != "build" else name for name in names(here))
    assert found == sorted([*left, ".build.lock"])
    if seen is not None:
        assert tree(here / "build") == built(seen)  # readers see a whole site, never half

    write_site(Path("build"), NEW, [])
    assert tree(here / "build") == built(NEW)
    assert names(here) == ["build"]


def test_an_update_in_place_on_a_full_disk_changes_nothing(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write.write_site(Path("build"), {"index.html": b"old", "a/index.html": b"a"}, [])
    before = tree(here / "build")
    monkeypatch.setattr(write, "_write_file", failing_after(1, errno.ENOSPC))
    with pytest.raises(UsageError) as caught:
        write.update_site(
            Path("build"), {"index.html": b"new", "b/c/index.html": b"c"}, [], ["a/index.html"]
        )
    assert str(caught.value).startswith("could not update the site in 'build': the disk is full")
    assert tree(here / "build") == before
    assert names(here) == ["build"]


def test_an_update_in_place_replaces_adds_and_removes(here: Path) -> None:
    write.write_site(Path("build"), {"index.html": b"old", "a/b/index.html": b"a"}, [])
    assert write.update_site(
        Path("build"), {"index.html": b"new", "c/index.html": b"c"}, [], ["a/b/index.html"]
    )
    assert tree(here / "build") == {MARKER: COMPLETE, "index.html": b"new", "c/index.html": b"c"}
    assert not (here / "build/a").exists()  # the folders a removal empties go too


def test_an_update_in_place_needs_a_finished_build(here: Path) -> None:
    (here / "build").mkdir()
    (here / "build/mine.txt").write_text("x")
    assert write.update_site(Path("build"), {"index.html": b"new"}, [], []) is False
    assert names(here / "build") == ["mine.txt"]
