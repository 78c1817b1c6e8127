"""Danish dates and the build's notion of today."""

import datetime as dt

import pytest

from kkrsite.dates import date_da, month_da, time_da, today
from kkrsite.errors import UsageError


def test_danish_formats() -> None:
    assert date_da(dt.date(2011, 8, 29)) == "29. august 2011"
    assert date_da(dt.date(2010, 1, 5)) == "5. januar 2010"
    assert month_da(dt.date(2011, 5, 1)) == "maj 2011"
    assert time_da(dt.time(9, 5)) == "09.05"


def test_every_date_is_its_own_however_often_it_is_shown() -> None:
    """Formatting is remembered per date: a date shown again reads the same, and no other."""
    days = [dt.date(2011, 12, 1) + dt.timedelta(days=n) for n in range(400)]
    months = [dt.date(2012, n, 28) for n in range(1, 13)]
    for _ in range(2):
        shown = [date_da(day) for day in days]
        assert (shown[0], shown[31]) == ("1. december 2011", "1. januar 2012")
        assert len(set(shown)) == len(days)
        assert [month_da(day).split()[0] for day in months] == [
            "januar", "februar", "marts", "april", "maj", "juni", "juli",
            "august", "september", "oktober", "november", "december",
        ]  # fmt: skip


def test_today_follows_source_date_epoch_in_copenhagen() -> None:
    # 2011-08-28 23:30 UTC is already the 29th in Copenhagen (summer time, UTC+2).
    assert today({"SOURCE_DATE_EPOCH": "1314574200"}) == dt.date(2011, 8, 29)


def test_a_bad_epoch_is_explained() -> None:
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH must be whole seconds"):
        today({"SOURCE_DATE_EPOCH": "igår"})


@pytest.mark.parametrize(
    "epoch", ["\uff11\uff12\uff13", "1_000", "-1", "1e20", "99999999999999", "7258118400"]
)
def test_an_epoch_that_is_not_plain_seconds_before_2200_is_refused(epoch: str) -> None:
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH must be whole seconds"):
        today({"SOURCE_DATE_EPOCH": epoch})
