"""Builds a site into its output folder, again and again, making only what changed.

`build` (and `kkrsite serve`'s kept `Builder`) runs the pipeline of
kkrsite/build.py, then writes the site: in place, file by file, when the build
cache says which files changed, else whole through a staging folder.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kkrsite import cache
from kkrsite.build import Loaded, Memos, copies, load, used_attachments
from kkrsite.cache import State, Written, file_stat, marker_stat
from kkrsite.config import Options
from kkrsite.errors import ContentError
from kkrsite.jobs import Job, copy_key, page_job, plan_jobs, salt
from kkrsite.outfolder import MARKER
from kkrsite.render import Renderer, template_dirs, template_sources
from kkrsite.siteplan import SiteView
from kkrsite.sourcefile import ParsedFile
from kkrsite.urls import url_of
from kkrsite.workers import make_all, workers_for
from kkrsite.write import staged_site, update_site

FIRST_PAGES_MAX = 10
"""Entries modelled anew, at most, for their pages to be written first (a save, not a checkout)."""


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
    made: int = 0
    """Pages and files made this time; the others were current already."""


def build(options: Options, clean: bool = False) -> BuildResult:
    """Build the site into options.out, redoing only what changed since the last build.

    The output folder is replaced whole (or updated in place, file by file, when the
    build cache says which files changed) only if everything succeeded.
    """
    return Builder(options, clean=clean, keep=False).build()


class Builder:
    """Builds one site again and again into its output folder (`kkrsite serve` keeps one).

    Each build makes only the files whose key changed (see kkrsite/jobs.py) and
    writes only the files whose bytes changed; the first build of a Builder starts
    from the build cache beside the output folder, unless `clean`. When most files
    changed, or nothing is known about the output folder, the whole site is made
    (over the machine's cores) into a staging folder and swapped in. `build()`
    raises ContentError or UsageError and then leaves the output folder as it was.
    """

    def __init__(
        self,
        options: Options,
        clean: bool = False,
        progress: Callable[[int, int], None] | None = None,
        first: Callable[[frozenset[str]], None] | None = None,
        keep: bool = True,
    ) -> None:
        self.options = options
        self.salt = salt(options)
        self.progress = progress
        """Called with (files made, files to make) while a whole site is made."""
        self.first = first
        """Called with the pages of the entries just edited, written before the rest of the
        build (see `_first_pages`); `kkrsite serve` reloads them at once. A Builder given
        one builds only when told of a change, so it never looks for a build with
        nothing to do (`input_digest`)."""
        self.warnings: list[str] = []
        """Things the last build could not do that did not stop it (an unreadable cache)."""
        self._renderer: Renderer | None = None
        self._templates: bytes | None = None
        self._state: State | None = None
        self.keep = keep
        """Whether what one build read and worked out is kept for the next. A Builder for
        one build (`kkrsite build`) keeps only the parsed files, for the build cache, and
        lets go of the digests before its workers start: memory, on a large site."""
        self._parsed = _ParsedFiles()
        self._memos = (
            Memos(parsed=self._parsed)
            if keep
            else Memos(parsed=self._parsed, seen=None, models=None, entry_pages=None)
        )
        self._parsed_loaded = False
        self._parsed_known: set[bytes] = set()
        """The parsed files the build cache holds (when it was trusted)."""
        self._inputs = ""
        if clean:
            cache.forget(options.out)
        else:
            marker = marker_stat(options.out / MARKER)
            self._state, warning = cache.load_state(options.out, self.salt, marker)
            self.warnings += [warning] if warning else []

    def build(self) -> BuildResult:
        """Build the site again; the result names the output files that changed."""
        started = time.perf_counter()
        state = self._trusted_state()
        # A preview builds when its watcher saw a change: the look of every file, taken
        # to find a build with nothing to do, would only delay it ("" matches no look).
        inputs = "" if self.first is not None else input_digest(self.options)
        if state is not None and inputs and state.inputs == inputs and self._intact(state):
            # Not a file read changed since the last build, and its output is untouched.
            self._inputs = inputs
            pages, others, files = state.counts
            seconds = time.perf_counter() - started
            return BuildResult(pages, others, files, seconds, frozenset(), 0)
        if state is not None and not self._parsed_loaded:
            self._parsed.update(cache.load_parsed(self.options.out))
            self._parsed_known = set(self._parsed)
        self._parsed_loaded = True
        self._inputs = inputs
        loaded = load(self.options, self._memos)
        renderer = self._renderer_for(loaded.plan.view)
        renderer.digests.next_build()
        if state is not None and self.first is not None:
            state = self._first_pages(loaded, renderer, state)
        jobs = plan_jobs(loaded.site, loaded.plan, renderer, self.salt)
        if state is not None:
            stale = self._stale(jobs, state.outputs)
            # In place, unless most files changed and the cores can make them faster whole.
            if len(stale) <= len(jobs) // 2 or workers_for(len(stale)) == 1:
                result = self._update(loaded, renderer, jobs, stale, state)
                if result is not None:
                    return replace(result, seconds=time.perf_counter() - started)
        result = self._build_whole(loaded, renderer, jobs)
        return replace(result, seconds=time.perf_counter() - started)

    def _update(
        self, loaded: Loaded, renderer: Renderer, jobs: list[Job], stale: list[Job], state: State
    ) -> BuildResult | None:
        """Make the stale files and update the output folder in place; None if it cannot be."""
        out, before = self.options.out, state.outputs
        made: dict[str, bytes] = {}
        found = make_all(renderer, stale, made.__setitem__)
        if found.problems:
            raise ContentError(found.problems)
        linked = {j.path: before[j.path].files for j in jobs if j.page and j.path in before}
        linked |= found.linked
        files = copies(loaded, used_attachments(loaded, linked))
        keys = self._keys(jobs, files)
        stale_copies = [
            (source, rel)
            for source, rel in files
            if not _unchanged(before.get(rel), keys[rel], out / rel)
        ]
        removed = before.keys() - keys.keys()
        written = _to_write(out, made, before)
        changed = written.keys() | {rel for _, rel in stale_copies} | removed
        # With nothing changed the folder stays exactly as it is, marker and all.
        if changed and not update_site(out, written, stale_copies, removed):
            return None
        result = self._result(loaded, jobs, files, frozenset(changed), len(made))
        self._state = self._record(keys, linked, result, state.outputs)
        return result

    def _first_pages(self, loaded: Loaded, renderer: Renderer, state: State) -> State:
        """Write the pages of the entries this build modelled anew, before everything else.

        An editor looks at the page of the entry they save: it is made and written (in
        place, as `_update` does) as soon as the site is planned, and `self.first` is told.
        The rest of the build then finds those pages current. Only for a few entries
        whose own files changed (a save, not a checkout, nor a change to a file every
        entry depends on), and only if their pages render: a problem is left for the
        whole build to report.
        """
        models = self._memos.models
        fresh = models.fresh if models is not None else None
        if not fresh or len(fresh) > FIRST_PAGES_MAX or self.first is None:
            return state
        urls = {url_of(entry) for entry in fresh}
        view = renderer.digests.of(loaded.plan.view)
        out, before = self.options.out, state.outputs
        pages = [page for page in loaded.plan.pages if page.url in urls]
        jobs = self._stale([page_job(page, view, renderer, self.salt) for page in pages], before)
        made: dict[str, bytes] = {}
        found = make_all(renderer, jobs, made.__setitem__)
        if not made or found.problems:
            return state
        written = _to_write(out, made, before)
        if written and not update_site(out, written, [], []):
            return state
        outputs = dict(before)
        for job in jobs:
            if (seen := file_stat(out / job.path)) is not None:
                outputs[job.path] = Written(job.key, seen, found.linked.get(job.path, ()))
        if written:
            self.first(frozenset(written))
        return replace(state, outputs=outputs)

    def _build_whole(self, loaded: Loaded, renderer: Renderer, jobs: list[Job]) -> BuildResult:
        """Make every file into a staging folder, over the cores, and swap it in."""
        total = len(jobs)
        progress = self.progress
        if not self.keep:
            renderer.digests.forget()  # the keys are made; the workers need none of it
        with staged_site(self.options.out) as staging:
            found = make_all(
                renderer,
                jobs,
                staging.write,
                workers_for(total),
                (lambda done: progress(done, total)) if progress else None,
            )
            if found.problems:
                raise ContentError(found.problems)
            files = copies(loaded, used_attachments(loaded, found.linked))
            for source, rel in files:
                staging.copy(source, rel)
            staging.publish()
        keys = self._keys(jobs, files)
        result = self._result(loaded, jobs, files, frozenset(keys), total)
        self._state = self._record(keys, found.linked, result, {})
        return result

    def _stale(self, jobs: list[Job], before: Mapping[str, Written]) -> list[Job]:
        """The jobs whose file is not in the output folder as the last build wrote it."""
        out = self.options.out
        return [
            job for job in jobs if not _unchanged(before.get(job.path), job.key, out / job.path)
        ]

    def _keys(self, jobs: list[Job], files: list[tuple[Path, str]]) -> dict[str, str]:
        """The key of every output file: each made file's, then each copied file's."""
        made = {job.path: job.key for job in jobs}
        return made | {rel: copy_key(self.salt, file_stat(source)) for source, rel in files}

    @staticmethod
    def _result(
        loaded: Loaded,
        jobs: list[Job],
        files: list[tuple[Path, str]],
        changed: frozenset[str],
        made: int,
    ) -> BuildResult:
        pages = len(loaded.plan.pages)
        return BuildResult(pages, len(jobs) - pages, len(files), 0.0, changed, made)

    def _renderer_for(self, view: SiteView) -> Renderer:
        """The Renderer of the last build, or a new one when a template changed."""
        dirs = template_dirs(self.options.templates)
        sources = template_sources(dirs)
        if self._renderer is None or sources != self._templates:
            self._renderer, self._templates = Renderer(dirs), sources
        self._renderer.use(view)
        return self._renderer

    def _trusted_state(self) -> State | None:
        """What the last build left, if the output folder is still exactly that build."""
        state = self._state
        if state is None or state.salt != self.salt:
            return None
        if marker_stat(self.options.out / MARKER) != state.marker:
            return None
        return state

    def _intact(self, state: State) -> bool:
        """Whether every file the last build wrote is still as it was written."""
        out = self.options.out
        return all(file_stat(out / rel) == w.stat for rel, w in state.outputs.items())

    def _record(
        self,
        keys: Mapping[str, str],
        linked: Mapping[str, tuple[str, ...]],
        result: BuildResult,
        before: Mapping[str, Written],
    ) -> State | None:
        """Note what is now in the output folder, in memory and in the build cache.

        `before` is what the last build left, when this one updated it in place: a
        file this build neither wrote nor found changed keeps its look on disk (this
        build compared it already), so only the rest are looked at again.
        """
        out = self.options.out
        marker = marker_stat(out / MARKER)
        if marker is None:
            return None
        outputs = {}
        for rel, key in keys.items():
            files = linked.get(rel, ())
            old = before.get(rel)
            if old is not None and old.key == key and rel not in result.changed:
                outputs[rel] = old if old.files == files else Written(key, old.stat, files)
            elif (seen := file_stat(out / rel)) is not None:
                outputs[rel] = Written(key, seen, files)
        counts = (result.pages, result.others, result.files)
        state = State(self.salt, marker, outputs, self._inputs, counts)
        used = self._parsed.take_used()
        # The cache file holds what the last build recorded, if it recorded anything.
        held = self._state.outputs if self._state is not None else None
        warning = cache.save_state(out, state, used, self._parsed_known, held)
        self._parsed_known = set() if warning else set(used)
        self.warnings += [warning] if warning else []
        return state


class _ParsedFiles(dict[bytes, ParsedFile]):
    """Parsed content files by digest, noting which ones a build used (those are kept)."""

    def __init__(self) -> None:
        super().__init__()
        self._used: set[bytes] = set()

    def get(self, key: bytes, default: Any = None) -> Any:
        self._used.add(key)
        return super().get(key, default)

    def __setitem__(self, key: bytes, value: ParsedFile) -> None:
        self._used.add(key)
        super().__setitem__(key, value)

    def take_used(self) -> dict[bytes, ParsedFile]:
        """The files used since the last call: the rest are of files changed since."""
        used = {key: self[key] for key in self._used if key in self}
        self._used = set()
        return used


def input_digest(options: Options) -> str:
    """How every file in the content and template folders looks on disk, and the date.

    Names, sizes, modification and change times and inodes, read without following a
    link: any edit, addition, removal or rename changes it.
    """
    h = hashlib.blake2b(str(options.today).encode(), digest_size=16)
    for folder in (options.content, *template_dirs(options.templates)):
        h.update(b"\0folder\0" + os.fsencode(folder))
        for top, dirs, names in os.walk(folder, followlinks=False):
            dirs.sort()
            for name in sorted(names + [d for d in dirs if os.path.islink(os.path.join(top, d))]):
                path = os.path.join(top, name)
                try:
                    info = os.lstat(path)
                except OSError:
                    continue
                h.update(
                    b"%s\0%d %d %d %d %d\n"
                    % (
                        os.fsencode(path),
                        info.st_mode,
                        info.st_size,
                        info.st_mtime_ns,
                        info.st_ctime_ns,
                        info.st_ino,
                    )
                )
    return h.hexdigest()


def _unchanged(before: Written | None, key: str, path: Path) -> bool:
    """Whether the file the last build wrote for this key is still there, untouched."""
    return before is not None and before.key == key and file_stat(path) == before.stat


def _to_write(
    out: Path, made: Mapping[str, bytes], before: Mapping[str, Written]
) -> dict[str, bytes]:
    """The files made whose bytes are not in the output folder already."""
    return {
        rel: data for rel, data in made.items() if not _same_bytes(out / rel, data, before.get(rel))
    }


def _same_bytes(path: Path, data: bytes, before: Written | None) -> bool:
    """Whether the file the last build wrote at `path` already holds `data`."""
    if before is None or file_stat(path) != before.stat or before.stat[0] != len(data):
        return False
    try:
        return path.read_bytes() == data
    except OSError:
        return False
