"""Score within-article alias resolution on the annotated press set (pairwise, over mentions).

Also scores place resolution on our own place test set (tests/places_cases.csv) and on our gold
place mentions in the annotated press (tests/places_gold.csv: article id, offsets, mention and the
GeoNames/ISO code we chose by hand, '-' where the right answer is to leave the name unresolved:
streets, buildings, districts, places the gazetteer lacks). Each gold article is linked as in a
run (all its gold mentions, its outlet's country) and the entity of the gold span is compared.

Cross-article linking is scored on our pairs (tests/entity_pairs_gold.csv): two mentions from
different press-bench articles (doc_id, field, start, end, mention text as the shipped model finds
it), our decision 'same' or 'different' real-world thing, the kind of difficulty and our reason.
The articles of the pairs (a few hundred) are taken from press-bench and run through the whole
pipeline (`run`, one worker) as one small corpus; a pair is linked when both mentions got one
entity_id. Precision/recall/F1 are those of 'same' over the pairs; a gold mention the run did not
find counts as not linked and is listed.

Usage: python tools/evaluate_entities.py [--data ../shared/data/press-annotated] [--split dev|train|all]
                                         [--ner models/nl_press_ner] [--bench ../shared/data/press-bench/articles.jsonl.gz]
                                         [--errors]

Input mentions are the gold mentions (their offsets, text and label); the system's clustering is
the entity_id that link_mentions gives each one; the gold clustering is the `canonical` field.
A pair of mentions of one article counts as linked when both are in one cluster. Precision and
recall are over those pairs, summed over articles. With --ner, mentions found by pipeline.ner are
scored too: a found mention takes part only where its span matches a gold span exactly (its gold
cluster is that span's), but all found mentions are linked together, as in a real run.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import json
import tempfile
import sys
import time
from collections import defaultdict
from itertools import combinations, product
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.entities import curated_alias_rules, default_place_resolver, link_mentions, outlet_country  # noqa: E402
from pipeline.entities.places import place_code  # noqa: E402
from pipeline.config import DEFAULT_MODEL  # noqa: E402
from pipeline.records import Field, Label, Mention  # noqa: E402

PLACE_CASES = REPO / "tests" / "places_cases.csv"
PLACE_GOLD = REPO / "tests" / "places_gold.csv"
PAIR_GOLD = REPO / "tests" / "entity_pairs_gold.csv"
TRAIN_ARTICLES = 60  # the data README: first 60 lines for training, last 40 for development
LABEL_SETS = (("PER+ORG+LOC", frozenset({Label.PER, Label.ORG, Label.LOC})), ("all labels", frozenset(Label)))


def gold_mentions(gold: dict) -> tuple[list[Mention], list[str]]:
    """Mentions of an annotated article and the gold cluster (label + canonical) of each."""
    mentions, clusters = [], []
    for entity in sorted(gold["entities"], key=lambda e: (e["start"], e["end"])):
        label = Label(entity["label"])
        mentions.append(Mention(Field.BODY, entity["start"], entity["end"], entity["text"], label, 0))
        clusters.append(f"{label.value}|{entity['canonical']}")
    return mentions, clusters


def ner_mentions(
    texts: list[str], gold_articles: list[dict], model: Path,
) -> list[tuple[list[Mention], list[str | None]]]:
    """Mentions the NER model finds in each text, each with the gold cluster of its span (None if no gold span)."""
    from pipeline.ner import EntityRecognizer

    found = EntityRecognizer.load(model).recognise([("", text) for text in texts])
    articles = []
    for mentions, gold in zip(found, gold_articles, strict=True):
        clusters = {(e["start"], e["end"]): f"{e['label']}|{e['canonical']}" for e in gold["entities"]}
        body = [m for m in mentions if m.field is Field.BODY]
        articles.append((body, [clusters.get((m.start, m.end)) for m in body]))
    return articles


def linked_pairs(clusters: list[str]) -> set[tuple[int, int]]:
    """Index pairs (i < j) of mentions in one cluster."""
    members = defaultdict(list)
    for index, cluster in enumerate(clusters):
        members[cluster].append(index)
    return {pair for group in members.values() for pair in combinations(group, 2)}


def score(articles: list[tuple[list[Mention], list[str | None]]], labels: frozenset[Label]) -> dict:
    """Pairwise precision/recall of the linking over mentions with one of `labels`."""
    rules = curated_alias_rules()
    places = default_place_resolver()
    true_positive = predicted = expected = 0
    errors = []
    elapsed = 0.0
    for mentions, gold in articles:
        started = time.perf_counter()
        linked = link_mentions(mentions, rules, places)
        elapsed += time.perf_counter() - started
        keep = [i for i, m in enumerate(mentions) if m.label in labels and gold[i] is not None]
        system = linked_pairs([linked[i].entity_id for i in keep])
        truth = linked_pairs([gold[i] for i in keep])
        true_positive += len(system & truth)
        predicted += len(system)
        expected += len(truth)
        for i, j in sorted(system - truth):
            first, second = mentions[keep[i]].text, mentions[keep[j]].text
            errors.append(f"wrong merge: {first!r} + {second!r} -> {linked[keep[i]].canonical!r}")
        for i, j in sorted(truth - system):
            errors.append(f"missed: {mentions[keep[i]].text!r} + {mentions[keep[j]].text!r} (gold {gold[keep[i]]!r})")
    return {
        "precision": true_positive / predicted if predicted else 1.0,
        "recall": true_positive / expected if expected else 1.0,
        "pairs_gold": expected, "pairs_system": predicted, "true_positive": true_positive,
        "ms_per_article": 1000 * elapsed / max(len(articles), 1),
        "errors": errors,
    }


def score_places(cases_file: Path) -> tuple[int, list[str]]:
    """Number of place cases and the ones not resolved to the intended GeoNames entry, country or region."""
    places = default_place_resolver()
    with cases_file.open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    wrong = []
    for case in cases:
        place = places.resolve(case["mention"])
        if place is None or place.code != case["expected"]:
            wrong.append(f"{case['mention']}: {place.code if place else 'unresolved'} (expected {case['intended']})")
    return len(cases), wrong


def score_place_gold(gold_file: Path, data_roots: dict[str, Path]) -> tuple[int, list[str]]:
    """Number of gold place mentions and the ones whose entity is not the gold place."""
    with gold_file.open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle))
    articles, golds = {}, {}
    for dataset in sorted({c["dataset"] for c in cases}):
        root = data_roots[dataset]
        lines = zip((root / "articles.jsonl").read_text(encoding="utf-8").splitlines(),
                    (root / "gold.jsonl").read_text(encoding="utf-8").splitlines(), strict=True)
        for article_line, gold_line in lines:
            article = json.loads(article_line)
            articles[article["id"]], golds[article["id"]] = article, json.loads(gold_line)
    rules, places = curated_alias_rules(), default_place_resolver()
    linked_by_doc = {}
    for doc_id in sorted({c["doc_id"] for c in cases}):
        mentions, _ = gold_mentions(golds[doc_id])
        linked = link_mentions(mentions, rules, places, outlet_country(articles[doc_id].get("outlet") or ""))
        linked_by_doc[doc_id] = {(m.mention.start, m.mention.end): m.entity_id for m in linked}
    wrong = []
    for case in cases:
        entity_id = linked_by_doc[case["doc_id"]][(int(case["start"]), int(case["end"]))]
        code = place_code(entity_id)
        code = code if places.by_code(code) else "-"
        if code != case["expected"]:
            wrong.append(f"{case['doc_id']} {case['mention']!r}: {code} (expected {case['expected']})")
    return len(cases), wrong


def read_pairs(gold_file: Path) -> list[dict]:
    """The gold pairs; lines starting with '#' are the format note."""
    with gold_file.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def run_pair_articles(pairs: list[dict], bench: Path, model: Path, scratch: Path) -> list[dict[str, str]]:
    """The mentions.csv rows of a pipeline run on the pairs' articles only."""
    from pipeline import Config, run

    wanted = {p[f"{side}_doc_id"] for p in pairs for side in "ab"}
    corpus = scratch / "pairs.jsonl"
    with gzip.open(bench, "rt", encoding="utf-8") as lines, corpus.open("w", encoding="utf-8") as sample:
        sample.writelines(line for line in lines if json.loads(line)["id"] in wanted)
    run(Config(corpus=corpus, out=scratch / "out", model=model, workers=1, progress=False))
    with (scratch / "out" / "mentions.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def overlapping(span: tuple, rows: list[dict[str, str]]) -> list[str]:
    """The run's mentions that overlap a gold span it did not find: where a new model moved the bounds,
    the gold span is re-taken by hand when the mention still stands for the same thing."""
    doc_id, field, start, end = span
    return [f"{m['text']!r} {m['label']} {m['start']}-{m['end']}" for m in rows
            if (m["doc_id"], m["field"]) == (doc_id, field) and int(m["start"]) < int(end) and int(start) < int(m["end"])]


def score_pairs(pairs: list[dict], entity_of: dict[tuple, str]) -> dict:
    """Pairwise precision/recall/F1 of 'same entity_id' against our same/different decisions."""
    true_positive = predicted = expected = 0
    errors, missing = [], set()
    for pair in pairs:
        spans = [tuple(pair[f"{side}_{key}"] for key in ("doc_id", "field", "start", "end")) for side in "ab"]
        missing.update(span for span in spans if span not in entity_of)
        linked = all(span in entity_of for span in spans) and entity_of[spans[0]] == entity_of[spans[1]]
        same = pair["decision"] == "same"
        true_positive += linked and same
        predicted += linked
        expected += same
        if linked != same:
            errors.append(f"{'wrong merge' if linked else 'missed'} ({pair['kind']}): {pair['a_text']!r} "
                          f"{pair['a_doc_id']} + {pair['b_text']!r} {pair['b_doc_id']}: {pair['reason']}")
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / expected if expected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(pairs), "same": expected, "linked": predicted, "correct": true_positive,
            "precision": precision, "recall": recall, "f1": f1, "errors": errors, "missing": sorted(missing)}


def report_pairs(bench: Path, model: Path, show_errors: bool) -> None:
    pairs = read_pairs(PAIR_GOLD)
    with tempfile.TemporaryDirectory(prefix="entity-pairs-") as scratch:
        rows = run_pair_articles(pairs, bench, model, Path(scratch))
    entity_of = {(m["doc_id"], m["field"], m["start"], m["end"]): m["entity_id"] for m in rows}
    result = score_pairs(pairs, entity_of)
    print(f"cross-article pairs ({PAIR_GOLD.relative_to(REPO)}): {result['pairs']} pairs, {result['same']} same; "
          f"linked {result['linked']}, correct {result['correct']}: precision {result['precision']:.4f} "
          f"recall {result['recall']:.4f} F1 {result['f1']:.4f}; gold mentions not found by the run: "
          f"{len(result['missing'])}")
    if show_errors:
        print("\n".join("  " + e for e in result["errors"]))
        print("\n".join(f"  not found: {span}; the run has {overlapping(span, rows) or 'nothing there'}"
                        for span in result["missing"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "press-annotated")
    parser.add_argument("--split", choices=("dev", "train", "all"), default="dev")
    parser.add_argument("--errors", action="store_true", help="list wrong merges and missed links")
    parser.add_argument("--ner", type=Path, help="also score on the mentions this NER model finds")
    parser.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "data" / "press-bench" / "articles.jsonl.gz",
                        help="press-bench articles, for the cross-article pairs (skipped when absent)")
    parser.add_argument("--pairs-only", action="store_true", help="score only the cross-article pairs")
    args = parser.parse_args()
    if args.bench.is_file():
        report_pairs(args.bench, args.ner or DEFAULT_MODEL, args.errors)
    else:
        print(f"cross-article pairs skipped: {args.bench} not found (pass --bench)")
    if args.pairs_only:
        return 0
    golds = [json.loads(line) for line in (args.data / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    chosen = {"dev": golds[TRAIN_ARTICLES:], "train": golds[:TRAIN_ARTICLES], "all": golds}[args.split]
    chosen = [g for g in chosen if g["entities"]]
    runs = [("gold mentions", [gold_mentions(g) for g in chosen])]
    if args.ner:
        texts = {json.loads(line)["id"]: json.loads(line)["text"]
                 for line in (args.data / "articles.jsonl").read_text(encoding="utf-8").splitlines()}
        found = ner_mentions([texts[g["id"]] for g in chosen], chosen, args.ner)
        runs.append((f"NER mentions ({args.ner.name})", found))
    started = time.perf_counter()
    default_place_resolver()  # load the gazetteer before timing link_mentions
    print(f"place resolver built in {time.perf_counter() - started:.2f} s")
    for (source, articles), (name, labels) in product(runs, LABEL_SETS):
        result = score(articles, labels)
        matched = sum(cluster is not None for _, clusters in articles for cluster in clusters)
        total = sum(len(clusters) for _, clusters in articles)
        print(f"{args.split} ({len(articles)} articles), {source} ({matched} of {total} on a gold span), {name}: "
              f"precision {result['precision']:.4f} "
              f"recall {result['recall']:.4f} (gold pairs {result['pairs_gold']}, system pairs "
              f"{result['pairs_system']}, correct {result['true_positive']}); "
              f"link_mentions {result['ms_per_article']:.3f} ms/article")
        if args.errors:
            print("\n".join("  " + e for e in result["errors"]))
    n_cases, wrong = score_places(PLACE_CASES)
    print(f"places ({PLACE_CASES.relative_to(REPO)}): {n_cases - len(wrong)} of {n_cases} resolved right "
          f"({(n_cases - len(wrong)) / n_cases:.1%})")
    if args.errors:
        print("\n".join("  " + e for e in wrong))
    roots = {"press-annotated": args.data, "press-annotated-v2": args.data.parent / "press-annotated-v2"}
    n_gold, wrong_gold = score_place_gold(PLACE_GOLD, roots)
    print(f"place mentions ({PLACE_GOLD.relative_to(REPO)}): {n_gold - len(wrong_gold)} of {n_gold} right "
          f"({(n_gold - len(wrong_gold)) / n_gold:.1%})")
    if args.errors:
        print("\n".join("  " + e for e in wrong_gold))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
