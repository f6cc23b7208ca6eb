"""Vega-Lite specifications of the report's charts, with their data inline.

Written as plain dicts (no Altair): the charts are few and fixed, and a dict is what the bundled
vega-embed takes. Every chart renders to SVG so that a browser test can count its marks.
"""
from __future__ import annotations

ARTICLES_COLOUR = "#2f6690"
MENTIONS_COLOUR = "#9ac1d9"
OUTLINE = {"fill": "#eef1f4", "stroke": "#9aa5b1", "strokeWidth": 0.5}
PLACE_COLOUR = "#c2410c"
BAR_WIDTH = 220
TIME_WIDTH = 880
MAP_WIDTH = 520


def top_entities_chart(rows: list[dict]) -> dict:
    """Horizontal bars: for each entity, articles and mentions side by side, in the order of `rows`."""
    return {
        "width": BAR_WIDTH,
        "data": {"values": [{"name": row["name"], "articles": row["articles"], "mentions": row["mentions"]}
                            for row in rows]},
        "transform": [{"fold": ["articles", "mentions"], "as": ["measure", "count"]}],
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": [row["name"] for row in rows], "title": None,
                  "axis": {"labelLimit": 130}},
            "yOffset": {"field": "measure", "sort": ["articles", "mentions"]},
            "x": {"field": "count", "type": "quantitative", "title": None},
            "color": {"field": "measure", "type": "nominal", "title": None,
                      "scale": {"domain": ["articles", "mentions"], "range": [ARTICLES_COLOUR, MENTIONS_COLOUR]},
                      "legend": {"orient": "bottom", "direction": "horizontal"}},
            "tooltip": [{"field": "name", "type": "nominal"}, {"field": "measure", "type": "nominal"},
                        {"field": "count", "type": "quantitative", "format": ","}],
        },
    }


def timeline_chart(rows: list[dict], granularity: str, data_name: str | None = None) -> dict:
    """Mentions per period, one line per entity. `data_name` names the data set so the page can
    replace it (the chart of the entity the user picks)."""
    data: dict = {"values": rows}
    if data_name:
        data["name"] = data_name
    return {
        "width": TIME_WIDTH,
        "height": 220,
        "data": data,
        "mark": {"type": "line", "point": {"size": 12}, "tooltip": True},
        "encoding": {
            "x": {"field": "period", "type": "temporal", "title": f"publication {granularity}"},
            "y": {"field": "mentions", "type": "quantitative", "title": "mentions"},
            "color": {"field": "name", "type": "nominal", "title": None, "legend": {"orient": "right"}},
            "tooltip": [{"field": "name", "type": "nominal"},
                        {"field": "period", "type": "temporal", "title": f"{granularity} of",
                         "format": "%Y-%m-%d"},
                        {"field": "mentions", "type": "quantitative"}],
        },
    }


def places_map(outline: dict, outline_format: dict, places: list[dict], projection: str) -> dict:
    """Places as circles sized by mentions over an outline (TopoJSON or GeoJSON, inline)."""
    return {
        "width": MAP_WIDTH,
        "height": round(MAP_WIDTH * (0.62 if projection == "equalEarth" else 0.95)),
        "projection": {"type": projection},
        "layer": [
            {"data": {"values": outline, "format": outline_format}, "mark": {"type": "geoshape", **OUTLINE}},
            {
                "data": {"values": places},
                "mark": {"type": "circle", "color": PLACE_COLOUR, "opacity": 0.55, "stroke": "white",
                         "strokeWidth": 0.5},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "size": {"field": "mentions", "type": "quantitative", "title": "mentions",
                             "scale": {"type": "sqrt", "range": [6, 900]}, "legend": {"orient": "bottom-left"}},
                    "tooltip": [{"field": "name", "type": "nominal"}, {"field": "country", "type": "nominal"},
                                {"field": "mentions", "type": "quantitative", "format": ","},
                                {"field": "articles", "type": "quantitative", "format": ","}],
                },
            },
        ],
    }


def world_map(world_topojson: dict, places: list[dict]) -> dict:
    return places_map(world_topojson, {"type": "topojson", "feature": "countries"}, places, "equalEarth")


def provinces_map(provinces_geojson: dict, places: list[dict]) -> dict:
    return places_map(provinces_geojson, {"type": "json", "property": "features"}, places, "mercator")
