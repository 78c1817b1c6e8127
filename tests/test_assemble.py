"""The model: derived facts computed once, drafts and future entries left out."""

import datetime as dt
from pathlib import Path

from conftest import MakeSite, options

from kkrsite.model.assemble import assemble
from kkrsite.model.entities import MeetingStatus, Site, entry_kinds
from kkrsite.read import read_content

COLUMN = (
    "---\ntitle: Klumme\npublication: Danske Kommuner\nauthors: [kjeld-hansen]\n{extra}---\nTekst\n"
)


def _site(content: Path, today: dt.date = dt.date(2011, 12, 1), **kw: object) -> Site:
    tree, problems = read_content(content, entry_kinds())
    site, more = assemble(tree, options(content, today, **kw))
    assert problems + more == []
    assert site is not None
    return site


def _problems(content: Path) -> list[str]:
    tree, problems = read_content(content, entry_kinds())
    _, more = assemble(tree, options(content))
    return [
        f"{p.path.relative_to(content).as_posix()}:{p.line}: {p.message}" for p in problems + more
    ]


def test_chair_on_a_date(make_site: MakeSite) -> None:
    region = _site(make_site()).regions[0]
    assert region.term_on(dt.date(2011, 8, 29)).chair.name == "Kjeld Hansen"  # type: ignore[union-attr]
    later = region.term_on(dt.date(2015, 1, 1))
    assert later is not None and later.chair and later.chair.name == "Søren Æbelø"
    assert region.term_on(dt.date(2019, 1, 1)) is None


def test_column_regions_default_to_what_the_authors_chaired(make_site: MakeSite) -> None:
    site = _site(make_site({"columns/2011-09-01-klumme.md": COLUMN.format(extra="")}))
    [column] = site.columns
    assert column.slug == "klumme" and column.date == dt.date(2011, 9, 1)
    assert [r.slug for r in column.regions] == ["hovedstaden"]
    # In 2015 Kjeld Hansen was vice-chair, not chair: the column concerns no region by default.
    site = _site(
        make_site({"columns/2015-09-01-klumme.md": COLUMN.format(extra="")}), dt.date(2016, 1, 1)
    )
    assert site.columns[0].regions == ()


def test_meeting_status_follows_the_date(make_site: MakeSite) -> None:
    content = make_site({"kkr/hovedstaden/meetings/2012-03-01.md": "---\n---\n"})
    site = _site(content, dt.date(2011, 12, 1))
    statuses = {m.date.isoformat(): m.status for m in site.meetings}
    assert statuses == {"2012-03-01": MeetingStatus.PLANNED, "2011-08-24": MeetingStatus.HELD}
    assert site.meetings[0].title == "Møde i KKR Hovedstaden 1. marts 2012"


def test_drafts_and_future_entries_are_left_out_unless_asked_for(make_site: MakeSite) -> None:
    content = make_site(
        {
            "columns/2011-09-01-kladde.md": COLUMN.format(extra="draft: true\n"),
            "columns/2012-06-01-senere.md": COLUMN.format(extra=""),
        }
    )
    assert _site(content).columns == ()
    assert [c.slug for c in _site(content, drafts=True).columns] == ["kladde"]
    assert [c.slug for c in _site(content, future=True).columns] == ["senere"]


def test_publication_without_regions_concerns_all(make_site: MakeSite) -> None:
    text = "---\ntitle: Beretning\nkind: beretning\nregions: []\n---\n"
    content = make_site(
        {
            "publications/2011-05-01-beretning.md": text,
            "kkr/sjaelland/kkr.yaml": "name: KKR Sjælland\nregion: Region Sjælland\n",
        }
    )
    site = _site(content)
    assert [r.slug for r in site.publications[0].regions] == ["hovedstaden", "sjaelland"]
    assert [e.slug for e in site.indexes.entries_by_region["sjaelland"]] == ["beretning"]


def test_person_roles_by_period(make_site: MakeSite) -> None:
    site = _site(make_site())
    roles = [(r.title, r.period.label) for r in site.indexes.roles_by_person["kjeld-hansen"]]
    assert roles == [
        ("Formand for KKR Hovedstaden", "2010-2013"),
        ("Næstformand for KKR Hovedstaden", "2014-2017"),
    ]


def test_overlapping_terms(make_site: MakeSite) -> None:
    region = (
        "name: KKR Hovedstaden\nregion: Region Hovedstaden\nterms:\n"
        "  - period: 2010-2013\n  - period: 2013-2016\n"
    )
    assert _problems(make_site({"kkr/hovedstaden/kkr.yaml": region})) == [
        "kkr/hovedstaden/kkr.yaml:5: the terms 2010-2013 and 2013-2016 overlap: "
        "a region has one chair at a time"
    ]


def test_a_broken_person_file_is_reported_once(make_site: MakeSite) -> None:
    content = make_site(
        {"people/kjeld-hansen.yaml": "name: Kjeld Hansen\ntitle: Borgmester\nparty: S\n"}
    )
    problems = _problems(content)
    assert len(problems) == 1 and "'municipality' is missing" in problems[0]


def test_meeting_file_name_must_be_a_date(make_site: MakeSite) -> None:
    content = make_site({"kkr/hovedstaden/meetings/augustmoedet.md": "---\n---\n"})
    assert _problems(content) == [
        "kkr/hovedstaden/meetings/augustmoedet.md:None: a meeting's file name must start with its "
        "date: name it like 2011-08-29.md (or 2011-08-29-ekstraordinaert.md for a second meeting that day)"
    ]


def test_a_chair_listed_among_members_has_one_role(make_site: MakeSite) -> None:
    region = (
        "name: KKR Hovedstaden\nregion: Region Hovedstaden\nterms:\n"
        "  - period: 2010-2013\n    chair: kjeld-hansen\n    members: [kjeld-hansen, soeren-aebeloe]\n"
    )
    site = _site(make_site({"kkr/hovedstaden/kkr.yaml": region}))
    assert [r.title for r in site.indexes.roles_by_person["kjeld-hansen"]] == [
        "Formand for KKR Hovedstaden"
    ]
    assert [r.title for r in site.indexes.roles_by_person["soeren-aebeloe"]] == [
        "Medlem af KKR Hovedstaden"
    ]
