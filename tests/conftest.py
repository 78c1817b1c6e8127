"""Shared fixtures: a tiny valid content set, the CLI in-process, and test sites built once.

Built sites are session fixtures made once per test run (`made_once`: the xdist workers
of a run share them) and read by every test that needs them; a test that changes a site
copies it first (`copy_site`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import ModuleType

import pytest

from kkrsite.cli import main
from kkrsite.config import Options
from kkrsite.errors import Problem, TemplateProblem
from kkrsite.render import Renderer
from kkrsite.siteplan import Page
from kkrsite.urls import output_file

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows: each xdist worker makes its own copy of a shared folder
    fcntl = None

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
    """Run the installed `kkrsite` console script in a new process: the one smoke test of the
    installed tool (every other test calls `run_kkrsite`)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [str(Path(sys.executable).parent / "kkrsite"), *args],
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


def copy_site(source: Path, target: Path) -> Path:
    """Copy a site folder (content/, build/, …) exactly, links as links; returns `target`."""
    shutil.copytree(source, target, symlinks=True)
    return target


def made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """The folder `name`, made by `make(folder)` once per test run and shared by its workers.

    Under `pytest -n`, the workers of a run share the parent of their temporary folders:
    the first worker that needs the folder makes it under a lock, the others wait for it.
    Nothing may change a shared folder: a test that changes a site copies it first.
    """
    root = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER") and fcntl is not None:
        root = root.parent
    shared = root / "made-once"
    shared.mkdir(exist_ok=True)
    folder, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if folder.exists():  # a worker stopped half-way: start again
                shutil.rmtree(folder)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site in content/, built once per test run."""
    return made_once(tmp_path_factory, "example", lambda out: build_site(REPO / "content", out))


@pytest.fixture(scope="session")
def flere_aar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/flere-aar, built once per test run."""
    content = REPO / "tests/sites/flere-aar/content"
    return made_once(tmp_path_factory, "flere-aar", lambda out: build_site(content, out))


def _build_paginated(root: Path) -> None:
    site = build_site(with_columns(root, 45), root / "site")
    assert (site / "klummer/side/3/index.html").is_file(), "the column list is not paginated"


@pytest.fixture(scope="session")
def paginated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site plus 45 columns (the column list runs over three pages), built once."""
    return made_once(tmp_path_factory, "paginated", _build_paginated) / "site"


INVALID_BASE = REPO / "tests/sites/invalid/_base"


def _build_invalid_base(site: Path) -> None:
    copy_site(INVALID_BASE, site)
    first = run_kkrsite("build", cwd=site, epoch=EPOCH_2011)
    assert first.returncode == 0, f"_base does not build:\n{first.stderr}"
    assert any((site / "build").rglob("*.html")), "the base build wrote nothing"


@pytest.fixture(scope="session")
def invalid_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/invalid/_base built in its own folder, as a user builds it (build/ beside
    content/), once per test run: copy it with `copy_site` to start from a valid site with a
    previous build."""
    return made_once(tmp_path_factory, "invalid-base", _build_invalid_base)


# --- the gates' tools: a missing one fails the gate's tests, never skips them ----------------

FAST_ONLY = 'pytest -m "not browser and not validator and not thorough"'
VNU_JAR = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"


def chromium_path() -> str | None:
    """Debian's Chromium: on PATH, or where the Debian package puts it."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def chromium_missing() -> str | None:
    """Why the browser tests cannot run, or None when they can."""
    if chromium_path() is not None:
        return None
    return (
        "Chromium is missing: the browser tests need Debian's chromium "
        f"(apt-get install chromium); to run only the fast tests: {FAST_ONLY}"
    )


def vnu_missing() -> str | None:
    """Why the Nu Html Checker cannot run, or None when it can."""
    missing = []
    if not VNU_JAR.is_file():
        missing.append("run `npm ci` (needs Node.js) to install node_modules/vnu-jar")
    if shutil.which("java") is None:
        missing.append("install Java (apt-get install default-jre-headless)")
    if not missing:
        return None
    return (
        f"the Nu Html Checker is missing: {' and '.join(missing)}; "
        f"to run only the fast tests: {FAST_ONLY}"
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say at the top of the run whether each gate's tools are there."""
    return [
        f"browser gate: {chromium_missing() or 'Chromium at ' + str(chromium_path())}",
        f"validator gate: {vnu_missing() or 'the Nu Html Checker at ' + str(VNU_JAR)}",
    ]


def render_pages(
    renderer: Renderer, pages: Iterable[Page]
) -> tuple[dict[str, bytes], list[Problem]]:
    """Render pages as a build does, by output path; template faults collected, not raised."""
    out: dict[str, bytes] = {}
    problems: list[Problem] = []
    for page in pages:
        try:
            out[output_file(page.url)] = renderer.render(page)
        except TemplateProblem as exc:
            problems.append(exc.problem)
    return out, problems
