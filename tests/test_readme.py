"""The README's two first-screen commands stay true: CI runs the test one as written."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    first_screen = "\n".join((REPO / "README.md").read_text(encoding="utf-8").splitlines()[:30])
    return re.findall(r"```sh\n(.+?)\n```", first_screen)


def test_first_screen_has_the_two_commands() -> None:
    build, tests = _commands()
    assert build.endswith("kkrsite build")
    assert tests.endswith(("pytest", "pytest -n auto"))


def test_ci_runs_the_readme_test_command() -> None:
    _, tests = _commands()
    ci_lines = (REPO / ".ci/run").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith(tests) for line in ci_lines)
