"""iCalendar files (RFC 5545) of meetings, written with the `icalendar` library.

A calendar is reproducible: the same content gives the same bytes. Nothing reads
the clock: DTSTAMP is the meeting's `updated` date (or its date) at 00:00 UTC,
and the VTIMEZONE is computed from tzdata for the years the meetings span.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kkrsite.dates import TIMEZONE
from kkrsite.htmlscan import inert
from kkrsite.links import Links
from kkrsite.model.entities import Meeting, MeetingStatus
from kkrsite.siteplan import Calendar

if TYPE_CHECKING:
    from icalendar import Event, Timezone

# icalendar is imported where a calendar is made, not with this module: a build that
# makes no calendar (nothing changed in one) starts without it.

PRODID = "-//kkrsite//KKR//DA"
DEFAULT_DURATION = dt.timedelta(hours=2)
"""How long a meeting with a start time but no end time is taken to last."""
REFRESH = dt.timedelta(days=1)
"""How often subscribed calendar clients are asked to fetch the file again."""
EMPTY_YEAR = 1970
"""The year the VTIMEZONE of a calendar without meetings describes: any year would do."""


def write_ics(calendar: Calendar, links: Links) -> bytes:
    """The calendar as RFC 5545 bytes: CRLF line endings, long lines folded."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", inert(calendar.title))
    cal.add("x-wr-timezone", TIMEZONE.key)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH))
    years = [m.date.year for m in calendar.meetings] or [EMPTY_YEAR]
    # Always present: it is referenced by timed events and keeps an empty calendar valid
    # (RFC 5545 asks for at least one component).
    cal.add_component(vtimezone(min(years), max(years)))
    host = urlsplit(links.base_url).hostname or "localhost"
    for meeting in calendar.meetings:
        cal.add_component(_event(meeting, links, host))
    return bytes(cal.to_ical())


def uid(meeting: Meeting, host: str) -> str:
    """`hovedstaden.2011-08-29@kkr.example.dk`: slugs hold no dots, so no two meetings share it."""
    return f"{meeting.region.slug}.{meeting.slug}@{host}"


def _event(meeting: Meeting, links: Links, host: str) -> Event:
    url = links.absolute_url(meeting)
    import icalendar

    event = icalendar.Event()
    event.add("uid", uid(meeting, host))
    stamp = meeting.updated or meeting.date
    event.add("dtstamp", dt.datetime.combine(stamp, dt.time(0, 0), tzinfo=dt.UTC))
    if meeting.updated is not None:
        event.add("last-modified", dt.datetime.combine(meeting.updated, dt.time(0, 0), dt.UTC))
    # Text fields are plain text, but some clients show them as HTML: keep them inert.
    event.add("summary", inert(meeting.headline))
    start = meeting.start
    if start is None:
        event.add("dtstart", meeting.date)
        event.add("dtend", meeting.date + dt.timedelta(days=1))
    else:
        end = start + DEFAULT_DURATION
        if meeting.end_time is not None and meeting.end_time > start.time():
            end = dt.datetime.combine(meeting.date, meeting.end_time, tzinfo=TIMEZONE)
        event.add("dtstart", start)
        event.add("dtend", end)
    if meeting.location:
        event.add("location", inert(meeting.location))
    event.add("url", url)
    event.add("description", inert("\n\n".join(p for p in (meeting.summary, url) if p)))
    event.add("status", "CANCELLED" if meeting.status is MeetingStatus.CANCELLED else "CONFIRMED")
    if meeting.topics:
        event.add("categories", [inert(t.name) for t in meeting.topics])
    return event


def vtimezone(first_year: int, last_year: int) -> Timezone:
    """Copenhagen's observances from tzdata, right for every moment from first_year to last_year.

    Each change of offset is listed (DTSTART, then RDATE) at the local time it happens,
    read in the offset before it, as RFC 5545 asks; the first observance is the one in
    force on 1 January of first_year.
    """
    start = dt.datetime(first_year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC)
    changes = _changes(start - dt.timedelta(days=366), end)
    earlier = [c for c in changes if c[0] < start]
    kept = earlier[-1:] + [c for c in changes if c[0] >= start]
    if not earlier:
        here = _state(start)
        kept.insert(0, (start, here, here))
    onsets: dict[tuple[dt.timedelta, dt.timedelta, str, bool], list[dt.datetime]] = {}
    for at, (offset_from, _, _), (offset_to, dst, name) in kept:
        key = (offset_from, offset_to, name, bool(dst))
        onsets.setdefault(key, []).append((at + offset_from).replace(tzinfo=None))
    import icalendar

    tz = icalendar.Timezone()
    tz.add("tzid", TIMEZONE.key)
    for (offset_from, offset_to, name, is_dst), times in onsets.items():
        observance = icalendar.TimezoneDaylight() if is_dst else icalendar.TimezoneStandard()
        observance.add("dtstart", times[0])
        if times[1:]:
            observance.add("rdate", times[1:])
        observance.add("tzname", name)
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", offset_to)
        tz.add_component(observance)
    return tz


State = tuple[dt.timedelta, dt.timedelta, str]
"""Copenhagen's UTC offset, daylight-saving part and abbreviation at one moment."""


def _state(at: dt.datetime) -> State:
    here = at.astimezone(TIMEZONE)
    return here.utcoffset() or dt.timedelta(0), here.dst() or dt.timedelta(0), here.tzname() or ""


def _changes(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, State, State]]:
    """Every change of state from start to end (UTC): when, the state before, the state after.

    Found day by day, then to the minute; Copenhagen changes at most once a day.
    """
    day, minute = dt.timedelta(days=1), dt.timedelta(minutes=1)
    changes = []
    at, state = start, _state(start)
    while at < end:
        after = _state(at + day)
        if after != state:
            low, high = 0, 24 * 60
            while high - low > 1:
                middle = (low + high) // 2
                if _state(at + middle * minute) == state:
                    low = middle
                else:
                    high = middle
            changes.append((at + high * minute, state, after))
        at, state = at + day, after
    return changes
