"""Article-level corrections to the spans the NER model finds, where its narrow view falls short.

The model reads one paragraph at a time with a few tokens of context, so four of its mistakes are
cheap to fix with the whole article in view (each rule measured on ned.testa and the press dev
set, see models/nl_press_ner/MODEL_CARD.md):

* a span across a spaced dash holds two names ("Feyenoord - AZ", a dateline "ARNHEM - In ...");
* a name found in one paragraph is missed in another ("Simango" tagged once, missed five times);
* a person and an affiliation run together ("Mathias De Clercq van Gent", "Olivier Hertoghe van
  Petercam") where the paragraph alone does not show that the name ended;
* a compound with a name in front is tagged whole as MISC, the CoNLL-2002 convention it learnt
  from ("KLM-vluchten"), where our guidelines mark the name ("KLM" as ORG).

Spans here are plain offsets into the article's fields, so the rules are tested without a model.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

from pipeline.records import Field, Label

NAME_COMPOUND = re.compile(r"([A-Z][\w&]*(?: [A-Z][\w&]*)*)[-'’][a-z][\w-]*")  # KLM-vluchten, SP'ers
PERSON_AFFILIATION = re.compile(r"([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)+) (?:van|uit|voor) [A-Z].*")
SPACED_DASH = re.compile(r"\s+[-–—]\s+")
WORD = re.compile(r"(?<![\w-])\w+")
NAME_END = re.compile(r"(?![\w-])")
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


def correct_spans(spans: Iterable[Span], texts: Mapping[Field, str]) -> list[Span]:
    """All article-level corrections, in order."""
    spans = split_person_affiliation(split_at_spaced_dashes(spans, texts), texts)
    return propagate_names(names_out_of_compounds(spans, texts), texts)
