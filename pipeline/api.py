"""Texts held in memory in, the tables as DataFrames out: the wiring of `run` with different ends.

`extract` reads its input like the lines of a .jsonl file (`corpus.read_records`), runs the same
per-document stages in the same batches and worker processes (`run.analyse`), the same corpus-wide
stages (`run.table_set`), and turns the tables into DataFrames through the same CSV text and
typing as `load_tables` (`tables.table_frames`). No state store, no files.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from os import PathLike
from typing import TYPE_CHECKING

from .config import DEFAULT_MODEL, Config
from .corpus import read_records
from .run import analyse, table_set
from .tables import table_frames

if TYPE_CHECKING:
    import pandas

# argument of `extract` -> the .jsonl field it fills
_FIELD_ARGUMENTS = {"ids": "id", "titles": "title", "published": "published", "sources": "source", "urls": "url"}


def extract(
    texts: Iterable[str] | Iterable[Mapping[str, object]] | pandas.DataFrame,
    *,
    ids: Iterable[object] | None = None,
    titles: str | Iterable[str] | None = None,
    published: str | dt.date | Iterable[str | dt.date | None] | None = None,
    sources: str | Iterable[str] | None = None,
    urls: Iterable[str] | None = None,
    columns: Mapping[str, str] | None = None,
    model: str | PathLike = DEFAULT_MODEL,
    languages: str | Iterable[str] = "nl",
    workers: int | None = None,
    batch_size: int = 64,
    min_language_chars: int = 30,
    language_detector: str = "cld2+langdetect",
    aliases: str | PathLike | None = None,
) -> dict[str, pandas.DataFrame]:
    """Analyse texts held in memory; returns the five tables as DataFrames, as `load_tables` gives them.

    `texts` is a list of strings, an iterable of dicts with the fields of a .jsonl line (`text`,
    optional `id`, `title`, `published`, `outlet`/`source`/`publisher`, `url`; other fields go to
    `metadata`), or a DataFrame with such columns. `columns` maps a field to the column or key that
    holds it, e.g. `{"text": "body", "published": "date"}`. `ids`, `titles`, `published`, `sources`
    and `urls` fill those fields: one value per text, or a single string for every text. An item
    without an id gets one derived from its text, as in a .jsonl file. The other arguments are
    those of `python -m pipeline extract`; `workers` defaults to the same number of processes.
    """
    settings = {"workers": workers} if workers is not None else {}
    config = Config(corpus=None, out=None, model=model, languages=languages, batch_size=batch_size,
                    min_language_chars=min_language_chars, language_detector=language_detector,
                    aliases=aliases, progress=False, **settings)
    records = _records(texts, columns or {})
    given = {"ids": ids, "titles": titles, "published": published, "sources": sources, "urls": urls}
    for argument, values in given.items():
        if values is not None:
            _fill(records, _FIELD_ARGUMENTS[argument], _per_record(values, len(records), argument))
    results = analyse(list(read_records(records)), config)
    return table_frames(table_set(results))


def _records(texts: object, columns: Mapping[str, str]) -> list[dict[str, object]]:
    """One dict of .jsonl fields per text; anything that is neither text nor mapping becomes an
    item without a `text` string, reported as an error row like a broken .jsonl line."""
    import pandas as pd

    if isinstance(texts, str):
        raise TypeError("texts must be a list of texts, not one string: pass [text]")
    if isinstance(texts, pd.DataFrame):
        missing = sorted(set(columns.values()) - {str(column) for column in texts.columns})
        if missing:
            raise ValueError(f"columns {missing} are not in the DataFrame (it has {list(map(str, texts.columns))})")
        items: Iterable[object] = texts.to_dict("records")
    else:
        items = texts
    renamed = {theirs: ours for ours, theirs in columns.items()}
    records = []
    for item in items:
        if isinstance(item, Mapping):
            records.append({renamed.get(str(key), str(key)): _plain(value) for key, value in item.items()})
        else:
            records.append({"text": item if isinstance(item, str) else _plain(item)})
    return records


def _plain(value: object) -> object:
    """A value as a .jsonl line would hold it: missing values (NaN, NA, NaT) as None, dates as ISO
    text, NumPy scalars as Python ones."""
    import pandas as pd

    if isinstance(value, (dt.date, dt.datetime)):  # also pandas Timestamps
        return None if pd.isna(value) else value.isoformat()
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") and hasattr(value, "dtype") else value


def _per_record(values: object, count: int, argument: str) -> list[object]:
    if isinstance(values, (str, dt.date)):
        return [values] * count
    listed = list(values)  # type: ignore[call-overload]
    if len(listed) != count:
        raise ValueError(f"{argument} has {len(listed)} values for {count} texts: give one per text (or one string for all)")
    return listed


def _fill(records: list[dict[str, object]], field: str, values: list[object]) -> None:
    for record, value in zip(records, values):
        record[field] = _plain(value)

