"""Evaluate the NER stage (pipeline/ner.py) on running text: strict entity-level P/R/F1.

Sets scored by default (when ../shared is present):
  * conll-testa: CoNLL-2002 ned.testa, detokenised into paragraphs of running text (PER ORG LOC MISC)
  * press-dev:   the last 40 press-annotated articles (PER ORG LOC; MISC ignored on both sides)
  * press-v2-dev: the last 100 press-annotated-v2 articles (PER ORG LOC; MISC ignored)
Extra files may be passed: CoNLL files (`token ... tag`, IOB) or press-annotated articles.jsonl
(its gold.jsonl beside it). A match needs identical start, end and label.

CoNLL sets are scored twice: as the pipeline tags them, and with our one documented convention that
contradicts CoNLL-2002 mapped back to CoNLL's (`conll_compounds`): our guidelines mark the name
inside a hyphen compound ("D66-fractieleider" -> ORG "D66"), CoNLL marks the whole compound MISC.

    python tools/evaluate_ner.py [--model models/nl_press_ner] [--shared ../shared] [FILE ...]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.ner import EntityRecognizer  # noqa: E402
from train_ner import AnnotatedText, conll_texts, press_dev, press_v2_dev  # noqa: E402

ALL_LABELS = ("PER", "ORG", "LOC", "MISC")
PRESS_LABELS = ("PER", "ORG", "LOC")
COMPOUND_TAIL = re.compile(r"-[^\W\d_A-Z]\w*(?:-\w+)*")  # "-aandelen" after "Sabena"
COMPOUND_HEAD = re.compile(r"(?<![\w-])[^\W\d_A-Z]\w*-$")  # "ex-" before "Studio Brussel"
COMPOUND_HEAD_CHARS = 40  # looked for just before a span, not from the start of the text each time


@dataclass(frozen=True)
class EvalSet:
    """Texts with gold spans and the labels that count."""

    name: str
    texts: list[AnnotatedText]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Scores:
    """True positives, predicted and gold counts per label."""

    tp: Counter
    predicted: Counter
    gold: Counter


def prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (0 when undefined)."""
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def predict(recognizer: EntityRecognizer, texts: Sequence[AnnotatedText]) -> tuple[list[set], float, int]:
    """Run the NER stage on each text as a body field; return predicted spans, CPU seconds, words.

    Speed is CPU time of this (single-threaded) process, so other jobs on the machine do not skew it.
    """
    started = time.process_time()
    results = recognizer.recognise([("", item.text) for item in texts])
    seconds = time.process_time() - started
    predicted = [{(m.start, m.end, m.label.value) for m in mentions} for mentions in results]
    return predicted, seconds, sum(len(item.text.split()) for item in texts)


def conll_compounds(text: str, spans: set) -> set:
    """Our spans in CoNLL-2002's convention for names in hyphen compounds: the whole compound, MISC.

    Our guidelines (press-annotated README) tag the name: "Sabena-aandelen" -> ORG "Sabena",
    "ex-Studio Brussel" -> ORG "Studio Brussel". CoNLL-2002 tags such a word MISC as a whole (384
    of the 451 capitalised hyphen compounds in ned.train; 40 are LOC or ORG, "Fiji-eilanden", and
    27 no name, "T-shirt").
    A span directly followed by a lower-case compound tail, or preceded by a lower-case head, is
    widened over the compound and labelled MISC; every other span stays as it is.
    """
    mapped = set()
    for start, end, label in spans:
        tail = COMPOUND_TAIL.match(text, end)
        head = COMPOUND_HEAD.search(text, max(0, start - COMPOUND_HEAD_CHARS), start)
        if tail or head:
            start, end, label = head.start() if head else start, tail.end() if tail else end, "MISC"
        mapped.add((start, end, label))
    return mapped


def score(eval_set: EvalSet, predicted: Sequence[set]) -> Scores:
    """Strict matching of (start, end, label) restricted to the set's labels."""
    tp, n_pred, n_gold = Counter(), Counter(), Counter()
    for item, guesses in zip(eval_set.texts, predicted):
        gold = {span for span in item.spans if span[2] in eval_set.labels}
        guesses = {span for span in guesses if span[2] in eval_set.labels}
        for _, _, label in gold & guesses:
            tp[label] += 1
        n_pred.update(label for _, _, label in guesses)
        n_gold.update(label for _, _, label in gold)
    return Scores(tp, n_pred, n_gold)


def table(eval_set: EvalSet, scores: Scores, words: int, seconds: float) -> str:
    """A readable per-label and micro-averaged table."""
    lines = [f"== {eval_set.name}: {len(eval_set.texts)} texts, {words} words, {words / seconds:,.0f} words/CPU-s",
             f"{'label':<7}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}{'pred':>7}{'tp':>7}"]
    rows = [(label, scores.tp[label], scores.predicted[label], scores.gold[label]) for label in eval_set.labels]
    rows.append(("micro", sum(scores.tp.values()), sum(scores.predicted.values()), sum(scores.gold.values())))
    for label, tp, n_pred, n_gold in rows:
        p, r, f = prf(tp, n_pred, n_gold)
        lines.append(f"{label:<7}{p:>7.3f}{r:>7.3f}{f:>7.3f}{n_gold:>7}{n_pred:>7}{tp:>7}")
    return "\n".join(lines)


def load_file(path: Path) -> EvalSet:
    """A CoNLL file, or a press-annotated-style articles.jsonl with gold.jsonl beside it."""
    if path.suffix == ".jsonl":
        gold_path = path.with_name("gold.jsonl")
        articles = [json.loads(line) for line in path.open(encoding="utf-8")]
        golds = [json.loads(line) for line in gold_path.open(encoding="utf-8")]
        texts = [
            AnnotatedText(a["text"], tuple((e["start"], e["end"], e["label"]) for e in g["entities"]))
            for a, g in zip(articles, golds, strict=True)
            if g.get("lang", "nl") == "nl"
        ]
        return EvalSet(str(path), texts, PRESS_LABELS)
    return EvalSet(str(path), conll_texts(path), ALL_LABELS)


def default_sets(shared: Path) -> list[EvalSet]:
    """ned.testa as running text and the press dev articles, when the shared data is there."""
    if not shared.is_dir():
        print(f"shared data not found at {shared}: only files given on the command line are scored")
        return []
    return [
        EvalSet("conll-testa (running text)", conll_texts(shared / "data/ner/conll2002-nl/ned.testa"), ALL_LABELS),
        EvalSet("press-dev (last 40, MISC ignored)", press_dev(shared), PRESS_LABELS),
        EvalSet("press-v2-dev (last 100, MISC ignored)", press_v2_dev(shared), PRESS_LABELS),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="extra CoNLL or press-annotated articles.jsonl files")
    parser.add_argument("--model", type=Path, default=REPO / "models" / "nl_press_ner")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--no-defaults", action="store_true", help="score only the files given")
    args = parser.parse_args(argv)
    recognizer = EntityRecognizer.load(args.model)
    print(f"model {args.model} (fingerprint {recognizer.fingerprint})")
    sets = ([] if args.no_defaults else default_sets(args.shared)) + [load_file(path) for path in args.files]
    if sets:
        recognizer.recognise([("", item.text) for item in sets[0].texts[:20]])  # warm-up, not timed
    total_words, total_seconds = 0, 0.0
    for eval_set in sets:
        predicted, seconds, words = predict(recognizer, eval_set.texts)
        total_words += words
        total_seconds += seconds
        print(table(eval_set, score(eval_set, predicted), words, seconds), end="\n\n")
        if "MISC" in eval_set.labels:
            in_conll_convention = [conll_compounds(item.text, spans) for item, spans in zip(eval_set.texts, predicted)]
            mapped = EvalSet(f"{eval_set.name}, names in hyphen compounds as CoNLL's MISC", eval_set.texts, eval_set.labels)
            print(table(mapped, score(mapped, in_conll_convention), words, seconds), end="\n\n")
    if total_seconds:
        print(f"NER speed: {total_words / total_seconds:,.0f} words per CPU second over {total_words} words "
              "(whitespace-separated words, one process; set OMP_NUM_THREADS=1)")


if __name__ == "__main__":
    main()
