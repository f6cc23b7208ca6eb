"""The SQLite export: schema (keys, foreign keys, indexes, full-text search) checked with
sqlite-utils, contents checked against the tables and the corpus, and the database queried through
datasette's own test client, as a user would with `datasette FILE`."""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import sqlite_utils

from pipeline import read_corpus
from pipeline.cli import main
from pipeline.report import ReportError
from pipeline.report.sqlite import export_sqlite

GOLDEN = Path(__file__).resolve().parent / "golden"
CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"

ARTICLES_MENTIONING = """
select d.doc_id, d.published, d.title, count(*) as mentions
from mentions m join documents d on d.doc_id = m.doc_id join entities e on e.entity_id = m.entity_id
where e.name = :name group by d.doc_id order by d.published"""
CO_MENTIONS = """
select d.doc_id, d.title from documents d
where d.doc_id in (select m.doc_id from mentions m join entities e using (entity_id) where e.name = :first)
  and d.doc_id in (select m.doc_id from mentions m join entities e using (entity_id) where e.name = :second)
order by d.published"""


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "press.db"
    export_sqlite(GOLDEN, path, corpus=CORPUS)
    return path


@pytest.mark.parametrize("table, pks, foreign_keys", [
    ("documents", ["doc_id"], set()),
    ("entities", ["entity_id"], set()),
    ("mentions", ["doc_id", "field", "start", "end"],
     {("doc_id", "documents", "doc_id"), ("entity_id", "entities", "entity_id")}),
    ("aliases", ["entity_id", "alias"], {("entity_id", "entities", "entity_id")}),
    ("dates", ["doc_id", "field", "start", "end"], {("doc_id", "documents", "doc_id")}),
])
def test_tables_have_their_keys(database, table, pks, foreign_keys):
    db = sqlite_utils.Database(database)
    assert db[table].pks == pks
    assert {(fk.column, fk.other_table, fk.other_column) for fk in db[table].foreign_keys} == foreign_keys


def test_common_lookups_are_indexed_and_titles_texts_and_names_searchable(database):
    db = sqlite_utils.Database(database)
    assert ["entity_id", "doc_id"] in [index.columns for index in db["mentions"].indexes]
    assert ["published"] in [index.columns for index in db["documents"].indexes]
    assert db["documents"].detect_fts() == "documents_fts"
    assert db["entities"].detect_fts() == "entities_fts"
    assert [row["doc_id"] for row in db["documents"].search("tramlijn")] == ["gent-2025-001"]  # a title word
    assert [row["doc_id"] for row in db["documents"].search("havenbedrijf")] == ["rotterdam-haven"]  # a body word
    plan = " ".join(row["detail"] for row in db.query(
        "explain query plan select doc_id from mentions where entity_id = 'org-61af566e976d'"))
    assert "USING COVERING INDEX idx_mentions_entity_id_doc_id" in plan


def test_every_row_of_every_table_is_in_the_database(database):
    db = sqlite_utils.Database(database)
    for name in ("documents", "entities", "mentions", "aliases", "dates"):
        with open(GOLDEN / f"{name}.csv", encoding="utf-8") as handle:
            assert db[name].count == sum(1 for _ in handle) - 1, name
    assert db["documents"].get("zonder-datum")["published"] is None
    assert db["entities"].get("loc-gn2756253")["latitude"] == pytest.approx(51.44083)


def test_bodies_come_from_the_corpus_and_mention_offsets_point_into_them(database):
    db = sqlite_utils.Database(database)
    bodies = {document.doc_id: document.body for document in read_corpus(CORPUS) if not document.problem}
    assert db["documents"].get("rotterdam-haven")["body"] == bodies["rotterdam-haven"]
    checked = 0
    for row in db.query("select m.start, m.end, m.text, d.body from mentions m join documents d using (doc_id) "
                        "where m.field = 'body'"):
        assert row["body"][row["start"]:row["end"]] == row["text"]
        checked += 1
    assert checked >= 20


def test_an_article_changed_since_the_run_is_left_without_text(tmp_path):
    corpus = shutil.copytree(CORPUS, tmp_path / "corpus")
    article = corpus / "leuven-universiteit.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nEen extra zin.\n", encoding="utf-8")
    summary = export_sqlite(GOLDEN, tmp_path / "press.db", corpus=corpus)
    assert summary.bodies_changed == 1
    assert "1 articles changed since the tables were written" in summary.line()
    assert sqlite_utils.Database(tmp_path / "press.db")["documents"].get("leuven-universiteit")["body"] is None


def test_without_corpus_only_titles_are_searchable(tmp_path):
    export_sqlite(GOLDEN, tmp_path / "press.db")
    db = sqlite_utils.Database(tmp_path / "press.db")
    assert "body" not in db["documents"].columns_dict
    assert [row["doc_id"] for row in db["documents"].search("tramlijn")] == ["gent-2025-001"]


def test_month_precision_dates_stay_as_written(make_tables, tmp_path):
    folder = make_tables(documents=[{"doc_id": "a", "published": "2025-06", "status": "ok"}])
    export_sqlite(folder, tmp_path / "press.db")
    assert sqlite_utils.Database(tmp_path / "press.db")["documents"].get("a")["published"] == "2025-06"


def test_export_replaces_an_old_database(tmp_path):
    target = tmp_path / "press.db"
    sqlite_utils.Database(target)["old"].insert({"x": 1})
    export_sqlite(GOLDEN, target)
    assert "old" not in sqlite_utils.Database(target).table_names()


def test_cli_export_and_its_errors(tmp_path, capsys):
    assert main(["export", str(GOLDEN), "--sqlite", str(tmp_path / "press.db"), "--corpus", str(CORPUS)]) == 0
    assert "11 documents, 26 entities, 31 mentions" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "nowhere"), "--sqlite", str(tmp_path / "x.db")]) == 2
    assert "documents.csv is missing" in capsys.readouterr().err
    with pytest.raises(ReportError, match="cannot write the database"):
        export_sqlite(GOLDEN, tmp_path / "press.db" / "inside-a-file.db")


def _datasette_get(database: Path, path: str):
    datasette_app = pytest.importorskip("datasette.app", reason="datasette is a dev dependency: pip install -e '.[dev]'")

    async def get():
        datasette = datasette_app.Datasette([str(database)])
        await datasette.invoke_startup()
        return await datasette.client.get(path)

    response = asyncio.run(get())
    assert response.status_code == 200, response.text
    return response.json()


def test_datasette_lists_articles_mentioning_an_entity(database):
    rows = _datasette_get(database, "/press.json?_shape=array&name=KU+Leuven&sql=" + _quoted(ARTICLES_MENTIONING))
    assert [(row["doc_id"], row["mentions"]) for row in rows] == [("leuven-universiteit", 2)]


def test_datasette_finds_co_mentions_of_two_entities(database):
    rows = _datasette_get(database, "/press.json?_shape=array&first=Gent&second=Mathias+De+Clercq&sql="
                          + _quoted(CO_MENTIONS))
    assert [row["doc_id"] for row in rows] == ["gent-2025-001"]


def test_datasette_labels_foreign_keys_and_searches_titles(database):
    rows = _datasette_get(database, "/press/mentions.json?_shape=array&_labels=on&entity_id=org-61af566e976d")
    assert {row["entity_id"]["label"] for row in rows} == {"KU Leuven"}
    assert {row["doc_id"]["label"] for row in rows} == {"KU Leuven opent nieuw onderzoekscentrum voor batterijen"}
    found = _datasette_get(database, "/press/documents.json?_shape=array&_search=tramlijn")
    assert [row["doc_id"] for row in found] == ["gent-2025-001"]


def _quoted(sql: str) -> str:
    from urllib.parse import quote

    return quote(" ".join(sql.split()))
