"""The one place that wires the stages: corpus -> language -> ner -> dates -> entities -> tables.

Per-document stages (language, NER, dates, linking within the article) run a batch at a time on
an engine (pipeline/engines/: local processes or a Dask cluster), and each finished batch is
committed to the state store. The corpus is streamed: each document's revision is compared with
the stored one and only the documents to analyse keep their body. The cross-article links, the
entity counts and the tables are made from the store at the end, because canonical entities
depend on the whole corpus; they read compact rows (mention groups, one SQL pass for the counts)
and stream the tables, so the main process never holds the corpus.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from . import __version__
from .config import Config, ConfigError
from .corpus import CorpusFingerprint, Source, corpus_fingerprint, printable_path, read_alias_rows, scan_corpus
from .dates import extract_article_dates
from .engines import WorkerFailure, open_engine
from .entities import (
    AliasRule, CrossLinks, PlaceResolver, build_entities, curated_alias_rules, decide_links, link_across_articles,
    link_mentions, outlet_country, read_alias_rules,
)
from .entities.catalogue import entity_from_counts
from .entities.places import (PlaceNames, cached_place_names, cached_place_resolver, default_place_resolver,
                              place_index_key)
from .language import LanguageSettings, detect_language
from .records import Alias, Document, DocumentResult, LanguageGuess, Status
from .ner import MAX_CHUNK_CHARS, EntityRecognizer, batches_within, check_model_dir, model_fingerprint  # spaCy itself is imported only when a model loads
from .state import STATE_DIR, EntityCounts, StateStore, acquire, document_revision, is_damaged, output_lock
from .tables import TableFormat, TableSet, alias_text, damaged_tables, document_rows, entity_text, write_tables

STAGES = ("read", "language", "ner", "dates", "entities", "tables")
BODIES_KEPT_CHARS = 20_000_000  # bodies kept from the inventory for the analysis; beyond, read again


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
    inputs = corpus_fingerprint(config.corpus)  # also checks the corpus exists before any output is made
    alias_rules = load_alias_rules(config)
    times.seconds["read"] = time.perf_counter() - started
    lock = output_lock(config.out)
    acquire(lock, config.out)
    try:
        store = StateStore(config.out, pipeline_fingerprint(config))
        try:
            summary = _update(config, inputs, alias_rules, store, times, started)
        except sqlite3.DatabaseError as error:
            if not is_damaged(error):
                store.close()
                raise
            raise store.set_aside_damaged(error) from error
        except BaseException:
            store.close()
            raise
        store.close()
        return summary
    finally:
        lock.release()


@dataclass
class _Inventory:
    """What reading the corpus found, compared with the state: only `todo` keeps article bodies, and
    only while they are few (`BODIES_KEPT_CHARS`); beyond that the corpus is read again for them."""

    todo: list[Document] = field(default_factory=list)  # the readable ones, while their bodies are kept
    todo_ids: set[str] = field(default_factory=set)  # every readable one
    todo_chars: int = 0
    todo_complete: bool = True  # False: the bodies were let go, `todo_ids` says what to read again
    to_analyse: int = 0  # readable and unreadable
    unreadable: list[Document] = field(default_factory=list)  # no bodies: always kept
    new: int = 0
    documents: int = 0
    words: int = 0
    manifest: str = ""
    deleted: list[str] = field(default_factory=list)
    moved: list[tuple[str, str]] = field(default_factory=list)
    keys: list[tuple[bytes, str]] = field(default_factory=list)  # (source key, doc_id) of every article parsed
    files: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # file -> (doc_id, source_path) of its articles


def _update(config: Config, inputs: CorpusFingerprint, alias_rules: Sequence[AliasRule], store: StateStore, times: StageTimes,
            started: float) -> RunSummary:
    notices = list(store.notices)
    written = json.loads(store.get_meta("tables") or "{}")
    fingerprint = _inputs_fingerprint(inputs.digest, alias_rules, config.table_format)
    if store.get_meta("inputs") == fingerprint and not damaged_tables(config.out, written, config.table_format):
        # same corpus bytes, alias rules and format, tables as written: nothing to read
        return _summary(config, store, _Inventory(documents=int(store.get_meta("documents") or 0)), times, started,
                        up_to_date=True, notices=notices)
    clock = time.perf_counter()
    stored = store.revisions()
    recorded = _unchanged_files(store.source_files(), inputs.files, stored)
    inventory = _inventory(scan_corpus(config.corpus, store.source_keys(), recorded), store, stored, alias_rules)
    times.seconds["read"] += time.perf_counter() - clock
    same_manifest = (store.get_meta("manifest") == inventory.manifest
                     and store.get_meta("table_format") == config.table_format.value)
    damaged = damaged_tables(config.out, written, config.table_format) if same_manifest else []
    up_to_date = not inventory.to_analyse and not inventory.deleted and not damaged and same_manifest
    if damaged:
        notices.append(f"{', '.join(damaged)} in {config.out} changed since the last run (edited or damaged): "
                       "written again from the saved results")
    if not up_to_date:
        store.delete(inventory.deleted)
        store.move(inventory.moved)
        _relink_if_aliases_changed(config, store, alias_rules, times)
        save_isolated(store, [problem_result(document) for document in inventory.unreadable])
        _analyse_all(_documents_to_analyse(config, store, inventory), inventory.to_analyse - len(inventory.unreadable),
                     config, store, times)
        inventory.todo = []  # the bodies are not needed for the tables
        statuses, digests = _write_all_interruptibly(config, store, times)
        store.set_meta("statuses", json.dumps(statuses))
        store.set_meta("tables", json.dumps(digests, sort_keys=True))
        store.set_meta("manifest", inventory.manifest)
        store.set_meta("table_format", config.table_format.value)
    store.set_source_keys(inventory.keys)  # also when nothing changed: lines keyed anew (an upgrade) stay known
    store.set_source_files((relative, inputs.files[relative], articles) for relative, articles in inventory.files.items()
                           if relative in inputs.files and printable_path(relative) == relative)  # (else: not UTF-8)
    store.set_meta("documents", str(inventory.documents))
    store.set_meta("inputs", fingerprint)
    return _summary(config, store, inventory, times, started, up_to_date=up_to_date, notices=notices)


def _unchanged_files(records: Mapping[str, tuple[str, list[tuple[str, str]]]], digests: Mapping[str, str],
                     stored: Mapping[str, str]) -> dict[str, list[tuple[str, str]]]:
    """Relative path -> the (doc_id, source_path) of its articles, for each file with the bytes the last
    complete run read (its sha256 in this run's fingerprint), whose articles are all stored: such a
    file gives the same articles again, so it is not read.

    A file with an article renamed as the second user of an id ('id@path') is read: whether it is
    still a duplicate depends on the files before it. (A file changed while a run reads it is
    recorded with the digest taken before; like the corpus fingerprint, it is read again next time
    unless it changed back to those very bytes.)
    """
    return {relative: articles for relative, (sha256, articles) in records.items()
            if digests.get(relative) == sha256 and all(doc_id in stored and "@" not in doc_id for doc_id, _ in articles)}


def _inventory(sources: Iterable[Source], store: StateStore, stored: dict[str, str],
               alias_rules: Sequence[AliasRule]) -> _Inventory:
    """Stream the corpus once: each document's revision against the stored one; bodies kept only to analyse.

    An article whose source (file name, line, bytes) is the one it was stored from is not even parsed:
    its stored revision stands. The manifest hashes (doc_id, revision, source path) of every document
    and the alias rules: equal manifests mean identical tables (a renamed file rewrites documents.csv).
    """
    stored_paths = store.source_paths()
    inventory = _Inventory()
    entries, files = [], inventory.files
    for source in sources:
        doc_id, document = source.doc_id, source.document
        revision = stored[doc_id] if document is None else document_revision(document)
        entries.append(f"{doc_id}\t{revision}\t{source.source_path}\n")
        files.setdefault(source.file, []).append((doc_id, source.source_path))
        inventory.documents += 1
        if document is not None and source.key is not None:
            inventory.keys.append((source.key, doc_id))
        if stored.get(doc_id) != revision:
            _keep_to_analyse(inventory, document)
            inventory.new += doc_id not in stored
            inventory.words += 0 if document.problem else _word_count(document)
        elif stored_paths.get(doc_id) != source.source_path:
            inventory.moved.append((doc_id, source.source_path))
        stored.pop(doc_id, None)
    inventory.deleted = sorted(stored)
    digest = hashlib.sha256()
    for entry in sorted(entries):
        digest.update(entry.encode("utf-8", "surrogatepass"))
    digest.update(_rules_digest(alias_rules).encode())
    inventory.manifest = digest.hexdigest()
    return inventory


def _keep_to_analyse(inventory: _Inventory, document: Document) -> None:
    """Note an article to analyse; keep its body only while the kept bodies stay small.

    A first run on a large corpus would otherwise hold every body in the main process (and, by the
    fork, seemingly in each worker) until the analysis: its peak at 120,000 press-bench articles
    was 588 MB with them and is 409 MB without (`make bench-growth`).
    """
    inventory.to_analyse += 1
    if document.problem:
        inventory.unreadable.append(document)
        return
    inventory.todo_ids.add(document.doc_id)
    if inventory.todo_complete:
        inventory.todo.append(document)
        inventory.todo_chars += len(document.body) + len(document.title)
        if inventory.todo_chars > BODIES_KEPT_CHARS:
            inventory.todo, inventory.todo_complete = [], False


def _documents_to_analyse(config: Config, store: StateStore, inventory: _Inventory) -> Iterator[Document]:
    """The readable articles the inventory found new or changed: kept in memory, or read again.

    Read again, the articles whose source is the stored one are skipped unparsed, as in the
    inventory; an article changed on disk since the inventory is analysed as it is now (its
    revision then differs from the manifest, so the next run looks at it again).
    """
    if inventory.todo_complete:
        yield from inventory.todo
        return
    for source in scan_corpus(config.corpus, store.source_keys()):
        if source.document is not None and source.doc_id in inventory.todo_ids:
            yield source.document


def _inputs_fingerprint(inputs: str, alias_rules: Sequence[AliasRule], table_format: TableFormat) -> str:
    """The corpus bytes, alias rules and table format: unchanged, the last run's tables are still right."""
    return hashlib.sha256(f"{inputs}|{_rules_digest(alias_rules)}|{table_format.value}".encode()).hexdigest()


def _rules_digest(alias_rules: Sequence[AliasRule]) -> str:
    digest = hashlib.sha256()
    for rule in alias_rules:
        digest.update(f"{rule.alias}\t{rule.canonical}\t{rule.label.value}\n".encode())
    return digest.hexdigest()


def _summary(config: Config, store: StateStore, inventory: _Inventory, times: StageTimes, started: float, *,
             up_to_date: bool, notices: list[str]) -> RunSummary:
    statuses = json.loads(store.get_meta("statuses") or "{}")
    return RunSummary(
        out=config.out,
        documents=inventory.documents,
        new=inventory.new,
        changed=inventory.to_analyse - inventory.new,
        unchanged=inventory.documents - inventory.to_analyse,
        deleted=len(inventory.deleted),
        skipped=statuses.get(Status.SKIPPED.value, 0),
        errors=statuses.get(Status.ERROR.value, 0),
        words_analysed=inventory.words,
        seconds=time.perf_counter() - started,
        stage_seconds=dict(times.seconds),
        up_to_date=up_to_date,
        notices=tuple(notices),
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
        self.alias_rules = load_alias_rules(config)
        self.places = place_resolver(config)

    def analyse(self, documents: Sequence[Document]) -> tuple[list[DocumentResult], StageTimes]:
        times = StageTimes()  # CPU seconds of this process: a loaded machine does not inflate a stage
        failures: dict[str, str] = {}
        clock = time.process_time()
        guesses = {d.doc_id: _attempt("language", d, failures, _language_of, d, self.language_settings) for d in documents}
        wanted = [(d, guesses[d.doc_id]) for d in documents
                  if d.doc_id not in failures and guesses[d.doc_id].language in self.languages]
        texts = {d.doc_id: (d.title, _attempt("language", d, failures, mask_for_analysis, d.body, g, self.languages))
                 for d, g in wanted}
        wanted = [(d, g) for d, g in wanted if d.doc_id not in failures]
        times.seconds["language"], clock = time.process_time() - clock, time.process_time()
        mentions = self._recognise([(d, texts[d.doc_id]) for d, _ in wanted], failures)
        times.seconds["ner"], clock = time.process_time() - clock, time.process_time()
        timexes = {d.doc_id: _attempt("dates", d, failures, _dates_of, d, texts[d.doc_id][1])
                   for d, _ in wanted if d.doc_id not in failures}
        times.seconds["dates"], clock = time.process_time() - clock, time.process_time()
        results = []
        for document in documents:
            doc_id = document.doc_id
            if doc_id in failures:
                results.append(failed_result(document, failures[doc_id], guesses.get(doc_id)))
            else:
                result = _result(document, guesses[doc_id], mentions.get(doc_id, ()), timexes.get(doc_id, ()),
                                 self.languages)
                results.append(link_result(result, self.alias_rules, self.places))
        times.seconds["entities"] = time.process_time() - clock
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
        """Mentions per doc_id of one group; the model reads a huge article's paragraphs one batch of
        `ner.TOKENS_PER_BATCH` tokens at a time, so its memory stays bounded too."""
        mentions = self.recognizer.recognise([text for _, text in group])
        return {d.doc_id: m for (d, _), m in zip(group, mentions)}


NER_CHARACTER_BUDGET = MAX_CHUNK_CHARS  # characters per model call: memory grows with the characters of one call
HUGE_ARTICLE_CHARS = 1_000_000


def _size(text: tuple[str, str]) -> int:
    return len(text[0]) + len(text[1])


def _groups_by_size(items: list[tuple[Document, tuple[str, str]]], budget: int) -> Iterator[list]:
    """Consecutive groups of `items` of at most `budget` characters; a larger item forms a group alone."""
    return batches_within(items, budget, lambda item: _size(item[1]))


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


def link_result(result: DocumentResult, alias_rules: Sequence[AliasRule], places: PlaceResolver) -> DocumentResult:
    """`result` with its mentions linked within the article (`link_mentions`); an article whose
    linking fails becomes an error row that keeps its language and counts."""
    if not result.mentions:
        return result
    failures: dict[str, str] = {}
    document = result.document
    linked = _attempt("entities", document, failures, link_mentions, result.mentions, alias_rules, places,
                      outlet_country(document.source))
    if failures:
        return replace(result, status=Status.ERROR, status_detail=failures[document.doc_id], mentions=(), timexes=(),
                       linked=())
    return replace(result, linked=linked)


def place_resolver(config: Config) -> PlaceResolver:
    """The place index, from the cache in the output's state folder (built there once per gazetteer)."""
    if config.out is None:
        return default_place_resolver()
    return cached_place_resolver(config.out / STATE_DIR)


def place_names(config: Config) -> PlaceNames | PlaceResolver:
    """The names the place index knows, all the cross-article step asks of it (cached beside the index)."""
    if config.out is None:
        return default_place_resolver()
    return cached_place_names(config.out / STATE_DIR)


def problem_result(document: Document) -> DocumentResult:
    """A document that could not be read: a row with its reason, no analysis."""
    return failed_result(document, document.problem or "", status=document.problem_status)


def _word_count(document: Document) -> int:
    return len(document.title.split()) + len(document.body.split())


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    documents = iter(documents)
    while batch := list(itertools.islice(documents, size)):
        yield batch


def _analyse_all(todo: Iterable[Document], count: int, config: Config, store: StateStore, times: StageTimes) -> None:
    """Analyse the `count` readable articles of `todo` as they stream in, saving each finished batch
    at once; Ctrl-C keeps what is saved. An article that became unreadable since the inventory is
    saved as such when met."""
    readable = _readable(todo, store)
    first = next(readable, None)
    if first is None:
        return
    check_model_dir(config.model)  # in this process: a pool would retry a failing worker forever
    readable = itertools.chain([first], readable)
    progress = _progress_bar(count, config.progress)
    saved = 0
    try:
        with open_engine(config, Analyser) as engine:
            for results, batch_times in engine.analysed_batches(_batches(readable, config.batch_size)):
                save_isolated(store, results)
                times.add(batch_times)
                saved += len(results)
                progress.update(len(results))
    except KeyboardInterrupt:
        raise RunInterrupted(
            f"interrupted: {saved} of {count} articles were analysed and saved; run again to finish the rest"
        ) from None
    except WorkerFailure as failure:
        raise WorkerFailure(
            f"{failure}: {saved} of {count} articles were analysed and saved; run again to finish the rest "
            "(if memory ran out: fewer --workers or a smaller --batch-size)"
        ) from None
    finally:
        progress.close()


def _readable(documents: Iterable[Document], store: StateStore) -> Iterator[Document]:
    """The readable documents; one unreadable on a second reading (changed on disk meanwhile) is
    saved as a problem row on the way."""
    for document in documents:
        if document.problem:
            save_isolated(store, [problem_result(document)])
        else:
            yield document


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

def _relink_if_aliases_changed(config: Config, store: StateStore, alias_rules: Sequence[AliasRule],
                               times: StageTimes) -> None:
    """A changed alias table relinks the stored mentions of every article (no article is analysed again)."""
    digest = _rules_digest(alias_rules)
    previous = store.get_meta("aliases")
    if previous is not None and previous != digest:
        clock = time.perf_counter()
        places = place_resolver(config)
        for results in store.results_in_chunks():
            store.replace_links([link_result(_unlinked(r), alias_rules, places) for r in results])
        times.seconds["entities"] += time.perf_counter() - clock
    if previous != digest:
        store.set_meta("aliases", digest)


def _unlinked(result: DocumentResult) -> DocumentResult:
    return replace(result, linked=()) if result.linked else result


def _write_all_interruptibly(config: Config, store: StateStore, times: StageTimes) -> tuple[dict[str, int], dict[str, str]]:
    """`_write_all`, with Ctrl-C turned into a RunInterrupted that says nothing analysed was lost."""
    try:
        return _write_all(config, store, times)
    except KeyboardInterrupt:
        raise RunInterrupted(
            "interrupted while writing the tables: every article is analysed and saved and the previous tables "
            "are unchanged; run again to write the tables (no article is analysed again)"
        ) from None


def _write_all(config: Config, store: StateStore, times: StageTimes) -> tuple[dict[str, int], dict[str, str]]:
    """The corpus-wide stages from the store, streamed: cross-article links from the entities the
    state keeps (decided again only where the articles changed since the last run can reach them),
    the rows of the entities they change counted again by difference, then every table from the
    stored rows (an article's rows rendered again only when it or its links changed); documents
    per status, table digests."""
    clock = time.perf_counter()
    places_key = place_index_key()
    inputs = store.start_cross_step(places_key)
    links, decisions = decide_links(inputs.entities, inputs.articles, lambda: place_names(config), inputs.previous,
                                    inputs.changed)
    stored = inputs.stored
    del inputs  # before `adopt_links` reads the previous decisions, when the step did not
    store.adopt_links(links, decisions, stored, places_key)
    del decisions, stored  # the tables need only the links
    store.refresh_entities(lambda counts: _entity_texts(config, counts))
    times.seconds["entities"] += time.perf_counter() - clock  # after the workers' per-article linking
    clock = time.perf_counter()
    tables = TableSet(rows=store.table_rows(lambda result: document_rows(_relinked(result, links))),
                      entities=store.entity_texts(), aliases=store.alias_texts())
    digests = write_tables(config.out, tables, config.table_format)
    times.seconds["tables"] = time.perf_counter() - clock
    return store.statuses(), digests


def _entity_texts(config: Config, counts: EntityCounts) -> Iterator[tuple[str, str, str]]:
    """(entity_id, entities.csv text, aliases.csv text) of each entity counted; the place index is
    loaded only when one of them may be a resolved place."""
    places = place_resolver(config) if counts.has_places() else None
    for (entity_id, *figures), surfaces in counts.entities():
        entity = entity_from_counts(entity_id, *figures, places)
        yield entity_id, entity_text(entity), alias_text(Alias(entity_id, surface, n) for surface, n in surfaces)


def _relinked(result: DocumentResult, links: CrossLinks) -> DocumentResult:
    """`result` with the entity ids of its mentions as the cross-article step decided them."""
    if not result.linked:
        return result
    doc_id = result.document.doc_id
    relinked = []
    for item in result.linked:
        entity_id, canonical = links.resolve(doc_id, item.entity_id, item.canonical)
        relinked.append(item if entity_id == item.entity_id else replace(item, entity_id=entity_id, canonical=canonical))
    return replace(result, linked=tuple(relinked))


def table_set(results: Sequence[DocumentResult]) -> TableSet:
    """The corpus-wide stages for results held in memory (`pipeline.extract`): link across the
    articles and build the canonical entities, as `_write_all` does from the store."""
    linked = link_across_articles({r.document.doc_id: r.linked for r in results if r.linked})
    final = (replace(r, linked=linked[r.document.doc_id]) if r.linked else r for r in results)
    entities, aliases = build_entities((doc_id, item) for doc_id, items in linked.items() for item in items)
    return TableSet(rows=(document_rows(r) for r in final), entities=(entity_text(e) for e in entities),
                    aliases=(alias_text([a]) for a in aliases))


# ---------------------------------------------------------------- texts in memory (pipeline.extract)

def analyse(documents: Sequence[Document], config: Config) -> list[DocumentResult]:
    """The per-document stages for documents held in memory, batched over `config.workers` processes
    as in `run`; nothing is stored. Results are ordered by document id, the order of the tables."""
    results = [problem_result(d) for d in documents if d.problem]
    readable = [d for d in documents if not d.problem]
    if readable:
        check_model_dir(config.model)
        batches = list(_batches(readable, config.batch_size))
        # a single batch runs in this process: small inputs work from daemonic processes (a Pool
        # or Dask worker of the caller) and a model that fails to load says so, not "worker died"
        if len(batches) == 1 and config.engine == "local":
            config = replace(config, workers=1)
        with open_engine(config, Analyser) as engine:
            for batch_results, _ in engine.analysed_batches(batches):
                results.extend(batch_results)
    return sorted(results, key=lambda r: r.document.doc_id)
