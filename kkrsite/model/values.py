"""The field types of single values: text, numbers, dates, times, choices, slugs, links, files.

Each checks one raw YAML value and returns the clean one, or reports why not
(see `fields.py` for the checker and the composite types).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kkrsite.errors import display_path
from kkrsite.filetypes import IMAGE_SUFFIXES, is_image
from kkrsite.model.fields import INVALID, Checker, Type, did_you_mean, or_list, show
from kkrsite.model.formats import (
    DATE_RE,
    EMAIL_RE,
    YEARS,
    YEARS_HINT,
    parse_date,
    slug_problem,
    suggest_slug,
    url_problem,
)
from kkrsite.model.shared import Period as PeriodValue
from kkrsite.safefs import nfc
from kkrsite.yamlfile import KeyPath


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
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not self.low <= value <= self.high
        ):
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


@dataclass(frozen=True)
class Date(Type):
    """A calendar date written YYYY-MM-DD."""

    example: str = "2011-08-29"

    def check(self, value: Any, name: str, path: KeyPath, c: Checker) -> Any:
        match = DATE_RE.fullmatch(str(value)) if isinstance(value, str) else None
        if match is None:
            return self.wrong(value, name, path, c, "a date written YYYY-MM-DD")
        if int(match[1]) not in YEARS:
            return c.report(path, f"'{name}' is {value}: {YEARS_HINT}")
        parsed = parse_date(value)
        if parsed is None:
            return c.report(
                path, f"'{name}' is {value}, which is not a real date; check the day and month"
            )
        return parsed


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
        hint = did_you_mean(word, self.values) if word else ""
        return c.report(
            path, f"unknown {self.what} {show(value)}{hint}: use {or_list(self.values)}"
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
            return c.report(path, f"'{name}' {show(value)} is not a valid slug: {why}{hint}")
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
                f"'{name}' {show(text)} is not a usable address: {why} (e.g. `{name}: "
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
            return c.report(path, f"'{name}' is {match[0]}: {YEARS_HINT}")
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
        return c.report(path, f"unknown {self.what} '{slug}': {where}{did_you_mean(slug, known)}")


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
                f"or correct the name{did_you_mean(rel, c.attachments)}",
            )
        if self.images and not is_image(rel):
            return c.report(
                path,
                f"'{name}' must be a picture ({', '.join(IMAGE_SUFFIXES)}); '{rel}' is not one",
            )
        return rel
