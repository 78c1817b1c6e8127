"""YAML is read with the line of every key, and never guesses dates or times."""

import random
from pathlib import Path

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


# Hostile input: content arrives by pull request. Each input below made the old parser
# take minutes, exhaust memory or end in a traceback.

ANCHOR = (
    "YAML anchors and aliases (&name, *name) are not used in kkrsite content: "
    "write the value out in full (a value starting with `&` or `*` must be put in quotes)"
)


def refusal(text: str, first_line: int = 1) -> tuple[int, str]:
    with pytest.raises(YamlError) as caught:
        parse_yaml(text, first_line)
    return caught.value.line, caught.value.message


def test_billion_laughs_is_refused_at_the_first_anchor() -> None:
    laughs = "title: Hej\nlol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
    )
    assert len(laughs.encode()) < 600  # 9**10 strings once expanded
    assert refusal(laughs) == (2, ANCHOR)


def test_an_alias_of_itself_is_refused() -> None:
    assert refusal("title: x\nagenda: &a [*a]\n", first_line=2) == (3, ANCHOR)


def test_an_anchor_alone_is_refused() -> None:
    # `&Co` alone is an anchor on an empty value: the title would silently be empty.
    assert refusal("title: &Co\n") == (1, ANCHOR)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "*vigtigt",
            "YAML syntax error: found undefined alias; "
            "a value starting with `*` must be put in quotes",
        ),
        (
            "*vigtigt*",
            "YAML syntax error: did not find expected alphabetic or numeric character; "
            "a value starting with `*` or `&` must be quoted",
        ),
    ],
)
def test_a_value_starting_with_a_star_still_says_to_quote_it(value: str, message: str) -> None:
    assert refusal(f"summary: x\ntitle: {value}\n") == (2, message)


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!timestamp 2011-02-30", "!!timestamp"),
        ("!!int x", "!!int"),
        ("!!float .nan", "!!float"),
        ("!!binary aGVq", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
        ("!!python/object/apply:os.system [echo hej]", "!!python/object/apply:os.system"),
        ("!!str 2012", "!!str"),
        ("! 2012", "!"),
        ("!vigtigt", "!vigtigt"),
    ],
)
def test_explicit_tags_are_refused_by_name(value: str, tag: str) -> None:
    assert refusal(f"title: x\nyear: {value}\n") == (
        2,
        f"YAML tags such as {tag} are not used in kkrsite content: remove `{tag}` "
        "(a value starting with `!` must be put in quotes)",
    )


def test_a_tag_on_a_list_is_refused() -> None:
    line, message = refusal("title: x\nagenda: !!seq\n  - a\n")
    assert (line, message.split(":")[0]) == (
        2,
        "YAML tags such as !!seq are not used in kkrsite content",
    )


def test_a_tag_spelling_a_control_character_is_not_repeated() -> None:
    # `%1b` in a tag is the escape character: echoed, it would drive the terminal.
    assert refusal("%TAG !e! tag:x.dk,2011:%1b[2J\n---\ntitle: !e!x hej\n") == (
        3,
        "YAML tags such as !!int are not used in kkrsite content: remove the tag "
        "(a value starting with `!` must be put in quotes)",
    )


DEEP = (
    "the fields and lists here are nested more than 20 levels deep; "
    "kkrsite content needs only a few: check the indentation and brackets"
)


def test_deep_brackets_are_refused() -> None:
    assert refusal("title: x\nagenda: " + "[" * 999 + "]" * 999 + "\n") == (2, DEEP)


def test_deep_fields_are_refused_where_they_pass_the_limit() -> None:
    text = "".join(" " * depth + f"level{depth}:\n" for depth in range(999))
    assert refusal(text, first_line=2) == (2 + 20, DEEP)


def test_twenty_levels_are_accepted() -> None:
    parsed = parse_yaml("a: " + "[" * 19 + "1" + "]" * 19 + "\n")
    assert parsed.lines[("a", *[0] * 19)] == 1


def test_numbers_too_big_for_any_field_stay_the_text_written() -> None:
    digits = "1" * 5000  # more than Python converts
    parsed = parse_yaml(f"year: {digits}\nissue: 1234567890123456\ntime: 1.e400\nend: -2.5e999\n")
    assert parsed.data == {
        "year": digits,
        "issue": "1234567890123456",
        "time": "1.e400",
        "end": "-2.5e999",
    }


def test_ordinary_numbers_are_read_as_before() -> None:
    parsed = parse_yaml(
        "year: 2012\ntime: 9.30\nphone: 33703370\nid: 123456789012345\ncount: 1_000\n"
        "neg: -4\nhalf: .5\nhex: 0x1F\nzero: 007\n"
    )
    assert parsed.data == {
        "year": 2012,
        "time": 9.3,
        "phone": 33703370,
        "id": 123456789012345,
        "count": 1000,
        "neg": -4,
        "half": ".5",
        "hex": "0x1F",
        "zero": "007",
    }


def test_yes_no_and_empty_are_read_as_before() -> None:
    parsed = parse_yaml("a: yes\nb: Off\nc:\nd: ~\ne: null\nf: <<\ng: =\n")
    assert parsed.data == {
        "a": True,
        "b": False,
        "c": None,
        "d": None,
        "e": None,
        "f": "<<",
        "g": "=",
    }


@pytest.mark.parametrize(
    ("escaped", "code"),
    [
        ("\\x1b[2J", "001B"),  # clears the terminal the build log is read in
        ("\\0", "0000"),
        ("\\r", "000D"),
        ("\\x7f", "007F"),
        ("\\N", "0085"),
        ("\\u009b2J", "009B"),
    ],
)
def test_control_characters_written_as_escapes_are_refused(escaped: str, code: str) -> None:
    text = f'summary: x\nissue: "26/2011"\ntitle: "Samarbejde{escaped} på tværs"\n'
    assert refusal(text, first_line=2) == (
        4,
        f"the value holds an invisible control character (U+{code}); delete it",
    )


def test_a_control_character_in_a_list_item_is_refused() -> None:
    assert refusal('agenda:\n  - ok\n  - "x\\by"\n') == (
        3,
        "the value holds an invisible control character (U+0008); delete it",
    )


def test_a_raw_control_character_names_its_own_line() -> None:
    text = "title: >\n  Samarbejde\n  på \x1b[2J tværs\n"
    assert refusal(text, first_line=2) == (
        4,
        "this line holds an invisible control character (U+001B); delete it",
    )


def test_a_raw_line_separator_is_refused_as_it_would_shift_every_line() -> None:
    assert refusal("title: a\u2028b\nsummary: x\n") == (
        1,
        "this line holds an invisible line separator (U+2028); delete it",
    )


def test_tabs_and_line_breaks_in_values_are_kept() -> None:
    parsed = parse_yaml('title: "a\\tb"\nsummary: |\n  one\n  two\n')
    assert parsed.data == {"title": "a\tb", "summary": "one\ntwo\n"}


def test_control_characters_in_field_names_are_refused() -> None:
    assert refusal('title: x\n"ti\\x1btle": y\n') == (
        2,
        "the field name holds an invisible control character (U+001B); delete it",
    )


def test_a_field_name_that_breaks_the_line_is_refused() -> None:
    # Field names are repeated in messages, which are one line each.
    assert refusal('title: x\n"a\\nb.md:1: falsk": y\n') == (
        2,
        "the field name holds an invisible or unknown character (U+000A); "
        "field names are words such as `title`",
    )


def test_over_long_values_are_refused() -> None:
    assert parse_yaml("summary: " + "x" * 10_000 + "\n").data == {"summary": "x" * 10_000}
    assert refusal("title: x\nsummary: " + "x" * 10_001 + "\n") == (
        2,
        "the value is 10,001 characters long, more than the 10,000 kkrsite accepts; shorten it",
    )


def test_over_long_field_names_are_refused() -> None:
    assert refusal("title: x\n" + "t" * 101 + ": y\n") == (
        2,
        "the field name is 101 characters long, more than the 100 kkrsite accepts; shorten it",
    )


def test_a_list_as_a_field_name_is_refused() -> None:
    assert refusal("title: x\n[a, b]: y\n") == (
        2,
        "a field name must be a word followed by `:` (`name: value`), "
        "not a list or a group of fields",
    )


def test_a_second_document_is_refused() -> None:
    assert refusal("title: x\n---\ntitle: y\n") == (
        2,
        "a second YAML document starts here, after `---` or `...`; "
        "a file holds one document: remove that line or what follows it",
    )


def _mutations(rng: random.Random, text: str) -> str:
    pieces = ["&a ", "*a", "!!int ", "[", "{", "]", ": ", "- ", "\n  ", '"', "'", "\\", "\t",
              "#", "?", "|", "%TAG ! !x\n", "---\n", "1.e400", "\x1b", '"\\x1b"', "\u2028"]  # fmt: skip
    for _ in range(rng.randint(1, 5)):
        at = rng.randint(0, len(text))
        roll = rng.random()
        if roll < 0.5:
            text = text[:at] + rng.choice(pieces) + text[at:]
        elif roll < 0.7:
            text = text[:at] + text[at + rng.randint(1, 12) :]
        else:
            text = text[:at] + chr(rng.randint(0, 0x3000)) + text[at:]
    return text


def test_no_input_gives_anything_but_a_yaml_error_on_a_line_of_the_text() -> None:
    root = Path(__file__).resolve().parent.parent / "content"
    corpus = [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.yaml"))]
    corpus += [p.read_text(encoding="utf-8").split("---\n")[1] for p in sorted(root.rglob("*.md"))]
    rng = random.Random(7)
    texts = [_mutations(rng, rng.choice(corpus)) for _ in range(1500)]
    texts += [bytes(rng.randrange(256) for _ in range(80)).decode("latin-1") for _ in range(300)]
    refused = 0
    for text in texts:
        try:
            parse_yaml(text, first_line=2)
        except YamlError as error:
            refused += 1
            assert 2 <= error.line <= 2 + text.count("\n"), (text, error)
            assert error.message.isprintable(), (text, error)
    assert 0 < refused < len(texts)


def test_a_flood_of_values_is_refused_as_it_is_read() -> None:
    text = "name: x\nfoo: [" + ", ".join("1" for _ in range(30_000)) + "]\n"
    with pytest.raises(YamlError) as caught:
        parse_yaml(text)
    assert caught.value.line == 2
    assert caught.value.message.startswith("the file holds more than 20,000 values")
