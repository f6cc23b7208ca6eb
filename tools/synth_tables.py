"""Synthetic output tables of press-bench size, for measuring the report and the SQLite export.

The full pipeline cannot run on 120k articles in a measurement budget, and the report only reads
the tables, so this writes tables with the shape of a real run: 120k articles (mostly 2019, a few
archive items from other years, some without a date), statuses and reasons as the pipeline words
them, about 2M mentions of 150k entities drawn with a Zipf law (a few names everywhere, a long
tail), places with coordinates (most in the Netherlands and Belgium), aliases and dates. Seeded:
the same arguments give the same bytes. No real text: titles and names are made of syllables.

    python tools/synth_tables.py --out /tmp/synth [--documents 120000 --mentions-per-article 17 --seed 17]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.tables import TABLE_COLUMNS  # noqa: E402

LABEL_SHARES = {"PER": 0.40, "ORG": 0.27, "LOC": 0.23, "MISC": 0.10}
RESOLVED_PLACE_SHARE = 0.35    # places with coordinates
NL_BE_PLACE_SHARE = 0.7        # of those, in the Netherlands or Belgium
ZIPF_EXPONENT = 1.05
LANGUAGES = (("nl", 0.955), ("en", 0.02), ("und", 0.015), ("fr", 0.006), ("de", 0.004))
ERROR_SHARE = 0.003
OUTLETS = ("AD", "De Telegraaf", "NOS", "NU.nl", "de Volkskrant", "Trouw", "Tweakers", "politie.nl",
           "De Standaard", "VRT NWS", "Het Nieuwsblad", "Wikinews")
SYLLABLES = ("van", "der", "berg", "jan", "sen", "de", "vries", "bak", "ker", "hui", "zen", "mee", "ster",
             "wou", "ters", "ko", "ning", "dijk", "stra", "ma", "pe", "ter", "lin", "da", "ro", "el", "fin",
             "an", "nie", "bos", "kamp", "ho", "ven", "broek", "ra", "mon", "gaard", "lei", "ees", "wijk")
TITLE_WORDS = ("gemeente", "plant", "nieuwe", "kabinet", "haven", "brand", "politie", "school", "minister",
               "stijging", "daling", "protest", "akkoord", "onderzoek", "rechter", "trein", "storing", "wegen",
               "zorg", "woningbouw", "energie", "klimaat", "verkiezingen", "bedrijf", "banen", "staking")
ERRORS = (
    "binary file, not text: save the article as UTF-8 text",
    "bench.jsonl line {n} is not valid JSON (Expecting ',' delimiter at column {c}): fix or remove the line",
    "bench.jsonl line {n} has no \"text\" string: add the article text as \"text\"",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the five CSV tables")
    parser.add_argument("--documents", type=int, default=120_000)
    parser.add_argument("--entities", type=int, default=150_000)
    parser.add_argument("--mentions-per-article", type=float, default=17.0)
    parser.add_argument("--seed", type=int, default=17)
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(arguments.seed)
    entities = make_entities(rng, arguments.entities)
    documents = make_documents(rng, arguments.documents)
    counts = write_mentions(rng, arguments.out, documents, entities, arguments.mentions_per_article)
    write_documents(arguments.out, documents)
    write_entities(rng, arguments.out, entities, counts)
    write_dates(rng, arguments.out, documents)
    for name in TABLE_COLUMNS:
        path = arguments.out / f"{name}.csv"
        with open(path, "rb") as handle:
            rows = sum(1 for _ in handle) - 1
        print(f"{rows:>10,} rows {path.stat().st_size / 1e6:8.1f} MB  {path}")
    return 0


def _word(rng: np.random.Generator, low: int = 2, high: int = 4) -> str:
    return "".join(rng.choice(SYLLABLES, size=rng.integers(low, high))).capitalize()


def make_entities(rng: np.random.Generator, n: int) -> list[dict]:
    """Entities in Zipf rank order (rank 0 is mentioned most), labels mixed over the ranks."""
    labels = rng.choice(list(LABEL_SHARES), size=n, p=list(LABEL_SHARES.values()))
    entities, seen = [], set()
    for rank, label in enumerate(labels):
        name = {"PER": lambda: f"{_word(rng, 1, 3)} {_word(rng)}", "ORG": lambda: f"{_word(rng)} Groep",
                "LOC": lambda: _word(rng), "MISC": lambda: f"{_word(rng)}se"}[label]()
        if (name, label) in seen:
            name = f"{name} {rank}"
        seen.add((name, label))
        entity = {"entity_id": f"{label.lower()}-{rank:012x}", "label": label, "name": name}
        if label == "LOC" and rng.random() < RESOLVED_PLACE_SHARE:
            entity.update(_place(rng))
        entities.append(entity)
    return entities


def _place(rng: np.random.Generator) -> dict:
    if rng.random() < NL_BE_PLACE_SHARE:
        if rng.random() < 0.6:
            return {"country_code": "NL", "latitude": rng.uniform(51.3, 53.4), "longitude": rng.uniform(4.0, 6.9)}
        return {"country_code": "BE", "latitude": rng.uniform(50.0, 51.3), "longitude": rng.uniform(3.0, 5.8)}
    return {"country_code": rng.choice(["US", "DE", "FR", "GB", "CN", "BR", "ZA", "IN", "AU", "RU"]),
            "latitude": rng.uniform(-45, 65), "longitude": rng.uniform(-120, 150)}


def make_documents(rng: np.random.Generator, n: int) -> list[dict]:
    languages = rng.choice([code for code, _ in LANGUAGES], size=n, p=[share for _, share in LANGUAGES])
    words = np.maximum(5, rng.lognormal(np.log(80), 0.9, size=n)).astype(int)
    year_start = dt.date(2019, 1, 1)
    documents = []
    for index in range(n):
        draw = rng.random()
        if draw < 0.01:
            published = ""
        elif draw < 0.013:  # a few hundred archive items, as press-bench has
            published = (dt.date(2004, 1, 1) + dt.timedelta(days=int(rng.integers(0, 15 * 365)))).isoformat()
        else:
            published = (year_start + dt.timedelta(days=int(rng.integers(0, 365)))).isoformat()
        language, status, detail = str(languages[index]), "ok", ""
        if rng.random() < ERROR_SHARE:
            language, status = "und", "error"
            detail = rng.choice(ERRORS).format(n=index + 1, c=int(rng.integers(2, 400)))
        elif language == "und":
            status, detail = "skipped", "language undetermined (text too short or mixed): not analysed"
        elif language != "nl":
            status, detail = "skipped", f"language '{language}' is not processed (processed: nl)"
        documents.append({
            "doc_id": f"bench/{index + 1:06d}", "source_path": f"bench.jsonl:{index + 1}",
            "title": " ".join(rng.choice(TITLE_WORDS, size=rng.integers(3, 8))).capitalize(),
            "source": str(rng.choice(OUTLETS)), "published": published, "language": language,
            "status": status, "status_detail": detail, "n_words": int(words[index]) if status != "error" else 0,
        })
    return documents


def write_mentions(rng, out: Path, documents: list[dict], entities: list[dict], per_article: float) -> np.ndarray:
    """Write mentions.csv; returns per entity [mentions, documents]."""
    n = len(entities)
    probabilities = 1.0 / np.arange(1, n + 1) ** ZIPF_EXPONENT
    probabilities /= probabilities.sum()
    counts = np.zeros((n, 2), dtype=np.int64)
    ok = [document for document in documents if document["status"] == "ok"]
    per_document = rng.poisson(per_article, size=len(ok))
    drawn_all = rng.choice(n, size=int(per_document.sum()), p=probabilities)  # one draw: p's CDF is built once
    boundaries = np.cumsum(per_document)[:-1]
    with open(out / "mentions.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TABLE_COLUMNS["mentions"])
        for document, drawn in zip(ok, np.split(drawn_all, boundaries)):
            offset = 0
            for position, rank in enumerate(drawn):
                entity = entities[rank]
                field = "title" if position == 0 and rng.random() < 0.3 else "body"
                start = 0 if field == "title" else offset + int(rng.integers(5, 60))
                end = start + len(entity["name"])
                if field == "body":
                    offset = end
                writer.writerow((document["doc_id"], field, start, end, entity["name"], entity["label"],
                                 entity["entity_id"], 0 if field == "title" else position // 3))
                counts[rank, 0] += 1
            for rank in set(drawn.tolist()):
                counts[rank, 1] += 1
    return counts


def write_documents(out: Path, documents: list[dict]) -> None:
    with open(out / "documents.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TABLE_COLUMNS["documents"])
        for d in documents:
            ok = d["status"] != "error"
            writer.writerow((
                d["doc_id"], d["source_path"], d["title"] if ok else "", d["source"] if ok else "",
                d["published"] if ok else "", d["language"], "0.9900" if ok else "0.0000", d["status"],
                d["status_detail"], d["n_words"] * 6, d["n_words"], hashlib.sha256(d["doc_id"].encode()).hexdigest() if ok else "",
                f"{d['language']}:1.00" if ok and d["language"] != "und" else "", "", "utf-8", "",
            ))


def write_entities(rng, out: Path, entities: list[dict], counts: np.ndarray) -> None:
    """entities.csv (those mentioned at least once, sorted by id as the pipeline writes them) and aliases.csv."""
    mentioned = [(entity, counts[rank]) for rank, entity in enumerate(entities) if counts[rank, 0]]
    mentioned.sort(key=lambda pair: pair[0]["entity_id"])
    with open(out / "entities.csv", "w", encoding="utf-8", newline="") as handle, \
            open(out / "aliases.csv", "w", encoding="utf-8", newline="") as alias_handle:
        writer, aliases = csv.writer(handle, lineterminator="\n"), csv.writer(alias_handle, lineterminator="\n")
        writer.writerow(TABLE_COLUMNS["entities"])
        aliases.writerow(TABLE_COLUMNS["aliases"])
        for entity, (n_mentions, n_documents) in mentioned:
            located = "latitude" in entity
            writer.writerow((
                entity["entity_id"], entity["label"], entity["name"], int(n_mentions), int(n_documents),
                entity.get("country_code", ""), f"{entity['latitude']:.5f}" if located else "",
                f"{entity['longitude']:.5f}" if located else "", str(int(rng.integers(1e6, 9e6))) if located else "",
            ))
            aliases.writerow((entity["entity_id"], entity["name"], int(n_mentions)))


def write_dates(rng, out: Path, documents: list[dict]) -> None:
    with open(out / "dates.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TABLE_COLUMNS["dates"])
        for document in documents:
            if document["status"] != "ok" or not document["published"]:
                continue
            day = dt.date.fromisoformat(document["published"])
            for position in range(int(rng.poisson(3))):
                value = (day - dt.timedelta(days=int(rng.integers(0, 30)))).isoformat()
                start = 10 + 40 * position
                writer.writerow((document["doc_id"], "body", start, start + 10, value, "DATE", value, value, value,
                                 "day", ""))


if __name__ == "__main__":
    sys.exit(main())
