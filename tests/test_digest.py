"""Digests: equal values, equal digests; a field left out changes nothing; memory stays bounded."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from kkrsite.digest import Digests, digest


@dataclasses.dataclass(frozen=True)
class Note:
    title: str
    body: str
    day: dt.date


NOTE = Note("Møde i KKR", "Referat følger.", dt.date(2011, 8, 29))


def test_equal_values_have_equal_digests_and_others_differ() -> None:
    same = Note("Møde i KKR", "Referat følger.", dt.date(2011, 8, 29))
    assert digest(NOTE) == digest(same) == Digests().of(same)
    assert digest(NOTE) != digest(dataclasses.replace(NOTE, title="Møde"))
    assert digest(("ab", "c")) != digest(("a", "bc"))  # lengths first: no running together
    assert digest(True) != digest(1)


def test_a_type_without_a_stable_digest_is_refused() -> None:
    with pytest.raises(TypeError, match="no stable digest for a object"):
        digest(object())


def test_without_ignores_the_fields_left_out_and_only_those() -> None:
    d = Digests()
    omit = frozenset({"body"})
    key = d.without((NOTE,), omit)
    assert d.without((dataclasses.replace(NOTE, body="Et andet referat."),), omit) == key
    assert d.without((dataclasses.replace(NOTE, title="Møde"),), omit) != key
    assert d.without((NOTE, NOTE), omit) != key
    assert Digests().without((NOTE,), frozenset()) == Digests().without((NOTE,), frozenset())
    assert d.without((NOTE,), frozenset()) != key


def test_a_kept_digests_remembers_only_the_last_two_builds() -> None:
    d = Digests()
    notes = [Note(f"Møde {n}", "", dt.date(2011, 1, 1)) for n in range(3)]
    d.of(notes[0])
    d.next_build()
    d.of(notes[1])  # the first build's note is not used in the second
    d.next_build()
    d.of(notes[2])
    remembered = [known[0] for known in d._memo._now.values()]
    remembered += [known[0] for known in d._memo._before.values()]
    assert notes[0] not in remembered
    assert notes[1] in remembered and notes[2] in remembered
