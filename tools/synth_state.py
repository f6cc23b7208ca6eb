"""A processed corpus of press-bench size without analysing it: a synthetic .jsonl corpus and its state.

Analysing 120k articles takes 20+ CPU-minutes, too much to repeat while measuring what happens
after the analysis (the corpus-wide step, the tables, incremental reruns). This writes
`FOLDER/corpus/bench.jsonl` with N synthetic articles (syllable names drawn with the Zipf law of
tools/synth_tables.py: about 17 mentions per article of 150k entities; some people named by
surname only, some names in capitals, so the cross-article step has short forms and spelling
variants to decide) and fills `FOLDER/out/.pipeline/state.sqlite` as a full run would have: each
article read by the real corpus reader, its mentions linked with real entity ids, its dates.
Only NER is replaced by the known mentions. Seeded: the same arguments give the same files.

    python tools/synth_state.py --folder build/synth-120k -n 119866
    python tools/bench_incremental.py --synthetic --keep build/synth-120k
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

from synth_tables import ZIPF_EXPONENT, make_documents, make_entities  # noqa: E402

from pipeline import Config  # noqa: E402
from pipeline.corpus import scan_corpus  # noqa: E402
from pipeline.entities.names import entity_id_for  # noqa: E402
from pipeline.records import (DocumentResult, Field, Label, LanguageGuess, LinkedMention, Mention, Status, Timex,  # noqa: E402
                              TimexType)
from pipeline.run import _rules_digest, load_alias_rules, pipeline_fingerprint  # noqa: E402
from pipeline.state import StateStore  # noqa: E402

SURNAME_ONLY_SHARE = 0.08  # a person named by surname alone in an article
CAPITALS_SHARE = 0.02  # a name written in capitals (a spelling variant)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, required=True, help="gets corpus/bench.jsonl and out/.pipeline")
    parser.add_argument("-n", type=int, default=119_866, help="articles (default 119,866: 100 short of press-bench)")
    parser.add_argument("--entities", type=int, default=150_000)
    parser.add_argument("--mentions-per-article", type=float, default=17.0)
    parser.add_argument("--seed", type=int, default=17)
    arguments = parser.parse_args()
    rng = np.random.default_rng(arguments.seed)
    entities = make_entities(rng, arguments.entities)
    documents = make_documents(rng, arguments.n)
    corpus, out = arguments.folder / "corpus", arguments.folder / "out"
    corpus.mkdir(parents=True, exist_ok=True)
    mentions = write_corpus(rng, corpus / "bench.jsonl", documents, entities, arguments.mentions_per_article)
    fill_state(Config(corpus=corpus, out=out, progress=False), mentions)
    print(f"{arguments.n:,} articles in {corpus / 'bench.jsonl'}, state in {out / '.pipeline'}")
    return 0


def write_corpus(rng, path: Path, documents: list[dict], entities: list[dict], per_article: float) -> dict:
    """The .jsonl corpus; returns doc_id -> [(field, start, end, text, label, canonical)] of its mentions."""
    n = len(entities)
    probabilities = 1.0 / np.arange(1, n + 1) ** ZIPF_EXPONENT
    probabilities /= probabilities.sum()
    counts = rng.poisson(per_article, size=len(documents))
    drawn_all = rng.choice(n, size=int(counts.sum()), p=probabilities)
    mentions = {}
    with open(path, "w", encoding="utf-8") as handle:
        for document, drawn in zip(documents, np.split(drawn_all, np.cumsum(counts)[:-1])):
            doc_id = document["doc_id"].replace("bench/", "synth-")
            body, found = [], []
            position = 0
            for rank in drawn.tolist():
                entity = entities[rank]
                text, canonical = entity["name"], entity["name"]
                if entity["label"] == "PER" and rng.random() < SURNAME_ONLY_SHARE:
                    text = canonical = entity["name"].split()[-1]
                elif rng.random() < CAPITALS_SHARE:
                    text = canonical = entity["name"].upper()
                lead = "Volgens het bericht sprak "
                start = position + len(lead)
                found.append(("body", start, start + len(text), text, entity["label"], canonical))
                sentence = f"{lead}{text} gisteren over de plannen. "
                body.append(sentence)
                position += len(sentence)
            record = {"id": doc_id, "title": document["title"], "published": document["published"],
                      "outlet": document["source"], "text": "".join(body) or "Geen nieuws vandaag."}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            mentions[doc_id] = found if document["status"] == "ok" else None
    return mentions


def fill_state(config: Config, mentions: dict) -> None:
    """Save every article as a full run would: read by the corpus reader, mentions linked, dates found."""
    store = StateStore(config.out, pipeline_fingerprint(config))
    try:
        batch, keys = [], []
        for source in scan_corpus(config.corpus):
            document = source.document
            keys.append((source.key, document.doc_id))
            batch.append(_result(document, mentions[document.doc_id]))
            if len(batch) == 1000:
                store.save(batch)
                batch = []
        store.save(batch)
        store.set_source_keys(keys)
        store.set_meta("aliases", _rules_digest(load_alias_rules(config)))
    finally:
        store.close()


def _result(document, found) -> DocumentResult:
    words = len(document.title.split()) + len(document.body.split())
    if found is None:
        return DocumentResult(document=document, status=Status.SKIPPED, status_detail="language 'en' is not processed "
                              "(processed: nl)", language=LanguageGuess("en", 0.99, (("en", 1.0),)),
                              n_chars=len(document.title) + len(document.body), n_words=words)
    linked = tuple(
        LinkedMention(Mention(Field(field), start, end, text, Label(label), index // 3), canonical,
                      entity_id_for(Label(label), canonical))
        for index, (field, start, end, text, label, canonical) in enumerate(found))
    day, at = document.reference_date, document.body.find("gisteren")
    timexes = (Timex(Field.BODY, at, at + 8, "gisteren", TimexType.DATE, (day - dt.timedelta(days=1)).isoformat(),
                     day - dt.timedelta(days=1), day - dt.timedelta(days=1), "day"),) if day and at >= 0 else ()
    return DocumentResult(document=document, status=Status.OK, status_detail="", language=LanguageGuess("nl", 0.99, (("nl", 1.0),)),
                          n_chars=len(document.title) + len(document.body), n_words=words,
                          mentions=tuple(item.mention for item in linked), timexes=timexes, linked=linked)


if __name__ == "__main__":
    sys.exit(main())
