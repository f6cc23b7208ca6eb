"""extract_dates: one pass of the master regex over a field, each match resolved in text order.

Text order matters: anaphora (dat jaar, twee jaar later) and bare clock times resolve against the
previous timex, so the anchor is carried from one match to the next.
"""

from __future__ import annotations

import datetime as dt

from pipeline.dates import amounts, days, periods
from pipeline.dates import calendar as cal
from pipeline.dates import lexicon as lx
from pipeline.dates.context import DATE, DURATION, Context, Draft
from pipeline.dates.patterns import (
    BARE_WEEKDAY,
    MASTER,
    STRONG_FOLLOWERS,
    TOKEN,
    TRIGGER_PREFIX_HEADS,
    TRIGGER_PREFIXES,
    TRIGGER_WORDS,
    WEAK_TRIGGER_WORDS,
)
from pipeline.records import Field, Timex, TimexType

ANCHOR_VALUES = {"PRESENT_REF"}
HANDLERS = {
    "day_range": days.day_range,
    "full_date": days.full_date,
    "iso_date": days.iso_date,
    "numeric_date": days.numeric_date,
    "short_date": days.short_date,
    "relative_day": days.relative_day,
    "weekday": days.weekday,
    "holiday": days.holiday,
    "anaphor": days.anaphor,
    "day_part": days.day_part,
    "part_noun": days.part_noun,
    "clock_word": days.clock_word,
    "clock_range": days.clock_range,
    "clock": days.clock,
    "month_range": periods.month_range,
    "week_number": periods.week_number,
    "decade": periods.decade,
    "century": periods.century,
    "quarter": periods.quarter,
    "half_year": periods.half_year,
    "relative_unit": periods.relative_unit,
    "part_of_unit": periods.part_of_unit,
    "weekend_bare": periods.weekend_bare,
    "month": periods.month,
    "season": periods.season,
    "year": periods.year,
    "set_every": amounts.set_every,
    "set_frequency": amounts.set_frequency,
    "set_adverb": amounts.set_adverb,
    "set_weekday": amounts.set_weekday,
    "set_per": amounts.set_per,
    "vague": amounts.vague,
    "duration_lang": amounts.duration_lang,
    "duration_whole": amounts.duration_whole,
    "duration": amounts.duration,
}


def extract_dates(text: str, field: Field, published: dt.date | None) -> tuple[Timex, ...]:
    """All temporal expressions in `text` (one document field), resolved against `published`."""
    return extract_in_context(Context(text=text, dct=published), field)


def extract_article_dates(title: str, body: str, published: dt.date | None) -> tuple[Timex, ...]:
    """The timexes of an article's title, then its body; the title's weekdays follow the body.

    A headline says "Ministers maken dinsdag plan bekend" about last Tuesday: a weekday the body
    also names takes the body's day, any other the tense most of the body is written in.
    """
    body_timexes = extract_dates(body, Field.BODY, published)
    known = {}
    for timex in body_timexes:
        if timex.date_start is not None and BARE_WEEKDAY.fullmatch(timex.text):
            known.setdefault(timex.date_start.isoweekday(), timex.date_start)
    title_context = Context(text=title, dct=published, body=body, body_weekdays=known)
    return extract_in_context(title_context, Field.TITLE) + body_timexes


def extract_in_context(ctx: Context, field: Field) -> tuple[Timex, ...]:
    """One pass of the master regex over ctx.text, each match resolved in text order."""
    text = ctx.text
    found: list[Timex] = []
    done = 0
    for token in TOKEN.finditer(text):
        start = token.start()
        if start < done:
            continue
        word = token.group().lower()
        if word in TRIGGER_WORDS:
            if word in WEAK_TRIGGER_WORDS and not strong_word_follows(text, token.end()):
                continue
        elif not is_other_trigger(word):
            continue
        m = MASTER.match(text, start)
        drafts = HANDLERS[m.lastgroup](m, ctx) if m else None
        if not drafts:
            continue
        for draft in drafts:
            timex = to_timex(text, field, with_modifier(m, draft))
            found.append(timex)
            remember_anchor(ctx, timex)
        done = max(m.end(), drafts[-1].end)
    return tuple(found)


def is_other_trigger(word: str) -> bool:
    """A number, '95 or 's, or a compound such as maandagavond or jarenlang."""
    first = word[0]
    if first.isdigit():
        return True
    if first == "'":
        return len(word) > 1 and (word[1].isdigit() or word == "'s")
    return word[:4] in TRIGGER_PREFIX_HEADS and word.startswith(TRIGGER_PREFIXES)


def strong_word_follows(text: str, pos: int) -> bool:
    """Whether one of the next three tokens is a date word by itself (dagen, moment, 12)."""
    for count, token in enumerate(TOKEN.finditer(text, pos)):
        if count == 3:
            return False
        word = token.group().lower()
        if word in STRONG_FOLLOWERS or (
            word not in WEAK_TRIGGER_WORDS and (word in TRIGGER_WORDS or is_other_trigger(word))
        ):
            return True
    return False


def with_modifier(m, draft: Draft) -> Draft:
    """Fold a leading part word (begin, eind) or approximator (ruim, bijna) into the timex."""
    if draft.type not in (DATE, DURATION) or draft.value in ("PRESENT_REF", "PAST_REF", "FUTURE_REF"):
        return draft
    core = m.start(m.lastgroup)
    if draft.start != core:
        return draft
    if m["approx"] and (draft.type == DURATION or not draft.value.startswith("P")):
        mod = lx.MODIFIERS[lx.normalise(m["approx"])]
        start = m.start("approx")
        if m["part"]:
            start = m.start("part")
        return Draft(start, draft.end, draft.type, draft.value, mod, draft.granularity)
    if m["part"] and draft.type == DATE:
        mod = lx.PART_MODIFIERS[lx.normalise(m["part"])]
        return Draft(m.start("part"), draft.end, draft.type, draft.value, mod, draft.granularity)
    return draft


def to_timex(text: str, field: Field, draft: Draft) -> Timex:
    """The record, with the calendar days a DATE/TIME value covers; unresolved ones keep their kind."""
    start_day, end_day, granularity = (None, None, "")
    if draft.type in (TimexType.DATE, TimexType.TIME) and draft.value:
        start_day, end_day, granularity = cal.bounds(draft.value)
        if draft.type is TimexType.TIME and start_day is not None:
            granularity = "time"
    elif not draft.value:
        granularity = draft.granularity
    return Timex(
        field=field,
        start=draft.start,
        end=draft.end,
        text=text[draft.start : draft.end],
        type=draft.type,
        value=draft.value,
        date_start=start_day,
        date_end=end_day,
        granularity=granularity,
        mod=draft.mod,
    )


def remember_anchor(ctx: Context, timex: Timex) -> None:
    """The last resolved DATE/TIME (or `nu`, the DCT) anchors dat jaar, twee dagen later, 20.00 uur."""
    if timex.date_start is not None:
        ctx.anchor_day, ctx.anchor_granularity = timex.date_start, timex.granularity
    elif timex.value in ANCHOR_VALUES and ctx.dct is not None:
        ctx.anchor_day, ctx.anchor_granularity = ctx.dct, "day"
