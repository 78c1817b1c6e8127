"""YAML parsing that keeps the line of every key and never guesses dates or times.

PyYAML follows YAML 1.1, which turns `10:00` into the number 600 and `2011-02-30`
into a crash. Here dates and times stay strings, so the model can check them and
say what is wrong; every key's line is recorded for error messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]


# libyaml's parser when PyYAML was built with it: same nodes and marks, several times faster.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """SafeLoader without timestamps and without base-60 numbers."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag
        not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Plain decimal integers and floats only: "10:00" stays the string it looks like.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


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
)


def parse_yaml(text: str, first_line: int = 1) -> Parsed:
    """Parse one YAML document; `first_line` is the file line the text starts on."""
    offset = first_line - 1
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            lines: dict[KeyPath, int] = {}
            if node is not None:
                _record_lines(node, (), lines, offset)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark is not None else first_line
        problem = (exc.problem or exc.context or "cannot be read").strip()
        hint = next((h for key, h in _HINTS if key in problem), "check the indentation and quoting")
        raise YamlError(line, f"YAML syntax error: {problem}; {hint}") from None
    except yaml.YAMLError as exc:
        raise YamlError(first_line, f"YAML syntax error: {exc}") from None
    return Parsed(data, lines)


def _record_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], offset: int) -> None:
    lines[path] = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1 + offset
            if key in seen:
                raise YamlError(
                    line, f"the field '{key}' is given twice (first on line {seen[key]}); keep one"
                )
            seen[key] = line
            _record_lines(value_node, (*path, key), lines, offset)
            lines[(*path, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines, offset)
