"""Stable digests of values: equal values give equal digests, in every run and process.

Incremental builds rest on one rule: a page whose inputs are equal by value renders to
the same bytes. The inputs are frozen model values (dataclasses, tuples, mappings,
dates, enums, strings), so their digest is computed from their contents, never from
`hash()` (which differs between processes for strings) or from object identity.
A value of a type not listed here is an error, not a guess: a digest that left out
part of a page's input would let a stale page through.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
from collections.abc import Mapping
from pathlib import PurePath
from types import MappingProxyType
from typing import Any

SIZE = 16
"""Bytes of each digest (BLAKE2b): collisions are out of reach at any site's size."""


class Digests:
    """Computes digests, remembering those of immutable objects it has seen (shared parts once).

    Keep one for one model: the memo holds the objects it has digested, so their ids
    stay theirs while it lives.
    """

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, bytes]] = {}

    def of(self, value: object) -> bytes:
        """The digest of `value`."""
        parts: list[bytes] = []
        self._feed(parts, value)
        return hashlib.blake2b(b"".join(parts), digest_size=SIZE).digest()

    def _feed(self, parts: list[bytes], value: Any) -> None:
        """Append the bytes of `value` to `parts`: tagged, and lengths first, so no two
        values run together into the same bytes."""
        kind = type(value)
        if kind is str:
            data = value.encode("utf-8", "surrogatepass")
            parts.append(b"s%d:" % len(data))
            parts.append(data)
            return
        if kind is int:
            parts.append(b"i%d;" % value)
            return
        if value is None:
            parts.append(b"cNone")
            return
        info = _INFO.get(kind) or _info(kind)
        if info[1]:  # immutable: its digest is remembered, and stands for it
            known = self._memo.get(id(value))
            if known is None:
                inner: list[bytes] = []
                self._feed_node(inner, value, kind, info[0])
                digest = hashlib.blake2b(b"".join(inner), digest_size=SIZE).digest()
                known = self._memo[id(value)] = (value, digest)
            parts.append(b"r")
            parts.append(known[1])
            return
        self._feed_node(parts, value, kind, info[0])

    def _feed_node(
        self, parts: list[bytes], value: Any, kind: type, fields: tuple[str, ...] | None
    ) -> None:
        if fields is not None:
            parts.append(b"D%d:%s;" % (len(fields), kind.__qualname__.encode()))
            feed, append = self._feed, parts.append
            for name in fields:
                item = getattr(value, name)
                if type(item) is str:  # most fields: the same as _feed, without the call
                    data = item.encode("utf-8", "surrogatepass")
                    append(b"s%d:" % len(data))
                    append(data)
                elif item is None:
                    append(b"cNone")
                else:
                    feed(parts, item)
            return
        h = parts
        # bool before int: True == 1 but they render differently.
        if kind is bool:
            h.append(b"c" + repr(value).encode())
        elif isinstance(value, str):  # Markup and other kinds of text: they render differently
            self._leaf(h, b"h", f"{kind.__qualname__}:{value}")
        elif isinstance(value, enum.Enum):
            self._leaf(h, b"e", f"{kind.__qualname__}.{value.name}")
        elif isinstance(value, (int, float)):
            self._leaf(h, b"n", f"{kind.__name__}:{value!r}")
        elif isinstance(value, bytes):
            h.append(b"b%d:" % len(value))
            h.append(value)
        elif isinstance(value, (dt.datetime, dt.date, dt.time)):
            self._leaf(h, b"d", f"{kind.__name__}:{value.isoformat()}")
        elif isinstance(value, PurePath):
            self._leaf(h, b"p", value.as_posix())
        elif isinstance(value, (tuple, list)):
            h.append(b"t%d:" % len(value))
            for item in value:
                self._feed(h, item)
        elif isinstance(value, Mapping):
            # In order: a template iterating a mapping shows it in this order.
            h.append(b"m%d:" % len(value))
            for key, item in value.items():
                self._feed(h, key)
                self._feed(h, item)
        elif isinstance(value, (frozenset, set)):
            h.append(b"f%d:" % len(value))
            h.extend(sorted(self.of(item) for item in value))
        else:
            raise TypeError(f"no stable digest for a {kind.__qualname__}: add it to digest.py")

    @staticmethod
    def _leaf(parts: list[bytes], tag: bytes, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        parts.append(tag + b"%d:" % len(data))
        parts.append(data)


def digest(value: object) -> bytes:
    """The digest of one value, remembering nothing for later."""
    return Digests().of(value)


_REMEMBERED = frozenset((tuple, frozenset, MappingProxyType))
"""Immutable containers whose digest is remembered by identity (with frozen dataclasses)."""

_INFO: dict[type, tuple[tuple[str, ...] | None, bool]] = {}
"""For each type met: its dataclass fields (None if not one), and whether it is immutable."""


def _info(kind: type) -> tuple[tuple[str, ...] | None, bool]:
    fields = None
    if dataclasses.is_dataclass(kind):
        fields = tuple(f.name for f in dataclasses.fields(kind))
    params = getattr(kind, "__dataclass_params__", None)
    frozen = params is not None and bool(params.frozen)
    _INFO[kind] = (fields, kind in _REMEMBERED or frozen)
    return _INFO[kind]
