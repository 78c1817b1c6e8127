"""Time each step of one in-process build of a synthetic site, or profile it.

    python benchmarks/large_site.py --entries 4000
    python benchmarks/large_site.py --entries 4000 --profile     # where the cpu goes

The site is generate.py's (same seed, same posts as compare.py). The steps are those of
kkrsite's pipeline (kkrsite/build.py): read + model + routes, render, write; so this
script follows that internal API, where compare.py only uses the command line.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import TODAY, generate

from kkrsite.build import copies, load, render
from kkrsite.config import Options
from kkrsite.write import write_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--profile", action="store_true", help="print the 30 functions with the most own time"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        gen = generate(Path(tmp) / "site", args.entries, args.seed)
        options = Options(content=gen.content, out=Path(tmp) / "build", today=TODAY)
        profile = cProfile.Profile() if args.profile else None
        if profile:
            profile.enable()
        t0 = time.perf_counter()
        loaded = load(options)
        t1 = time.perf_counter()
        rendered = render(options, loaded)
        t2 = time.perf_counter()
        write_site(options.out, rendered.files, copies(loaded, rendered.attachments))
        t3 = time.perf_counter()
        if profile:
            profile.disable()
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"{args.entries} entries, {len(rendered.files)} files")
        print(
            f"read+model+routes {t1 - t0:.2f} s, render {t2 - t1:.2f} s, "
            f"write {t3 - t2:.2f} s, total {t3 - t0:.2f} s"
            + (" (under cProfile, so slower)" if profile else "")
        )
        print(f"peak resident memory {peak_kb / 1024:.0f} MB")
        if profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
            print(out.getvalue())


if __name__ == "__main__":
    main()
