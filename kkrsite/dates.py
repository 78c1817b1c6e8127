"""Dates and times the Danish way, and the build's notion of "today"."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from babel.dates import format_date

from kkrsite.model.entities import TIMEZONE


def today(environ: Mapping[str, str] = os.environ) -> dt.date:
    """Today in Copenhagen, or the day of SOURCE_DATE_EPOCH when set (reproducible builds)."""
    return build_time(environ).date()


def build_time(environ: Mapping[str, str] = os.environ) -> dt.datetime:
    """Now in Copenhagen, or SOURCE_DATE_EPOCH when set."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), TIMEZONE)
        except (ValueError, OverflowError, OSError):
            from kkrsite.errors import UsageError

            raise UsageError(
                "SOURCE_DATE_EPOCH must be whole seconds since 1970 (e.g. 1314576000); "
                f"it is '{epoch}'"
            ) from None
    return dt.datetime.now(TIMEZONE)


def date_da(day: dt.date) -> str:
    """29. august 2011."""
    return format_date(day, "d. MMMM y", locale="da")


def month_da(day: dt.date) -> str:
    """august 2011."""
    return format_date(day, "MMMM y", locale="da")


def time_da(moment: dt.time) -> str:
    """10.00, the Danish way of writing a time of day."""
    return f"{moment.hour:02d}.{moment.minute:02d}"
