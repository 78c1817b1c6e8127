"""The Jinja environment templates run in: templates arrive by pull request, like content.

Jinja's sandbox hides private attributes (`__globals__`, …). On top of it a
template may call only its macros, the functions kkrsite registers, Jinja's own
helpers, and methods of plain values and of the model (which does no I/O) —
never a method of a path or of anything that reaches the file system or the
environment. Templates are loaded without following links, a page that takes
longer than PAGE_SECONDS to render is stopped, and the operations that make a
value of any size from a small template (`'a' * 10**9`, `'%0999999999d'|format`)
are bounded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import re
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from types import FrameType
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from kkrsite.errors import TemplateProblem
from kkrsite.safefs import link_problem, linked_component

PAGE_SECONDS = 10
"""The longest one page may take to render: the slowest real page takes milliseconds."""
MAX_VALUE = 1_000_000
"""The longest text or list a template may make by repetition or padding."""

_PLAIN_VALUES = (str, bytes, int, float, bool, tuple, list, dict, dt.date, dt.time, dt.timedelta)
_PADDING = frozenset(("center", "ljust", "rjust", "zfill", "expandtabs"))
"""str methods that make a text as long as a number says."""
_BIG_NUMBER = re.compile(r"[0-9]{7,}")


class Sandbox(SandboxedEnvironment):
    """A sandboxed environment whose callables are allow-listed (see the module docstring)."""

    intercepted_binops = frozenset(("*", "**"))

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        del self.globals["lipsum"]  # Lorem ipsum of any length: no page needs it
        self.filters.update(center=_padding_filter("center"), indent=_indent, format=_format)
        self._allowed: frozenset[int] = frozenset()

    def allow(self, *functions: object) -> None:
        """Let templates call these objects (kkrsite's globals), besides Jinja's own."""
        builtin = (v for v in self.globals.values() if callable(v))
        self._allowed = frozenset(id(f) for f in (*functions, *builtin) if callable(f))

    def is_safe_callable(self, obj: Any) -> bool:
        if not super().is_safe_callable(obj):
            return False
        if id(obj) in self._allowed or isinstance(obj, jinja2.runtime.Macro):
            return True
        owner = getattr(obj, "__self__", None)
        if owner is None or isinstance(owner, (PurePath, type)) or inspect.ismodule(owner):
            return False
        if isinstance(owner, str) and getattr(obj, "__name__", "") in _PADDING:
            return False
        module = type(owner).__module__
        return isinstance(owner, _PLAIN_VALUES) or module.startswith(("kkrsite.model", "jinja2"))

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "*":
            for times, value in ((left, right), (right, left)):
                sized = isinstance(times, int) and hasattr(value, "__len__")
                if sized and times * len(value) > MAX_VALUE:
                    raise SecurityError(f"a repeated value longer than {MAX_VALUE:,}")
        elif operator == "**" and isinstance(right, int) and abs(right) > 100:
            raise SecurityError("a power above 100")
        return super().call_binop(context, operator, left, right)


def _padding_filter(name: str) -> Callable[[str, int], str]:
    def pad(value: str, width: int = 80) -> str:
        if width > MAX_VALUE:
            raise SecurityError(f"{name} to a width over {MAX_VALUE:,}")
        return str(getattr(str(value), name)(width))

    return pad


def _indent(value: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    if isinstance(width, int) and width > 1000:
        raise SecurityError("an indent over 1,000")
    return str(jinja2.filters.do_indent(value, width, first, blank))


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    if _BIG_NUMBER.search(value):  # a width or precision of a million characters or more
        raise SecurityError("a format with a width or precision over 999,999")
    return str(jinja2.filters.do_format(value, *args, **kwargs))


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, checked against their source.

    Compiling the templates is most of a small build; a second build in the same process
    (the live preview, the tests) reuses them while their text is unchanged.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])  # ignored if the source changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


class NoLinkLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that refuses a template reached through a symbolic link."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        for folder in self.searchpath:
            link = linked_component(Path(folder, *split_template_path(template)), Path(folder))
            if link is not None:
                raise TemplateProblem(link_problem(link))
        return super().get_source(environment, template)


_TIMER = hasattr(signal, "setitimer")
"""Windows has no interval timer: pages render there without a deadline."""


class TooSlow(Exception):
    """A page took longer than PAGE_SECONDS to render (a loop in a template)."""


@contextlib.contextmanager
def deadline() -> Iterator[None]:
    """Raise TooSlow in the code running when PAGE_SECONDS have passed.

    Only the main thread receives signals; elsewhere (a live-preview thread) the
    page runs without a deadline.
    """
    if threading.current_thread() is not threading.main_thread() or not _TIMER:
        yield
        return

    seconds = PAGE_SECONDS

    def stop(signum: int, frame: FrameType | None) -> None:
        raise TooSlow(f"rendering took more than {seconds:g} s: is there a loop in the template?")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
