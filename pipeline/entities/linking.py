"""Within one article: attach every mention to the fullest name the article uses for it.

A shorter name is linked to a longer one only when exactly one longer name fits ("Jetten" ->
"Rob Jetten"); two candidates ("Piet Jansen" and "Kees Jansen") leave it on its own, because a
wrong merge costs more than a missed one.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from pipeline.entities.aliases import AliasRule, alias_index
from pipeline.entities.names import (
    acronym_letters, entity_id_for, initialisms, is_initial, is_subsequence, looks_like_acronym, name_key,
    tokens, without_article, without_lowercase_suffix, without_possessive, without_title,
)
from pipeline.entities.places import (
    HOME_COUNTRIES, Place, PlaceResolver, choose, context_of, default_place_resolver, place_entity_id,
)
from pipeline.records import Field, Label, LinkedMention, Mention

_LEGAL_FORMS = frozenset({
    "nv", "n.v", "n.v.", "bv", "b.v", "b.v.", "cvba", "bvba", "vzw", "sa", "s.a", "s.a.", "ag", "gmbh", "se", "plc",
    "ltd", "ltd.", "inc", "inc.", "corp", "corp.", "corporation", "company", "co", "co.", "llc",
})
_ACRONYM_PAIR_GAP = 2  # 'Centraal Bureau voor de Statistiek (CBS)': ' (' between the two mentions


@dataclass(frozen=True)
class _Name:
    """One distinct name (label + key) of an article, with the surface forms that carry it."""

    label: Label
    key: str
    surfaces: tuple[str, ...]
    forced: str | None  # canonical name given by an alias rule


def link_mentions(
    mentions: Sequence[Mention], aliases: Sequence[AliasRule] = (), places: PlaceResolver | None = None,
    outlet_country: str = "",
) -> tuple[LinkedMention, ...]:
    """Within one document: attach each mention to its canonical name and entity_id (same order as input).

    `aliases` are applied first, the first rule for an alias winning (pass the user's rules before
    the curated ones). Places (LOC) that resolve to GeoNames or a country get that entry's Dutch
    name and an id derived from it, so all spellings of a place share one entity. A place name with
    several meanings is decided by the other places of the article and `outlet_country` (ISO code
    of the outlet's country, '' when unknown).
    """
    rules = alias_index(tuple(aliases))
    raw_keys = [name_key(m.text) for m in mentions]
    if places is None and any(m.label is Label.LOC or _is_dateline(m) for m in mentions):
        places = default_place_resolver()
    working = _agree_labels(_datelines_as_places(mentions, places), raw_keys, rules)
    keys = [_mention_key(m, key, rules) for m, key in zip(working, raw_keys, strict=True)]
    names = _names(working, keys, rules)
    parents = _link_names(names, _acronym_pairs(working, keys))
    candidates = {key: _place_candidates(name, places) for key, name in names.items()}
    context = context_of(candidates.values(), outlet_country)
    resolved = {key: _resolve(names[key], choose(candidates[key], context)) for key in names}
    linked = []
    for mention, relabelled, key in zip(mentions, working, keys, strict=True):
        node = (relabelled.label, key)
        root = names[parents.get(node, node)]
        canonical, entity_id = resolved[(root.label, root.key)]
        linked.append(LinkedMention(mention=mention, canonical=canonical, entity_id=entity_id))
    return tuple(linked)


def _is_dateline(mention: Mention) -> bool:
    """A name in capitals that opens the body ('TILBURG - De gemeente ...'): where the article was written."""
    return mention.field is Field.BODY and mention.start == 0 and mention.text.isupper() and mention.label is not Label.LOC


def _datelines_as_places(mentions: Sequence[Mention], places: PlaceResolver | None) -> list[Mention]:
    """A dateline the gazetteer knows as a Dutch, Belgian or Luxembourg place is a place, whatever the
    tagger called it ('DEN BOSCH' as ORG); a score line opening with 'AJAX' is no dateline of Ajax, Canada.

    Only the linking sees the new label: mentions.csv keeps the model's.
    """
    return [replace(m, label=Label.LOC) if _is_dateline(m) and _is_home_place(m.text, places) else m for m in mentions]


def _is_home_place(name: str, places: PlaceResolver | None) -> bool:
    found = places.candidates(name) if places is not None else ()
    return bool(found) and found[0].country_code in HOME_COUNTRIES


def _agree_labels(
    mentions: Sequence[Mention], keys: Sequence[str], rules: Mapping[tuple[Label, str], str],
) -> list[Mention]:
    """Give all mentions of one written name in an article the label most of them carry.

    A tagger sometimes calls 'Feyenoord' ORG in one sentence and PER in the next; the article
    still means one thing by it. A full person name also votes PER for its last word (so that
    'Simango' joins 'Daviz Simango'), and an alias rule votes for its label. Ties go to the label
    the name has first.
    """
    votes: dict[str, Counter[Label]] = defaultdict(Counter)
    for mention, key in zip(mentions, keys, strict=True):
        votes[key][mention.label] += 1
        if mention.label is Label.PER and " " in key:
            votes[key.rsplit(" ", 1)[1]][Label.PER] += 1
    for key, counts in votes.items():
        if len(counts) > 1:
            counts.update(label for label in Label if (label, key) in rules)
    agreed = {key: max(counts, key=lambda label: counts[label]) for key, counts in votes.items()}
    pairs = zip(mentions, keys, strict=True)
    return [m if m.label is agreed[key] else replace(m, label=agreed[key]) for m, key in pairs]


def _mention_key(mention: Mention, key: str, rules: Mapping[tuple[Label, str], str]) -> str:
    """The key of a mention; a form covered by an alias rule takes the rule's canonical key."""
    for variant in (key, without_possessive(key), _hyphen_head_key(mention.text)):
        if variant and (mention.label, variant) in rules:
            return name_key(rules[(mention.label, variant)])
    return key


def _hyphen_head_key(surface: str) -> str | None:
    head = without_lowercase_suffix(surface)
    return name_key(head) if head else None


def _names(
    mentions: Sequence[Mention], keys: Sequence[str], rules: Mapping[tuple[Label, str], str],
) -> dict[tuple[Label, str], _Name]:
    """The distinct names of an article with their surface forms, in order of first mention."""
    surfaces: dict[tuple[Label, str], list[str]] = defaultdict(list)
    for mention, key in zip(mentions, keys, strict=True):
        surfaces[(mention.label, key)].append(mention.text)
    return {
        (label, key): _Name(label, key, tuple(forms), rules.get((label, key)))
        for (label, key), forms in surfaces.items()
    }


def _acronym_pairs(mentions: Sequence[Mention], keys: Sequence[str]) -> dict[tuple[Label, str], set[str]]:
    """Acronym -> expansions the article pairs by parentheses ('Tokyo Electron (TEL)', 'CBS (Centraal ...)')."""
    order = sorted(range(len(mentions)), key=lambda i: (mentions[i].field.value, mentions[i].start))
    pairs: dict[tuple[Label, str], set[str]] = defaultdict(set)
    for i, j in zip(order, order[1:], strict=False):
        first, second = mentions[i], mentions[j]
        if first.field != second.field or first.label != second.label:
            continue
        if second.start - first.end != _ACRONYM_PAIR_GAP:
            continue
        for short, short_key, long_key in ((second, keys[j], keys[i]), (first, keys[i], keys[j])):
            if _plausible_expansion(short, short_key, long_key):
                pairs[(short.label, short_key)].add(long_key)
    return pairs


def _plausible_expansion(short: Mention, short_key: str, long_key: str) -> bool:
    """An acronym and a multi-word name whose letters it follows in order, starting with its first."""
    letters = acronym_letters(short.text)
    long_letters = "".join(c for c in long_key if c.isalnum())
    return (
        looks_like_acronym(short.text) and short_key != long_key and len(tokens(long_key)) >= 2
        and bool(letters) and long_letters.startswith(letters[0]) and is_subsequence(letters, long_letters)
    )


def _link_names(
    names: dict[tuple[Label, str], _Name], acronym_pairs: dict[tuple[Label, str], set[str]],
) -> dict[tuple[Label, str], tuple[Label, str]]:
    """name -> the longer name it is part of, for names with exactly one longest candidate."""
    by_label: dict[Label, list[_Name]] = defaultdict(list)
    for name in names.values():
        by_label[name.label].append(name)
    containers: dict[tuple[Label, str], set[str]] = {}
    for label, group in by_label.items():
        index = _part_index(label, group)
        for name in group:
            itself = {name.key, without_title(name.key) if label is Label.PER else None}  # 'mr. epstein' is no part of 'epstein'
            found = {key for key in _lookups(name) for key in index.get(key, ()) if key not in itself}
            found |= acronym_pairs.get((label, name.key), set())
            if found:
                containers[(label, name.key)] = found
    parents = {}
    for node, found in containers.items():
        roots = {_top_name(containers, (node[0], key)) for key in found}  # 'rob jetten' for 'jetten', 'jettens'
        if len(roots) == 1 and None not in roots:
            parents[node] = (node[0], roots.pop())
    return parents


def _top_name(containers: dict[tuple[Label, str], set[str]], node: tuple[Label, str]) -> str | None:
    """The single name at the top of the chain above `node`, or None when the chain forks."""
    seen = set()
    while node in containers:
        if node in seen or len(containers[node]) != 1:
            return None
        seen.add(node)
        node = (node[0], next(iter(containers[node])))
    return node[1]


def _part_index(label: Label, group: Iterable[_Name]) -> dict[str, set[str]]:
    """Lookup key -> the longer names of the article that contain it, by the rules of the label."""
    index: dict[str, set[str]] = defaultdict(set)
    for name in group:
        words = tokens(name.key)
        index[name.key].add(name.key)
        if label is Label.PER and len(words) >= 2:
            for i in range(1, len(words)):
                index[" ".join(words[i:])].add(name.key)  # surname, 'van den hove'
                index["#initial " + words[0][0] + " " + " ".join(words[i:])].add(name.key)
            index["#first " + words[0]].add(name.key)
        elif label is Label.ORG:
            first_word = 2 if without_article(name.key) else 1  # 'Boeing' is not part of 'de Boeing'
            for i in range(first_word, len(words)):
                index[" ".join(words[i:])].add(name.key)  # 'Nuggets' in 'Denver Nuggets'
            for i in range(1, len(words)):
                if _LEGAL_FORMS.issuperset(words[i:]):
                    index[" ".join(words[:i])].add(name.key)  # 'Ahold' in 'Ahold NV', not 'KLM' in 'KLM Nederland'
            for surface in name.surfaces:
                if without_lowercase_suffix(surface) is None:  # 'D66-fractie' expands nothing
                    for letters in initialisms(surface):
                        index["#acronym " + letters].add(name.key)
    return index


def _lookups(name: _Name) -> list[str]:
    """The index keys under which `name` finds the names it may be part of."""
    keys = [name.key]
    bare = without_possessive(name.key)
    if bare:
        keys.append(bare)
    article_free = without_article(name.key)
    if article_free and not name.forced:  # 'De Lijn' is a name of its own
        keys.append(article_free)
    keys.extend(key for key in (_hyphen_head_key(s) for s in name.surfaces) if key)
    untitled = without_title(name.key) if name.label is Label.PER else None
    if untitled:  # 'Mr. Epstein' is part of 'Jeffrey Epstein'
        keys.append(untitled)
    words = tokens(untitled or name.key)
    if name.label is Label.PER and len(words) == 1:
        keys.append("#first " + words[0])
    if name.label is Label.PER and len(words) >= 2 and is_initial(words[0]):
        keys.append("#initial " + words[0][0] + " " + " ".join(words[1:]))
    if name.label is Label.ORG:
        keys.extend("#acronym " + acronym_letters(s) for s in name.surfaces if looks_like_acronym(s))
    return keys


def _place_candidates(name: _Name, places: PlaceResolver | None) -> tuple[Place, ...]:
    """The places a LOC name may denote: those of its first spelling the gazetteer knows."""
    if name.label is not Label.LOC or places is None:
        return ()
    for surface in (name.forced, *name.surfaces):
        found = places.candidates(surface) if surface else ()
        if found:
            return found
    return ()


def _resolve(name: _Name, place: Place | None) -> tuple[str, str]:
    """(canonical display name, entity id) of a root name."""
    if place is not None:
        return place.name, place_entity_id(place)
    canonical = name.forced or _display_form(name.surfaces)
    return canonical, entity_id_for(name.label, canonical)


def _display_form(surfaces: Sequence[str]) -> str:
    """The surface to show: not shouting in capitals, most frequent, first seen."""
    counts = Counter(surfaces)
    first_seen = {s: i for i, s in reversed(list(enumerate(surfaces)))}
    return min(counts, key=lambda s: (s.isupper() and len(s) > 5, -counts[s], first_seen[s]))
