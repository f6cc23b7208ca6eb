"""The one place that wires the stages: corpus -> language -> ner -> dates -> entities -> tables.

Per-document stages (language, NER, dates) run a batch at a time on an engine (pipeline/engines/:
local processes or a Dask cluster), and each finished batch is committed to the state store.
Entity linking and the tables are rebuilt from the store at the end, because canonical entities
depend on the whole corpus.
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from . import __version__
from .config import Config, ConfigError
from .corpus import read_alias_rows, read_corpus
from .dates import extract_article_dates
from .engines import WorkerFailure, open_engine
from .entities import (
    AliasRule, build_entities, curated_alias_rules, link_across_articles, link_mentions, outlet_country, read_alias_rules,
)
from .language import LanguageSettings, detect_language
from .records import Document, DocumentResult, LanguageGuess, Status
from .ner import CHUNKS_PER_CALL, MAX_CHUNK_CHARS, EntityRecognizer, check_model_dir, model_fingerprint  # spaCy itself is imported only when a model loads
from .state import StateStore, acquire, document_revision, output_lock
from .tables import TABLE_COLUMNS, TableSet, table_digests, write_tables

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
    notices: tuple[str, ...] = ()

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
    notices = list(store.notices)
    stored = store.revisions()
    current = {d.doc_id: document_revision(d) for d in documents}
    todo = [d for d in documents if stored.get(d.doc_id) != current[d.doc_id]]
    deleted = sorted(stored.keys() - current.keys())
    # with the source paths: a renamed file rewrites documents.csv, though it re-analyses nothing
    manifest = _manifest({d.doc_id: f"{current[d.doc_id]}\t{d.source_path}" for d in documents}, alias_rules)
    same_manifest = store.get_meta("manifest") == manifest
    damaged = _damaged_tables(config.out, store) if same_manifest else []  # else the tables are rewritten anyway
    up_to_date = not todo and not deleted and not damaged and same_manifest
    if damaged:
        notices.append(f"{', '.join(damaged)} in {config.out} changed since the last run (edited or damaged): "
                       "written again from the saved results")
    if not up_to_date:
        store.delete(deleted)
        _analyse_all(todo, config, store, times)
        by_id = {d.doc_id: d for d in documents}
        statuses, digests = _write_all_interruptibly(config.out, store, by_id, alias_rules, times)
        store.set_meta("statuses", json.dumps(statuses))
        store.set_meta("tables", json.dumps(digests, sort_keys=True))
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
        notices=tuple(notices),
    )


def _damaged_tables(out: Path, store: StateStore) -> list[str]:
    """Tables missing, or not byte for byte what the last run wrote (the state keeps their sha256)."""
    expected = json.loads(store.get_meta("tables") or "{}")
    found = table_digests(out)
    return [f"{name}.csv" for name in TABLE_COLUMNS if name not in found or found[name] != expected.get(name)]


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
    """Language, NER and dates for batches of documents; one per process (the model loads once).

    Each article is isolated: an exception in any stage becomes that article's `error` row (see
    `failed_result`) and the rest of the batch goes on.
    """

    def __init__(self, config: Config):
        self.languages = config.languages
        self.language_settings = LanguageSettings(languages=config.languages, min_chars=config.min_language_chars,
                                                  detector=config.language_detector)
        self.recognizer = EntityRecognizer.load(config.model)
        self.progress = config.progress

    def analyse(self, documents: Sequence[Document]) -> tuple[list[DocumentResult], StageTimes]:
        times = StageTimes()
        failures: dict[str, str] = {}
        clock = time.perf_counter()
        guesses = {d.doc_id: _attempt("language", d, failures, _language_of, d, self.language_settings) for d in documents}
        wanted = [(d, guesses[d.doc_id]) for d in documents
                  if d.doc_id not in failures and guesses[d.doc_id].language in self.languages]
        texts = {d.doc_id: (d.title, _attempt("language", d, failures, mask_for_analysis, d.body, g, self.languages))
                 for d, g in wanted}
        wanted = [(d, g) for d, g in wanted if d.doc_id not in failures]
        times.seconds["language"], clock = time.perf_counter() - clock, time.perf_counter()
        mentions = self._recognise([(d, texts[d.doc_id]) for d, _ in wanted], failures)
        times.seconds["ner"], clock = time.perf_counter() - clock, time.perf_counter()
        timexes = {d.doc_id: _attempt("dates", d, failures, _dates_of, d, texts[d.doc_id][1])
                   for d, _ in wanted if d.doc_id not in failures}
        times.seconds["dates"] = time.perf_counter() - clock
        results = []
        for document in documents:
            doc_id = document.doc_id
            if doc_id in failures:
                results.append(failed_result(document, failures[doc_id], guesses.get(doc_id)))
            else:
                results.append(_result(document, guesses[doc_id], mentions.get(doc_id, ()), timexes.get(doc_id, ()),
                                       self.languages))
        return results, times

    def _recognise(self, items: list[tuple[Document, tuple[str, str]]], failures: dict[str, str]) -> dict[str, tuple]:
        """Mentions per doc_id, fed to the model in groups of bounded size (memory grows with the
        characters of one model call: 1 M characters at once took 2.8 GB); a failing group is
        retried article by article so only the culprit gets an error row."""
        found: dict[str, tuple] = {}
        for group in _groups_by_size(items, NER_CHARACTER_BUDGET):
            if self.progress:
                _announce_huge([d for d, _ in group])
            try:
                found.update(self._recognise_group(group))
            except Exception:  # noqa: BLE001 - isolate the article that failed, keep the others
                for item in group:
                    found.update(_attempt("ner", item[0], failures, self._recognise_group, [item]) or {})
        return found

    def _recognise_group(self, group: list[tuple[Document, tuple[str, str]]]) -> dict[str, tuple]:
        size = sum(_size(text) for _, text in group)
        chunks_per_call = 1 if size > NER_CHARACTER_BUDGET else NER_CHUNKS_PER_CALL
        mentions = self.recognizer.recognise([text for _, text in group], batch_size=chunks_per_call)
        return {d.doc_id: m for (d, _), m in zip(group, mentions)}


NER_CHARACTER_BUDGET = MAX_CHUNK_CHARS  # characters per model call: memory grows with the characters of one call
NER_CHUNKS_PER_CALL = CHUNKS_PER_CALL  # paragraphs per model batch: sets a worker's memory peak (see ner.py)
HUGE_ARTICLE_CHARS = 1_000_000


def _size(text: tuple[str, str]) -> int:
    return len(text[0]) + len(text[1])


def _groups_by_size(items: list[tuple[Document, tuple[str, str]]], budget: int) -> Iterator[list]:
    """Consecutive groups of `items` of at most `budget` characters; a larger item forms a group alone."""
    group, size = [], 0
    for item in items:
        if group and size + _size(item[1]) > budget:
            yield group
            group, size = [], 0
        group.append(item)
        size += _size(item[1])
    if group:
        yield group


def _announce_huge(documents: Sequence[Document]) -> None:
    """A line on stderr before a huge article, which alone can take minutes without the bar moving."""
    for document in documents:
        size = len(document.title) + len(document.body)
        if size >= HUGE_ARTICLE_CHARS:
            print(f"\nanalysing {document.doc_id} ({document.source_path}): {size / 1e6:.1f} M characters, "
                  "this article alone may take a few minutes", file=sys.stderr, flush=True)


T = TypeVar("T")


def _attempt(stage: str, document: Document, failures: dict[str, str], work: Callable[..., T], *args) -> T | None:
    """`work(*args)`, or None with the reason recorded in `failures` when it raises."""
    try:
        return work(*args)
    except Exception as error:  # noqa: BLE001 - one article must never stop the run
        failures[document.doc_id] = stage_failure(stage, error)
        return None


def _language_of(document: Document, settings: LanguageSettings) -> LanguageGuess:
    """The language of the text, not of a base64 blob pasted into it (see `mask_long_runs`)."""
    return detect_language(document.title, mask_long_runs(document.body), settings)


def stage_failure(stage: str, error: BaseException) -> str:
    """The status_detail of an article that made a stage fail: what, where, and the way out."""
    message = " ".join(str(error).split())[:300] or "no message"
    return (f"{stage} stage failed on this article ({type(error).__name__}: {message}): the article was left out "
            "of the analysis and the run went on; please report it together with the article")


def failed_result(document: Document, detail: str, guess: LanguageGuess | None = None,
                  status: Status = Status.ERROR) -> DocumentResult:
    """An article a stage failed on: an error row that keeps what is known (its language, say)."""
    return DocumentResult(
        document=document, status=status, status_detail=detail,
        language=guess or LanguageGuess(language="und", confidence=0.0),
        n_chars=len(document.title) + len(document.body), n_words=_word_count(document),
    )


def mask_for_analysis(body: str, guess: LanguageGuess, languages: frozenset[str]) -> str:
    """The body as NER and dates see it: other-language paragraphs and runs without whitespace blanked."""
    return mask_long_runs(mask_other_languages(body, guess, languages))


LONG_RUN = re.compile(r"\S{%d,}" % 1000)


def mask_long_runs(body: str) -> str:
    """`body` with runs of 1,000+ characters without whitespace (base64, pasted binary, URLs gone wrong)
    turned into a paragraph break of the same length: no word is that long, and the model's memory
    use grows with the length of a token. Offsets stay valid."""
    return LONG_RUN.sub(lambda match: "\n" + " " * (len(match.group()) - 2) + "\n", body)


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
            "language undetermined (text too short or mixed): not analysed"
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
    return failed_result(document, document.problem or "", status=document.problem_status)


def _word_count(document: Document) -> int:
    return len(document.title.split()) + len(document.body.split())


def _batches(documents: Sequence[Document], size: int) -> Iterator[list[Document]]:
    for start in range(0, len(documents), size):
        yield list(documents[start:start + size])


def _analyse_all(todo: Sequence[Document], config: Config, store: StateStore, times: StageTimes) -> None:
    """Analyse `todo`, saving each finished batch at once; Ctrl-C keeps what is saved."""
    readable = [d for d in todo if not d.problem]
    save_isolated(store, [problem_result(d) for d in todo if d.problem])
    if not readable:
        return
    check_model_dir(config.model)  # in this process: a pool would retry a failing worker forever
    batches = list(_batches(readable, config.batch_size))
    progress = _progress_bar(len(readable), config.progress)
    saved = 0
    try:
        with open_engine(config, Analyser) as engine:
            for results, batch_times in engine.analysed_batches(batches):
                save_isolated(store, results)
                times.add(batch_times)
                saved += len(results)
                progress.update(len(results))
    except KeyboardInterrupt:
        raise RunInterrupted(
            f"interrupted: {saved} of {len(readable)} articles were analysed and saved; run again to finish the rest"
        ) from None
    except WorkerFailure as failure:
        raise WorkerFailure(
            f"{failure}: {saved} of {len(readable)} articles were analysed and saved; run again to finish the rest "
            "(if memory ran out: fewer --workers or a smaller --batch-size)"
        ) from None
    finally:
        progress.close()


def save_isolated(store: StateStore, results: list[DocumentResult]) -> None:
    """Save a batch in one transaction; if one result cannot be encoded, it alone becomes an error row."""
    try:
        store.save(results)
    except (TypeError, ValueError):  # not a full disk (StateWriteError): something in one result
        for result in results:
            try:
                store.save([result])
            except (TypeError, ValueError) as error:
                store.save([failed_result(result.document, stage_failure("store", error), result.language)])


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="art", file=sys.stderr, disable=(not enabled) or None, leave=False,
                desc="extract")


# ---------------------------------------------------------------- corpus-wide stages

def _write_all_interruptibly(out: Path, store: StateStore, documents: Mapping[str, Document],
                             alias_rules: Sequence[AliasRule], times: StageTimes) -> tuple[dict[str, int], dict[str, str]]:
    """`_write_all`, with Ctrl-C turned into a RunInterrupted that says nothing analysed was lost."""
    try:
        return _write_all(out, store, documents, alias_rules, times)
    except KeyboardInterrupt:
        raise RunInterrupted(
            "interrupted while writing the tables: every article is analysed and saved and the previous tables "
            "are unchanged; run again to write the tables (no article is analysed again)"
        ) from None


def _write_all(out: Path, store: StateStore, documents: Mapping[str, Document], alias_rules: Sequence[AliasRule],
               times: StageTimes) -> tuple[dict[str, int], dict[str, str]]:
    """Link, aggregate and write every table from the stored results; documents per status, table digests.

    A stored result may predate a rename of its file: its document is taken from the corpus as read now.
    """
    clock = time.perf_counter()
    tables = table_set((replace(r, document=documents.get(r.document.doc_id, r.document)) for r in store.results()),
                       alias_rules)
    times.seconds["entities"], clock = time.perf_counter() - clock, time.perf_counter()
    digests = write_tables(out, tables)
    times.seconds["tables"] = time.perf_counter() - clock
    return dict(Counter(r.status.value for r in tables.results)), digests


def table_set(stored: Iterable[DocumentResult], alias_rules: Sequence[AliasRule]) -> TableSet:
    """The corpus-wide stages: link the mentions of every document, then across documents, and build
    the canonical entities."""
    results, linked = _linked(stored, alias_rules)
    linked = link_across_articles(linked)
    entities, aliases = build_entities((doc_id, item) for doc_id, items in linked.items() for item in items)
    return TableSet(results=results, linked=linked, entities=entities, aliases=aliases)


def _linked(stored: Iterable[DocumentResult], alias_rules: Sequence[AliasRule]):
    """(results, linked mentions by doc_id); an article whose linking fails becomes an error row."""
    results, linked = [], {}
    for result in stored:
        if result.mentions:
            failures: dict[str, str] = {}
            country = outlet_country(result.document.source)
            found = _attempt("entities", result.document, failures, link_mentions, result.mentions, alias_rules, None,
                             country)
            if failures:
                result = failed_result(result.document, failures[result.document.doc_id], result.language)
            else:
                linked[result.document.doc_id] = found
        results.append(result)
    return results, linked


# ---------------------------------------------------------------- texts in memory (pipeline.extract)

def analyse(documents: Sequence[Document], config: Config) -> list[DocumentResult]:
    """The per-document stages for documents held in memory, batched over `config.workers` processes
    as in `run`; nothing is stored. Results are ordered by document id, the order of the tables."""
    results = [problem_result(d) for d in documents if d.problem]
    readable = [d for d in documents if not d.problem]
    if readable:
        check_model_dir(config.model)
        with open_engine(config, Analyser) as engine:
            for batch_results, _ in engine.analysed_batches(list(_batches(readable, config.batch_size))):
                results.extend(batch_results)
    return sorted(results, key=lambda r: r.document.doc_id)
