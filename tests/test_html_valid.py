"""Every built HTML page is valid HTML: the Nu Html Checker (vnu) finds no error.

Each site is built once with the real command line, and every built site is checked
in one Java call over the whole output folders (the JVM's start is most of the cost).
Warnings are allowed; errors are not. A final test proves the gate can fail: a
template with a duplicate id and an image without alt.

Needs Java and `node_modules/vnu-jar` (`npm ci`). Without them the tests fail, saying
what to install. The tests share one worker under `pytest -n`, so the call is made once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import VNU_JAR, build_site, vnu_missing

pytestmark = [pytest.mark.validator, pytest.mark.xdist_group("validator")]

REPO = Path(__file__).resolve().parent.parent
SITES = REPO / "tests/sites"
# The checker's run is short: the quick JIT tier starts it in half the time (its deeper
# stack frames need the larger stack; vnu asks for at least 512k).
JVM_OPTIONS = ["-XX:TieredStopAtLevel=1", "-Xss8m"]


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

    def errors(self, folders: Mapping[str, Path]) -> dict[str, list[Finding]]:
        """Check every HTML file under each folder, all in one JVM; the errors by folder name.

        Each error's file is relative to its folder; an error in no folder counts for all.
        """
        result = subprocess.run(
            [
                self.java,
                *JVM_OPTIONS,
                "-jar",
                str(self.jar),
                "--errors-only",
                "--skip-non-html",
                "--format",
                "json",
                "--stdout",
                *(str(folder) for folder in folders.values()),
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
        found: dict[str, list[Finding]] = {name: [] for name in folders}
        for m in report["messages"]:
            if m.get("type") not in ("error", "non-document-error"):
                continue
            url = str(m.get("url", ""))
            inside = {name: _relative(url, folder) for name, folder in folders.items()}
            placed = {name: rel for name, rel in inside.items() if rel is not None}
            for name in placed or folders:
                found[name].append(Finding(placed.get(name, url), m.get("lastLine"), m["message"]))
        if result.returncode == 1:
            assert any(found.values()), f"vnu exited 1 but reported no error:\n{result.stderr}"
        return {
            name: sorted(findings, key=lambda f: (f.file, f.line or 0, f.message))
            for name, findings in found.items()
        }


def _relative(url: str, folder: Path) -> str | None:
    """A `file:` URL from vnu as a path relative to `folder`; None when it is not inside."""
    if not url.startswith("file:"):
        return None
    path = Path(unquote(urlparse(url).path))
    for base in (folder, folder.resolve()):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return None


def _report(findings: list[Finding]) -> str:
    lines = "\n".join(f"  {f.format()}" for f in findings)
    return f"the Nu Html Checker found {len(findings)} error(s):\n{lines}"


# --- fixtures: the checker, the sites built once, one call over all of them ------------------


@pytest.fixture(scope="session")
def vnu() -> Vnu:
    missing = vnu_missing()
    java = shutil.which("java")
    if missing or java is None:
        pytest.fail(missing or "java is missing", pytrace=False)
    return Vnu(java, VNU_JAR)


@pytest.fixture(scope="session")
def fjendtlig(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(SITES / "fjendtlig/content", tmp_path_factory.mktemp("fjendtlig") / "site")


BROKEN = '<p id="dobbelt">a</p><p id="dobbelt">b</p><img src="x.png">\n'


@pytest.fixture(scope="session")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site with one overridden template: a duplicate id and an img without alt."""
    root = tmp_path_factory.mktemp("broken")
    templates = root / "templates"
    templates.mkdir()
    original = (REPO / "templates/index.html").read_text(encoding="utf-8")
    marker = "{% block content %}\n"
    assert marker in original, "templates/index.html has no content block to break"
    (templates / "index.html").write_text(
        original.replace(marker, marker + BROKEN, 1), encoding="utf-8"
    )
    return build_site(REPO / "content", root / "site", "--templates", str(templates))


CHECKED = ["example", "flere_aar", "fjendtlig", "paginated", "broken"]


@pytest.fixture(scope="session")
def findings(vnu: Vnu, request: pytest.FixtureRequest) -> dict[str, list[Finding]]:
    """Every checked site's errors, from one run of the checker over all of them."""
    return vnu.errors({site: request.getfixturevalue(site) for site in CHECKED})


# --- the gate ---------------------------------------------------------------------------------


@pytest.mark.parametrize("site", ["example", "flere_aar", "fjendtlig", "paginated"])
def test_every_page_is_valid_html(site: str, findings: dict[str, list[Finding]]) -> None:
    assert findings[site] == [], _report(findings[site])


# --- proof that the gate can fail ------------------------------------------------------------


def test_a_broken_template_fails_the_gate(findings: dict[str, list[Finding]]) -> None:
    """One overridden template with a duplicate id and an img without alt: vnu reports both."""
    broken = findings["broken"]
    print(_report(broken))  # shown with `pytest -s`: the message a developer would get
    assert {f.file for f in broken} == {"index.html"}, _report(broken)
    messages = [f.message for f in broken]
    assert any("Duplicate ID" in m and "dobbelt" in m for m in messages), _report(broken)
    assert any("img" in m and "alt" in m for m in messages), _report(broken)
