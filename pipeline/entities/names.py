"""Name keys and name-shape tests used to compare mentions.

Two surface forms of a name are the same name when their keys are equal: the key ignores case,
diacritics, typographic quote and dash variants, spacing and surrounding punctuation.
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from pipeline.records import Label

_TYPOGRAPHY = str.maketrans({
    "\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u00ad": "",
    "\u00a0": " ",
})
_SPACES = re.compile(r"\s+")
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_EDGE_PUNCTUATION = " .,;:!?\"'()[]{}\u00ab\u00bb\u201c\u201d\u201e"
_LOWERCASE_HYPHEN_SUFFIX = re.compile(r"^(.*\w)-[a-z\u00e0-\u00ff][\w-]*$")
_ACRONYM_SHAPE = re.compile(r"^[A-Z0-9&][A-Za-z0-9&.]{1,7}$")
_INITIAL = re.compile(r"^[a-z]\.?$")
_TITLES = frozenset({  # words the press puts before a person's name; never the name itself
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "drs", "drs.", "ir", "ir.", "prof", "prof.", "sir", "lady",
    "meneer", "mevrouw", "mevr", "mevr.", "dhr", "dhr.", "koning", "koningin", "prins", "prinses", "paus", "premier",
    "vicepremier", "minister", "staatssecretaris", "president", "burgemeester", "kanselier", "meester",
})
_FUNCTION_WORDS = frozenset({
    "de", "het", "een", "van", "voor", "der", "den", "en", "in", "op", "te", "ter", "tot", "of",
    "aan", "met", "la", "le", "les", "du", "des", "et", "the", "and", "for",
})


def strip_diacritics(text: str) -> str:
    """'Liège' -> 'Liege': press spells names with and without accents."""
    if text.isascii():
        return text
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))


@functools.lru_cache(maxsize=1 << 18)
def name_key(text: str) -> str:
    """The comparison key of a name: casefolded, without diacritics or edge punctuation (remembered:
    the cross-article step asks it of every entity's name several times)."""
    text = strip_diacritics(text.translate(_TYPOGRAPHY)).casefold()
    return _SPACES.sub(" ", text).strip(_EDGE_PUNCTUATION)


def entity_id_for(label: Label, canonical: str) -> str:
    """A stable id from label + key: the same name gets the same id in every run and corpus."""
    digest = hashlib.sha1(f"{label.value}|{name_key(canonical)}".encode()).hexdigest()
    return f"{label.value.lower()}-{digest[:12]}"


_LABEL_OF_PREFIX = {label.value.lower(): label for label in Label}


def label_of_entity_id(entity_id: str) -> Label:
    """The label an entity id starts with ('per-…', 'loc-gn2759794').

    A dict lookup, not `Label(...)`: the cross-article step asks this millions of times at 120k articles.
    """
    prefix = entity_id.partition("-")[0]
    label = _LABEL_OF_PREFIX.get(prefix)
    return label if label is not None else Label(prefix.upper())


def tokens(key: str) -> tuple[str, ...]:
    """The words of a key."""
    return tuple(key.split(" ")) if key else ()


def without_possessive(key: str) -> str | None:
    """'jettens' -> 'jetten', "trump's" -> 'trump'; None when the key has no possessive ending."""
    if key.endswith("'s"):
        return key[:-2]
    if key.endswith("'"):
        return key[:-1].rstrip()
    if key.endswith("s") and len(key.rsplit(" ", 1)[-1]) > 3:
        return key[:-1]
    return None


def without_title(key: str) -> str | None:
    """'mr. epstein' -> 'epstein', 'koningin elizabeth' -> 'elizabeth'; None when the key starts with no title.

    A title before a name is how the press writes a person it has named before ('Mr. Epstein');
    without it the name is a surname or first name that can be linked like any other.
    """
    words = tokens(key)
    start = 0
    while start < len(words) - 1 and words[start] in _TITLES:
        start += 1
    return " ".join(words[start:]) if start else None


def without_article(key: str) -> str | None:
    """'de boeing' -> 'boeing': a tagger's span sometimes starts with the article."""
    head, _, rest = key.partition(" ")
    return rest if head in ("de", "het", "the") and rest else None


def without_lowercase_suffix(surface: str) -> str | None:
    """'D66-fractie' -> 'D66' (a name plus a common-noun tail); 'Noord-Holland' stays whole."""
    match = _LOWERCASE_HYPHEN_SUFFIX.match(surface.strip())
    return match.group(1) if match else None


def is_initial(token: str) -> bool:
    """'m.' or 'm': a first-name initial in a key."""
    return bool(_INITIAL.match(token))


def looks_like_acronym(surface: str) -> bool:
    """'CBS', 'RvS', 'PvdA', 'N-VA': one short token, at least half of it capitals or digits."""
    compact = surface.replace("-", "")
    capitals = sum(c.isupper() or c.isdigit() for c in compact)
    return bool(_ACRONYM_SHAPE.match(compact)) and capitals >= 2 and 2 * capitals >= len(compact)


def acronym_letters(surface: str) -> str:
    """The letters an acronym spells: 'N-VA' -> 'nva', 'RvS' -> 'rvs'."""
    return re.sub(r"[^0-9a-z]", "", name_key(surface))


def initialisms(surface: str) -> frozenset[str]:
    """Acronyms an expansion may have: all initials, initials of content words, its capitals.

    'Centraal Bureau voor de Statistiek' -> {'cbvds', 'cbs'}; 'ChristenUnie' -> {'cu'}.
    """
    plain = strip_diacritics(surface)
    words = [w for w in re.split(r"[\s\-/]+", plain) if w and w[0].isalnum()]
    all_initials = "".join(w[0] for w in words).casefold()
    content_initials = "".join(w[0] for w in words if w.casefold() not in _FUNCTION_WORDS).casefold()
    capitals = "".join(c for c in plain if c.isupper() or c.isdigit()).casefold()
    return frozenset(v for v in (all_initials, content_initials, capitals) if len(v) >= 2)


def is_subsequence(short: str, long: str) -> bool:
    """True when the letters of `short` occur in `long` in order ('tel' in 'tokyoelectron')."""
    remaining = iter(long)
    return all(c in remaining for c in short)
