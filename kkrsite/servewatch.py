"""The preview's watcher: content and template folders, each watched on its own, until stopped.

watchfiles gives operating-system events (no polling): each folder is listed without
following a link, so a link in content/ never makes kkrsite watch (or walk) a folder
outside it. A burst of saves is one build; changes made during a build give one more
build after it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

from watchfiles._rust_notify import RustNotify

from kkrsite.config import Options
from kkrsite.errors import UsageError
from kkrsite.render import template_dirs
from kkrsite.safefs import linked_component, list_folder

WATCH_STEP_MS = 10
"""How often the watcher looks at the events it was sent: a save is seen within two steps,
and saves less than a step apart are one build."""
WATCH_MAX_MS = 400
"""The longest a stream of saves (a checkout, a copy) is waited for before building anyway."""
MODIFIED = 2
"""watchfiles' code for a change of an existing file or folder (1 is added, 3 deleted)."""
IDLE_MS = 1_000
"""How long nothing must change after a build before the preview tidies up (see serve.py)."""
MAX_WATCHED_FOLDERS = 5_000
"""Folders watched at most; a content set has a few dozen (a folder a kind a region)."""


class Watch:
    """A watcher of the content and template folders, made at once: saves from then on count."""

    def __init__(self, options: Options, warn: Callable[[str], None]) -> None:
        self.options = options
        self._warn = warn
        self._too_many_folders = False
        self._folders, self._watcher = self._watch_folders()

    def run(
        self,
        stop: threading.Event,
        build: Callable[[], None],
        idle: Callable[[], None] = lambda: None,
    ) -> None:
        """Build after each burst of changes until stopped; re-watch when folders come or go.

        A new watcher is made before the build that follows a change of folders, so a
        file saved in a new folder during that build is seen. `idle` is called once
        after a build when nothing changed for IDLE_MS. Ctrl-C raises KeyboardInterrupt.
        """
        wait_ms = IDLE_MS  # 0: until something changes
        try:
            while True:
                found = self._watcher.watch(WATCH_MAX_MS, WATCH_STEP_MS, wait_ms, stop)
                if found == "signal":
                    raise KeyboardInterrupt
                if found == "stop" or stop.is_set():
                    return
                if found == "timeout":
                    wait_ms = 0
                    idle()
                    continue
                if isinstance(found, str) or not any(_visible(path) for _, path in found):
                    continue
                # Only an addition or removal can bring or take a folder: a save of a file
                # in place (most saves) does not list thousands of files first.
                if any(change != MODIFIED for change, _ in found) and self._list() != self._folders:
                    self._watcher.close()
                    self._folders, self._watcher = self._watch_folders()
                build()
                wait_ms = IDLE_MS
        finally:
            self.close()

    def close(self) -> None:
        self._watcher.close()

    def _watch_folders(self) -> tuple[list[Path], RustNotify]:
        """The folders to watch and a watcher of them; listed again if one goes meanwhile."""
        for _attempt in range(10):
            folders = self._list()
            with contextlib.suppress(FileNotFoundError):
                return folders, _watcher(folders)
        raise UsageError(
            f"cannot watch '{self.options.content}': its folders keep disappearing while "
            "they are listed"
        )

    def _list(self) -> list[Path]:
        """Content and template folders and every folder in them, listed without links.

        A root reached through a link is watched only where the read step reads it: a
        link above the current folder is the user's own choice, one inside it is not.
        """
        roots = [self.options.content, *template_dirs(self.options.templates)]
        found: list[Path] = []
        stack = [r for r in roots if r.is_dir() and linked_component(r, Path.cwd()) is None]
        while stack and len(found) < MAX_WATCHED_FOLDERS:
            folder = stack.pop()
            found.append(folder)
            stack.extend(list_folder(folder).dirs)
        if stack and not self._too_many_folders:
            self._too_many_folders = True
            self._warn(
                f"kkrsite: warning: more than {MAX_WATCHED_FOLDERS:,} folders in the content "
                "and templates: only the first are watched; saves elsewhere are built with "
                "the next save in a watched folder"
            )
        return sorted(found)


def _watcher(folders: list[Path]) -> RustNotify:
    """A watcher of these folders, each on its own (no link followed, no folder walked).

    Operating-system events where there are any, else polling (watchfiles decides).
    watchfiles documents this Rust backend for direct use; its `watch()` generator
    makes its watcher only when first asked for changes, too late to see a save made
    during the build that follows a change of folders.
    """
    return RustNotify([str(f) for f in folders], False, False, 300, False, True)


def _visible(path: str) -> bool:
    """A change kkrsite reads: not a dot-file (editor swap files, which the read step skips)."""
    return not os.path.basename(path).startswith(".")
