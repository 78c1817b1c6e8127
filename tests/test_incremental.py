"""Incremental builds make exactly what a clean build makes, byte for byte.

Each case starts from tests/sites/flere-aar built once (so the build cache and the
output folder are this machine's), makes one change a user would make, builds again,
and compares the output with a clean build of the changed site. Both ways of
building again are checked: the command line (the cache beside build/, as
`kkrsite build` runs on Netlify) and one Builder kept across builds (as `kkrsite
serve` keeps it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, MakeSite, run_kkrsite, tree

from kkrsite import opendata
from kkrsite.build import load, render
from kkrsite.builder import Builder
from kkrsite.config import Options

SITE = REPO / "tests/sites/flere-aar/content"
EPOCH = "1322697600"  # 1 December 2011
TODAY = dt.date(2011, 12, 1)

Edit = Callable[[Path], None]
"""A change to a site folder (content/ and templates/ inside it)."""


def append(rel: str, text: str) -> Edit:
    def edit(site: Path) -> None:
        path = site / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return edit


def replace(rel: str, old: str, new: str) -> Edit:
    def edit(site: Path) -> None:
        path = site / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {rel}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def write(rel: str, text: str) -> Edit:
    def edit(site: Path) -> None:
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    return edit


def rename(rel: str, new: str) -> Edit:
    return lambda site: (site / rel).rename(site / new)


def delete(rel: str) -> Edit:
    return lambda site: (site / rel).unlink()


def template(name: str, text: str) -> Edit:
    """A user template (templates/ beside content/), shadowing the built-in one."""
    return write(f"templates/{name}", text)


def overridden(name: str, old: str, new: str) -> Edit:
    """A user template: the built-in one called `name`, with `old` made `new` once."""
    return template(name, (BUILTIN / name).read_text(encoding="utf-8").replace(old, new, 1))


COLUMN = "content/columns/2011-09-08-faelles-ansvar-for-socialomraadet.md"
MEETING = "content/kkr/hovedstaden/meetings/2011-08-29.md"
AGREEMENT = "content/kkr/hovedstaden/agreements/udviklingsstrategi-2012.md"
PUBLICATION = "content/publications/2011-04-01-beretning-2010.md"
BUILTIN = REPO / "templates"

CASES: dict[str, list[Edit]] = {
    "column body": [append(COLUMN, "\nEt nyt afsnit med **fed** tekst.\n")],
    "column title": [replace(COLUMN, "title: Fælles ansvar", "title: Fælles og delt ansvar")],
    "column added": [
        write(
            "content/columns/2011-10-10-ny-klumme.md",
            "---\ntitle: En ny klumme\npublication: Danske Kommuner\nauthors: [soeren-aebeloe]\n"
            "topics: [sundhed]\n---\nTekst om sundhed.\n",
        )
    ],
    "column renamed": [rename(COLUMN, COLUMN.replace("faelles-ansvar", "delt-ansvar"))],
    "column deleted": [delete(COLUMN)],
    "meeting title of an agenda point": [
        replace(MEETING, "Sundhedsaftaler 2011–2014", "Nye aftaler")
    ],
    "meeting cancelled": [
        replace(MEETING, "date: 2011-08-29\n", "date: 2011-08-29\nstatus: aflyst\n")
    ],
    "agreement status": [replace(AGREEMENT, "status: anbefalet", "status: godkendt")],
    "publication deleted, its attachment unused": [delete(PUBLICATION)],
    "person renamed": [
        replace("content/people/soeren-aebeloe.yaml", "Søren Æbelø", "Søren Æ. Æbelø")
    ],
    "topic described": [replace("content/topics.yaml", "Samarbejdet mellem", "Samspillet mellem")],
    "site title": [replace("content/site.yaml", "prøvesite", "testsite")],
    "attachment linked from a body": [
        write("content/files/bilag.txt", "Et bilag.\n"),
        append(COLUMN, "\nSe [bilaget](/filer/bilag.txt).\n"),
    ],
    "attachment replaced": [
        lambda site: (site / "content/files/beretning-2010.pdf").write_bytes(
            (site / "content/files/beretning-2010.pdf").read_bytes() + b"\n%% tillaeg\n"
        )
    ],
    "page template overridden": [overridden("column.html", "</h1>", "</h1>\n<p>Egen</p>")],
    "macro file overridden": [
        overridden(
            "_macros.html",
            "{% macro person_line(p) -%}",
            "{% macro person_line(p) -%}\n<!-- egen -->",
        )
    ],
    "base layout overridden": [
        overridden("base.html", "</head>", '<meta name="egen" content="1">\n</head>')
    ],
    "stylesheet overridden": [
        template(
            "static/style.css",
            (BUILTIN / "static/style.css").read_text(encoding="utf-8") + "\nbody { margin: 0; }\n",
        )
    ],
    "meeting added": [
        write(
            "content/kkr/sjaelland/meetings/2011-09-15.md",
            "---\nlocation: Sorø Rådhus\ntopics: [sundhed]\nagenda:\n  - Sundhedsaftaler\n---\n"
            "Referat følger.\n",
        )
    ],
    "region's municipalities": [
        replace("content/kkr/sjaelland/kkr.yaml", "[Køge, Næstved, Sorø]", "[Køge, Sorø]")
    ],
    "publication added": [
        write(
            "content/publications/2011-06-01-notat-om-trafik.md",
            "---\ntitle: Notat om trafik\nkind: notat\ntopics: [sundhed]\n---\nKort notat.\n",
        )
    ],
    "two changes at once": [
        append(MEETING, "\nTilføjet efter mødet.\n"),
        delete("content/columns/2011-11-24-vaekst-i-hele-regionen.md"),
    ],
}


def build_cli(site: Path, *flags: str) -> str:
    result = run_kkrsite("build", *flags, cwd=site, epoch=EPOCH)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of flere-aar with build/ built beside it by the command line (and its cache)."""
    folder = tmp_path / "site"
    shutil.copytree(SITE, folder / "content")
    build_cli(folder)
    return folder


@pytest.fixture
def small_site(make_site: MakeSite, tmp_path: Path) -> Path:
    """The tests' smallest valid site with build/ built beside it, for the cache's rules."""
    folder = tmp_path / "small"
    folder.mkdir()
    shutil.move(make_site(), folder / "content")
    build_cli(folder)
    return folder


SMALL_MEETING = "content/kkr/hovedstaden/meetings/2011-08-24.md"


def clean_tree(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """The output of a clean build of `site` elsewhere."""
    out = tmp_path / "clean"
    build_cli(site, "--clean", "--out", str(out))
    return tree(out)


FAST_CASES = ("column body", "attachment linked from a body", "page template overridden")
"""A content change, a change that adds a published file, a template change: in the fast
suite; the rest run in the whole suite (`thorough`)."""


@pytest.mark.parametrize(
    "case",
    [c if c in FAST_CASES else pytest.param(c, marks=pytest.mark.thorough) for c in CASES],
    ids=list(CASES),
)
def test_a_rebuild_after_a_change_equals_a_clean_build(
    case: str, site: Path, tmp_path: Path
) -> None:
    before = tree(site / "build")
    for edit in CASES[case]:
        edit(site)
    said = build_cli(site)
    after = tree(site / "build")
    assert after == clean_tree(site, tmp_path)
    assert after != before, "the change changed nothing: the case tests nothing"
    # Only what changed was made again, for a change that is not site-wide.
    if "made again" in said:
        made = int(said.split("(")[1].split(" of ")[0])
        assert made < len(
            [p for p in after if p.endswith((".html", ".xml", ".ics", ".json", ".txt"))]
        )


def test_nothing_changed_makes_nothing(small_site: Path) -> None:
    before = {p: (small_site / "build" / p).stat().st_mtime_ns for p in tree(small_site / "build")}
    said = build_cli(small_site)
    assert "(0 of " in said and ", 0 files changed)" in said
    after = {p: (small_site / "build" / p).stat().st_mtime_ns for p in tree(small_site / "build")}
    assert after == before


KEPT_BUILDER_CASES = [
    "column body",
    "column renamed",
    "attachment linked from a body",
    "macro file overridden",
    "site title",
]


@pytest.mark.thorough
def test_a_kept_builder_follows_changes_and_their_undoing(tmp_path: Path) -> None:
    """One Builder across a sequence of changes, each undone again, as `kkrsite serve` uses it."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site / "content")
    (site / "templates").mkdir()
    options = Options(
        content=site / "content", out=site / "preview", today=TODAY, templates=site / "templates"
    )
    builder = Builder(options)
    builder.build()
    original = tree(site / "preview")
    for case in KEPT_BUILDER_CASES:
        for edit in CASES[case]:
            edit(site)
        result = builder.build()
        clean = tmp_path / "clean"
        Builder(dataclasses.replace(options, out=clean), clean=True).build()
        assert tree(site / "preview") == tree(clean), f"after '{case}'"
        assert result.changed, f"after '{case}'"
        if case not in ("macro file overridden", "site title"):  # those touch every page
            everything = result.pages + result.others
            assert result.made < everything / 2, f"after '{case}' too much was made again"
        shutil.rmtree(clean)
        # Undone: the site is the original again, and so is the output.
        for folder in ("content", "templates"):
            shutil.rmtree(site / folder)
        shutil.copytree(SITE, site / "content")
        (site / "templates").mkdir()
        undone = builder.build()
        assert tree(site / "preview") == original, f"after undoing '{case}'"
        # (Copied anew, every attachment is new on disk, so it is copied again too.)
        generated = {p for p in undone.changed if not p.startswith("filer/")}
        assert generated == {p for p in result.changed if not p.startswith("filer/")}, case


def test_a_cache_and_build_from_a_pull_request_are_not_trusted(
    small_site: Path, tmp_path: Path
) -> None:
    """A pull request may commit build/ and .kkrsite-cache/: a clone carries neither trust."""
    index = small_site / "build/index.html"
    index.write_bytes(index.read_bytes().replace(b"<main", b"<script>alert(1)</script><main", 1))
    cloned = tmp_path / "clone"
    shutil.copytree(small_site, cloned)  # as a checkout of the commit would bring them
    said = build_cli(cloned)
    assert "made again" not in said  # a whole build
    assert b"<script>" not in (cloned / "build/index.html").read_bytes()
    assert tree(cloned / "build") == clean_tree(cloned, tmp_path)


def test_a_hand_edited_output_file_is_made_again(small_site: Path, tmp_path: Path) -> None:
    index = small_site / "build/index.html"
    index.write_bytes(index.read_bytes() + b"<!-- rettet i haanden -->")
    said = build_cli(small_site)
    assert "(1 of " in said
    assert tree(small_site / "build") == clean_tree(small_site, tmp_path)


def test_a_corrupt_cache_is_ignored_with_a_warning(small_site: Path, tmp_path: Path) -> None:
    (small_site / ".kkrsite-cache/build.sqlite").write_bytes(b"SQLite format 3\0" + b"\xff" * 500)
    result = run_kkrsite("build", cwd=small_site, epoch=EPOCH)
    assert result.returncode == 0, result.stderr
    assert "kkrsite: warning: the build cache" in result.stderr
    assert "could not be read" in result.stderr and "built from scratch" in result.stderr
    assert tree(small_site / "build") == clean_tree(small_site, tmp_path)


EVERY_TEMPLATE = sorted(p.name for p in BUILTIN.glob("*.html"))
SHARED_TEMPLATES = ["_macros.html", "base.html", "column.html"]
"""Templates others import and extend, and a page's own, in the fast suite."""


@pytest.mark.parametrize(
    "names",
    [
        pytest.param(SHARED_TEMPLATES, id="shared"),
        pytest.param(EVERY_TEMPLATE, id="every", marks=pytest.mark.thorough),
    ],
)
def test_a_change_to_a_template_remakes_what_uses_it(
    names: list[str], make_site: MakeSite, tmp_path: Path
) -> None:
    """Templates overridden in turn: the kept Builder's output is a clean build's."""
    content = make_site()
    templates = tmp_path / "templates"
    templates.mkdir()
    options = Options(content=content, out=tmp_path / "out", today=TODAY, templates=templates)
    builder = Builder(options)
    builder.build()
    changed_output = []
    for source in (BUILTIN / name for name in names):
        text = source.read_text(encoding="utf-8")
        at = text.find("</")  # an HTML comment before the first end tag: output changes
        (templates / source.name).write_text(text[:at] + "<!--x-->" + text[at:], encoding="utf-8")
        result = builder.build()
        clean = render(options, load(options))
        built = tree(options.out)
        assert {p: built[p] for p in clean.files} == dict(clean.files), source.name
        if result.changed:
            changed_output.append(source.name)
        (templates / source.name).unlink()
    # Nearly every template shows in the output of a small site (a few lists may stay empty).
    allowed_unseen = 3 if len(names) > len(SHARED_TEMPLATES) else 0
    assert len(changed_output) >= len(names) - allowed_unseen, changed_output


def test_a_cache_folder_that_is_a_link_is_not_written_through(
    small_site: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(small_site / ".kkrsite-cache")
    (small_site / ".kkrsite-cache").symlink_to(elsewhere)
    append(SMALL_MEETING, "\nEt afsnit mere.\n")(small_site)
    result = run_kkrsite("build", cwd=small_site, epoch=EPOCH)
    assert result.returncode == 0, result.stderr
    assert "is not a folder kkrsite may write its build cache in; no cache kept" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert tree(small_site / "build") == clean_tree(small_site, tmp_path)


def test_a_body_edit_does_not_make_the_open_data_again(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Open data lists no bodies: its file is not made again for a change it cannot show."""
    content = make_site()
    options = Options(content=content, out=tmp_path / "out", today=TODAY)
    builder = Builder(options)
    builder.build()
    made: list[str] = []
    real = opendata.write_data
    monkeypatch.setattr(
        opendata, "write_data", lambda name, *args: made.append(name) or real(name, *args)
    )
    append(SMALL_MEETING, "\nEt afsnit mere.\n")(content.parent)
    assert "moeder" in "".join(builder.build().changed)
    assert made == []
    replace(SMALL_MEETING, "topics:", "location: Rådhuset\ntopics:")(content.parent)
    builder.build()
    assert made == ["meetings"]
    clean, built = render(options, load(options)), tree(options.out)
    assert {p: built[p] for p in clean.files} == dict(clean.files)


def test_the_page_of_the_entry_just_saved_is_written_first(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """`kkrsite serve` reloads the page being edited before the rest of the site is made."""
    content = make_site()
    options = Options(content=content, out=tmp_path / "out", today=TODAY)
    told: list[tuple[frozenset[str], bytes]] = []
    page = "kkr/hovedstaden/moeder/2011-08-24/index.html"

    def first(pages: frozenset[str]) -> None:
        told.append((pages, (options.out / page).read_bytes()))

    builder = Builder(options, first=first)
    builder.build()
    append(SMALL_MEETING, "\nEt afsnit mere.\n")(content.parent)
    result = builder.build()
    assert [pages for pages, _ in told] == [frozenset({page})]
    assert b"Et afsnit mere." in told[0][1]  # on disk when the browsers were told
    assert page not in result.changed and result.changed  # the feeds came after
    clean, built = render(options, load(options)), tree(options.out)
    assert {p: built[p] for p in clean.files} == dict(clean.files)
    # A change every entry depends on is not a save of one entry: nothing goes first.
    replace("content/site.yaml", "title:", "title: Ny")(content.parent)
    told.clear()
    builder.build()
    assert told == []
    clean, built = render(options, load(options)), tree(options.out)
    assert {p: built[p] for p in clean.files} == dict(clean.files)


# --- random sequences of saves ------------------------------------------------------------

WORDS = [
    "kommune",
    "region",
    "sundhed",
    "vækst",
    "aftale",
    "møde",
    "borger",
    "trafik",
    "skole",
    "ældre",
]


def _random_md(site: Path, rng: random.Random) -> Path:
    return rng.choice(sorted((site / "content").rglob("*.md")))


def _edit_body(site: Path, rng: random.Random) -> None:
    path = _random_md(site, rng)
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
    heading = rng.choice(["", "## Nyt afsnit\n\n", "# Stor overskrift\n\n"])
    append(str(path.relative_to(site)), f"\n{heading}{words.capitalize()}.\n")(site)


def _edit_title(site: Path, rng: random.Random) -> None:
    path = rng.choice(sorted((site / "content/columns").glob("*.md")))
    text = path.read_text(encoding="utf-8-sig")
    lines = [
        f"title: {rng.choice(WORDS).capitalize()} og {rng.choice(WORDS)}"
        if line.startswith("title:")
        else line
        for line in text.split("\n")
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _add_column(site: Path, rng: random.Random) -> None:
    day = f"2011-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
    slug = f"{rng.choice(WORDS)}-{rng.randint(1, 10_000)}".replace("æ", "ae").replace("ø", "oe")
    author = rng.choice(sorted(p.stem for p in (site / "content/people").glob("*.yaml")))
    write(
        f"content/columns/{day}-{slug}.md",
        f"---\ntitle: Om {rng.choice(WORDS)}\nauthors: [{author}]\n"
        f"topics: [{rng.choice(['sundhed', 'erhverv'])}]\n---\nTekst om {rng.choice(WORDS)}.\n",
    )(site)


def _remove_or_rename_column(site: Path, rng: random.Random) -> None:
    columns = sorted((site / "content/columns").glob("*.md"))
    if len(columns) < 3:
        return
    path = rng.choice(columns)
    if rng.random() < 0.5:
        path.unlink()
    else:
        path.rename(path.with_name(path.name.replace(".md", f"-{rng.randint(1, 99)}.md")))


def _edit_shared(site: Path, rng: random.Random) -> None:
    name = rng.choice(WORDS).capitalize()
    edits = [
        replace("content/site.yaml", "title: ", f"title: {name} "),
        replace("content/people/soeren-aebeloe.yaml", "Søren", f"Søren {name}"),
        replace("content/topics.yaml", "name: Sundhed", f"name: Sundhed {name}"),
    ]
    rng.choice(edits)(site)


def _toggle_template(site: Path, rng: random.Random) -> None:
    override = site / "templates/column.html"
    if override.exists():
        override.unlink()
    else:
        overridden("column.html", "</h1>", f"</h1>\n<p>{rng.choice(WORDS)}</p>")(site)


RANDOM_EDITS = [_edit_body, _edit_body, _edit_title, _add_column, _remove_or_rename_column,
                _edit_shared, _toggle_template]  # fmt: skip


@pytest.mark.thorough
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_saves_in_a_row_equal_clean_builds(seed: int, tmp_path: Path) -> None:
    """Saves as an editor makes them, one after another, into one kept Builder (as `kkrsite
    serve` keeps it, the page saved written first) and into a new one each time (as `kkrsite
    build` runs, on the build cache): after each save, both outputs are a clean build's."""
    rng = random.Random(seed)
    site = tmp_path / "site"
    shutil.copytree(SITE, site / "content")
    (site / "templates").mkdir()
    options = Options(
        content=site / "content", out=site / "preview", today=TODAY, templates=site / "templates"
    )
    told: list[frozenset[str]] = []
    builder = Builder(options, first=told.append)
    builder.build()
    # And as `kkrsite build` runs after each save: a new Builder each time, on the build cache.
    built = dataclasses.replace(options, out=site / "build")
    Builder(built, keep=False).build()
    clean = tmp_path / "clean"
    for step in range(10):
        edit = rng.choice(RANDOM_EDITS)
        edit(site, rng)
        builder.build()
        Builder(built, keep=False).build()
        Builder(dataclasses.replace(options, out=clean), clean=True, keep=False).build()
        assert tree(site / "preview") == tree(clean), f"step {step}: {edit.__name__}"
        assert tree(site / "build") == tree(clean), f"step {step}: {edit.__name__}, cached"
        shutil.rmtree(clean)
    assert told, "no save went first: the sequence did not test that way"
