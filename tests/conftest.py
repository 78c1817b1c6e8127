"""Shared fixtures: a tiny valid content set written into a temporary folder."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from kkrsite.cli import main
from kkrsite.config import Options

BASE: Mapping[str, str] = {
    "site.yaml": (
        "title: KKR Test\nbase_url: https://kkr.example.dk/\nlanguage: da\n"
        "description: Prøvesite\npublisher: KL\n"
    ),
    "topics.yaml": "- slug: sundhed\n  name: Sundhed\n  description: Det nære sundhedsvæsen.\n",
    "people/kjeld-hansen.yaml": (
        "name: Kjeld Hansen\ntitle: Borgmester\nparty: S\nmunicipality: Herlev Kommune\n"
    ),
    "people/soeren-aebeloe.yaml": (
        "name: Søren Æbelø\ntitle: Borgmester\nparty: V\nmunicipality: Høje-Taastrup Kommune\n"
    ),
    "kkr/hovedstaden/kkr.yaml": (
        "name: KKR Hovedstaden\nregion: Region Hovedstaden\nmunicipalities: [Herlev, Høje-Taastrup]\n"
        "terms:\n  - period: 2010-2013\n    chair: kjeld-hansen\n"
        "  - period: 2014-2017\n    chair: soeren-aebeloe\n    vice_chair: kjeld-hansen\n"
    ),
    "kkr/hovedstaden/meetings/2011-08-24.md": "---\ntopics: [sundhed]\n---\nReferat.\n",
}

MakeSite = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write BASE plus `files` (path → text; None deletes) under tmp_path/content; returns it."""

    def make(files: Mapping[str, str | bytes | None] | None = None) -> Path:
        root = tmp_path / "content"
        merged: dict[str, str | bytes | None] = {**BASE, **(files or {})}
        for rel, text in merged.items():
            if text is None:
                continue
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        return root

    return make


def options(content: Path, today: dt.date = dt.date(2011, 12, 1), **kw: object) -> Options:
    """Build options for a content folder, on a fixed day."""
    return Options(content=content, out=content.parent / "build", today=today, **kw)  # type: ignore[arg-type]


def run_kkrsite(*args: str, cwd: Path, epoch: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in-process in `cwd` with SOURCE_DATE_EPOCH set, as a user would.

    `main()` is called as a function (a subprocess costs a second of start-up per call);
    the working folder, environment and output streams are set for the call and restored.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    before_cwd, before_epoch = Path.cwd(), os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: usage errors and --help
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(before_cwd)
        if before_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before_epoch
    return subprocess.CompletedProcess(
        ["kkrsite", *args], code, stdout.getvalue(), stderr.getvalue()
    )


def run_subprocess(*args: str, cwd: Path, epoch: str) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a new process: for the one smoke test of the installed tool."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "kkrsite", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


REPO = Path(__file__).resolve().parent.parent
EPOCH_2011 = "1322697600"
"""1 December 2011: the build date of the shared test builds (the 2010-2013 period)."""


def build_site(content: Path, out: Path, *extra: str, epoch: str = EPOCH_2011) -> Path:
    """Build `content` into `out` with the real CLI; the build must succeed."""
    result = run_kkrsite(
        "build", "--content", str(content), "--out", str(out), *extra, cwd=REPO, epoch=epoch
    )
    assert result.returncode == 0, result.stderr
    assert any(out.rglob("*.html")), f"the build of {content} wrote no HTML"
    return out


def with_columns(root: Path, count: int) -> Path:
    """A copy of the example content under root with `count` more columns (for pagination)."""
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    for n in range(count):
        (content / "columns" / f"2011-03-{n % 28 + 1:02d}-klumme-{n}.md").write_text(
            f"---\ntitle: Klumme {n}\nauthors: [kjeld-hansen]\n---\nTekst.\n", encoding="utf-8"
        )
    return content


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site in content/, built once per test session."""
    return build_site(REPO / "content", tmp_path_factory.mktemp("example") / "site")


@pytest.fixture(scope="session")
def flere_aar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/flere-aar, built once per test session."""
    return build_site(
        REPO / "tests/sites/flere-aar/content", tmp_path_factory.mktemp("flere") / "site"
    )
