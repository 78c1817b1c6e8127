"""Imports follow the pipeline: read → model → routes → render/writers → write, the CLI on top.

Every module of kkrsite has a layer in the table below. A module may import its own
layer and any layer of a lower rank; layers of one rank are siblings and may not import
each other (render and the writers are separate steps that build.py names). The imports
are read from the source with `ast`, wherever they stand: at the top, inside a function
or under `if TYPE_CHECKING`. See docs/architecture.md for what each step does.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kkrsite"

# Layer → (rank, what it holds), bottom to top.
LAYERS: dict[str, tuple[int, str]] = {
    "base": (0, "helpers every step may use: errors, options, slugs, dates, kinds, safe reads"),
    "read": (1, "files → parsed YAML with lines; which attachments may be published"),
    "model": (2, "schema checks, then the frozen entities with every derived fact"),
    "routes": (3, "every URL, and what the site consists of"),
    "html": (4, "Markdown, the HTML allow-list, tokenizer and sanitiser, the sandbox, links"),
    "render": (5, "pages through the templates"),
    "writers": (5, "feeds, calendars, open data, the sitemap: one output format each"),
    "write": (6, "the built site into place, whole or not at all"),
    "build": (7, "runs the steps in order; checks a built site"),
    "cli": (8, "the command line"),
}

# Module → layer. A new module must be added here: the test names any module without a layer.
MODULES: dict[str, str] = {
    "kkrsite": "base",  # the package: its version
    "kkrsite.errors": "base",
    "kkrsite.config": "base",
    "kkrsite.slugs": "base",
    "kkrsite.dates": "base",
    "kkrsite.kinds": "base",
    "kkrsite.safefs": "base",
    "kkrsite.digest": "base",
    "kkrsite.read": "read",
    "kkrsite.sourcefile": "read",
    "kkrsite.templatefolders": "read",
    "kkrsite.filetypes": "read",
    "kkrsite.sniff": "read",
    "kkrsite.yamlfile": "read",
    "kkrsite.attachments": "read",
    "kkrsite.model": "model",
    "kkrsite.model.entities": "model",
    "kkrsite.model.fields": "model",
    "kkrsite.model.schema": "model",
    "kkrsite.model.shared": "model",
    "kkrsite.model.shared_schema": "model",
    "kkrsite.model.shared_assemble": "model",
    "kkrsite.model.indexes": "model",
    "kkrsite.model.values": "model",
    "kkrsite.model.formats": "model",
    "kkrsite.model.assemble": "model",
    "kkrsite.model.reuse": "model",
    "kkrsite.urls": "routes",
    "kkrsite.routes": "routes",
    "kkrsite.siteplan": "routes",
    "kkrsite.pages": "routes",
    "kkrsite.htmlpolicy": "html",
    "kkrsite.htmlscan": "html",
    "kkrsite.htmlrebuild": "html",
    "kkrsite.sanitise": "html",
    "kkrsite.markdown": "html",
    "kkrsite.markdownrs": "html",
    "kkrsite.markdownlimits": "html",
    "kkrsite.sandbox": "html",
    "kkrsite.links": "html",
    "kkrsite.render": "render",
    "kkrsite.feeds": "writers",
    "kkrsite.calendars": "writers",
    "kkrsite.opendata": "writers",
    "kkrsite.opendata_values": "writers",
    "kkrsite.opendata_people": "writers",
    "kkrsite.opendata_entries": "writers",
    "kkrsite.sitemap": "writers",
    "kkrsite.write": "write",
    "kkrsite.outfolder": "write",
    "kkrsite.cache": "write",
    "kkrsite.build": "build",
    "kkrsite.builder": "build",
    "kkrsite.pagecheck": "build",
    "kkrsite.feedcheck": "build",
    "kkrsite.jobs": "build",
    "kkrsite.workers": "build",
    "kkrsite.sitecheck": "build",
    "kkrsite.cli": "cli",
    "kkrsite.servepaths": "cli",
    "kkrsite.servepage": "cli",
    "kkrsite.servebrowsers": "cli",
    "kkrsite.servehandlers": "cli",
    "kkrsite.servewatch": "cli",
    "kkrsite.serve": "cli",  # `kkrsite serve`: the preview server, on top of build
    "kkrsite.__main__": "cli",
}

# (importer, imported) pairs that go against the direction today, each to be fixed in the
# code and then removed here (the test fails on an entry that no longer occurs).
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    """One import of a kkrsite module: where it stands and what it names."""

    file: str  # relative to the repository, e.g. "kkrsite/render.py"
    line: int
    importer: str
    imported: str
    statement: str


def module_name(path: Path) -> str:
    """The dotted name of a module file under the package: kkrsite/model/__init__.py → kkrsite.model."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_in(source: str, importer: str, file: str, known: set[str]) -> list[Import]:
    """Every kkrsite module `source` imports, once per statement, at any depth.

    `from kkrsite.model import schema` names the module kkrsite.model.schema when that is
    a module in `known`, else kkrsite.model; relative imports are resolved against `importer`.
    """
    found = []
    package = importer.split(".") if file.endswith("__init__.py") else importer.split(".")[:-1]
    for node in ast.walk(ast.parse(source, filename=file)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
            statement = "import " + ", ".join(targets)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[: len(package) - (node.level - 1)]
                base = ".".join([*parent, *([base] if base else [])])
            names = [alias.name for alias in node.names]
            for name in names:
                submodule = f"{base}.{name}"
                targets.append(submodule if submodule in known else base)
            more = ", …" if len(names) > 3 else ""
            statement = (
                f"from {'.' * node.level}{node.module or ''} import {', '.join(names[:3])}{more}"
            )
        for target in dict.fromkeys(targets):  # once each, in order
            if target == "kkrsite" or target.startswith("kkrsite."):
                found.append(Import(file, node.lineno, importer, target, statement))
    return found


def against_the_direction(imp: Import) -> str | None:
    """Why an import breaks the rule, or None when it follows it."""
    if imp.imported not in MODULES:
        return f"imports {imp.imported}, which is in no layer: add it to the layer table"
    mine, theirs = MODULES[imp.importer], MODULES[imp.imported]
    (my_rank, _), (their_rank, _) = LAYERS[mine], LAYERS[theirs]
    if mine == theirs or their_rank < my_rank:
        return None
    allowed = ", ".join(name for name, (rank, _) in LAYERS.items() if rank < my_rank)
    kind = "a sibling layer" if their_rank == my_rank else "a later layer"
    return (
        f"{imp.importer} ({mine}) imports {imp.imported} ({theirs}), {kind}: "
        f"{mine} may import only its own layer and {allowed or 'nothing else'}"
    )


@functools.cache
def all_imports() -> list[Import]:
    """Every import of a kkrsite module in the package's modules that have a layer, in order."""
    modules = package_modules()
    found = [
        imp
        for name, path in modules.items()
        if name in MODULES
        for imp in imports_in(
            path.read_text(encoding="utf-8"),
            name,
            path.relative_to(PACKAGE.parent).as_posix(),
            set(modules),
        )
    ]
    return sorted(found, key=lambda imp: (imp.file, imp.line, imp.imported))


# --- the rule ---------------------------------------------------------------------------------


def test_every_module_has_a_layer() -> None:
    unplaced = [
        f"{path.relative_to(PACKAGE.parent).as_posix()} ({name}) is in no layer: add it to "
        "the layer table (MODULES in tests/test_architecture.py)"
        for name, path in package_modules().items()
        if name not in MODULES
    ]
    assert not unplaced, "\n".join(unplaced)


def test_the_layer_table_names_only_modules_that_exist() -> None:
    existing = package_modules()
    gone = [
        f"{name}: no such module; remove it from MODULES"
        for name in MODULES
        if name not in existing
    ]
    assert not gone, "\n".join(gone)
    assert set(MODULES.values()) <= set(LAYERS), set(MODULES.values()) - set(LAYERS)


def test_imports_follow_the_pipeline() -> None:
    problems = []
    seen_exceptions = set()
    for imp in all_imports():
        why = against_the_direction(imp)
        if why is None:
            continue
        if (imp.importer, imp.imported) in KNOWN_EXCEPTIONS:
            seen_exceptions.add((imp.importer, imp.imported))
            continue
        problems.append(f"{imp.file}:{imp.line}: `{imp.statement}`: {why}")
    assert not problems, "imports against the pipeline's direction:\n" + "\n".join(problems)
    fixed = KNOWN_EXCEPTIONS - seen_exceptions
    assert not fixed, f"no longer imported, remove from KNOWN_EXCEPTIONS: {sorted(fixed)}"


def test_the_package_is_read_at_all() -> None:
    """The walk finds the imports the pipeline is known to have (a broken walk finds none)."""
    pairs = {(imp.importer, imp.imported) for imp in all_imports()}
    assert ("kkrsite.model.assemble", "kkrsite.read") in pairs
    assert ("kkrsite.cli", "kkrsite.build") in pairs
    # `from kkrsite.model import schema` names the module, not the package
    assert ("kkrsite.model.assemble", "kkrsite.model.schema") in pairs


# --- the check can fail -----------------------------------------------------------------------

KNOWN = set(MODULES)


@pytest.mark.parametrize(
    ("importer", "source", "line", "expected"),
    [
        (
            "kkrsite.read",
            "import os\n\ndef f():\n    from kkrsite.render import Renderer\n",
            4,
            "kkrsite.read (read) imports kkrsite.render (render), a later layer: "
            "read may import only its own layer and base",
        ),
        (
            "kkrsite.render",
            "from kkrsite import calendars, dates\n",
            1,
            "kkrsite.render (render) imports kkrsite.calendars (writers), a sibling layer: "
            "render may import only its own layer and base, read, model, routes, html",
        ),
        (
            "kkrsite.model.entities",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..routes import Page\n",
            3,
            "kkrsite.model.entities (model) imports kkrsite.routes (routes), a later layer: "
            "model may import only its own layer and base, read",
        ),
        (
            "kkrsite.errors",
            "import kkrsite.nowhere\n",
            1,
            "imports kkrsite.nowhere, which is in no layer: add it to the layer table",
        ),
    ],
)
def test_an_import_against_the_direction_is_named(
    importer: str, source: str, line: int, expected: str
) -> None:
    file = importer.replace(".", "/") + ".py"
    found = [imp for imp in imports_in(source, importer, file, KNOWN) if against_the_direction(imp)]
    assert [against_the_direction(imp) for imp in found] == [expected]
    assert (found[0].file, found[0].line) == (file, line)


def test_imports_along_the_direction_pass() -> None:
    source = "from kkrsite.errors import Problem\nfrom kkrsite.model import entities\nimport kkrsite.urls\n"
    found = imports_in(source, "kkrsite.render", "kkrsite/render.py", KNOWN)
    assert [imp.imported for imp in found] == [
        "kkrsite.errors",
        "kkrsite.model.entities",
        "kkrsite.urls",
    ]
    assert [against_the_direction(imp) for imp in found] == [None, None, None]
