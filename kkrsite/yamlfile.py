"""YAML parsing that keeps the line of every key and never guesses dates or times.

PyYAML follows YAML 1.1, which turns `10:00` into the number 600 and `2011-02-30`
into a crash. Here dates and times stay strings, so the model can check them and
say what is wrong; every key's line is recorded for error messages.

Content arrives by pull request, so the document is built here from libyaml's
event stream in one pass, never by PyYAML's composer and constructor: anchors,
aliases and tags are refused where they appear (before an alias can multiply a
document or a tag can run a constructor), and so are nesting deeper than
MAX_DEPTH, over-long values and invisible control characters. No input gives
anything but a `YamlError` naming a line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from kkrsite.safefs import HIDDEN, describe_hidden, hidden_character

KeyPath = tuple[str | int, ...]

# Real content nests about 4 levels (a council, its periods, a period's chair); 20 is generous.
MAX_DEPTH = 20
# The longest value in content/ has a few hundred characters; long text belongs in a body.
MAX_VALUE_CHARS = 10_000
# Field names are words such as `municipalities`; they are repeated in messages.
MAX_KEY_CHARS = 100
# Longer runs of digits are identifiers, not quantities: they stay the text that was written
# (Python refuses to convert more than 4,300 digits, and no field needs such a number).
MAX_INT_DIGITS = 15
# Values (texts, lists, groups) in one file: a council's kkr.yaml with every municipality,
# member and appointment holds about 500. Counted as the events come, so a 1 MB flood of
# tiny values is refused at once instead of built and then found too long.
MAX_VALUES = 20_000

# libyaml's parser when PyYAML was built with it: several times faster than the Python one.
_Parser: Callable[[str], Any] = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class YamlError(Exception):
    """A YAML document that cannot be read, with the 1-based line of the fault."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Parsed:
    """A parsed YAML document and the line of every key and list item in it."""

    data: Any
    lines: Mapping[KeyPath, int]


_HINTS = (
    ("cannot start any token", "indent with spaces, not tabs"),
    ("tab character", "indent with spaces, not tabs"),
    ("mapping values are not allowed", "put a value that contains ': ' in quotes"),
    ("could not find expected ':'", "each field is `name: value`; check the line above too"),
    ("found undefined alias", "a value starting with `*` must be put in quotes"),
    ("expected alphabetic or numeric character", "a value starting with `*` or `&` must be quoted"),
    ("found character '@' that cannot start", "put a value starting with `@` in quotes"),
    ("found character '`' that cannot start", "put a value starting with a backtick in quotes"),
    ("exceeded maximum nesting depth", "kkrsite content nests only a few levels: check brackets"),
)

_ANCHOR_MESSAGE = (
    "YAML anchors and aliases (&name, *name) are not used in kkrsite content: "
    "write the value out in full (a value starting with `&` or `*` must be put in quotes)"
)


def _integer(text: str) -> int | str:
    digits = text.replace("_", "")
    if len(digits.lstrip("+-")) > MAX_INT_DIGITS:
        return text
    return int(digits)


def _decimal(text: str) -> float | str:
    number = float(text.replace("_", ""))
    # `1.e400` reads as infinity, which no field can use and later arithmetic chokes on.
    return number if math.isfinite(number) else text


def _boolean(text: str) -> bool:
    return bool(yaml.constructor.SafeConstructor.bool_values[text.lower()])


def _null(text: str) -> None:
    return None


def _resolvers() -> dict[str, list[tuple[re.Pattern[str], Callable[[str], Any]]]]:
    """What an unquoted value means, by its first character: null, true/false or a number.

    Everything else stays text: no timestamps, no base-60 (`10:00` is not 600), no octal
    or hexadecimal, no merge keys (`<<`) and no `=`.
    """
    table: dict[str, list[tuple[re.Pattern[str], Callable[[str], Any]]]] = {}
    kept = {"tag:yaml.org,2002:null": _null, "tag:yaml.org,2002:bool": _boolean}
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items():
        for tag, regexp in resolvers:
            if first is not None and tag in kept:
                table.setdefault(first, []).append((regexp, kept[tag]))
    integer = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
    decimal = re.compile(r"^[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?$")
    for first in "-+0123456789":
        table.setdefault(first, []).append((integer, _integer))
    for first in "-+0123456789.":
        table.setdefault(first, []).append((decimal, _decimal))
    return table


_RESOLVERS = _resolvers()


def _plain(text: str) -> Any:
    """The value of an unquoted scalar."""
    for regexp, construct in _RESOLVERS.get(text[:1], ()):
        if regexp.match(text):
            return construct(text)
    return text


class _Frame:
    """A mapping or list being filled, and for a mapping the key waiting for its value."""

    __slots__ = ("container", "has_key", "key", "key_line", "key_text", "path", "seen")

    def __init__(self, container: dict[Any, Any] | list[Any], path: KeyPath) -> None:
        self.container = container
        self.path = path
        self.seen: dict[str, int] = {}
        self.has_key = False  # False in a mapping: the next scalar is a key
        self.key: Any = None
        self.key_text = ""
        self.key_line = 0


def parse_yaml(text: str, first_line: int = 1) -> Parsed:
    """Parse one YAML document; `first_line` is the file line the text starts on."""
    _refuse_raw_characters(text, first_line)
    offset = first_line - 1
    try:
        parser = _Parser(text)
    except yaml.YAMLError as exc:  # the pure-Python reader checks characters at once
        raise _syntax_error(exc, text, first_line) from None
    try:
        return _build(parser, offset)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, first_line) from None
    finally:
        parser.dispose()


def _refuse_raw_characters(text: str, first_line: int) -> None:
    found = hidden_character(text, first_line)
    if found is not None:
        raise YamlError(*found)


def _syntax_error(exc: yaml.YAMLError, text: str, first_line: int) -> YamlError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark is not None else first_line
        # At the end of the text libyaml's mark is on the line after the last: name the last.
        line = min(line, first_line + text.rstrip().count("\n"))
        problem = (exc.problem or exc.context or "cannot be read").strip()
        hint = next((h for key, h in _HINTS if key in problem), "check the indentation and quoting")
        return YamlError(line, f"YAML syntax error: {problem}; {hint}")
    if isinstance(exc, yaml.reader.ReaderError):
        # Characters are checked before parsing; this is a fallback. libyaml counts bytes.
        before = text.encode("utf-8", "replace")[: exc.position]
        line = before.count(b"\n") + first_line
        return YamlError(line, "this line holds a character YAML does not allow; delete it")
    return YamlError(first_line, "YAML syntax error: the text cannot be read as YAML")


def _build(parser: Any, offset: int) -> Parsed:
    """Build the one document of the event stream, refusing what content never needs."""
    get = parser.get_event
    get()  # StreamStartEvent
    if isinstance(get(), yaml.StreamEndEvent):  # else DocumentStartEvent (%TAG only serves tags)
        return Parsed(None, {})
    event = get()
    lines: dict[KeyPath, int] = {}
    stack: list[_Frame] = []
    root: Any = None
    values = 0
    while True:
        kind = type(event)
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            if not stack:
                break
            event = get()
            continue
        line = event.start_mark.line + 1 + offset
        if kind is yaml.AliasEvent:
            # Anchors are refused where they are defined, so an alias names no anchor:
            # this is a value starting with `*`, as libyaml's composer would say.
            raise YamlError(
                line,
                "YAML syntax error: found undefined alias; "
                "a value starting with `*` must be put in quotes",
            )
        if event.anchor is not None:
            raise YamlError(line, _ANCHOR_MESSAGE)
        if event.tag is not None:
            raise YamlError(line, _tag_message(event.tag))
        values += 1
        if values > MAX_VALUES:
            raise YamlError(
                line,
                f"the file holds more than {MAX_VALUES:,} values (texts, list items, fields); "
                "kkrsite content needs far fewer: remove the surplus or split the file",
            )
        top = stack[-1] if stack else None
        is_key = top is not None and not top.has_key and isinstance(top.container, dict)
        value: Any
        if kind is yaml.ScalarEvent:
            text = event.value
            _check_scalar(text, line, is_key)
            value = _plain(text) if event.implicit[0] else text
        elif is_key:
            raise YamlError(
                line,
                "a field name must be a word followed by `:` (`name: value`), "
                "not a list or a group of fields",
            )
        else:
            if len(stack) >= MAX_DEPTH:
                raise YamlError(
                    line,
                    f"the fields and lists here are nested more than {MAX_DEPTH} levels deep; "
                    "kkrsite content needs only a few: check the indentation and brackets",
                )
            value = {} if kind is yaml.MappingStartEvent else []

        if top is None:
            path: KeyPath = ()
            lines[path] = line
            root = value
        elif is_key:
            previous = top.seen.get(text)
            if previous is not None:
                raise YamlError(
                    line,
                    f"the field '{text}' is given twice (first on line {previous}); keep one",
                )
            top.seen[text] = line
            top.key, top.key_text, top.key_line, top.has_key = value, text, line, True
            event = get()
            continue
        elif isinstance(top.container, dict):
            path = (*top.path, top.key_text)
            lines[path] = top.key_line
            top.container[top.key] = value
            top.has_key = False
        else:
            path = (*top.path, len(top.container))
            lines[path] = line
            top.container.append(value)

        if kind is not yaml.ScalarEvent:
            stack.append(_Frame(value, path))
        elif not stack:
            break
        event = get()

    get()  # DocumentEndEvent
    event = get()
    if not isinstance(event, yaml.StreamEndEvent):
        raise YamlError(
            event.start_mark.line + 1 + offset,
            "a second YAML document starts here, after `---` or `...`; "
            "a file holds one document: remove that line or what follows it",
        )
    return Parsed(root, lines)


def _check_scalar(text: str, line: int, is_key: bool) -> None:
    what = "field name" if is_key else "value"
    limit = MAX_KEY_CHARS if is_key else MAX_VALUE_CHARS
    if len(text) > limit:
        raise YamlError(
            line,
            f"the {what} is {len(text):,} characters long, more than the "
            f"{limit:,} kkrsite accepts; shorten it",
        )
    # Double quotes let YAML write any character as an escape (`"\x1b"`, `"\0"`), so the
    # value is checked, not only the raw text.
    found = HIDDEN.search(text)
    if found is not None:
        raise YamlError(line, f"the {what} holds {describe_hidden(found.group())}; delete it")
    # Field names are repeated in messages, one a line: no line breaks, tabs or invisibles.
    if is_key and not text.isprintable():
        code = next(ord(char) for char in text if not char.isprintable())
        raise YamlError(
            line,
            "the field name holds an invisible or unknown character "
            f"(U+{code:04X}); field names are words such as `title`",
        )


def _tag_message(tag: str) -> str:
    """Refuse a tag, naming it as it was written when that is safe to print."""
    core = "tag:yaml.org,2002:"
    shown = "!!" + tag.removeprefix(core) if tag.startswith(core) else tag
    if not shown.startswith("!"):
        shown = f"!<{shown}>"
    quote = "(a value starting with `!` must be put in quotes)"
    if len(shown) > 40 or not shown.isprintable():  # a tag may spell any character as `%1b`
        return f"YAML tags such as !!int are not used in kkrsite content: remove the tag {quote}"
    return f"YAML tags such as {shown} are not used in kkrsite content: remove `{shown}` {quote}"
