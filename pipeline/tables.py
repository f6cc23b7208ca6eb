"""The output tables: their columns, atomic CSV writing, and loading them back into pandas.

This is the only module that writes output. All tables of a run are first written to
temporary files beside their targets and then renamed, so a reader never sees a half-written
table and a crash leaves the previous tables intact.

Spreadsheet safety (a decision, see README "Tables and spreadsheets"): a text cell that a
spreadsheet would run as a formula (starting with = + - @, tab or carriage return, after any
apostrophes) is written with one extra leading apostrophe, as OWASP recommends; `load_tables`
removes it again, so it gives back the exact text and offsets into the body still match.
Numeric columns are never touched (a negative longitude stays a number).
"""
from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .records import Alias, DocumentResult, Entity, LinkedMention

if TYPE_CHECKING:  # pandas loads only when a table is turned into a DataFrame
    import pandas

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
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")  # what a spreadsheet runs; apostrophes first keep the escape reversible
_ESCAPED_FORMULA = re.compile(r"'+[=+\-@\t\r]")

_NUMERIC_COLUMNS = frozenset(column for spec in (_INTEGER_COLUMNS, _FLOAT_COLUMNS)
                             for columns in spec.values() for column in columns)


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


def write_tables(out: Path, tables: TableSet) -> dict[str, str]:
    """Write all five tables atomically; returns the sha256 of each table file, by table name.

    Temporary files left by an earlier run that was killed are removed first; a failed or
    interrupted write removes its own and leaves the previous tables as they were.
    """
    rows = _table_rows(tables)
    staged: dict[str, Path] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(out)
        for name, table_rows in rows.items():
            staged[name] = _temporary(out / f"{name}.csv")
            _stage(staged[name], TABLE_COLUMNS[name], table_rows)
        digests = {name: file_sha256(temporary) for name, temporary in staged.items()}
        for name, temporary in staged.items():
            os.replace(temporary, out / f"{name}.csv")
        return digests
    except OSError as error:
        raise OutputError(_write_failure(out, error)) from error
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)


def _write_failure(out: Path, error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"the disk holding {out} is full, so the tables could not be written; the previous tables are "
                "unchanged and every analysed article is saved: free some disk space and run again "
                "(it only writes the tables)")
    return (f"cannot write the tables to {out}: {error.strerror or error}: "
            "choose a folder you can write to with --out (or OUT=...)")


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.tmp")


def remove_stale_temporaries(out: Path) -> None:
    """Delete the hidden `.<table>.csv.tmp` files a killed run can leave behind."""
    for name in TABLE_COLUMNS:
        _temporary(out / f"{name}.csv").unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_digests(out: Path) -> dict[str, str]:
    """sha256 of each table file now in `out` (missing tables are left out)."""
    return {name: file_sha256(out / f"{name}.csv") for name in TABLE_COLUMNS if (out / f"{name}.csv").is_file()}


def _stage(temporary: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        _write_csv(handle, columns, rows)
        handle.flush()
        os.fsync(handle.fileno())


def _spreadsheet_safe(row: Sequence[object], text_columns: Sequence[int]) -> Sequence[object]:
    if not any(isinstance(row[i], str) and _FORMULA_START.match(row[i]) for i in text_columns):
        return row
    return [escape_formula(value) if i in text_columns and isinstance(value, str) else value for i, value in enumerate(row)]


def escape_formula(text: str) -> str:
    """`text` as a spreadsheet shows it as text: one apostrophe before anything it would run as a formula."""
    return "'" + text if _FORMULA_START.match(text) else text


def unescape_formula(text: str) -> str:
    """The exact inverse of `escape_formula`."""
    return text[1:] if _ESCAPED_FORMULA.match(text) else text


def _write_csv(handle, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """CSV with a header; text cells a spreadsheet would run as a formula are escaped."""
    text_columns = [i for i, column in enumerate(columns) if column not in _NUMERIC_COLUMNS]
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(_spreadsheet_safe(row, text_columns) for row in rows)


def table_frames(tables: TableSet) -> dict[str, pandas.DataFrame]:
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


def load_tables(folder: str | os.PathLike) -> dict[str, pandas.DataFrame]:
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


def _typed_frame(name: str, source) -> pandas.DataFrame:
    """Table `name` read from a CSV path or text handle, with the dtypes `load_tables` promises."""
    import pandas as pd

    frame = pd.read_csv(source, dtype="string", keep_default_na=False, na_values=[""])
    for column in TABLE_COLUMNS[name]:
        if column not in _NUMERIC_COLUMNS:
            frame[column] = frame[column].map(unescape_formula, na_action="ignore").astype("string")
    for column in _DATETIME_COLUMNS.get(name, ()):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    for column in _CATEGORY_COLUMNS.get(name, ()):
        frame[column] = frame[column].astype("category")
    for column in _INTEGER_COLUMNS.get(name, ()):
        frame[column] = frame[column].astype("Int64")
    for column in _FLOAT_COLUMNS.get(name, ()):
        frame[column] = frame[column].astype("Float64")
    return frame

