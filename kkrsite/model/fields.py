"""Field types and the checker: how raw YAML becomes clean values, or a message that says why not.

`Record.check` walks parsed YAML against a record's fields and returns clean
Python values, or reports each fault with the line of the offending key and a
way to fix it. The records themselves — the content format — are declared in
`schema.py`, each as a TypedDict whose keys carry a `Spec`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, get_type_hints, is_typeddict
from urllib.parse import urlsplit

from kkrsite.attachments import IMAGE_SUFFIXES, is_image
from kkrsite.errors import Problem, display_path
from kkrsite.model.entities import Period as PeriodValue
from kkrsite.read import Source
from kkrsite.safefs import nfc
from kkrsite.slugs import slugify
from kkrsite.yamlfile import KeyPath

INVALID: Any = object()
"""Returned for a value that failed its check; the problem is already reported."""

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""A slug, matched whole (`fullmatch`): `$` would let a trailing newline through."""
MAX_SLUG = 80
"""The longest slug: it is a folder name in the built site, and a URL people type."""


def suggest_slug(text: str) -> str:
    """A valid slug made from `text`, cut at a hyphen to at most MAX_SLUG characters."""
    slug = slugify(text)
    if len(slug) > MAX_SLUG:
        slug = slug[: MAX_SLUG + 1].rsplit("-", 1)[0][:MAX_SLUG]
    return slug


def slug_problem(slug: str) -> str | None:
    """Why `slug` cannot be used in a URL, or None."""
    if not SLUG_RE.fullmatch(slug):
        return "use only lower-case a-z, digits and hyphens"
    if len(slug) > MAX_SLUG:
        return f"it is {len(slug)} characters long; use at most {MAX_SLUG}"
    return None


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
    """Files under files/ that were refused (and reported): uses of them are not reported."""

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
        shown = _show(value)
        example = f", e.g. `{name}: {self.example}`" if self.example else ""
        return c.report(path, f"'{name}' must be {expected}{example}; it is {shown}")


def _show(value: Any) -> str:
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
class Text(Type):
    """A line of text (numbers are accepted and read as text, e.g. a phone number)."""

    example: str = ""

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            return self.wrong(value, name, path, c, "text")
        text = str(value).strip()
        if not text:
            return c.report(path, f"'{name}' is empty; write a value or leave the field out")
        return text


@dataclass(frozen=True)
class Int(Type):
    """A whole number within bounds."""

    low: int
    high: int
    example: str = ""

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value.strip()):
            value = int(value)  # `year: "2012"` means the same as `year: 2012`
        if isinstance(value, bool) or not isinstance(value, int):
            return self.wrong(
                value, name, path, c, f"a whole number from {self.low} to {self.high}"
            )
        if not self.low <= value <= self.high:
            return self.wrong(
                value, name, path, c, f"a whole number from {self.low} to {self.high}"
            )
        return value


@dataclass(frozen=True)
class Bool(Type):
    """true or false."""

    example: str = "true"

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        if not isinstance(value, bool):
            return self.wrong(value, name, path, c, "true or false")
        return value


_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


@dataclass(frozen=True)
class Date(Type):
    """A calendar date written YYYY-MM-DD."""

    example: str = "2011-08-29"

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        match = _DATE_RE.fullmatch(str(value)) if isinstance(value, str) else None
        if match is None:
            return self.wrong(value, name, path, c, "a date written YYYY-MM-DD")
        if int(match[1]) not in YEARS:
            return c.report(path, f"'{name}' is {value}: {_YEARS_HINT}")
        parsed = parse_date(value)
        if parsed is None:
            return c.report(
                path, f"'{name}' is {value}, which is not a real date; check the day and month"
            )
        return parsed


YEARS = range(1900, 2200)
"""The years a date or period may name: enough for any council, and safe for every writer
(calendars and open data compute with the years around a date)."""
_YEARS_HINT = f"use a year from {YEARS.start} to {YEARS.stop - 1}"


def parse_date(text: str) -> dt.date | None:
    """`2011-08-29` as a date; None when it is not one (e.g. 2011-02-30) or not in YEARS."""
    match = _DATE_RE.fullmatch(text)
    if match is None or int(match[1]) not in YEARS:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


_TIME_RE = re.compile(r"(\d{1,2})[:.](\d{2})", re.ASCII)


@dataclass(frozen=True)
class Time(Type):
    """A time of day in Copenhagen, written HH:MM (24-hour clock)."""

    example: str = '"10:00"'

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # `time: 9.30` unquoted, as Danes write the clock: YAML reads the number 9.3.
            in_day = 0 <= value < 24  # also false for NaN; infinity never reaches int()
            hours = int(value) if in_day else -1
            minutes = round((value - hours) * 100) if in_day else -1
            if 0 <= hours <= 23 and 0 <= minutes <= 59:
                return dt.time(hours, minutes)
            return c.report(
                path,
                f"'{name}' must be a time such as `{name}: \"09:30\"`; "
                f"YAML read {value} as a number",
            )
        match = _TIME_RE.fullmatch(value) if isinstance(value, str) else None
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            return self.wrong(value, name, path, c, "a time written HH:MM on the 24-hour clock")
        return dt.time(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class Choice(Type):
    """One of a fixed set of words; `aliases` map other accepted words to them."""

    values: tuple[str, ...]
    what: str
    aliases: Mapping[str, str] = field(default_factory=dict)

    @property
    def example(self) -> str:  # type: ignore[override]
        return self.values[0]

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        word = str(value).strip().lower() if isinstance(value, (str, int)) else None
        if word in self.values:
            return word
        if word is not None and word in self.aliases:
            return self.aliases[word]
        hint = _did_you_mean(word, self.values) if word else ""
        return c.report(
            path, f"unknown {self.what} {_show(value)}{hint}: use {_or_list(self.values)}"
        )


@dataclass(frozen=True)
class Slug(Type):
    """A URL-safe name: lower-case ASCII letters, digits and single hyphens, at most 80."""

    example: str = "moede-i-naestved"

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        why = slug_problem(value) if isinstance(value, str) else "use a name, not a number"
        if why is not None:
            suggestion = suggest_slug(value) if isinstance(value, str) else ""
            hint = f" (e.g. '{suggestion}')" if suggestion else ""
            return c.report(path, f"'{name}' {_show(value)} is not a valid slug: {why}{hint}")
        return value


@dataclass(frozen=True)
class Pattern(Type):
    """Text of a known shape (an e-mail address, a phone number): it becomes a link."""

    regex: str
    what: str
    example: str = ""

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        text = (
            str(value).strip()
            if isinstance(value, (str, int)) and not isinstance(value, bool)
            else ""
        )
        if not re.fullmatch(self.regex, text):
            return self.wrong(value, name, path, c, self.what)
        return text


EMAIL_RE = re.compile(r"[^@\s\"'<>]+@[^@\s\"'<>]+\.[a-zA-Z]{2,}")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)", re.ASCII)
_BASE_PATH = re.compile(r"(/(?!\.\.?(/|$))[A-Za-z0-9._~-]*)*/?", re.ASCII)
"""A plain path: letters, digits and `-._~` between slashes, no `.` or `..` segment."""
_LOOPBACK = frozenset(("localhost", "127.0.0.1", "::1"))


def url_problem(text: str, base: bool = False) -> str | None:
    """Why `text` cannot be used as a link (or, with `base`, as the site's base_url), or None.

    A link is http(s) with a real host name, or mailto:. The base_url is stricter:
    https, no user name or password, no query or fragment, a plain path; plain http
    only for the local machine (a preview on localhost).
    """
    # Every whitespace character but " " is unprintable (Unicode categories C and Z).
    if " " in text or not text.isprintable():
        return "it holds a space or an invisible character"
    if not base and text.startswith("mailto:"):
        return None if EMAIL_RE.fullmatch(text.removeprefix("mailto:")) else "not an e-mail link"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return f"it cannot be read as an address ({exc})"
    host = parts.hostname or ""
    secure = parts.scheme == "https" or (parts.scheme == "http" and (host in _LOOPBACK or not base))
    if not secure:
        return "it must start with https://"
    if not host:
        return "it has no host name after https://"
    if parts.username is not None or parts.password is not None:
        return "it must not hold a user name or password"
    if port is not None and not 0 < port < 65536:
        return f"the port {port} does not exist"
    if ":" not in host and not _valid_host(host):
        return f"'{host}' is not a valid host name"
    if base and (parts.query or parts.fragment or "?" in text or "#" in text):
        return "it must not have a ? query or # fragment"
    if base and not _BASE_PATH.fullmatch(parts.path):
        return (
            "its path may hold only letters a-z, digits, '-', '_', '.', '~' and '/', "
            "and no '.' or '..' folder"
        )
    return None


def _valid_host(host: str) -> bool:
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.rstrip(".").split(".")
    return len(ascii_host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


@dataclass(frozen=True)
class Url(Type):
    """A link (https://…, or mailto:); with `base`, the address the site itself is served from."""

    base: bool = False
    example: str = "https://www.kl.dk/"

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        if not isinstance(value, str) or not value.strip():
            return self.wrong(value, name, path, c, "an address starting with https://")
        text = value.strip()
        why = url_problem(text, self.base)
        if why is not None:
            return c.report(
                path,
                f"'{name}' {_show(text)} is not a usable address: {why} (e.g. `{name}: "
                f"{self.example}`)",
            )
        return text


URL = Url()
EMAIL = Pattern(EMAIL_RE.pattern, "an e-mail address", "kkr@kl.dk")
PHONE = Pattern(r"\+?[0-9][0-9 ()./-]{2,}", "a phone number (digits and spaces)", '"3370 3370"')

_PERIOD_RE = re.compile(r"(\d{4}) *[-\u2013] *(\d{4})", re.ASCII)


@dataclass(frozen=True)
class Period(Type):
    """An election period: two years, the first not after the second."""

    example: str = '"2010-2013"'

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        match = _PERIOD_RE.fullmatch(str(value).strip()) if value is not None else None
        if match is None or int(match[1]) > int(match[2]):
            return self.wrong(value, name, path, c, "an election period such as 2010-2013")
        if int(match[1]) not in YEARS or int(match[2]) not in YEARS:
            return c.report(path, f"'{name}' is {match[0]}: {_YEARS_HINT}")
        return PeriodValue(int(match[1]), int(match[2]))


@dataclass(frozen=True)
class Ref(Type):
    """The slug of a person, topic or region that must exist."""

    what: str  # "person" | "topic" | "region"

    @property
    def example(self) -> str:  # type: ignore[override]
        return {"person": "kjeld-hansen", "topic": "sundhed", "region": "hovedstaden"}[self.what]

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        if not isinstance(value, str) or not value.strip():
            return self.wrong(value, name, path, c, f"the slug of a {self.what}")
        known = {"person": c.people, "topic": c.topics, "region": c.regions}[self.what]
        slug = value.strip()
        if known is None or slug in known:
            return slug
        where = {
            "person": f"there is no people/{slug}.yaml",
            "topic": "topics.yaml has no topic with that slug",
            "region": "there is no folder kkr/" + slug,
        }[self.what]
        return c.report(path, f"unknown {self.what} '{slug}': {where}{_did_you_mean(slug, known)}")


@dataclass(frozen=True)
class FileRef(Type):
    """A file under files/, published under /filer/; with `images`, a picture."""

    example: str = "referat-2011-08-29.pdf"
    images: bool = False

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        if not isinstance(value, str) or not value.strip():
            return self.wrong(value, name, path, c, "the path of a file under files/")
        rel = nfc(value.strip().removeprefix("/").removeprefix("files/"))
        if rel in c.refused:
            return INVALID  # the file itself is reported: one mistake, one message
        if rel not in c.attachments:
            where = display_path(c.files_root / rel, Path.cwd()) if c.files_root else f"files/{rel}"
            return c.report(
                path,
                f"attachment '{value}' does not exist: put the file in {where}, "
                f"or correct the name{_did_you_mean(rel, c.attachments)}",
            )
        if self.images and not is_image(rel):
            return c.report(
                path,
                f"'{name}' must be a picture ({', '.join(IMAGE_SUFFIXES)}); '{rel}' is not one",
            )
        return rel


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
                    f"unknown field '{key}'{_did_you_mean(str(key), known)}; "
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


def _did_you_mean(word: str, known: Collection[str]) -> str:
    close = _closest(word, known)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _or_list(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]
