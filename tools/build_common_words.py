"""Build pipeline/data/common_words_nl.txt: common Dutch words that are hardly ever names.

The NER stage reads only the words that may be names and the tokens around them
(`pipeline.ner.NameWords`); a capitalised first word of a sentence is no such word when it is
one of these. A word
qualifies when press-bench writes it in lower case at least MIN_LOWER times and capitalised
inside a sentence (not after a sentence end, a colon, a quote such as ',,' or a bracket) at most
MAX_CAPITAL_SHARE of that, and no person, organisation or place in our training annotations
(press-annotated 1-60, press-annotated-v2 train, CoNLL-2002 ned.train) is that word alone:
'de', 'maar', 'volgens', 'ik', 'hoe' qualify; 'vooruit' and 'groen' (parties), 'open' (Open VLD)
and 'premier' do not. The dev articles and their near copies are left out of the counts, as for
pretraining.

    python tools/build_common_words.py --shared ../shared [-n 30000]
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from train_ner import (
    CONLL_DIR, PRESS_BENCH, NearCopyFilter, annotated_ids, conll_texts, dev_texts, press_train, press_v2_train,
)

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "pipeline" / "data" / "common_words_nl.txt"
ARTICLES = 30_000  # the first press-bench articles read: about 10 M words
MIN_LOWER = 20
MAX_CAPITAL_SHARE = 0.05
WORD = re.compile(r"[^\W\d_][\w'’-]*")
SENTENCE_START = re.compile(r"(?:^|[.!?…:]\s+|(?:,,|[\"„“'‘(])\s*)$")  # ,,Ik: the Dutch press's opening quote


def count_forms(texts: Iterable[str]) -> tuple[Counter, Counter]:
    """(lower-case word -> times written in lower case, -> times capitalised inside a sentence)."""
    lower, capital_inside = Counter(), Counter()
    for text in texts:
        for line in text.split("\n"):
            for match in WORD.finditer(line):
                word = match.group()
                if word.islower():
                    lower[word] += 1
                elif match.start() > 0 and not SENTENCE_START.search(line, max(0, match.start() - 3), match.start()):
                    capital_inside[word.lower()] += 1
    return lower, capital_inside


def common_words(lower: Counter, capital_inside: Counter, names: set[str]) -> list[str]:
    return sorted(word for word, n in lower.items()
                  if n >= MIN_LOWER and capital_inside[word] <= MAX_CAPITAL_SHARE * n and word not in names)


def one_word_names(shared: Path) -> set[str]:
    """In lower case, every one-word person, organisation or place of the training annotations
    written like a common word at a sentence start ('Vooruit', 'Groen', 'Justitie'; not 'OM'): a
    sentence holding only such a name would be skipped if the word were listed. Names of several
    words all in lower case but the first ('De verdronken weiden') and titles of books and shows
    ('Hoe het danst', MISC) are what this leaves to chance: listing none of their first words
    would keep 'de' and 'hoe' off the list."""
    texts = press_train(shared) + press_v2_train(shared) + conll_texts(shared / CONLL_DIR / "ned.train")
    return {name.lower() for text in texts for start, end, label in text.spans
            for name in [text.text[start:end]] if label != "MISC" and WORD.fullmatch(name) and name[1:].islower()}


def press_texts(shared: Path, articles: int) -> Iterable[str]:
    """Titles and bodies of the first `articles` press-bench articles, without dev articles or near copies."""
    skipped, near_copy = annotated_ids(shared), NearCopyFilter(dev_texts(shared))
    with gzip.open(shared / PRESS_BENCH, "rt", encoding="utf-8") as lines:
        for line in itertools.islice(lines, articles):
            article = json.loads(line)
            if article["id"] not in skipped and not near_copy.copies(article["text"]):
                yield article["title"] or ""
                yield article["text"] or ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the team data folder")
    parser.add_argument("-n", type=int, default=ARTICLES, help=f"press-bench articles to read (default {ARTICLES})")
    parser.add_argument("--out", type=Path, default=TARGET)
    arguments = parser.parse_args()
    if not (arguments.shared / PRESS_BENCH).is_file():
        print(f"error: {arguments.shared / PRESS_BENCH} not found: pass --shared pointing at the team data folder",
              file=sys.stderr)
        return 2
    words = common_words(*count_forms(press_texts(arguments.shared, arguments.n)), one_word_names(arguments.shared))
    partial = arguments.out.with_name(arguments.out.name + ".partial")
    partial.write_text("".join(f"{word}\n" for word in words), encoding="utf-8")
    partial.replace(arguments.out)
    print(f"{len(words):,} common words -> {arguments.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
