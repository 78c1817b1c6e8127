"""The template sandbox decides as Jinja's own does, however often it is asked.

kkrsite's Sandbox takes shortcuts (each attribute and method decision made once per
type and name; macros and kkrsite's functions called without the checks): these tests
ask it the questions a hostile template would, twice, and compare its answers with
those of Jinja's plain SandboxedEnvironment. tests/test_hostile.py builds whole sites
with hostile templates.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment, unsafe
from markupsafe import Markup

import kkrsite.sandbox
from kkrsite.sandbox import Sandbox


@dataclass(frozen=True)
class Thing:
    name: str
    _secret: str = "hemmelig"
    # Names Jinja refuses on a class, a generator or a frame, harmless here.
    mro: str = "m"
    gi_frame: str = "g"
    f_locals: str = "l"

    def shout(self) -> str:
        return self.name.upper()


class _OwnCycler(jinja2.utils.Cycler):
    """Jinja's cycler, subclassed outside Jinja and the model: its methods are not for templates."""


def _generator() -> Iterator[int]:
    yield 1


def _function() -> None:
    """A function, whose code and globals a template must not reach."""


OBJECTS: dict[str, Callable[[], object]] = {
    "text": lambda: "abc",
    "markup": lambda: Markup("<b>{}</b>"),
    "date": lambda: dt.date(2011, 8, 29),
    "dict": lambda: {"name": "nøgle", "items": "værdi"},
    "list": lambda: [1, 2],
    "thing": lambda: Thing("kkr"),
    "function": lambda: _function,
    "code": lambda: _function.__code__,
    "method": lambda: Thing("kkr").shout,
    "class": lambda: str,
    "generator": _generator,
    "frame": lambda: sys._getframe(0),
    "path": lambda: Path("/etc"),
    "module": lambda: types,
    "undefined": lambda: jinja2.Undefined(name="x"),
}
NAMES = (
    "name",
    "upper",
    "replace",
    "format",
    "format_map",
    "isoformat",
    "year",
    "items",
    "append",
    "shout",
    "_secret",
    "__class__",
    "__globals__",
    "__code__",
    "__func__",
    "__self__",
    "mro",
    "gi_frame",
    "gi_code",
    "gi_running",
    "f_locals",
    "f_globals",
    "read_text",
    "parent",
    "popen",
    "nothing_by_this_name",
)


def _strict(env: type[SandboxedEnvironment]) -> SandboxedEnvironment:
    return env(undefined=jinja2.StrictUndefined)


def _outcome(env: SandboxedEnvironment, obj: object, name: str) -> tuple[str, object]:
    """What a template sees of `obj.name`: a value, a refusal, nothing, or an error."""
    try:
        value = env.getattr(obj, name)
    except Exception as exc:  # Undefined.anything fails at once
        return ("raises", type(exc))
    if isinstance(value, jinja2.Undefined):
        try:
            str(value)  # StrictUndefined: a refusal and a missing name fail differently
        except SecurityError:
            return ("refused", None)
        except jinja2.UndefinedError:
            return ("undefined", None)
    if isinstance(value, types.FunctionType) and hasattr(value, "__wrapped__"):
        # str.format comes wrapped in Jinja's sandboxed formatter, never bare.
        argument = {"0": "<i>"} if name == "format_map" else "<i>"
        try:
            return ("format", value(argument))
        except (TypeError, KeyError, IndexError, ValueError) as exc:
            return ("format", type(exc))
    return ("value", value)


@pytest.fixture(params=[True, False], ids=["shortcuts", "jinja's own steps"])
def shortcuts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run with the shortcuts, and as with a Jinja version they do not know."""
    monkeypatch.setattr(kkrsite.sandbox, "_SHORTCUTS", request.param)
    return bool(request.param)


@pytest.mark.parametrize("kind", sorted(OBJECTS))
def test_attributes_are_allowed_and_refused_as_jinja_does(kind: str, shortcuts: bool) -> None:
    ours, jinjas = _strict(Sandbox), _strict(SandboxedEnvironment)
    obj = OBJECTS[kind]()
    outcomes = set()
    for name in NAMES:
        expected = _outcome(jinjas, obj, name)
        outcomes.add(expected[0])
        for attempt in ("first", "again"):
            assert _outcome(ours, obj, name) == expected, (kind, name, attempt)
    assert outcomes & {"refused", "raises"}  # every kind has something to hide


@pytest.mark.parametrize("decisions", [10_000, 3], ids=["kept", "table full"])
def test_one_sandbox_answers_for_every_kind_as_jinja_does(
    decisions: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decision made for one type is never the answer for another."""
    monkeypatch.setattr(kkrsite.sandbox, "_DECISIONS", decisions)
    ours, jinjas = _strict(Sandbox), _strict(SandboxedEnvironment)
    objects = {kind: make() for kind, make in OBJECTS.items()}
    for kinds in (sorted(objects), sorted(objects, reverse=True)):
        for kind in kinds:
            for name in NAMES:
                expected = _outcome(jinjas, objects[kind], name)
                assert _outcome(ours, objects[kind], name) == expected, (kind, name)


def _render(env: jinja2.Environment, source: str, **context: Any) -> str:
    return env.from_string(source).render(**context)


def test_str_format_stays_out_of_reach(shortcuts: bool) -> None:
    """Templates format with the bounded `|format` filter; `str.format` reads attributes."""
    env = Sandbox()
    for _ in range(2):
        assert _render(env, "{{ '%s-%s'|format(1, 2) }}") == "1-2"
        with pytest.raises(SecurityError):
            _render(env, "{{ '{0.__class__.__mro__}'.format(x) }}", x="a")
        with pytest.raises(SecurityError):
            _render(env, "{{ '{0}'.format_map(d) }}", d={"0": "a"})


REFUSED: tuple[tuple[str, dict[str, Any]], ...] = (
    ("{{ c.next() }}", {"c": _OwnCycler(1, 2)}),
    ("{{ m.replace('/nonexistent-a', '/nonexistent-b') }}", {"m": __import__("os")}),
    ("{{ 'a'.ljust(10) }}", {}),
    ("{{ p.read_text() }}", {"p": Path("/etc/passwd")}),
    ("{{ p.joinpath('x') }}", {"p": Path("/etc")}),
    ("{{ m.getcwd() }}", {"m": __import__("os")}),
    ("{{ s.maketrans('a', 'b') }}", {"s": str}),
    ("{{ d.today() }}", {"d": dt.date}),
    ("{{ t.shout() }}", {"t": Thing("kkr")}),  # a method of a class outside the model
    ("{{ f() }}", {"f": _function}),  # a function that is no global
    ("{{ (cycler.__init__) }}", {}),
)


@pytest.mark.parametrize(("source", "context"), REFUSED)
def test_refused_calls_stay_refused_when_asked_again(
    source: str, context: dict[str, Any], shortcuts: bool
) -> None:
    env = Sandbox(undefined=jinja2.StrictUndefined)
    env.allow()
    assert _render(
        env,
        "{{ 'a,b'.split(',')|join('+') }} {{ d.isoformat() }} {{ 'a'.replace('a', 'b') }} "
        "{{ cycler(1, 2).next() }}",
        d=dt.date(2011, 8, 29),
    ) == ("a+b 2011-08-29 b 1")
    for _ in range(2):
        with pytest.raises(SecurityError):
            _render(env, source, **context)


def test_a_global_marked_unsafe_is_refused_though_allowed(shortcuts: bool) -> None:
    @unsafe
    def delete() -> str:
        return "slettet"

    env = Sandbox()
    env.globals["delete"] = delete
    env.allow(delete)
    for _ in range(2):
        with pytest.raises(SecurityError, match="is not safely callable"):
            _render(env, "{{ delete() }}")


def test_a_global_replaced_without_allow_is_refused(shortcuts: bool) -> None:
    env = Sandbox()
    env.globals["f"] = lambda: "tilladt"
    env.allow(env.globals["f"])
    assert _render(env, "{{ f() }}") == "tilladt"
    env.globals["f"] = lambda: "ny"
    with pytest.raises(SecurityError, match="is not safely callable"):
        _render(env, "{{ f() }}")


@jinja2.pass_context
def _from_context(context: jinja2.runtime.Context, name: str) -> object:
    return context.get(name)


@jinja2.pass_environment
def _from_environment(environment: jinja2.Environment) -> bool:
    return environment.sandboxed


@jinja2.pass_eval_context
def _autoescaping(eval_ctx: jinja2.nodes.EvalContext) -> bool:
    return eval_ctx.autoescape


class _Callable:
    @jinja2.pass_context
    def __call__(self, context: jinja2.runtime.Context) -> object:
        return context.get("x")


def _stops() -> None:
    raise StopIteration


PROGRAM = """\
{% macro item(x, sep=", ") -%}
<li>{{ x }}{{ sep }}{{ varargs|join("/") }}{{ kwargs|dictsort|join }}</li>
{%- endmacro %}
{% macro box(title) -%}
<div title="{{ title }}">{{ caller(title|upper) }}</div>
{%- endmacro %}
{% for x in items %}{{ item(x, "; ", 1, 2, k=loop.index) }}{% endfor %}
{% call(t) box("a<b") %}[{{ t }}]{% endcall %}
{% block main %}{% set y = 3 %}{{ item(y) }}{{ from_context("x") }}{% endblock %}
{{ from_context("x") }} {{ from_environment() }} {{ autoescaping() }} {{ callable_() }}
{{ stops() is undefined }} {{ plain("<") }} {{ range(3)|list }} {{ dict(a=1) }}
{{ "%s-%s"|format(1, 2) }} {{ 'x'.upper() }} {{ [1, 2].index(2) }}
"""


@pytest.mark.parametrize("autoescape", [True, False])
def test_macros_and_globals_are_called_as_jinja_calls_them(
    autoescape: bool, shortcuts: bool
) -> None:
    """Arguments, defaults, varargs, kwargs, caller, loops, blocks, context-taking globals."""
    functions = {
        "from_context": _from_context,
        "from_environment": _from_environment,
        "autoescaping": _autoescaping,
        "callable_": _Callable(),
        "stops": _stops,
        "plain": lambda s: s * 2,
    }
    outputs = []
    for env in (Sandbox(autoescape=autoescape), SandboxedEnvironment(autoescape=autoescape)):
        env.globals.update(functions)
        if isinstance(env, Sandbox):
            env.allow(*functions.values())
        outputs.append(_render(env, PROGRAM, items=["<x>", "y"], x=42))
    ours, jinjas = outputs
    assert ours == jinjas
    assert "<li>3, </li>42\n42 True" in ours  # a macro and the context inside a block
    assert "1-2 X 1" in ours


def test_template_globals_stay_with_their_template() -> None:
    env = Sandbox()
    own = env.from_string("{{ x }} {{ y }}", globals={"x": "egen"})
    env.globals["y"] = "fælles"  # added later: every template sees it
    assert own.render() == "egen fælles"
    assert "x" not in env.globals
    assert env.from_string("{{ x is defined }}").render() == "False"


def test_an_imported_template_runs_once_and_again_after_new_globals() -> None:
    """What base.html's footer relies on: imported, it is rendered once, with the globals."""
    runs: list[str] = []

    def note(name: str) -> str:
        runs.append(name)
        return name

    env = Sandbox(
        loader=jinja2.DictLoader(
            {
                "_part.html": "<footer>{{ note(site) }}</footer>",
                "page.html": '{% import "_part.html" as part %}{{ page }}:{{ part }}',
            }
        ),
        autoescape=True,
    )
    env.globals.update(note=note, site="A")
    env.allow(note)
    pages = [env.get_template("page.html").render(page=n) for n in ("1", "2", "3")]
    assert pages == [f"{n}:<footer>A</footer>" for n in ("1", "2", "3")]
    assert runs == ["A"]
    env.globals["site"] = "B"  # a new build of a live preview: the Renderer forgets its templates
    assert env.cache is not None
    env.cache.clear()
    assert env.get_template("page.html").render(page="1") == "1:<footer>B</footer>"
    assert runs == ["A", "B"]
