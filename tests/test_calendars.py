"""iCalendar files load in an RFC 5545 parser, with stable UIDs, right times and a VTIMEZONE."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from icalendar.prop import vCategory

from kkrsite.calendars import vtimezone, write_ics
from kkrsite.links import Links
from kkrsite.model.entities import Meeting, MeetingStatus
from kkrsite.model.shared import Origin, Region, Topic
from kkrsite.siteplan import Calendar

LINKS = Links("https://kkr.example.dk/")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def origin(rel: str) -> Origin:
    return Origin(Path(rel), rel)


HEALTH = Topic("sundhed", "Sundhed", "", origin("topics.yaml"))
TRAFFIC = Topic("trafik", "Kollektiv trafik, veje", "", origin("topics.yaml"))
HOVEDSTADEN = Region("hovedstaden", "KKR Hovedstaden", "Region Hovedstaden", origin("h.yaml"))
SJAELLAND = Region("sjaelland", "KKR Sjælland", "Region Sjælland", origin("s.yaml"))


def meeting(region: Region, day: dt.date, **kw: Any) -> Meeting:
    slug = day.isoformat()
    fields: dict[str, Any] = {
        "slug": slug,
        "title": f"Møde i {region.name} {day:%d.%m.%Y}",
        "origin": origin(f"kkr/{region.slug}/meetings/{slug}.md"),
        "region": region,
        "date": day,
        "status": MeetingStatus.HELD,
        **kw,
    }
    return Meeting(**fields)


TIMED = meeting(
    HOVEDSTADEN,
    dt.date(2011, 8, 29),
    time=dt.time(10, 0),
    end_time=dt.time(13, 30),
    location="Herlev Rådhus, Herlev Bygade 90",
    summary="Sundhedsaftale og trafikplan.",
    topics=(HEALTH, TRAFFIC),
    updated=dt.date(2011, 9, 2),
)
NO_END = meeting(SJAELLAND, dt.date(2011, 11, 7), time=dt.time(9, 30))
ALL_DAY = meeting(HOVEDSTADEN, dt.date(2012, 1, 30), status=MeetingStatus.PLANNED)
CANCELLED = meeting(
    SJAELLAND, dt.date(2012, 3, 26), time=dt.time(14, 0), status=MeetingStatus.CANCELLED
)
MEETINGS = (TIMED, NO_END, ALL_DAY, CANCELLED)


def ics(*meetings: Meeting, title: str = "Møder i KKR") -> bytes:
    return write_ics(Calendar("/moeder.ics", title, meetings), LINKS)


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def events(data: bytes) -> dict[str, icalendar.Event]:
    """The events by UID; the UIDs are checked to be unique."""
    found = parse(data).events
    uids = [str(e["UID"]) for e in found]
    assert len(uids) == len(set(uids))
    return dict(zip(uids, found, strict=True))


def uid(m: Meeting) -> str:
    return f"{m.region.slug}.{m.slug}@kkr.example.dk"


def test_the_calendar_says_who_made_it_and_what_it_is() -> None:
    cal = parse(ics(*MEETINGS, title="Møder i KKR Hovedstaden"))
    assert str(cal["PRODID"]) == "-//kkrsite//KKR//DA"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Møder i KKR Hovedstaden"
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Copenhagen"


def test_one_event_per_meeting_with_unique_stable_uids() -> None:
    found = events(ics(*MEETINGS))
    assert sorted(found) == sorted(uid(m) for m in MEETINGS)
    # The same meeting keeps its UID in another calendar and when meetings are added.
    assert uid(TIMED) in events(ics(TIMED))
    assert events(ics(TIMED))[uid(TIMED)].to_ical() == found[uid(TIMED)].to_ical()


def test_a_timed_meeting_is_in_copenhagen_time() -> None:
    event = events(ics(*MEETINGS))[uid(TIMED)]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert event["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert isinstance(start, dt.datetime) and start.tzinfo is not None
    assert start.astimezone(dt.UTC) == dt.datetime(2011, 8, 29, 8, 0, tzinfo=dt.UTC)
    assert end.astimezone(dt.UTC) == dt.datetime(2011, 8, 29, 11, 30, tzinfo=dt.UTC)


def test_a_meeting_without_an_end_time_lasts_two_hours() -> None:
    event = events(ics(*MEETINGS))[uid(NO_END)]
    start = event.decoded("DTSTART")
    assert start.astimezone(dt.UTC) == dt.datetime(2011, 11, 7, 8, 30, tzinfo=dt.UTC)  # winter
    assert event.decoded("DTEND") - start == dt.timedelta(hours=2)


def test_an_end_time_before_the_start_is_not_used() -> None:
    odd = meeting(HOVEDSTADEN, dt.date(2011, 5, 2), time=dt.time(10, 0), end_time=dt.time(9, 0))
    event = events(ics(odd))[uid(odd)]
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(hours=2)


def test_a_meeting_without_a_time_is_all_day() -> None:
    event = events(ics(*MEETINGS))[uid(ALL_DAY)]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert type(start) is dt.date and type(end) is dt.date
    assert (start, end) == (dt.date(2012, 1, 30), dt.date(2012, 1, 31))
    assert b"DTSTART;VALUE=DATE:20120130" in ics(ALL_DAY)


def test_status_location_url_description_and_categories() -> None:
    found = events(ics(*MEETINGS))
    timed, cancelled = found[uid(TIMED)], found[uid(CANCELLED)]
    page = "https://kkr.example.dk/kkr/hovedstaden/moeder/2011-08-29/"
    assert str(timed["STATUS"]) == "CONFIRMED" and str(found[uid(ALL_DAY)]["STATUS"]) == "CONFIRMED"
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Aflyst: " + CANCELLED.title
    assert str(timed["SUMMARY"]) == TIMED.title
    assert str(timed["LOCATION"]) == "Herlev Rådhus, Herlev Bygade 90"
    assert "LOCATION" not in found[uid(ALL_DAY)]
    assert str(timed["URL"]) == page
    assert str(timed["DESCRIPTION"]) == f"Sundhedsaftale og trafikplan.\n\n{page}"
    assert str(found[uid(ALL_DAY)]["DESCRIPTION"]).startswith("https://kkr.example.dk/")
    categories = timed["CATEGORIES"]
    assert isinstance(categories, vCategory)
    assert list(categories.cats) == ["Sundhed", "Kollektiv trafik, veje"]
    assert "CATEGORIES" not in found[uid(ALL_DAY)]


def test_dtstamp_comes_from_the_content_not_the_clock() -> None:
    found = events(ics(*MEETINGS))
    assert found[uid(TIMED)].decoded("DTSTAMP") == dt.datetime(2011, 9, 2, tzinfo=dt.UTC)
    assert found[uid(ALL_DAY)].decoded("DTSTAMP") == dt.datetime(2012, 1, 30, tzinfo=dt.UTC)


def test_a_vtimezone_for_copenhagen_is_included() -> None:
    cal = parse(ics(*MEETINGS))
    assert [str(tz["TZID"]) for tz in cal.timezones] == ["Europe/Copenhagen"]
    assert cal.get_missing_tzids() == set()


@pytest.mark.parametrize("years", [(1970, 1970), (2011, 2011), (2012, 2014)])
def test_the_vtimezone_agrees_with_tzdata(years: tuple[int, int]) -> None:
    """Read on its own (not looked up by name), the VTIMEZONE gives tzdata's offsets."""
    own = icalendar.Calendar.from_ical(
        b"BEGIN:VCALENDAR\r\n" + vtimezone(*years).to_ical() + b"END:VCALENDAR\r\n"
    )
    tz = own.timezones[0].to_tz(lookup_tzid=False)
    at, end = (
        dt.datetime(years[0], 1, 1, tzinfo=dt.UTC),
        dt.datetime(years[1] + 1, 1, 1, tzinfo=dt.UTC),
    )
    # Copenhagen's clocks change at 01:00 UTC: each day is checked on both sides of it, and at noon.
    moments = [dt.timedelta(minutes=59), dt.timedelta(hours=1), dt.timedelta(hours=12)]
    while at < end:
        for moment in moments:
            when = at + moment
            assert when.astimezone(tz).utcoffset() == when.astimezone(COPENHAGEN).utcoffset(), when
        at += dt.timedelta(days=1)


def test_same_input_gives_the_same_bytes_with_crlf_and_folding() -> None:
    data = ics(*MEETINGS)
    assert data == ics(*MEETINGS)
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    assert all(len(line) <= 75 for line in lines)


def test_an_empty_calendar_still_parses() -> None:
    cal = parse(ics())
    assert cal.events == [] and len(cal.timezones) == 1
