"""Tables: columns, atomic writing, and loading into pandas with proper dtypes."""
from __future__ import annotations

import dataclasses
import importlib
import os

import pandas as pd
import pytest

from pipeline.records import Alias, Entity, FeatureClass, Label, LinkedMention
from pipeline.config import TableFormat
from pipeline.tables import (PARQUET_ROW_GROUP_ROWS, TABLE_COLUMNS, OutputError, TableSet, alias_text, damaged_tables,
                             document_rows, entity_text,
                             escape_formula, load_tables, table_path, unescape_formula, write_tables)
from tests.test_state import result

tables_module = importlib.import_module("pipeline.tables")


ENTITIES = (Entity("e-gent", Label.LOC, "Gent", 1, 1, "BE", 51.05, 3.71667, "2797656", FeatureClass.CITY, "Vlaanderen"),
            Entity("e-jetten", Label.PER, "Jetten", 1, 1))


def linked_result(**document_changes):
    doc = result()
    doc = dataclasses.replace(doc, document=dataclasses.replace(doc.document, **document_changes))
    return dataclasses.replace(doc, linked=tuple(LinkedMention(m, m.text, f"e-{m.text.lower()}") for m in doc.mentions))


def table_set(results=None, entities=ENTITIES) -> TableSet:
    results = [linked_result()] if results is None else results
    aliases = (Alias("e-gent", "Gent", 1), Alias("e-jetten", "Jetten", 1))
    return TableSet(rows=[document_rows(r) for r in results], entities=[entity_text(e) for e in entities],
                    aliases=[alias_text(aliases)])


def test_every_table_has_its_header_and_rows(tmp_path):
    write_tables(tmp_path, table_set())
    for name, columns in TABLE_COLUMNS.items():
        lines = (tmp_path / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(columns)
    assert (tmp_path / "mentions.csv").read_text().splitlines()[1] == "a,body,0,6,Jetten,PER,e-jetten,0"
    assert (tmp_path / "dates.csv").read_text().splitlines()[1] == "a,body,13,22,gisteren,DATE,2025-06-11,2025-06-11,2025-06-11,day,"
    assert (tmp_path / "entities.csv").read_text().splitlines()[1] == "e-gent,LOC,Gent,1,1,BE,51.05000,3.71667,2797656,city,Vlaanderen"


def test_no_temporary_files_are_left_behind(tmp_path):
    write_tables(tmp_path, table_set())
    assert sorted(os.listdir(tmp_path)) == sorted(f"{name}.csv" for name in TABLE_COLUMNS)


def test_plain_pandas_reads_every_table(tmp_path):
    write_tables(tmp_path, table_set())
    mentions = pd.read_csv(tmp_path / "mentions.csv")
    assert list(mentions.columns) == list(TABLE_COLUMNS["mentions"])


def test_load_tables_gives_proper_dtypes(tmp_path):
    write_tables(tmp_path, table_set())
    tables = load_tables(tmp_path)
    documents, mentions, dates = tables["documents"], tables["mentions"], tables["dates"]
    assert documents["published"].dtype.kind == "M" and documents["published"][0] == pd.Timestamp("2025-06-12")
    assert isinstance(mentions["label"].dtype, pd.CategoricalDtype)
    assert mentions["doc_id"].dtype == "string" and mentions["entity_id"].dtype == "string"
    assert str(mentions["start"].dtype) == "Int64"
    assert dates["date_start"][0] == pd.Timestamp("2025-06-11")
    assert tables["entities"]["latitude"][0] == pytest.approx(51.05)
    assert pd.isna(tables["entities"]["latitude"][1])


def test_load_tables_on_missing_folder_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"documents.csv is missing: run `make extract`"):
        load_tables(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere, so an unwritable folder cannot be simulated")
def test_unwritable_output_is_a_clear_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    with pytest.raises(OutputError, match="choose a folder you can write to with --out"):
        write_tables(locked, table_set())


def test_output_path_below_a_file_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=r"cannot write the tables to .*file/out: .*choose a folder you can write to"):
        write_tables(blocker / "out", table_set())


@pytest.mark.parametrize(
    "text, written",
    [
        ("=HYPERLINK(\"http://a.invalid\")", "'=HYPERLINK(\"http://a.invalid\")"),
        ("+31 20 123", "'+31 20 123"),
        ("-5 graden in Gent", "'-5 graden in Gent"),
        ("@KULeuven", "'@KULeuven"),
        ("\tingesprongen", "'\tingesprongen"),
        ("'=al ontsnapt", "''=al ontsnapt"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
        ("Gent", "Gent"),
        ("e-mail", "e-mail"),
    ],
    ids=["formula", "plus", "minus", "at", "tab", "apostrophe-then-formula", "dutch-elision", "plain", "inner-dash"],
)
def test_spreadsheet_formulas_are_escaped_reversibly(text, written):
    assert escape_formula(text) == written
    assert unescape_formula(written) == text


def test_numbers_are_never_escaped_and_load_tables_gives_the_exact_text(tmp_path):
    west = Entity("e-west", Label.LOC, "-West", 1, 1, "US", -33.5, -70.25, "")
    write_tables(tmp_path, table_set([linked_result(title="=1+1", source="@bron")], (*ENTITIES, west)))
    assert "e-west,LOC,'-West,1,1,US,-33.50000,-70.25000," in (tmp_path / "entities.csv").read_text()
    loaded = load_tables(tmp_path)
    assert (loaded["documents"]["title"][0], loaded["documents"]["source"][0]) == ("=1+1", "@bron")
    assert loaded["entities"].set_index("entity_id").loc["e-west", "name"] == "-West"
    assert loaded["entities"].set_index("entity_id").loc["e-west", "longitude"] == pytest.approx(-70.25)


def test_interrupted_write_keeps_the_old_tables_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    write_tables(tmp_path, table_set())
    before = {name: (tmp_path / f"{name}.csv").read_bytes() for name in TABLE_COLUMNS}

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(tables_module.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_tables(tmp_path, table_set())
    assert before == {name: (tmp_path / f"{name}.csv").read_bytes() for name in TABLE_COLUMNS}
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("table_format", list(TableFormat), ids=[f.value for f in TableFormat])
def test_digests_returned_match_the_files_written(tmp_path, table_format):
    digests = write_tables(tmp_path, table_set(), table_format)
    assert damaged_tables(tmp_path, digests, table_format) == []
    table_path(tmp_path, "dates", table_format).write_bytes(b"bewerkt in een rekenblad")
    assert damaged_tables(tmp_path, digests, table_format) == [str(table_path(tmp_path, "dates", table_format).relative_to(tmp_path))]


def test_parquet_tables_load_exactly_like_csv_tables(tmp_path):
    """Same columns, values and dtypes from load_tables, whichever format was written; the spreadsheet
    escape never reaches Parquet readers (they get the text itself)."""
    escaped = [linked_result(title="=Brussel boven", source="@bron")]
    write_tables(tmp_path / "csv", table_set(escaped))
    write_tables(tmp_path / "parquet", table_set(escaped), TableFormat.PARQUET)
    from_csv, from_parquet = load_tables(tmp_path / "csv"), load_tables(tmp_path / "parquet")
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(from_parquet[name], from_csv[name])
    assert from_parquet["documents"]["title"][0] == "=Brussel boven"
    direct = pd.read_parquet(tmp_path / "parquet" / "mentions.parquet")  # plain pandas on the dataset folder
    assert list(direct.columns) == list(TABLE_COLUMNS["mentions"]) and str(direct["start"].dtype) == "Int64"
    assert direct["doc_id"].dtype == "string"


def test_parquet_bytes_are_deterministic_and_row_groups_fixed(tmp_path, monkeypatch):
    monkeypatch.setattr(tables_module, "PARQUET_ROW_GROUP_ROWS", 1)
    first = write_tables(tmp_path / "a", table_set(), TableFormat.PARQUET)
    second = write_tables(tmp_path / "b", table_set(), TableFormat.PARQUET)
    assert first == second
    import pyarrow.parquet as pq

    assert pq.ParquetFile(table_path(tmp_path / "a", "mentions", TableFormat.PARQUET)).num_row_groups == 2
    assert PARQUET_ROW_GROUP_ROWS == 65536


def test_empty_parquet_tables_keep_their_columns_and_dtypes(tmp_path):
    write_tables(tmp_path, TableSet(rows=[], entities=[], aliases=[]), TableFormat.PARQUET)
    loaded = load_tables(tmp_path)
    assert list(loaded["dates"].columns) == list(TABLE_COLUMNS["dates"]) and len(loaded["dates"]) == 0
    assert str(loaded["dates"]["start"].dtype) == "Int64"


def test_tables_are_written_from_a_stream_read_once(tmp_path):
    """Rows may come from a cursor: documents, mentions and dates are written in one pass."""
    tables = table_set()
    write_tables(tmp_path, dataclasses.replace(tables, rows=iter(tables.rows)))
    assert (tmp_path / "mentions.csv").read_text().count("\n") == 3 and (tmp_path / "dates.csv").read_text().count("\n") == 2


def test_load_tables_reads_the_format_written_last(tmp_path):
    write_tables(tmp_path, table_set())
    write_tables(tmp_path, table_set([linked_result(title="Nieuw")]), TableFormat.PARQUET)
    assert load_tables(tmp_path)["documents"]["title"][0] == "Nieuw"
    assert load_tables(tmp_path, "csv")["documents"]["title"][0] == "Titel"
