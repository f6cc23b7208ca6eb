"""The tables as one SQLite database, ready for datasette and sqlite-utils.

Primary keys, foreign keys (mentions -> documents, mentions -> entities, aliases -> entities,
dates -> documents), indexes for the usual look-ups and full-text search on titles (and on body
texts when the corpus is given). The database is built under a temporary name and renamed, so a
reader never sees half of it.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlite_utils

from ..corpus import read_corpus
from ..tables import TABLE_COLUMNS
from .source import ReportError, read_tables

PRIMARY_KEYS = {
    "documents": ("doc_id",),
    "entities": ("entity_id",),
    "mentions": ("doc_id", "field", "start", "end"),
    "aliases": ("entity_id", "alias"),
    "dates": ("doc_id", "field", "start", "end"),
}
FOREIGN_KEYS = {
    "mentions": [("doc_id", "documents", "doc_id"), ("entity_id", "entities", "entity_id")],
    "aliases": [("entity_id", "entities", "entity_id")],
    "dates": [("doc_id", "documents", "doc_id")],
}
INDEXES = {  # the look-ups of the README's example queries and of datasette's facets
    "documents": [("published",), ("status",), ("source",), ("language",)],
    "entities": [("label", "n_documents"), ("name",)],
    "mentions": [("entity_id", "doc_id"), ("label",)],
    "aliases": [("alias",)],
    "dates": [("value",), ("date_start", "date_end")],
}
TABLE_ORDER = ("documents", "entities", "mentions", "aliases", "dates")  # referenced tables first
FTS_TOKENIZER = "unicode61 remove_diacritics 2"  # Dutch: "Curaçao" is found as "curacao"; no English stemming


@dataclass(frozen=True)
class ExportSummary:
    """What went into the database."""

    path: Path
    rows: dict[str, int]
    bodies: int            # articles whose body text is in the database
    bodies_changed: int    # articles whose text in the corpus differs from the one the tables were made from

    def line(self) -> str:
        counts = ", ".join(f"{count:,} {name}" for name, count in self.rows.items())
        text = f"wrote {self.path}: {counts}"
        if self.bodies or self.bodies_changed:
            text += f"; {self.bodies:,} body texts"
        if self.bodies_changed:
            text += (f" ({self.bodies_changed:,} articles changed since the tables were written were left without "
                     "their text: run `make extract` first)")
        return text


def export_sqlite(tables: str | os.PathLike, destination: str | os.PathLike,
                  corpus: str | os.PathLike | None = None) -> ExportSummary:
    """Write the tables in `tables` to the SQLite file `destination` (replacing it). With `corpus`,
    the body text of each article is added (column `documents.body`) and searchable too."""
    folder, target = Path(tables), Path(destination)
    frames = read_tables(folder)
    documents = frames["documents"]
    # load_tables parses `published` into a datetime, which turns a month (2025-06) into its first day;
    # the database keeps the date as the table wrote it.
    documents["published"] = pd.read_csv(folder / "documents.csv", usecols=["published"], dtype="string",
                                         keep_default_na=False, na_values=[""])["published"].to_numpy()
    bodies, changed = _bodies(Path(corpus), documents) if corpus is not None else ({}, 0)
    if corpus is not None:
        documents["body"] = documents["doc_id"].map(bodies).astype("string")
    try:
        _write_database(target, frames, with_bodies=corpus is not None)
    except (OSError, sqlite3.OperationalError) as error:
        raise ReportError(f"cannot write the database {target}: {error}: choose a file you can write to") from error
    return ExportSummary(path=target, rows={name: len(frames[name]) for name in TABLE_ORDER},
                         bodies=len(bodies), bodies_changed=changed)


def _write_database(target: Path, frames: dict[str, pd.DataFrame], with_bodies: bool) -> None:
    """Build the database under a temporary name beside `target`, then rename it into place."""
    temporary = target.with_name(f".{target.name}.tmp")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary.unlink(missing_ok=True)
    database = sqlite_utils.Database(temporary)
    try:
        database.execute("PRAGMA journal_mode = OFF")  # a fresh file renamed into place at the end: no journal needed
        database.execute("PRAGMA synchronous = OFF")
        for name in TABLE_ORDER:
            _create(database, name, frames[name])
        _add_indexes_and_search(database, with_bodies=with_bodies)
        database.analyze()
    finally:
        database.close()
    os.replace(temporary, target)


def _bodies(corpus: Path, documents: pd.DataFrame) -> tuple[dict[str, str], int]:
    """Body texts from the corpus, for the articles whose text is still the one the tables describe
    (same content hash): the mention offsets point into exactly that text."""
    expected = dict(zip(documents["doc_id"], documents["content_sha256"]))
    bodies, changed = {}, 0
    for document in read_corpus(corpus):
        if document.problem or document.doc_id not in expected:
            continue
        if document.content_sha256 == expected[document.doc_id]:
            bodies[document.doc_id] = document.body
        else:
            changed += 1
    return bodies, changed


def _column_type(series: pd.Series) -> type:
    if pd.api.types.is_integer_dtype(series.dtype):
        return int
    if pd.api.types.is_float_dtype(series.dtype):
        return float
    return str


def _create(database: sqlite_utils.Database, name: str, frame: pd.DataFrame) -> None:
    """Create one table with its keys and fill it from its DataFrame (NA becomes NULL)."""
    columns = list(TABLE_COLUMNS[name]) + [column for column in frame.columns if column not in TABLE_COLUMNS[name]]
    table = database.table(name)
    table.create({column: _column_type(frame[column]) for column in columns},
                 pk=PRIMARY_KEYS[name] if len(PRIMARY_KEYS[name]) > 1 else PRIMARY_KEYS[name][0],
                 foreign_keys=FOREIGN_KEYS.get(name, []))
    values = frame[columns].astype(object).where(frame[columns].notna(), None)
    for column in columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column].dtype):
            values[column] = [value.date().isoformat() if value is not None else None for value in values[column]]
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f"[{column}]" for column in columns)
    database.conn.executemany(f"INSERT INTO [{name}] ({quoted}) VALUES ({placeholders})",
                              values.itertuples(index=False, name=None))
    database.conn.commit()


def _add_indexes_and_search(database: sqlite_utils.Database, with_bodies: bool) -> None:
    for name, indexes in INDEXES.items():
        for columns in indexes:
            database.table(name).create_index(list(columns))
    searchable = ["title", "body"] if with_bodies else ["title"]
    database.table("documents").enable_fts(searchable, fts_version="FTS5", tokenize=FTS_TOKENIZER)
    database.table("entities").enable_fts(["name"], fts_version="FTS5", tokenize=FTS_TOKENIZER)
    database.table("aliases").enable_fts(["alias"], fts_version="FTS5", tokenize=FTS_TOKENIZER)
