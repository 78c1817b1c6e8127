"""The Jinja environment templates run in: templates arrive by pull request, like content.

Jinja's sandbox hides private attributes (`__globals__`, …). On top of it a
template may call only its macros, the functions kkrsite registers, Jinja's own
helpers, and methods of plain values and of the model (which does no I/O) —
never a method of a path or of anything that reaches the file system or the
environment. Templates are loaded without following links, a page that takes
longer than PAGE_SECONDS to render is stopped, and the operations that make a
value of any size from a small template (`'a' * 10**9`, `'%0999999999d'|format`)
are bounded.

Every attribute, item and call a template makes goes through the checks below; a
page makes thousands. Jinja's attribute rule looks only at the object's type and
the attribute's name, and the callable rule only at what a method is bound to and
its function, so each decision is made once per type and name and then looked up.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import re
import signal
import threading
import types
from collections import ChainMap
from collections.abc import Callable, Iterator, KeysView, MutableMapping
from pathlib import Path, PurePath
from types import FrameType
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.runtime import Macro
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
_METHODS = (types.MethodType, types.BuiltinMethodType)
"""What Jinja's `wrap_str_format` looks at (`'{}'.format` is wrapped, never returned bare)."""
_DECISIONS = 10_000
"""Decisions kept per environment: a site's templates need a few hundred."""
_EVAL_CONTEXT = getattr(jinja2.pass_eval_context(lambda: None), "jinja_pass_arg", None)
"""How Jinja marks a callable that takes the evaluation context first."""
_SHORTCUTS = (
    jinja2.__version__.startswith("3.1.")
    and _EVAL_CONTEXT is not None
    and getattr(Macro.__call__, "jinja_pass_arg", None) is _EVAL_CONTEXT
)
"""Whether `getattr` and `call` below may take their shortcuts: they repeat the steps of
Jinja 3.1's own, which another version may change (then Jinja's are used, just slower)."""


class Sandbox(SandboxedEnvironment):
    """A sandboxed environment whose callables are allow-listed (see the module docstring)."""

    intercepted_binops = frozenset(("*", "**"))

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        del self.globals["lipsum"]  # Lorem ipsum of any length: no page needs it
        self.filters.update(center=_padding_filter("center"), indent=_indent, format=_format)
        self._allowed: dict[int, Callable[..., object]] = {}
        """kkrsite's and Jinja's globals by id, kept so that no other object takes the id."""
        self._direct: dict[int, Callable[..., object]] = {}
        """Those of them `Context.call` would call as they are (no context passed)."""
        self._safe_attributes: dict[tuple[type, str], bool] = {}
        self._safe_methods: dict[tuple[type, type, object], bool] = {}

    def allow(self, *functions: object) -> None:
        """Let templates call these objects (kkrsite's globals), besides Jinja's own."""
        builtin = (v for v in self.globals.values() if callable(v))
        allowed = [f for f in (*functions, *builtin) if callable(f)]
        # Jinja's own rule (no `unsafe_callable`, no `alters_data`) is applied here once:
        # a function's attributes do not change while a site renders.
        jinja_rule = super().is_safe_callable
        self._allowed = {id(f): f for f in allowed if jinja_rule(f)}
        self._direct = {key: f for key, f in self._allowed.items() if _called_as_is(f)}
        self._safe_methods = {}

    def is_safe_callable(self, obj: Any) -> bool:
        if self._allowed.get(id(obj)) is obj or type(obj) is Macro:
            return True  # a Macro has no `unsafe_callable` or `alters_data` to refuse it by
        key = _method_key(obj)
        if key is None:
            return self._callable(obj)
        safe = self._safe_methods.get(key)
        if safe is None:
            safe = self._callable(obj)
            if len(self._safe_methods) < _DECISIONS:
                self._safe_methods[key] = safe
        return safe

    def _callable(self, obj: Any) -> bool:
        """The rule for anything but an allowed global or a macro."""
        if not super().is_safe_callable(obj):
            return False
        owner = getattr(obj, "__self__", None)
        if owner is None or isinstance(owner, (PurePath, type)) or inspect.ismodule(owner):
            return False
        if isinstance(owner, str) and getattr(obj, "__name__", "") in _PADDING:
            return False
        module = type(owner).__module__
        return isinstance(owner, _PLAIN_VALUES) or module.startswith(("kkrsite.model", "jinja2"))

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's rule (no `_name`, no function or frame internals), once per type and name."""
        key = (type(obj), attr)
        safe = self._safe_attributes.get(key)
        if safe is None:
            safe = super().is_safe_attribute(obj, attr, value)
            if len(self._safe_attributes) < _DECISIONS:
                self._safe_attributes[key] = safe
        return safe

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's sandboxed `obj.attribute`, step for step, with the checks looked up."""
        if not _SHORTCUTS:
            return super().getattr(obj, attribute)
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        if isinstance(value, _METHODS):
            wrapped = self.wrap_str_format(value)
            if wrapped is not None:
                return wrapped
        safe = self._safe_attributes.get((type(obj), attribute))
        if safe is None:
            safe = self.is_safe_attribute(obj, attribute, value)
        return value if safe else self.unsafe_undefined(obj, attribute)

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Jinja's sandboxed call; macros and kkrsite's functions are called without the checks.

        Those are what `SandboxedEnvironment.call` and `Context.call` would do for them,
        decided in advance: both are safe, and neither takes the context.
        """
        if type(obj) is Macro and _SHORTCUTS:
            args = (context.eval_ctx, *args)  # Macro.__call__ is marked pass_eval_context
        elif self._direct.get(id(obj)) is not obj or not _SHORTCUTS:
            return super().call(context, obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return obj(*args, **kwargs)
        except StopIteration:
            return self.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """Jinja's globals of a template (its own over the environment's), as `_Globals`."""
        return _Globals({} if d is None else d, self.globals)

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


class _Globals(ChainMap[str, Any]):
    """Jinja's ChainMap of a template's globals, whose key set is compared at C speed.

    Jinja compares the keys of two templates' globals at every `{% import %}`, three
    times a page; a ChainMap's own keys view tests each key in Python.
    """

    def keys(self) -> KeysView[str]:
        """The keys as they are now (Jinja takes a set difference and lets go of it)."""
        merged: dict[str, Any] = {}
        for mapping in reversed(self.maps):
            merged.update(mapping)
        return merged.keys()


def _method_key(obj: Any) -> tuple[type, type, object] | None:
    """What the callable rule looks at in a bound method: its type, its owner's type, its function.

    A built-in method (`'a'.split`) has no attributes of its own to mark it unsafe
    with, so its name stands for its function. Anything else is not looked up.
    """
    kind = type(obj)
    if kind is types.MethodType:
        return (kind, type(obj.__self__), obj.__func__)
    if kind is types.BuiltinMethodType:
        return (kind, type(obj.__self__), obj.__name__)
    return None


def _called_as_is(function: Callable[..., object]) -> bool:
    """Whether Jinja's `Context.call` passes `function` nothing but the template's arguments.

    It passes the context, the evaluation context or the environment first to a callable
    (or a callable's `__call__`) that a `jinja2.pass_…` decorator marked.
    """
    call = getattr(function, "__call__", None)  # noqa: B004 - as Context.call looks
    return (
        getattr(function, "jinja_pass_arg", None) is None
        and getattr(call, "jinja_pass_arg", None) is None
    )


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
