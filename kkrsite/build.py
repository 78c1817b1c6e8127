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

from kkrsite import calendars, feeds, opendata, sitemap
from kkrsite.config import Options
from kkrsite.errors import ContentError, UsageError
from kkrsite.model.assemble import assemble
from kkrsite.model.entities import Site, entry_kinds
from kkrsite.read import Attachment, read_content, read_templates
from kkrsite.render import Renderer, render_pages, template_dirs
from kkrsite.routes import Plan, plan
from kkrsite.urls import ASSETS_PREFIX, FILES_PREFIX
from kkrsite.write import check_output, write_site


@dataclass(frozen=True)
class Loaded:
    """A valid content set, modelled and routed: everything before rendering."""

    site: Site
    plan: Plan
    attachments: Mapping[str, Attachment]
    """Files under files/ that may be published, as the read step found them."""
    assets: Mapping[str, Path]
    """Files of the templates' static/ folders, by path under static/."""


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
    changed: frozenset[str] = frozenset()
    """Output files (paths relative to the output folder) this build wrote, changed or removed."""


def load(options: Options) -> Loaded:
    """Read, model and route the content; raises ContentError listing every problem."""
    _check_folders(options)
    tree, problems = read_content(options.content, entry_kinds())
    assets, template_problems = read_templates(template_dirs(options.templates))
    problems += template_problems
    site, model_problems = assemble(tree, options)
    problems += model_problems
    planned = None
    if site is not None:
        planned, route_problems = plan(site)
        problems += route_problems
    if problems or site is None or planned is None:
        raise ContentError(problems)
    return Loaded(site, planned, tree.attachments, assets)


@dataclass(frozen=True)
class Rendered:
    """Every page and generated file, and which attachments the site uses."""

    files: Mapping[str, bytes]
    """Output path → bytes."""
    attachments: frozenset[str]
    """Paths under files/ that published documents, photos and body links use."""


def render(options: Options, loaded: Loaded) -> Rendered:
    """Render the pages, then the feeds, calendars, open data and sitemap, in memory.

    Raises ContentError for template faults (and bodies over a limit): then the
    other writers are not run, since a feed would meet the same body again.
    """
    site, plan = loaded.site, loaded.plan
    renderer = Renderer(template_dirs(options.templates), plan.view)
    pages, problems = render_pages(renderer, plan.pages)
    if problems:
        raise ContentError(problems)
    links = renderer.links
    files = {
        **pages,
        **feeds.write_feeds(plan.feeds, links, renderer.feed_html, site.config),
        **calendars.write_calendars(plan.calendars, links),
        **opendata.write_data_files(plan.data, site, links),
        **sitemap.write_sitemap_files(plan, links),
    }
    used = site.files_used() | (renderer.linked_files & loaded.attachments.keys())
    return Rendered(files, frozenset(used))


def build(options: Options) -> BuildResult:
    """Build the whole site into options.out, replacing it only if everything succeeded."""
    started = time.perf_counter()
    loaded = load(options)
    rendered = render(options, loaded)
    written = write_site(options.out, rendered.files, copies(loaded, rendered.attachments))
    pages, generated = len(loaded.plan.pages), len(rendered.files)
    return BuildResult(pages, generated - pages, written - generated, time.perf_counter() - started)


class Builder:
    """Builds one site again and again into its output folder (`kkrsite serve` keeps one).

    `build()` raises ContentError or UsageError like `build()` and then leaves the
    output folder as it was; its result names the output files that changed.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        self._previous: dict[str, bytes] = {}

    def build(self) -> BuildResult:
        """Build the site again; only the output files that changed are reported."""
        started = time.perf_counter()
        loaded = load(self.options)
        rendered = render(self.options, loaded)
        files = copies(loaded, rendered.attachments)
        written = write_site(self.options.out, rendered.files, files)
        now = dict(rendered.files)
        for source, rel in files:
            now[rel] = source.read_bytes()
        changed = {rel for rel, data in now.items() if self._previous.get(rel) != data}
        changed |= self._previous.keys() - now.keys()
        self._previous = now
        pages, generated = len(loaded.plan.pages), len(rendered.files)
        return BuildResult(
            pages,
            generated - pages,
            written - generated,
            time.perf_counter() - started,
            frozenset(changed),
        )


def copies(loaded: Loaded, used: frozenset[str]) -> list[tuple[Path, str]]:
    """Files published as they are: attachments under /filer/, template assets under /assets/.

    Only the attachments in `used` are published: a draft's PDF, or a file nothing
    names, stays unpublished at its guessable address.
    """
    found = [
        (attachment.path, FILES_PREFIX.strip("/") + "/" + rel)
        for rel, attachment in loaded.attachments.items()
        if rel in used
    ]
    found += [(path, ASSETS_PREFIX.strip("/") + "/" + rel) for rel, path in loaded.assets.items()]
    return found


def unused_attachments(loaded: Loaded, used: frozenset[str]) -> list[Path]:
    """Files under files/ outside `used`: nothing published names them, so they are not."""
    return [a.path for rel, a in loaded.attachments.items() if rel not in used]


def _check_folders(options: Options) -> None:
    """Refuse missing input folders, and an output folder a build must never replace."""
    if not options.content.is_dir():
        raise UsageError(
            f"no content folder at '{options.content}': run kkrsite in your site's folder, "
            "or name the folder with --content DIR"
        )
    if options.templates is not None and not options.templates.is_dir():
        raise UsageError(f"no templates folder at '{options.templates}': check --templates DIR")
    # What lies in the output folder, and links on its way, are checked under the build's
    # lock when it is written (write_site): `check` never writes, so they do not matter here.
    check_output(options.out, options.content, options.templates)
