"""Calendar arithmetic for TIMEX3 values: formatting, shifting and the days a value covers.

Kept free of any language knowledge so the Dutch rules in `rules.py` stay about words only.
"""

from __future__ import annotations

import datetime as dt
import re

from dateutil.easter import easter

SEASON_START_MONTH = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
SEASON_OF_MONTH = {
    1: "WI",
    2: "WI",
    3: "SP",
    4: "SP",
    5: "SP",
    6: "SU",
    7: "SU",
    8: "SU",
    9: "FA",
    10: "FA",
    11: "FA",
    12: "WI",
}

_VALUE = re.compile(
    r"(?P<year>\d{4})(?:-(?:(?P<month>\d\d)(?:-(?P<day>\d\d))?|W(?P<week>\d\d)(?P<weekend>-WE)?"
    r"|Q(?P<quarter>[1-4])|H(?P<half>[12])|(?P<season>SP|SU|FA|WI)))?(?P<time>T.+)?$"
    r"|(?P<decade>\d{3})$|(?P<century>\d{2})$"
)


def fmt_day(day: dt.date) -> str:
    return day.isoformat()


def fmt_month(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def fmt_week(day: dt.date, weekend: bool = False) -> str:
    """ISO week (and ISO week-year) of `day`, as TIMEX3 YYYY-Www or YYYY-Www-WE."""
    iso_year, week, _ = day.isocalendar()
    return f"{iso_year:04d}-W{week:02d}" + ("-WE" if weekend else "")


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.isoweekday() - 1)


def weekday_in_week(day: dt.date, isoweekday: int) -> dt.date:
    """The given ISO weekday (1 = Monday) in the ISO week of `day`."""
    return monday_of(day) + dt.timedelta(days=isoweekday - 1)


def nearest_weekday(dct: dt.date, isoweekday: int, direction: int) -> dt.date:
    """The weekday nearest to `dct` in `direction` (-1 past, +1 future); the DCT itself counts."""
    offset = (isoweekday - dct.isoweekday()) % 7
    if offset == 0:
        return dct
    return dct + dt.timedelta(days=offset) if direction > 0 else dct - dt.timedelta(days=7 - offset)


def strictly_after(dct: dt.date, isoweekday: int) -> dt.date:
    return dct + dt.timedelta(days=(isoweekday - dct.isoweekday() - 1) % 7 + 1)


def strictly_before(dct: dt.date, isoweekday: int) -> dt.date:
    return dct - dt.timedelta(days=(dct.isoweekday() - isoweekday - 1) % 7 + 1)


def safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def pick_year(dct: dt.date, make, direction: int) -> int:
    """Year for a yearless date built by `make(year) -> first day`, nearest to the DCT.

    direction -1 keeps it at or before the DCT, +1 at or after, 0 takes the nearest.
    """
    candidates = [(y, make(y)) for y in (dct.year - 1, dct.year, dct.year + 1)]
    candidates = [(y, d) for y, d in candidates if d is not None]
    if direction < 0:
        fitting = [(y, d) for y, d in candidates if d <= dct]
        return max(fitting, key=lambda c: c[1])[0] if fitting else dct.year
    if direction > 0:
        fitting = [(y, d) for y, d in candidates if d >= dct]
        return min(fitting, key=lambda c: c[1])[0] if fitting else dct.year
    return min(candidates, key=lambda c: abs((c[1] - dct).days))[0]


def holiday_date(year: int, rule: tuple) -> dt.date:
    """A holiday in `year`: ("fixed", m, d), ("easter", offset) or ("nth", month, weekday, n)."""
    kind = rule[0]
    if kind == "fixed":
        if rule[1:] == (4, 27) and dt.date(year, 4, 27).isoweekday() == 7:
            return dt.date(year, 4, 26)  # Koningsdag moves to Saturday when the 27th is a Sunday
        return dt.date(year, rule[1], rule[2])
    if kind == "easter":
        return easter(year) + dt.timedelta(days=rule[1])
    month, weekday, nth = rule[1:]
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.isoweekday()) % 7 + 7 * (nth - 1))


def bounds(value: str) -> tuple[dt.date | None, dt.date | None, str]:
    """First and last calendar day covered by a DATE/TIME value, and its granularity."""
    m = _VALUE.match(value)
    if not m:
        return None, None, ""
    if m["century"]:
        c = int(m["century"])
        return dt.date(max(c * 100, 1), 1, 1), dt.date(c * 100 + 99, 12, 31), "century"
    if m["decade"]:
        d = int(m["decade"])
        return dt.date(max(d * 10, 1), 1, 1), dt.date(d * 10 + 9, 12, 31), "decade"
    year = int(m["year"])
    if m["day"]:
        day = safe_date(year, int(m["month"]), int(m["day"]))
        return day, day, "time" if m["time"] else "day"
    if m["month"]:
        month = int(m["month"])
        ny, nm = add_months(year, month, 1)
        return dt.date(year, month, 1), dt.date(ny, nm, 1) - dt.timedelta(days=1), "month"
    if m["week"]:
        monday = dt.date.fromisocalendar(year, int(m["week"]), 1)
        if m["weekend"]:
            return monday + dt.timedelta(days=5), monday + dt.timedelta(days=6), "weekend"
        return monday, monday + dt.timedelta(days=6), "week"
    if m["quarter"]:
        q = int(m["quarter"])
        start = dt.date(year, 3 * q - 2, 1)
        ny, nm = add_months(year, 3 * q - 2, 3)
        return start, dt.date(ny, nm, 1) - dt.timedelta(days=1), "quarter"
    if m["half"]:
        h = int(m["half"])
        return (
            (dt.date(year, 1, 1), dt.date(year, 6, 30), "half")
            if h == 1
            else (dt.date(year, 7, 1), dt.date(year, 12, 31), "half")
        )
    if m["season"]:
        start_month = SEASON_START_MONTH[m["season"]]
        ny, nm = add_months(year, start_month, 3)
        return dt.date(year, start_month, 1), dt.date(ny, nm, 1) - dt.timedelta(days=1), "season"
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"
