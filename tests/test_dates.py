"""Dates stage: Dutch temporal expressions -> TIMEX3 values.

The table lives in tests/dates_cases.tsv (sentences written by us, one row each):
id, publication date (`-` for none), text, expected timexes as `span=value[|MOD]; ...`.
An empty expectation is a negative case: nothing in the sentence may come out as a date.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from pipeline.dates import extract_article_dates, extract_dates
from pipeline.records import Field, Timex, TimexType

CASES_FILE = Path(__file__).with_name("dates_cases.tsv")
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "press-annotated"

def load_cases():
    """One pytest param per row of tests/dates_cases.tsv (comment lines start with #)."""
    for line in CASES_FILE.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        case_id, published, text, expected = line.split("\t")
        day = dt.date.fromisoformat(published) if published != "-" else None
        yield pytest.param(day, text, expected, id=case_id)


def expected_timexes(text: str, expected: str) -> list[tuple[int, str, str, str]]:
    """(start, span, value, mod) for each `span=value[|MOD]`, spans found left to right."""
    found, cursor = [], 0
    for entry in filter(None, (e.strip() for e in expected.split(";"))):
        surface, value = entry.rsplit("=", 1)
        value, _, mod = value.partition("|")
        start = text.index(surface, cursor)
        cursor = start + len(surface)
        found.append((start, surface, value, mod))
    return found


@pytest.mark.parametrize(("published", "text", "expected"), list(load_cases()))
def test_sentence(published, text, expected):
    got = extract_dates(text, Field.BODY, published)
    want = expected_timexes(text, expected)
    assert [(t.start, t.text, t.value) for t in got] == [(s, span, v) for s, span, v, _ in want]
    for timex, (_, _, _, mod) in zip(got, want):
        if mod:
            assert timex.mod == mod


@pytest.mark.parametrize(
    ("value", "start", "end", "granularity"),
    [
        ("2025-06-03", dt.date(2025, 6, 3), dt.date(2025, 6, 3), "day"),
        ("2025-W01", dt.date(2024, 12, 30), dt.date(2025, 1, 5), "week"),
        ("2025-W22-WE", dt.date(2025, 5, 31), dt.date(2025, 6, 1), "weekend"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month"),
        ("2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), "quarter"),
        ("2025-H2", dt.date(2025, 7, 1), dt.date(2025, 12, 31), "half"),
        ("2024-WI", dt.date(2024, 12, 1), dt.date(2025, 2, 28), "season"),
        ("2025-SP", dt.date(2025, 3, 1), dt.date(2025, 5, 31), "season"),
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "year"),
        ("199", dt.date(1990, 1, 1), dt.date(1999, 12, 31), "decade"),
        ("18", dt.date(1800, 1, 1), dt.date(1899, 12, 31), "century"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_value_bounds(value, start, end, granularity):
    from pipeline.dates.calendar import bounds

    assert bounds(value) == (start, end, granularity)


def test_record_fields_of_a_time():
    text = "De wedstrijd begint zaterdag om 20.00 uur."
    (timex,) = extract_dates(text, Field.TITLE, dt.date(2025, 6, 4))
    assert timex == Timex(
        Field.TITLE,
        20,
        41,
        "zaterdag om 20.00 uur",
        TimexType.TIME,
        "2025-06-07T20:00",
        dt.date(2025, 6, 7),
        dt.date(2025, 6, 7),
        "time",
        "",
    )


def test_durations_and_sets_have_no_bounds():
    got = extract_dates("Hij werkte dertig jaar en kwam elke maandag.", Field.BODY, dt.date(2025, 6, 4))
    assert [(t.type, t.date_start, t.date_end, t.granularity) for t in got] == [
        (TimexType.DURATION, None, None, ""),
        (TimexType.SET, None, None, ""),
    ]


def test_unresolved_relative_keeps_granularity_but_no_bounds():
    (timex,) = extract_dates("Vorige week viel de beslissing.", Field.BODY, None)
    assert (timex.value, timex.date_start, timex.granularity) == ("", None, "week")


def test_span_text_always_matches_offsets():
    text = "Op 3 juni 2025 om 14.30 uur, vorige week dinsdag en eind jaren negentig."
    for timex in extract_dates(text, Field.BODY, dt.date(2025, 6, 4)):
        assert text[timex.start : timex.end] == timex.text


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data/press-annotated is not available")
def test_press_annotated_value_f1():
    """Value F1 on the 100 annotated articles (overlap + right value) stays above 0.90."""
    articles = [json.loads(line) for line in (SHARED / "articles.jsonl").open(encoding="utf-8")]
    golds = [json.loads(line) for line in (SHARED / "gold.jsonl").open(encoding="utf-8")]
    n_system = n_gold = n_right = 0
    for article, gold in zip(articles, golds):
        published = dt.date.fromisoformat(article["published"]) if article.get("published") else None
        got = list(extract_dates(article["text"], Field.BODY, published))
        n_system += len(got)
        n_gold += len(gold["timexes"])
        used: set[int] = set()
        for g in gold["timexes"]:
            hit = next(
                (i for i, t in enumerate(got) if i not in used and t.start < g["end"] and g["start"] < t.end),
                None,
            )
            if hit is not None:
                used.add(hit)
                n_right += got[hit].value == (g["value"] or "")
    precision, recall = n_right / n_system, n_right / n_gold
    assert 2 * precision * recall / (precision + recall) >= 0.90


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        pytest.param(
            "Ministers maken dinsdag nieuwe regels bekend",
            "De ministers maakten dinsdag bekend dat de regels strenger worden.",
            "2025-06-03",
            id="headline_takes_the_body_day",
        ),
        pytest.param(
            "Brand verwoest loods zondag",
            "Een loods brandde volledig uit. De brandweer was urenlang bezig en niemand raakte gewond.",
            "2025-06-01",
            id="headline_follows_past_body",
        ),
        pytest.param(
            "Stad opent zaterdag nieuwe markt",
            "De nieuwe markt gaat open met muziek. Kramers komen uit het hele land.",
            "2025-06-07",
            id="headline_follows_future_body",
        ),
    ],
)
def test_headline_weekday_follows_body(title, body, expected):
    got = extract_article_dates(title, body, dt.date(2025, 6, 4))
    titles = [t for t in got if t.field is Field.TITLE]
    assert [t.value for t in titles] == [expected]
    assert all(t.field is Field.BODY for t in got[len(titles) :])
