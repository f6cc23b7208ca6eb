"""Article-level corrections to the spans the NER model finds, where its narrow view falls short.

The model reads one paragraph at a time with a few tokens of context, so four of its mistakes are
cheap to fix with the whole article in view (each rule measured on ned.testa and the press dev
set, see models/nl_press_ner/MODEL_CARD.md):

* a span across a spaced dash holds two names ("Feyenoord - AZ", a dateline "ARNHEM - In ...");
* a name found in one paragraph is missed in another ("Simango" tagged once, missed five times);
* a person and an affiliation run together ("Mathias De Clercq van Gent", "Olivier Hertoghe van
  Petercam") where the paragraph alone does not show that the name ended;
* a compound with a name in front is tagged whole as MISC, the CoNLL-2002 convention it learnt
  from ("KLM-vluchten"), where our guidelines mark the name ("KLM" as ORG);
* a Flemish surname with a lower-case part is cut at its particle ("Luc Van den" for "Luc Van
  den hove");
* a surname on its own gets another label than the full name the article gave before ("Stam" as
  a place after "Jaap Stam");
* a possessive without apostrophe ("Trumps") is tagged with its "-s", which our guidelines leave out;
* the acronym a name is explained with is missed or labelled apart ("Tokyo Electron (TEL)");
* a name we list ourselves (pipeline/data/ner_gazetteer_nl_be.csv: "imec", "Twitter") is missed or
  mislabelled, having been rare in the training data;
* a "person" that cannot be one: a big city named alone ("Osaka", learnt from the tennis player
  Naomi Osaka) or a name with a digit in it ("4FM").

Spans here are plain offsets into the article's fields, so the rules are tested without a model.
"""
from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Iterator, Mapping

from pipeline.records import Field, Label

NAME_COMPOUND = re.compile(r"([A-Z][\w&]*(?: [A-Z][\w&]*)*)[-'’][a-z][\w-]*")  # KLM-vluchten, SP'ers
PERSON_AFFILIATION = re.compile(r"([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)+) (?:van|uit|voor) [A-Z].*")
SPACED_DASH = re.compile(r"\s+[-–—]\s+")
WORD = re.compile(r"(?<![\w-])\w+")
NAME_END = re.compile(r"(?![\w-])")
GAZETTEER_NAME_END = re.compile(r"(?![\w-]|\.\w)")  # "imec" but not "imec.be"
SURNAME_PARTICLES = frozenset("van de den der te ter ten vande vanden vander la le du d' 't".split())
PARTICLE_TAIL = re.compile(r" ([^\W\d_][\w'’-]*)(?![\w-])")  # "hove" after "Luc Van den"
ACRONYM_AFTER_NAME = re.compile(r"\s*\(([A-Z][A-Za-z0-9&.-]{1,9})\)")  # "Tokyo Electron (TEL)"
NAME_LABELS = frozenset({Label.PER, Label.ORG})  # possessives are of people and organisations ("Nederlands" is no "Nederland")
MIN_PROPAGATED_CHARS = 3  # "VS" or "De" alone are too often something else
FUNCTION_WORDS = frozenset(
    "de het een in op aan van voor met door bij na om uit over tot en of maar want dus als dan ook "
    "nog al er ze zij hij wij we je jij u ik dat die dit deze wat wie waar hoe zo toen".split()
)


@dataclass(frozen=True)
class Span:
    """An entity span in one field of an article, as character offsets."""

    field: Field
    start: int
    end: int
    label: Label


def split_at_spaced_dashes(spans: Iterable[Span], texts: Mapping[Field, str]) -> list[Span]:
    """Cut spans at " - " into their parts; parts that are only a function word ("In") go.

    Names never hold a dash with spaces around it, while match results ("PSV - ADO") and
    datelines ("GOIRLE - Een ...") put one between two names or a name and the sentence.
    """
    result = []
    for span in spans:
        text = texts[span.field]
        start = span.start
        for dash in [*SPACED_DASH.finditer(text, span.start, span.end), None]:
            end = dash.start() if dash else span.end
            part = text[start:end]
            if part.strip() and part.strip().lower() not in FUNCTION_WORDS:
                result.append(Span(span.field, start, end, span.label))
            start = dash.end() if dash else end
    return result


def split_person_affiliation(spans: Iterable[Span], texts: Mapping[Field, str]) -> list[Span]:
    """Cut "First Last van X" (PER) back to the person: with two capitalised words already before
    "van"/"uit"/"voor", the rest is an affiliation, not a surname particle ("Robin van Persie").

    The affiliation is dropped here; `propagate_names` tags it when the article names it elsewhere.
    """
    result = []
    for span in spans:
        affiliation = PERSON_AFFILIATION.fullmatch(texts[span.field], span.start, span.end)
        if affiliation and span.label is Label.PER:
            span = Span(span.field, span.start, span.start + len(affiliation.group(1)), Label.PER)
        result.append(span)
    return result


def names_out_of_compounds(spans: Iterable[Span], texts: Mapping[Field, str]) -> list[Span]:
    """Narrow a MISC compound ("D66-fractieleider") to its name when the article tags that name alone.

    The name takes the label it has elsewhere in the article ("D66" → ORG). A compound whose name
    is not tagged anywhere else stays MISC: guessing the label of "WK" in "WK-finale" or "VS" in
    "VS-president" from the form alone was wrong too often.
    """
    spans = list(spans)
    labels = label_votes([span for span in spans if span.label is not Label.MISC], texts)
    result = []
    for span in spans:
        compound = NAME_COMPOUND.fullmatch(texts[span.field], span.start, span.end)
        name = compound.group(1) if compound and span.label is Label.MISC else None
        if name in labels:
            span = Span(span.field, span.start, span.start + len(name), labels[name])
        result.append(span)
    return result


def extend_particle_names(spans: Iterable[Span], texts: Mapping[Field, str]) -> list[Span]:
    """Take the word after a person's closing particle into the name: "Luc Van den" + "hove".

    Flemish surnames keep a capital particle and may end in a lower-case word, which the model,
    trained on capitalised names, leaves out; a person's name never ends in a particle.
    """
    result = []
    for span in spans:
        text = texts[span.field]
        words = text[span.start:span.end].split()
        tail = PARTICLE_TAIL.match(text, span.end) if span.label is Label.PER and len(words) >= 2 else None
        if tail and words[-1].lower() in SURNAME_PARTICLES and tail.group(1).lower() not in FUNCTION_WORDS:
            span = Span(span.field, span.start, tail.end(), span.label)
        result.append(span)
    return result


def strip_possessive_s(spans: Iterable[Span], texts: Mapping[Field, str]) -> list[Span]:
    """Cut the possessive "-s" off a name the article also tags without it ("Trumps" after "Trump").

    Our guidelines leave a possessive without apostrophe outside the span; the tokenizer cannot
    split it, so the model tags the whole word. The stem keeps the label it has elsewhere.
    """
    spans = list(spans)
    labels = label_votes(spans, texts)
    for surname, label in person_surnames(spans, texts).items():
        labels.setdefault(surname, label)
    result = []
    for span in spans:
        stem = texts[span.field][span.start:span.end - 1]
        possessive = span.label in NAME_LABELS and texts[span.field][span.end - 1] == "s"
        if possessive and len(stem) >= MIN_PROPAGATED_CHARS and labels.get(stem) in NAME_LABELS:
            span = Span(span.field, span.start, span.end - 1, labels[stem])
        result.append(span)
    return result


def person_surnames(spans: Iterable[Span], texts: Mapping[Field, str]) -> dict[str, Label]:
    """The short forms of the article's full person names: "Stam" and "van Stee" from "Hans van Stee".

    Every tail of a name of two or more words that starts with a capital or a particle.
    """
    surnames: dict[str, Label] = {}
    for span in spans:
        words = texts[span.field][span.start:span.end].split()
        if span.label is not Label.PER or len(words) < 2:
            continue
        for first in range(1, len(words)):
            if words[first][0].isupper() or words[first].lower() in SURNAME_PARTICLES:
                surnames[" ".join(words[first:])] = Label.PER
    return surnames


def inherit_person_labels(spans: Iterable[Span], texts: Mapping[Field, str]) -> list[Span]:
    """Give a surname on its own the label of the full name it shortens: "Stam" PER after "Jaap Stam".

    The model labels the short form from a few words of context ("de selectie van Stam" looks
    like a place); the article already said who it is. Compared ignoring case ("Van Stee" at the
    start of a sentence is "van Stee").
    """
    spans = list(spans)
    surnames = {surname.casefold() for surname in person_surnames(spans, texts)}
    result = []
    for span in spans:
        name = texts[span.field][span.start:span.end].casefold()
        if span.label is not Label.PER and name in surnames:
            span = Span(span.field, span.start, span.end, Label.PER)
        result.append(span)
    return result


def label_explained_acronyms(spans: Iterable[Span], texts: Mapping[Field, str]) -> list[Span]:
    """Tag the acronym in brackets after a name with the name's label: "Tokyo Electron (TEL)".

    Our guidelines make both a mention of the same entity; the model often leaves the acronym out
    or labels it apart. Only organisations and places, and only bracketed words with two or more
    capitals that start with the name's first letter ("(TEL)", "(CBS)"): "Mark Rutte (VVD)" and
    "Ajax (NED)" name a party and a country, not the name again.
    """
    spans = list(spans)
    acronyms = {}
    for span in spans:
        match = ACRONYM_AFTER_NAME.match(texts[span.field], span.end)
        name, acronym = texts[span.field][span.start:span.end], match.group(1) if match else ""
        explains = span.label in (Label.ORG, Label.LOC) and acronym[:1] == name[:1]
        if explains and sum(char.isupper() for char in acronym) >= 2:
            acronyms[(span.field, match.start(1), match.end(1))] = span.label
    result = [
        Span(span.field, span.start, span.end, acronyms.get((span.field, span.start, span.end), span.label))
        for span in spans
    ]
    tagged = {(span.field, span.start, span.end) for span in spans}
    occupied = {field: sorted((s.start, s.end) for s in result if s.field == field) for field in texts}
    for (field, start, end), label in acronyms.items():
        if (field, start, end) not in tagged and not overlaps(occupied[field], start, end):
            result.append(Span(field, start, end, label))
    return sorted(result, key=reading_order)


class GazetteerMode(str, Enum):
    """How a listed name is used: `add` where the model missed it, or only `relabel` its spans."""

    ADD = "add"
    RELABEL = "relabel"


@dataclass(frozen=True)
class Gazetteer:
    """Names we list ourselves, each with its label and mode (pipeline/data/ner_gazetteer_nl_be.csv),
    and the one-word names of big places, which are no persons (`relabel_impossible_persons`)."""

    entries: Mapping[str, tuple[Label, GazetteerMode]]
    big_places: frozenset[str] = frozenset()  # one-word names of places with 100,000+ inhabitants

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, str]], big_places: Iterable[str] = ()) -> Gazetteer:
        entries = {row["name"]: (Label(row["label"]), GazetteerMode(row["mode"])) for row in rows}
        return cls(entries, frozenset(name for name in big_places if WORD.fullmatch(name)))

    @functools.cached_property
    def addable_by_first_word(self) -> Mapping[str, tuple[str, ...]]:
        """The `add` names indexed by their first word, longest first: one dict lookup per word of
        text instead of a regex of a thousand alternatives (which cost 15% of the NER stage)."""
        index: dict[str, list[str]] = {}
        for name in sorted(self.entries, key=lambda name: (-len(name), name)):
            first_word = WORD.match(name)
            if self.entries[name][1] is GazetteerMode.ADD and first_word:
                index.setdefault(first_word.group(), []).append(name)
        return {word: tuple(names) for word, names in index.items()}


EMPTY_GAZETTEER = Gazetteer({})


def apply_gazetteer(spans: Iterable[Span], texts: Mapping[Field, str], gazetteer: Gazetteer) -> list[Span]:
    """Relabel spans whose exact text we list; tag `add` names wherever no span covers them.

    For names that were rare or absent in the training data ("imec" is never tagged by the model).
    A listed name also replaces model spans that lie inside it ("Investment & Trade" inside
    "Flanders Investment & Trade"), never one that sticks out of it. It counts only as a whole
    word: not inside "imecgroep", "imec-onderzoekers" or "www.imec.be".
    """
    result = []
    for span in spans:
        entry = gazetteer.entries.get(texts[span.field][span.start:span.end])
        result.append(Span(span.field, span.start, span.end, entry[0]) if entry else span)
    kept: list[Span] = []
    for field, text in texts.items():
        in_field = sorted((s for s in result if s.field == field), key=lambda s: (s.start, s.end))
        starts = [s.start for s in in_field]
        replaced: set[int] = set()
        for start, end in listed_names(text, gazetteer):
            touching = spans_touching(in_field, starts, start, end)
            if all(start <= in_field[i].start and in_field[i].end <= end for i in touching):
                replaced.update(touching)
                kept.append(Span(field, start, end, gazetteer.entries[text[start:end]][0]))
        kept.extend(span for i, span in enumerate(in_field) if i not in replaced)
    return sorted(kept, key=reading_order)


def spans_touching(spans: list[Span], starts: list[int], start: int, end: int) -> list[int]:
    """Indexes of the spans (sorted, not overlapping each other) that overlap [start, end).

    Found by bisection: an article of 48,000 sentences has as many names, and a scan per name
    would take hours.
    """
    first = bisect_right(starts, start)
    touching = [first - 1] if first and spans[first - 1].end > start else []
    while first < len(spans) and spans[first].start < end:
        touching.append(first)
        first += 1
    return touching


def listed_names(text: str, gazetteer: Gazetteer) -> Iterator[tuple[int, int]]:
    """(start, end) of each whole-word occurrence of a listed `add` name, longest first, left to right."""
    index = gazetteer.addable_by_first_word
    free_from = 0
    for word in WORD.finditer(text) if index else ():
        start = word.start()
        if start < free_from or (start and text[start - 1] in "@."):
            continue
        for name in index.get(word.group(), ()):
            end = start + len(name)
            if text.startswith(name, start) and GAZETTEER_NAME_END.match(text, end):
                yield start, end
                free_from = end
                break


def propagate_names(spans: Iterable[Span], texts: Mapping[Field, str]) -> list[Span]:
    """Add untagged occurrences of names the model tagged elsewhere in the article.

    A name (3+ characters, capitalised) found once is tagged at every other whole-word occurrence
    that no span covers yet, with the label it got most often. Existing spans are never changed:
    relabelling them by majority vote was measured and lost more than it won.
    """
    spans = list(spans)
    labels = {
        name: label
        for name, label in label_votes(spans, texts).items()
        if len(name) >= MIN_PROPAGATED_CHARS and name[0].isupper() and WORD.match(name)
    }
    names_by_first_word: dict[str, list[str]] = {}
    for name in sorted(labels, key=lambda name: (-len(name), name)):
        names_by_first_word.setdefault(WORD.match(name).group(), []).append(name)
    added = []
    for field, text in texts.items():
        occupied = sorted((s.start, s.end) for s in spans if s.field == field)
        free_from = 0  # occurrences are added left to right and never overlap each other
        for word in WORD.finditer(text):
            if word.start() < free_from:
                continue
            for name in names_by_first_word.get(word.group(), ()):
                start, end = word.start(), word.start() + len(name)
                if text.startswith(name, start) and NAME_END.match(text, end):
                    if not overlaps(occupied, start, end):
                        added.append(Span(field, start, end, labels[name]))
                        free_from = end
                    break
    return sorted(spans + added, key=reading_order)


def relabel_impossible_persons(spans: Iterable[Span], texts: Mapping[Field, str], gazetteer: Gazetteer) -> list[Span]:
    """A one-word PER that is a big place is the place; a PER with a digit in it is an organisation.

    The model learns names as words: "Osaka" was the tennis player Naomi Osaka in its training
    data, so the city in a story about a Japanese company came out a person. A city of 100,000+
    inhabitants named alone stays a person when it is a first name or surname of someone the
    article names in full ("Nancy" after "Nancy Pelosi"). Names of people hold no digits; what the
    model reads as one ("4FM", a radio station) is nearly always an organisation.
    """
    spans = list(spans)
    person_words = words_of_full_person_names(spans, texts)
    result = []
    for span in spans:
        name = texts[span.field][span.start:span.end]
        if span.label is Label.PER and name in gazetteer.big_places and name.casefold() not in person_words:
            span = Span(span.field, span.start, span.end, Label.LOC)
        elif span.label is Label.PER and any(char.isdigit() for char in name):
            span = Span(span.field, span.start, span.end, Label.ORG)
        result.append(span)
    return result


def words_of_full_person_names(spans: Iterable[Span], texts: Mapping[Field, str]) -> set[str]:
    """Every word, case-folded, of the article's person names of two or more words."""
    names = (texts[span.field][span.start:span.end].split() for span in spans if span.label is Label.PER)
    return {word.casefold() for words in names if len(words) >= 2 for word in words}


def label_votes(spans: Iterable[Span], texts: Mapping[Field, str]) -> dict[str, Label]:
    """Each tagged name's most frequent label (the first seen on a tie)."""
    votes: dict[str, Counter] = {}
    for span in spans:
        votes.setdefault(texts[span.field][span.start:span.end], Counter())[span.label] += 1
    return {name: counts.most_common(1)[0][0] for name, counts in votes.items()}


def reading_order(span: Span) -> tuple[bool, int, int]:
    """Title before body, then by position."""
    return span.field is not Field.TITLE, span.start, span.end


def overlaps(occupied: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps any of the sorted, non-overlapping `occupied` ranges."""
    index = bisect_right(occupied, (start, float("inf")))
    before = occupied[index - 1] if index else None
    after = occupied[index] if index < len(occupied) else None
    return bool((before and before[1] > start) or (after and after[0] < end))


def correct_spans(spans: Iterable[Span], texts: Mapping[Field, str], gazetteer: Gazetteer = EMPTY_GAZETTEER) -> list[Span]:
    """All article-level corrections, in order."""
    spans = split_person_affiliation(split_at_spaced_dashes(spans, texts), texts)
    spans = strip_possessive_s(extend_particle_names(spans, texts), texts)
    spans = apply_gazetteer(names_out_of_compounds(spans, texts), texts, gazetteer)
    spans = label_explained_acronyms(inherit_person_labels(spans, texts), texts)
    return relabel_impossible_persons(propagate_names(spans, texts), texts, gazetteer)
