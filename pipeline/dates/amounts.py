"""Rules for durations (dertig jaar, jarenlang), N units ago / from now / later, sets (elke
maandag, wekelijks) and vague references (nu, onlangs, binnenkort)."""

from __future__ import annotations

import datetime as dt
import re

from pipeline.dates import calendar as cal
from pipeline.dates import lexicon as lx
from pipeline.dates.context import (
    CLOCK_SIGNALS,
    DATE,
    DURATION,
    GRANULARITY_RANK,
    SEASONS,
    SET,
    Context,
    Draft,
    adjust_hour,
    clock_draft,
    is_sentence_start,
    parse_count,
)

UNIT_GRANULARITY = {
    "D": "day",
    "W": "week",
    "M": "month",
    "HY": "month",
    "Y": "year",
    "QC": "year",
    "DE": "decade",
    "CE": "century",
    "H": "day",
    "MIN": "day",
    "QH": "day",
    "S": "day",
}


VAGUE_DURATION = {
    "S": "PTXS",
    "MIN": "PTXM",
    "QH": "PTXM",
    "H": "PTXH",
    "D": "PXD",
    "W": "PXW",
    "M": "PXM",
    "HY": "PXM",
    "Y": "PXY",
    "QC": "PXY",
    "DE": "PXDE",
    "CE": "PXCE",
}


SET_UNITS = {
    "dag": "P1D",
    "week": "P1W",
    "maand": "P1M",
    "jaar": "P1Y",
    "kwartaal": "P3M",
    "uur": "PT1H",
    "eeuw": "P100Y",
}


AGE_CONTEXT = re.compile(
    r"(?:tussen(?:\s+de)?\s+\d+\s+(?:en|tot)|\d+\s+(?:tot|à|-)|jonger\s+dan|ouder\s+dan|vanaf|"
    r"boven\s+de|onder\s+de|leeftijd\s+van|moment|(?<!\w)(?:is|was|werd|wordt|ben|word))\s*$",
    re.IGNORECASE,
)


BEFORE_NON_TEMPORAL_PLURAL = frozenset(
    "de te andere meer die deze dezelfde sommige zulke welke beide alle goede slechte mooie".split()
)


def duration_value(count: float | None, unit: str) -> str:
    """ISO 8601 duration; vague counts give X (PXY); halves go to the next smaller unit."""
    if count is None:
        return VAGUE_DURATION[unit]
    scale = {"HY": (6, "M"), "QC": (25, "Y"), "DE": (10, "Y"), "CE": (100, "Y"), "QH": (15, "MIN")}
    if unit in scale:
        factor, unit = scale[unit]
        count *= factor
    smaller = {
        "Y": (12, "M"),
        "M": (4, "W"),
        "W": (7, "D"),
        "D": (24, "H"),
        "H": (60, "MIN"),
        "MIN": (60, "S"),
    }
    if count != int(count) and unit in smaller:
        factor, unit = smaller[unit]
        count *= factor
    number = f"{count:g}" if count != int(count) else str(int(count))
    if unit in ("H", "MIN", "S"):
        return f"PT{number}{'M' if unit == 'MIN' else unit}"
    return f"P{number}{unit}"


def shifted_value(base: dt.date, count: float, unit: str, sign: int, granularity: str) -> tuple[str, str]:
    """base ± count units, written at the coarser of the unit's and the base's granularity."""
    months = {"M": 1, "HY": 6, "Y": 12, "QC": 300, "DE": 120, "CE": 1200}
    days = {"D": 1, "W": 7}
    unit_granularity = UNIT_GRANULARITY[unit]
    if count != int(count):
        unit_granularity = {"year": "month", "month": "day", "week": "day"}.get(
            unit_granularity, unit_granularity
        )
    if GRANULARITY_RANK.get(granularity, 1) > GRANULARITY_RANK[unit_granularity]:
        unit_granularity = "year" if GRANULARITY_RANK.get(granularity, 1) >= 5 else granularity
    if unit in days:
        target = base + dt.timedelta(days=round(sign * count * days[unit]))
    elif unit in months:
        total = round(sign * count * months[unit])
        year, month = cal.add_months(base.year, base.month, total)
        target = cal.safe_date(year, month, min(base.day, 28)) or base
    else:
        target = base
    formats = {
        "day": target.isoformat(),
        "week": cal.fmt_week(target),
        "month": cal.fmt_month(target.year, target.month),
        "year": str(target.year),
        "decade": f"{target.year // 10:03d}",
        "century": f"{target.year // 100:02d}",
    }
    final = unit_granularity if unit_granularity in formats else "year"
    return formats[final], final


def duration(m, ctx):
    """`drie jaar`, `jaren`, `drie jaar geleden`, `over twee weken`, `om acht uur` (a clock time)."""
    start, end = m.start("duration"), m.end()
    unit_word = (m["du_unit"] or m["du_plural"]).lower()
    unit = lx.UNITS[unit_word]
    raw_count, lead, relation = m["du_count"], m["du_lead"], (m["du_rel"] or "").lower()
    count = parse_count(raw_count)
    if m["du_over"] and relation == "terug":  # `komt over een jaar terug`: the verb's particle
        relation, end = "", m.start("du_rel") - 1
    if m["du_over"] and not relation and lead is None:
        start = m.start("du_over")
    elif m["du_over"]:
        start = m.start("du_lead") if lead else (m.start("du_count") if raw_count else m.start("du_plural"))
    if raw_count is not None and unit == "Y" and is_age(ctx, start, ctx.word_after(end).lower()):
        return None
    if re.match(r"[^\S\n]+van[^\S\n]+[A-Z]", ctx.text[end : end + 8]):
        return None  # a race or event name: 24 uur van Le Mans
    if raw_count is None and lead is None and ctx.word_before(start) in BEFORE_NON_TEMPORAL_PLURAL:
        return None  # de dagen na de storm, andere jaren
    if unit == "H" and not (lead or relation or m["du_over"]):
        clock_time = duration_as_clock(m, ctx, count)
        if clock_time:
            return [clock_time]
    if relation or m["du_over"]:
        return [relative_to_duration(ctx, start, end, count, unit, relation)]
    if lead and lead.lower() in ("vorige", "volgende") and raw_count is None:
        return None
    return [Draft(start, end, DURATION, duration_value(count, unit))]


def duration_as_clock(m, ctx: Context, count: float | None) -> Draft | None:
    """`om acht uur`, `rond 6 uur`, `9 uur 's avonds` are clock times, not durations."""
    if count is None or count != int(count) or count > 24:
        return None
    start, end = m.start("duration"), m.end()
    part = re.match(r"[^\S\n]+'s[^\S\n]+(\w+)", ctx.text[end : end + 20])
    part_word = part.group(1) if part and part.group(1).lower() in lx.ADVERBIAL_DAY_PARTS else None
    if not (
        (m["approx"] or "").lower() in ("rond", "omstreeks", "rondom")
        or part_word
        or ctx.word_before(start) in CLOCK_SIGNALS
        or ctx.word_before(m.start()) in CLOCK_SIGNALS
    ):
        return None
    parsed = adjust_hour(int(count), 0, part_word)
    if parsed is None:
        return None
    return clock_draft(ctx, start, end + part.end() if part_word else end, parsed)


def relative_to_duration(
    ctx: Context, start: int, end: int, count: float | None, unit: str, relation: str
) -> Draft:
    """DCT ± N units (geleden, over) or the anchor ± N units (later, eerder)."""
    if relation in ("geleden", "terug") or not relation:
        sign = -1 if relation else 1
        if count is None:
            return Draft(start, end, DATE, "PAST_REF" if sign < 0 else "FUTURE_REF")
        base, granularity = ctx.dct, "day"
    else:
        sign = 1 if relation in ("later", "daarna", "nadien") else -1
        base, granularity = ctx.anchor()
        if base is not None and count is None:
            return Draft(start, end, DATE, str(base.year), granularity="year")
    if base is None:
        return Draft(start, end, DATE, "", granularity=UNIT_GRANULARITY[unit])
    value, granularity = shifted_value(base, count, unit, sign, granularity)
    return Draft(start, end, DATE, value, granularity=granularity)


def is_age(ctx: Context, start: int, after: str) -> bool:
    """`15 jaar oud`, `tussen 8 en 18 jaar`, `jonger dan 50 jaar`: an age, not a duration."""
    return after in ("oud", "jong", "ouder", "jonger") or bool(
        AGE_CONTEXT.search(ctx.text, max(0, start - 30), start)
    )


def duration_lang(m, ctx):
    unit = lx.UNITS[m["dl_unit"].lower()]
    return [Draft(m.start("duration_lang"), m.end(), DURATION, VAGUE_DURATION[unit])]


def duration_whole(m, ctx):
    word = m["dw_unit"].lower()
    value = {
        "dag": "P1D",
        "week": "P1W",
        "maand": "P1M",
        "jaar": "P1Y",
        "nacht": "PT12H",
        "weekend": "P2D",
    }.get(word, "P3M")
    return [Draft(m.start("duration_whole"), m.end(), DURATION, value)]


def set_every(m, ctx):
    unit = m["st_unit"].lower()
    start, end = m.start("set_every"), m.end()
    if m["st_day"]:
        month_number = lx.MONTHS[m["st_month"].lower()]
        return [Draft(start, end, SET, f"XXXX-{month_number:02d}-{int(m['st_day']):02d}")]
    if unit in SET_UNITS:
        return [Draft(start, end, SET, SET_UNITS[unit])]
    for name, number in lx.WEEKDAYS.items():
        if unit.startswith(name):
            part = lx.DAY_PARTS.get(unit[len(name) :])
            return [Draft(start, end, SET, f"XXXX-WXX-{number}" + (f"T{part}" if part else ""))]
    if unit in lx.DAY_PARTS:
        return [Draft(start, end, SET, f"XXXX-XX-XXT{lx.DAY_PARTS[unit]}")]
    if unit in SEASONS:
        return [Draft(start, end, SET, f"XXXX-{SEASONS[unit]}")]
    if unit in lx.MONTHS:
        return [Draft(start, end, SET, f"XXXX-{lx.MONTHS[unit]:02d}")]
    return [Draft(start, end, SET, "XXXX-WXX-WE")]


def set_frequency(m, ctx):
    return [Draft(m.start("set_frequency"), m.end(), SET, SET_UNITS[m["sf_unit"].lower()])]


def set_adverb(m, ctx):
    return [Draft(m.start("set_adverb"), m.end(), SET, lx.SET_ADVERBS[lx.normalise(m["sa_word"])])]


def set_weekday(m, ctx):
    return [Draft(m.start("set_weekday"), m.end(), SET, f"XXXX-WXX-{lx.WEEKDAYS[m['sw_day'].lower()]}")]


def set_per(m, ctx):
    return [Draft(m.start("set_per"), m.end(), SET, SET_UNITS[m["sp_unit"].lower()])]


def vague(m, ctx):
    phrase = lx.normalise(m["vg_phrase"])
    start = m.start("vague")
    following = ctx.text[m.end() : m.end() + 9].lower()
    before = ctx.text[max(0, start - 12) : start].lower()
    if phrase == "nu" and (
        following.startswith((" eenmaal", ".nl", ".be", " en dan", " eens"))
        or ctx.text[start : m.end()] == "NU"
        or before.endswith(("of het ", " zo "))
    ):
        return None
    if phrase == "toekomst" and not re.search(r"(?:in|voor|naar)\s+de\s+(?:nabije\s+|verre\s+)?$", before):
        return None
    if phrase in ("op het moment", "op dit moment", "dit moment") and following.startswith(
        (" dat", " waarop")
    ):
        return None
    if phrase == "vroeger" and not (
        is_sentence_start(ctx.text, start)
        or ctx.word_before(start) in ("als", "van", "dan", "zoals", "toen", "dat")
    ):
        return None  # the comparative: vroeger dicht, vroeger dan gepland
    if phrase == "recent" and (
        ctx.word_before(start) in ("zeer", "erg", "heel", "vrij", "meest", "een", "het", "de")
        or following[:1] == "e"
    ):
        return None
    if ctx.text[start].isupper() and phrase not in ("nu",) and not is_sentence_start(ctx.text, start):
        return None
    return [Draft(start, m.end(), DATE, lx.VAGUE_REFS[phrase])]
