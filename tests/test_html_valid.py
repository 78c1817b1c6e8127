"""Every built HTML page is valid HTML: the Nu Html Checker (vnu) finds no error.

Each site is built once with the real command line and checked in one Java call
over its whole output folder. Warnings are allowed; errors are not. A final test
proves the gate can fail: a template with a duplicate id and an image without alt.

Needs Java and `node_modules/vnu-jar` (`npm ci`). Without them the tests skip
locally and fail in CI (where the environment variable CI is set).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import build_site, with_columns

pytestmark = pytest.mark.validator

REPO = Path(__file__).resolve().parent.parent
VNU_JAR = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
SITES = REPO / "tests/sites"


@dataclass(frozen=True)
class Finding:
    """One error vnu reported: the file relative to the checked folder, its line, the message."""

    file: str
    line: int | None
    message: str

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Vnu:
    """How to start the checker: the java binary and the jar."""

    java: str
    jar: Path

    def errors(self, folder: Path) -> list[Finding]:
        """Check every HTML file under `folder` in one JVM; return the errors, sorted."""
        result = subprocess.run(
            [
                self.java,
                "-jar",
                str(self.jar),
                "--errors-only",
                "--skip-non-html",
                "--format",
                "json",
                "--stdout",
                str(folder),
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
        # vnu exits 1 when it reports errors; anything else means it did not run properly.
        assert result.returncode in (0, 1), (
            f"vnu exited {result.returncode}:\n{result.stderr}{result.stdout}"
        )
        try:
            report = json.loads(result.stdout)
        except json.JSONDecodeError as exc:
            raise AssertionError(
                f"vnu printed no JSON ({exc}):\n{result.stdout}\n{result.stderr}"
            ) from exc
        findings = [
            Finding(_relative(str(m.get("url", "")), folder), m.get("lastLine"), m["message"])
            for m in report["messages"]
            if m.get("type") in ("error", "non-document-error")
        ]
        if result.returncode == 1:
            assert findings, f"vnu exited 1 but reported no error:\n{result.stderr}"
        return sorted(findings, key=lambda f: (f.file, f.line or 0, f.message))


def _relative(url: str, folder: Path) -> str:
    """A `file:` URL from vnu as a path relative to the checked folder (else as given)."""
    if not url.startswith("file:"):
        return url
    path = Path(unquote(urlparse(url).path))
    for base in (folder, folder.resolve()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()


def _report(findings: list[Finding]) -> str:
    lines = "\n".join(f"  {f.format()}" for f in findings)
    return f"the Nu Html Checker found {len(findings)} error(s):\n{lines}"


# --- fixtures: the checker and the sites, each built once ------------------------------------


@pytest.fixture(scope="module")
def vnu() -> Vnu:
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("java is not on PATH (apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        missing.append(f"{VNU_JAR.relative_to(REPO)} is missing (run `npm ci`)")
    if missing or java is None:
        reason = "the Nu Html Checker cannot run: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return Vnu(java, VNU_JAR)


@pytest.fixture(scope="module")
def fjendtlig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(SITES / "fjendtlig/content", tmp_path_factory.mktemp("fjendtlig") / "site")


@pytest.fixture(scope="module")
def paginated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site plus 45 columns, so the column list runs over three pages."""
    root = tmp_path_factory.mktemp("paginated")
    site = build_site(with_columns(root, 45), root / "site")
    assert (site / "klummer/side/3/index.html").is_file(), "the column list is not paginated"
    return site


# --- the gate ---------------------------------------------------------------------------------


@pytest.mark.parametrize("site", ["example", "flere_aar", "fjendtlig", "paginated"])
def test_every_page_is_valid_html(site: str, vnu: Vnu, request: pytest.FixtureRequest) -> None:
    build: Path = request.getfixturevalue(site)
    findings = vnu.errors(build)
    assert findings == [], _report(findings)


# --- proof that the gate can fail ------------------------------------------------------------

BROKEN = '<p id="dobbelt">a</p><p id="dobbelt">b</p><img src="x.png">\n'


def test_a_broken_template_fails_the_gate(vnu: Vnu, tmp_path: Path) -> None:
    """One overridden template with a duplicate id and an img without alt: vnu reports both."""
    templates = tmp_path / "templates"
    templates.mkdir()
    original = (REPO / "templates/index.html").read_text(encoding="utf-8")
    marker = "{% block content %}\n"
    assert marker in original, "templates/index.html has no content block to break"
    (templates / "index.html").write_text(
        original.replace(marker, marker + BROKEN, 1), encoding="utf-8"
    )
    site = build_site(REPO / "content", tmp_path / "site", "--templates", str(templates))

    findings = vnu.errors(site)

    print(_report(findings))  # shown with `pytest -s`: the message a developer would get
    assert {f.file for f in findings} == {"index.html"}, _report(findings)
    messages = [f.message for f in findings]
    assert any("Duplicate ID" in m and "dobbelt" in m for m in messages), _report(findings)
    assert any("img" in m and "alt" in m for m in messages), _report(findings)
