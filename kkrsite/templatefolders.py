"""The template folders: check them (no links, no odd names) and find their static assets."""

from __future__ import annotations

from pathlib import Path

from kkrsite.errors import Problem
from kkrsite.safefs import link_problem, linked_component, list_folder, nfc

STATIC_SUFFIXES: tuple[str, ...] = (".css", ".js", ".mjs", ".svg", ".png", ".jpg", ".jpeg")
STATIC_SUFFIXES += (".gif", ".webp", ".ico", ".woff", ".woff2", ".json", ".txt", ".map")
"""What a template folder's static/ may publish under /assets/: never a page of its own."""


def read_templates(folders: list[Path]) -> tuple[dict[str, Path], list[Problem]]:
    """Check the template folders (no links, no odd names) and find their static assets.

    Returns the assets by path under static/, the first folder's file winning, so a
    site's own templates/ overrides the built-in ones file by file.
    """
    assets: dict[str, Path] = {}
    problems: list[Problem] = []
    for folder in folders:
        link = linked_component(folder, Path.cwd())
        if link is not None:
            problems.append(link_problem(link))
            continue
        pending = [folder]
        while pending:
            listed = list_folder(pending.pop())
            problems.extend(listed.problems)
            pending.extend(d for d in listed.dirs if d.name != "__pycache__")
            for path in listed.files:
                parts = path.relative_to(folder).parts
                if parts[0] != "static":
                    continue
                rel = nfc("/".join(parts[1:]))
                if path.suffix.lower() not in STATIC_SUFFIXES:
                    problems.append(
                        Problem(
                            path,
                            None,
                            f"static/ publishes only {', '.join(STATIC_SUFFIXES)} files: "
                            f"'{path.suffix or path.name}' is not one of them",
                        )
                    )
                else:
                    assets.setdefault(rel, path)
    return dict(sorted(assets.items())), problems
