"""Compare our dates stage with dateparser's search_dates on our test set and on press-annotated.

Prints, per set, span precision/recall/F1 (overlap), value F1 and value accuracy for both systems,
then our throughput on press text. dateparser (==1.5.0) is a dev/bench-only dependency.

    .venv/bin/python tools/compare_dates.py [--no-dateparser] [--errors N] [--bench-words N]

Scoring: a system timex matches a gold timex when their spans overlap (each used once). Span F1
counts matches; value F1 counts only matches whose value is also right; value accuracy is the
share of matched pairs with the right value; negFP counts dates found in rows that must have none.
Gold `null` values (no DCT) are compared as "". dateparser only returns a datetime, so its value
is written as a day, a year (surface is a bare year) or a day and time (surface has a clock time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.dates import extract_dates  # noqa: E402
from pipeline.records import Field  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class Item:
    """One text with its DCT and gold (start, end, value) triples."""

    name: str
    text: str
    published: dt.date | None
    gold: tuple[tuple[int, int, str], ...]


@dataclass
class Score:
    system: int = 0
    gold: int = 0
    matched: int = 0
    right: int = 0
    negative_hits: int = 0

    def figures(self) -> dict[str, float]:
        """P/R/F1 of overlapping spans, value F1 and accuracy, and dates found in negative rows."""
        p = self.matched / self.system if self.system else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        vp = self.right / self.system if self.system else 0.0
        vr = self.right / self.gold if self.gold else 0.0
        return {
            "P": p,
            "R": r,
            "F1": 2 * p * r / (p + r) if p + r else 0.0,
            "valueF1": 2 * vp * vr / (vp + vr) if vp + vr else 0.0,
            "valueAcc": self.right / self.matched if self.matched else 0.0,
            "negFP": self.negative_hits,
        }


CASES_FILE = ROOT / "tests" / "dates_cases.tsv"


def test_items() -> list[Item]:
    """tests/dates_cases.tsv: id, published, text, expected as `span=value[|MOD]; ...`."""
    items = []
    for line in CASES_FILE.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        case_id, published, text, expected = line.split("\t")
        cursor, gold = 0, []
        for entry in filter(None, (e.strip() for e in expected.split(";"))):
            surface, value = entry.rsplit("=", 1)
            start = text.index(surface, cursor)
            cursor = start + len(surface)
            gold.append((start, cursor, value.split("|")[0]))
        day = dt.date.fromisoformat(published) if published != "-" else None
        items.append(Item(case_id, text, day, tuple(gold)))
    return items


def press_items() -> list[Item]:
    folder = SHARED / "press-annotated"
    articles = [json.loads(line) for line in (folder / "articles.jsonl").open(encoding="utf-8")]
    golds = [json.loads(line) for line in (folder / "gold.jsonl").open(encoding="utf-8")]
    items = []
    for article, gold in zip(articles, golds):
        published = dt.date.fromisoformat(article["published"]) if article.get("published") else None
        triples = tuple((t["start"], t["end"], t["value"] or "") for t in gold["timexes"])
        items.append(Item(article["id"], article["text"], published, triples))
    return items


def ours(item: Item) -> list[tuple[int, int, str]]:
    return [(t.start, t.end, t.value) for t in extract_dates(item.text, Field.BODY, item.published)]


def dateparser_system():
    from dateparser.search import search_dates

    def run(item: Item) -> list[tuple[int, int, str]]:
        settings = (
            {"RELATIVE_BASE": dt.datetime.combine(item.published, dt.time(12))} if item.published else {}
        )
        found = search_dates(item.text, languages=["nl"], settings=settings) or []
        spans, cursor = [], 0
        for surface, moment in found:
            start = item.text.find(surface, cursor)
            if start < 0:
                continue
            cursor = start + len(surface)
            spans.append((start, cursor, dateparser_value(surface, moment)))
        return spans

    return run


def dateparser_value(surface: str, moment: dt.datetime) -> str:
    """dateparser returns a datetime; write it at the granularity the surface suggests."""
    if re.search(r"\d[.:u]\d\d|uur", surface):
        return moment.strftime("%Y-%m-%dT%H:%M")
    if re.fullmatch(r"\s*\d{4}\s*", surface):
        return str(moment.year)
    return moment.date().isoformat()


def score(items: list[Item], system, errors: list | None = None) -> Score:
    total = Score()
    for item in items:
        predicted = system(item)
        total.system += len(predicted)
        total.gold += len(item.gold)
        if not item.gold:
            total.negative_hits += len(predicted)
        used: set[int] = set()
        for gs, ge, gv in item.gold:
            hit = next(
                (i for i, (ps, pe, _) in enumerate(predicted) if i not in used and ps < ge and gs < pe), None
            )
            if hit is None:
                if errors is not None:
                    errors.append(("MISS", item, (gs, ge, gv), None))
                continue
            used.add(hit)
            total.matched += 1
            if predicted[hit][2] == gv:
                total.right += 1
            elif errors is not None:
                errors.append(("VALUE", item, (gs, ge, gv), predicted[hit]))
        if errors is not None:
            errors.extend(("FALSE", item, None, p) for i, p in enumerate(predicted) if i not in used)
    return total


def show_errors(errors: list, limit: int) -> None:
    for kind, item, gold, pred in errors[:limit]:
        where = gold or pred
        context = item.text[max(0, where[0] - 60) : where[1] + 40].replace("\n", " ")
        g = f"gold {item.text[gold[0] : gold[1]]!r}={gold[2]}" if gold else ""
        p = f"ours {item.text[pred[0] : pred[1]]!r}={pred[2]}" if pred else ""
        print(f"  {kind:5} {item.published} {g} {p}\n        …{context}…")


def words_per_second(n_words: int) -> tuple[float, float, int]:
    """Words per second of wall time and of CPU time (the machine may be shared)."""
    path = SHARED / "press-bench" / "articles.jsonl.gz"
    texts: list[tuple[str, dt.date | None]] = []
    words = 0
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = record.get("text") or ""
            published = dt.date.fromisoformat(record["published"]) if record.get("published") else None
            texts.append((text, published))
            words += len(text.split())
            if words >= n_words:
                break
    started, cpu_started = time.perf_counter(), time.process_time()
    for text, published in texts:
        extract_dates(text, Field.BODY, published)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return words / wall, words / cpu, words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-dateparser", action="store_true", help="score our stage only")
    parser.add_argument("--errors", type=int, default=0, help="print this many of our errors per set")
    parser.add_argument("--bench-words", type=int, default=300_000, help="words of press-bench to time")
    args = parser.parse_args()
    sets = {"tests/dates_cases.tsv": test_items()}
    if SHARED.exists():
        press = press_items()
        sets["press-annotated (100)"] = press
        sets["press-annotated train (first 60)"] = press[:60]
        sets["press-annotated dev (last 40)"] = press[60:]
    else:
        print("../shared not found: press-annotated and the speed test are skipped")
    systems = {"ours": ours}
    if not args.no_dateparser:
        systems["dateparser"] = dateparser_system()
    header = (
        f"{'set':32} {'system':10} {'P':>6} {'R':>6} {'F1':>6} {'valF1':>6} {'valAcc':>6} "
        f"{'n_gold':>6} {'negFP':>6}"
    )
    print(header)
    for set_name, items in sets.items():
        for system_name, system in systems.items():
            errors: list | None = [] if system_name == "ours" and args.errors else None
            figures = score(items, system, errors).figures()
            print(
                f"{set_name:32} {system_name:10} "
                + " ".join(f"{figures[k]:6.3f}" for k in ("P", "R", "F1", "valueF1", "valueAcc"))
                + f" {sum(len(i.gold) for i in items):6d} {figures['negFP']:6d}"
            )
            if errors:
                show_errors(errors, args.errors)
    if SHARED.exists() and args.bench_words:
        wall_rate, cpu_rate, words = words_per_second(args.bench_words)
        print(
            f"speed: {cpu_rate:,.0f} words/s CPU time ({wall_rate:,.0f} words/s wall) on the first "
            f"{words:,} words of press-bench, one process"
        )


if __name__ == "__main__":
    main()
