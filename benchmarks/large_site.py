"""Build a synthetic site of N entries and report the time and peak memory of each step.

    python benchmarks/large_site.py --entries 4000

The synthetic site reuses content/'s site, topics, people and regions, and adds
meetings, columns and publications with Markdown bodies of realistic length.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import tempfile
import time
from pathlib import Path

from kkrsite.build import copies, load, render
from kkrsite.config import Options
from kkrsite.write import write_site

REPO = Path(__file__).resolve().parent.parent
BODY = (
    "## Dagsorden\n\nKKR drøftede *udviklingsstrategien* og "
    "[styringsaftalen](https://www.kl.dk/).\n\n"
    "| Punkt | Beslutning |\n|---|---|\n| 1 | Godkendt |\n| 2 | Taget til efterretning |\n\n"
    + "Kommunerne i regionen samarbejder om de specialiserede tilbud. " * 12
    + "\n"
)


def generate(root: Path, entries: int) -> None:
    """Write a content set with `entries` Markdown entries under root."""
    skip = shutil.ignore_patterns("columns", "publications", "meetings")
    shutil.copytree(REPO / "content", root, ignore=skip)
    regions = sorted(p.name for p in (root / "kkr").iterdir())
    start = dt.date(2008, 1, 1)
    for i in range(entries):
        day = start + dt.timedelta(days=i % 3000)
        kind = i % 3
        if kind == 0:
            folder = root / "kkr" / regions[i % len(regions)] / "meetings"
            name, front = (
                f"{day.isoformat()}-m{i}.md",
                "topics: [socialomraadet]\nagenda:\n  - Budget\n",
            )
        elif kind == 1:
            folder = root / "columns"
            name = f"{day.isoformat()}-klumme-{i}.md"
            front = f"title: Klumme {i}\nauthors: [kjeld-hansen]\n"
        else:
            folder = root / "publications"
            name, front = f"{day.isoformat()}-notat-{i}.md", f"title: Notat {i}\nkind: notat\n"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(
            f"---\n{front}summary: Et resumé.\n---\n{BODY}", encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=4000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        generate(content, args.entries)
        options = Options(content=content, out=Path(tmp) / "build", today=dt.date(2016, 12, 31))
        t0 = time.perf_counter()
        loaded = load(options)
        t1 = time.perf_counter()
        rendered = render(options, loaded)
        t2 = time.perf_counter()
        write_site(options.out, rendered.files, copies(loaded, rendered.attachments))
        t3 = time.perf_counter()
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{args.entries} entries, {len(rendered.files)} files")
        print(
            f"read+model+routes {t1 - t0:.2f} s, render {t2 - t1:.2f} s, "
            f"write {t3 - t2:.2f} s, total {t3 - t0:.2f} s"
        )
        print(f"peak resident memory {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
