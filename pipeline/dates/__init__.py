"""Dates stage: Dutch (NL + BE) temporal expressions -> TIMEX3 values.

`extract_dates(text, field, published)` finds every temporal expression in one document field and
resolves it against the publication date (DCT), following the date guidelines of
press-annotated (HeidelTime's Dutch conventions, with our departures: voorjaar/najaar are SP/FA,
spans leave out leading prepositions and articles, ranges are split in two).

How it works: one compiled regex (`patterns.MASTER`, one named alternative per kind of
expression) is tried only at tokens that can open an expression; the matched alternative's
handler (`days`, `periods`, `amounts`) turns the match into TIMEX3 drafts, using the sentence's
tense for bare weekdays and yearless dates (`tense`) and the previous timex as the anchor for
anaphora. Word lists live in pipeline/data/dates_nl.json. No wall clock: without a DCT, absolute
dates are still normalised and relative ones get the value "".
"""

from pipeline.dates.extract import extract_article_dates, extract_dates

__all__ = ["extract_article_dates", "extract_dates"]
