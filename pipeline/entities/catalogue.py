"""Across the corpus: linked mentions -> canonical entities with counts, and every surface form seen."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from pipeline.entities.names import label_of_entity_id
from pipeline.entities.places import PlaceResolver, default_place_resolver, place_code
from pipeline.records import Alias, Entity, Label, LinkedMention


def build_entities(
    linked: Iterable[tuple[str, LinkedMention]], places: PlaceResolver | None = None,
) -> tuple[tuple[Entity, ...], tuple[Alias, ...]]:
    """Across the corpus: (doc_id, linked mention) pairs -> canonical entities and their aliases.

    Entities are sorted by entity_id, aliases by entity_id then surface form, so the tables are
    identical for identical input. Place entities get their coordinates and GeoNames id from the
    resolver (built only when the corpus has resolved places).
    """
    labels: dict[str, Label] = {}
    names: dict[str, Counter[str]] = defaultdict(Counter)
    documents: dict[str, set[str]] = defaultdict(set)
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for doc_id, item in linked:
        labels[item.entity_id] = label_of_entity_id(item.entity_id)  # a mention's own label may be outvoted
        names[item.entity_id][item.canonical] += 1
        documents[item.entity_id].add(doc_id)
        surfaces[item.entity_id][item.mention.text] += 1
    resolver = places
    if resolver is None and any(_place_code(eid, labels[eid]) for eid in labels):
        resolver = default_place_resolver()
    entities = tuple(
        _entity(eid, labels[eid], names[eid], surfaces[eid], len(documents[eid]), resolver)
        for eid in sorted(labels)
    )
    aliases = tuple(
        Alias(entity_id=eid, alias=alias, n_mentions=count)
        for eid in sorted(surfaces)
        for alias, count in sorted(surfaces[eid].items())
    )
    return entities, aliases


def _entity(entity_id: str, label: Label, names: Counter[str], surfaces: Counter[str], n_documents: int,
            places: PlaceResolver | None) -> Entity:
    name = min(names, key=lambda n: (-names[n], n))  # most used canonical spelling; ties alphabetical
    return entity_from_counts(entity_id, name, sum(surfaces.values()), n_documents, places)


def entity_from_counts(entity_id: str, name: str, n_mentions: int, n_documents: int,
                       places: PlaceResolver | None) -> Entity:
    """An entity from its counts (counted in memory here, or by the state's SQL for a stored corpus);
    a resolved place takes its name, coordinates and GeoNames data from the place index."""
    label = label_of_entity_id(entity_id)
    place = places.by_code(_place_code(entity_id, label)) if places is not None else None
    if place is None:
        return Entity(entity_id, label, name, n_mentions, n_documents)
    return Entity(
        entity_id, label, place.name, n_mentions, n_documents,
        country_code=place.country_code, latitude=place.latitude, longitude=place.longitude,
        geonames_id=place.geonames_id, feature_class=place.feature_class, admin1=place.admin1,
    )


def _place_code(entity_id: str, label: Label) -> str:
    """'gn2759794' for 'loc-gn2759794'; empty for ids derived from a name hash."""
    return place_code(entity_id) if label is Label.LOC else ""
