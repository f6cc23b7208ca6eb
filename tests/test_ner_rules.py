"""Tests for the article-level span corrections (pipeline/ner_rules.py), without a model."""
from __future__ import annotations

import pytest

from pipeline.ner_rules import (
    Span,
    correct_spans,
    names_out_of_compounds,
    propagate_names,
    split_at_spaced_dashes,
    split_person_affiliation,
)
from pipeline.records import Field, Label

B, T = Field.BODY, Field.TITLE


def span_of(text: str, name: str, label: Label, field: Field = B, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(name, start + 1)
    return Span(field, start, start + len(name), label)


def texts_of(spans: list[Span], texts: dict[Field, str]) -> list[tuple[str, str, str]]:
    return [(s.field.value, texts[s.field][s.start:s.end], s.label.value) for s in spans]


@pytest.mark.parametrize(
    ("body", "tagged", "expected"),
    [
        ("Uitslag: Feyenoord - AZ 2-1.", "Feyenoord - AZ", ["Feyenoord", "AZ"]),
        ("Zondag speelt Vitesse – PEC Zwolle in Arnhem.", "Vitesse – PEC Zwolle", ["Vitesse", "PEC Zwolle"]),
        ("ARNHEM - In de binnenstad is brand uitgebroken.", "ARNHEM - In", ["ARNHEM"]),
        ("Noord-Holland krijgt meer geld.", "Noord-Holland", ["Noord-Holland"]),  # no spaces: one name
        ("Het duel PSV-AZ eindigde gelijk.", "PSV-AZ", ["PSV-AZ"]),
    ],
)
def test_split_at_spaced_dashes(body: str, tagged: str, expected: list[str]) -> None:
    texts = {T: "", B: body}
    result = split_at_spaced_dashes([span_of(body, tagged, Label.ORG)], texts)
    assert [text for _, text, _ in texts_of(result, texts)] == expected
    assert {s.label for s in result} <= {Label.ORG}


def test_propagate_adds_untagged_occurrences_with_the_majority_label() -> None:
    body = (
        "Simango won de verkiezingen in Beira. Volgens Simango is de stad klaar. "
        "De aanhangers van Simango vierden feest."
    )
    texts = {T: "Simango wint in Beira", B: body}
    found = [
        span_of(body, "Simango", Label.PER),
        span_of(body, "Simango", Label.PER, occurrence=1),
        span_of(body, "Simango", Label.ORG, occurrence=2),
        span_of(body, "Beira", Label.LOC),
    ]
    result = propagate_names(found[:2] + found[3:], texts)
    assert texts_of(result, texts) == [
        ("title", "Simango", "PER"),
        ("title", "Beira", "LOC"),
        ("body", "Simango", "PER"),
        ("body", "Beira", "LOC"),
        ("body", "Simango", "PER"),
        ("body", "Simango", "PER"),
    ]
    # existing spans keep their label even when the majority differs
    assert Span(B, found[2].start, found[2].end, Label.ORG) in propagate_names(found, texts)


@pytest.mark.parametrize(
    ("body", "tagged", "label", "untouched"),
    [
        ("KLM schrapt vluchten. De KLM-vluchten naar Kiev gaan niet door.", "KLM", Label.ORG, "KLM-vluchten"),
        ("Jan Peeters sprak. Daarna zweeg Peeterszoon.", "Jan Peeters", Label.PER, "Peeterszoon"),
        ("De VS reageerden. De VS en Canada niet.", "VS", Label.LOC, "VS"),  # too short to propagate
        ("De Lijn reageerde niet. Op de lijn was het druk.", "De Lijn", Label.ORG, "de lijn"),  # case matters
    ],
)
def test_propagate_only_whole_capitalised_names(body: str, tagged: str, label: Label, untouched: str) -> None:
    texts = {T: "", B: body}
    tagged_span = span_of(body, tagged, label)
    assert untouched in body[tagged_span.end:]
    assert propagate_names([tagged_span], texts) == [tagged_span]


def test_propagate_prefers_the_longest_name_and_never_overlaps() -> None:
    body = "Jan Peeters en Peeters. Later kwam Jan Peeters terug."
    texts = {T: "", B: body}
    found = [span_of(body, "Jan Peeters", Label.PER), span_of(body, "Peeters", Label.PER, occurrence=1)]
    result = propagate_names(found, texts)
    assert texts_of(result, texts) == [
        ("body", "Jan Peeters", "PER"),
        ("body", "Peeters", "PER"),
        ("body", "Jan Peeters", "PER"),
    ]


@pytest.mark.parametrize(
    ("body", "alone", "compound", "expected"),
    [
        ("D66 wint. De D66-fractieleider is blij.", ("D66", Label.ORG), "D66-fractieleider", ("D66", "ORG")),
        ("De SP verliest. SP'ers zijn boos.", ("SP", Label.ORG), "SP'ers", ("SP", "ORG")),
        ("KLM schrapt. De KLM-vluchten gaan niet door.", ("KLM", Label.ORG), "KLM-vluchten", ("KLM", "ORG")),
        ("Hans Brusselmans las voor. Het Hans Brusselmans-filmpje ging rond.", ("Hans Brusselmans", Label.PER),
         "Hans Brusselmans-filmpje", ("Hans Brusselmans", "PER")),
        # the name is not tagged on its own: the compound stays MISC
        ("Na de WK-finale vierde het land.", None, "WK-finale", ("WK-finale", "MISC")),
        # a name compound of two names is not a name plus a word
        ("Fortuna Sittard speelt. Het Fortuna-Sittard-duel.", ("Fortuna Sittard", Label.ORG), "Fortuna-Sittard-duel",
         ("Fortuna-Sittard-duel", "MISC")),
    ],
)
def test_names_out_of_compounds(
    body: str, alone: tuple[str, Label] | None, compound: str, expected: tuple[str, str]
) -> None:
    texts = {T: "", B: body}
    found = [span_of(body, alone[0], alone[1])] if alone else []
    found.append(span_of(body, compound, Label.MISC))
    assert texts_of(names_out_of_compounds(found, texts), texts)[-1] == ("body", *expected)


def test_a_compound_tagged_org_is_left_alone() -> None:
    body = "KLM schrapt. KLM-Nederland reageert."
    texts = {T: "", B: body}
    found = [span_of(body, "KLM", Label.ORG), span_of(body, "KLM-Nederland", Label.ORG)]
    assert names_out_of_compounds(found, texts) == found


@pytest.mark.parametrize(
    ("body", "tagged", "expected"),
    [
        ("Burgemeester Mathias De Clercq van Gent opende de brug.", "Mathias De Clercq van Gent", "Mathias De Clercq"),
        ("Dat zei Dirk Beljaarts van Economische Zaken.", "Dirk Beljaarts van Economische Zaken", "Dirk Beljaarts"),
        ("Volgens Jan Peeters uit Leuven is het te laat.", "Jan Peeters uit Leuven", "Jan Peeters"),
        ("Robin van Persie scoorde.", "Robin van Persie", "Robin van Persie"),  # a particle, not an affiliation
        ("Het museum van Vincent van Gogh.", "Vincent van Gogh", "Vincent van Gogh"),
    ],
)
def test_split_person_affiliation(body: str, tagged: str, expected: str) -> None:
    texts = {T: "", B: body}
    assert texts_of(split_person_affiliation([span_of(body, tagged, Label.PER)], texts), texts) == [
        ("body", expected, "PER")
    ]


def test_an_affiliation_named_elsewhere_is_tagged() -> None:
    body = "Mathias De Clercq van Gent opende de brug. Gent betaalde mee."
    texts = {T: "", B: body}
    found = [span_of(body, "Mathias De Clercq van Gent", Label.PER), span_of(body, "Gent", Label.LOC, occurrence=1)]
    assert texts_of(correct_spans(found, texts), texts) == [
        ("body", "Mathias De Clercq", "PER"),
        ("body", "Gent", "LOC"),
        ("body", "Gent", "LOC"),
    ]


def test_correct_spans_splits_before_propagating() -> None:
    body = "Feyenoord - AZ eindigde in 2-1. AZ klaagt over de scheidsrechter."
    texts = {T: "", B: body}
    result = correct_spans([span_of(body, "Feyenoord - AZ", Label.ORG)], texts)
    assert texts_of(result, texts) == [("body", "Feyenoord", "ORG"), ("body", "AZ", "ORG")]
