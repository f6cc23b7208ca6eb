"""The one compiled regex that finds Dutch temporal expressions.

Each top-level alternative is a named group (the handler name in `rules.py`); alternatives are
ordered so that the longer or more specific reading of a position comes first. One pass of
`finditer` over a text finds every candidate, which keeps the stage fast.
"""

from __future__ import annotations

import re

from pipeline.dates import lexicon as lx

B = r"(?!\w)"  # right word boundary that also works after a dot
MONTH = lx.alternation(lx.MONTHS)
MONTH_ABBREVIATION = lx.alternation(lx.MONTH_ABBREVIATIONS)
MONTH_ANY = lx.alternation(list(lx.MONTHS) + list(lx.MONTH_ABBREVIATIONS))
WEEKDAY = lx.alternation(lx.WEEKDAYS)
WEEKDAY_ANY = lx.alternation(list(lx.WEEKDAYS) + list(lx.WEEKDAY_ABBREVIATIONS))
PART = lx.alternation(lx.DAY_PARTS)
ADV_PART = lx.alternation(lx.ADVERBIAL_DAY_PARTS)
UNIT = lx.alternation(lx.UNITS)
PLURAL_UNIT = "seconden|minuten|uren|etmalen|dagen|weken|maanden|jaren|decennia|eeuwen"
ORDINAL = lx.alternation(lx.ORDINALS)
NUMBER_WORD = lx.alternation(lx.NUMBER_WORDS)
LARGE = lx.alternation(lx.LARGE_NUMBERS)
VAGUE_COUNT = lx.alternation(lx.VAGUE_COUNTS)
HOLIDAY = lx.alternation(list(lx.HOLIDAYS) + list(lx.HOLIDAY_WEEKENDS))
SEASON = "lente|voorjaar|zomer|herfst|najaar|winter"
DECADE_WORD = "twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig|nul"
YEAR4 = r"(?:1[0-9]|20)\d\d"
YEAR = rf"{YEAR4}(?!\d)|'\d\d{B}"
REL_YEAR = r"(?:dit|vorig|volgend|verleden|komend)[^\S\n]+jaar"
DIRECTION_AFTER = r"ll\.|l\.l\.|e\.k\.|jl\.|jongstleden|aanstaande|a\.s\.|eerstkomend"
COUNT = (
    rf"\d+(?:,\d+)?|(?:{NUMBER_WORD})(?:[^\S\n]*(?:{LARGE}))?|{LARGE}|{VAGUE_COUNT}"
    r"|een[^\S\n]+(?:halve|half)|anderhalve|anderhalf|halve|half|een|één"
)
CLOCK_STRICT = (
    r"(?:[01]?\d|2[0-4])[.:][0-5]\d(?:[^\S\n]*uur|[^\S\n]*u(?!\w))?|(?:[01]?\d|2[0-4])[uh][0-5]\d(?!\w)"
    r"|(?:[01]?\d|2[0-4])u(?!\w)"
)
CLOCK = CLOCK_STRICT + r"|(?:[01]?\d|2[0-4])[^\S\n]*uur(?!\w)"
DIRECTION_BEFORE = (
    r"vorige|vorig|afgelopen|voorbije|verleden|deze|dit|volgende|volgend|komende|komend"
    r"|aanstaande|eerstvolgende|eerstkomende"
)


def _time_suffix(prefix: str) -> str:
    """An optional clock time or day part that follows a day: `zaterdag om 20.00 uur`."""
    return (
        rf"(?:[^\S\n]+'s[^\S\n]+(?P<{prefix}_part2>{ADV_PART}){B})?"
        rf"(?:,?[^\S\n]+(?:om|vanaf|van|rond|tegen|omstreeks)?[^\S\n]*(?P<{prefix}_clock>{CLOCK})"
        rf"(?:[^\S\n]+'s[^\S\n]+(?P<{prefix}_part3>{ADV_PART}){B})?)?"
    )


PART_WORD = lx.alternation(w for w in lx.PART_MODIFIERS if w != "half") + rf"|half(?=[^\S\n]+(?:{MONTH}){B})"
PREFIX = (
    rf"(?:(?P<part>{PART_WORD})[^\S\n]+(?:van[^\S\n]+)?(?:(?:de|het)[^\S\n]+)?)?"
    rf"(?:(?P<approx>{lx.alternation(lx.MODIFIERS)})[^\S\n]+)?"
)

ALTERNATIVES = {
    "day_range": (
        rf"(?<![\d.,/])(?P<dr_day>[0-3]?\d)(?:e|ste|de)?[^\S\n]*(?:-|–|tot[^\S\n]+en[^\S\n]+met|tot|t/m|en|&)[^\S\n]*"
        rf"(?=[0-3]?\d(?:e|ste|de)?[^\S\n]+(?:{MONTH_ANY})\.?{B})"
    ),
    "month_range": (
        rf"(?P<mr_month>{MONTH}){B}[^\S\n]*(?:-|–|tot[^\S\n]+en[^\S\n]+met|tot|t/m|en)[^\S\n]*"
        rf"(?=(?:{MONTH}){B}[^\S\n]+{YEAR4})"
    ),
    "full_date": (
        rf"(?:(?P<fd_weekday>{WEEKDAY_ANY})\.?,?[^\S\n]+)?(?<![\d.,/])(?P<fd_day>[0-3]?\d)(?:e|ste|de)?"
        rf"[^\S\n]+(?P<fd_month>{MONTH}{B}|(?:{MONTH_ABBREVIATION})(?:\.|{B}))"
        rf"(?:,?[^\S\n]+(?P<fd_year>{YEAR})|[^\S\n]+(?:van[^\S\n]+)?(?P<fd_relyear>{REL_YEAR}){B})?"
        rf"(?:[^\S\n]+(?P<fd_dir>{DIRECTION_AFTER}))?" + _time_suffix("fd")
    ),
    "iso_date": r"(?<![\d.,/])(?P<iso_year>[12]\d{3})-(?P<iso_month>[01]\d)-(?P<iso_day>[0-3]\d)(?!\d)"
    + _time_suffix("iso"),
    "numeric_date": (
        rf"(?:(?P<nd_weekday>{WEEKDAY_ANY})\.?,?[^\S\n]+)?(?<![\d.,/])(?P<nd_day>[0-3]?\d)(?P<nd_sep>[-/.])"
        r"(?P<nd_month>[01]?\d)(?P=nd_sep)(?P<nd_year>\d{4}|\d\d)(?![\d]|[.,/-]\d)" + _time_suffix("nd")
    ),
    "short_date": (
        rf"(?:(?P<sd_weekday>{WEEKDAY_ANY})\.?,?[^\S\n]+)?(?<![\d.,/])(?P<sd_day>[0-3]?\d)/"
        r"(?P<sd_month>[01]?\d)(?![\d/]|[.,]\d)" + _time_suffix("sd")
    ),
    "week_number": (
        r"week[^\S\n]+(?P<wn_week>[1-5]?\d)(?!\d)"
        rf"(?:[^\S\n]+(?:van[^\S\n]+)?(?P<wn_year>{YEAR4}))?(?!\d)"
    ),
    "decade": (
        rf"jaren[^\S\n]+(?P<dc_value>'?\d0|[12]\d{{2}}0|{DECADE_WORD}){B}"
        rf"(?:[^\S\n]+van[^\S\n]+de[^\S\n]+(?P<dc_century>vorige|deze|{ORDINAL}|\d\d(?:e|ste|de))[^\S\n]+eeuw{B})?"
    ),
    "century": rf"(?P<ce_ordinal>{ORDINAL}|\d\d?(?:e|ste|de))[^\S\n]+eeuw{B}",
    "quarter": (
        rf"(?P<q_ordinal>eerste|tweede|derde|vierde|laatste|[1-4]e|[1-4]de)[^\S\n]+kwartaal{B}"
        rf"(?:[^\S\n]+(?:van[^\S\n]+)?(?P<q_year>{YEAR4}|{REL_YEAR}))?"
        rf"|(?<!\w)[Qq](?P<q_number>[1-4])(?:[^\S\n]+(?P<q_year2>{YEAR4}|'\d\d))?{B}"
    ),
    "half_year": (
        rf"(?P<h_ordinal>eerste|tweede)[^\S\n]+(?:(?:jaarhelft|semester){B}(?:[^\S\n]+(?:van[^\S\n]+)?(?P<h_year>{YEAR4}))?"
        rf"|helft[^\S\n]+van[^\S\n]+(?:het[^\S\n]+jaar{B}|(?P<h_relyear>{REL_YEAR}){B}|(?P<h_year2>{YEAR4})))"
        rf"|(?<!\w)[Hh](?P<h_number>[12])[^\S\n]+(?P<h_year3>{YEAR4})"
    ),
    "holiday": (
        rf"(?:(?P<ho_dir>{DIRECTION_BEFORE})[^\S\n]+)?(?P<ho_name>{HOLIDAY}){B}"
        rf"(?:[^\S\n]+(?:van[^\S\n]+)?(?P<ho_year>{YEAR4}))?"
    ),
    "relative_day": (
        rf"(?P<rd_word>eergisteren|eergister|gisteren|gister|vandaag|overmorgen|morgen|vannacht|vanavond"
        rf"|vanochtend|vanmorgen|vanmiddag|vanvoormiddag|vannamiddag|deze(?=[^\S\n]+(?:{PART}){B}))"
        rf"(?:[^\S\n]*(?P<rd_part>{PART}|vroeg))?{B}" + _time_suffix("rd")
    ),
    "weekday": (
        rf"(?:(?P<wd_before>vorige[^\S\n]+week|volgende[^\S\n]+week|deze[^\S\n]+week|{DIRECTION_BEFORE})[^\S\n]+)?"
        rf"(?P<wd_name>{WEEKDAY})(?P<wd_part>{PART})?(?P<wd_plural>en)?{B}"
        rf"(?:[^\S\n]+(?P<wd_after>{DIRECTION_AFTER}|(?:van[^\S\n]+)?(?:vorige|volgende|deze)[^\S\n]+week{B}))?"
        + _time_suffix("wd")
    ),
    "relative_unit": (
        rf"(?P<ru_dir>{DIRECTION_BEFORE})[^\S\n]+(?P<ru_unit>weekend|week|maand|jaar|kwartaal|eeuw"
        rf"|decennium|halfjaar|jaarhelft|{SEASON}|{MONTH}){B}"
    ),
    "part_of_unit": (
        r"(?P<pu_part>begin|eind|einde|midden|halverwege)[^\S\n]+van[^\S\n]+(?:de|het)[^\S\n]+"
        rf"(?P<pu_unit>week|maand|jaar){B}"
    ),
    "weekend_bare": rf"(?<=het )(?P<wb_word>weekend){B}",
    "part_noun": rf"(?<=de )(?P<pn_part>{PART}){B}|(?P<pn_overdag>overdag){B}",
    "anaphor": (
        r"(?P<an_det>diezelfde|dezelfde|datzelfde|hetzelfde|die|dat)[^\S\n]+(?P<an_unit>dag|week|maand"
        rf"|jaar|avond|ochtend|middag|nacht|weekend|{SEASON}){B}"
        r"|(?P<an_next>volgende|daaropvolgende)[^\S\n]+(?P<an_unit2>dag|ochtend|middag|avond|nacht)\b"
        r"|daags[^\S\n]+(?P<an_daags>nadien|daarna|erna|voordien|ervoor|daarvoor)\b"
        r"|'s[^\S\n]+anderendaags\b"
    ),
    "month": (
        rf"(?P<mo_month>{MONTH}){B}(?:,?[^\S\n]+(?P<mo_year>{YEAR})"
        rf"|[^\S\n]+(?:van[^\S\n]+)?(?P<mo_relyear>{REL_YEAR}){B})?"
    ),
    "season": (
        rf"(?P<se_name>{SEASON}){B}(?:[^\S\n]+(?:van[^\S\n]+)?(?P<se_year>{YEAR})"
        rf"|[^\S\n]+(?:van[^\S\n]+)?(?P<se_relyear>{REL_YEAR}){B})?"
    ),
    "set_every": (
        rf"(?:elke|iedere|ieder|elk)[^\S\n]+(?P<st_unit>(?:{WEEKDAY})(?:{PART})?|dag|week|maand|jaar"
        rf"|kwartaal|weekend|ochtend|morgen|middag|avond|nacht|{SEASON}|uur|{MONTH}){B}"
        rf"(?:[^\S\n]+op[^\S\n]+(?P<st_day>[0-3]?\d)[^\S\n]+(?P<st_month>{MONTH}){B})?"
    ),
    "set_frequency": (
        rf"(?P<sf_count>{COUNT}|eens)[^\S\n]+(?:keer[^\S\n]+|maal[^\S\n]+)?(?:per|in[^\S\n]+de|in[^\S\n]+het|per)[^\S\n]+"
        r"(?P<sf_unit>dag|week|maand|jaar|kwartaal|uur|eeuw)(?!\w)"
    ),
    "set_adverb": rf"(?P<sa_word>{lx.alternation(lx.SET_ADVERBS)})(?:e|se)?{B}",
    "set_weekday": rf"'s[^\S\n]+(?P<sw_day>{WEEKDAY})s{B}",
    "day_part": rf"'s[^\S\n]+(?P<dp_part>{ADV_PART}){B}",
    "set_per": r"(?<=per\s)(?P<sp_unit>dag|week|maand|jaar|kwartaal)(?!\w)",
    "vague": (rf"(?P<vg_phrase>{lx.alternation(lx.VAGUE_REFS)}){B}"),
    "clock_word": (
        rf"(?P<cw_lead>kwart[^\S\n]+(?:over|voor)(?:[^\S\n]+half)?|(?:{NUMBER_WORD}|\d\d?)[^\S\n]+(?:minuten[^\S\n]+)?"
        rf"(?:over|voor)(?:[^\S\n]+half)?|half)[^\S\n]+(?P<cw_hour>{NUMBER_WORD}|\d\d?){B}"
        rf"(?:[^\S\n]+'s[^\S\n]+(?P<cw_part>{ADV_PART}){B})?"
        rf"|(?P<cw_midnight>middernacht){B}"
    ),
    "clock_range": (
        rf"(?<![\d.,/])(?P<cr_start>(?:[01]?\d|2[0-4])(?:[.:u][0-5]\d)?)[^\S\n]*(?:-|–|tot|en)[^\S\n]*"
        rf"(?=(?:[01]?\d|2[0-4])(?:[.:u][0-5]\d)?[^\S\n]*uur{B})"
    ),
    "clock": (
        rf"(?<![\d.,:/€$])(?P<ck_time>{CLOCK_STRICT})(?![.,:]?\d)(?:[^\S\n]+'s[^\S\n]+(?P<ck_part>{ADV_PART}){B})?"
    ),
    "duration_lang": rf"(?P<dl_unit>jaren|maanden|weken|dagen|uren|eeuwen|decennia)lang{B}",
    "duration_whole": (
        r"(?:hele|heel[^\S\n]+de|heel[^\S\n]+het)[^\S\n]+"
        rf"(?P<dw_unit>dag|week|maand|jaar|nacht|weekend|{SEASON}){B}"
    ),
    "duration": (
        r"(?:(?P<du_over>over)[^\S\n]+)?(?:(?P<du_lead>afgelopen|voorbije|komende|laatste|eerste|jongste|"
        r"volgende|vorige)[^\S\n]+)?"
        rf"(?:(?<![\d.,/])(?P<du_count>{COUNT})[^\S\n]*(?P<du_unit>{UNIT})|(?P<du_plural>{PLURAL_UNIT})){B}"
        r"(?:[^\S\n]+(?P<du_rel>geleden|later|eerder|daarna|nadien|ervoor|daarvoor|terug)(?!\w))?"
    ),
    "year": (
        rf"(?<![\d.,/€$\w])(?P<yr_year>{YEAR4})(?![\d]|[.,]\d|-[01]?\d[-/]|[^\S\n]*%|-?jarig)"
        rf"|(?<=[-–\s(])(?P<yr_short>'\d\d){B}"
    ),
}

MASTER = re.compile(
    r"(?<!\w)(?<![^\W\d_]-)"
    + PREFIX
    + "(?:"
    + "|".join(f"(?P<{name}>{body})" for name, body in ALTERNATIVES.items())
    + ")",
    re.IGNORECASE,
)
BARE_WEEKDAY = re.compile(rf"(?:{WEEKDAY})(?:{PART})?", re.IGNORECASE)  # dinsdag, dinsdagavond
FULL_DATE = re.compile(ALTERNATIVES["full_date"], re.IGNORECASE)
MONTH_YEAR = re.compile(rf"(?P<month>{MONTH}){B}[^\S\n]+(?P<year>{YEAR4})", re.IGNORECASE)
CLOCK_PARTS = re.compile(r"(?P<hour>\d\d?)(?:[^\S\n]*[.:uh][^\S\n]*(?P<minute>\d\d))?")

# Words that can open a temporal expression. extract_dates tries the master regex only at
# tokens that are digits, start with an apostrophe, or are (or start with) one of these words.
TOKEN = re.compile(r"[\w']+")
TRIGGER_WORDS = frozenset(
    w
    for phrase in (
        list(lx.MONTHS)
        + list(lx.MONTH_ABBREVIATIONS)
        + list(lx.WEEKDAY_ABBREVIATIONS)
        + list(lx.UNITS)
        + list(lx.ORDINALS)
        + list(lx.NUMBER_WORDS)
        + list(lx.LARGE_NUMBERS)
        + list(lx.VAGUE_COUNTS)
        + list(lx.VAGUE_REFS)
        + list(lx.SET_ADVERBS)
        + list(lx.HOLIDAYS)
        + list(lx.HOLIDAY_WEEKENDS)
        + list(lx.MODIFIERS)
        + list(lx.PART_MODIFIERS)
        + list(lx.DAY_PARTS)
        + DIRECTION_BEFORE.split("|")
        + SEASON.split("|")
        + "eergisteren gisteren gister vandaag overmorgen morgen vannacht vanavond vanochtend "
        "vanmorgen vanmiddag vanvoormiddag vannamiddag deze jaren week eens elke iedere ieder "
        "elk hele heel kwart half halve anderhalf anderhalve middernacht diezelfde dezelfde "
        "datzelfde hetzelfde die dat daaropvolgende over q1 q2 q3 q4 h1 h2 per eerstvolgende "
        "jaarlijkse dagelijkse wekelijkse maandelijkse weekend daags jongste halfweg overdag".split()
    )
    for w in [phrase.split()[0].lower()]
)
# Frequent function words that open an expression only with a date word close behind them
# (een paar dagen, op dit moment, dat jaar): they trigger only when one of the next three
# tokens is a strong trigger.
WEAK_TRIGGER_WORDS = frozenset(
    "een één die dat op voor niet over nog meer zo deze dit goed heel eerste tweede derde "
    "vierde laatste minder laat vroeg per binnen eens lang miljoen duizend honderd zo'n elke "
    "iedere ieder elk ruim bijna rond begin eind einde midden medio enige enkele paar vele "
    "meerdere jongste minstens minimaal maximaal ongeveer circa ten tal heel hele volgende vorige "
    "komende afgelopen voorbije verleden aanstaande komend volgend vorig".split()
) | frozenset(lx.NUMBER_WORDS)
STRONG_FOLLOWERS = frozenset(
    "tijd moment tijdje seizoen keer maal geleden kwartaal helft jaarhelft eeuw toekomst "
    "verleden meteen kort afzienbare dage kwart middernacht half halve anderhalf anderhalve "
    "paar weekend weekends semester jaarhelft nadien daarna erna voordien ervoor daarvoor "
    "anderendaags".split()
)
TRIGGER_PREFIXES = tuple(lx.WEEKDAYS) + (
    "gister",
    "eergister",
    "morgen",
    "jaren",
    "maanden",
    "weken",
    "dagen",
    "uren",
    "eeuwen",
    "decennia",
)
TRIGGER_PREFIX_HEADS = frozenset(p[:4] for p in TRIGGER_PREFIXES)
