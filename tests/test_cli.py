"""The command line, run as a user runs it, on the example site in content/.

`main()` runs in-process (`run_kkrsite`); one smoke test starts the installed console script.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import run_kkrsite, run_subprocess

from kkrsite.cli import _Progress

REPO = Path(__file__).resolve().parent.parent
EPOCH = "1322697600"  # 2011-12-01


def kkrsite(*args: str, cwd: Path = REPO, epoch: str = EPOCH) -> subprocess.CompletedProcess[str]:
    return run_kkrsite(*args, cwd=cwd, epoch=epoch)


def test_build_the_example_site(tmp_path: Path) -> None:
    result = kkrsite("build", "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"Built \d+ pages and \d+ feeds, calendars and data files; copied \d+ files into .*site/ in \d+\.\d\d s\n",
        result.stdout,
    )
    site = tmp_path / "site"
    for region in ("hovedstaden", "sjaelland", "syddanmark", "midtjylland", "nordjylland"):
        assert (site / "kkr" / region / "index.html").is_file()
    hovedstaden = (site / "kkr/hovedstaden/index.html").read_text()
    assert "Kjeld Hansen" in hovedstaden and "Herlev" in hovedstaden
    front = (site / "index.html").read_text()
    assert '<html lang="da">' in front
    assert front.count("<h1") == 1


def test_example_site_has_all_98_municipalities() -> None:
    # Counted from the source, so the claim in the README stays true.
    import yaml

    total = 0
    for path in sorted((REPO / "content/kkr").glob("*/kkr.yaml")):
        total += len(yaml.safe_load(path.read_text(encoding="utf-8"))["municipalities"])
    assert total == 98


def test_check_writes_nothing(tmp_path: Path) -> None:
    result = kkrsite("check", "--content", str(REPO / "content"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No problems: ")
    assert list(tmp_path.iterdir()) == []


def test_missing_content_folder_is_explained(tmp_path: Path) -> None:
    result = kkrsite("build", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "kkrsite: no content folder at 'content': run kkrsite in your site's folder, "
        "or name the folder with --content DIR\n"
    )


def test_base_url_from_the_command_line(tmp_path: Path) -> None:
    result = kkrsite(
        "build", "--out", str(tmp_path / "s"), "--base-url", "https://preview.example.dk/kkr/"
    )
    assert result.returncode == 0, result.stderr
    front = (tmp_path / "s/index.html").read_text()
    assert 'href="https://preview.example.dk/kkr/"' in front
    assert 'href="/kkr/kkr/hovedstaden/"' in front


def test_the_console_script_is_installed(tmp_path: Path) -> None:
    result = run_subprocess("--help", cwd=tmp_path, epoch=EPOCH)  # the one test in a new process
    assert result.returncode == 0
    assert "build" in result.stdout and "check" in result.stdout


def test_a_region_shows_its_latest_known_chair_when_today_has_none(tmp_path: Path) -> None:
    # 2026: the example content knows chairs for 2010-2013 only.
    result = kkrsite("build", "--out", str(tmp_path / "s"), epoch="1795000000")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "s/kkr/nordjylland/index.html").read_text()
    assert "Seneste kendte formandskab er fra valgperioden" in page
    assert page.count("H. C. Maarup") == 1  # shown once, not again under earlier chairs


def test_a_long_build_on_a_terminal_shows_how_far_it_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    progress = _Progress()
    progress(100, 200)  # a small site: no line
    assert capsys.readouterr().err == ""
    progress(1200, 4685)
    progress.clear()
    err = capsys.readouterr().err
    assert "\rBuilding: 1,200 of 4,685 files" in err and err.endswith("\r\033[K")


def test_a_build_into_a_pipe_shows_no_progress_line(tmp_path: Path) -> None:
    result = kkrsite("build", "--out", str(tmp_path / "site"))
    assert "Building:" not in result.stderr and "\r" not in result.stdout + result.stderr
