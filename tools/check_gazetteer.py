"""Measure each row of the NER gazetteer against our gold annotation, on training articles only.

A gazetteer row claims that an exact, case-sensitive string is a name of one label wherever it
stands as a whole word (mode `add`), or that a span the model found with exactly that text has
that label (mode `relabel`). Before a row is trusted it should agree with what our annotators
marked. For every whole-word occurrence of a row's `name` in an article text this counts:

* hit:        a gold entity with exactly that span and the row's label;
* label:      a gold entity with exactly that span but another label (label conflict);
* boundary:   a gold entity overlapping the occurrence with other offsets (boundary conflict);
* unmarked:   no gold entity touches the occurrence.

"Whole word" means no letter, digit or underscore directly before or after, so names inside
hyphen compounds count ("D66-fractieleider") and names glued into words do not ("Kamerleden").

Only training text is read: lines 1-3,937 of press-annotated-v2 and lines 1-60 of
press-annotated. The dev lines are never opened: reading stops at the last training line.

    python tools/check_gazetteer.py [--gazetteer pipeline/data/ner_gazetteer_nl_be.csv]
        [--shared ../shared] [--all]

Prints rows that occur (or every row with --all), then totals per mode. For `relabel` rows the
relevant figure is also shown: of the occurrences with a gold span of exactly that text, the
share with the row's label. A row is flagged `LOW` when its figure is below 0.9 on at least two
cases: precision (hits / occurrences) for `add` rows, that relabel figure for `relabel` rows.

A second view shows what a phrase matcher over all `add` rows would tag: where occurrences of
several rows overlap ("NOS" inside "NOS Journaal"), the longest wins (then the earliest), as in
spaCy's `filter_spans`. Column `kept` and the `matcher` totals count only those winning
occurrences; the `precision` column and the `total` lines count every occurrence.

Exit status 1 when the gazetteer file breaks its format
(header, sorting, duplicates, labels, modes).
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GAZETTEER = REPO / "pipeline" / "data" / "ner_gazetteer_nl_be.csv"
TRAIN_SPLITS = (("data/press-annotated-v2", 3937), ("data/press-annotated", 60))  # (folder, train lines)
LABELS = ("ORG", "PER", "LOC", "MISC")
MODES = ("add", "relabel")
LOW_PRECISION = 0.9
MIN_FLAGGED_OCCURRENCES = 2
SEPARATOR = "\n\x00\n"  # between articles in the joined text; no name crosses it
WORD_CHAR = re.compile(r"\w")


@dataclass(frozen=True)
class Row:
    """One gazetteer row."""

    name: str
    label: str
    mode: str


@dataclass(frozen=True)
class Corpus:
    """All training texts joined into one string, with gold spans as offsets into it.

    Joining lets one regex scan per row cover every article, which keeps the check fast.
    """

    text: str
    gold_by_span: dict[tuple[int, int], str]
    starts: list[int]  # gold starts, sorted, for overlap look-ups
    spans_by_start: list[tuple[int, int]]
    longest_span: int


def read_gazetteer(path: Path) -> tuple[list[Row], list[str]]:
    """The rows of the file and a list of format problems (empty when the file is well formed)."""
    problems: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != ["name", "label", "mode"]:
            problems.append(f"{path}: header is {header}, expected name,label,mode")
        rows = [Row(*fields) for fields in reader if len(fields) == 3]
    names = [row.name for row in rows]
    if names != sorted(names):
        problems.append(f"{path}: rows are not sorted by name (sort with Python's sorted order)")
    for name, count in Counter(names).items():
        if count > 1:
            problems.append(f"{path}: '{name}' appears {count} times; keep one row per surface form")
    for row in rows:
        if row.label not in LABELS or row.mode not in MODES:
            problems.append(f"{path}: '{row.name}' has label {row.label!r} / mode {row.mode!r}; "
                            f"use one of {LABELS} / {MODES}")
        if row.name != row.name.strip() or not row.name:
            problems.append(f"{path}: '{row.name}' has surrounding spaces or is empty")
    return rows, problems


def read_training_corpus(shared: Path) -> Corpus:
    """Join the training articles of both press sets; never read past the last training line."""
    parts: list[str] = []
    gold: dict[tuple[int, int], str] = {}
    offset = 0
    for folder, train_lines in TRAIN_SPLITS:
        with (shared / folder / "articles.jsonl").open(encoding="utf-8") as articles, \
                (shared / folder / "gold.jsonl").open(encoding="utf-8") as golds:
            for article_line, gold_line in islice(zip(articles, golds), train_lines):
                text = json.loads(article_line)["text"]
                for entity in json.loads(gold_line)["entities"]:
                    gold[(offset + entity["start"], offset + entity["end"])] = entity["label"]
                parts.append(text)
                offset += len(text) + len(SEPARATOR)
    spans = sorted(gold)
    return Corpus(
        text=SEPARATOR.join(parts),
        gold_by_span=gold,
        starts=[start for start, _ in spans],
        spans_by_start=spans,
        longest_span=max((end - start for start, end in spans), default=0),
    )


def classify(corpus: Corpus, start: int, end: int, label: str) -> str:
    """hit / label / boundary / unmarked for one occurrence (see the module docstring)."""
    gold_label = corpus.gold_by_span.get((start, end))
    if gold_label is not None:
        return "hit" if gold_label == label else "label"
    low = bisect_left(corpus.starts, start - corpus.longest_span)
    high = bisect_right(corpus.starts, end - 1)
    for gold_start, gold_end in corpus.spans_by_start[low:high]:
        if gold_start < end and gold_end > start:
            return "boundary"
    return "unmarked"


def whole_word_occurrences(text: str, name: str) -> list[int]:
    """Start offsets of `name` in `text` with no word character directly before or after.

    A plain substring search with the edges checked by hand is many times faster than a regex
    with look-arounds, which Python cannot start with a fast literal scan.
    """
    starts = []
    position = text.find(name)
    while position != -1:
        end = position + len(name)
        before_ok = position == 0 or not WORD_CHAR.match(text[position - 1])
        after_ok = end == len(text) or not WORD_CHAR.match(text[end])
        if before_ok and after_ok:
            starts.append(position)
        position = text.find(name, position + 1)
    return starts


def row_outcomes(corpus: Corpus, row: Row) -> dict[int, str]:
    """Start offset -> outcome for every whole-word, case-sensitive occurrence of the row's name."""
    return {start: classify(corpus, start, start + len(row.name), row.label)
            for start in whole_word_occurrences(corpus.text, row.name)}


def matcher_winners(rows: list[Row], outcomes: list[dict[int, str]],
                    text_length: int) -> set[tuple[int, int]]:
    """(row index, start) of the `add` occurrences a longest-first phrase matcher would keep."""
    candidates = sorted(
        ((-len(row.name), start, index) for index, (row, found) in enumerate(zip(rows, outcomes))
         if row.mode == "add" for start in found),
    )
    taken = bytearray(text_length)
    winners = set()
    for negative_length, start, index in candidates:
        end = start - negative_length
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            winners.add((index, start))
    return winners


def precision(counts: Counter) -> float | None:
    """Hits over occurrences, None when the name never occurs."""
    occurrences = sum(counts.values())
    return counts["hit"] / occurrences if occurrences else None


def relabel_precision(counts: Counter) -> float | None:
    """Of the occurrences with a gold span of exactly this text, the share with the row's label."""
    exact = counts["hit"] + counts["label"]
    return counts["hit"] / exact if exact else None


def is_low(row: Row, counts: Counter) -> bool:
    """Flag rows that would tag wrongly too often to be trusted.

    An `add` row is judged on all its occurrences; a `relabel` row only acts on a span the model
    already found with exactly its text, so it is judged on the occurrences with such a gold span.
    """
    if row.mode == "relabel":
        value, base = relabel_precision(counts), counts["hit"] + counts["label"]
    else:
        value, base = precision(counts), sum(counts.values())
    return value is not None and base >= MIN_FLAGGED_OCCURRENCES and value < LOW_PRECISION


def report(rows: list[Row], results: list[Counter], kept: list[Counter], show_all: bool) -> None:
    """Per-row lines, then totals per mode and label, then the phrase-matcher view."""
    print(f"{'name':<42} {'label':<5} {'mode':<7} {'occ':>5} {'hit':>5} {'label':>5} "
          f"{'bound':>5} {'unmk':>5} {'prec':>6} {'relab':>6} {'kept':>5} {'k-prec':>6}")
    for row, counts, kept_counts in zip(rows, results, kept):
        occurrences = sum(counts.values())
        if not occurrences and not show_all:
            continue
        value, relab, kept_value = precision(counts), relabel_precision(counts), precision(kept_counts)
        print(f"{row.name:<42} {row.label:<5} {row.mode:<7} {occurrences:>5} {counts['hit']:>5} "
              f"{counts['label']:>5} {counts['boundary']:>5} {counts['unmarked']:>5} "
              f"{'' if value is None else f'{value:.3f}':>6} {'' if relab is None else f'{relab:.3f}':>6} "
              f"{sum(kept_counts.values()):>5} {'' if kept_value is None else f'{kept_value:.3f}':>6}"
              f"{'  LOW' if is_low(row, counts) else ''}")
    print()
    for mode in MODES:
        for label in (*LABELS, "all"):
            chosen = [c for r, c in zip(rows, results) if r.mode == mode and label in (r.label, "all")]
            if not chosen:
                continue
            total = sum(chosen, Counter())
            occurrences = sum(total.values())
            value, relab = precision(total), relabel_precision(total)
            print(f"total {mode:<7} {label:<4} rows={len(chosen):>4} found={sum(1 for c in chosen if c):>4} "
                  f"occ={occurrences:>6} hit={total['hit']:>6} label={total['label']:>5} "
                  f"boundary={total['boundary']:>5} unmarked={total['unmarked']:>5} "
                  f"precision={'n/a' if value is None else f'{value:.3f}'} "
                  f"relabel-precision={'n/a' if relab is None else f'{relab:.3f}'}")
    matched = sum((c for r, c in zip(rows, kept) if r.mode == "add"), Counter())
    print(f"matcher add  all  occ={sum(matched.values()):>6} hit={matched['hit']:>6} "
          f"label={matched['label']:>5} boundary={matched['boundary']:>5} unmarked={matched['unmarked']:>5} "
          f"precision={precision(matched) or 0:.3f}")
    print(f"rows flagged LOW: {sum(1 for r, c in zip(rows, results) if is_low(r, c))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gazetteer", type=Path, default=GAZETTEER)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--all", action="store_true", help="also list rows that never occur")
    args = parser.parse_args(argv)
    rows, problems = read_gazetteer(args.gazetteer)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not (args.shared / TRAIN_SPLITS[0][0]).is_dir():
        print(f"{args.shared / TRAIN_SPLITS[0][0]} not found: pass --shared with the folder that "
              "holds data/press-annotated-v2", file=sys.stderr)
        return 2
    corpus = read_training_corpus(args.shared)
    outcomes = [row_outcomes(corpus, row) for row in rows]
    winners = matcher_winners(rows, outcomes, len(corpus.text))
    results = [Counter(found.values()) for found in outcomes]
    kept = [Counter(outcome for start, outcome in found.items() if (index, start) in winners)
            for index, found in enumerate(outcomes)]
    report(rows, results, kept, args.all)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
