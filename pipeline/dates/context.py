"""What every date rule shares: the Draft record, the per-call Context and small parsers.

A handler gets a regex match and a Context (text, DCT, the previous timex as anchor) and returns
Drafts, or nothing when the match is not a date after all. Values that need a DCT are "" without one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline.dates import lexicon as lx
from pipeline.dates.patterns import CLOCK_PARTS
from pipeline.dates.tense import PAST, direction_at, text_tense
from pipeline.records import TimexType

DATE, TIME, DURATION, SET = TimexType.DATE, TimexType.TIME, TimexType.DURATION, TimexType.SET


PAST_WORDS = {"vorige": -1, "vorig": -1, "afgelopen": -1, "voorbije": -1, "verleden": -1}


FUTURE_WORDS = {
    "volgende": 1,
    "volgend": 1,
    "komende": 1,
    "komend": 1,
    "aanstaande": 1,
    "eerstvolgende": 1,
    "eerstkomende": 1,
}


DIRECTION_WORDS = PAST_WORDS | FUTURE_WORDS | {"deze": 0, "dit": 0}


SEASONS = {"lente": "SP", "voorjaar": "SP", "zomer": "SU", "herfst": "FA", "najaar": "FA", "winter": "WI"}


GRANULARITY_RANK = {
    "time": 0,
    "day": 1,
    "week": 2,
    "weekend": 2,
    "month": 3,
    "quarter": 4,
    "half": 4,
    "season": 4,
    "year": 5,
    "decade": 6,
    "century": 7,
}


CLOCK_SIGNALS = frozenset(
    "om rond tegen tot vanaf omstreeks sinds tussen en uiterlijk klokslag stipt".split()
)


NUMBER_PIECE = re.compile(lx.alternation(list(lx.NUMBER_WORDS) + list(lx.LARGE_NUMBERS)))
WORD_BEFORE = re.compile(r"([\w'€$/.]+)[\s(]*$")


WORD_AFTER = re.compile(r"^\s*([\w%'€]+)")


SENTENCE_START = re.compile(r"(?:^|[.!?:\"“”]\s*|\n\s*)$")


@dataclass(frozen=True)
class Draft:
    """A timex before it becomes a record: offsets into the field text and its value."""

    start: int
    end: int
    type: TimexType
    value: str
    mod: str = ""
    granularity: str = ""


@dataclass
class Context:
    """What a handler may look at: the text, the DCT and the previous resolved timex (anchor).

    One Context lives for one call of extract_dates; `anchor` is updated as timexes are found.
    For a headline, `body` is the article body and `body_weekdays` the days its bare weekdays
    resolved to: a headline is written in the present whatever happened, so its weekdays follow
    the body.
    """

    text: str
    dct: dt.date | None
    anchor_day: dt.date | None = None
    anchor_granularity: str = ""
    body: str | None = None
    body_weekdays: dict[int, dt.date] = field(default_factory=dict)
    _document_tense: int | None = None

    def direction(self, start: int, end: int) -> int:
        return direction_at(self.text, start, end)

    def weekday_direction(self, start: int, end: int) -> int:
        """The tense for a bare weekday: its own sentence; else (and in a headline) the article's."""
        own = self.direction(start, end)
        if self.body is not None and own != PAST:
            return self.document_tense() or own
        return own or self.document_tense()

    def document_tense(self) -> int:
        """The tense most of the article body is written in (computed once, when first needed)."""
        if self._document_tense is None:
            self._document_tense = text_tense(self.body if self.body is not None else self.text)
        return self._document_tense

    def word_before(self, pos: int) -> str:
        m = WORD_BEFORE.search(self.text, max(0, pos - 40), pos)
        return m.group(1).lower() if m else ""

    def word_after(self, pos: int) -> str:
        m = WORD_AFTER.match(self.text[pos : pos + 40])
        return m.group(1) if m else ""

    def anchor(self) -> tuple[dt.date | None, str]:
        """The date to resolve anaphora against: the previous timex, else the DCT."""
        if self.anchor_day is not None:
            return self.anchor_day, self.anchor_granularity
        return self.dct, "day"


def span(m: re.Match, group: str) -> tuple[int, int]:
    return m.start(group), m.end(group)


def parse_count(word: str | None) -> float | None:
    """A count as a number (1, 30, 1.5); None for vague counts (een paar, enkele)."""
    if word is None:
        return None
    w = lx.normalise(word)
    if w in ("een", "één"):
        return 1
    if w in ("half", "halve", "een half", "een halve"):
        return 0.5
    if w in ("anderhalf", "anderhalve"):
        return 1.5
    if w in lx.VAGUE_COUNTS or w == "paar":
        return None
    if w[0].isdigit():
        number = float(w.replace(",", "."))
        return int(number) if number == int(number) else number
    total = 0
    for part in NUMBER_PIECE.findall(w):  # tweeduizend, twee miljoen
        if part in lx.LARGE_NUMBERS:
            total = max(total, 1) * lx.LARGE_NUMBERS[part]
        else:
            total += lx.NUMBER_WORDS[part]
    return total or None


def parse_clock(raw: str, part: str | None) -> tuple[int, int] | None:
    m = CLOCK_PARTS.search(raw)
    hour, minute = int(m["hour"]), int(m["minute"] or 0)
    return adjust_hour(hour, minute, part)


def adjust_hour(hour: int, minute: int, part: str | None) -> tuple[int, int] | None:
    """Apply 's middags / 's avonds to a 12-hour clock time; None for impossible times."""
    code = lx.ADVERBIAL_DAY_PARTS.get(part.lower()) if part else None
    if code in ("AF", "EV") and hour < 12:
        hour += 12
    elif code == "NI" and 6 <= hour < 12:
        hour += 12
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        return None
    return hour, minute


def time_value(day: dt.date | None, clock: tuple[int, int]) -> str:
    return f"{day.isoformat()}T{clock[0]:02d}:{clock[1]:02d}" if day else ""


def year_from_short(short: str, dct: dt.date | None) -> int:
    """'95 -> 1995, '19 -> 2019: the century that keeps the year at most ten years ahead."""
    yy = int(short.strip("'"))
    pivot = (dct.year % 100 + 10) if dct else 30
    return 2000 + yy if yy <= pivot else 1900 + yy


def explicit_year(raw: str | None, dct: dt.date | None) -> int | None:
    if not raw:
        return None
    return year_from_short(raw, dct) if raw.startswith("'") else int(raw)


def relative_year(raw: str | None, dct: dt.date | None) -> int | None:
    """dit/vorig/volgend jaar -> a year; None when absent or without a DCT."""
    if not raw or dct is None:
        return None
    word = lx.normalise(raw).split()[0]
    return dct.year + {"dit": 0, "vorig": -1, "verleden": -1, "volgend": 1, "komend": 1}[word]


def clock_draft(ctx: Context, start: int, end: int, parsed: tuple[int, int]) -> Draft:
    """A clock time lies on the day last mentioned (a schedule), else on the DCT."""
    day, granularity = ctx.anchor()
    if granularity not in ("day", "time"):
        day = ctx.dct
    return Draft(start, end, TIME, time_value(day, parsed), granularity="time")


def is_sentence_start(text: str, pos: int) -> bool:
    return bool(SENTENCE_START.search(text, max(0, pos - 3), pos))
