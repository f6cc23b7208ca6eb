"""The one place that wires the stages: corpus -> language -> ner -> dates -> entities -> tables.

Per-document stages (language, NER, dates) run in worker processes, a batch at a time, and each
finished batch is committed to the state store. Entity linking and the tables are rebuilt from
the store at the end, because canonical entities depend on the whole corpus.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .config import Config, ConfigError
from .corpus import read_alias_rows, read_corpus
from .dates import extract_article_dates
from .entities import (
    AliasRule, build_entities, curated_alias_rules, link_across_articles, link_mentions, outlet_country, read_alias_rules,
)
from .language import LanguageSettings, detect_language
from .records import Document, DocumentResult, LanguageGuess, Status
from .ner import EntityRecognizer, check_model_dir, model_fingerprint  # spaCy itself is imported only when a model loads
from .state import StateStore, acquire, document_revision, output_lock
from .tables import TABLE_COLUMNS, TableSet, write_tables

STAGES = ("read", "language", "ner", "dates", "entities", "tables")


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run; everything finished so far is saved."""


@dataclass
class StageTimes:
    """Seconds spent per stage (summed over worker processes for the per-document stages)."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))

    def add(self, other: "StageTimes") -> None:
        for stage, seconds in other.seconds.items():
            self.seconds[stage] += seconds


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the closing line and for benchmarks."""

    out: Path
    documents: int
    new: int
    changed: int
    unchanged: int
    deleted: int
    skipped: int
    errors: int
    words_analysed: int
    seconds: float
    stage_seconds: dict[str, float]
    up_to_date: bool

    def line(self) -> str:
        rate = self.words_analysed / self.seconds if self.seconds else 0.0
        state = "already up to date" if self.up_to_date else "tables written"
        return (
            f"{self.documents} articles: {self.new} new, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.deleted} deleted; {self.skipped} skipped, {self.errors} errors; "
            f"{self.words_analysed:,} words analysed in {self.seconds:.1f} s ({rate:,.0f} words/s); "
            f"{state} in {self.out}/"
        )


def run(config: Config) -> RunSummary:
    """Bring the tables in `config.out` up to date with the corpus; only new or changed articles are analysed."""
    if config.corpus is None or config.out is None:
        raise ConfigError("run() needs a corpus and an output folder: for texts in memory use pipeline.extract(texts)")
    started = time.perf_counter()
    times = StageTimes()
    documents = list(read_corpus(config.corpus))
    alias_rules = load_alias_rules(config)
    times.seconds["read"] = time.perf_counter() - started
    lock = output_lock(config.out)
    acquire(lock, config.out)
    try:
        store = StateStore(config.out, pipeline_fingerprint(config))
        try:
            return _update(config, documents, alias_rules, store, times, started)
        finally:
            store.close()
    finally:
        lock.release()


def _update(config: Config, documents: list[Document], alias_rules: Sequence[AliasRule], store: StateStore,
            times: StageTimes, started: float) -> RunSummary:
    stored = store.revisions()
    current = {d.doc_id: document_revision(d) for d in documents}
    todo = [d for d in documents if stored.get(d.doc_id) != current[d.doc_id]]
    deleted = sorted(stored.keys() - current.keys())
    # with the source paths: a renamed file rewrites documents.csv, though it re-analyses nothing
    manifest = _manifest({d.doc_id: f"{current[d.doc_id]}\t{d.source_path}" for d in documents}, alias_rules)
    tables_exist = all((config.out / f"{name}.csv").is_file() for name in TABLE_COLUMNS)
    up_to_date = not todo and not deleted and tables_exist and store.get_meta("manifest") == manifest
    if not up_to_date:
        store.delete(deleted)
        _analyse_all(todo, config, store, times)
        by_id = {d.doc_id: d for d in documents}
        store.set_meta("statuses", json.dumps(_write_all(config.out, store, by_id, alias_rules, times)))
        store.set_meta("manifest", manifest)
    statuses = json.loads(store.get_meta("statuses") or "{}")
    return RunSummary(
        out=config.out,
        documents=len(documents),
        new=sum(1 for d in todo if d.doc_id not in stored),
        changed=sum(1 for d in todo if d.doc_id in stored),
        unchanged=len(documents) - len(todo),
        deleted=len(deleted),
        skipped=statuses.get(Status.SKIPPED.value, 0),
        errors=statuses.get(Status.ERROR.value, 0),
        words_analysed=sum(_word_count(d) for d in todo if not d.problem),
        seconds=time.perf_counter() - started,
        stage_seconds=dict(times.seconds),
        up_to_date=up_to_date,
    )


def load_alias_rules(config: Config) -> tuple[AliasRule, ...]:
    """The user's alias rules (which win) followed by the curated ones shipped with the package."""
    user_file = config.alias_file
    user = read_alias_rules(read_alias_rows(user_file), str(user_file)) if user_file else ()
    return tuple(user) + tuple(curated_alias_rules())


def pipeline_fingerprint(config: Config) -> str:
    """Changes whenever cached per-document results could differ: model, code version, settings."""
    parts = (__version__, model_fingerprint(config.model), ",".join(sorted(config.languages)),
             str(config.min_language_chars), config.language_detector)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _manifest(revisions: dict[str, str], alias_rules: Sequence[AliasRule]) -> str:
    """Identity of everything the tables are built from; equal manifests mean identical tables."""
    digest = hashlib.sha256()
    for doc_id in sorted(revisions):
        digest.update(f"{doc_id}\t{revisions[doc_id]}\n".encode())
    for rule in alias_rules:
        digest.update(f"{rule.alias}\t{rule.canonical}\t{rule.label.value}\n".encode())
    return digest.hexdigest()


# ---------------------------------------------------------------- per-document stages

class Analyser:
    """Language, NER and dates for batches of documents; one per process (the model loads once)."""

    def __init__(self, config: Config):
        self.languages = config.languages
        self.language_settings = LanguageSettings(languages=config.languages, min_chars=config.min_language_chars,
                                                  detector=config.language_detector)
        self.recognizer = EntityRecognizer.load(config.model)

    def analyse(self, documents: Sequence[Document]) -> tuple[list[DocumentResult], StageTimes]:
        times = StageTimes()
        clock = time.perf_counter()
        guesses = [detect_language(d.title, d.body, self.language_settings) for d in documents]
        times.seconds["language"], clock = time.perf_counter() - clock, time.perf_counter()
        wanted = [(d, g) for d, g in zip(documents, guesses) if g.language in self.languages]
        texts = [(d.title, mask_other_languages(d.body, g, self.languages)) for d, g in wanted]
        mentions = self.recognizer.recognise(texts)
        times.seconds["ner"], clock = time.perf_counter() - clock, time.perf_counter()
        timexes = [_dates_of(d, body) for (d, _), (_, body) in zip(wanted, texts)]
        times.seconds["dates"] = time.perf_counter() - clock
        found = {d.doc_id: (m, t) for (d, _), m, t in zip(wanted, mentions, timexes)}
        results = [_result(d, g, *found.get(d.doc_id, ((), ())), self.languages) for d, g in zip(documents, guesses)]
        return results, times


def mask_other_languages(body: str, guess: LanguageGuess, languages: frozenset[str]) -> str:
    """The body with paragraphs in unprocessed languages blanked out (offsets stay valid)."""
    foreign = [(start, end) for start, end, language in guess.paragraphs if language not in languages and language != "und"]
    if not foreign:
        return body
    pieces, position = [], 0
    for start, end in foreign:
        pieces.append(body[position:start])
        pieces.append("".join(c if c == "\n" else " " for c in body[start:end]))
        position = end
    pieces.append(body[position:])
    return "".join(pieces)


def _dates_of(document: Document, body: str):
    reference = document.reference_date
    return extract_article_dates(document.title, body, reference)


def _result(document: Document, guess: LanguageGuess, mentions, timexes, languages: frozenset[str]) -> DocumentResult:
    status, detail = Status.OK, "; ".join(document.warnings)
    if guess.language not in languages:
        status = Status.SKIPPED
        detail = (
            f"language undetermined (text too short or mixed): not analysed"
            if guess.language == "und"
            else f"language {guess.language!r} is not processed (processed: {','.join(sorted(languages))})"
        )
    return DocumentResult(
        document=document, status=status, status_detail=detail, language=guess,
        n_chars=len(document.title) + len(document.body), n_words=_word_count(document),
        mentions=tuple(mentions), timexes=tuple(timexes),
    )


def problem_result(document: Document) -> DocumentResult:
    """A document that could not be read: a row with its reason, no analysis."""
    return DocumentResult(
        document=document, status=document.problem_status, status_detail=document.problem or "",
        language=LanguageGuess(language="und", confidence=0.0),
        n_chars=len(document.title) + len(document.body), n_words=_word_count(document),
    )


def _word_count(document: Document) -> int:
    return len(document.title.split()) + len(document.body.split())


def _batches(documents: Sequence[Document], size: int) -> Iterator[list[Document]]:
    for start in range(0, len(documents), size):
        yield list(documents[start:start + size])


def _analyse_all(todo: Sequence[Document], config: Config, store: StateStore, times: StageTimes) -> None:
    """Analyse `todo`, saving each finished batch at once; Ctrl-C keeps what is saved."""
    readable = [d for d in todo if not d.problem]
    store.save(problem_result(d) for d in todo if d.problem)
    if not readable:
        return
    check_model_dir(config.model)  # in this process: a pool would retry a failing worker forever
    batches = list(_batches(readable, config.batch_size))
    progress = _progress_bar(len(readable), config.progress)
    saved = 0
    try:
        for results, batch_times in _analysed_batches(batches, config):
            store.save(results)
            times.add(batch_times)
            saved += len(results)
            progress.update(len(results))
    except KeyboardInterrupt:
        raise RunInterrupted(
            f"interrupted: {saved} of {len(readable)} articles were analysed and saved; run again to finish the rest"
        ) from None
    finally:
        progress.close()


def _analysed_batches(batches: list[list[Document]], config: Config) -> Iterator[tuple[list[DocumentResult], StageTimes]]:
    if config.workers == 1 or len(batches) == 1:
        analyser = Analyser(config)
        for batch in batches:
            yield analyser.analyse(batch)
        return
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with context.Pool(min(config.workers, len(batches)), initializer=_start_worker, initargs=(config,)) as pool:
        results = pool.imap(_analyse_in_worker, batches)
        for _ in batches:
            yield _next_result(results)


def _next_result(results):
    """The next finished batch; waits in short steps, since a blocking wait would not see Ctrl-C."""
    while True:
        try:
            return results.next(timeout=0.2)
        except multiprocessing.TimeoutError:
            continue


# A worker process holds exactly one Analyser, built by the pool initializer: the model is
# loaded once per process, not once per batch. Only worker processes ever set this.
_WORKER_ANALYSER: Analyser | None = None


def _start_worker(config: Config) -> None:
    global _WORKER_ANALYSER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled once, by the main process,
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # which ends its workers with SIGTERM
    _WORKER_ANALYSER = Analyser(config)


def _analyse_in_worker(batch: list[Document]) -> tuple[list[DocumentResult], StageTimes]:
    assert _WORKER_ANALYSER is not None, "worker started without an analyser"
    return _WORKER_ANALYSER.analyse(batch)


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="art", file=sys.stderr, disable=(not enabled) or None, leave=False,
                desc="extract")


# ---------------------------------------------------------------- corpus-wide stages

def _write_all(out: Path, store: StateStore, documents: Mapping[str, Document], alias_rules: Sequence[AliasRule],
               times: StageTimes) -> dict[str, int]:
    """Link, aggregate and write every table from the stored results; returns documents per status.

    A stored result may predate a rename of its file: its document is taken from the corpus as read now.
    """
    clock = time.perf_counter()
    results = [replace(r, document=documents.get(r.document.doc_id, r.document)) for r in store.results()]
    tables = table_set(results, alias_rules)
    times.seconds["entities"], clock = time.perf_counter() - clock, time.perf_counter()
    write_tables(out, tables)
    times.seconds["tables"] = time.perf_counter() - clock
    return dict(Counter(r.status.value for r in results))


def table_set(results: Sequence[DocumentResult], alias_rules: Sequence[AliasRule]) -> TableSet:
    """The corpus-wide stages: link the mentions of every document, then across documents, and build
    the canonical entities."""
    linked = link_across_articles({
        r.document.doc_id: link_mentions(r.mentions, alias_rules, outlet_country=outlet_country(r.document.source))
        for r in results if r.mentions
    })
    entities, aliases = build_entities((doc_id, item) for doc_id, items in linked.items() for item in items)
    return TableSet(results=results, linked=linked, entities=entities, aliases=aliases)


# ---------------------------------------------------------------- texts in memory (pipeline.extract)

def analyse(documents: Sequence[Document], config: Config) -> list[DocumentResult]:
    """The per-document stages for documents held in memory, batched over `config.workers` processes
    as in `run`; nothing is stored. Results are ordered by document id, the order of the tables."""
    results = [problem_result(d) for d in documents if d.problem]
    readable = [d for d in documents if not d.problem]
    if readable:
        check_model_dir(config.model)
        for batch_results, _ in _analysed_batches(list(_batches(readable, config.batch_size)), config):
            results.extend(batch_results)
    return sorted(results, key=lambda r: r.document.doc_id)
