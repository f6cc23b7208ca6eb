"""Across articles: mentions that name one thing in different articles become one entity.

Runs on the per-article links (`link_mentions`) of the whole corpus, in three cheap passes:
1. spelling variants: names that differ only in case, accents, hyphens or an apostrophe
   possessive are one entity, whatever label each article gave them; the entity takes the label
   most of its mentions carry (mentions.csv keeps each mention's own label). An unresolved name
   also joins the one place other articles wrote that way, and a one-off typo in a long first
   name joins the only other person with that surname;
2. short forms: a bare surname ('Trump'), a titled one ('Mr. Epstein') or an acronym ('CBS')
   whose article never gives the full name joins the full name the rest of the corpus uses for
   it. One candidate in the corpus links unless the corpus speaks against it; several ('Bart De
   Wever', 'Pieter De Wever') are decided by the names the article shares with each candidate's
   other articles, and otherwise stay apart. Each article decides with its own label for the name;
3. ids are recomputed from the merged canonical name and label, so they stay stable.
Place entities resolved to the gazetteer keep their place id.

The step reads compact data, not mentions: `mention_groups` sums an article's mentions per
(entity id, canonical name, label, surface form), which the state stores with the article, and
`cross_article_links` takes those rows of the whole corpus as a stream (one pass, nothing kept
but one `CorpusEntity` per per-article entity id) and returns only the links that change something
(`CrossLinks`). `link_across_articles` is the same step on linked mentions held in memory.
"""
from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from pipeline.entities.places import PlaceNames, PlaceResolver, default_place_resolver, place_code
from pipeline.entities.names import (
    entity_id_for, label_of_entity_id, looks_like_acronym, name_key, tokens, without_title,
)
from pipeline.records import Label, LinkedMention

SHORT_FORM_SHARE = 0.9  # a candidate with this share of the candidates' articles wins unless another shares more names
RARE_FULL_NAME_FACTOR = 3  # a short form this many times more frequent than its only full name needs shared names


@dataclass
class CorpusEntity:
    """What the corpus knows about one per-article entity id (the state keeps it between runs); its
    articles are asked of a separate mapping (`Articles`), which a run fills only where needed."""

    label: Label
    names: dict[str, int]  # canonical spelling -> mentions
    mention_labels: dict[Label, int]  # the labels the model gave its mentions (plain dicts: cheaper to make)
    surfaces: set  # surface keys of its mentions

    @property
    def display(self) -> str:
        """The name it goes by: the most used spelling, ties alphabetical."""
        return min(self.names, key=lambda n: (-self.names[n], n))

    @property
    def key(self) -> str:
        """The comparison key of its display name (`name_key`)."""
        return name_key(self.display)

    @property
    def loose(self) -> str:
        """The key its spelling variants share (`loose_key`)."""
        return loose_key(self.display)


@dataclass(frozen=True)
class Articles:
    """Which article names which per-article entity, both ways: `ids` (doc_id -> entity ids, each
    once) and `documents` (entity id -> the set of its articles). In memory both are dicts; a run
    passes mappings that read the state only for the articles and entities a decision asks about."""

    ids: Mapping[str, Sequence[str]]
    documents: Mapping[str, set[str]]

    @classmethod
    def of(cls, ids: Mapping[str, Sequence[str]]) -> "Articles":
        """Both ways from `ids` held in memory."""
        documents: dict[str, set[str]] = defaultdict(set)
        for doc_id, entity_ids in ids.items():
            for entity_id in entity_ids:
                documents[entity_id].add(doc_id)
        return cls(ids, dict(documents))


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


def cross_article_links(groups: Iterable[CorpusGroup],
                        places: Callable[[], PlaceResolver] = default_place_resolver) -> CrossLinks:
    """The cross-article links of a corpus given as mention groups (`mention_groups` rows with their doc_id).

    `places` gives the place index when a decision needs it (a run passes the one cached on disk:
    building it from the gazetteer costs a few CPU-seconds)."""
    entities, ids = collect_entities(groups)
    return decide_links(entities, Articles.of(ids), places)[0]


@dataclass(frozen=True)
class Decisions:
    """What one cross-article step decided, kept by a run so that the next one decides again only
    what a change can reach (`decide_links`): the variant merges, each short form's candidates,
    and the short-form links of both passes ((doc_id, short id) -> full-name id)."""

    moves: Mapping[str, tuple[str, str]]
    candidates: Mapping[str, Sequence[str]]
    first: Mapping[tuple[str, str], str]
    second: Mapping[tuple[str, str], str]


def decide_links(entities: Mapping[str, CorpusEntity], articles: Articles,
                 places: Callable[[], PlaceNames | PlaceResolver] = default_place_resolver,
                 previous: Decisions | None = None,
                 changed: Collection[str] = ()) -> tuple[CrossLinks, Decisions]:
    """The cross-article links of the corpus whose per-article entities are `entities`, named in
    `articles`, and the decisions behind them.

    With `previous`, the decisions on a corpus that differs from this one only in the entities
    `changed` (per-article ids whose names, labels, surfaces or articles differ, or that came or
    went), the short forms are decided again only where that can change the result; the result is
    the one deciding everything gives (see `_changed_merged_ids`, `_redecide_short_forms`).
    Variant merges are decided on the whole corpus every time (they are cheap).
    """
    places = functools.cache(places)  # asked once per decision that needs it
    variant_of = _merge_variants(entities, articles.documents)
    members = _members(entities, variant_of)
    merged = _after_moves(entities, variant_of)
    candidates = _short_form_candidates(merged)
    context = _Context(merged, _MergedDocuments(articles.documents, members), _MergedIds(articles.ids, variant_of),
                       _ArticleLabels(articles.documents, members), places)
    if previous is None:
        first, second = _link_short_forms(candidates, context)
    else:
        changed, renamed_in = _changed_merged_ids(articles.documents, variant_of, previous.moves, changed)
        changed.update(*(context.by_doc.get(doc_id, ()) for doc_id in renamed_in))
        first, second = _redecide_short_forms(previous, changed, candidates, context)
    displays: dict[str, str] = {}
    short_forms = {key: (target, displays.get(target) or displays.setdefault(target, merged[target].display))
                   for key, target in second.items()}
    return CrossLinks(moves=variant_of, short_forms=short_forms), Decisions(variant_of, candidates, first, second)


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


def collect_entities(groups: Iterable[CorpusGroup]) -> tuple[dict[str, CorpusEntity], dict[str, list[str]]]:
    """One `CorpusEntity` per per-article entity id, and doc_id -> the entity ids it names (each once,
    each id one string object: 120k articles name 2M of them)."""
    entities: dict[str, CorpusEntity] = {}
    ids: dict[str, list[str]] = {}
    same_id: dict[str, str] = {}
    labels = {label.value: label for label in Label}
    for doc_id, entity_id, canonical, label, _surface, surface_key, n in groups:
        entity_id = same_id.setdefault(entity_id, entity_id)
        entity = entities.get(entity_id)
        if entity is None:
            entity = entities[entity_id] = CorpusEntity(label_of_entity_id(entity_id), {}, {}, set())
        named = ids.get(doc_id)
        if named is None:
            named = ids[doc_id] = []
        if entity_id not in named:  # a handful of groups per entity and article
            named.append(entity_id)
        names, mention_labels, label = entity.names, entity.mention_labels, labels[label]
        names[canonical] = names.get(canonical, 0) + n
        mention_labels[label] = mention_labels.get(label, 0) + n
        entity.surfaces.add(surface_key)
    return entities, ids


def _members(entities: Mapping[str, CorpusEntity], moves: Mapping[str, tuple[str, str]]) -> dict[str, list[str]]:
    """Merged id -> the per-article ids it sums, for the ids spelling variants merged (the others are alone)."""
    members: dict[str, list[str]] = defaultdict(list)
    for entity_id, (target, _) in moves.items():
        members[target].append(entity_id)
    for target, ids in members.items():
        if target in entities and target not in moves:  # its own mentions, unless they moved on elsewhere
            ids.append(target)
    return dict(members)


class LazyMapping:
    """A read-only mapping that makes each value when first asked (`_make`, None: no such key) and keeps it."""

    def __init__(self):
        self._made: dict = {}

    def _make(self, key):
        raise NotImplementedError

    def get(self, key, default=None):
        found = self._made.get(key)
        if found is None:
            found = self._make(key)
            if found is None:
                return default
            self._made[key] = found
        return found

    def __getitem__(self, key):
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found


class _MergedDocuments(LazyMapping):
    """Merged id -> its articles: those of the per-article ids it sums."""

    def __init__(self, documents: Mapping[str, set[str]], members: Mapping[str, list[str]]):
        super().__init__()
        self._documents, self._members = documents, members

    def _make(self, merged_id: str) -> set[str] | None:
        ids = self._members.get(merged_id)
        if ids is None:
            return self._documents.get(merged_id)
        return set().union(*(self._documents[entity_id] for entity_id in ids))


class _MergedIds(LazyMapping):
    """doc_id -> the merged ids its article names, each once."""

    def __init__(self, ids: Mapping[str, Sequence[str]], moves: Mapping[str, tuple[str, str]]):
        super().__init__()
        self._ids, self._moves = ids, moves

    def _make(self, doc_id: str) -> Sequence[str] | None:
        named = self._ids.get(doc_id)
        if named is None or not any(entity_id in self._moves for entity_id in named):
            return named
        return list(dict.fromkeys(self._moves[e][0] if e in self._moves else e for e in named))


class _ArticleLabels:
    """(doc_id, merged id) -> the labels its article gave the name (before the corpus majority).

    Only ids that spelling variants merged have an entry: every article of any other entity gave it
    the label its id carries, which is the default the caller falls back to.
    """

    def __init__(self, documents: Mapping[str, set[str]], members: Mapping[str, list[str]]):
        self._documents, self._members = documents, members

    def get(self, key: tuple[str, str], default: set[Label]) -> set[Label]:
        doc_id, merged_id = key
        ids = self._members.get(merged_id, ())
        return {label_of_entity_id(e) for e in ids if doc_id in self._documents[e]} or default


def _after_moves(entities: Mapping[str, CorpusEntity], moves: Mapping[str, tuple[str, str]]) -> dict[str, CorpusEntity]:
    """The entities once spelling variants are merged: a moved id's mentions carry the merged id and name.

    The same as collecting the moved mentions again, without a second pass over the corpus; an
    entity alone stays the same object, a merged one is new (`entities` is left as it is).
    """
    merged: dict[str, CorpusEntity] = {}
    for entity_id, entity in entities.items():
        target = moves.get(entity_id)
        new_id = target[0] if target else entity_id
        if target:
            entity = CorpusEntity(label_of_entity_id(new_id), {target[1]: sum(entity.names.values())},
                                  dict(entity.mention_labels), set(entity.surfaces))
        into = merged.get(new_id)
        if into is None:
            merged[new_id] = entity
            continue
        if into is entities.get(new_id):  # the target's own entity, not to be changed
            into = merged[new_id] = CorpusEntity(into.label, dict(into.names), dict(into.mention_labels),
                                                 set(into.surfaces))
        _add_counts(into.names, entity.names)
        _add_counts(into.mention_labels, entity.mention_labels)
        into.surfaces |= entity.surfaces
    return merged


def _add_counts(into: dict, counts: Mapping) -> None:
    for key, n in counts.items():
        into[key] = into.get(key, 0) + n


def loose_key(canonical: str) -> str:
    """'Etten-Leur', 'etten leur', "Trump's" and 'Trump' alike: case, accents, hyphens, apostrophe possessive."""
    key = name_key(canonical)
    if key.endswith("'s"):
        key = key[:-2]
    return " ".join(key.replace("-", " ").replace("'", "").split())


def _merge_variants(entities: Mapping[str, CorpusEntity], documents: Mapping[str, set[str]],
                    ) -> dict[str, tuple[str, str]]:
    """entity id -> (merged id, canonical name) for ids whose names are spelling variants of another's."""
    groups: dict[str, list[str]] = defaultdict(list)
    for entity_id, entity in entities.items():
        groups[entity.loose].append(entity_id)
    _join_place_spellings(groups, entities)
    _join_misspelt_first_names(groups, entities, documents)
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


def _join_place_spellings(groups: dict[str, list[str]], entities: Mapping[str, CorpusEntity]) -> None:
    """Move a group without a resolved place into the one place that other articles wrote that way.

    'DEN BOSCH' tagged ORG in a dateline stays unresolved, while 'Den Bosch' elsewhere resolved to
    ''s-Hertogenbosch': the place's surfaces say the press writes it so. A surface two places share
    ('Bergen' in Norway and in Belgium) moves nothing, and a name used more often than the place
    (a team called after its town) is not made a place.
    """
    places_written: dict[str, set[str]] = defaultdict(set)
    for key, ids in groups.items():
        for entity_id in ids:
            if _is_resolved_place(entity_id):
                for surface in entities[entity_id].surfaces:
                    places_written[loose_key(surface)].add(key)
    for key in sorted(groups):
        ids = groups[key]
        targets = places_written.get(key, set()) - {key}
        if not ids or len(targets) != 1 or any(_is_resolved_place(i) for i in ids):
            continue
        target = targets.pop()
        if _mentions(ids, entities) < _mentions(groups[target], entities):
            groups[target].extend(ids)
            groups[key] = []


MISSPELLING_MIN_LENGTH = 6  # shorter first names one letter apart are often two names (Marco, Mario)


def _join_misspelt_first_names(groups: dict[str, list[str]], entities: Mapping[str, CorpusEntity],
                               documents: Mapping[str, set[str]]) -> None:
    """Move a person written once with a typo in the first name into the person spelled right.

    'Danill Medvedev' in one article joins 'Daniil Medvedev' when nobody else in the corpus has
    that surname, both first names are long and one edit apart, and the odd spelling has one article.
    """
    by_surname: dict[str, list[str]] = defaultdict(list)
    for key, ids in groups.items():
        words = tokens(key)
        if len(words) >= 2 and any(entities[i].label is Label.PER for i in ids) and not without_title(key):
            by_surname[" ".join(words[1:])].append(key)
    for keys in by_surname.values():
        if len(keys) != 2:
            continue
        first_names = tokens(keys[0])[0], tokens(keys[1])[0]
        if min(map(len, first_names)) < MISSPELLING_MIN_LENGTH or not _one_edit_apart(*first_names):
            continue  # (both tests are symmetric: checked before the articles are counted, which may be read)
        rare, common = sorted(keys, key=lambda k: (len(set().union(*(documents[i] for i in groups[k]))), k))
        if len(set().union(*(documents[i] for i in groups[rare]))) == 1:
            groups[common].extend(groups[rare])
            groups[rare] = []


def _one_edit_apart(first: str, second: str) -> bool:
    """One letter changed, added, dropped, or two neighbours swapped."""
    if first == second or abs(len(first) - len(second)) > 1:
        return False
    if len(first) == len(second):
        diff = [i for i, (a, b) in enumerate(zip(first, second)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and first[diff[0]] == second[diff[1]] and first[diff[1]] == second[diff[0]])
    shorter, longer = sorted((first, second), key=len)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def _mentions(ids: Sequence[str], entities: Mapping[str, CorpusEntity]) -> int:
    return sum(sum(entities[i].names.values()) for i in ids)


def _merged_id(ids: Sequence[str], label: Label, entities: Mapping[str, CorpusEntity]) -> tuple[str, str]:
    """The id and name of a merged group: a resolved place keeps its place id, else label + most used spelling."""
    places = sorted((-sum(entities[i].names.values()), i) for i in ids if _is_resolved_place(i))
    if label is Label.LOC and places:
        place_id = places[0][1]
        return place_id, entities[place_id].display
    names: Counter[str] = Counter()
    for entity_id in ids:
        names.update(entities[entity_id].names)
    canonical = min(names, key=lambda n: (-names[n], n))
    return entity_id_for(label, canonical), canonical


def _is_resolved_place(entity_id: str) -> bool:
    return bool(place_code(entity_id))


def _changed_merged_ids(documents: Mapping[str, set[str]], moves: Mapping[str, tuple[str, str]],
                       old_moves: Mapping[str, tuple[str, str]], changed: Iterable[str]) -> tuple[set[str], set[str]]:
    """The merged entities that may differ from those the previous decisions saw, and the articles
    whose merged ids differ although their mention groups do not.

    A merged entity is the sum of its members, renamed: it is unchanged unless a member changed
    (`changed`, under its new merged id) or was merged differently (`remerged`: a move that came,
    went or changed its target or name), which changes its old and its new target. A remerged
    entity's articles now name another merged id, so the caller adds every entity those articles
    name (their neighbour sets read them), the id itself among them when it stands alone now.
    """
    remerged = {e for e in moves.keys() | old_moves.keys() if moves.get(e) != old_moves.get(e)}
    ids = {moves[e][0] if e in moves else e for e in changed}
    ids.update(table[e][0] for e in remerged for table in (moves, old_moves) if e in table)
    return ids, set().union(*(documents.get(e, ()) for e in remerged))


@dataclass(frozen=True)
class _Context:
    """The merged corpus the short forms are decided on."""

    entities: Mapping[str, CorpusEntity]
    documents: Mapping[str, set[str]]  # merged id -> its articles
    by_doc: Mapping[str, Sequence[str]]  # doc_id -> the merged ids its article names
    article_labels: _ArticleLabels
    places: Callable[[], PlaceNames | PlaceResolver]  # only asked whether a name is a place


def _link_short_forms(candidates: Mapping[str, Sequence[str]], context: _Context,
                      ) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """(doc_id, short-form entity id) -> the full-name entity it joins in that article, after the
    first pass and after the second (the result).

    Decided twice: the second time an article's other short forms count as the full names they
    joined the first time ('De Ligt' beside 'De Jong' is Matthijs de Ligt, whom Frenkie de Jong's
    articles name). A candidate's articles stay those that spell its full name, so one wrong first
    link does not lend it the context of a stranger's article.
    """
    everywhere = {short_id: context.documents[short_id] for short_id in candidates}
    first = _decide_short_forms(everywhere, candidates, context, context.by_doc)
    return first, _decide_short_forms(everywhere, candidates, context, _Relinked(context.by_doc, first))


class _Relinked(LazyMapping):
    """doc_id -> its merged ids with the first pass's short-form links applied (the second pass's view);
    only the articles with a link get a new list: the others are shared."""

    def __init__(self, by_doc: Mapping[str, Sequence[str]], first: Mapping[tuple[str, str], str]):
        super().__init__()
        self._by_doc, self._first = by_doc, first
        self._linked = {doc_id for doc_id, _ in first}

    def _make(self, doc_id: str) -> Sequence[str] | None:
        named = self._by_doc.get(doc_id)
        if named is None or doc_id not in self._linked:
            return named
        return list({self._first.get((doc_id, e), e) for e in named})


def _redecide_short_forms(previous: Decisions, changed: set[str], candidates: Mapping[str, Sequence[str]],
                          context: _Context) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """`_link_short_forms` on a corpus whose merged entities differ from those `previous` was decided
    on only in `changed`, which also holds every entity named by an article whose merged ids
    differ: the same two passes, deciding again only the (article, short form) pairs whose inputs
    can differ, and keeping the others.

    Why that is the whole result: `_decide` for (d, s) reads s's entity (its articles, names,
    surfaces, label), its candidate list, each candidate's entity, the ids of article d, the
    article labels of (d, s) and the neighbour sets of s and of its candidates, which are made from
    the entity's own articles and the ids of those articles. An entity outside `changed` has the
    same members, articles and names, so the same article labels, and none of its articles names
    other ids than before (such an article would put it in `changed`). So in the first pass a pair can
    change only if s or a candidate of s is in `changed`, or s's candidate list changed (`recast`).
    The second pass reads the first pass's links through the relinked ids: an article whose first
    links changed changes the neighbour sets of every entity it names, so those entities join
    `changed` for it (which also decides again every pair of that article: its short forms are
    among them).
    """
    recast = {s for s in candidates.keys() | previous.candidates.keys() if candidates.get(s) != previous.candidates.get(s)}

    def reached(ids: set[str]) -> dict[str, Iterable[str]]:
        """The short forms to decide again in all their articles: changed, recast, or a candidate changed."""
        return {s: context.documents[s] for s, options in candidates.items()
                if s in ids or s in recast or not ids.isdisjoint(options)}

    again = reached(changed)
    first = {key: target for key, target in previous.first.items() if key[1] in candidates and key[1] not in again}
    first.update(_decide_short_forms(again, candidates, context, context.by_doc))
    relinked_docs = {key[0] for key in previous.first.keys() | first.keys() if previous.first.get(key) != first.get(key)}
    again = reached(changed.union(*(context.by_doc.get(doc_id, ()) for doc_id in relinked_docs)))
    second = {key: target for key, target in previous.second.items() if key[1] in candidates and key[1] not in again}
    second.update(_decide_short_forms(again, candidates, context, _Relinked(context.by_doc, first)))
    return first, second


def _decide_short_forms(wanted: Mapping[str, Iterable[str]], candidates: Mapping[str, Sequence[str]],
                        context: _Context, by_doc: Mapping[str, Sequence[str]]) -> dict[tuple[str, str], str]:
    """The links of the short forms in `wanted` (short id -> the articles to decide it in), each article
    seen with the ids `by_doc` gives it."""
    entities, documents, links = context.entities, context.documents, {}
    for short_id, doc_ids in wanted.items():
        short, options = entities[short_id], candidates[short_id]
        evidence = _Evidence(entities, documents, by_doc, _Neighbours(documents, by_doc))  # a full name is rarely another's option
        target_label, short_key = entities[options[0]].label, _short_key(short.label, short.display, short.key)
        for doc_id in sorted(doc_ids):
            same_label = target_label in context.article_labels.get((doc_id, short_id), {short.label})
            if not same_label and _is_place_name(short, context.places()):
                continue
            target = _decide(short_id, short_key, options, doc_id, evidence, needs_names=not same_label)
            if target is not None:
                links[(doc_id, short_id)] = target
    return links


class _Neighbours:
    """The entities named beside one entity: in at least one, and in at least two, of its own articles.

    Made once per entity asked, with set operations over its articles (in C), and kept as two sets
    while one short form is decided: the decisions only ask whether another entity shares one
    article with it, or two (its own among them). A Counter of every neighbour of every candidate,
    kept for the whole pass, cost 40 CPU-s and ~300 MB at 120k articles.
    """

    def __init__(self, documents: Mapping[str, set[str]], by_doc: Mapping[str, Sequence[str]]):
        self._documents, self._by_doc = documents, by_doc
        self._sets: dict[str, tuple[set[str], set[str]]] = {}

    def at_least(self, entity_id: str, articles: int) -> set[str]:
        """The entities named in at least `articles` (1 or 2) of `entity_id`'s articles."""
        found = self._sets.get(entity_id)
        if found is None:
            once, twice = set(), set()
            for doc_id in self._documents[entity_id]:
                named = self._by_doc[doc_id]
                twice.update(once.intersection(named))
                once.update(named)
            found = self._sets[entity_id] = (once, twice)
        return found[articles - 1]


@dataclass(frozen=True)
class _Evidence:
    """What the corpus says about a short form and the full names it may stand for."""

    entities: Mapping[str, CorpusEntity]
    documents: Mapping[str, set[str]]
    by_doc: Mapping[str, Sequence[str]]
    neighbours: _Neighbours  # the entities named beside one entity


def _short_form_candidates(entities: Mapping[str, CorpusEntity]) -> dict[str, list[str]]:
    """Short-form entity id -> full-name entity ids of one label it may stand for.

    A PER short form is the end of a longer person name ('trump' in 'donald trump', 'de wever' in
    'bart de wever'), also written after a title ('Mr. Epstein'); any short form may also be a
    surface another article linked to a fuller name ('CBS' linked to 'Centraal Bureau voor de
    Statistiek' where the article spelled both). A one-word name the corpus labels a place,
    organisation or other may still be a surname the tagger mislabelled: its candidates are the
    people it ends, and only shared names decide (see `_Evidence`).
    """
    suffixes: dict[str, set[str]] = defaultdict(set)
    seen_as: dict[tuple[Label, str], set[str]] = defaultdict(set)
    keys = {}
    for entity_id, entity in entities.items():
        key = keys[entity_id] = entity.key
        words = tokens(key)
        if entity.label is Label.PER and not without_title(key) and len(words) >= 2 and len(words[0]) > 2 \
                and "." not in words[0]:
            for surname in _surnames(words):
                suffixes[surname].add(entity_id)
        for surface in entity.surfaces - {key}:
            seen_as[(entity.label, surface)].add(entity_id)
    candidates = {}
    for entity_id, entity in entities.items():
        key = _short_key(entity.label, entity.display, keys[entity_id])
        if key is None:
            continue
        if entity.label is Label.PER:
            found = seen_as.get((Label.PER, key), set()) | suffixes.get(key, set())
        elif _is_resolved_place(entity_id):
            continue  # the gazetteer decided what it is
        elif entity.label is Label.ORG and looks_like_acronym(entity.display):
            found = set(seen_as.get((entity.label, key), ()))
        else:
            found = set(suffixes.get(key, ()))  # a one-word place, organisation or other that may be a surname
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


def _short_key(label: Label, display: str, key: str) -> str | None:
    """The key under which an entity (its label, display name and its key) may be a short form of a
    fuller name, or None.

    A person: a surname alone or with its particles, also after a title ('mr. epstein' ->
    'epstein'). An organisation: an acronym. Any other label: one word, compared with surnames.
    """
    if label is Label.PER:
        key = without_title(key) or key
        words = tokens(key)  # empty for a name of punctuation only ("'", "-"): no short form of anyone
        short = len(words) == 1 or (1 < len(words) <= 3 and words[0] in ("de", "van", "den", "der", "ter", "ten", "vande"))
        return key if short else None
    if label is Label.ORG and looks_like_acronym(display):
        return key
    return key if len(tokens(key)) == 1 and key.isalpha() else None


def _is_place_name(entity: CorpusEntity, places: PlaceNames | PlaceResolver) -> bool:
    """True when the gazetteer knows the name as a place ('Washington', 'Oranje'): never read as a surname."""
    return places.knows(entity.display)


def _decide(short_id: str, short_key: str, options: Sequence[str], doc_id: str, evidence: _Evidence,
            needs_names: bool) -> str | None:
    """The full name a short form means in one article, or None when the corpus cannot tell.

    `needs_names`: the article gave the short form another label than the full name's ('Groenen'
    as an organisation, 'Verstappen' as a place), so it joins only a candidate with whom it shares
    people or organisations, never on corpus counts alone.
    """
    entities, documents = evidence.entities, evidence.documents
    present = set(evidence.by_doc[doc_id]).difference((short_id,), options)
    shared = {option: _shared_names(option, doc_id, present, evidence, needs_names) for option in options}
    ranked = sorted(options, key=lambda o: (-shared[o], -len(documents[o]), o))
    best = ranked[0]
    if needs_names:
        runner_up = shared[ranked[1]] if len(ranked) > 1 else 0
        return best if shared[best] > 0 and shared[best] >= 2 * runner_up else None
    if len(ranked) == 1:
        if shared[best] > 0 or short_key in entities[best].surfaces:  # its own articles call it so
            return best
        elsewhere = len(documents[best]) - (doc_id in documents[best])  # no copy of a big set
        rare = len(documents[short_id]) > RARE_FULL_NAME_FACTOR * max(elsewhere, 1)
        return None if rare or _context_of_its_own(short_id, present, evidence) else best
    runner_up = ranked[1]
    if shared[best] > 0 and shared[best] >= 2 * shared[runner_up]:
        return best
    total = sum(len(documents[o]) for o in options)
    if shared[best] >= shared[runner_up] and len(documents[best]) >= SHORT_FORM_SHARE * total:
        return best
    return None


def _context_of_its_own(short_id: str, present: set[str], evidence: _Evidence) -> bool:
    """True when the article shares people or organisations with the short form's other articles.

    Two articles about 'Schouten' and the ministry of agriculture, none of whose names occur
    beside the only full name 'Dennis Schouten' (a reporter), are about another Schouten.
    """
    return any(_is_person_or_organisation(e) for e in present & evidence.neighbours.at_least(short_id, 2))


PERSON_OR_ORGANISATION_PREFIXES = tuple(f"{label.value.lower()}-" for label in (Label.PER, Label.ORG))


def _is_person_or_organisation(entity_id: str) -> bool:
    return entity_id.startswith(PERSON_OR_ORGANISATION_PREFIXES)  # ids are 'per-…', 'org-…' (see entity_id_for)


def _shared_names(option: str, doc_id: str, present: set[str], evidence: _Evidence, needs_names: bool) -> int:
    """How many of the article's other entities appear beside `option` in another article
    (only people and organisations when the evidence must be names)."""
    own = doc_id in evidence.documents[option]  # this article's own co-occurrence does not count
    shared = present & evidence.neighbours.at_least(option, 2 if own else 1)
    return sum(1 for e in shared if _is_person_or_organisation(e)) if needs_names else len(shared)
