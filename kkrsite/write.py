"""Step 5, write: put the whole site in place at once, or not at all.

Everything is written to a temporary sibling of the output folder and swapped
in with renames only after every file is written, so a failed build leaves the
previous build/ exactly as it was, and a reader of build/ never sees half a site.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path


def write_site(out: Path, pages: Mapping[str, bytes], copies: Iterable[tuple[Path, str]]) -> int:
    """Write `pages` (path → bytes) and `copies` (source, path) as `out`; returns the file count."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    count = 0
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a published site is world-readable
        for rel, data in sorted(pages.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            count += 1
        for source, rel in copies:
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            count += 1
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _swap(staging: Path, out: Path) -> None:
    """Replace `out` with `staging` by two renames; put `out` back if the second fails."""
    if not out.exists():
        os.rename(staging, out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    retired.rmdir()  # only its unique name is wanted: rename needs the target not to exist
    os.rename(out, retired)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(retired, out)
        raise
    shutil.rmtree(retired, ignore_errors=True)
