"""Error report for the NER stage on a dev split: what kind of mistakes, and where to push.

For one dev split (press-dev, press-v2-dev or CoNLL's conll-testa) it prints:
  * strict P/R/F1 per label (press: PER, ORG, LOC, MISC ignored on both sides, as in
    evaluate_ner; conll-testa: all four labels);
  * recall on gold names seen in training (same text, any label) vs names never seen;
  * every error put in exactly one class:
      - label:    same span, other label              ("Panasonic" ORG tagged MISC)
      - boundary: overlapping span, same label         ("Luc Van den" for "Luc Van den hove")
      - both:     overlapping span, other label
      - missed:   a gold name no prediction overlaps
      - spurious: a prediction no gold name overlaps
  * the most frequent errors with a little context.

    python tools/ner_errors.py [--split press-dev|press-v2-dev|conll-testa] [--model models/nl_press_ner] [--top 30]
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

from evaluate_ner import ALL_LABELS, PRESS_LABELS, EvalSet, predict, score, table  # noqa: E402
from pipeline.ner import EntityRecognizer  # noqa: E402
from train_ner import (  # noqa: E402
    CONLL_DIR,
    AnnotatedText,
    conll_texts,
    press_dev,
    press_train,
    press_v2_dev,
    press_v2_train,
    wikineural_texts,
)

SPLITS = {
    "press-dev": (press_dev, PRESS_LABELS),
    "press-v2-dev": (press_v2_dev, PRESS_LABELS),
    "conll-testa": (lambda shared: conll_texts(shared / CONLL_DIR / "ned.testa"), ALL_LABELS),
}
CONTEXT_CHARS = 30

Triple = tuple[int, int, str]


@dataclass(frozen=True)
class Error:
    """One mistake: its class, the gold and predicted span texts, and where it happened."""

    kind: str
    gold: str
    gold_label: str
    predicted: str
    predicted_label: str
    context: str


def overlaps(a: Triple, b: Triple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def classify(text: str, gold: set[Triple], predicted: set[Triple]) -> list[Error]:
    """Each gold span without an exact match, and each unmatched prediction, as one Error.

    A gold span is judged against the first overlapping prediction; predictions that overlap
    some gold span are accounted for by that span's error, the rest are spurious.
    """
    errors = []
    exact = gold & predicted
    for span in sorted(gold - exact):
        partner = next((guess for guess in sorted(predicted - exact) if overlaps(span, guess)), None)
        if partner is None:
            kind, shown, label = "missed", "", ""
        else:
            same_edges = partner[:2] == span[:2]
            kind = "label" if same_edges else ("boundary" if partner[2] == span[2] else "both")
            shown, label = text[partner[0]:partner[1]], partner[2]
        errors.append(Error(kind, text[span[0]:span[1]], span[2], shown, label, context(text, span)))
    for guess in sorted(predicted - exact):
        if not any(overlaps(guess, span) for span in gold):
            errors.append(Error("spurious", "", "", text[guess[0]:guess[1]], guess[2], context(text, guess)))
    return errors


def context(text: str, span: Triple) -> str:
    left = text[max(0, span[0] - CONTEXT_CHARS):span[0]].replace("\n", " ")
    right = text[span[1]:span[1] + CONTEXT_CHARS].replace("\n", " ")
    return f"...{left}[{text[span[0]:span[1]]}]{right}..."


def training_names(shared: Path) -> set[str]:
    """Surface forms of every entity in the training data (any label), lower-cased."""
    texts: list[AnnotatedText] = conll_texts(shared / CONLL_DIR / "ned.train") + wikineural_texts(shared)
    texts += press_train(shared) + press_v2_train(shared)
    return {item.text[start:end].lower() for item in texts for start, end, _ in item.spans}


def seen_recall(eval_set: EvalSet, predicted: Sequence[set], seen: set[str]) -> dict[str, tuple[int, int]]:
    """(found, total) of scored gold names seen in training and never seen."""
    counts = {"seen": [0, 0], "unseen": [0, 0]}
    for item, guesses in zip(eval_set.texts, predicted):
        for span in item.spans:
            if span[2] not in eval_set.labels:
                continue
            bucket = counts["seen" if item.text[span[0]:span[1]].lower() in seen else "unseen"]
            bucket[1] += 1
            bucket[0] += span in guesses
    return {key: (found, total) for key, (found, total) in counts.items()}


def errors_of(eval_set: EvalSet, predicted: Sequence[set]) -> list[Error]:
    labels = set(eval_set.labels)
    found = []
    for item, guesses in zip(eval_set.texts, predicted):
        gold = {span for span in item.spans if span[2] in labels}
        # A prediction with an unscored label (MISC) counts only where it overlaps a scored gold name.
        scored = {guess for guess in guesses if guess[2] in labels or any(overlaps(guess, span) for span in gold)}
        found.extend(classify(item.text, gold, scored))
    return found


def report(errors: Iterable[Error], seen: dict[str, tuple[int, int]], top: int) -> str:
    errors = list(errors)
    kinds = Counter(error.kind for error in errors)
    lines = ["recall on gold names seen in training vs unseen:"]
    for key, (found, total) in seen.items():
        lines.append(f"  {key:<7}{found:>5} / {total:<5} = {found / total if total else 0:.3f}")
    lines.append(f"errors by class ({len(errors)} in all):")
    for kind in ("label", "boundary", "both", "missed", "spurious"):
        lines.append(f"  {kind:<9}{kinds[kind]:>5}")
    confusions = Counter(f"{e.gold_label}->{e.predicted_label}" for e in errors if e.kind in ("label", "both"))
    lines.append("label confusions: " + ", ".join(f"{key} {count}" for key, count in confusions.most_common()))
    grouped = Counter((e.kind, e.gold, e.gold_label, e.predicted, e.predicted_label) for e in errors)
    example = {(e.kind, e.gold, e.gold_label, e.predicted, e.predicted_label): e.context for e in errors}
    lines.append(f"the {top} most frequent errors (count, class, gold -> predicted, one context):")
    for key, count in grouped.most_common(top):
        kind, gold, gold_label, guess, guess_label = key
        lines.append(f"  {count:>3} {kind:<9}{gold!r} {gold_label} -> {guess!r} {guess_label}   {example[key]}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=sorted(SPLITS), default="press-v2-dev")
    parser.add_argument("--model", type=Path, default=REPO / "models" / "nl_press_ner")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        raise SystemExit(f"shared data not found at {args.shared}. Fix: pass --shared PATH to the shared data folder.")
    read_split, labels = SPLITS[args.split]
    eval_set = EvalSet(args.split, read_split(args.shared), labels)
    recognizer = EntityRecognizer.load(args.model)
    predicted, seconds, words = predict(recognizer, eval_set.texts)
    print(f"model {args.model} (fingerprint {recognizer.fingerprint})")
    print(table(eval_set, score(eval_set, predicted), words, seconds))
    seen = seen_recall(eval_set, predicted, training_names(args.shared))
    print(report(errors_of(eval_set, predicted), seen, args.top))


if __name__ == "__main__":
    main()
