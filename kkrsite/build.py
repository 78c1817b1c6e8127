"""The pipeline, in order: read → model → routes → render → write.

`load` runs the first three steps (all `check` needs); `build` renders and
writes. Each step collects its problems; the build stops before writing if
there is any, so build/ is only ever replaced by a whole, valid site.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kkrsite.config import Options
from kkrsite.errors import ContentError, UsageError
from kkrsite.model.assemble import assemble
from kkrsite.model.entities import Site
from kkrsite.read import read_content
from kkrsite.render import Renderer, render_site, template_dirs
from kkrsite.routes import ASSETS_PREFIX, FILES_PREFIX, Plan, plan
from kkrsite.write import write_site


@dataclass(frozen=True)
class Loaded:
    """A valid content set, modelled and routed: everything before rendering."""

    site: Site
    plan: Plan
    attachments: Mapping[str, int]
    """Files under files/, as the read step found them."""


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the summary line."""

    pages: int
    """HTML pages rendered."""
    others: int
    """Feeds, calendars, data files, sitemap and robots.txt."""
    files: int
    """Attachments and assets copied."""
    seconds: float


def load(options: Options) -> Loaded:
    """Read, model and route the content; raises ContentError listing every problem."""
    _check_folders(options)
    tree, problems = read_content(options.content)
    site, model_problems = assemble(tree, options)
    problems += model_problems
    planned = None
    if site is not None:
        planned, route_problems = plan(site)
        problems += route_problems
    if problems or site is None or planned is None:
        raise ContentError(problems)
    return Loaded(site, planned, tree.attachments)


def render(options: Options, loaded: Loaded) -> dict[str, bytes]:
    """Render every page and file in memory; raises ContentError for template faults."""
    renderer = Renderer(loaded.site, template_dirs(options.templates))
    rendered, problems = render_site(renderer, loaded.plan)
    if problems:
        raise ContentError(problems)
    return rendered


def build(options: Options) -> BuildResult:
    """Build the whole site into options.out, replacing it only if everything succeeded."""
    started = time.perf_counter()
    loaded = load(options)
    rendered = render(options, loaded)
    written = write_site(options.out, rendered, copies(options, loaded))
    pages = len(loaded.plan.pages)
    return BuildResult(
        pages, len(rendered) - pages, written - len(rendered), time.perf_counter() - started
    )


def copies(options: Options, loaded: Loaded) -> list[tuple[Path, str]]:
    """Files published as they are: attachments under /filer/, template assets under /assets/."""
    files = options.content / "files"
    found = [
        (files / rel, FILES_PREFIX.strip("/") + "/" + rel) for rel in sorted(loaded.attachments)
    ]
    assets: dict[str, Path] = {}
    for folder in reversed(template_dirs(options.templates)):  # the user's folder wins
        static = folder / "static"
        for path in sorted(static.rglob("*")) if static.is_dir() else ():
            if path.is_file() and not path.name.startswith(".") and path.name != "__init__.py":
                assets[path.relative_to(static).as_posix()] = path
    found += [(path, ASSETS_PREFIX.strip("/") + "/" + rel) for rel, path in sorted(assets.items())]
    return found


def _check_folders(options: Options) -> None:
    content, out = options.content.resolve(), options.out.resolve()
    if not content.is_dir():
        raise UsageError(
            f"no content folder at '{options.content}': run kkrsite in your site's folder, "
            "or name the folder with --content DIR"
        )
    if options.templates is not None and not options.templates.is_dir():
        raise UsageError(f"no templates folder at '{options.templates}': check --templates DIR")
    if out == content or content.is_relative_to(out) or out.is_relative_to(content):
        raise UsageError(
            f"the output folder '{options.out}' overlaps the content folder: choose another --out"
        )
    if options.templates is not None and out.is_relative_to(options.templates.resolve()):
        raise UsageError(
            f"the output folder '{options.out}' is inside the templates: choose another --out"
        )
    if out.exists() and not out.is_dir():
        raise UsageError(f"'{options.out}' is a file, not a folder: choose another --out")
