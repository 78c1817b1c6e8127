"""Making many output files at once, over the machine's cores.

Markdown and Jinja are CPU-bound Python, so a cold build forks worker processes:
each inherits the planned site and the Renderer (nothing is pickled on the way
in), makes every n-th job, writes each file straight into the staging folder,
and sends back only what the parent needs: the attachments each page links to,
and any problems. Where `fork` is missing, or the site is small, the same work
runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kkrsite.errors import MarkdownLimitError, Problem, TemplateProblem
from kkrsite.jobs import Job
from kkrsite.render import Renderer

Sink = Callable[[str, bytes], None]
"""Where a made file goes: (output path, bytes)."""

MIN_JOBS_PER_WORKER = 400
"""Below this many jobs a worker costs more to start than it saves."""


@dataclass
class Made:
    """What making a share of the jobs found."""

    linked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For each page made: the attachments under files/ its bodies link to."""
    problems: list[Problem] = field(default_factory=list)


def workers_for(jobs: int) -> int:
    """How many processes to make `jobs` files with: the cores, if there is work for them."""
    if sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, jobs // MIN_JOBS_PER_WORKER))


def make_all(
    renderer: Renderer,
    jobs: Sequence[Job],
    sink: Sink,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Made:
    """Make every job's file into `sink`; problems are collected, never raised.

    With more than one worker, the sink is called in the worker processes: it must
    write the file where the parent will find it (a staging folder), not keep it.
    """
    if workers <= 1:
        return _make_share(renderer, jobs, sink, progress)
    global _SHARED
    # The writers' files (a feed renders fifty bodies) go first, the pages after them, in
    # chunks the workers take as they come free: no worker is left with a heavy tail.
    jobs = [job for job in jobs if job.page is None] + [job for job in jobs if job.page]
    size = max(50, len(jobs) // (workers * 8))
    chunks = [(start, start + size) for start in range(0, len(jobs), size)]
    _SHARED = (renderer, jobs, sink)
    made = Made()
    seen: set[Problem] = set()
    # Objects that exist before the fork stay out of the collector's way in the workers:
    # a collection would touch every one, and each touched page of memory is copied.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_quiet_worker) as pool:
            for (_start, end), share in zip(chunks, pool.imap(_make_chunk, chunks), strict=True):
                made.linked.update(share.linked)
                # A body over a limit is met by its page and its feeds: say it once.
                for problem in share.problems:
                    if problem not in seen:
                        seen.add(problem)
                        made.problems.append(problem)
                if progress:
                    progress(end)
    finally:
        _SHARED = None
        gc.unfreeze()
    return made


_SHARED: tuple[Renderer, Sequence[Job], Sink] | None = None
"""What forked workers inherit: set just before the fork, cleared after."""


def _quiet_worker() -> None:
    """A worker leaves Ctrl-C to the parent (which stops the pool) and dies on SIGTERM
    quietly: it must not run the handlers it inherited (`kkrsite serve` has its own)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _make_chunk(chunk: tuple[int, int]) -> Made:
    assert _SHARED is not None, "a worker was started without work"
    renderer, jobs, sink = _SHARED
    try:
        return _make_share(renderer, jobs[chunk[0] : chunk[1]], sink, None)
    finally:
        # A worker's bodies are of its own chunks' pages: kept, they would hold every
        # body of the site in every worker by the end.
        renderer.forget_bodies()


def _make_share(
    renderer: Renderer,
    jobs: Sequence[Job],
    sink: Sink,
    progress: Callable[[int], None] | None,
) -> Made:
    """Make `jobs` in this process: pages first, then the writers' files.

    When a page fails, the writers are not run: a feed would meet the same body again.
    """
    made = Made()
    done = 0
    for job in jobs:
        if job.page is None:
            continue
        try:
            sink(job.path, renderer.render(job.page))
        except TemplateProblem as exc:
            made.problems.append(exc.problem)
        made.linked[job.path] = renderer.take_linked_files()
        done += 1
        if progress and done % 100 == 0:
            progress(done)
    if made.problems:
        return made
    for job in jobs:
        if job.make is None:
            continue
        try:
            sink(job.path, job.make())
        except MarkdownLimitError as exc:  # a body its page did not meet in this process
            made.problems.append(renderer.body_problem(exc))
    renderer.take_linked_files()  # a feed's bodies link what their pages link
    return made
