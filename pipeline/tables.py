"""The output tables: their columns, atomic CSV writing, and loading them back into pandas.

This is the only module that writes output. All tables of a run are first written to
temporary files beside their targets and then renamed, so a reader never sees a half-written
table and a crash leaves the previous tables intact.
"""
from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .records import Alias, DocumentResult, Entity, LinkedMention

DOCUMENT_COLUMNS = (
    "doc_id", "source_path", "title", "source", "published", "language", "language_confidence",
    "status", "status_detail", "n_chars", "n_words", "content_sha256",
    "languages", "url", "encoding", "metadata",
)
MENTION_COLUMNS = ("doc_id", "field", "start", "end", "text", "label", "entity_id", "sentence")
ENTITY_COLUMNS = (
    "entity_id", "label", "name", "n_mentions", "n_documents",
    "country_code", "latitude", "longitude", "geonames_id", "feature_class", "admin1",
)
ALIAS_COLUMNS = ("entity_id", "alias", "n_mentions")
DATE_COLUMNS = (
    "doc_id", "field", "start", "end", "text", "type", "value", "date_start", "date_end", "granularity", "mod",
)
TABLE_COLUMNS = {
    "documents": DOCUMENT_COLUMNS,
    "mentions": MENTION_COLUMNS,
    "entities": ENTITY_COLUMNS,
    "aliases": ALIAS_COLUMNS,
    "dates": DATE_COLUMNS,
}
_DATETIME_COLUMNS = {"documents": ("published",), "dates": ("date_start", "date_end")}
_CATEGORY_COLUMNS = {
    "documents": ("language", "status"),
    "mentions": ("field", "label"),
    "entities": ("label", "feature_class"),
    "dates": ("field", "type", "granularity", "mod"),
}
_INTEGER_COLUMNS = {
    "documents": ("n_chars", "n_words"),
    "mentions": ("start", "end", "sentence"),
    "entities": ("n_mentions", "n_documents"),
    "aliases": ("n_mentions",),
    "dates": ("start", "end"),
}
_FLOAT_COLUMNS = {"documents": ("language_confidence",), "entities": ("latitude", "longitude")}


class OutputError(OSError):
    """The output folder cannot be written."""


@dataclass(frozen=True)
class TableSet:
    """Everything that goes into the tables of one run."""

    results: Sequence[DocumentResult]
    linked: Mapping[str, Sequence[LinkedMention]]
    entities: Sequence[Entity]
    aliases: Sequence[Alias]


def _table_rows(tables: TableSet) -> dict[str, Iterable[Sequence[object]]]:
    """The rows of each table, as they are written."""
    return {
        "documents": (_document_row(r) for r in tables.results),
        "mentions": _mention_rows(tables.results, tables.linked),
        "entities": (_entity_row(e) for e in tables.entities),
        "aliases": ((a.entity_id, a.alias, a.n_mentions) for a in tables.aliases),
        "dates": _date_rows(tables.results),
    }


def write_tables(out: Path, tables: TableSet) -> dict[str, Path]:
    """Write all five tables atomically; returns their paths."""
    rows = _table_rows(tables)
    try:
        out.mkdir(parents=True, exist_ok=True)
        staged = {name: _stage(out / f"{name}.csv", TABLE_COLUMNS[name], table_rows) for name, table_rows in rows.items()}
        for name, temporary in staged.items():
            os.replace(temporary, out / f"{name}.csv")
    except OSError as error:
        raise OutputError(
            f"cannot write the tables to {out}: {error.strerror or error}: "
            "choose a folder you can write to with --out (or OUT=...)"
        ) from error
    return {name: out / f"{name}.csv" for name in rows}


def _stage(target: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    temporary = target.with_name(f".{target.name}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        _write_csv(handle, columns, rows)
        handle.flush()
        os.fsync(handle.fileno())
    return temporary


def _write_csv(handle, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)


def table_frames(tables: TableSet) -> dict[str, "pandas.DataFrame"]:  # noqa: F821
    """The tables as DataFrames without touching the disk (`pipeline.extract`).

    Each goes through the same CSV text and the same typing as `write_tables` + `load_tables`, so
    the frames equal those `load_tables` gives for the same results, value for value and dtype for dtype.
    """
    frames = {}
    for name, rows in _table_rows(tables).items():
        text = io.StringIO()
        _write_csv(text, TABLE_COLUMNS[name], rows)
        text.seek(0)
        frames[name] = _typed_frame(name, text)
    return frames


def _document_row(result: DocumentResult) -> tuple[object, ...]:
    document, language = result.document, result.language
    return (
        document.doc_id, document.source_path, document.title, document.source, document.published,
        language.language, f"{language.confidence:.4f}", result.status.value, result.status_detail,
        result.n_chars, result.n_words, document.content_sha256,
        " ".join(f"{code}:{share:.2f}" for code, share in language.shares),
        document.url, document.encoding,
        json.dumps(dict(document.metadata), ensure_ascii=False, sort_keys=True) if document.metadata else "",
    )


def _mention_rows(results: Iterable[DocumentResult], linked: Mapping[str, Sequence[LinkedMention]]):
    for result in results:
        doc_id = result.document.doc_id
        for item in linked.get(doc_id, ()):
            m = item.mention
            yield doc_id, m.field.value, m.start, m.end, m.text, m.label.value, item.entity_id, m.sentence


def _date_rows(results: Iterable[DocumentResult]):
    for result in results:
        for t in result.timexes:
            yield (
                result.document.doc_id, t.field.value, t.start, t.end, t.text, t.type.value, t.value,
                t.date_start.isoformat() if t.date_start else "", t.date_end.isoformat() if t.date_end else "",
                t.granularity, t.mod,
            )


def _entity_row(entity: Entity) -> tuple[object, ...]:
    return (
        entity.entity_id, entity.label.value, entity.name, entity.n_mentions, entity.n_documents,
        entity.country_code, _coordinate(entity.latitude), _coordinate(entity.longitude), entity.geonames_id,
        entity.feature_class.value if entity.feature_class else "", entity.admin1,
    )


def _coordinate(value: float | None) -> str:
    return "" if value is None else f"{value:.5f}"


def load_tables(folder: str | os.PathLike) -> dict[str, "pandas.DataFrame"]:  # noqa: F821
    """The tables of `folder` as DataFrames: ids and text as strings, labels as categoricals,
    dates as datetimes, counts as nullable integers."""
    folder = Path(folder)
    tables = {}
    for name in TABLE_COLUMNS:
        path = folder / f"{name}.csv"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: run `make extract` (or `python -m pipeline extract`) first")
        tables[name] = _typed_frame(name, path)
    return tables


def _typed_frame(name: str, source) -> "pandas.DataFrame":  # noqa: F821
    """Table `name` read from a CSV path or text handle, with the dtypes `load_tables` promises."""
    import pandas as pd

    frame = pd.read_csv(source, dtype="string", keep_default_na=False, na_values=[""])
    for column in _DATETIME_COLUMNS.get(name, ()):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    for column in _CATEGORY_COLUMNS.get(name, ()):
        frame[column] = frame[column].astype("category")
    for column in _INTEGER_COLUMNS.get(name, ()):
        frame[column] = frame[column].astype("Int64")
    for column in _FLOAT_COLUMNS.get(name, ()):
        frame[column] = frame[column].astype("Float64")
    return frame

