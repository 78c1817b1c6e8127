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
from typing import Any, Generic, TypeVar

SIZE = 16
"""Bytes of each digest (BLAKE2b): collisions are out of reach at any site's size."""


class Digests:
    """Computes digests, remembering those of immutable objects it has seen (shared parts once).

    The memo holds the objects it has digested, so their ids stay theirs while they
    are remembered. A kept one (`kkrsite serve`) is told of each new build with
    `next_build`: what the last build did not use is forgotten, so the memo holds at
    most two models, not one for every edit.
    """

    def __init__(self) -> None:
        self._memo: Remembered[int, bytes] = Remembered()
        self._partial: Remembered[tuple[int, frozenset[str]], bytes] = Remembered()

    def next_build(self) -> None:
        """Forget what was remembered before the last build and not used in it."""
        self._memo.next_build()
        self._partial.next_build()

    def forget(self) -> None:
        """Forget everything remembered."""
        self._memo, self._partial = Remembered(), Remembered()

    def of(self, value: object) -> bytes:
        """The digest of `value`."""
        parts: list[bytes] = []
        self._feed(parts, value)
        return hashlib.blake2b(b"".join(parts), digest_size=SIZE).digest()

    def of_parts(self, *parts: object) -> bytes:
        """The digest of `parts` together: for a key made of digests, none of them kept."""
        out = [b"k%d:" % len(parts)]
        for part in parts:
            self._feed(out, part)
        return hashlib.blake2b(b"".join(out), digest_size=SIZE).digest()

    def without(self, values: tuple[Any, ...], omit: frozenset[str]) -> bytes:
        """The digest of `values`, frozen dataclasses each without the fields named in `omit`.

        For a file made from only some fields of many entries (open data has no
        bodies): a change to the others leaves its key as it was.
        """
        parts = [b"t%d:" % len(values)]
        for value in values:
            kind = type(value)
            fields, frozen = _INFO.get(kind) or _info(kind)
            if fields is None or not frozen:
                self._feed(parts, value)
                continue
            known = self._partial.get((id(value), omit))
            if known is None:
                inner: list[bytes] = [b"P"]
                self._feed(inner, omit)  # what was left out is part of what it is
                self._feed_node(inner, value, kind, tuple(f for f in fields if f not in omit))
                digest = hashlib.blake2b(b"".join(inner), digest_size=SIZE).digest()
                known = self._partial.put((id(value), omit), (value, digest))
            parts.append(b"r")
            parts.append(known[1])
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
        if kind is bytes:  # a digest within a key: the same as _feed_node's, without the way
            parts.append(b"b%d:" % len(value))
            parts.append(value)
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
                known = self._memo.put(id(value), (value, digest))
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


K = TypeVar("K")
V = TypeVar("V")


class Remembered(Generic[K, V]):
    """Values worked out from objects, by the object's id, with the object kept (so its
    id stays its own), in two generations: what this build used, and what the build
    before it used. `next_build` forgets the rest, so a kept one does not grow with edits."""

    def __init__(self) -> None:
        self._now: dict[K, tuple[object, V]] = {}
        self._before: dict[K, tuple[object, V]] = {}

    def get(self, key: K) -> tuple[object, V] | None:
        """The (object, value) remembered under `key`, if any."""
        known = self._now.get(key)
        if known is None:
            known = self._before.get(key)
            if known is not None:
                self._now[key] = known
        return known

    def put(self, key: K, known: tuple[object, V]) -> tuple[object, V]:
        """Remember (object, value) under `key` (the object's id, or a tuple holding it)."""
        self._now[key] = known
        return known

    def next_build(self) -> None:
        """A new build begins: forget what the last one did not use."""
        self._before, self._now = self._now, {}


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
