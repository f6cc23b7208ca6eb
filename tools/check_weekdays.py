"""Bare weekdays resolved after the publication date, on the first N press-bench articles.

A bare weekday ("dinsdag", "dinsdagavond": no vorige/komende, no date, no clock time) takes its
direction from the sentence's tense. News mostly reports what happened, so a large share landing
after the publication date points at past-tense sentences read as future. This counts them and
prints a seeded sample with the sentence around each, for a person to judge.

    python tools/check_weekdays.py [--shared ../shared] [-n 2000] [--sample 15] [--seed 18] [--all]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.dates import extract_article_dates  # noqa: E402
from pipeline.dates.patterns import BARE_WEEKDAY  # noqa: E402
from pipeline.dates.tense import sentence_bounds  # noqa: E402
from pipeline.records import Field, TimexType  # noqa: E402

@dataclass(frozen=True)
class Found:
    """One bare weekday: where it is, what it resolved to, and the sentence around it."""

    doc_id: str
    published: dt.date
    field: Field
    text: str
    day: dt.date
    sentence: str


def bare_weekdays(path: Path, n_articles: int) -> list[Found]:
    """Every bare weekday the dates stage finds in the first n articles that have a day as DCT."""
    found: list[Found] = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for count, line in enumerate(lines):
            if count == n_articles:
                break
            record = json.loads(line)
            published = record.get("published") or ""
            if len(published) != 10:
                continue
            dct = dt.date.fromisoformat(published)
            title, body = record.get("title") or "", record.get("text") or ""
            for timex in extract_article_dates(title, body, dct):
                if timex.type not in (TimexType.DATE, TimexType.TIME) or timex.date_start is None:
                    continue
                if not BARE_WEEKDAY.fullmatch(timex.text):
                    continue
                field_text = title if timex.field is Field.TITLE else body
                left, right = sentence_bounds(field_text, timex.start, timex.end)
                sentence = " ".join(field_text[left:right].split())
                found.append(Found(record["id"], dct, timex.field, timex.text, timex.date_start, sentence))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the team data folder")
    parser.add_argument("-n", type=int, default=2000, help="articles to read from the start (default 2000)")
    parser.add_argument("--sample", type=int, default=15, help="after-DCT weekdays to print (default 15)")
    parser.add_argument("--seed", type=int, default=18, help="seed of the printed sample")
    parser.add_argument("--all", action="store_true", help="print every after-DCT weekday, not a sample")
    args = parser.parse_args()
    path = args.shared / "data" / "press-bench" / "articles.jsonl.gz"
    if not path.is_file():
        print(f"{path} not found: pass --shared pointing at the team data folder; weekday check skipped")
        return 0
    found = bare_weekdays(path, args.n)
    after = [f for f in found if f.day > f.published]
    same = sum(f.day == f.published for f in found)
    share = len(after) / len(found) if found else 0.0
    print(
        f"bare weekdays in the first {args.n:,} press-bench articles: {len(found)}; "
        f"after the publication date: {len(after)} ({share:.1%}); on it: {same}; "
        f"before it: {len(found) - len(after) - same}"
    )
    shown = after if args.all else random.Random(args.seed).sample(after, min(args.sample, len(after)))
    for f in sorted(shown, key=lambda f: (f.doc_id, f.field.value)):
        print(f"  {f.doc_id} {f.field.value} DCT {f.published:%a %Y-%m-%d} {f.text!r} -> {f.day:%a %Y-%m-%d}")
        print(f"      {f.sentence[:220]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
