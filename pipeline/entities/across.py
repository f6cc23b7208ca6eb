"""Across articles: mentions that name one thing in different articles become one entity.

Runs on the per-article links (`link_mentions`) of the whole corpus, in three cheap passes:
1. spelling variants: names that differ only in case, accents, hyphens or an apostrophe
   possessive are one entity, whatever label each article gave them; the entity takes the label
   most of its mentions carry (mentions.csv keeps each mention's own label);
2. short forms: a bare surname ('Trump') or an acronym ('CBS') whose article never gives the
   full name joins the full name the rest of the corpus uses for it. One candidate in the corpus
   links; several ('Bart De Wever', 'Pieter De Wever') are decided by the names the article
   shares with each candidate's other articles, and otherwise stay apart;
3. ids are recomputed from the merged canonical name and label, so they stay stable.
Place entities resolved to the gazetteer keep their place id.

The step reads compact data, not mentions: `mention_groups` sums an article's mentions per
(entity id, canonical name, label, surface form), which the state stores with the article, and
`cross_article_links` takes those rows of the whole corpus as a stream (one pass, nothing kept
but one `_Entity` per per-article entity id) and returns only the links that change something
(`CrossLinks`). `link_across_articles` is the same step on linked mentions held in memory.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from pipeline.entities.places import place_code
from pipeline.entities.names import entity_id_for, label_of_entity_id, looks_like_acronym, name_key, tokens
from pipeline.records import Label, LinkedMention

SHORT_FORM_SHARE = 0.9  # a candidate with this share of the candidates' articles may win without shared names
RARE_FULL_NAME_FACTOR = 3  # a short form this many times more frequent than its only full name needs shared names


@dataclass
class _Entity:
    """What the corpus knows about one per-article entity id."""

    label: Label
    names: Counter  # canonical spelling -> mentions
    documents: set
    mention_labels: Counter  # the labels the model gave its mentions
    surfaces: set  # surface keys of its mentions


MentionGroup = tuple[str, str, str, str, str, int]  # entity_id, canonical, label, surface, surface_key, mentions
CorpusGroup = tuple[str, str, str, str, str, str, int]  # doc_id followed by a MentionGroup


def mention_groups(linked: Sequence[LinkedMention]) -> list[MentionGroup]:
    """The linked mentions of one article summed per entity id, canonical name, label and surface form,
    in order of first mention: all the cross-article step and the entity counts need of an article."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for item in linked:
        counts[(item.entity_id, item.canonical, item.mention.label.value, item.mention.text)] += 1
    return [(entity_id, canonical, label, surface, name_key(surface), n)
            for (entity_id, canonical, label, surface), n in counts.items()]


@dataclass(frozen=True)
class CrossLinks:
    """What the cross-article step changes: per-article entity ids merged as spelling variants
    (`moves`, corpus-wide) and short forms joined to a full name in one article (`short_forms`)."""

    moves: Mapping[str, tuple[str, str]]  # per-article entity id -> (merged id, canonical name)
    short_forms: Mapping[tuple[str, str], tuple[str, str]]  # (doc_id, merged id) -> (full-name id, canonical name)

    def resolve(self, doc_id: str, entity_id: str, canonical: str) -> tuple[str, str]:
        """(entity id, canonical name) across the corpus of a mention linked within its article."""
        target = self.moves.get(entity_id)
        if target is not None:
            entity_id, canonical = target
        return self.short_forms.get((doc_id, entity_id), (entity_id, canonical))


def cross_article_links(groups: Iterable[CorpusGroup]) -> CrossLinks:
    """The cross-article links of a corpus given as mention groups (`mention_groups` rows with their doc_id)."""
    entities = _collect(groups)
    variant_of = _merge_variants(entities)
    merged = _after_moves(entities, variant_of)
    del entities
    by_doc = _ids_by_document(merged)
    short_links = _link_short_forms(merged, by_doc)
    return CrossLinks(moves=variant_of,
                      short_forms={key: (target, _display(merged[target])) for key, target in short_links.items()})


def link_across_articles(
    linked: Mapping[str, Sequence[LinkedMention]],
) -> dict[str, tuple[LinkedMention, ...]]:
    """doc_id -> linked mentions, with entity ids and canonical names merged across the corpus."""
    links = cross_article_links((doc_id, *group) for doc_id, items in linked.items() for group in mention_groups(items))
    result = {}
    for doc_id, items in linked.items():
        relinked = []
        for item in items:
            entity_id, canonical = links.resolve(doc_id, item.entity_id, item.canonical)
            if (entity_id, canonical) != (item.entity_id, item.canonical):
                item = replace(item, entity_id=entity_id, canonical=canonical)
            relinked.append(item)
        result[doc_id] = tuple(relinked)
    return result


def _collect(groups: Iterable[CorpusGroup]) -> dict[str, _Entity]:
    """One `_Entity` per per-article entity id; a document id is stored once however many groups it has."""
    entities: dict[str, _Entity] = {}
    labels = {label.value: label for label in Label}
    last_doc = ""
    for doc_id, entity_id, canonical, label, _surface, surface_key, n in groups:
        if doc_id == last_doc:
            doc_id = last_doc  # the same string object: memory for the document sets stays small
        last_doc = doc_id
        entity = entities.get(entity_id)
        if entity is None:
            entity = entities[entity_id] = _Entity(label_of_entity_id(entity_id), Counter(), set(), Counter(), set())
        entity.names[canonical] += n
        entity.documents.add(doc_id)
        entity.mention_labels[labels[label]] += n
        entity.surfaces.add(surface_key)
    return entities


def _after_moves(entities: dict[str, _Entity], moves: Mapping[str, tuple[str, str]]) -> dict[str, _Entity]:
    """The entities once spelling variants are merged: a moved id's mentions carry the merged id and name.

    The same as collecting the moved mentions again, without a second pass over the corpus; the
    `_Entity` objects of `entities` are reused (and changed), so `entities` is spent afterwards.
    """
    merged: dict[str, _Entity] = {}
    for entity_id, entity in entities.items():
        target = moves.get(entity_id)
        new_id = target[0] if target else entity_id
        if target:
            names = Counter({target[1]: sum(entity.names.values())})
            entity = _Entity(label_of_entity_id(new_id), names, entity.documents, entity.mention_labels, entity.surfaces)
        into = merged.get(new_id)
        if into is None:
            merged[new_id] = entity
            continue
        into.names.update(entity.names)
        into.documents |= entity.documents
        into.mention_labels.update(entity.mention_labels)
        into.surfaces |= entity.surfaces
    return merged


def loose_key(canonical: str) -> str:
    """'Etten-Leur', 'etten leur', "Trump's" and 'Trump' alike: case, accents, hyphens, apostrophe possessive."""
    key = name_key(canonical)
    if key.endswith("'s"):
        key = key[:-2]
    return " ".join(key.replace("-", " ").replace("'", "").split())


def _merge_variants(entities: Mapping[str, _Entity]) -> dict[str, tuple[str, str]]:
    """entity id -> (merged id, canonical name) for ids whose names are spelling variants of another's."""
    groups: dict[str, list[str]] = defaultdict(list)
    for entity_id, entity in entities.items():
        groups[loose_key(_display(entity))].append(entity_id)
    moves = {}
    for key, ids in groups.items():
        if len(ids) < 2 or not key:
            continue
        votes: Counter[Label] = Counter()
        for entity_id in ids:
            votes.update(entities[entity_id].mention_labels)
        label = min(votes, key=lambda lab: (-votes[lab], list(Label).index(lab)))
        target = _merged_id(ids, label, entities)
        for entity_id in ids:
            if entity_id != target[0]:
                moves[entity_id] = target
    return moves


def _merged_id(ids: Sequence[str], label: Label, entities: Mapping[str, _Entity]) -> tuple[str, str]:
    """The id and name of a merged group: a resolved place keeps its place id, else label + most used spelling."""
    places = sorted((-sum(entities[i].names.values()), i) for i in ids if _is_resolved_place(i))
    if label is Label.LOC and places:
        place_id = places[0][1]
        return place_id, _display(entities[place_id])
    names: Counter[str] = Counter()
    for entity_id in ids:
        names.update(entities[entity_id].names)
    canonical = min(names, key=lambda n: (-names[n], n))
    return entity_id_for(label, canonical), canonical


def _is_resolved_place(entity_id: str) -> bool:
    return bool(place_code(entity_id))


def _display(entity: _Entity) -> str:
    return min(entity.names, key=lambda n: (-entity.names[n], n))


def _ids_by_document(entities: Mapping[str, _Entity]) -> dict[str, set[str]]:
    by_doc: dict[str, set[str]] = defaultdict(set)
    for entity_id, entity in entities.items():
        for doc_id in entity.documents:
            by_doc[doc_id].add(entity_id)
    return by_doc


def _link_short_forms(entities: Mapping[str, _Entity], by_doc: Mapping[str, set[str]]) -> dict[tuple[str, str], str]:
    """(doc_id, short-form entity id) -> the full-name entity it joins in that article."""
    candidates = _short_form_candidates(entities)
    neighbours: dict[str, Counter[str]] = {}  # full name -> articles each other entity shares with it
    for options in candidates.values():
        for option in options:
            if option not in neighbours:
                neighbours[option] = Counter(e for d in entities[option].documents for e in by_doc[d])
    links = {}
    for short_id, options in candidates.items():
        short = entities[short_id]
        for doc_id in sorted(short.documents):
            target = _decide(short_id, short, options, doc_id, entities, by_doc, neighbours)
            if target is not None:
                links[(doc_id, short_id)] = target
    return links


def _short_form_candidates(entities: Mapping[str, _Entity]) -> dict[str, list[str]]:
    """Short-form entity id -> full-name entity ids of its label it may stand for.

    A PER short form is the end of a longer person name ('trump' in 'donald trump', 'de wever' in
    'bart de wever'); any short form may also be a surface another article linked to a fuller name
    ('CBS' linked to 'Centraal Bureau voor de Statistiek' where the article spelled both).
    """
    suffixes: dict[str, set[str]] = defaultdict(set)
    seen_as: dict[tuple[Label, str], set[str]] = defaultdict(set)
    for entity_id, entity in entities.items():
        key = name_key(_display(entity))
        words = tokens(key)
        if entity.label is Label.PER and len(words) >= 2 and len(words[0]) > 2 and "." not in words[0]:
            for surname in _surnames(words):
                suffixes[surname].add(entity_id)
        for surface in entity.surfaces - {key}:
            seen_as[(entity.label, surface)].add(entity_id)
    candidates = {}
    for entity_id, entity in entities.items():
        key = name_key(_display(entity))
        if not _is_short_form(entity, key):
            continue
        found = set(seen_as.get((entity.label, key), ()))
        if entity.label is Label.PER:
            found |= suffixes.get(key, set())
        found.discard(entity_id)
        if found:
            candidates[entity_id] = sorted(found)
    return candidates


_NAME_PARTICLES = frozenset({"de", "van", "den", "der", "ter", "ten", "te", "het", "in", "'t", "op", "von", "vande"})
_GENERATION_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr."})


def _surnames(words: Sequence[str]) -> list[str]:
    """The short forms a full person name can be written as: its endings that a Dutch text uses alone.

    'bart de wever' -> 'de wever', 'wever' is no surname of his; 'van veldhoven' starts with its
    particle, so 'veldhoven' (a town) is none either; 'trump jr' is not shortened to 'jr'.
    """
    if words[-1] in _GENERATION_SUFFIXES:
        return []
    return [" ".join(words[i:]) for i in range(1, len(words))
            if words[i - 1] not in _NAME_PARTICLES and words[0] not in _NAME_PARTICLES]


def _is_short_form(entity: _Entity, key: str) -> bool:
    display = _display(entity)
    if entity.label is Label.PER:
        words = tokens(key)  # empty for a name of punctuation only ("'", "-"): no short form of anyone
        return len(words) == 1 or (1 < len(words) <= 3 and words[0] in ("de", "van", "den", "der", "ter", "ten", "vande"))
    return entity.label is Label.ORG and looks_like_acronym(display)


def _decide(short_id: str, short: _Entity, options: Sequence[str], doc_id: str, entities: Mapping[str, _Entity],
            by_doc: Mapping[str, set[str]], neighbours: Mapping[str, Counter[str]]) -> str | None:
    """The full name a short form means in one article, or None when the corpus cannot tell."""
    present = by_doc[doc_id] - {short_id} - set(options)
    shared = {option: _shared_names(option, doc_id, present, entities, neighbours) for option in options}
    ranked = sorted(options, key=lambda o: (-shared[o], -len(entities[o].documents), o))
    best = ranked[0]
    best_documents = len(entities[best].documents - {doc_id})
    if len(ranked) == 1:
        rare = len(short.documents) > RARE_FULL_NAME_FACTOR * max(best_documents, 1)
        return best if shared[best] > 0 or not rare else None
    runner_up = ranked[1]
    if shared[best] > 0 and shared[best] >= 2 * shared[runner_up]:
        return best
    total = sum(len(entities[o].documents) for o in options)
    if shared[best] == shared[runner_up] and len(entities[best].documents) >= SHORT_FORM_SHARE * total:
        return best
    return None


def _shared_names(option: str, doc_id: str, present: set[str], entities: Mapping[str, _Entity],
                  neighbours: Mapping[str, Counter[str]]) -> int:
    """How many of the article's other entities appear beside `option` in another article."""
    counts = neighbours[option]
    shared = present & counts.keys()
    if doc_id in entities[option].documents:  # this article's own co-occurrence does not count
        return sum(1 for e in shared if counts[e] > 1)
    return len(shared)
