"""Rules for days and clock times: full and numeric dates, weekdays with tense, gisteren,
day parts, clock times, holidays, and anaphoric days (die dag, daags nadien)."""

from __future__ import annotations

import datetime as dt
import re

from pipeline.dates import calendar as cal
from pipeline.dates import lexicon as lx
from pipeline.dates.context import (
    CLOCK_SIGNALS,
    DATE,
    DIRECTION_WORDS,
    FUTURE_WORDS,
    GRANULARITY_RANK,
    PAST_WORDS,
    SEASONS,
    SET,
    TIME,
    Context,
    Draft,
    adjust_hour,
    clock_draft,
    explicit_year,
    is_sentence_start,
    parse_clock,
    parse_count,
    relative_year,
    span,
    time_value,
    year_from_short,
)
from pipeline.dates.patterns import FULL_DATE
from pipeline.dates.tense import FUTURE, PAST

RELATIVE_DAYS = {
    "eergisteren": -2,
    "eergister": -2,
    "gisteren": -1,
    "gister": -1,
    "vandaag": 0,
    "morgen": 1,
    "overmorgen": 2,
    "vannacht": 0,
    "vanavond": 0,
    "vanochtend": 0,
    "vanmorgen": 0,
    "vanmiddag": 0,
    "vanvoormiddag": 0,
    "vannamiddag": 0,
    "deze": 0,
}


RELATIVE_DAY_PARTS = {
    "vannacht": "NI",
    "vanavond": "EV",
    "vanochtend": "MO",
    "vanmorgen": "MO",
    "vanmiddag": "AF",
    "vanvoormiddag": "MO",
    "vannamiddag": "AF",
}


PERSON_LIKE_HOLIDAYS = {
    "sinterklaas",
    "sint-maarten",
    "sint maarten",
    "carnaval",
    "halloween",
    "wapenstilstand",
    "kerst",
}


DAY_FORCE_PAST = {"ll.", "l.l.", "jl.", "jongstleden"}


NOT_TOMORROW_BEFORE = frozenset(
    "de die een elke iedere goede deze van diezelfde dezelfde zelfde volgende hele".split()
)


AFTER_BARE_CLOCK = re.compile(
    r"\s*(?:%|procent|euro|eur|dollar|meter|m|km|cm|kilo|kg|gram|seconden|sec|minuten|min|"
    r"punten|miljoen|miljard|mld|mln|liter|ton|graden)(?!\w)",
    re.IGNORECASE,
)


SUFFIX_LEAD = re.compile(r",?\s+(?:(?:om|vanaf|van|rond|tegen|omstreeks)\s*)?$", re.IGNORECASE)
RANGE_END_BEFORE = re.compile(r"(?:(?<!\w)(?:tot(?:\s+en\s+met)?|t/m|en|of)|-|–)\s*$", re.IGNORECASE)


def finish_day(
    m: re.Match, prefix: str, day: dt.date | None, start: int, part_code: str | None = None
) -> Draft:
    """A day, turned into a TIME when a clock time or a day part goes with it."""
    clock_raw, part2, part3 = m[f"{prefix}_clock"], m[f"{prefix}_part2"], m[f"{prefix}_part3"]
    if part2:
        part_code = lx.ADVERBIAL_DAY_PARTS[part2.lower()]
    clock = parse_clock(clock_raw, part3 or part2) if clock_raw else None
    if clock:
        if part_code in ("AF", "EV") and clock[0] < 12:
            clock = (clock[0] + 12, clock[1])
        return Draft(start, m.end(), TIME, time_value(day, clock), granularity="time")
    if part2:
        end = m.end(f"{prefix}_part2")
    elif clock_raw:  # an impossible clock time (24.30) stays outside the span
        end = start + len(SUFFIX_LEAD.sub("", m.string[start : m.start(f"{prefix}_clock")]))
    else:
        end = m.end()
    if part_code:
        return Draft(start, end, TIME, f"{day.isoformat()}T{part_code}" if day else "", granularity="time")
    return Draft(start, end, DATE, day.isoformat() if day else "", granularity="day")


def day_with_weekday_year(
    ctx: Context, month: int, day: int, weekday: int | None, direction: int
) -> dt.date | None:
    """The year of a yearless day: the one its weekday fits, else the nearest in the tense."""
    if ctx.dct is None:
        return None
    if weekday:
        for year in sorted(
            (ctx.dct.year, ctx.dct.year - 1, ctx.dct.year + 1), key=lambda y: abs(y - ctx.dct.year)
        ):
            candidate = cal.safe_date(year, month, day)
            if candidate and candidate.isoweekday() == weekday:
                return candidate
    year = cal.pick_year(ctx.dct, lambda y: cal.safe_date(y, month, day), direction)
    return cal.safe_date(year, month, day)


def resolve_full_date(m: re.Match, ctx: Context) -> tuple[dt.date | None, bool]:
    """The day of a FULL_DATE-style match and whether it could exist at all."""
    day = int(m["fd_day"])
    month_word = m["fd_month"].lower().rstrip(".")
    month = lx.MONTHS.get(month_word) or lx.MONTH_ABBREVIATIONS[month_word]
    if not 1 <= day <= 31 or cal.safe_date(2000, month, day) is None:
        return None, False
    year = explicit_year(m["fd_year"], ctx.dct) or relative_year(m["fd_relyear"], ctx.dct)
    if year:
        return cal.safe_date(year, month, day), cal.safe_date(year, month, day) is not None
    weekday_word = (m["fd_weekday"] or "").lower()
    weekday = lx.WEEKDAYS.get(weekday_word) or lx.WEEKDAY_ABBREVIATIONS.get(weekday_word)
    forced = (m["fd_dir"] or "").lower()
    direction = PAST if forced in DAY_FORCE_PAST else FUTURE if forced else ctx.direction(m.start(), m.end())
    return day_with_weekday_year(ctx, month, day, weekday, direction), True


def full_date(m, ctx):
    day, valid = resolve_full_date(m, ctx)
    if not valid:
        return None
    return [finish_day(m, "fd", day, m.start("full_date"))]


def day_range(m, ctx):
    """`1` in `van 1 tot 3 maart`: the month and year come from the date that follows."""
    following = FULL_DATE.match(ctx.text, m.end())
    if not following:
        return None
    end_day, valid = resolve_full_date(following, ctx)
    if not valid:
        return None
    first = int(m["dr_day"])
    value = ""
    if end_day is not None:
        day = cal.safe_date(end_day.year, end_day.month, first)
        if day is None:
            return None
        value = day.isoformat()
    start, end = span(m, "dr_day")
    return [Draft(start, end, DATE, value, granularity="day")]


def iso_date(m, ctx):
    day = cal.safe_date(int(m["iso_year"]), int(m["iso_month"]), int(m["iso_day"]))
    if day is None:
        return None
    return [finish_day(m, "iso", day, m.start("iso_date"))]


def numeric_date(m, ctx):
    raw_year = m["nd_year"]
    if m["nd_sep"] == "." and len(raw_year) == 2:
        return None  # 11.11.11 is an organisation; dotted dates carry four-digit years
    year = int(raw_year) if len(raw_year) == 4 else year_from_short(raw_year, ctx.dct)
    day = cal.safe_date(year, int(m["nd_month"]), int(m["nd_day"]))
    if day is None:
        return None
    return [finish_day(m, "nd", day, m.start("numeric_date"))]


def short_date(m, ctx):
    """3/6 is a day only with a weekday or a date preposition before it (not 24/7, not 1/3)."""
    start = m.start("short_date")
    signals = {"op", "tot", "vanaf", "van", "sinds", "tegen", "t/m", "tussen", "en", "uiterlijk"}
    if not m["sd_weekday"] and ctx.word_before(start) not in signals:
        return None
    month, day_number = int(m["sd_month"]), int(m["sd_day"])
    if not 1 <= month <= 12 or cal.safe_date(2000, month, day_number) is None:
        return None
    weekday_word = (m["sd_weekday"] or "").lower()
    weekday = lx.WEEKDAYS.get(weekday_word) or lx.WEEKDAY_ABBREVIATIONS.get(weekday_word)
    day = day_with_weekday_year(ctx, month, day_number, weekday, ctx.direction(m.start(), m.end()))
    return [finish_day(m, "sd", day, start)]


def relative_day(m, ctx):
    word = m["rd_word"].lower()
    start = m.start("relative_day")
    if word == "morgen" and not m["rd_part"]:
        before = ctx.word_before(start)
        if before in NOT_TOMORROW_BEFORE or before == "'s" or before.endswith("e"):
            return None
    if word == "deze" and not m["rd_part"]:
        return None
    if ctx.text[start].isupper() and not is_sentence_start(ctx.text, start):
        return None  # a title: Met het Oog op Morgen
    part_word = (m["rd_part"] or "").lower()
    part_code = (
        RELATIVE_DAY_PARTS.get(word)
        or lx.DAY_PARTS.get(part_word)
        or ("MO" if part_word == "vroeg" else None)
    )
    day = ctx.dct + dt.timedelta(days=RELATIVE_DAYS[word]) if ctx.dct else None
    return [finish_day(m, "rd", day, start, part_code)]


def weekday(m, ctx):
    number = lx.WEEKDAYS[m["wd_name"].lower()]
    part_code = lx.DAY_PARTS.get((m["wd_part"] or "").lower())
    start = m.start("weekday")
    if m["wd_plural"]:
        if m["wd_before"]:
            return None
        value = f"XXXX-WXX-{number}" + (f"T{part_code}" if part_code else "")
        return [Draft(m.start("wd_name"), m.end("wd_plural"), SET, value)]
    day = resolve_weekday(ctx, number, m["wd_before"], m["wd_after"], m.start(), m.end())
    return [finish_day(m, "wd", day, start, part_code)]


def resolve_weekday(
    ctx: Context, number: int, before: str | None, after: str | None, start: int, end: int
) -> dt.date | None:
    if ctx.dct is None:
        return None
    dct = ctx.dct
    before = lx.normalise(before or "")
    after = lx.normalise(after or "")
    week_shift = {"vorige week": -7, "volgende week": 7, "deze week": 0}
    for words, shift in week_shift.items():
        if before == words or after.endswith(words):
            return cal.weekday_in_week(dct + dt.timedelta(days=shift), number)
    if before in PAST_WORDS and before != "vorige" or after in DAY_FORCE_PAST:
        return cal.strictly_before(dct, number)
    if before == "vorige":
        return (
            cal.weekday_in_week(dct - dt.timedelta(days=7), number)
            if number >= dct.isoweekday()
            else cal.strictly_before(dct, number)
        )
    if before in FUTURE_WORDS or after:
        return cal.strictly_after(dct, number)
    if (
        RANGE_END_BEFORE.search(ctx.text, max(0, start - 14), start)
        and ctx.anchor_day
        and ctx.anchor_granularity == "day"
    ):
        return cal.strictly_after(ctx.anchor_day, number)  # maandag tot/en vrijdag: after the first day
    if number in ctx.body_weekdays:
        return ctx.body_weekdays[number]
    direction = ctx.weekday_direction(start, end)
    return cal.nearest_weekday(dct, number, PAST if direction == PAST else FUTURE)


def clock(m, ctx):
    raw = m["ck_time"]
    if not re.search(r"uur|u|h|:", raw, re.IGNORECASE):
        if AFTER_BARE_CLOCK.match(ctx.text, m.end()) or ctx.word_before(m.start()) in (
            "€",
            "eur",
            "score",
            "stand",
        ):
            return None
    parsed = parse_clock(raw, m["ck_part"])
    if parsed is None:
        return None
    return [clock_draft(ctx, m.start("clock"), m.end(), parsed)]


def clock_range(m, ctx):
    parsed = parse_clock(m["cr_start"], None)
    if parsed is None:
        return None
    start, end = span(m, "cr_start")
    return [clock_draft(ctx, start, end, parsed)]


def clock_word(m, ctx):
    """kwart over vier, half acht, tien over half drie, middernacht (12-hour, as written)."""
    start = m.start("clock_word")
    if m["cw_midnight"]:
        return [clock_draft(ctx, start, m.end(), (24, 0))]
    words = lx.normalise(m["cw_lead"]).split()
    hour = parse_count(m["cw_hour"])
    if hour is None or hour != int(hour) or not 1 <= hour <= 12:
        return None
    if words[0] != "kwart" and ctx.word_before(start) not in CLOCK_SIGNALS:
        return None  # `vijf voor twaalf` as an idiom, `half vijf` without `om`
    offset = 15 if words[0] == "kwart" else 0 if words[0] == "half" else parse_count(words[0])
    if offset is None or offset != int(offset) or offset >= 30:
        return None
    minutes = int(hour) * 60 - (30 if "half" in words else 0)
    minutes += int(offset) if "over" in words else -int(offset)
    hour_of_day = minutes // 60 % 12 or 12
    parsed = adjust_hour(hour_of_day, minutes % 60, m["cw_part"])
    if parsed is None:
        return None
    return [clock_draft(ctx, start, m.end(), parsed)]


def day_part(m, ctx):
    code = lx.ADVERBIAL_DAY_PARTS[m["dp_part"].lower()]
    return [Draft(m.start("day_part"), m.end(), TIME, f"XXXX-XX-XXT{code}")]


def holiday(m, ctx):
    name = lx.normalise(m["ho_name"])
    start, end = m.start("holiday"), m.end()
    direction_word = lx.normalise(m["ho_dir"] or "")
    if (
        name in PERSON_LIKE_HOLIDAYS
        and not (m["ho_year"] or direction_word)
        and ctx.word_before(start)
        not in {"met", "na", "voor", "rond", "tijdens", "op", "sinds", "tot", "vanaf", "tegen", "vlak"}
    ):
        return None
    weekend = name in lx.HOLIDAY_WEEKENDS
    rule = lx.HOLIDAYS[lx.HOLIDAY_WEEKENDS[name] if weekend else name]
    year = int(m["ho_year"]) if m["ho_year"] else None
    if year is None and ctx.dct is not None:
        shift = DIRECTION_WORDS.get(direction_word)
        direction = ctx.direction(start, end) if shift is None else shift
        if shift == 0:
            year = ctx.dct.year
        else:
            year = cal.pick_year(ctx.dct, lambda y: cal.holiday_date(y, rule), direction)
    if year is None:
        return [Draft(start, end, DATE, "", granularity="weekend" if weekend else "day")]
    day = cal.holiday_date(year, rule)
    if weekend:
        saturday = cal.weekday_in_week(day, 6) if day.isoweekday() >= 5 else cal.strictly_before(day, 6)
        return [Draft(start, end, DATE, cal.fmt_week(saturday, weekend=True), granularity="weekend")]
    return [Draft(start, end, DATE, day.isoformat(), granularity="day")]


def anaphor(m, ctx):
    start, end = m.start("anaphor"), m.end()
    day, granularity = ctx.anchor()
    if not (m["an_unit"] or m["an_unit2"]):  # daags nadien, 's anderendaags
        if day is None or GRANULARITY_RANK.get(granularity, 1) > 1:
            return [Draft(start, end, DATE, "", granularity="day")]
        before = (m["an_daags"] or "").lower() in ("voordien", "ervoor", "daarvoor")
        return [
            Draft(
                start,
                end,
                DATE,
                (day + dt.timedelta(days=-1 if before else 1)).isoformat(),
                granularity="day",
            )
        ]
    unit = (m["an_unit"] or m["an_unit2"]).lower()
    if day is None:
        return [Draft(start, end, TIME if unit in lx.DAY_PARTS else DATE, "")]
    if m["an_next"]:
        if ctx.word_before(start) not in ("de", "het"):
            return None
        day = day + dt.timedelta(days=1)
    rank = GRANULARITY_RANK.get(granularity, 1)
    if unit in lx.DAY_PARTS or unit == "dag":
        if rank > 1:
            return None
        if unit == "dag":
            return [Draft(start, end, DATE, day.isoformat(), granularity="day")]
        return [Draft(start, end, TIME, f"{day.isoformat()}T{lx.DAY_PARTS[unit]}", granularity="time")]
    if unit in SEASONS:
        return [Draft(start, end, DATE, f"{day.year}-{SEASONS[unit]}", granularity="season")]
    value = {
        "week": cal.fmt_week(day),
        "weekend": cal.fmt_week(day, weekend=True),
        "maand": cal.fmt_month(day.year, day.month),
        "jaar": str(day.year),
    }[unit]
    return [Draft(start, end, DATE, value, granularity={"maand": "month", "jaar": "year"}.get(unit, unit))]


def part_noun(m, ctx):
    """`in de nacht`, `op de avond`: the part of the day last mentioned, else generic (XXXX-XX-XX).

    `overdag` (weather reports) falls back to the DCT instead."""
    start, end = m.start("part_noun"), m.end()
    if m["pn_overdag"]:
        code = "DT"
    else:
        if not re.search(
            r"(?:^|\s)(?:in|op|tijdens|gedurende|naar|uit)\s+de\s$", ctx.text[max(0, start - 14) : start]
        ):
            return None
        code = lx.DAY_PARTS[m["pn_part"].lower()]
    day, granularity = ctx.anchor()
    if day is None or granularity not in ("day", "time") or (ctx.anchor_day is None and code != "DT"):
        return [Draft(start, end, TIME, f"XXXX-XX-XXT{code}")]
    return [Draft(start, end, TIME, f"{day.isoformat()}T{code}", granularity="time")]
