"""Rules for periods longer than a day: weeks, weekends, months, seasons, quarters, halves,
years, decades and centuries, absolute or relative to the DCT."""

from __future__ import annotations

import datetime as dt
import re

from pipeline.dates import calendar as cal
from pipeline.dates import lexicon as lx
from pipeline.dates.context import (
    DATE,
    DIRECTION_WORDS,
    SEASONS,
    SENTENCE_START,
    Context,
    Draft,
    explicit_year,
    is_sentence_start,
    relative_year,
    span,
    year_from_short,
)
from pipeline.dates.patterns import MONTH_YEAR
from pipeline.dates.tense import FUTURE, NEUTRAL, PAST

DECADE_WORDS = {
    "nul": 0,
    "twintig": 2,
    "dertig": 3,
    "veertig": 4,
    "vijftig": 5,
    "zestig": 6,
    "zeventig": 7,
    "tachtig": 8,
    "negentig": 9,
}


QUARTER_ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "laatste": 4}


TEMPORAL_PREPOSITIONS = frozenset(
    "in sinds tot vanaf van voor na tussen en rond medio begin eind einde midden tegen jaar "
    "zomer winter lente herfst najaar voorjaar uit anno per of om t/m tijdens omstreeks circa".split()
)


SENTENCE_OPENERS = frozenset(
    "ook en maar dus zelfs pas al nog toen dan want of anno het jaar eind begin".split()
)


CURRENCY_SIGNS = frozenset("€ $ £ eur usd".split())
NAME_BEFORE = re.compile(r"([A-Z][\w&'-]*)\s+$")


def is_name_before(text: str, pos: int) -> bool:
    """A capitalised word right before a year (Euro 2024, Tomorrowland 2025), not In or Sinds."""
    m = NAME_BEFORE.search(text, max(0, pos - 40), pos)
    if not m:
        return False
    word = m.group(1).lower()
    if word in lx.MONTHS or word in TEMPORAL_PREPOSITIONS or word in lx.HOLIDAYS or word in SEASONS:
        return False
    if SENTENCE_START.search(text, max(0, m.start() - 3), m.start()):
        return word not in SENTENCE_OPENERS
    return True


def month_range(m, ctx):
    following = MONTH_YEAR.match(ctx.text, m.end())
    month = lx.MONTHS[m["mr_month"].lower()]
    start, end = span(m, "mr_month")
    return [Draft(start, end, DATE, cal.fmt_month(int(following["year"]), month), granularity="month")]


def week_number(m, ctx):
    year = int(m["wn_year"]) if m["wn_year"] else (ctx.dct.isocalendar()[0] if ctx.dct else None)
    week = int(m["wn_week"])
    if not 1 <= week <= 53:
        return None
    value = f"{year:04d}-W{week:02d}" if year else ""
    return [Draft(m.start("week_number"), m.end(), DATE, value, granularity="week")]


def season_instance(ctx: Context, season: str, rule: str) -> int | None:
    """The year of a season relative to the DCT: 'past', 'future', 'current', 'next', 'previous'."""
    dct = ctx.dct
    if dct is None:
        return None

    def first(year):
        return dt.date(year, cal.SEASON_START_MONTH[season], 1)

    def last(year):
        return cal.bounds(f"{year}-{season}")[1]

    years = range(dct.year - 2, dct.year + 2)
    if rule == "past":
        return max(y for y in years if first(y) <= dct)
    if rule == "previous":
        return max(y for y in years if last(y) < dct)
    if rule == "future":
        return min(y for y in years if last(y) >= dct)
    if rule == "next":
        return min(y for y in years if first(y) > dct)
    if season == "WI" and dct.month <= 6:
        return dct.year - 1
    return dct.year


def part_of_unit(m, ctx):
    """`eind van de maand`: the current week, month or year, with its part as the modifier."""
    start, end = m.start("part_of_unit"), m.end()
    unit = m["pu_unit"].lower()
    mod = lx.PART_MODIFIERS[m["pu_part"].lower()]
    dct = ctx.dct
    granularity = {"week": "week", "maand": "month", "jaar": "year"}[unit]
    if dct is None:
        return [Draft(start, end, DATE, "", mod, granularity)]
    value = {"week": cal.fmt_week(dct), "maand": cal.fmt_month(dct.year, dct.month), "jaar": str(dct.year)}[
        unit
    ]
    return [Draft(start, end, DATE, value, mod, granularity)]


def weekend_bare(m, ctx):
    """`het weekend`: the weekend the tense points to."""
    start, end = m.start("weekend_bare"), m.end()
    if ctx.dct is None:
        return [Draft(start, end, DATE, "", granularity="weekend")]
    if ctx.direction(start, end) == PAST:
        saturday = (
            cal.strictly_before(ctx.dct, 6) if ctx.dct.isoweekday() != 7 else ctx.dct - dt.timedelta(days=1)
        )
    else:
        saturday = cal.nearest_weekday(ctx.dct, 6, FUTURE)
    return [Draft(start, end, DATE, cal.fmt_week(saturday, weekend=True), granularity="weekend")]


def relative_unit(m, ctx):
    word = lx.normalise(m["ru_dir"])
    unit = m["ru_unit"].lower()
    shift = DIRECTION_WORDS[word]
    start, end = m.start("relative_unit"), m.end()
    dct = ctx.dct
    if unit in lx.MONTHS:
        return [month_draft(ctx, start, end, lx.MONTHS[unit], shift)]
    if unit in SEASONS:
        rule = {
            -1: "previous" if word == "vorige" else "past",
            1: "next" if word.startswith("volgend") else "future",
            0: "current",
        }[shift]
        year = season_instance(ctx, SEASONS[unit], rule)
        return [Draft(start, end, DATE, f"{year}-{SEASONS[unit]}" if year else "", granularity="season")]
    granularity = {
        "week": "week",
        "weekend": "weekend",
        "maand": "month",
        "jaar": "year",
        "kwartaal": "quarter",
        "eeuw": "century",
        "decennium": "decade",
        "halfjaar": "half",
        "jaarhelft": "half",
    }[unit]
    if dct is None:
        return [Draft(start, end, DATE, "", granularity=granularity)]
    if unit == "week":
        value = cal.fmt_week(dct + dt.timedelta(days=7 * shift))
    elif unit == "weekend":
        value = cal.fmt_week(weekend_saturday(ctx, shift, m.start(), m.end()), weekend=True)
    elif unit == "maand":
        value = cal.fmt_month(*cal.add_months(dct.year, dct.month, shift))
    elif unit == "jaar":
        value = str(dct.year + shift)
    elif unit == "kwartaal":
        index = dct.year * 4 + (dct.month - 1) // 3 + shift
        value = f"{index // 4}-Q{index % 4 + 1}"
    elif unit in ("halfjaar", "jaarhelft"):
        index = dct.year * 2 + (dct.month - 1) // 6 + shift
        value = f"{index // 2}-H{index % 2 + 1}"
    elif unit == "eeuw":
        value = f"{dct.year // 100 + shift:02d}"
    else:
        value = f"{dct.year // 10 + shift:03d}"
    return [Draft(start, end, DATE, value, granularity=granularity)]


def weekend_saturday(ctx: Context, shift: int, start: int, end: int) -> dt.date:
    dct = ctx.dct
    if shift < 0:
        return cal.strictly_before(dct, 6)
    if shift > 0:
        return cal.nearest_weekday(dct, 6, FUTURE)
    if ctx.direction(start, end) == PAST and dct.isoweekday() < 6:
        return cal.strictly_before(dct, 6)
    return cal.weekday_in_week(dct, 6)


def month_draft(
    ctx: Context, start: int, end: int, month: int, shift: int | None, year: int | None = None
) -> Draft:
    """A month; without a year, the one the direction word or the tense points to."""
    if year is None and ctx.dct is not None:
        dct = ctx.dct
        if shift == -1:
            year = dct.year if month < dct.month else dct.year - 1
        elif shift == 1:
            year = dct.year if month > dct.month else dct.year + 1
        elif shift == 0:
            year = dct.year
        else:
            direction = ctx.direction(start, end)
            year = cal.pick_year(
                dct,
                lambda y: dt.date(y, month, 1) if direction <= 0 else cal.bounds(cal.fmt_month(y, month))[1],
                direction,
            )
            if month == dct.month:
                year = dct.year
    value = cal.fmt_month(year, month) if year else ""
    return Draft(start, end, DATE, value, granularity="month")


def month(m, ctx):
    year = explicit_year(m["mo_year"], ctx.dct) or relative_year(m["mo_relyear"], ctx.dct)
    if m["mo_relyear"] and ctx.dct is None:
        return [Draft(m.start("month"), m.end(), DATE, "", granularity="month")]
    return [month_draft(ctx, m.start("month"), m.end(), lx.MONTHS[m["mo_month"].lower()], None, year)]


def season(m, ctx):
    code = SEASONS[m["se_name"].lower()]
    start, end = m.start("season"), m.end()
    if ctx.text[start].isupper() and not is_sentence_start(ctx.text, start):
        return None  # a title such as Zomer met Art
    year = explicit_year(m["se_year"], ctx.dct) or relative_year(m["se_relyear"], ctx.dct)
    if year is None and not m["se_relyear"]:
        direction = ctx.direction(start, end)
        year = season_instance(ctx, code, {PAST: "past", FUTURE: "future", NEUTRAL: "current"}[direction])
    return [Draft(start, end, DATE, f"{year}-{code}" if year else "", granularity="season")]


def quarter(m, ctx):
    number = (
        int(m["q_number"])
        if m["q_number"]
        else (QUARTER_ORDINALS.get(m["q_ordinal"].lower()) or int(m["q_ordinal"][0]))
    )
    raw_year = m["q_year"] or m["q_year2"]
    start, end = m.start("quarter"), m.end()
    if raw_year and raw_year[0].isalpha():
        year = relative_year(raw_year, ctx.dct)
    else:
        year = explicit_year(raw_year, ctx.dct)
    if year is None and ctx.dct is not None and not raw_year:
        current = (ctx.dct.month - 1) // 3 + 1
        if ctx.direction(start, end) == FUTURE and number > current:
            year = ctx.dct.year
        else:
            year = ctx.dct.year if number <= current else ctx.dct.year - 1
    return [Draft(start, end, DATE, f"{year}-Q{number}" if year else "", granularity="quarter")]


def half_year(m, ctx):
    number = int(m["h_number"]) if m["h_number"] else (1 if m["h_ordinal"].lower() == "eerste" else 2)
    year = explicit_year(m["h_year"] or m["h_year2"] or m["h_year3"], ctx.dct) or relative_year(
        m["h_relyear"], ctx.dct
    )
    if year is None and not m["h_relyear"] and ctx.dct is not None:
        year = ctx.dct.year
    start, end = m.start("half_year"), m.end()
    return [Draft(start, end, DATE, f"{year}-H{number}" if year else "", granularity="half")]


def decade(m, ctx):
    raw = m["dc_value"].lower().strip("'")
    century_word = (m["dc_century"] or "").lower()
    if raw in DECADE_WORDS:
        tens = DECADE_WORDS[raw]
        century = 20 if raw == "nul" else 19
    elif len(raw) == 4:
        return [Draft(m.start("decade"), m.end(), DATE, raw[:3], granularity="decade")]
    else:
        tens = int(raw) // 10
        century = 19
    if century_word == "deze":
        century = 20
    elif century_word in lx.ORDINALS:
        century = lx.ORDINALS[century_word] - 1
    elif century_word[:2].isdigit():
        century = int(century_word[:2]) - 1
    return [Draft(m.start("decade"), m.end(), DATE, f"{century:02d}{tens}", granularity="decade")]


def century(m, ctx):
    raw = m["ce_ordinal"].lower()
    number = lx.ORDINALS.get(raw) or int(re.match(r"\d+", raw).group())
    if not 1 <= number <= 22:
        return None
    return [Draft(m.start("century"), m.end(), DATE, f"{number - 1:02d}", granularity="century")]


def year(m, ctx):
    if m["yr_short"]:
        if ctx.word_before(m.start()) not in TEMPORAL_PREPOSITIONS and ctx.text[m.start() - 1] not in "-–":
            return None
        value = year_from_short(m["yr_short"], ctx.dct)
        return [Draft(m.start("year"), m.end(), DATE, str(value), granularity="year")]
    value = int(m["yr_year"])
    before = ctx.word_before(m.start())
    after = ctx.word_after(m.end())
    if after.lower() in lx.COUNT_NOUNS_AFTER_YEAR or before.rstrip(".") in lx.NAME_BLOCKERS_BEFORE_YEAR:
        return None
    if before in CURRENCY_SIGNS or value < 1500 and before not in TEMPORAL_PREPOSITIONS:
        return None
    if is_name_before(ctx.text, m.start()):
        return None
    if (
        ctx.text[m.start() - 1 : m.start()] in "'‘\"“"
        and ctx.text[m.end() : m.end() + 1] in ("'", "’", '"', "”")
        and m.start() > 0
    ):
        return None  # a title in quotes: '1984'
    if re.match(r"\s+[A-Z]{2}(?!\w)", ctx.text[m.end() : m.end() + 4]):
        return None
    if (
        after[:1].isupper()
        and before not in TEMPORAL_PREPOSITIONS
        and ctx.text[m.end() : m.end() + 1].isspace()
    ):
        return None  # a postcode (2018 Antwerpen) or a heading, not a year
    return [Draft(m.start("year"), m.end(), DATE, str(value), granularity="year")]
