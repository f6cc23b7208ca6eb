"""pipeline.extract: texts in memory in, the same tables as `extract` on files out, as DataFrames.

Fast tests use the tiny rule-based model; one slow test compares with the golden tables of the
shipped model.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from pipeline import Config, extract, load_tables, read_corpus, run
from pipeline.corpus import content_hash
from pipeline.tables import TABLE_COLUMNS
from tests.conftest import FIXTURES, MODEL

GOLDEN = FIXTURES.parent / "golden"

RECORDS = [
    {"id": "gent-1", "title": "Nieuwe tramlijn in Gent", "published": "2025-09-02", "outlet": "Het Nieuwsblad",
     "source": "testcollectie", "text": "Burgemeester Mathias De Clercq wil tegen 2030 een tram naar de haven van Gent. "
                                       "De Lijn bestudeert het traject sinds vorig jaar.", "rubriek": "regio", "pagina": 4},
    {"title": "Batterijen", "published": "2025-02-18", "text": "De KU Leuven opende maandag in Heverlee een centrum "
                                                                 "voor batterijen. Rector Hermans knipte het lint door."},
    {"id": "haven", "text": "In Rotterdam krijgen cruiseschepen vanaf volgend jaar walstroom.", "published": "2025-05-07"},
    {"id": "en-1", "text": "A storm hit northern France on Tuesday, cutting power to thousands of homes near Lille."},
    {"id": "leeg", "text": "   "},
    {"id": "geen-tekst", "title": "Alleen een kop"},
]


def write_jsonl(path, records) -> None:
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")


def assert_same_tables(from_api: dict[str, pd.DataFrame], from_files: dict[str, pd.DataFrame]) -> None:
    """Every table equal, value for value and dtype for dtype; only where an item was differs:
    `source_path`, and the place a message names (`items.jsonl line 6` is `texts[5]`)."""
    assert set(from_api) == set(from_files) == set(TABLE_COLUMNS)
    for name in TABLE_COLUMNS:
        api, files = from_api[name], from_files[name]
        if name == "documents":
            api, files = api.drop(columns="source_path"), files.drop(columns="source_path")
            files["status_detail"] = files["status_detail"].str.replace(
                r"items\.jsonl line (\d+)", lambda match: f"texts[{int(match[1]) - 1}]", regex=True)
        pd.testing.assert_frame_equal(api, files, obj=name)


def test_records_give_the_same_tables_as_extract_on_a_jsonl_file(tmp_path, ruler_model):
    write_jsonl(tmp_path / "items.jsonl", RECORDS)
    run(Config(corpus=tmp_path / "items.jsonl", out=tmp_path / "out", model=ruler_model, workers=1, progress=False))
    from_api = extract(RECORDS, model=ruler_model, workers=1)
    assert_same_tables(from_api, load_tables(tmp_path / "out"))
    documents = from_api["documents"].set_index("doc_id")
    assert documents.loc["gent-1", "source"] == "Het Nieuwsblad"
    assert json.loads(documents.loc["gent-1", "metadata"]) == {"pagina": "4", "rubriek": "regio", "source": "testcollectie"}
    assert documents.loc[content_hash(RECORDS[1]["text"])[:16], "source_path"] == "texts[1]"
    assert documents.loc["en-1", "status"] == "skipped" and documents.loc["leeg", "status"] == "skipped"
    assert documents.loc["geen-tekst", "status_detail"] == 'texts[5] has no "text" string: add the article text as "text"'
    assert len(from_api["mentions"]) > 0 and len(from_api["dates"]) > 0


def test_dataframe_with_its_own_column_names_gives_the_same_tables(ruler_model):
    frame = pd.DataFrame({
        "kop": ["Nieuwe tramlijn in Gent", "Batterijen"],
        "tekst": [RECORDS[0]["text"], RECORDS[1]["text"]],
        "datum": pd.to_datetime(["2025-09-02", "2025-02-18"]),
        "krant": ["Het Nieuwsblad", None],
        "pagina": pd.array([4, None], dtype="Int64"),
    })
    columns = {"text": "tekst", "title": "kop", "published": "datum", "outlet": "krant"}
    records = [{"title": "Nieuwe tramlijn in Gent", "text": RECORDS[0]["text"], "published": "2025-09-02",
                "outlet": "Het Nieuwsblad", "pagina": 4},
               {"title": "Batterijen", "text": RECORDS[1]["text"], "published": "2025-02-18"}]
    from_frame, from_records = extract(frame, columns=columns, model=ruler_model, workers=1), extract(records, model=ruler_model, workers=1)
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(from_frame[name], from_records[name], obj=name)


def test_plain_strings_with_one_date_for_all_and_a_title_each(ruler_model):
    texts = ["De Lijn rijdt sinds gisteren vaker naar Gent.", "Rotterdam bouwt een nieuwe haven."]
    tables = extract(texts, published=dt.date(2025, 6, 12), titles=["Tram", "Haven"], model=ruler_model, workers=1)
    documents = tables["documents"]
    assert documents["doc_id"].tolist() == sorted(content_hash(text)[:16] for text in texts)
    assert set(documents["title"]) == {"Tram", "Haven"}
    assert (documents["published"] == pd.Timestamp("2025-06-12")).all()
    assert tables["dates"].set_index("text").loc["gisteren", "value"] == "2025-06-11"


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda m: extract(["Een.", "Twee."], titles=["Alleen een"], model=m), ValueError,
         "titles has 1 values for 2 texts: give one per text (or one string for all)"),
        (lambda m: extract("Een enkele tekst.", model=m), TypeError, "texts must be a list of texts, not one string: pass [text]"),
        (lambda m: extract(pd.DataFrame({"body": ["x"]}), columns={"text": "tekst"}, model=m), ValueError,
         "columns ['tekst'] are not in the DataFrame (it has ['body'])"),
    ],
    ids=["titles-length", "one-string", "missing-column"],
)
def test_wrong_arguments_are_clear_errors(ruler_model, call, error, message):
    with pytest.raises(error) as raised:
        call(ruler_model)
    assert str(raised.value) == message


def test_worker_processes_give_the_same_tables(ruler_model):
    serial = extract(RECORDS, model=ruler_model, workers=1, batch_size=2)
    parallel = extract(RECORDS, model=ruler_model, workers=2, batch_size=1)
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(serial[name], parallel[name], obj=name)


def test_nothing_is_written(tmp_path, monkeypatch, ruler_model):
    monkeypatch.chdir(tmp_path)
    extract(RECORDS, model=ruler_model, workers=1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.skipif(not (MODEL / "meta.json").is_file(), reason="the shipped model models/nl_press_ner is missing")
def test_shipped_model_gives_the_golden_tables_for_the_same_texts():
    """The readable fixture articles, passed as records with the exact title and body read from the
    files, give the golden mentions, dates, entities and aliases of `make golden`."""
    documents = [d for d in read_corpus(FIXTURES / "corpus") if not d.problem]
    records = [{"id": d.doc_id, "title": d.title, "text": d.body, "published": d.published, "source": d.source,
                "url": d.url, **dict(d.metadata)} for d in documents]
    from_api = extract(records, workers=1)  # the default model: the shipped one
    golden = load_tables(GOLDEN)
    for name in ("mentions", "dates", "entities", "aliases"):
        pd.testing.assert_frame_equal(from_api[name], golden[name], obj=name)
    analysed = ["doc_id", "title", "source", "published", "language", "status", "n_chars", "n_words", "content_sha256", "languages"]
    expected = golden["documents"][golden["documents"]["doc_id"].isin([d.doc_id for d in documents])].reset_index(drop=True)
    pd.testing.assert_frame_equal(from_api["documents"][analysed], expected[analysed], obj="documents", check_categorical=False)
