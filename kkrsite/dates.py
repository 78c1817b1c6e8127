"""Dates and times the Danish way, and the build's notion of "today"."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from babel.dates import format_date

from kkrsite.errors import UsageError, printable

TIMEZONE = ZoneInfo("Europe/Copenhagen")
"""Where the KKR meet: every date and time in content and output is Copenhagen's."""


def today(environ: Mapping[str, str] = os.environ) -> dt.date:
    """Today in Copenhagen, or the day of SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            if not re.fullmatch("[0-9]{1,11}", epoch):
                raise ValueError(epoch)  # `int()` would also take full-width digits, "1_000", "-1"
            day = dt.datetime.fromtimestamp(int(epoch), TIMEZONE).date()
            if day.year >= 2200:
                raise ValueError(epoch)
            return day
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                "SOURCE_DATE_EPOCH must be whole seconds since 1970, before the year 2200 "
                f"(e.g. 1314576000); it is '{printable(epoch)}'"
            ) from None
    return dt.datetime.now(TIMEZONE).date()


# A site shows a few thousand distinct dates thousands of times each; Babel takes
# tens of microseconds for each.
@functools.lru_cache(maxsize=10_000)
def date_da(day: dt.date) -> str:
    """29. august 2011."""
    return format_date(day, "d. MMMM y", locale="da")


@functools.lru_cache(maxsize=10_000)
def month_da(day: dt.date) -> str:
    """august 2011."""
    return format_date(day, "MMMM y", locale="da")


def time_da(moment: dt.time) -> str:
    """10.00, the Danish way of writing a time of day."""
    return f"{moment.hour:02d}.{moment.minute:02d}"
