"""Tests for the NER stage (pipeline/ner.py).

Fast tests use a blank Dutch pipeline with an EntityRuler saved to a temporary folder, so the
splitting, offset, trimming and sentence logic is checked without the trained model. Tests marked
slow load models/nl_press_ner and skip when it has not been built.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from pipeline import ner
from pipeline.ner import EntityRecognizer, ModelNotFoundError, model_fingerprint, split_text, trim_span
from pipeline.records import Field, Label, Mention
from tests.conftest import load_tool

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "nl_press_ner"

RULER_PATTERNS = [
    {"label": "PER", "pattern": [{"LOWER": "annelies"}, {"LOWER": "verbeek"}]},
    {"label": "PER", "pattern": "Verbeek"},
    {"label": "LOC", "pattern": "Zwolle"},
    {"label": "LOC", "pattern": [{"LOWER": "'s"}, {"ORTH": "-"}, {"LOWER": "hertogenbosch"}]},
    {"label": "LOC", "pattern": "'s-Hertogenbosch"},
    {"label": "ORG", "pattern": [{"LOWER": "de"}, {"LOWER": "nederlandsche"}, {"LOWER": "bank"}]},
    {"label": "ORG", "pattern": [{"ORTH": "("}, {"ORTH": "KNVB"}, {"ORTH": ")"}]},
]


def ruler_pipeline(max_length: int | None = None) -> spacy.language.Language:
    """Blank Dutch pipeline: sentencizer + entity ruler with our own patterns."""
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns(RULER_PATTERNS)
    if max_length:
        nlp.max_length = max_length
    return nlp


@pytest.fixture(scope="module")
def ruler_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ner") / "ruler_model"
    ruler_pipeline().to_disk(folder)
    return folder


@pytest.fixture(scope="module")
def ruler_recognizer(ruler_folder: Path) -> EntityRecognizer:
    return EntityRecognizer.load(ruler_folder)


def spans(mentions: tuple[Mention, ...]) -> list[tuple[str, str, str, int]]:
    return [(m.field.value, m.text, m.label.value, m.sentence) for m in mentions]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Eerste alinea.\n\nTweede alinea.", 100, [(0, "Eerste alinea."), (16, "Tweede alinea.")]),
        ("Eerste alinea.\n \n\n  Tweede.", 100, [(0, "Eerste alinea."), (20, "Tweede.")]),
        ("Een regel\nen nog een regel.", 100, [(0, "Een regel\nen nog een regel.")]),
        ("Kort. Wel zo. Daarna meer", 16, [(0, "Kort. Wel zo. "), (14, "Daarna meer")]),
        ("Twee woorden hier", 10, [(0, "Twee "), (5, "woorden "), (13, "hier")]),
        ("abcdefghij", 4, [(0, "abcd"), (4, "efgh"), (8, "ij")]),
        ("\n\n\n", 100, []),
        ("", 100, []),
    ],
    ids=[
        "splits-at-blank-line",
        "blank-line-with-spaces-is-one-break",
        "single-newline-stays-in-paragraph",
        "long-paragraph-cut-after-sentence-end",
        "long-paragraph-cut-after-whitespace",
        "no-whitespace-hard-cut-at-limit",
        "only-blank-lines-give-nothing",
        "empty-text-gives-nothing",
    ],
)
def test_split_text(text: str, limit: int, expected: list[tuple[int, str]]) -> None:
    chunks = split_text(text, limit)
    assert chunks == expected
    assert all(text[offset:offset + len(chunk)] == chunk for offset, chunk in chunks)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Verbeek"', "Verbeek"),
        ("(KNVB)", "KNVB"),
        ("Zwolle, ", "Zwolle"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
        ("’t Harde", "’t Harde"),
        ("N.V.", "N.V."),
        ("VS.", "VS"),
        ("Apple Inc.", "Apple Inc."),
        ("J.P.", "J.P."),
        ("Philips.", "Philips"),
        ("'Verbeek'", "Verbeek"),
        ('"()"', ""),
    ],
    ids=[
        "strips-quotes",
        "strips-brackets",
        "strips-trailing-comma-and-space",
        "keeps-elided-article-s",
        "keeps-elided-article-t",
        "keeps-final-period-of-abbreviation",
        "drops-sentence-period-glued-to-name",
        "keeps-period-of-company-abbreviation",
        "keeps-period-of-initials",
        "drops-sentence-period-after-company-name",
        "strips-single-quotes",
        "punctuation-only-becomes-empty",
    ],
)
def test_trim_span(text: str, expected: str) -> None:
    start, end = trim_span(text, 0, len(text))
    assert text[start:end] == expected


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "Annelies Verbeek kiest voor Zwolle",
            "",
            [("title", "Annelies Verbeek", "PER", 0), ("title", "Zwolle", "LOC", 0)],
        ),
        (
            "",
            "Het weer is goed. Verbeek woont in Zwolle. Zij werkt bij De Nederlandsche Bank.",
            [("body", "Verbeek", "PER", 1), ("body", "Zwolle", "LOC", 1), ("body", "De Nederlandsche Bank", "ORG", 2)],
        ),
        (
            "",
            "Een korte alinea zonder punt\n\nDaarna kwam Verbeek naar Zwolle. En toen naar 's-Hertogenbosch.",
            [("body", "Verbeek", "PER", 1), ("body", "Zwolle", "LOC", 1), ("body", "'s-Hertogenbosch", "LOC", 2)],
        ),
        (
            "",
            "De voetbalbond (KNVB) reageerde niet.",
            [("body", "KNVB", "ORG", 0)],
        ),
        ("", "Niemand te zien vandaag.", []),
    ],
    ids=[
        "title-mentions-in-title-field",
        "sentence-index-counts-within-field",
        "paragraph-break-ends-a-sentence",
        "brackets-trimmed-from-span",
        "no-entities-no-mentions",
    ],
)
def test_recognise_with_ruler(ruler_recognizer: EntityRecognizer, title: str, body: str, expected: list) -> None:
    [mentions] = ruler_recognizer.recognise([(title, body)])
    assert spans(mentions) == expected
    for mention in mentions:
        text = title if mention.field is Field.TITLE else body
        assert text[mention.start:mention.end] == mention.text


@pytest.mark.parametrize(("paragraph", "read"), [
    ("Het regende hard vandaag. Daarna sprak Verbeek over de zaak.", "Daarna sprak Verbeek over de"),  # 'Het', 'Daarna': common
    ("Volgens de minister is het te laat. Dat vindt ook de VS.", "ook de VS."),  # "VS." is one token
    ("Trump zweeg. Maar niet lang.", "Trump zweeg ."),  # a capitalised first word that is no common word
    ("Hij zweeg. Piet sprak.", "zweeg . Piet sprak ."),  # the sentence end before a name is read with it
    ("Het is allemaal voorbij voor Anna en haar man.", "voorbij voor Anna en haar"),
    ("De iPhone is duur. Niemand koopt hem nog.", "De iPhone is duur"),  # a capital inside a word counts
    ("„Het is voorbij,” zei hij. ‘Maar wij gaan door.’", ""),  # quotes before the first word
    ("Het kost 4,5 miljoen euro. In 2024 al.", ""),  # numbers hold no name
    ("Imec groeit. imec groeit.", "Imec groeit ."),  # lower-case names: the gazetteer's job
    ("Anna zag Piet.", "Anna zag Piet ."),  # all of it: None
])
def test_only_tokens_near_words_that_may_be_names_are_read(paragraph: str, read: str) -> None:
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    doc = nlp(paragraph)
    common = frozenset({"het", "daarna", "volgens", "dat", "maar", "de", "niemand", "in", "hij"})
    orths, starts = doc.to_array(["ORTH", "SENT_START"]).T.tolist()
    kept = ner.NameWords(common, reach=2).tokens_near_names(orths, starts, doc.vocab.strings)
    assert kept is None or kept == sorted(set(kept)) and len(kept) < len(doc)
    assert " ".join(doc[i].text for i in (range(len(doc)) if kept is None else kept)) == read


@pytest.mark.parametrize("paragraph", [
    "Het regende. Daarna sprak Verbeek.",
    "„Het is voorbij,” zei hij. ‘Maar wij gaan door.’ En toen?! Niets meer...",
    "Wie won? De VS. Of toch niet (zie p. 3.5)? Nee!",
    "Zie www.nieuwsblad.be en mail naar info@imec.be. Dr. Peeters en mr. J.P. de Vries kwamen ook.",
    "Een zin zonder einde",
    "...En dan. . . nog iets.) Klaar.",
    "",
])
def test_sentence_starts_are_those_of_spacys_sentencizer(paragraph: str) -> None:
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    doc = nlp(paragraph)
    orths, puncts = doc.to_array(["ORTH", "IS_PUNCT"]).T.tolist() if len(doc) else ([], [])
    flags = ner.SentenceStarts.of(nlp).flags(orths, puncts)
    assert flags == [int(token.is_sent_start) for token in doc]


def blank_with(*pipes: tuple[str, dict]) -> spacy.language.Language:
    nlp = spacy.blank("nl")
    for name, config in pipes:
        nlp.add_pipe(name, config=config)
    return nlp


LISTENER = {"model": {"@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
                      "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 64}}}
WIDE_CNN = {"model": {"@architectures": "spacy.Tok2Vec.v2",
                      "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 64, "attrs": ["NORM"],
                                "rows": [1000], "include_static_vectors": False},
                      "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 64, "depth": 2,
                                 "window_size": 3, "maxout_pieces": 3}}}


@pytest.mark.parametrize(("nlp", "reach"), [
    (blank_with(("sentencizer", {}), ("ner", {})), 4),  # spaCy's default HashEmbedCNN: 4 layers x 1
    (blank_with(("sentencizer", {}), ("tok2vec", WIDE_CNN), ("ner", LISTENER)), 6),  # 2 layers x 3
    (blank_with(("ner", {})), None),  # no sentences: the model reads all
    (ruler_pipeline(), None),  # a ruler's patterns have no reach
], ids=["default-cnn", "shared-tok2vec", "no-sentencizer", "entity-ruler"])
def test_context_reach_is_what_the_cnn_sees_on_either_side(nlp: spacy.language.Language, reach: int | None) -> None:
    assert ner.context_reach(nlp) == reach


@pytest.mark.skipif(not (MODEL_DIR / "meta.json").is_file(), reason="the shipped model models/nl_press_ner is missing")
def test_the_shipped_model_sees_four_tokens_on_either_side() -> None:
    assert ner.context_reach(spacy.load(MODEL_DIR)) == 4


def test_entities_of_the_tokens_read_get_the_offsets_of_the_whole_text() -> None:
    from spacy.tokens import Doc, Span

    nlp = spacy.blank("nl")
    whole = nlp("Verbeek kwam. het regende. Zwolle Noord was nat.")
    kept = [0, 1, 2, 6, 7, 8, 9, 10]  # the middle sentence is not read
    read = Doc(nlp.vocab, words=[whole[i].text for i in kept])
    read.ents = [Span(read, 0, 1, "PER"), Span(read, 3, 5, "LOC")]
    assert ner.entity_chars(read, (whole, kept)) == [(0, 7, "PER"), (27, 39, "LOC")]
    read.ents = [Span(read, 1, 4, "ORG")]  # 'kwam . Zwolle' would run across the sentence not read
    assert ner.entity_chars(read, (whole, kept)) == []


def test_common_words_are_counted_in_lower_case_and_capitalised_inside_sentences_only() -> None:
    tool = load_tool("build_common_words")
    texts = ["Maar het regent. Toch won Vooruit, maar vooruit ging het niet.\nVooruit wil meer.",
             "Hij zei: ,,Maar wij gaan door.'' En (Maar) niet anders. De Wever sprak met de pers."]
    lower, capital_inside = tool.count_forms(texts)
    assert (lower["maar"], capital_inside["maar"]) == (1, 0)  # after '. ', ': ,,' and '(': sentence starts
    assert (lower["vooruit"], capital_inside["vooruit"]) == (1, 1)  # the party inside a sentence, not at a line start
    assert (lower["de"], capital_inside["de"]) == (1, 0)
    assert capital_inside["wever"] == 1
    assert tool.common_words(lower, capital_inside, names=set()) == []  # each word once: under MIN_LOWER
    lower.update({"maar": 40, "vooruit": 40, "de": 40})
    assert tool.common_words(lower, capital_inside, names=set()) == ["de", "maar", "vooruit"]  # 1 in 41: under 5%
    assert tool.common_words(lower, capital_inside, names={"vooruit"}) == ["de", "maar"]  # a one-word name in our gold


def test_the_shipped_common_words_are_lower_case_and_no_party_or_title() -> None:
    common = ner.load_common_words()
    assert len(common) > 5_000
    assert all(word.islower() for word in common)
    assert {"maar", "volgens", "vandaag", "het"} <= common
    assert not {"vooruit", "groen", "open", "premier"} & common


def test_recognise_keeps_item_order_across_batches(ruler_recognizer: EntityRecognizer) -> None:
    items = [("", f"Dag {i}: Verbeek was in Zwolle.") if i % 2 else (f"Zwolle {i}", "") for i in range(9)]
    results = ruler_recognizer.recognise(items, tokens_per_batch=8)  # a few items per batch
    assert len(results) == 9
    for i, mentions in enumerate(results):
        expected = ["Verbeek", "Zwolle"] if i % 2 else ["Zwolle"]
        assert [m.text for m in mentions] == expected


def test_memory_zone_keeps_the_vocabulary_and_the_mentions(ruler_recognizer: EntityRecognizer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the warm-up the model runs in a memory zone: words new to the vocabulary are dropped
    again afterwards, and the mentions are those found without a zone."""
    items = [("Annelies Verbeek in Zwolle", "Wethouder Verbeek opende de fietsenstalling Zwaluwnest bij De Nederlandsche Bank.")]
    monkeypatch.setattr(ner, "MEMORY_ZONE_AFTER_ITEMS", 0)
    before = ruler_recognizer.vocabulary_size()
    in_zone = ruler_recognizer.recognise(items)
    assert ruler_recognizer.vocabulary_size() == before
    monkeypatch.setattr(ner, "MEMORY_ZONE_AFTER_ITEMS", 10**9)
    assert ruler_recognizer.recognise(items) == in_zone
    assert ruler_recognizer.vocabulary_size() > before
    assert spans(in_zone[0])[:2] == [("title", "Annelies Verbeek", "PER", 0), ("title", "Zwolle", "LOC", 0)]


def test_huge_text_is_split_and_offsets_shifted() -> None:
    paragraph = "Annelies Verbeek sprak in Zwolle. Daarna ging zij naar huis."
    body = "\n\n".join([paragraph] * 30) + "\n\n" + " ".join(["Verbeek fietste naar Zwolle."] * 40)
    recognizer = EntityRecognizer(ruler_pipeline(max_length=300), fingerprint="test")
    [mentions] = recognizer.recognise([("", body)])
    assert len(mentions) == 30 * 2 + 40 * 2
    assert all(body[m.start:m.end] == m.text for m in mentions)
    assert [m.sentence for m in mentions][:4] == [0, 0, 2, 2]
    assert mentions[-1].sentence == 30 * 2 + 40 - 1


def test_fingerprint_is_stable_and_follows_the_weights(tmp_path: Path) -> None:
    folder = tmp_path / "ruler_model"
    ruler_pipeline().to_disk(folder)
    first = EntityRecognizer.load(folder).fingerprint
    assert first == model_fingerprint(folder)
    assert len(first) == 16
    (folder / "MODEL_CARD.md").write_text("Notities over het model.\n", encoding="utf-8")
    assert model_fingerprint(folder) == first
    patterns = folder / "entity_ruler" / "patterns.jsonl"
    patterns.write_text(patterns.read_text(encoding="utf-8") + '{"label":"LOC","pattern":"Deventer"}\n', encoding="utf-8")
    assert model_fingerprint(folder) != first


def test_fingerprint_ignores_order_of_serialised_sets(tmp_path: Path) -> None:
    folder = tmp_path / "ruler_model"
    ruler_pipeline().to_disk(folder)
    first = model_fingerprint(folder)
    settings_path = folder / "sentencizer.json"
    settings = json.loads(settings_path.read_text(encoding="utf-8"))
    settings["punct_chars"] = list(reversed(settings["punct_chars"]))
    settings_path.write_text(json.dumps(settings), encoding="utf-8")
    assert model_fingerprint(folder) == first


def test_load_missing_folder_says_where_and_how_to_fix(tmp_path: Path) -> None:
    missing = tmp_path / "geen_model"
    with pytest.raises(ModelNotFoundError, match="NER model folder not found: .*geen_model.*Fix: build it with"):
        EntityRecognizer.load(missing)


def test_load_folder_that_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("geen model\n", encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match="is not a saved spaCy pipeline \\(missing config.cfg, meta.json\\)"):
        EntityRecognizer.load(tmp_path)


def test_load_broken_model_names_folder_and_fix(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text("{}", encoding="utf-8")
    (tmp_path / "config.cfg").write_text("[nlp]\n", encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match=f"Could not load the spaCy pipeline in {tmp_path}: .*Fix: rebuild it"):
        EntityRecognizer.load(tmp_path)


def test_load_pipeline_without_entities(tmp_path: Path) -> None:
    spacy.blank("nl").to_disk(tmp_path / "blank")
    with pytest.raises(ModelNotFoundError, match="has no component that recognises entities"):
        EntityRecognizer.load(tmp_path / "blank")


needs_model = pytest.mark.skipif(
    not (MODEL_DIR / "meta.json").is_file(),
    reason=f"trained NER model not built at {MODEL_DIR} (python tools/train_ner.py --shared ../shared)",
)


@pytest.fixture(scope="module")
def recognizer() -> EntityRecognizer:
    return EntityRecognizer.load(MODEL_DIR)


@pytest.mark.slow
@needs_model
@pytest.mark.parametrize(
    ("text", "mention", "label"),
    [
        ("Volgens minister Karin Hoogendijk moeten de gemeenten sneller bouwen.", "Karin Hoogendijk", Label.PER),
        ("Burgemeester Pieter Janssens opende zaterdag de nieuwe bibliotheek.", "Pieter Janssens", Label.PER),
        ("De brand brak uit in een loods aan de rand van Amsterdam.", "Amsterdam", Label.LOC),
        ("In Antwerpen werd gisteren betoogd tegen de nieuwe regels.", "Antwerpen", Label.LOC),
        ("De vakbond FNV eist meer loon voor de werknemers van Albert Heijn.", "FNV", Label.ORG),
    ],
    ids=["person-after-title", "person-after-mayor", "dutch-city", "flemish-city", "union-acronym"],
)
def test_model_finds_obvious_entities(recognizer: EntityRecognizer, text: str, mention: str, label: Label) -> None:
    [mentions] = recognizer.recognise([("", text)])
    assert (mention, label) in [(m.text, m.label) for m in mentions]


@pytest.mark.slow
@needs_model
def test_model_offsets_consistent_in_title_and_body(recognizer: EntityRecognizer) -> None:
    title = "Jan de Vries wint verkiezingen in Utrecht"
    body = (
        "Jan de Vries heeft de gemeenteraadsverkiezingen in Utrecht gewonnen.\n\n"
        "\"Ik ben dankbaar\", zei De Vries dinsdagavond. Zijn partij haalde elf zetels."
    )
    [mentions] = recognizer.recognise([(title, body)])
    assert {m.field for m in mentions} == {Field.TITLE, Field.BODY}
    for m in mentions:
        text = title if m.field is Field.TITLE else body
        assert text[m.start:m.end] == m.text == m.text.strip()
    assert max(m.sentence for m in mentions if m.field is Field.BODY) <= 2


@pytest.mark.slow
@needs_model
def test_model_splits_huge_text_without_crashing(recognizer: EntityRecognizer) -> None:
    sentence = "Marieke Smit reisde met de trein van Groningen naar Maastricht. "
    body = sentence * 2500  # ~160,000 characters in one paragraph: beyond the chunk limit
    [mentions] = recognizer.recognise([("", body)])
    assert len(mentions) > 2500
    assert all(body[m.start:m.end] == m.text for m in mentions)
    assert mentions[-1].sentence == 2499


@pytest.mark.slow
@needs_model
def test_model_fingerprint_is_stable(recognizer: EntityRecognizer) -> None:
    assert recognizer.fingerprint == EntityRecognizer.load(MODEL_DIR).fingerprint


# The seed article (../shared/seed/imec-tel-2025-06.txt), read by us: every person, organisation
# and place in reading order, following our annotation guidelines (MISC is not asserted).
SEED_ENTITIES = [
    ("imec", "ORG"), ("Flanders Investment & Trade", "ORG"), ("Japan", "LOC"),
    ("Tokio", "LOC"), ("imec", "ORG"), ("Tokyo Electron", "ORG"), ("TEL", "ORG"),
    ("Osaka", "LOC"), ("imec", "ORG"), ("Vlaanderen", "LOC"), ("Luc Van den hove", "PER"), ("imec", "ORG"),
    ("TEL", "ORG"), ("imec", "ORG"), ("RISE-A", "ORG"), ("Panasonic", "ORG"),
    ("imec", "ORG"),
    ("Matthias Diependaele", "PER"), ("Tokio", "LOC"),
    ("Tokyo Electron", "ORG"), ("TEL", "ORG"), ("TEL", "ORG"), ("TEL", "ORG"),
    ("VS", "LOC"), ("Europa", "LOC"), ("Azië", "LOC"),
]


def seed_entities(shared: Path, tmp_path: Path) -> list[tuple[str, str]]:
    """PER/ORG/LOC mentions the NER stage finds in the seed article, in reading order."""
    from pipeline import read_corpus

    (tmp_path / "seed.txt").write_text((shared / "seed" / "imec-tel-2025-06.txt").read_text(encoding="utf-8"), encoding="utf-8")
    document = next(iter(read_corpus(tmp_path)))
    mentions = EntityRecognizer.load(MODEL_DIR).recognise([(document.title, document.body)])[0]
    return [(m.text, m.label.value) for m in mentions if m.label is not Label.MISC]


# The mistake of the shipped model, kept visible: RISE-A (a consortium introduced as "een nieuw
# Japans innovatie-ecosysteem") comes out MISC. The first test asserts everything else exactly.
# (Osaka, which the model reads as the tennis player Naomi Osaka, is LOC through
# ner_rules.relabel_impossible_persons.)
SEED_KNOWN_MISTAKES = {("RISE-A", "ORG"): "MISC"}


@pytest.mark.slow
def test_seed_article_every_person_organisation_and_place(shared: Path, tmp_path: Path) -> None:
    labelled = [(text, SEED_KNOWN_MISTAKES.get((text, label), label)) for text, label in SEED_ENTITIES]
    assert seed_entities(shared, tmp_path) == [entity for entity in labelled if entity[1] != "MISC"]


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="known misses of the shipped model (SEED_KNOWN_MISSES); fails loudly once fixed")
def test_seed_article_known_misses_are_found(shared: Path, tmp_path: Path) -> None:
    assert seed_entities(shared, tmp_path) == SEED_ENTITIES


@pytest.mark.parametrize(("text", "ours", "in_conll_convention"), [
    ("De Sabena-aandelen zakten.", ("Sabena", "ORG"), ("Sabena-aandelen", "MISC")),
    ("Een ex-Studio Brussel-presentator.", ("Studio Brussel", "ORG"), ("ex-Studio Brussel-presentator", "MISC")),
    ("Hij sprak met de ex-VRT baas.", ("VRT", "ORG"), ("ex-VRT", "MISC")),
    ("De D66-fractieleider-af sprak.", ("D66", "ORG"), ("D66-fractieleider-af", "MISC")),
    ("Het Brussel-Zuid station.", ("Brussel-Zuid", "LOC"), ("Brussel-Zuid", "LOC")),  # no lower-case tail
    ("Feyenoord-AZ eindigde gelijk.", ("Feyenoord", "ORG"), ("Feyenoord", "ORG")),  # a capital after the dash
    ("Rutte - die zweeg.", ("Rutte", "PER"), ("Rutte", "PER")),  # a spaced dash is no compound
    ("Mark Rutte sprak.", ("Mark Rutte", "PER"), ("Mark Rutte", "PER")),
])
def test_ner_evaluation_maps_names_in_hyphen_compounds_to_conll_convention(text, ours, in_conll_convention):
    evaluator = load_tool("evaluate_ner")
    start = text.index(ours[0])
    expected_start = text.index(in_conll_convention[0])
    mapped = evaluator.conll_compounds(text, {(start, start + len(ours[0]), ours[1])})
    assert mapped == {(expected_start, expected_start + len(in_conll_convention[0]), in_conll_convention[1])}


def test_remembered_floret_vectors_give_spacys_numbers(monkeypatch) -> None:
    """Same vectors as spaCy's floret table, for repeated, new and empty words, past the memory limit."""
    import numpy
    from spacy.vectors import Vectors

    nlp = spacy.blank("nl")
    data = numpy.random.default_rng(7).random((50, 6), dtype="float32")
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=data, mode="floret", minn=2, maxn=3, hash_count=2)
    plain = nlp.vocab.vectors
    monkeypatch.setattr(ner, "FLORET_CACHE_WORDS", 3)
    ner.remember_floret_vectors(nlp)
    assert nlp.vocab.vectors is not plain
    for words in (["Rutte", "zei", "Rutte", ""], ["Den", "Haag", "zei", "Rutte", "gisteren"], ["", ""]):
        keys = [nlp.vocab.strings.add(word) for word in words]
        assert numpy.array_equal(nlp.vocab.vectors.get_batch(keys), plain.get_batch(keys))
    assert len(nlp.vocab.vectors.rows_by_key) == 3
