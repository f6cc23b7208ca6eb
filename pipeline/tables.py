"""The output tables: their columns, atomic CSV writing, and loading them back into pandas.

This is the only module that writes output. All tables of a run are first written to
temporary files beside their targets and then renamed, so a reader never sees a half-written
table and a crash leaves the previous tables intact. Rows are written as they come (documents,
mentions and dates in one pass over the results), so a table is never held in memory.

Two formats (`--format`): CSV files (`documents.csv`, ...), or Parquet, one dataset folder per
table (`documents.parquet/part-0.parquet`) that pandas, Dask and DuckDB read directly. A Parquet
row group is made from the same CSV text and typed by the same code as `load_tables`, so both
formats give the same columns, values and dtypes; fixed row groups and no timestamps in the
metadata keep the bytes deterministic.

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
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import TableFormat
from .records import Alias, DocumentResult, Entity

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

PARQUET_ROW_GROUP_ROWS = 65536  # fixed, so the same rows always give the same file
PARQUET_PART = "part-0.parquet"

_NUMERIC_COLUMNS = frozenset(column for spec in (_INTEGER_COLUMNS, _FLOAT_COLUMNS)
                             for columns in spec.values() for column in columns)
_FORMULA_FIRST = frozenset("=+-@\t\r'")  # a cheap first look before _FORMULA_START
_TEXT_COLUMNS = {name: [i for i, column in enumerate(columns) if column not in _NUMERIC_COLUMNS]
                 for name, columns in TABLE_COLUMNS.items()}


class OutputError(OSError):
    """The output folder cannot be written."""


@dataclass(frozen=True)
class TableSet:
    """Everything that goes into the tables of one run; each field is read once, in order, so it may stream.

    `rows` holds, per document in doc_id order, its rows of documents.csv, mentions.csv and dates.csv
    as CSV text (`document_rows`, which the state keeps between runs); `entities` and `aliases` the
    rows of entities.csv and aliases.csv as CSV text, in entity id order (`entity_text`, `alias_text`).
    """

    rows: Iterable[tuple[str, str, str]]
    entities: Iterable[str]
    aliases: Iterable[str]


def document_rows(result: DocumentResult) -> tuple[str, str, str]:
    """The CSV text (no header) of one document's rows in documents.csv, mentions.csv and dates.csv;
    `result.linked` must carry the entity ids of the cross-article step."""
    texts = []
    for name, rows in (("documents", [_document_row(result)]), ("mentions", _mention_rows(result)),
                       ("dates", _date_rows(result))):
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(_spreadsheet_safe(row, _TEXT_COLUMNS[name]) for row in rows)
        texts.append(text.getvalue())
    return tuple(texts)


def entity_text(entity: Entity) -> str:
    """The CSV text (no header) of one entity's row in entities.csv."""
    return _escaped_line(_spreadsheet_safe(_entity_row(entity), _TEXT_COLUMNS["entities"]))


def alias_text(aliases: Iterable[Alias]) -> str:
    """The CSV text (no header) of rows of aliases.csv."""
    return "".join(_escaped_line(_spreadsheet_safe((a.entity_id, a.alias, a.n_mentions), _TEXT_COLUMNS["aliases"]))
                   for a in aliases)


def table_path(out: Path, name: str, table_format: TableFormat = TableFormat.CSV) -> Path:
    """The file holding table `name`: `<name>.csv`, or the part file inside the `<name>.parquet` folder."""
    if table_format is TableFormat.PARQUET:
        return out / f"{name}.parquet" / PARQUET_PART
    return out / f"{name}.csv"


def write_tables(out: Path, tables: TableSet, table_format: TableFormat = TableFormat.CSV) -> dict[str, str]:
    """Write all five tables atomically; returns the sha256 of each table file, by table name.

    Temporary files left by an earlier run that was killed are removed first; a failed or
    interrupted write removes its own and leaves the previous tables as they were.
    """
    staged: dict[str, Path] = {}
    writers: dict[str, _TableWriter] = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(out)
        for name in TABLE_COLUMNS:
            target = table_path(out, name, table_format)
            target.parent.mkdir(exist_ok=True)
            staged[name] = _temporary(target)
            writers[name] = _writer(name, staged[name], table_format)
        _write_rows(tables, writers)
        for writer in writers.values():
            writer.finish()
        digests = {name: writer.sha256() for name, writer in writers.items()}
        for name, temporary in staged.items():
            os.replace(temporary, table_path(out, name, table_format))
        return digests
    except OSError as error:
        raise OutputError(_write_failure(out, error)) from error
    finally:
        for writer in writers.values():
            writer.close()
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)


WRITE_CHUNK_ROWS = 2000  # the rows of this many documents (or entities) go to a writer as one text


def _write_rows(tables: TableSet, writers: Mapping[str, _TableWriter]) -> None:
    """Every row of every table: documents, mentions and dates in one pass over the documents.

    Texts are joined a chunk at a time: one write per row of 120k documents in three tables cost
    ~0.8 CPU-s of call overhead for the same bytes."""
    for chunk in _chunks(tables.rows):
        for writer, texts in zip((writers["documents"], writers["mentions"], writers["dates"]), zip(*chunk)):
            writer.add_text("".join(texts))
    for name in ("entities", "aliases"):
        for chunk in _chunks(getattr(tables, name)):
            writers[name].add_text("".join(chunk))


def _chunks(items: Iterable) -> Iterator[list]:
    items = iter(items)
    while chunk := list(itertools.islice(items, WRITE_CHUNK_ROWS)):
        yield chunk


class _TableWriter:
    """Rows of one table into one file; `finish` makes the file complete, `close` releases it in any case."""

    def add_text(self, text: str) -> None:
        """Rows already written as CSV text (escaped), e.g. by `document_rows`."""
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def sha256(self) -> str:
        """The sha256 of the finished file."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _HashedFile:
    """A UTF-8 text file opened for writing that keeps the sha256 of the bytes written, so that the
    digest the state records need not read the finished table (160 MB at 120k articles) again."""

    def __init__(self, path: Path):
        self._file = open(path, "wb")
        self.name = self._file.name
        self.digest = hashlib.sha256()

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.digest.update(data)
        self._file.write(data)

    def flush(self) -> None:
        self._file.flush()

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()


class _CsvWriter(_TableWriter):
    def __init__(self, columns: Sequence[str], handle):
        self._handle = handle
        csv.writer(handle, lineterminator="\n").writerow(columns)

    def add_text(self, text: str) -> None:
        self._handle.write(text)

    def finish(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def sha256(self) -> str:
        return self._handle.digest.hexdigest()

    def close(self) -> None:
        self._handle.close()


class _ParquetWriter(_TableWriter):
    """Row groups of PARQUET_ROW_GROUP_ROWS rows, each typed exactly as `load_tables` types the CSV table.

    The file's schema is that of the first row group, with pandas' metadata, so `pandas.read_parquet`
    gives back nullable integers and strings rather than floats and objects.
    """

    def __init__(self, name: str, path: Path):
        self._name, self._path, self._rows = name, path, []
        self._schema = parquet_schema(name)
        self._writer = None

    def add_text(self, text: str) -> None:
        for row in csv.reader(io.StringIO(text)):
            self._rows.append(row)
            if len(self._rows) == PARQUET_ROW_GROUP_ROWS:
                self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(TABLE_COLUMNS[self._name])
        writer.writerows(self._rows)  # already escaped: written back exactly as read
        text.seek(0)
        table = pa.Table.from_pandas(_typed_frame(self._name, text), schema=self._schema, preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._path, table.schema, compression="zstd", write_statistics=True)
        self._writer.write_table(table, row_group_size=PARQUET_ROW_GROUP_ROWS)
        self._rows = []

    def finish(self) -> None:
        if self._rows or self._writer is None:
            self._flush()  # an empty table still gets a file with its schema
        self.close()
        with open(self._path, "rb+") as handle:
            os.fsync(handle.fileno())

    def sha256(self) -> str:
        return file_sha256(self._path)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def _escaped_line(row: Sequence[object]) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerow(row)
    return text.getvalue()


def parquet_schema(name: str):
    """The Arrow schema of table `name`: the dtypes `load_tables` gives, as Arrow types."""
    import pyarrow as pa

    fields = []
    for column in TABLE_COLUMNS[name]:
        if column in _INTEGER_COLUMNS.get(name, ()):
            kind = pa.int64()
        elif column in _FLOAT_COLUMNS.get(name, ()):
            kind = pa.float64()
        elif column in _DATETIME_COLUMNS.get(name, ()):
            kind = pa.timestamp("us")
        elif column in _CATEGORY_COLUMNS.get(name, ()):
            kind = pa.dictionary(pa.int32(), pa.string())
        else:
            kind = pa.string()
        fields.append(pa.field(column, kind))
    return pa.schema(fields)


def _writer(name: str, path: Path, table_format: TableFormat) -> _TableWriter:
    if table_format is TableFormat.PARQUET:
        return _ParquetWriter(name, path)
    return _CsvWriter(TABLE_COLUMNS[name], _HashedFile(path))


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
    """Delete the hidden `.<table>.csv.tmp` (and Parquet `.part-0.parquet.tmp`) files a killed run can leave behind."""
    for name in TABLE_COLUMNS:
        for table_format in TableFormat:
            _temporary(table_path(out, name, table_format)).unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def damaged_tables(out: Path, expected: Mapping[str, str], table_format: TableFormat = TableFormat.CSV) -> list[str]:
    """Tables missing, or not byte for byte what the last run wrote (`expected`: sha256 by table name)."""
    damaged = []
    for name in TABLE_COLUMNS:
        path = table_path(out, name, table_format)
        if not path.is_file() or file_sha256(path) != expected.get(name):
            damaged.append(str(path.relative_to(out)))
    return damaged


def _spreadsheet_safe(row: Sequence[object], text_columns: Sequence[int]) -> Sequence[object]:
    for i in text_columns:
        value = row[i]
        if isinstance(value, str) and value[:1] in _FORMULA_FIRST and _FORMULA_START.match(value):
            break
    else:
        return row
    return [escape_formula(value) if i in text_columns and isinstance(value, str) else value for i, value in enumerate(row)]


def escape_formula(text: str) -> str:
    """`text` as a spreadsheet shows it as text: one apostrophe before anything it would run as a formula."""
    return "'" + text if _FORMULA_START.match(text) else text


def unescape_formula(text: str) -> str:
    """The exact inverse of `escape_formula`."""
    return text[1:] if _ESCAPED_FORMULA.match(text) else text


def table_frames(tables: TableSet) -> dict[str, pandas.DataFrame]:
    """The tables as DataFrames without touching the disk (`pipeline.extract`).

    Each goes through the same CSV text and the same typing as `write_tables` + `load_tables`, so
    the frames equal those `load_tables` gives for the same results, value for value and dtype for dtype.
    """
    texts = {name: io.StringIO() for name in TABLE_COLUMNS}
    _write_rows(tables, {name: _CsvWriter(TABLE_COLUMNS[name], text) for name, text in texts.items()})
    frames = {}
    for name, text in texts.items():
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


def _mention_rows(result: DocumentResult):
    doc_id = result.document.doc_id
    for item in result.linked:
        m = item.mention
        yield doc_id, m.field.value, m.start, m.end, m.text, m.label.value, item.entity_id, m.sentence


def _date_rows(result: DocumentResult):
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


def load_tables(folder: str | os.PathLike, table_format: TableFormat | str | None = None) -> dict[str, pandas.DataFrame]:
    """The tables of `folder` as DataFrames: ids and text as strings, labels as categoricals,
    dates as datetimes, counts as nullable integers; the same for CSV and Parquet tables.

    Without `table_format`, the format whose documents table was written last is read.
    """
    folder = Path(folder)
    table_format = TableFormat(table_format) if table_format else _written_format(folder)
    tables = {}
    for name in TABLE_COLUMNS:
        path = table_path(folder, name, table_format)
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: run `make extract` (or `python -m pipeline extract`) first")
        if table_format is TableFormat.PARQUET:
            tables[name] = _typed_parquet(name, path.parent)
        else:
            tables[name] = _typed_frame(name, path)
    return tables


def _written_format(folder: Path) -> TableFormat:
    """CSV, unless only Parquet tables are there or they are newer."""
    written = {f: table_path(folder, "documents", f) for f in TableFormat if table_path(folder, "documents", f).is_file()}
    if not written:
        return TableFormat.CSV
    return max(written, key=lambda f: (written[f].stat().st_mtime_ns, f is TableFormat.CSV))


def _typed_parquet(name: str, dataset: Path) -> pandas.DataFrame:
    """A Parquet table with exactly the dtypes of `_typed_frame` (categories sorted, as astype gives them)."""
    import pandas as pd

    frame = pd.read_parquet(dataset)
    for column in TABLE_COLUMNS[name]:
        if column in _CATEGORY_COLUMNS.get(name, ()):
            frame[column] = frame[column].astype("string").astype("category")
        elif column in _DATETIME_COLUMNS.get(name, ()):
            if frame[column].isna().all():  # as pandas types a column of empty cells read from CSV
                frame[column] = pd.to_datetime(frame[column].astype("string"), format="ISO8601")
        elif column in _INTEGER_COLUMNS.get(name, ()):
            frame[column] = frame[column].astype("Int64")
        elif column in _FLOAT_COLUMNS.get(name, ()):
            frame[column] = frame[column].astype("Float64")
        else:
            frame[column] = frame[column].astype("string")
    return frame


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

