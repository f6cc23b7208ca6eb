"""Tests for the article-level span corrections (pipeline/ner_rules.py), without a model."""
from __future__ import annotations

import pytest

from pipeline.ner_rules import (
    Gazetteer,
    Span,
    apply_gazetteer,
    correct_spans,
    extend_particle_names,
    inherit_person_labels,
    label_explained_acronyms,
    names_out_of_compounds,
    propagate_names,
    relabel_impossible_persons,
    split_at_spaced_dashes,
    split_person_affiliation,
    strip_possessive_s,
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


@pytest.mark.parametrize(
    ("body", "tagged", "label", "expected"),
    [
        ("CEO Luc Van den hove sprak in Tokio.", "Luc Van den", Label.PER, "Luc Van den hove"),
        ("Volgens Jan van der Meer is het te laat.", "Jan van der", Label.PER, "Jan van der Meer"),
        ("Dat zei Jan van de ploeg gisteren.", "Jan", Label.PER, "Jan"),  # no particle at the end
        ("Het bestuur van de stad.", "bestuur van", Label.ORG, "bestuur van"),  # persons only
        ("Dat zei Piet de in een interview.", "Piet de", Label.PER, "Piet de"),  # a function word is no surname
    ],
)
def test_extend_particle_names(body: str, tagged: str, label: Label, expected: str) -> None:
    texts = {T: "", B: body}
    assert texts_of(extend_particle_names([span_of(body, tagged, label)], texts), texts) == [
        ("body", expected, label.value)
    ]


@pytest.mark.parametrize(
    ("body", "tagged", "expected"),
    [
        # a surname alone takes the label of the full name
        ("Jaap Stam is de nieuwe trainer. De selectie van Stam is klaar.",
         [("Jaap Stam", Label.PER, 0), ("Stam", Label.LOC, 1)], [("Jaap Stam", "PER"), ("Stam", "PER")]),
        # case of the particle does not matter
        ("Hans van Stee sprak. Van Stee bleef kalm.",
         [("Hans van Stee", Label.PER, 0), ("Van Stee", Label.ORG, 0)], [("Hans van Stee", "PER"), ("Van Stee", "PER")]),
        # without a full person name nothing changes
        ("Stam ligt aan de rivier. De selectie van Stam is klaar.",
         [("Stam", Label.LOC, 0), ("Stam", Label.LOC, 1)], [("Stam", "LOC"), ("Stam", "LOC")]),
        # a first name alone is not a surname
        ("Jaap Stam sprak. Jaap is blij.",
         [("Jaap Stam", Label.PER, 0), ("Jaap", Label.ORG, 1)], [("Jaap Stam", "PER"), ("Jaap", "ORG")]),
    ],
)
def test_inherit_person_labels(body: str, tagged: list, expected: list) -> None:
    texts = {T: "", B: body}
    found = [span_of(body, name, label, occurrence=occurrence) for name, label, occurrence in tagged]
    assert [(text, label) for _, text, label in texts_of(inherit_person_labels(found, texts), texts)] == expected


@pytest.mark.parametrize(
    ("body", "tagged", "expected"),
    [
        ("Donald Trump sprak. Trumps woordvoerder zweeg.",
         [("Donald Trump", Label.PER), ("Trumps", Label.PER)], [("Donald Trump", "PER"), ("Trump", "PER")]),
        ("Baudet won. Baudets partij groeit.", [("Baudet", Label.PER), ("Baudets", Label.ORG)],
         [("Baudet", "PER"), ("Baudet", "PER")]),
        # a name that really ends in s stays whole when the stem is not a name of the article
        ("Philips groeit.", [("Philips", Label.ORG)], [("Philips", "ORG")]),
        # "Nederlands" is an adjective, not the possessive of a place
        ("Nederland won. Het Nederlands elftal juichte.", [("Nederland", Label.LOC), ("Nederlands", Label.MISC)],
         [("Nederland", "LOC"), ("Nederlands", "MISC")]),
    ],
)
def test_strip_possessive_s(body: str, tagged: list, expected: list) -> None:
    texts = {T: "", B: body}
    occurrences: dict[str, int] = {}
    found = []
    for name, label in tagged:
        found.append(span_of(body, name, label, occurrence=occurrences.get(name, 0)))
        occurrences[name] = occurrences.get(name, 0) + 1
    assert [(text, label) for _, text, label in texts_of(strip_possessive_s(found, texts), texts)] == expected


GAZETTEER = Gazetteer.from_rows([
    {"name": "imec", "label": "ORG", "mode": "add"},
    {"name": "bol.com", "label": "ORG", "mode": "add"},
    {"name": "Twitter", "label": "ORG", "mode": "add"},
    {"name": "Vooruit", "label": "ORG", "mode": "relabel"},
    {"name": "Flanders Investment & Trade", "label": "ORG", "mode": "add"},
])


@pytest.mark.parametrize(
    ("body", "tagged", "expected"),
    [
        ("Onderzoekscentrum imec groeit. In Leuven bouwt imec verder.", [],
         [("imec", "ORG"), ("imec", "ORG")]),
        ("Hij schreef op Twitter dat bol.com stopt.", [("Twitter", Label.MISC)], [("Twitter", "ORG"), ("bol.com", "ORG")]),
        # `relabel` names are never added: "Vooruit!" at a sentence start is a word
        ("Vooruit! riep hij. Conner Rousseau leidt Vooruit.", [("Vooruit", Label.LOC, 1)], [("Vooruit", "ORG")]),
        # whole words only, and never inside a span or a longer name
        ("De imecgroep en imec-onderzoekers en www.imec.be.", [], []),
        ("Hij werkt bij imec Nederland.", [("imec Nederland", Label.ORG)], [("imec Nederland", "ORG")]),
        # a listed name replaces model spans inside it, never one that sticks out of it
        ("De missie van Flanders Investment & Trade.", [("Investment & Trade", Label.ORG)],
         [("Flanders Investment & Trade", "ORG")]),
        ("Het Twitter Nederland-kantoor.", [("Twitter Nederland-kantoor", Label.MISC)], [("Twitter Nederland-kantoor", "MISC")]),
    ],
)
def test_apply_gazetteer(body: str, tagged: list, expected: list) -> None:
    texts = {T: "", B: body}
    found = [span_of(body, entry[0], entry[1], occurrence=entry[2] if len(entry) > 2 else 0) for entry in tagged]
    assert [(text, label) for _, text, label in texts_of(apply_gazetteer(found, texts, GAZETTEER), texts)] == expected


@pytest.mark.parametrize(
    ("body", "tagged", "expected"),
    [
        ("Imec verlengt met Tokyo Electron (TEL) de alliantie.", [("Tokyo Electron", Label.ORG)],
         [("Tokyo Electron", "ORG"), ("TEL", "ORG")]),
        ("Het Centraal Bureau voor de Statistiek (CBS) meldt groei.",
         [("Centraal Bureau voor de Statistiek", Label.ORG), ("CBS", Label.LOC)],
         [("Centraal Bureau voor de Statistiek", "ORG"), ("CBS", "ORG")]),
        # a person's party, a club's country, a bracketed word that is no acronym, a MISC name: nothing
        ("Mark Rutte (VVD) en Ajax (NED) spraken.", [("Mark Rutte", Label.PER), ("Ajax", Label.ORG)],
         [("Mark Rutte", "PER"), ("Ajax", "ORG")]),
        ("Jan Peeters (Groen) en de Tour de France (Tdf) en Peeters (56).", [("Jan Peeters", Label.PER), ("Tour de France", Label.MISC)],
         [("Jan Peeters", "PER"), ("Tour de France", "MISC")]),
    ],
)
def test_label_explained_acronyms(body: str, tagged: list, expected: list) -> None:
    texts = {T: "", B: body}
    found = [span_of(body, name, label) for name, label in tagged]
    assert [(text, label) for _, text, label in texts_of(label_explained_acronyms(found, texts), texts)] == expected


PLACES = Gazetteer.from_rows([], big_places=["Osaka", "Nancy", "Metz", "Den Haag"])


@pytest.mark.parametrize(
    ("body", "tagged", "expected"),
    [
        # a big city named alone is no person
        ("Panasonic opent een lab in Osaka.", [("Osaka", Label.PER)], [("Osaka", "LOC")]),
        # unless the article names a person with that surname or first name
        ("Naomi Osaka won. Osaka huilde.", [("Naomi Osaka", Label.PER), ("Osaka", Label.PER, 1)],
         [("Naomi Osaka", "PER"), ("Osaka", "PER")]),
        ("Nancy Pelosi sprak. Nancy zweeg daarna.", [("Nancy Pelosi", Label.PER), ("Nancy", Label.PER, 1)],
         [("Nancy Pelosi", "PER"), ("Nancy", "PER")]),
        # only persons change: the club Metz stays an organisation
        ("Metz won met 2-0.", [("Metz", Label.ORG)], [("Metz", "ORG")]),
        # a person's name holds no digits
        ("Ook 4FM zendt het uit.", [("4FM", Label.PER)], [("4FM", "ORG")]),
        ("Mark Rutte sprak.", [("Mark Rutte", Label.PER)], [("Mark Rutte", "PER")]),
    ],
)
def test_relabel_impossible_persons(body: str, tagged: list, expected: list) -> None:
    texts = {T: "", B: body}
    found = [span_of(body, entry[0], entry[1], occurrence=entry[2] if len(entry) > 2 else 0) for entry in tagged]
    relabelled = relabel_impossible_persons(found, texts, PLACES)
    assert [(text, label) for _, text, label in texts_of(relabelled, texts)] == expected


def test_big_places_hold_only_one_word_names() -> None:
    assert PLACES.big_places == frozenset({"Osaka", "Nancy", "Metz"})
