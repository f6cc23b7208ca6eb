"""What the report shows, computed from the tables: plain numbers, lists and dicts, ready for JSON.

Everything here works on the DataFrames of `load_tables`, never on the stages, and is sized for
a corpus of 120k articles: the page gets the top of each list and aggregated counts, not rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..records import Label, Status

TOP_ENTITIES = 20          # bars per label chart
TIMELINE_ENTITIES = 8      # lines in the "top entities over time" chart
PICKABLE_ENTITIES = 2000   # entities the user can pick for their own chart (page size grows with it)
MAP_PLACES = 500           # points per map: more is unreadable and slows the page
PROBLEM_ROWS = 1000        # skipped/failed articles listed in the table
REASON_KINDS = 25          # rows of the "statuses and reasons" table
WEEKLY_UP_TO_DAYS = 2 * 366  # a longer window is shown by month
WINDOW_QUANTILES = (0.005, 0.995)  # the timeline may leave out the 0.5% oldest/newest articles ...
OUTLIER_GAP = pd.Timedelta(days=92)  # ... when they lie this far from the rest
NL_BE_BOX = {"lon": (2.3, 7.4), "lat": (49.4, 53.7)}  # the provinces map; Caribbean NL stays on the world map
CHARTED_LABELS = (Label.PER, Label.ORG, Label.LOC)

_LONG_QUOTED = re.compile(r"'[^']{6,}'|\"[^\"]{6,}\"")  # short ones ('en', '.pdf') say what kind of reason it is
_NUMBER = re.compile(r"(?<![\w-])\d+(?![\w-])")  # line and column numbers, not the 8 of UTF-8
_LEADING_FILE = re.compile(r"^\S+\.(?:jsonl(?:\.gz)?|txt|md):?\s+")


@dataclass(frozen=True)
class ReportData:
    """Everything the page needs, already aggregated."""

    overview: dict
    top_entities: dict[str, list[dict]]
    timeline: dict
    places: list[dict]
    problems: dict


def summarise(tables: dict[str, pd.DataFrame]) -> ReportData:
    """The report's content from the five tables of `load_tables`."""
    documents, mentions, entities = tables["documents"], tables["mentions"], tables["entities"]
    return ReportData(
        overview=overview(documents, mentions, entities, tables["dates"]),
        top_entities={label.value: top_entities(entities, label) for label in CHARTED_LABELS},
        timeline=timeline(documents, mentions, entities),
        places=places(entities),
        problems=problems(documents),
    )


def overview(documents: pd.DataFrame, mentions: pd.DataFrame, entities: pd.DataFrame, dates: pd.DataFrame) -> dict:
    """Counts for the top of the page: articles, words, languages, statuses and their reasons, date range."""
    dated = documents["published"].dropna()
    statuses = documents["status"].astype("string").value_counts()
    return {
        "articles": len(documents),
        "statuses": {status.value: int(statuses.get(status.value, 0)) for status in Status},
        "words": int(documents["n_words"].sum()),
        "words_analysed": int(documents.loc[documents["status"] == Status.OK.value, "n_words"].sum()),
        "languages": _counts(documents["language"].astype("string").fillna("und")),
        "first_published": dated.min().date().isoformat() if len(dated) else None,
        "last_published": dated.max().date().isoformat() if len(dated) else None,
        "undated": int(documents["published"].isna().sum()),
        "reasons": reasons(documents),
        "mentions": len(mentions),
        "entities": _counts(entities["label"].astype("string")),
        "dates": len(dates),
    }


def _counts(values: pd.Series) -> list[list]:
    """[[value, count], ...], most frequent first, ties by value (so the page is deterministic)."""
    counts = values.value_counts()
    return sorted(([str(value), int(count)] for value, count in counts.items()), key=lambda pair: (-pair[1], pair[0]))


def reason_kind(detail: str) -> str:
    """A status detail without what is particular to one article (file name, long quoted values,
    line numbers), so that articles that failed for the same reason are counted together."""
    kind = _LEADING_FILE.sub("", detail)
    kind = _LONG_QUOTED.sub("'…'", kind)
    return _NUMBER.sub("N", kind)


def reasons(documents: pd.DataFrame) -> list[dict]:
    """Status, kind of reason and number of articles, for every article with a status detail."""
    with_detail = documents.loc[documents["status_detail"].notna(), ["status", "status_detail"]]
    kinds = pd.DataFrame({"status": with_detail["status"].astype("string"),
                          "reason": with_detail["status_detail"].map(reason_kind)})
    counts = kinds.groupby(["status", "reason"]).size().reset_index(name="articles")
    counts = counts.sort_values(["articles", "status", "reason"], ascending=[False, True, True]).head(REASON_KINDS)
    return [{"status": row.status, "reason": row.reason, "articles": int(row.articles)} for row in counts.itertuples()]


def _ranked(entities: pd.DataFrame) -> pd.DataFrame:
    """Entities in order of the number of articles, then mentions, then name: the order of every list."""
    return entities.sort_values(["n_documents", "n_mentions", "name", "entity_id"], ascending=[False, False, True, True])


def top_entities(entities: pd.DataFrame, label: Label) -> list[dict]:
    """The entities of one label in most articles, with their counts of articles and mentions."""
    top = _ranked(entities[entities["label"] == label.value]).head(TOP_ENTITIES)
    return [{"entity_id": row.entity_id, "name": row.name, "articles": int(row.n_documents),
             "mentions": int(row.n_mentions)} for row in top.itertuples()]


def timeline(documents: pd.DataFrame, mentions: pd.DataFrame, entities: pd.DataFrame) -> dict:
    """Mentions per publication week or month: dense rows for the top entities, sparse series for
    the entities the user can pick. Articles without a date, or outside the window, are counted
    apart so the page can say how many the charts leave out."""
    published = documents.set_index("doc_id")["published"].dropna()
    if published.empty:
        return {"granularity": None, "periods": [], "top": [], "pickable": [], "series": {},
                "undated": len(documents), "outside": 0}
    start, end = _window(published)
    granularity = "week" if (end - start).days <= WEEKLY_UP_TO_DAYS else "month"
    frequency = "W-SUN" if granularity == "week" else "M"
    periods = pd.period_range(start.to_period(frequency), end.to_period(frequency), freq=frequency)
    inside = published[(published >= start) & (published <= end)]
    period_index = pd.Series(
        (inside.dt.to_period(frequency) - periods[0]).map(lambda offset: offset.n).to_numpy(), index=inside.index)
    counts = _mentions_per_period(mentions, period_index)
    ranked = _ranked(entities)
    pickable = ranked.head(PICKABLE_ENTITIES)
    top = ranked[ranked["label"].isin([label.value for label in CHARTED_LABELS])].head(TIMELINE_ENTITIES)
    period_starts = [period.start_time.date().isoformat() for period in periods]
    return {
        "granularity": granularity,
        "periods": period_starts,
        "top": _dense_rows(counts, top, period_starts),
        "pickable": [[row.entity_id, row.name, row.label] for row in pickable.itertuples()],
        "series": _sparse_series(counts, pickable["entity_id"]),
        "undated": len(documents) - len(published),
        "outside": len(published) - len(inside),
    }


def _window(published: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The publication dates the timeline covers: all of them, unless the oldest or newest 0.5% lie
    far (over OUTLIER_GAP) from the rest, as an archive item from 2004 in a 2019 corpus: those do not
    stretch the axis."""
    low, high = WINDOW_QUANTILES
    start, end = published.quantile(low, interpolation="lower"), published.quantile(high, interpolation="higher")
    oldest, newest = published.min(), published.max()
    return (oldest if start - oldest <= OUTLIER_GAP else start), (newest if newest - end <= OUTLIER_GAP else end)


def _mentions_per_period(mentions: pd.DataFrame, period_index: pd.Series) -> pd.Series:
    """Number of mentions per (entity_id, period index) for the mentions in dated articles."""
    period = mentions["doc_id"].map(period_index)
    keep = period.notna()
    frame = pd.DataFrame({"entity_id": mentions.loc[keep, "entity_id"].to_numpy(),
                          "period": period[keep].astype("int64").to_numpy()})
    return frame.groupby(["entity_id", "period"]).size()


def _dense_rows(counts: pd.Series, top: pd.DataFrame, periods: list[str]) -> list[list]:
    """[[period start, entity name, mentions], ...] with a zero for every period without mentions."""
    rows = []
    for row in top.itertuples():
        series = counts.xs(row.entity_id, level="entity_id") if row.entity_id in counts.index.levels[0] else None
        by_period = {} if series is None else {int(period): int(count) for period, count in series.items()}
        rows += [[periods[index], row.name, by_period.get(index, 0)] for index in range(len(periods))]
    return rows


def _sparse_series(counts: pd.Series, entity_ids: pd.Series) -> dict[str, list[list[int]]]:
    """{entity_id: [[period index, mentions], ...]} for periods with mentions only: the page fills the zeros."""
    wanted = counts[counts.index.get_level_values("entity_id").isin(entity_ids)]
    series: dict[str, list[list[int]]] = {entity_id: [] for entity_id in entity_ids}
    for (entity_id, period), count in wanted.items():
        series[entity_id].append([int(period), int(count)])
    return series


def places(entities: pd.DataFrame) -> list[dict]:
    """Resolved places (with coordinates) by number of mentions; `nl_be` marks those on the provinces map."""
    located = entities[(entities["label"] == Label.LOC.value) & entities["latitude"].notna() & entities["longitude"].notna()]
    located = located.sort_values(["n_mentions", "n_documents", "name", "entity_id"], ascending=[False, False, True, True])
    in_box = (located["longitude"].between(*NL_BE_BOX["lon"]) & located["latitude"].between(*NL_BE_BOX["lat"])
              & located["country_code"].isin(["NL", "BE"]))
    chosen = located[located.index.isin(located.index[:MAP_PLACES]) | located.index.isin(located[in_box].index[:MAP_PLACES])]
    return [{"name": row.name, "country": row.country_code if isinstance(row.country_code, str) else "",
             "lat": round(float(row.latitude), 4), "lon": round(float(row.longitude), 4),
             "mentions": int(row.n_mentions), "articles": int(row.n_documents), "nl_be": bool(in_box[index])}
            for index, row in zip(chosen.index, chosen.itertuples())]


def problems(documents: pd.DataFrame) -> dict:
    """Articles that were skipped or failed, errors first, with their reason."""
    failed = documents[documents["status"] != Status.OK.value].copy()
    failed["order"] = failed["status"].astype("string").map({Status.ERROR.value: 0, Status.SKIPPED.value: 1})
    failed = failed.sort_values(["order", "doc_id"])
    rows = [{"doc_id": row.doc_id, "source_path": row.source_path, "status": str(row.status),
             "reason": row.status_detail if isinstance(row.status_detail, str) else ""}
            for row in failed.head(PROBLEM_ROWS).itertuples()]
    return {"total": len(failed), "rows": rows}
