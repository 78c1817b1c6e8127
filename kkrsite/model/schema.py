"""Every field of every content file, declared once with its type and its meaning.

`check` walks parsed YAML against a `Record` and returns clean Python values, or
reports each fault with the line of the offending key and a way to fix it. The
same declarations document the content format (docs/content.md).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kkrsite.attachments import IMAGE_SUFFIXES, is_image
from kkrsite.errors import Problem, display_path
from kkrsite.kinds import EntryKind
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
    if any(c.isspace() or not c.isprintable() for c in text):
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


@dataclass(frozen=True)
class Record(Type):
    """A group of named fields; unknown names are reported with the allowed ones."""

    fields: tuple[Field, ...]
    rule: Callable[[dict[str, Any], KeyPath, Checker], None] | None = None
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
            self.rule(out, path, c)
            ok = len(c.problems) == before
        return out if ok else INVALID


def _closest(word: str, known: Collection[str]) -> list[str]:
    return difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)


def _did_you_mean(word: str, known: Collection[str]) -> str:
    close = _closest(word, known)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _or_list(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]


# --- The content format ------------------------------------------------------------


def _file_or_url(doc: dict[str, Any], path: KeyPath, c: Checker) -> None:
    if doc["file"] is None and doc["url"] is None:
        c.report(path, "a document needs `file:` (a file under files/) or `url:` (a link); add one")
    elif doc["file"] is not None and doc["url"] is not None:
        c.report(path, "a document has both `file:` and `url:`; keep the one it should open")


DOCUMENT = Record(
    (
        Field("title", Text(), "what the document is, e.g. Referat", required=True),
        Field("file", FileRef(), "a file under files/, published under /filer/"),
        Field("url", URL, "a link to the document elsewhere"),
    ),
    rule=_file_or_url,
)

SECRETARIAT = Record(
    (
        Field("email", EMAIL, "the e-mail address"),
        Field("phone", PHONE, "the phone number"),
        Field("address", Text(), "the secretariat's postal address"),
    )
)

SITE = Record(
    (
        Field("title", Text(), "the site's name, shown in every page's header", required=True),
        Field(
            "base_url",
            Url(base=True, example="https://kkr.dk/"),
            "the address the site is served from, e.g. https://kkr.dk/",
            required=True,
        ),
        Field("language", Choice(("da",), "language"), "the language of the site: da"),
        Field(
            "description",
            Text(),
            "one sentence about the site, for search engines and feeds",
            required=True,
        ),
        Field("publisher", Text(), "who publishes the site, e.g. KL", required=True),
        Field("accessibility_statement", URL, "the address of the site's accessibility statement"),
        Field(
            "contact",
            SECRETARIAT,
            "the contact shown in every page's footer: email, phone, address",
        ),
    )
)

TOPIC = Record(
    (
        Field("slug", Slug(), "the topic's name in URLs, e.g. sundhed", required=True),
        Field("name", Text(), "the topic's name, e.g. Sundhed", required=True),
        Field("description", Text(), "one sentence on what the topic covers"),
    )
)

PERSON = Record(
    (
        Field("name", Text(), "the person's full name", required=True),
        Field(
            "title", Text(example="Borgmester"), "e.g. Borgmester or Byrådsmedlem", required=True
        ),
        Field("party", Text(example="S"), "the party letter, e.g. S or V", required=True),
        Field("municipality", Text(example="Herlev Kommune"), "e.g. Herlev Kommune", required=True),
        Field("photo", FileRef(example="kjeld-hansen.jpg", images=True), "a picture under files/"),
        Field("url", URL, "a page about the person elsewhere"),
    )
)

TERM = Record(
    (
        Field("period", Period(), "the election period, e.g. 2010-2013", required=True),
        Field("chair", Ref("person"), "the chair (formand), a person slug"),
        Field("vice_chair", Ref("person"), "the vice-chair (næstformand), a person slug"),
        Field("members", ListOf(Ref("person")), "the members, person slugs"),
    )
)

APPOINTMENT = Record(
    (
        Field(
            "body", Text(example="Vækstforum"), "the regional body, e.g. Vækstforum", required=True
        ),
        Field("person", Ref("person"), "who was appointed, a person slug", required=True),
        Field("period", Period(), "the election period, e.g. 2010-2013", required=True),
        Field("role", Text(), "e.g. Formand or Medlem"),
    )
)

REGION = Record(
    (
        Field(
            "name",
            Text(example="KKR Hovedstaden"),
            "the council, e.g. KKR Hovedstaden",
            required=True,
        ),
        Field(
            "region",
            Text(example="Region Hovedstaden"),
            "the region, e.g. Region Hovedstaden",
            required=True,
        ),
        Field("municipalities", ListOf(Text()), "the municipalities of the region"),
        Field("secretariat", SECRETARIAT, "how to reach the secretariat: email, phone, address"),
        Field("terms", ListOf(TERM), "chair, vice-chair and members per election period"),
        Field(
            "appointments", ListOf(APPOINTMENT), "people appointed to regional bodies (udpegninger)"
        ),
        Field("description", Text(), "a short introduction to the council"),
    )
)

MAX_TOPICS = 100
"""Topics in topics.yaml: each has a page and a feed (the example site needs six)."""
MAX_TOPICS_PER_ENTRY = 10
"""Topics on one entry: each puts the entry on another page and in another feed."""

MAX_AUTHORS = 10
"""Writers of one column (all five chairs together is the most seen): each lists it."""

ENTRY_FIELDS = (
    Field("slug", Slug(), "overrides the slug made from the file name"),
    Field("summary", Text(), "one or two sentences for lists and feeds"),
    Field("updated", Date(), "when the entry was last changed"),
    Field("draft", Bool(), "true leaves the entry out unless the build is run with --drafts"),
    Field(
        "topics", ListOf(Ref("topic"), most=MAX_TOPICS_PER_ENTRY), "topic slugs from topics.yaml"
    ),
)

AGENDA_ITEM = Record(
    (
        Field("title", Text(), "the agenda point", required=True),
        Field("topic", Ref("topic"), "a topic slug"),
        Field("decision", Text(), "what the KKR decided"),
    ),
    shorthand="title",
)

MEETING_STATUS = Choice(
    ("planned", "held", "cancelled"),
    "status",
    {"planlagt": "planned", "afholdt": "held", "aflyst": "cancelled"},
)


def _end_after_start(meeting: dict[str, Any], path: KeyPath, c: Checker) -> None:
    if meeting["end_time"] is None:
        return
    if meeting["time"] is None:
        c.report((*path, "end_time"), "'end_time' needs a start: add `time:` as well")
    elif meeting["end_time"] <= meeting["time"]:
        c.report((*path, "end_time"), "'end_time' must be after 'time'")


MEETING = Record(
    (
        Field("date", Date(), "the day of the meeting; must match the file name"),
        Field("time", Time(), "when it starts, e.g. 10:00"),
        Field("end_time", Time(), "when it ends, e.g. 13:00"),
        Field("location", Text(), "where it is held"),
        Field("title", Text(), "a title; by default 'Møde i <KKR> <date>'"),
        Field("status", MEETING_STATUS, "planned, held or cancelled; by default from the date"),
        Field("agenda", ListOf(AGENDA_ITEM), "the agenda: title, topic, decision"),
        Field("documents", ListOf(DOCUMENT), "documents: title and file or url"),
        *ENTRY_FIELDS,
    ),
    rule=_end_after_start,
)

AGREEMENT = Record(
    (
        Field("title", Text(), "the agreement's title", required=True),
        Field(
            "kind",
            Choice(("udviklingsstrategi", "styringsaftale", "rammeaftale"), "kind"),
            "udviklingsstrategi, styringsaftale or rammeaftale",
            required=True,
        ),
        Field(
            "year", Int(2007, 2100, example="2012"), "the year the agreement is for", required=True
        ),
        Field(
            "status",
            Choice(("udkast", "anbefalet", "godkendt"), "status"),
            "udkast, anbefalet or godkendt",
            required=True,
        ),
        Field("date", Date(), "when it was recommended or approved"),
        Field("documents", ListOf(DOCUMENT), "documents: title and file or url"),
        *ENTRY_FIELDS,
    )
)

COLUMN = Record(
    (
        Field("title", Text(), "the column's headline", required=True),
        Field(
            "date", Date(), "the day it was printed; required unless the file name starts with it"
        ),
        Field(
            "publication",
            Text(example="Danske Kommuner"),
            "the magazine; Danske Kommuner when left out",
        ),
        Field("issue", Text(example='"26/2011"'), "the issue, e.g. 26/2011"),
        Field(
            "authors",
            ListOf(Ref("person"), non_empty=True, most=MAX_AUTHORS),
            "person slugs of the writers",
            required=True,
        ),
        Field(
            "regions",
            ListOf(Ref("region")),
            "region slugs; by default the regions the authors chaired",
        ),
        *ENTRY_FIELDS,
    )
)

PUBLICATION = Record(
    (
        Field("title", Text(), "the publication's title", required=True),
        Field("kind", Slug(example="beretning"), "beretning, pjece, notat, brev, …", required=True),
        Field(
            "date", Date(), "the day it was published; required unless the file name starts with it"
        ),
        Field("regions", ListOf(Ref("region")), "region slugs; empty means all regions"),
        Field("documents", ListOf(DOCUMENT), "documents: title and file or url"),
        *ENTRY_FIELDS,
    )
)


ENTRY_RECORDS: dict[str, Record] = {
    "meeting": MEETING,
    "agreement": AGREEMENT,
    "column": COLUMN,
    "publication": PUBLICATION,
}
"""The record of each kind of entry, by `EntryKind.name`."""


def record_of(kind: EntryKind) -> Record:
    """The record a kind's files are checked against."""
    try:
        return ENTRY_RECORDS[kind.name]
    except KeyError:
        raise LookupError(
            f"the entry kind {kind.name!r} has no record: add it to ENTRY_RECORDS in "
            "kkrsite/model/schema.py"
        ) from None


def describe(record: Record) -> str:
    """The fields of a record as a Markdown table, for docs/content.md (tested to match)."""
    rows = ["| field | required | what it holds |", "|---|---|---|"]
    for f in record.fields:
        rows.append(f"| `{f.name}` | {'yes' if f.required else ''} | {f.doc} |")
    return "\n".join(rows)


DOCUMENTED: Mapping[str, Record] = {
    "site.yaml": SITE,
    "topics.yaml (each item)": TOPIC,
    "people/<slug>.yaml": PERSON,
    "kkr/<region>/kkr.yaml": REGION,
    "terms (each item)": TERM,
    "appointments (each item)": APPOINTMENT,
    "secretariat": SECRETARIAT,
    "kkr/<region>/meetings/<YYYY-MM-DD>[-<suffix>].md": MEETING,
    "agenda (each item)": AGENDA_ITEM,
    "documents (each item)": DOCUMENT,
    "kkr/<region>/agreements/<slug>.md": AGREEMENT,
    "columns/<YYYY-MM-DD>-<slug>.md": COLUMN,
    "publications/<YYYY-MM-DD>-<slug>.md": PUBLICATION,
}
"""Every record a user writes, by the heading it has in docs/content.md."""
