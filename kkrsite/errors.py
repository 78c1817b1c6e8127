"""The one exception hierarchy: every failure a user can cause is a KkrsiteError."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, at a place a user can open."""

    path: Path
    line: int | None
    message: str

    def format(self, shown_from: Path | None = None) -> str:
        """Render as `path:line: message`, the path relative to `shown_from` when inside it."""
        where = printable(display_path(self.path, shown_from or Path.cwd()))
        if self.line is None:
            return f"{where}: {printable(self.message)}"
        return f"{where}:{self.line}: {printable(self.message)}"


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (ESC, CR, …) shown as escapes.

    Messages quote what the user wrote; an ESC or CR in it could rewrite the line shown.
    """
    if text.isprintable():
        return text
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in _HIDDEN else c for c in text)


_HIDDEN = frozenset(("Cc", "Cf", "Zl", "Zp"))
"""Control and format characters (ESC, CR, bidi overrides) and line separators."""


def display_path(path: Path, base: Path) -> str:
    """Show `path` relative to `base` when it lies inside it, else as given."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class KkrsiteError(Exception):
    """Base of every error kkrsite reports to a user without a traceback."""

    def lines(self) -> list[str]:
        """The lines to print for this error."""
        return [str(self)]


class ContentError(KkrsiteError):
    """The content (or templates) has problems; all of them are carried, sorted."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=_problem_order)
        super().__init__(f"{len(self.problems)} problem(s) in the content")

    def lines(self) -> list[str]:
        return [p.format() for p in self.problems]


def _problem_order(p: Problem) -> tuple[str, int, str]:
    return (p.path.as_posix(), p.line or 0, p.message)


class TemplateProblem(KkrsiteError):
    """A page could not be rendered because of its template; carries the one problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem

    def lines(self) -> list[str]:
        return [self.problem.format()]


class MarkdownLimitError(ValueError):
    """A body refused because it exceeds what a council body ever needs; `line` is 1-based.

    Raised with the line inside the body; the render step names the content file.
    """

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class UsageError(KkrsiteError):
    """The command line asks for something that cannot be done (e.g. a missing folder)."""
