"""The checker and the composite field types: how raw YAML becomes clean values, or a message.

`Record.check` walks parsed YAML against a record's fields and returns clean
Python values, or reports each fault with the line of the offending key and a
way to fix it. The types of single values are in `values.py`; the records
themselves — the content format — are declared in `schema.py` and
`shared_schema.py`, each as a TypedDict whose keys carry a `Spec`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, get_type_hints, is_typeddict

from kkrsite.errors import Problem
from kkrsite.sourcefile import Source
from kkrsite.yamlfile import KeyPath

INVALID: Any = object()
"""Returned for a value that failed its check; the problem is already reported."""


@dataclass
class Checker:
    """Checks one source file, collecting problems; knows what references may name."""

    source: Source
    problems: list[Problem]
    people: Collection[str] = ()
    topics: Collection[str] | None = ()
    """None when topics.yaml could not be read: its problem is reported, uses are not."""
    regions: Collection[str] = ()
    attachments: Collection[str] = ()
    refused: Collection[str] = ()
    """Files under files/ that were refused (and reported): uses of them are not reported."""
    files_root: Path | None = None
    """The content's files/ folder, named in messages about missing attachments."""

    def report(self, path: KeyPath, message: str) -> Any:
        """Record a problem at the line of `path`; returns INVALID for convenience."""
        self.problems.append(Problem(self.source.path, self.source.line(*path), message))
        return INVALID


class Type:
    """A field's type: checks a raw YAML value and returns the clean one, or INVALID."""

    example = ""

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        raise NotImplementedError

    def wrong(self, value: Any, name: str, path: KeyPath, c: Checker, expected: str) -> Any:
        example = _example_suffix(self, name)
        return c.report(path, f"'{name}' must be {expected}{example}; it is {show(value)}")


def show(value: Any) -> str:
    """A raw value as a message quotes it."""
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (yes/no)"
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


@dataclass(frozen=True)
class ListOf(Type):
    """A list of values of one type (a single value is accepted as a list of one)."""

    item: Type
    non_empty: bool = False
    most: int = 200
    """The longest list accepted: every list item becomes output, so input must be bounded."""

    @property
    def example(self) -> str:  # type: ignore[override]
        return f"[{self.item.example}]" if self.item.example else ""

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        if value is None:
            values: list[Any] = []
        elif isinstance(value, list):
            values = value
        elif isinstance(value, dict):
            return self.wrong(value, name, path, c, "a list")
        else:
            values = [value]
        if self.non_empty and not values:
            return c.report(path, f"'{name}' must list at least one{_example_suffix(self, name)}")
        if len(values) > self.most:
            return c.report(
                path, f"'{name}' lists {len(values)} items; at most {self.most} are allowed here"
            )
        out = [self.item.check(v, name, (*path, i), c) for i, v in enumerate(values)]
        return INVALID if any(v is INVALID for v in out) else tuple(out)


def _example_suffix(t: Type, name: str) -> str:
    return f", e.g. `{name}: {t.example}`" if t.example else ""


@dataclass(frozen=True)
class Field:
    """One field of a record: its name, type, whether it must be given, and what it means."""

    name: str
    type: Type
    doc: str
    required: bool = False


T = TypeVar("T")


@dataclass(frozen=True)
class Record(Type, Generic[T]):
    """A group of named fields; unknown names are reported with the allowed ones.

    `T` is the TypedDict of its clean values (see `record`), so code that reads
    them is type-checked key by key.
    """

    fields: tuple[Field, ...]
    rule: Callable[[T, KeyPath, Checker], None] | None = None
    """A check across fields (e.g. `file` or `url`, not both)."""
    shorthand: str | None = None
    """A field a plain text may stand for: an agenda item `- Budget` is `- title: Budget`."""

    def field(self, name: str) -> Field:
        """The field called `name`."""
        return next(f for f in self.fields if f.name == name)

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        if self.shorthand and isinstance(value, (str, int)) and not isinstance(value, bool):
            value = {self.shorthand: value}
        if not isinstance(value, dict):
            return self.wrong(value, name, path, c, "a group of fields written `name: value`")
        known = {f.name: f for f in self.fields}
        out: dict[str, Any] = {}
        ok = True
        misspelt: set[str] = set()  # fields a typo stands for: not reported missing as well
        for key in value:
            if key not in known:
                ok = False
                close = _closest(str(key), known)
                misspelt.update(close)
                c.report(
                    (*path, key),
                    f"unknown field '{key}'{did_you_mean(str(key), known)}; "
                    f"the fields allowed here are: {', '.join(known)}",
                )
        for f in self.fields:
            raw = value.get(f.name)
            if raw is None or raw == "":
                if f.required and f.name not in misspelt:
                    ok = False
                    where = f" in '{name}'" if path else ""
                    c.report(
                        path,
                        f"the required field '{f.name}' is missing{where}: "
                        f"add `{f.name}: …` ({f.doc})",
                    )
                out[f.name] = () if isinstance(f.type, ListOf) else None
                continue
            clean = f.type.check(raw, f.name, (*path, f.name), c)
            ok = ok and clean is not INVALID
            out[f.name] = clean
        if ok and self.rule is not None:
            before = len(c.problems)
            self.rule(out, path, c)  # type: ignore[arg-type]  # out holds exactly T's keys
            ok = len(c.problems) == before
        return out if ok else INVALID

    def clean(self, value: Any, name: str, c: Checker, path: KeyPath = ()) -> T | None:
        """The values checked: the clean `T`, or None when a problem was reported."""
        out = self.check(value, name, path, c)
        return None if out is INVALID else out


@dataclass(frozen=True)
class Spec:
    """How one key of a record's TypedDict is checked and documented.

    Written in the key's annotation: `title: Annotated[str, Spec(Text(), "…", required=True)]`.
    """

    type: Type
    doc: str
    required: bool = False


def record(
    data: type[T],
    rule: Callable[[T, KeyPath, Checker], None] | None = None,
    shorthand: str | None = None,
    last: type | None = None,
) -> Record[T]:
    """The record a TypedDict declares: a field per key, in order; the keys of `last` (a
    base TypedDict, such as the fields every entry has) after the others."""
    assert is_typeddict(data), data
    hints = get_type_hints(data, include_extras=True)
    common = list(get_type_hints(last)) if last is not None else []
    fields = []
    for key in [k for k in hints if k not in common] + common:
        spec = next(m for m in getattr(hints[key], "__metadata__", ()) if isinstance(m, Spec))
        fields.append(Field(key, spec.type, spec.doc, spec.required))
    return Record(tuple(fields), rule, shorthand)


def _closest(word: str, known: Collection[str]) -> list[str]:
    return difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)


def did_you_mean(word: str, known: Collection[str]) -> str:
    """A hint naming the known word closest to `word`, or nothing."""
    close = _closest(word, known)
    return f" (did you mean '{close[0]}'?)" if close else ""


def or_list(values: tuple[str, ...]) -> str:
    """`a, b or c`."""
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]
