"""YAML is read with the line of every key, and never guesses dates or times."""

import pytest

from kkrsite.yamlfile import YamlError, parse_yaml


def test_times_and_dates_stay_text() -> None:
    parsed = parse_yaml("time: 10:00\ndate: 2011-08-29\nyear: 2012\nissue: 02/2011\n")
    assert parsed.data == {"time": "10:00", "date": "2011-08-29", "year": 2012, "issue": "02/2011"}


def test_every_key_and_item_has_its_line() -> None:
    parsed = parse_yaml("title: x\nagenda:\n  - title: a\n  - title: b\n", first_line=2)
    assert parsed.lines[("title",)] == 2
    assert parsed.lines[("agenda", 1)] == 5
    assert parsed.lines[("agenda", 1, "title")] == 5


def test_a_key_given_twice_is_an_error_at_the_second() -> None:
    with pytest.raises(YamlError) as caught:
        parse_yaml("title: a\nsummary: b\ntitle: c\n")
    assert caught.value.line == 3
    assert "given twice (first on line 1)" in caught.value.message


def test_syntax_errors_name_the_line_and_advise() -> None:
    with pytest.raises(YamlError) as caught:
        parse_yaml("title: a\nsummary: Møde: i dag\n")
    assert caught.value.line == 2
    assert "in quotes" in caught.value.message


def test_tabs_are_explained() -> None:
    with pytest.raises(YamlError) as caught:
        parse_yaml("terms:\n\t- period: 2010-2013\n")
    assert caught.value.line == 2
    assert "spaces, not tabs" in caught.value.message
