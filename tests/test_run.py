"""The wired pipeline: every table filled, incremental runs, interruption, locking, determinism.

Fast tests use a tiny rule-based model; the golden test and the language check use the shipped model.
"""
from __future__ import annotations

import filecmp
import importlib
import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from pipeline import Config, load_tables, run
from pipeline.corpus import read_corpus
from pipeline.records import LanguageGuess, Status
from pipeline.run import RunInterrupted
from pipeline.state import RunLockedError, StateDamagedError, acquire, output_lock
from pipeline.tables import TABLE_COLUMNS
from tests.conftest import FIXTURES, MODEL

GOLDEN = Path(__file__).resolve().parent / "golden"
run_module = importlib.import_module("pipeline.run")  # the module; `pipeline.run` is the function


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A private copy of our fixture corpus, free to change."""
    return Path(shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus"))


def config(corpus: Path, out: Path, model: Path, **overrides) -> Config:
    return Config(corpus=corpus, out=out, model=model, progress=False, **({"workers": 1} | overrides))


def rows_of(out: Path, table: str, doc_id: str) -> list[str]:
    return [line for line in (out / f"{table}.csv").read_text(encoding="utf-8").splitlines() if line.startswith(doc_id + ",")]


def test_first_run_fills_every_table_and_records_bad_input(corpus, tmp_path, ruler_model):
    summary = run(config(corpus, tmp_path / "out", ruler_model))
    tables = load_tables(tmp_path / "out")
    documents = tables["documents"].set_index("doc_id")
    assert summary.documents == len(documents) == 11
    assert (summary.new, summary.unchanged, summary.errors, summary.skipped) == (11, 0, 3, 3)  # + the English item
    assert documents.loc["kapot/afbeelding", "status"] == "error"
    assert documents.loc["kapot/leeg", "status_detail"] == "empty article: the file has no text"
    assert documents.loc["kapot/scan.pdf", "status"] == "skipped"
    assert documents.loc["nieuws.jsonl:2", "status_detail"].startswith("nieuws.jsonl line 2 is not valid JSON")
    assert documents.loc["kapot/oud-ansi", "encoding"] == "cp1252"
    assert documents.loc["zonder-datum", "status"] == "ok"
    assert "published date 'volgende week' is not a date" in documents.loc["zonder-datum", "status_detail"]
    for name in TABLE_COLUMNS:
        assert len(tables[name]) > 0, f"{name}.csv is empty"


def test_offsets_point_into_the_fields(corpus, tmp_path, ruler_model):
    run(config(corpus, tmp_path / "out", ruler_model))
    tables = load_tables(tmp_path / "out")
    fields = {(d.doc_id, "title"): d.title for d in read_corpus(corpus)}
    fields |= {(d.doc_id, "body"): d.body for d in read_corpus(corpus)}
    for table in ("mentions", "dates"):
        for row in tables[table].itertuples():
            assert fields[(row.doc_id, row.field)][row.start:row.end] == row.text


def test_mentions_link_to_entities_and_aliases(corpus, tmp_path, ruler_model):
    run(config(corpus, tmp_path / "out", ruler_model))
    tables = load_tables(tmp_path / "out")
    mentions, entities, aliases = tables["mentions"], tables["entities"], tables["aliases"]
    assert set(mentions["entity_id"]) == set(entities["entity_id"]) == set(aliases["entity_id"])
    gent = mentions[mentions["text"] == "Gent"]
    assert set(gent["label"]) == {"LOC"} and gent["doc_id"].nunique() == 1
    assert entities["n_mentions"].sum() == len(mentions) == aliases["n_mentions"].sum()


def test_second_run_with_nothing_changed_does_not_load_the_model(corpus, tmp_path, ruler_model, monkeypatch):
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    before = {name: (out / f"{name}.csv").read_bytes() for name in TABLE_COLUMNS}
    monkeypatch.setattr(run_module, "Analyser", _refuse_to_analyse)
    summary = run(config(corpus, out, ruler_model))
    assert summary.up_to_date and (summary.new, summary.changed, summary.unchanged) == (0, 0, 11)
    assert before == {name: (out / f"{name}.csv").read_bytes() for name in TABLE_COLUMNS}


def test_added_changed_and_deleted_articles_are_the_only_ones_processed(corpus, tmp_path, ruler_model):
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    untouched = rows_of(out, "mentions", "leuven-universiteit")
    (corpus / "rotterdam-haven.md").unlink()
    changed = corpus / "zonder-datum.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("gisteren", "vorige week"), encoding="utf-8")
    (corpus / "nieuw.txt").write_text("De Lijn rijdt vanaf maandag vaker naar Gent.", encoding="utf-8")
    summary = run(config(corpus, out, ruler_model))
    assert (summary.new, summary.changed, summary.deleted, summary.unchanged) == (1, 1, 1, 9)
    assert rows_of(out, "mentions", "leuven-universiteit") == untouched
    assert rows_of(out, "documents", "rotterdam-haven") == []
    assert rows_of(out, "mentions", "nieuw")


def test_renamed_or_split_jsonl_is_not_reanalysed_and_shows_its_new_place(corpus, tmp_path, ruler_model, monkeypatch):
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    lines = (corpus / "nieuws.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (corpus / "nieuws.jsonl").unlink()
    (corpus / "archief-deel-1.jsonl").write_text(lines[0], encoding="utf-8")
    (corpus / "archief-deel-2.jsonl").write_text(lines[2], encoding="utf-8")  # line 2 was the broken one
    monkeypatch.setattr(run_module, "Analyser", _refuse_to_analyse)
    summary = run(config(corpus, out, ruler_model))
    assert (summary.new, summary.changed, summary.deleted, summary.unchanged) == (0, 0, 1, 10)
    documents = load_tables(out)["documents"].set_index("doc_id")
    assert documents.loc["gent-2025-001", "source_path"] == "archief-deel-1.jsonl:1"
    assert documents.loc["wire-en-1", "source_path"] == "archief-deel-2.jsonl:1"


def test_unchanged_articles_are_not_parsed_when_one_line_of_a_jsonl_changes(corpus, tmp_path, ruler_model, monkeypatch):
    """Only the edited .jsonl line is read into a Document; the others are recognised by their source key."""
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    jsonl = corpus / "nieuws.jsonl"
    jsonl.write_text(jsonl.read_text(encoding="utf-8").replace("De Lijn", "De Lijn en KU Leuven", 1), encoding="utf-8")
    corpus_module = importlib.import_module("pipeline.corpus")
    parsed = []
    real_article = corpus_module._guarded_jsonl_article

    def counting(line, encoding, relative, number):
        parsed.append(number)
        return real_article(line, encoding, relative, number)

    monkeypatch.setattr(corpus_module, "_guarded_jsonl_article", counting)
    summary = run(config(corpus, out, ruler_model))
    assert (summary.changed, summary.unchanged) == (1, 10)
    assert parsed == [1, 2]  # the edited line, and line 2 (broken JSON: no key is kept for an unreadable line)
    assert ("gent-2025-001", "KU Leuven") in set(zip(load_tables(out)["mentions"]["doc_id"], load_tables(out)["mentions"]["text"]))


def test_files_with_the_bytes_the_last_run_read_are_not_read_again(corpus, tmp_path, ruler_model, monkeypatch):
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    _add_article(corpus, ruler_model)
    corpus_module = importlib.import_module("pipeline.corpus")
    read, real_sources = [], corpus_module._sources_in_file
    monkeypatch.setattr(corpus_module, "_sources_in_file",
                        lambda file, relative, known: read.append(relative) or real_sources(file, relative, known))
    summary = run(config(corpus, out, ruler_model))
    assert (summary.new, summary.unchanged, read) == (1, 11, ["school.txt"])
    run(config(corpus, tmp_path / "scratch", ruler_model))
    for name in TABLE_COLUMNS:
        assert (out / f"{name}.csv").read_bytes() == (tmp_path / "scratch" / f"{name}.csv").read_bytes(), name


@pytest.mark.parametrize("first_file", ["a.jsonl", "z.jsonl"], ids=["duplicate-after", "duplicate-before"])
def test_an_unread_file_whose_id_another_file_takes_or_gives_up_is_read_after_all(tmp_path, ruler_model, first_file):
    """Which of two articles with one id is the duplicate depends on the files before it, not only on
    its own bytes: the tables still equal a run from scratch when the other file changes."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "m.jsonl").write_text('{"id": "x", "text": "Hermans sprak in Gent."}\n', encoding="utf-8")
    other = corpus / first_file
    for text in ('{"id": "x", "text": "De Lijn reed door Gent."}\n', '{"id": "y", "text": "De Lijn reed door Gent."}\n',
                 '{"id": "x", "text": "De Lijn reed weer door Gent."}\n'):
        other.write_text(text, encoding="utf-8")
        run(config(corpus, tmp_path / "out", ruler_model))
        shutil.rmtree(tmp_path / "scratch", ignore_errors=True)
        run(config(corpus, tmp_path / "scratch", ruler_model))
        for name in TABLE_COLUMNS:
            assert ((tmp_path / "out" / f"{name}.csv").read_bytes()
                    == (tmp_path / "scratch" / f"{name}.csv").read_bytes()), (text, name)


def test_rerun_with_identical_corpus_bytes_reads_no_article(corpus, tmp_path, ruler_model, monkeypatch):
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    monkeypatch.setattr(run_module, "scan_corpus", _refuse_to_analyse)
    summary = run(config(corpus, out, ruler_model))
    assert summary.up_to_date and summary.documents == 11 and (summary.skipped, summary.errors) == (3, 3)


def test_a_damaged_table_is_rewritten_though_the_corpus_is_unchanged(corpus, tmp_path, ruler_model, monkeypatch):
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    before = (out / "entities.csv").read_bytes()
    (out / "entities.csv").write_bytes(before[:100])
    monkeypatch.setattr(run_module, "Analyser", _refuse_to_analyse)
    summary = run(config(corpus, out, ruler_model))
    assert not summary.up_to_date and summary.notices[0].startswith("entities.csv in ")
    assert (out / "entities.csv").read_bytes() == before


def test_a_state_damaged_behind_a_seal_stops_the_run_clearly_and_the_next_run_starts_afresh(corpus, tmp_path,
                                                                                               ruler_model):
    """A sealed state is not checked when opened; a read that finds it damaged says so, moves it aside,
    and the run after that analyses everything again and writes the same tables."""
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    state = out / ".pipeline" / "state.sqlite"
    with sqlite3.connect(state) as connection:  # the pages of the documents table and its indexes (not `meta`)
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        roots = [row[0] for row in connection.execute("SELECT rootpage FROM sqlite_master WHERE tbl_name = 'documents'")]
    connection.close()
    pages = bytearray(state.read_bytes())
    for root in roots:
        pages[(root - 1) * size:root * size] = b"\xff" * size
    state.write_bytes(bytes(pages))
    found = state.stat()  # sealed again as if the damage had left the file's times alone (a bad disk)
    (out / ".pipeline" / "state.sqlite.sealed").write_text(json.dumps(
        {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "ctime_ns": found.st_ctime_ns, "inode": found.st_ino,
         "device": found.st_dev}), encoding="utf-8")
    _edit_article(corpus, ruler_model)
    with pytest.raises(StateDamagedError, match=r"the state database .*state.sqlite is damaged \(.*\): it was moved "
                                                r"aside to state.sqlite.corrupt-\S+; run again to analyse every article"):
        run(config(corpus, out, ruler_model))
    assert len(list((out / ".pipeline").glob("state.sqlite.corrupt-*"))) == 1
    assert run(config(corpus, out, ruler_model)).new == 11
    run(config(corpus, tmp_path / "fresh", ruler_model))
    for name in TABLE_COLUMNS:
        assert (out / f"{name}.csv").read_bytes() == (tmp_path / "fresh" / f"{name}.csv").read_bytes(), name


def test_parquet_output_loads_like_csv_output(corpus, tmp_path, ruler_model):
    run(config(corpus, tmp_path / "csv", ruler_model))
    run(config(corpus, tmp_path / "parquet", ruler_model, table_format="parquet"))
    from_csv, from_parquet = load_tables(tmp_path / "csv"), load_tables(tmp_path / "parquet")
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(from_parquet[name], from_csv[name])
    assert not list((tmp_path / "parquet").glob("*.csv"))


def test_switching_format_writes_the_tables_again_without_analysis(corpus, tmp_path, ruler_model, monkeypatch):
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    monkeypatch.setattr(run_module, "Analyser", _refuse_to_analyse)
    summary = run(config(corpus, out, ruler_model, table_format="parquet"))
    assert not summary.up_to_date and (out / "mentions.parquet" / "part-0.parquet").is_file()
    assert run(config(corpus, out, ruler_model, table_format="parquet")).up_to_date


def test_corpus_wide_step_reads_the_store_not_the_corpus(corpus, tmp_path, ruler_model, monkeypatch):
    """The tables come from stored results: no article body is read again to write them."""
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    before = {name: (out / f"{name}.csv").read_bytes() for name in TABLE_COLUMNS}
    for name in TABLE_COLUMNS:
        (out / f"{name}.csv").unlink()
    monkeypatch.setattr(run_module, "Analyser", _refuse_to_analyse)
    run(config(corpus, out, ruler_model))
    assert before == {name: (out / f"{name}.csv").read_bytes() for name in TABLE_COLUMNS}


def test_unchanged_article_follows_a_cross_article_link_that_a_new_article_brings(tmp_path, ruler_model):
    """'Hermans' alone links to 'Séverine Hermans' once another article names her in full: the stored
    mention rows of the unchanged article are rendered again, and the tables equal a run from scratch."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "raad.txt").write_text("Hermans sprak gisteren in de gemeenteraad van Gent.", encoding="utf-8")
    run(config(corpus, out, ruler_model))
    alone = rows_of(out, "mentions", "raad")
    (corpus / "school.txt").write_text("Séverine Hermans opende de nieuwe school in Heverlee.", encoding="utf-8")
    run(config(corpus, out, ruler_model))
    assert rows_of(out, "mentions", "raad") != alone
    run(config(corpus, tmp_path / "scratch", ruler_model))
    for name in TABLE_COLUMNS:
        assert (out / f"{name}.csv").read_bytes() == (tmp_path / "scratch" / f"{name}.csv").read_bytes(), name
    (corpus / "school.txt").unlink()
    run(config(corpus, out, ruler_model))
    assert rows_of(out, "mentions", "raad") == alone


def test_interrupted_run_keeps_finished_batches_and_resumes(corpus, tmp_path, ruler_model, monkeypatch):
    out = tmp_path / "out"
    real_analyse = run_module.Analyser.analyse
    calls, interrupt_at = [], [3]

    def analyse_then_interrupt(self, documents):
        calls.append([d.doc_id for d in documents])
        if len(calls) == interrupt_at[0]:
            raise KeyboardInterrupt
        return real_analyse(self, documents)

    monkeypatch.setattr(run_module.Analyser, "analyse", analyse_then_interrupt)
    with pytest.raises(RunInterrupted, match=r"interrupted: 2 of 6 articles were analysed and saved; run again"):
        run(config(corpus, out, ruler_model, batch_size=1))
    assert not (out / "documents.csv").exists()
    calls.clear()
    interrupt_at[0] = 0
    summary = run(config(corpus, out, ruler_model, batch_size=1))
    assert len(calls) == 4 and summary.unchanged == 2 + 5  # 2 analysed before, 5 unreadable ones need no analysis
    assert len(load_tables(out)["documents"]) == 11


def test_second_run_on_the_same_output_stops_clearly(corpus, tmp_path, ruler_model):
    out = tmp_path / "out"
    lock = output_lock(out)
    acquire(lock, out)
    try:
        with pytest.raises(RunLockedError, match="another extraction is writing to"):
            run(config(corpus, out, ruler_model))
    finally:
        lock.release()


def test_huge_article_is_split_not_crashed(tmp_path, ruler_model):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sentence = "De Lijn rijdt in Gent. "
    (corpus / "groot.txt").write_text(sentence * 48_000, encoding="utf-8")  # one 1.1 M-character paragraph
    run(config(corpus, tmp_path / "out", ruler_model))
    tables = load_tables(tmp_path / "out")
    assert tables["documents"]["status"].tolist() == ["ok"]
    assert 0.999 * 2 * 48_000 <= len(tables["mentions"]) <= 2 * 48_000  # a cut may split one name


def test_parallel_and_serial_runs_give_identical_tables(corpus, tmp_path, ruler_model):
    run(config(corpus, tmp_path / "serial", ruler_model, workers=1, batch_size=2))
    run(config(corpus, tmp_path / "parallel", ruler_model, workers=2, batch_size=2))
    for name in TABLE_COLUMNS:
        assert filecmp.cmp(tmp_path / "serial" / f"{name}.csv", tmp_path / "parallel" / f"{name}.csv", shallow=False), name


@pytest.mark.parametrize("workers", [1, 2])
def test_a_large_first_run_reads_the_articles_again_instead_of_keeping_their_bodies(corpus, tmp_path, ruler_model,
                                                                                 monkeypatch, workers):
    """Beyond BODIES_KEPT_CHARS the inventory lets the bodies go and the analysis reads the corpus
    again: same tables, unreadable articles included, and an edit afterwards still analyses only it."""
    run(config(corpus, tmp_path / "kept", ruler_model, workers=workers, batch_size=2))
    monkeypatch.setattr(run_module, "BODIES_KEPT_CHARS", 10)
    summary = run(config(corpus, tmp_path / "read-again", ruler_model, workers=workers, batch_size=2))
    assert (summary.new, summary.errors, summary.skipped) == (11, 3, 3)
    for name in TABLE_COLUMNS:
        assert filecmp.cmp(tmp_path / "kept" / f"{name}.csv", tmp_path / "read-again" / f"{name}.csv", shallow=False), name
    article = next(path for path in sorted(corpus.rglob("*.txt")) if "kapot" not in str(path))
    article.write_text(article.read_text(encoding="utf-8") + "\nOok Annelies Verbeek was er.\n", encoding="utf-8")
    assert (run(config(corpus, tmp_path / "read-again", ruler_model, workers=workers)).changed,) == (1,)


@pytest.mark.slow
@pytest.mark.skipif(not (MODEL / "meta.json").is_file(), reason="the shipped model models/nl_press_ner is missing")
def test_golden_tables_with_the_shipped_model(tmp_path):
    """Byte for byte against tests/golden; after an intended change regenerate with `make golden`."""
    run(Config(corpus=FIXTURES / "corpus", out=tmp_path, model=MODEL, workers=1, progress=False))
    for name in TABLE_COLUMNS:
        expected = (GOLDEN / f"{name}.csv").read_text(encoding="utf-8")
        assert (tmp_path / f"{name}.csv").read_text(encoding="utf-8") == expected, f"{name}.csv differs from tests/golden (make golden)"


@pytest.mark.slow
@pytest.mark.skipif(not (MODEL / "meta.json").is_file(), reason="the shipped model models/nl_press_ner is missing")
def test_shipped_model_finds_people_places_and_skips_english(tmp_path):
    run(Config(corpus=FIXTURES / "corpus", out=tmp_path, model=MODEL, workers=1, progress=False))
    tables = load_tables(tmp_path)
    documents = tables["documents"].set_index("doc_id")
    assert documents.loc["wire-en-1", "status"] == Status.SKIPPED.value and documents.loc["wire-en-1", "language"] == "en"
    assert documents.loc["leuven-universiteit", "language"] == "nl"
    found = set(zip(tables["mentions"]["text"], tables["mentions"]["label"]))
    assert {("Gent", "LOC"), ("Mathias De Clercq", "PER")} <= found
    assert not tables["mentions"]["doc_id"].eq("wire-en-1").any()
    assert pd.api.types.is_datetime64_any_dtype(tables["dates"]["date_start"])


def _refuse_to_analyse(*_args, **_kwargs):
    raise AssertionError("the model was loaded although nothing changed")


def _add_article(corpus: Path, model: Path) -> Path:
    (corpus / "school.txt").write_text("Séverine Hermans opende met De Lijn een school in Heverlee.", encoding="utf-8")
    return model


def _edit_article(corpus: Path, model: Path) -> Path:
    article = corpus / "leuven-universiteit.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\n\nHermans reageerde in Gent.", encoding="utf-8")
    return model


def _remove_article(corpus: Path, model: Path) -> Path:
    (corpus / "rotterdam-haven.md").unlink()
    return model


def _change_aliases(corpus: Path, model: Path) -> Path:
    (corpus / "aliases.csv").write_text("alias,canonical,label\nDe Lijn,Vlaamse Vervoermaatschappij De Lijn,ORG\n",
                                        encoding="utf-8")
    return model


def _change_model(corpus: Path, model: Path) -> Path:
    """A second rule model that no longer knows 'Hermans' alone nor 'Gent'."""
    import spacy

    from tests.conftest import RULER_PATTERNS

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns([p for p in RULER_PATTERNS if p["pattern"] not in ("Hermans", "Gent")])
    other = corpus.parent / "other_model"
    nlp.to_disk(other)
    return other


@pytest.mark.parametrize("change", [_add_article, _edit_article, _remove_article, _change_aliases, _change_model],
                         ids=["add", "edit", "remove", "aliases", "model"])
def test_tables_after_a_change_and_its_undo_equal_a_run_from_scratch(change, corpus, tmp_path, ruler_model):
    """Entity rows are kept by difference and article rows are reused: whatever changes, every table
    equals a run from scratch byte for byte, and undoing the change gives back the first tables."""
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    first = {name: (out / f"{name}.csv").read_bytes() for name in TABLE_COLUMNS}
    saved = Path(shutil.copytree(corpus, tmp_path / "saved"))
    model = change(corpus, ruler_model)
    run(config(corpus, out, model))
    run(config(corpus, tmp_path / "scratch", model))
    for name in TABLE_COLUMNS:
        assert (out / f"{name}.csv").read_bytes() == (tmp_path / "scratch" / f"{name}.csv").read_bytes(), name
    assert (out / "entities.csv").read_bytes() != first["entities"]  # the change reaches the entity rows
    shutil.rmtree(corpus)
    shutil.copytree(saved, corpus)
    run(config(corpus, out, ruler_model))
    assert first == {name: (out / f"{name}.csv").read_bytes() for name in TABLE_COLUMNS}


def test_user_alias_file_renames_entities_without_reanalysing(corpus, tmp_path, ruler_model, monkeypatch):
    out = tmp_path / "out"
    run(config(corpus, out, ruler_model))
    (corpus / "aliases.csv").write_text("alias,canonical,label\nDe Lijn,Vlaamse Vervoermaatschappij De Lijn,ORG\n", encoding="utf-8")
    monkeypatch.setattr(run_module, "Analyser", _refuse_to_analyse)
    summary = run(config(corpus, out, ruler_model))
    assert not summary.up_to_date and summary.unchanged == 11
    entities = load_tables(out)["entities"]
    assert "Vlaamse Vervoermaatschappij De Lijn" in set(entities["name"])


def test_broken_alias_file_stops_before_any_work(corpus, tmp_path, ruler_model):
    (corpus / "aliases.csv").write_text("alias,canonical,label\nDe Lijn,De Lijn,BEDRIJF\n", encoding="utf-8")
    with pytest.raises(ValueError, match="aliases.csv"):
        run(config(corpus, tmp_path / "out", ruler_model))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "paragraphs, expected",
    [
        (((0, 9, "nl"), (11, 20, "en")), "Gent is b\n\n         "),
        (((0, 9, "nl"), (11, 20, "und")), "Gent is b\n\nLondon is"),
        (((0, 9, "en"), (11, 20, "nl")), "         \n\nLondon is"),
        ((), "Gent is b\n\nLondon is"),
    ],
    ids=["english-paragraph-blanked", "undetermined-kept", "first-paragraph-blanked", "no-paragraphs"],
)
def test_paragraphs_in_other_languages_are_blanked_with_offsets_kept(paragraphs, expected):
    guess = LanguageGuess("nl", 0.9, (), paragraphs)
    masked = run_module.mask_other_languages("Gent is b\n\nLondon is", guess, frozenset({"nl"}))
    assert masked == expected and len(masked) == 20


@pytest.mark.parametrize(
    "body, expected",
    [
        ("Gent " + "x" * 1200 + " Brugge", "Gent \n" + " " * 1198 + "\n Brugge"),
        ("Gent " + "x" * 999 + " Brugge", "Gent " + "x" * 999 + " Brugge"),
        ("https://a.invalid/" + "q" * 20, "https://a.invalid/" + "q" * 20),
    ],
    ids=["long-run-blanked", "999-characters-kept", "url-kept"],
)
def test_runs_without_whitespace_become_paragraph_breaks_of_the_same_length(body, expected):
    masked = run_module.mask_long_runs(body)
    assert masked == expected and len(masked) == len(body)


def test_model_calls_are_grouped_by_characters():
    items = [(name, ("", "x" * size)) for name, size in (("a", 40_000), ("b", 50_000), ("c", 30_000), ("d", 250_000), ("e", 10))]
    groups = [[name for name, _ in group] for group in run_module._groups_by_size(items, 100_000)]
    assert groups == [["a", "b"], ["c"], ["d"], ["e"]]
