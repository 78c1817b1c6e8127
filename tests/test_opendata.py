"""Open data under /data/: valid JSON, Popolo people, absolute URLs, reproducible bytes."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeSite, options

from kkrsite.links import Links
from kkrsite.model.assemble import assemble
from kkrsite.model.entities import Site, entry_kinds
from kkrsite.opendata import write_data
from kkrsite.read import read_content
from kkrsite.routes import data_files

DATA_FILES = tuple(name for name, _ in data_files())

REPO = Path(__file__).resolve().parent.parent

FILES: dict[str, str | bytes | None] = {
    "people/aase-groenboel.yaml": (
        "name: Aase Grønbøl\ntitle: Borgmester\nparty: F\nmunicipality: Tårnby Kommune\n"
        "photo: personer/aase.jpg\nurl: https://www.taarnby.dk/borgmester\n"
    ),
    "files/personer/aase.jpg": b"\xff\xd8\xff",
    "files/referat 2011.pdf": b"%PDF-1.4\n" + b"x" * 1000,
    "kkr/hovedstaden/kkr.yaml": (
        "name: KKR Hovedstaden\nregion: Region Hovedstaden\n"
        "municipalities: [Herlev, Høje-Taastrup, Tårnby]\n"
        "secretariat:\n  email: kkr@kl.dk\n  phone: '3370 3370'\n"
        "terms:\n"
        "  - period: 2010-2013\n    chair: kjeld-hansen\n    vice_chair: aase-groenboel\n"
        "    members: [kjeld-hansen, aase-groenboel, soeren-aebeloe]\n"
        "  - period: 2014-2017\n    chair: soeren-aebeloe\n    vice_chair: kjeld-hansen\n"
        "appointments:\n"
        "  - body: Vækstforum\n    person: aase-groenboel\n    role: Næstformand\n"
        "    period: 2010-2013\n"
        "  - body: Sundhedskoordinationsudvalget\n    person: kjeld-hansen\n    period: 2014-2017\n"
    ),
    "kkr/sjaelland/kkr.yaml": (
        "name: KKR Sjælland\nregion: Region Sjælland\n"
        "appointments:\n  - body: Vækstforum\n    person: soeren-aebeloe\n    period: 2010-2013\n"
    ),
    "kkr/hovedstaden/meetings/2011-08-24.md": (
        "---\ntime: '10:00'\nend_time: '12:30'\nlocation: Herlev Rådhus\ntopics: [sundhed]\n"
        "summary: Rådet drøftede sundhedsaftalen.\n"
        "agenda:\n  - title: Sundhedsaftale for Øresundsområdet\n    topic: sundhed\n"
        "    decision: Godkendt.\n  - title: Eventuelt\n"
        "documents:\n  - title: Referat\n    file: referat 2011.pdf\n"
        "  - title: KL om sundhed\n    url: https://www.kl.dk/sundhed\n---\nReferat.\n"
    ),
    "kkr/hovedstaden/meetings/2011-10-05.md": "---\nstatus: cancelled\n---\n",
    "kkr/hovedstaden/meetings/2012-03-01.md": "---\ntime: '9.30'\n---\n",
    "kkr/sjaelland/meetings/2011-08-24.md": "---\n---\n",
    "kkr/hovedstaden/agreements/styringsaftale-2012.md": (
        "---\ntitle: Styringsaftale 2012\nkind: styringsaftale\nyear: 2012\nstatus: godkendt\n"
        "date: 2011-10-15\ntopics: [sundhed]\n---\n"
    ),
    "columns/2011-09-01-faelles-ansvar.md": (
        "---\ntitle: Fælles ansvar\npublication: Danske Kommuner\nissue: 26/2011\n"
        "authors: [kjeld-hansen, soeren-aebeloe]\nsummary: Om samarbejdet.\n---\nTekst.\n"
    ),
    "publications/2011-05-01-beretning.md": (
        "---\ntitle: Beretning 2010\nkind: beretning\nregions: [hovedstaden]\n"
        "documents:\n  - title: Beretningen\n    file: referat 2011.pdf\n---\n"
    ),
}


def _site(content: Path, today: dt.date = dt.date(2011, 12, 1)) -> Site:
    tree, problems = read_content(content, entry_kinds())
    site, more = assemble(tree, options(content, today))
    assert problems + more == []
    assert site is not None
    return site


@pytest.fixture
def site(make_site: MakeSite) -> Site:
    return _site(make_site(FILES))


def _data(site: Site, name: str, base_url: str | None = None) -> dict[str, Any]:
    raw = write_data(name, site, Links(base_url or site.config.base_url))
    assert raw.endswith(b"}\n")
    result: dict[str, Any] = json.loads(raw.decode("utf-8"))
    return result


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_file_has_the_envelope(site: Site, name: str) -> None:
    data = _data(site, name)
    lists = ["persons", "organizations", "memberships"] if name == "people" else [name]
    assert list(data) == ["generated_by", "format_version", "source", "timezone", *lists]
    assert data["generated_by"] == "kkrsite" and data["format_version"] == 1
    assert data["source"] == "https://kkr.example.dk/"
    assert data["timezone"] == "Europe/Copenhagen"
    for key in lists:
        assert data[key], f"{name}.json: {key} is empty"
        for obj in data[key]:
            if key != "memberships":
                assert "id" in obj and "url" in obj


@pytest.mark.parametrize("name", DATA_FILES)
def test_output_is_identical_twice_and_keeps_danish_letters(site: Site, name: str) -> None:
    links = Links(site.config.base_url)
    first = write_data(name, site, links)
    assert first == write_data(name, site, Links(site.config.base_url))
    for letter in "æøåÆØÅ":  # ensure_ascii=False: no \u00e6 escapes
        assert f"\\u{ord(letter):04x}".encode() not in first


def test_html_characters_are_escaped_but_read_back(make_site: MakeSite) -> None:
    title = "Styringsaftale <script>alert('&')</script>"  # U+2028 is refused on reading now
    agreement = FILES["kkr/hovedstaden/agreements/styringsaftale-2012.md"]
    assert isinstance(agreement, str)
    site = _site(
        make_site(
            {
                **FILES,
                "kkr/hovedstaden/agreements/styringsaftale-2012.md": agreement.replace(
                    "title: Styringsaftale 2012", f"title: {json.dumps(title)}"
                ),
            }
        )
    )
    raw = write_data("agreements", site, Links(site.config.base_url))
    assert b"<" not in raw and b">" not in raw and b"&" not in raw
    assert b"\\u003cscript\\u003e" in raw
    assert json.loads(raw)["agreements"][0]["title"] == title


def test_danish_letters_are_characters(site: Site) -> None:
    text = write_data("people", site, Links(site.config.base_url)).decode("utf-8")
    assert '"name": "Søren Æbelø"' in text and '"name": "Aase Grønbøl"' in text


def test_unknown_file_is_refused(site: Site) -> None:
    with pytest.raises(ValueError, match="no open-data file called 'nope'"):
        write_data("nope", site, Links(site.config.base_url))


def test_people_are_popolo(site: Site) -> None:
    data = _data(site, "people")
    persons = {p["id"]: p for p in data["persons"]}
    organizations = {o["id"]: o for o in data["organizations"]}
    assert list(persons) == sorted(persons)
    for membership in data["memberships"]:
        assert membership["person_id"] in persons
        assert membership["organization_id"] in organizations
        assert membership["on_behalf_of_id"] in (None, *organizations)
    assert persons["aase-groenboel"] == {
        "id": "aase-groenboel",
        "name": "Aase Grønbøl",
        "url": "https://kkr.example.dk/personer/aase-groenboel/",
        "image": "https://kkr.example.dk/filer/personer/aase.jpg",
        "links": [{"url": "https://www.taarnby.dk/borgmester"}],
        "title": "Borgmester",
        "party": "F",
        "municipality": "Tårnby Kommune",
    }
    assert persons["kjeld-hansen"]["image"] is None and persons["kjeld-hansen"]["links"] == []
    assert organizations["hovedstaden"] == {
        "id": "hovedstaden",
        "name": "KKR Hovedstaden",
        "classification": "kkr",
        "region": "hovedstaden",
        "url": "https://kkr.example.dk/kkr/hovedstaden/",
    }
    # Each region's Vækstforum is its own body.
    assert organizations["hovedstaden/vaekstforum"]["classification"] == "regional_body"
    assert organizations["sjaelland/vaekstforum"]["region"] == "sjaelland"
    assert organizations["sjaelland/vaekstforum"]["name"] == "Vækstforum"


def _memberships(data: dict[str, Any], person: str, organization: str) -> list[dict[str, Any]]:
    return [
        m
        for m in data["memberships"]
        if m["person_id"] == person and m["organization_id"] == organization
    ]


def test_chair_and_vice_chair_memberships(site: Site) -> None:
    data = _data(site, "people")
    # Chair 2010-2013 (also listed as a member: one membership, as chair), vice-chair 2014-2017.
    assert _memberships(data, "kjeld-hansen", "hovedstaden") == [
        {
            "person_id": "kjeld-hansen",
            "organization_id": "hovedstaden",
            "role": "formand",
            "start_date": "2010-01-01",
            "end_date": "2013-12-31",
            "on_behalf_of_id": None,
        },
        {
            "person_id": "kjeld-hansen",
            "organization_id": "hovedstaden",
            "role": "næstformand",
            "start_date": "2014-01-01",
            "end_date": "2017-12-31",
            "on_behalf_of_id": None,
        },
    ]
    roles = [
        (m["role"], m["start_date"]) for m in _memberships(data, "soeren-aebeloe", "hovedstaden")
    ]
    assert roles == [("medlem", "2010-01-01"), ("formand", "2014-01-01")]


def test_appointments_are_memberships_on_behalf_of_the_kkr(site: Site) -> None:
    data = _data(site, "people")
    [vaekstforum] = _memberships(data, "aase-groenboel", "hovedstaden/vaekstforum")
    assert vaekstforum == {
        "person_id": "aase-groenboel",
        "organization_id": "hovedstaden/vaekstforum",
        "role": "Næstformand",
        "start_date": "2010-01-01",
        "end_date": "2013-12-31",
        "on_behalf_of_id": "hovedstaden",
    }
    [health] = _memberships(data, "kjeld-hansen", "hovedstaden/sundhedskoordinationsudvalget")
    assert health["role"] == "medlem" and health["end_date"] == "2017-12-31"


def test_regions(site: Site) -> None:
    hovedstaden, sjaelland = _data(site, "regions")["regions"]
    assert sjaelland["id"] == "sjaelland" and sjaelland["secretariat"] is None
    assert hovedstaden["url"] == "https://kkr.example.dk/kkr/hovedstaden/"
    assert hovedstaden["municipalities"] == ["Herlev", "Høje-Taastrup", "Tårnby"]
    assert hovedstaden["secretariat"] == {
        "email": "kkr@kl.dk",
        "phone": "3370 3370",
        "address": None,
    }
    assert hovedstaden["terms"][0] == {
        "period": "2010-2013",
        "start_date": "2010-01-01",
        "end_date": "2013-12-31",
        "chair": "kjeld-hansen",
        "vice_chair": "aase-groenboel",
        "members": ["kjeld-hansen", "aase-groenboel", "soeren-aebeloe"],
    }
    assert hovedstaden["appointments"][1] == {
        "body": "Sundhedskoordinationsudvalget",
        "person": "kjeld-hansen",
        "role": None,
        "period": "2014-2017",
        "start_date": "2014-01-01",
        "end_date": "2017-12-31",
    }
    assert hovedstaden["feed"] == "https://kkr.example.dk/kkr/hovedstaden/feed.xml"
    assert hovedstaden["calendar"] == "https://kkr.example.dk/kkr/hovedstaden/moeder.ics"


def test_meetings_carry_absolute_urls_status_and_iso_dates(site: Site) -> None:
    meetings = _data(site, "meetings")["meetings"]
    assert [(m["id"], m["status"]) for m in meetings] == [
        ("hovedstaden/2012-03-01", "planned"),
        ("hovedstaden/2011-10-05", "cancelled"),
        ("hovedstaden/2011-08-24", "held"),
        ("sjaelland/2011-08-24", "held"),
    ]
    held = meetings[2]
    assert held == {
        "id": "hovedstaden/2011-08-24",
        "region": "hovedstaden",
        "title": "Møde i KKR Hovedstaden 24. august 2011",
        "date": "2011-08-24",
        "time": "10:00",
        "end_time": "12:30",
        "location": "Herlev Rådhus",
        "status": "held",
        "url": "https://kkr.example.dk/kkr/hovedstaden/moeder/2011-08-24/",
        "topics": ["sundhed"],
        "agenda": [
            {
                "title": "Sundhedsaftale for Øresundsområdet",
                "topic": "sundhed",
                "decision": "Godkendt.",
            },
            {"title": "Eventuelt", "topic": None, "decision": None},
        ],
        "documents": [
            {
                "title": "Referat",
                "url": "https://kkr.example.dk/filer/referat%202011.pdf",
                "type": "PDF",
                "size": 1009,
            },
            {
                "title": "KL om sundhed",
                "url": "https://www.kl.dk/sundhed",
                "type": None,
                "size": None,
            },
        ],
        "summary": "Rådet drøftede sundhedsaftalen.",
        "updated": None,
    }
    assert meetings[0]["time"] == "09:30" and meetings[0]["location"] is None


def test_urls_keep_the_base_urls_folder(site: Site) -> None:
    data = _data(site, "meetings", "https://example.org/kkr-site/")
    held = data["meetings"][2]
    assert held["url"] == "https://example.org/kkr-site/kkr/hovedstaden/moeder/2011-08-24/"
    assert held["documents"][0]["url"] == "https://example.org/kkr-site/filer/referat%202011.pdf"
    assert held["documents"][1]["url"] == "https://www.kl.dk/sundhed"


def test_agreements_columns_publications_topics(site: Site) -> None:
    [agreement] = _data(site, "agreements")["agreements"]
    assert agreement["id"] == "hovedstaden/styringsaftale-2012"
    assert (agreement["kind"], agreement["year"], agreement["status"], agreement["date"]) == (
        "styringsaftale",
        2012,
        "godkendt",
        "2011-10-15",
    )
    assert (
        agreement["url"]
        == "https://kkr.example.dk/kkr/hovedstaden/rammeaftaler/styringsaftale-2012/"
    )
    [column] = _data(site, "columns")["columns"]
    assert column == {
        "id": "faelles-ansvar",
        "title": "Fælles ansvar",
        "date": "2011-09-01",
        "publication": "Danske Kommuner",
        "issue": "26/2011",
        "authors": ["kjeld-hansen", "soeren-aebeloe"],
        "regions": ["hovedstaden"],
        "topics": [],
        "url": "https://kkr.example.dk/klummer/faelles-ansvar/",
        "summary": "Om samarbejdet.",
        "updated": None,
    }
    [publication] = _data(site, "publications")["publications"]
    assert publication["kind"] == "beretning" and publication["regions"] == ["hovedstaden"]
    assert publication["documents"][0]["type"] == "PDF"
    assert publication["url"] == "https://kkr.example.dk/publikationer/beretning/"
    assert _data(site, "topics")["topics"] == [
        {
            "id": "sundhed",
            "name": "Sundhed",
            "description": "Det nære sundhedsvæsen.",
            "url": "https://kkr.example.dk/emner/sundhed/",
            "feed": "https://kkr.example.dk/emner/sundhed/feed.xml",
        }
    ]


def test_example_site_gives_valid_data() -> None:
    site = _site(REPO / "content", dt.date(2017, 1, 1))
    people = _data(site, "people")
    persons = {p["id"] for p in people["persons"]}
    organizations = {o["id"] for o in people["organizations"]}
    assert {m["person_id"] for m in people["memberships"]} <= persons
    assert {m["organization_id"] for m in people["memberships"]} <= organizations
    regions = _data(site, "regions")["regions"]
    assert [r["id"] for r in regions] == [
        "hovedstaden",
        "midtjylland",
        "nordjylland",
        "sjaelland",
        "syddanmark",
    ]
    for name in DATA_FILES:
        for obj in _data(site, name).get(name, []):
            for key in ("date", "start_date", "end_date"):
                if obj.get(key) is not None:
                    dt.date.fromisoformat(obj[key])


DOC = (REPO / "docs/open-data.md").read_text(encoding="utf-8")


def _keys(value: Any) -> set[str]:
    """Every object key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@pytest.mark.parametrize("name", DATA_FILES)
def test_docs_describe_every_field(site: Site, name: str) -> None:
    assert f"\n## {name}.json" in DOC
    undocumented = sorted(k for k in _keys(_data(site, name)) if f"`{k}`" not in DOC)
    assert undocumented == []


def test_docs_example_has_the_fields_of_the_real_file(site: Site) -> None:
    example = json.loads(DOC.split("```json\n", 1)[1].split("```", 1)[0])
    real = _data(site, "people")
    assert list(example) == list(real)
    for key in ("persons", "organizations", "memberships"):
        assert list(example[key][0]) == list(real[key][0])
