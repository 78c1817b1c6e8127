"""A content kind is declared in one place: a throwaway kind added here gets everything.

docs/architecture.md says what a new site-wide kind needs: its entity declaration,
its schema record, its two templates, its docs and its tests. This test adds a kind
("nyheder", news) with exactly the first three, defined here, and checks that the
build gives it what every site-wide kind has: a list page, a page per entry, a feed,
an open-data file, a place in the footer, a place in the region and topic lists.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Annotated

import pytest
from conftest import run_kkrsite

from kkrsite.kinds import EntryKind
from kkrsite.model import entities, schema
from kkrsite.model.entities import Entry, entry_kinds
from kkrsite.model.fields import ListOf, Spec, record
from kkrsite.model.schema import EntryData
from kkrsite.model.shared import Region
from kkrsite.model.values import URL, Date, Ref, Text

BASE = Path(__file__).resolve().parent / "sites" / "invalid" / "_base"


@dataclasses.dataclass(frozen=True, kw_only=True)
class News(Entry):
    """A piece of news from the secretariat (a throwaway kind for this test)."""

    date: dt.date
    source: str | None = None
    regions: tuple[Region, ...] = ()

    KIND = EntryKind(
        name="news",
        collection="news_items",
        key="nyhed",
        label="Nyhed",
        plural="Nyheder",
        folder="nyheder",
        in_region=False,
        path="nyheder",
        feed_title="KKR-nyheder",
    )

    @property
    def sort_date(self) -> dt.date:
        return self.date

    @property
    def in_regions(self) -> tuple[Region, ...]:
        return self.regions


class NewsData(EntryData):
    """nyheder/<YYYY-MM-DD>-<slug>.md."""

    title: Annotated[str, Spec(Text(), "the headline", required=True)]
    date: Annotated[dt.date | None, Spec(Date(), "the day it was published")]
    source: Annotated[str | None, Spec(URL, "where the news came from")]
    regions: Annotated[tuple[str, ...], Spec(ListOf(Ref("region")), "the regions it concerns")]


NEWS = record(NewsData, last=EntryData)

TEMPLATES = {
    "news.html": (
        "{% extends 'base.html' %}{% block content %}<h1>{{ news.title }}</h1>"
        "{{ markdown(news) }}{% endblock %}\n"
    ),
    "news_items.html": (
        "{% extends 'base.html' %}{% block content %}<h1>{{ page.title }}</h1><ul>"
        "{% for n in items %}<li><a href='{{ url(n) }}'>{{ n.title }}</a></li>{% endfor %}"
        "</ul>{% endblock %}\n"
    ),
}


@pytest.fixture
def with_news(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entities, "ENTRY_CLASSES", (*entities.ENTRY_CLASSES, News))
    monkeypatch.setitem(schema.ENTRY_RECORDS, "news", NEWS)


def test_a_kind_declared_in_one_place_gets_its_pages_feed_and_data(
    with_news: None, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(BASE, site)
    (site / "templates").mkdir()
    for name, text in TEMPLATES.items():
        (site / "templates" / name).write_text(text, encoding="utf-8")
    (site / "content/nyheder").mkdir()
    (site / "content/nyheder/2011-10-03-nyt-sekretariat.md").write_text(
        "---\ntitle: Nyt sekretariat i Hovedstaden\nsource: https://www.kl.dk/\n"
        "regions: [hovedstaden]\ntopics: [sundhed]\n---\nSekretariatet flytter.\n",
        encoding="utf-8",
    )

    result = run_kkrsite("build", cwd=site, epoch="1322697600")

    assert result.returncode == 0, result.stderr
    out = site / "build"
    page = (out / "nyheder/nyt-sekretariat/index.html").read_text(encoding="utf-8")
    assert "<h1>Nyt sekretariat i Hovedstaden</h1>" in page and "Sekretariatet flytter." in page
    listing = (out / "nyheder/index.html").read_text(encoding="utf-8")
    assert "href='/nyheder/nyt-sekretariat/'" in listing
    assert 'href="/nyheder/">Nyheder</a>' in listing  # the footer links the list
    feed = (out / "nyheder/feed.xml").read_text(encoding="utf-8")
    assert "<title>KKR-nyheder</title>" in feed and "nyt-sekretariat" in feed
    data = json.loads((out / "data/news_items.json").read_text(encoding="utf-8"))
    [item] = data["news_items"]
    assert item["id"] == "nyt-sekretariat" and item["regions"] == ["hovedstaden"]
    assert item["source"] == "https://www.kl.dk/" and item["date"] == "2011-10-03"
    for listed_on in ("kkr/hovedstaden/index.html", "emner/sundhed/index.html", "index.html"):
        assert "/nyheder/nyt-sekretariat/" in (out / listed_on).read_text(encoding="utf-8")


def test_a_kind_without_a_record_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entities, "ENTRY_CLASSES", (*entities.ENTRY_CLASSES, News))
    with pytest.raises(LookupError, match="the entry kind 'news' has no record"):
        schema.record_of(News.KIND)


def test_every_kind_is_complete() -> None:
    """Names are unique, a record exists, and both templates ship with kkrsite."""
    templates = Path(__file__).resolve().parent.parent / "templates"
    kinds = entry_kinds()
    for attribute in ("name", "collection", "key", "folder", "path"):
        values = [getattr(k, attribute) for k in kinds]
        assert len(set(values)) == len(values), attribute
    for kind in kinds:
        assert schema.record_of(kind) is schema.ENTRY_RECORDS[kind.name]
        assert (templates / kind.page_template).is_file(), kind.page_template
        if not kind.in_region:
            assert (templates / kind.list_template).is_file(), kind.list_template
