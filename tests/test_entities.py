"""Facts the entities answer themselves, with no I/O."""

import datetime as dt
import random
from pathlib import Path
from types import SimpleNamespace

from kkrsite.model.entities import newest_first
from kkrsite.model.shared import Document, Origin, Period, Region, Term


def test_document_file_type() -> None:
    assert Document("Referat", file="referat 2011.PDF").file_type == "PDF"
    assert Document("Notat", url="https://www.kl.dk/notat.docx?v=2").file_type == "DOCX"
    assert Document("Side", url="https://www.kl.dk/kkr/").file_type is None


def test_a_period_holds_both_its_end_years() -> None:
    period = Period(2010, 2013)
    assert period.label == "2010-2013"
    assert period.contains(dt.date(2010, 1, 1)) and period.contains(dt.date(2013, 12, 31))
    assert not period.contains(dt.date(2014, 1, 1))


def test_term_on_a_date() -> None:
    first, second = Term(Period(2010, 2013)), Term(Period(2014, 2017))
    region = Region(
        "x", "KKR X", "Region X", Origin(Path("kkr.yaml"), "kkr/x/kkr.yaml"), terms=(first, second)
    )
    assert region.term_on(dt.date(2015, 6, 1)) is second
    assert region.term_on(dt.date(2009, 6, 1)) is None


def test_a_cancelled_meeting_says_so_where_no_badge_is_shown() -> None:
    import dataclasses

    from kkrsite.model.entities import Meeting, MeetingStatus

    region = Region("x", "KKR X", "Region X", Origin(Path("kkr.yaml"), "kkr/x/kkr.yaml"))
    meeting = Meeting(
        slug="2012-11-22",
        title="Møde i KKR X 22. november 2012",
        origin=Origin(Path("m.md"), "m.md"),
        region=region,
        date=dt.date(2012, 11, 22),
        status=MeetingStatus.CANCELLED,
    )
    assert meeting.headline == "Aflyst: Møde i KKR X 22. november 2012"
    held = dataclasses.replace(meeting, status=MeetingStatus.HELD)
    assert held.headline == held.title


def test_newest_first_breaks_ties_by_the_given_key() -> None:
    from kkrsite.model.entities import Column, newest_first

    def column(slug: str, day: dt.date) -> Column:
        return Column(
            slug=slug, title=slug, origin=Origin(Path(slug), slug), date=day, publication="DK"
        )

    same_day = [column("b", dt.date(2011, 9, 8)), column("a", dt.date(2011, 9, 8))]
    older = column("c", dt.date(2011, 1, 20))
    ordered = newest_first([older, *same_day], lambda c: c.slug)
    assert [c.slug for c in ordered] == ["a", "b", "c"]


def test_the_newest_few_are_the_first_of_the_whole_order_ties_included() -> None:
    """A feed takes its fifty without sorting everything: the same fifty, in the same order."""
    rng = random.Random(7)
    moments = [dt.datetime(2011, 1, d, tzinfo=dt.UTC) for d in (3, 5, 5, 9)]
    items = [SimpleNamespace(published=rng.choice(moments), slug=f"e{n:02d}") for n in range(40)]
    rng.shuffle(items)
    whole = newest_first(items, lambda e: e.slug)  # type: ignore[type-var]
    assert whole[0].published == moments[-1]
    for limit in range(0, 42):
        assert newest_first(items, lambda e: e.slug, limit) == whole[:limit]  # type: ignore[type-var]
