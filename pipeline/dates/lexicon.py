"""Dutch word lists for the dates stage, loaded once from pipeline/data/dates_nl.json.

Everything here is a constant: word -> number tables and the regex alternations built from them.
"""

from __future__ import annotations

import json
import re
from importlib import resources

_DATA = json.loads(resources.files("pipeline").joinpath("data/dates_nl.json").read_text("utf-8"))

MONTHS: dict[str, int] = _DATA["months"]
MONTH_ABBREVIATIONS: dict[str, int] = _DATA["month_abbreviations"]
WEEKDAYS: dict[str, int] = _DATA["weekdays"]
WEEKDAY_ABBREVIATIONS: dict[str, int] = _DATA["weekday_abbreviations"]
DAY_PARTS: dict[str, str] = _DATA["day_parts"]
ADVERBIAL_DAY_PARTS: dict[str, str] = _DATA["adverbial_day_parts"]
UNITS: dict[str, str] = _DATA["units"]
ORDINALS: dict[str, int] = _DATA["ordinals"]
MODIFIERS: dict[str, str] = _DATA["modifiers"]
PART_MODIFIERS: dict[str, str] = _DATA["part_modifiers"]
VAGUE_COUNTS: tuple[str, ...] = tuple(_DATA["vague_counts"])
VAGUE_REFS: dict[str, str] = _DATA["vague_refs"]
SET_ADVERBS: dict[str, str] = _DATA["set_adverbs"]
COUNT_NOUNS_AFTER_YEAR = frozenset(_DATA["count_nouns_after_year"])
NAME_BLOCKERS_BEFORE_YEAR = frozenset(_DATA["name_blockers_before_year"])


def _holiday_rules() -> dict[str, tuple]:
    rules: dict[str, tuple] = {}
    for name, (month, day) in _DATA["holidays_fixed"].items():
        rules[name] = ("fixed", month, day)
    for name, offset in _DATA["holidays_easter"].items():
        rules[name] = ("easter", offset)
    for name, (month, weekday, nth) in _DATA["holidays_weekday_rule"].items():
        rules[name] = ("nth", month, weekday, nth)
    return rules


HOLIDAYS: dict[str, tuple] = _holiday_rules()
HOLIDAY_WEEKENDS: dict[str, str] = _DATA["holiday_weekends"]


def _number_words() -> dict[str, int]:
    """Cardinal words 1-99 as written in Dutch (eenentwintig, tweeëntwintig, ...)."""
    units = _DATA["number_units"]
    words = dict(units) | _DATA["number_teens"] | _DATA["number_tens"]
    for tens_word, tens in _DATA["number_tens"].items():
        for unit_word, unit in units.items():
            if unit_word in ("één",):
                continue
            joiner = "ën" if unit_word.endswith("e") else "en"
            words[unit_word + joiner + tens_word] = tens + unit
    return words


NUMBER_WORDS: dict[str, int] = _number_words()
LARGE_NUMBERS: dict[str, int] = _DATA["number_large"]


def alternation(words, escape: bool = True) -> str:
    """A regex alternation, longest first so that the longest word wins."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"[^\S\n]+") if escape else w for w in ordered)


def normalise(phrase: str) -> str:
    """Lower case with single spaces, the key form for the tables above."""
    return " ".join(phrase.lower().split())


PAST_FORMS = frozenset(_DATA["past_forms"])
NOT_PAST_WORDS = frozenset(_DATA["not_past_words"])
PARTICLES = tuple(sorted(_DATA["particles"], key=len, reverse=True))
FUTURE_MARKERS = frozenset(_DATA["future_markers"])
PRESENT_FORMS = frozenset(_DATA["present_forms"])
REPORTING_FORMS = frozenset(_DATA["reporting_forms"])
DETERMINERS = frozenset(_DATA["determiners"])
SUBORDINATORS = frozenset(_DATA["subordinators"])
