"""Field checks: clean values out, or a problem at the key's line that says how to fix it."""

import datetime as dt
from pathlib import Path
from typing import Any

from kkrsite.errors import Problem
from kkrsite.model import schema, shared_schema
from kkrsite.model.fields import Checker, Record
from kkrsite.sourcefile import Source
from kkrsite.yamlfile import parse_yaml


def _check(record: Record[Any], text: str, **known: Any) -> tuple[Any, list[str]]:
    parsed = parse_yaml(text)
    source = Source(Path("x.md"), "x.md", "meeting", parsed.data, parsed.lines)
    problems: list[Problem] = []
    checker = Checker(source, problems, **known)
    clean = record.check(parsed.data, "x", (), checker)
    return clean, [f"{p.line}: {p.message}" for p in problems]


def test_a_valid_meeting_comes_out_typed() -> None:
    clean, problems = _check(
        schema.MEETING,
        'time: "10:00"\nstatus: aflyst\ntopics: sundhed\nagenda:\n  - title: Budget\n',
        topics={"sundhed"},
    )
    assert problems == []
    assert clean["time"] == dt.time(10, 0)
    assert clean["status"] == "cancelled"  # Danish words are accepted
    assert clean["topics"] == ("sundhed",)  # one value is a list of one
    assert clean["agenda"][0]["title"] == "Budget"


def test_unknown_field_suggests_the_right_one() -> None:
    _, problems = _check(
        schema.AGREEMENT, "titel: x\nkind: styringsaftale\nyear: 2012\nstatus: udkast\n"
    )
    # One mistake, one message: the misspelt field is not reported missing as well.
    [problem] = problems
    assert problem.startswith(
        "1: unknown field 'titel' (did you mean 'title'?); the fields allowed"
    )


def test_impossible_date() -> None:
    _, problems = _check(schema.MEETING, "date: 2011-02-30\n")
    assert problems == [
        "1: 'date' is 2011-02-30, which is not a real date; check the day and month"
    ]


def test_wrong_type_shows_value_and_example() -> None:
    _, problems = _check(
        schema.AGREEMENT, "title: x\nkind: styringsaftale\nyear: tyve\nstatus: udkast\n"
    )
    assert problems == [
        "3: 'year' must be a whole number from 2007 to 2100, e.g. `year: 2012`; it is 'tyve'"
    ]


def test_unknown_person_suggests_a_near_one() -> None:
    _, problems = _check(
        schema.COLUMN,
        "title: x\npublication: DK\nauthors:\n  - kjeld-hanssen\n",
        people={"kjeld-hansen"},
    )
    assert problems == [
        "4: unknown person 'kjeld-hanssen': there is no people/kjeld-hanssen.yaml "
        "(did you mean 'kjeld-hansen'?)"
    ]


def test_a_document_needs_file_or_url_not_both() -> None:
    text = "documents:\n  - title: Referat\n    file: a.pdf\n    url: https://kl.dk/a.pdf\n"
    _, problems = _check(schema.MEETING, text, attachments={"a.pdf"})
    assert problems == ["2: a document has both `file:` and `url:`; keep the one it should open"]


def test_missing_attachment() -> None:
    _, problems = _check(schema.MEETING, "documents:\n  - title: Referat\n    file: referat.pdf\n")
    assert problems == [
        "3: attachment 'referat.pdf' does not exist: put the file in files/referat.pdf, or correct the name"
    ]


def test_slug_must_be_safe() -> None:
    _, problems = _check(schema.MEETING, "slug: ../../etc\n")
    assert problems == [
        "1: 'slug' '../../etc' is not a valid slug: use only lower-case a-z, digits and hyphens (e.g. 'etc')"
    ]


def test_forgiving_where_the_meaning_is_clear() -> None:
    clean, problems = _check(
        schema.AGREEMENT, 'title: x\nkind: styringsaftale\nyear: "2012"\nstatus: udkast\n'
    )
    assert problems == [] and clean["year"] == 2012
    clean, problems = _check(schema.MEETING, "agenda:\n  - Budget 2012\n  - title: Eventuelt\n")
    assert problems == []
    assert [a["title"] for a in clean["agenda"]] == ["Budget 2012", "Eventuelt"]


def test_an_unquoted_danish_time_is_read_as_meant() -> None:
    clean, problems = _check(schema.MEETING, "time: 9.30\nend_time: 12.00\n")
    assert problems == []
    assert (clean["time"], clean["end_time"]) == (dt.time(9, 30), dt.time(12, 0))
    _, problems = _check(schema.MEETING, "time: 9.75\n")
    assert problems == [
        "1: 'time' must be a time such as `time: \"09:30\"`; YAML read 9.75 as a number"
    ]


def test_end_time_must_follow_a_start() -> None:
    _, problems = _check(schema.MEETING, 'end_time: "12:00"\n')
    assert problems == ["1: 'end_time' needs a start: add `time:` as well"]
    _, problems = _check(schema.MEETING, 'time: "12:00"\nend_time: "10:00"\n')
    assert problems == ["2: 'end_time' must be after 'time'"]


def test_contact_details_must_be_usable_as_links() -> None:
    _, problems = _check(shared_schema.SECRETARIAT, "email: 'x\" onclick=\"y'\nphone: 33703370\n")
    assert problems == [
        "1: 'email' must be an e-mail address, e.g. `email: kkr@kl.dk`; it is 'x\" onclick=\"y'"
    ]
