"""The pipeline, in order: read → model → routes → render → write.

`load` runs the first three steps (all `check` needs); `render` makes every
page and generated file, and `copies` names the files published as they are;
kkrsite/builder.py writes them (making only what changed). Each step collects
its problems; the build stops before writing if there is any, so build/ is only
ever replaced by a whole, valid site.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kkrsite.config import Options
from kkrsite.errors import ContentError, UsageError
from kkrsite.jobs import plan_jobs
from kkrsite.model.assemble import assemble
from kkrsite.model.entities import Site, entry_kinds
from kkrsite.model.reuse import ModelMemo
from kkrsite.outfolder import check_output
from kkrsite.pages import EntryPages
from kkrsite.read import Attachment, read_content
from kkrsite.render import Renderer, template_dirs
from kkrsite.routes import plan
from kkrsite.siteplan import Plan
from kkrsite.sourcefile import ParseMemo, SeenFiles
from kkrsite.templatefolders import read_templates
from kkrsite.urls import ASSETS_PREFIX, FILES_PREFIX
from kkrsite.workers import make_all


@dataclass(frozen=True)
class Loaded:
    """A valid content set, modelled and routed: everything before rendering."""

    site: Site
    plan: Plan
    attachments: Mapping[str, Attachment]
    """Files under files/ that may be published, as the read step found them."""
    assets: Mapping[str, Path]
    """Files of the templates' static/ folders, by path under static/."""


@dataclass
class Memos:
    """What a Builder kept between builds remembers (`kkrsite serve` keeps one)."""

    parsed: ParseMemo = field(default_factory=dict)
    """Parsed files by their bytes (see `read_content`)."""
    seen: SeenFiles | None = field(default_factory=SeenFiles)
    """The files read last time, by how they looked on disk."""
    models: ModelMemo | None = field(default_factory=ModelMemo)
    """The entities built from them (see kkrsite/model/reuse.py)."""
    entry_pages: EntryPages | None = field(default_factory=EntryPages)
    """The entries' pages, by entry."""


def load(options: Options, memos: Memos | None = None) -> Loaded:
    """Read, model and route the content; raises ContentError listing every problem.

    With `memos`, what was read and built before from the same files is reused.
    """
    _check_folders(options)
    tree, problems = read_content(
        options.content,
        entry_kinds(),
        memos.parsed if memos else None,
        memos.seen if memos else None,
    )
    assets, template_problems = read_templates(template_dirs(options.templates))
    problems += template_problems
    site, model_problems = assemble(tree, options, memos.models if memos else None)
    problems += model_problems
    planned = None
    if site is not None:
        planned, route_problems = plan(site, memos.entry_pages if memos else None)
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
    renderer = Renderer(template_dirs(options.templates), loaded.plan.view)
    files: dict[str, bytes] = {}
    found = make_all(renderer, plan_jobs(loaded.site, loaded.plan, renderer, ""), files.__setitem__)
    if found.problems:
        raise ContentError(found.problems)
    return Rendered(files, used_attachments(loaded, found.linked))


def used_attachments(loaded: Loaded, linked: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    """The attachments published: those documents and photos name, and those bodies link."""
    bodies = {file for files in linked.values() for file in files}
    return frozenset(loaded.site.files_used() | (bodies & loaded.attachments.keys()))


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
