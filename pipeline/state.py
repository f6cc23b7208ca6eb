"""What earlier runs finished: per-document results kept between runs for incremental extraction.

The store is a SQLite file inside the output folder. Each finished batch is committed at once,
so a crash or Ctrl-C loses nothing that was finished; the next run picks up where it stopped.
A result is reused only while the document's revision and the pipeline's fingerprint (model,
code version, settings, alias rules) are unchanged.

Format 2 keeps no article bodies: per document only what the tables need (title, date, source,
url, language, counts, dates, mentions linked within the article) plus its revision, and the
compact `mention_groups` rows the cross-article step reads (one per article, entity, canonical
name, label and surface form, with a count). Each document also keeps its rows of documents.csv,
mentions.csv and dates.csv as written last (CSV text), valid for the cross-article links stored
in `cross_moves` / `cross_short_forms`: a run renders again only the rows of new or changed
articles and of articles whose links changed (`adopt_links`), and copies the others. What those
links were decided from is kept too (`cross_first`, `cross_candidates`, `cross_entities`,
`cross_documents`), so the next run decides again only what its changes can reach
(`start_cross_step`, `pipeline.entities.across.decide_links`). The rows of
entities.csv and aliases.csv are kept the same way, per entity, and counted again by difference
(`refresh_entities`) only for the entities those articles name. Records are written by explicit encoders
(`encode_result`), never `dataclasses.asdict`, which cost ~50 CPU-s at 120k articles.

The state also keeps each corpus file's sha256 with the articles the last complete run read from
it (`source_files`), so that a file with the same bytes is not read again.

The store is a cache: a database that cannot be read is moved aside and rebuilt (every article
is analysed again), never a reason to stop. A full disk is: the message says what to free. The
whole file is checked (`PRAGMA quick_check`) only when it is not sealed as the last clean run left
it (`_sealed_as_found`); a damaged page met later stops the run with `StateDamagedError`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from .entities.across import (Articles, CorpusEntity, CorpusGroup, CrossLinks, Decisions, LazyMapping,
                              collect_entities, mention_groups)
from .entities.names import label_of_entity_id
from .records import (Document, DocumentResult, Field, Label, LanguageGuess, LinkedMention, Mention, Status, Timex,
                      TimexType)
from .tables import OutputError

STATE_DIR = ".pipeline"
STATE_FORMAT = "2"  # bump whenever the tables below change shape: an older state is rebuilt
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (doc_id TEXT PRIMARY KEY, revision TEXT NOT NULL, source_path TEXT NOT NULL,
                                      record TEXT NOT NULL, source_key BLOB,
                                      documents_rows TEXT, mentions_rows TEXT, dates_rows TEXT, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cross_moves (entity_id TEXT PRIMARY KEY, new_id TEXT NOT NULL, canonical TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cross_short_forms (doc_id TEXT NOT NULL, entity_id TEXT NOT NULL, new_id TEXT NOT NULL,
                                              canonical TEXT NOT NULL, PRIMARY KEY (doc_id, entity_id));
CREATE TABLE IF NOT EXISTS cross_first (doc_id TEXT NOT NULL, entity_id TEXT NOT NULL, new_id TEXT NOT NULL,
                                        PRIMARY KEY (doc_id, entity_id));
CREATE TABLE IF NOT EXISTS cross_candidates (entity_id TEXT PRIMARY KEY, options TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cross_entities (entity_id TEXT PRIMARY KEY, display TEXT NOT NULL, name_key TEXT NOT NULL,
                                           loose_key TEXT NOT NULL, surfaces TEXT NOT NULL, counts TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cross_documents (doc_id TEXT PRIMARY KEY, entity_ids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mention_groups (doc_id TEXT NOT NULL, entity_id TEXT NOT NULL, canonical TEXT NOT NULL,
                                           label TEXT NOT NULL, surface TEXT NOT NULL, surface_key TEXT NOT NULL,
                                           n INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS documents_inventory ON documents (doc_id, revision, source_path, source_key, status);
CREATE INDEX IF NOT EXISTS documents_unrendered ON documents (doc_id) WHERE mentions_rows IS NULL;
CREATE INDEX IF NOT EXISTS mention_groups_by_doc ON mention_groups (doc_id);
CREATE INDEX IF NOT EXISTS mention_groups_by_entity ON mention_groups (entity_id);
CREATE TABLE IF NOT EXISTS final_groups (doc_id TEXT NOT NULL, entity_id TEXT NOT NULL, canonical TEXT NOT NULL,
                                         surface TEXT NOT NULL, n INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS final_groups_by_doc ON final_groups (doc_id);
CREATE INDEX IF NOT EXISTS final_groups_by_entity ON final_groups (entity_id);
CREATE TABLE IF NOT EXISTS stale_entities (entity_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS entity_rows (entity_id TEXT PRIMARY KEY, entity_text TEXT NOT NULL, alias_text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS source_files (relative TEXT PRIMARY KEY, sha256 TEXT NOT NULL, articles TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_ENTITY_TABLES = ("final_groups", "stale_entities", "entity_rows")  # kept by difference (`refresh_entities`)
# what the cross-article step decided and from what, kept so the next run decides again only what changed
_CROSS_TABLES = ("cross_moves", "cross_short_forms", "cross_first", "cross_candidates", "cross_entities", "cross_documents")
# A row of `cross_moves` with this entity id holds the place index key the kept decisions were made
# with. An earlier version that writes this state empties `cross_moves` on every run without keeping
# the other cross_* tables; the row goes with it, so the next run of this version starts afresh.
_DECISIONS_KEPT = ""
MOST_CHANGED = 0.25  # beyond this share of changed articles the cross-article step starts from the groups
_OLD_TABLES = ("results",)  # format 1 kept whole DocumentResults, bodies included
# the mention groups of the articles in temp.dirty_docs with the entity id and canonical name the
# cross-article step gave them (CrossLinks.resolve, from the links `adopt_links` stored)
_FINAL_GROUPS_OF_DIRTY = """
INSERT INTO final_groups
SELECT g.doc_id, COALESCE(s.new_id, m.new_id, g.entity_id), COALESCE(s.canonical, m.canonical, g.canonical), g.surface, g.n
FROM temp.dirty_docs AS d
CROSS JOIN mention_groups AS g ON g.doc_id = d.doc_id
LEFT JOIN cross_moves AS m ON m.entity_id = g.entity_id
LEFT JOIN cross_short_forms AS s ON s.doc_id = g.doc_id AND s.entity_id = COALESCE(m.new_id, g.entity_id)
"""
_STALE = "SELECT entity_id FROM stale_entities"
# (written so that SQLite looks the few dirty articles up by index: a plain join let it scan all 1.8M rows)
_STALE_OF_DIRTY = ("INSERT OR IGNORE INTO stale_entities SELECT entity_id FROM final_groups "
                   "WHERE doc_id IN (SELECT doc_id FROM temp.dirty_docs)")


class EntityCounts:
    """Per-entity counts of the stale entities (`stale_entities`) from `final_groups`, streamed in entity id
    order (SQLite compares text as UTF-8 bytes, which orders like Python's str)."""

    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection

    def entities(self) -> Iterator[tuple[tuple[str, str, int, int], list[tuple[str, int]]]]:
        """((entity_id, name, n_mentions, n_documents), [(surface form, n_mentions), ...]) per entity; the
        name is the most used canonical spelling, ties alphabetical, as `build_entities` chooses it."""
        query = ("SELECT entity_id, {columns} FROM final_groups WHERE entity_id IN (" + _STALE + ") "
                 "GROUP BY {group} ORDER BY {group}")
        names = self._connection.execute(query.format(columns="canonical, SUM(n)", group="entity_id, canonical"))
        totals = self._connection.execute(query.format(columns="SUM(n), COUNT(DISTINCT doc_id)", group="entity_id"))
        surfaces = self._connection.execute(query.format(columns="surface, SUM(n)", group="entity_id, surface"))
        by_name = itertools.groupby(names, key=lambda row: row[0])
        by_surface = itertools.groupby(surfaces, key=lambda row: row[0])
        for (entity_id, n_mentions, n_documents), (named, rows), (surfaced, aliases) in zip(
                totals, by_name, by_surface, strict=True):
            assert named == entity_id == surfaced, "entity totals, names and surfaces out of step"
            best = max(rows, key=lambda row: row[2])  # the first (alphabetical) of the most used
            yield (entity_id, best[1], n_mentions, n_documents), [(row[1], row[2]) for row in aliases]

    def has_places(self) -> bool:
        """Whether some stale entity may be a gazetteer place (its id starts with 'loc-')."""
        return self._connection.execute(
            "SELECT 1 FROM stale_entities WHERE entity_id >= 'loc-' AND entity_id < 'loc.' LIMIT 1").fetchone() is not None


@dataclass(frozen=True)
class StoredDecisions:
    """The cross-article links and decisions the last run stored (`adopt_links` writes the difference)."""

    moves: dict[str, tuple[str, str]]
    short_forms: dict[tuple[str, str], tuple[str, str]]  # the second pass, with the full name's canonical name
    first: dict[tuple[str, str], str]
    candidates: dict[str, list[str]]


@dataclass
class CrossInputs:
    """`StateStore.start_cross_step`: the entities to decide on and which article names which, the
    previous decisions it may keep (None: decide everything) and the entities they are not valid for."""

    entities: dict[str, CorpusEntity]
    articles: Articles
    previous: Decisions | None
    changed: set[str]
    stored: StoredDecisions | None  # the previous decisions as stored, when read (for `adopt_links`)


class _StoredIds(LazyMapping):
    """doc_id -> the per-article entity ids it names: as the last step stored them (`cross_documents`,
    by key), or as they are now for the articles changed since (`now`). Each id is the one string
    object of its entity (120k articles name 2M of them)."""

    def __init__(self, stored: Callable[[str], list[str]], now: dict[str, list[str]], entity_ids: Iterable[str]):
        super().__init__()
        self._stored, self._now = stored, now
        self._ids = {entity_id: entity_id for entity_id in entity_ids}

    def _make(self, doc_id: str) -> list[str] | None:
        named = self._now[doc_id] if doc_id in self._now else self._stored(doc_id)
        return [self._ids.get(entity_id, entity_id) for entity_id in named] or None


class _StoredDocuments(LazyMapping):
    """Per-article entity id -> the set of its articles, from its mention groups (by index)."""

    def __init__(self, connection: sqlite3.Connection):
        super().__init__()
        self._connection, self._doc_ids = connection, {}

    def _make(self, entity_id: str) -> set[str] | None:
        rows = self._connection.execute("SELECT DISTINCT doc_id FROM mention_groups WHERE entity_id = ?", (entity_id,))
        intern = self._doc_ids.setdefault
        return {intern(row[0], row[0]) for row in rows} or None


def _decisions(stored: StoredDecisions) -> Decisions:
    return Decisions(moves=stored.moves, candidates=stored.candidates, first=stored.first,
                     second={key: target for key, (target, _) in stored.short_forms.items()})


def _changed_keys(old: dict, new) -> list:
    """The keys whose value differs between two mappings (added, removed or changed)."""
    return [key for key in old.keys() | new.keys() if old.get(key) != new.get(key)]


def _entity_row(entity_id: str, entity: CorpusEntity) -> tuple[str, str, str, str, str, str]:
    """An entity as stored in `cross_entities` (its articles are kept per article in `cross_documents`):
    its display name, the keys made from it and its surfaces as text, which every run reads, and
    its counts as JSON, which a run decodes only for the few entities whose names it counts."""
    labels = {label.value: n for label, n in entity.mention_labels.items()}
    counts = json.dumps([entity.names, labels], ensure_ascii=False, separators=(",", ":"))
    return entity_id, entity.display, entity.key, entity.loose, "\n".join(sorted(entity.surfaces)), counts


_LABELS = {label.value: label for label in Label}


class _StoredEntity(CorpusEntity):
    """An entity read from `cross_entities`: its names and label counts are decoded when first asked,
    its display name and keys are the stored ones.

    Decoding 124k entities and making their keys again took ~2.5 CPU-s at 120k articles; the
    cross-article step asks for the counts of the entities variant merges or places involve, a
    few thousand."""

    def __init__(self, entity_id: str, display: str, key: str, loose: str, surfaces: str, counts: str):
        # (not CorpusEntity.__init__, which would set the names and label counts it leaves encoded)
        self.label, self._counts = label_of_entity_id(entity_id), counts
        self._display, self._key, self._loose = display, key, loose
        self.surfaces = set(surfaces.split("\n"))

    @property
    def display(self) -> str:
        return self._display

    @property
    def key(self) -> str:
        return self._key

    @property
    def loose(self) -> str:
        return self._loose

    @property
    def names(self) -> dict[str, int]:
        return self._decoded()[0]

    @property
    def mention_labels(self) -> dict[Label, int]:
        return self._decoded()[1]

    def _decoded(self) -> tuple[dict[str, int], dict[Label, int]]:
        if isinstance(self._counts, str):
            names, labels = json.loads(self._counts)
            self._counts = names, {_LABELS[label]: n for label, n in labels.items()}
        return self._counts


class RunLockedError(RuntimeError):
    """Another run is writing to the same output folder."""


class StateDamagedError(OutputError):
    """A read of the state database found it damaged; it was moved aside and the next run starts afresh."""


class StateWriteError(OutputError):
    """The state database cannot be written (full disk, read-only folder); finished work so far is kept."""


_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_FULL = ("SQLITE_FULL",)


def document_revision(document: Document) -> str:
    """Changes whenever anything the stages look at changes (text, title, date, ...).

    Where the article is stored (`source_path`) is left out: renaming or splitting a file re-analyses nothing.
    Every other field is written out explicitly, so a field added to Document must be added here.
    """
    fields = [document.doc_id, document.title, document.body, document.published, document.source, document.url,
              document.encoding, document.content_sha256, [list(pair) for pair in document.metadata],
              document.problem, document.problem_status.value, list(document.warnings)]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


class StateStore:
    """Finished per-document results of earlier runs, in `<out>/.pipeline/state.sqlite`."""

    def __init__(self, out: Path, pipeline_fingerprint: str):
        self.directory = out / STATE_DIR
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "state.sqlite"
        self._seal = self.path.with_name(self.path.name + ".sealed")
        self.notices: list[str] = []
        check = not self._sealed_as_found()
        with suppress(OSError):  # (a read-only folder: the first write says so, see `_write_error`)
            self._seal.unlink(missing_ok=True)  # until `close`: a run that dies leaves the next one to check
        try:
            self._connection = self._open(pipeline_fingerprint, check)
        except sqlite3.DatabaseError as error:
            if not is_damaged(error):
                raise self._write_error(error) from error
            aside = self._move_aside()
            self.notices.append(
                f"the state database {self.path} was damaged ({error}); it was moved aside to {aside.name} and "
                "every article is analysed again; delete that file when this run has finished"
            )
            self._connection = self._open(pipeline_fingerprint, check=True)

    def _open(self, pipeline_fingerprint: str, check: bool) -> sqlite3.Connection:
        """Connect, check the file is a sound database (`check`), and drop results of another pipeline or format."""
        connection = sqlite3.connect(self.path)
        try:
            if check:
                problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
                if problems != ["ok"]:
                    raise _corrupt(problems[0])
            if self._older_format(connection):
                self.notices.append(
                    f"the state database {self.path} was written by an older version of the pipeline (it kept every "
                    f"article body); it is rebuilt in format {STATE_FORMAT} and every article is analysed again"
                )
                with connection:
                    for table in (*_OLD_TABLES, "documents", "mention_groups", *_CROSS_TABLES, *_ENTITY_TABLES,
                                  "source_files", "meta"):
                        connection.execute(f"DROP TABLE IF EXISTS {table}")
            connection.executescript(_SCHEMA)
            stored = connection.execute("SELECT value FROM meta WHERE key = 'pipeline'").fetchone()
            if stored != (pipeline_fingerprint,):
                with connection:
                    for table in ("documents", "mention_groups", *_CROSS_TABLES, *_ENTITY_TABLES, "source_files"):
                        connection.execute(f"DELETE FROM {table}")
                    connection.execute("DELETE FROM meta")
                    connection.execute("INSERT INTO meta VALUES ('pipeline', ?)", (pipeline_fingerprint,))
                    connection.execute("INSERT INTO meta VALUES ('format', ?)", (STATE_FORMAT,))
        except BaseException:
            connection.close()
            raise
        return connection

    @staticmethod
    def _older_format(connection: sqlite3.Connection) -> bool:
        """A database written by an earlier format: its old tables, or a pipeline entry without our format."""
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables & set(_OLD_TABLES):
            return True
        if "meta" not in tables:
            return False
        entries = dict(connection.execute("SELECT key, value FROM meta WHERE key IN ('pipeline', 'format')"))
        return "pipeline" in entries and entries.get("format") != STATE_FORMAT

    def _move_aside(self) -> Path:
        """Rename the damaged database (and its journal) to `state.sqlite.corrupt-<time>`."""
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        while aside.exists():
            aside = aside.with_name(aside.name + "_")
        self.path.replace(aside)
        journal = self.path.with_name(self.path.name + "-journal")
        if journal.exists():
            journal.replace(aside.with_name(aside.name + "-journal"))
        return aside

    def _write_error(self, error: sqlite3.DatabaseError) -> StateWriteError:
        if _error_name(error) in _FULL:
            return StateWriteError(
                f"the disk holding {self.directory} is full ({error}): the articles analysed so far are saved; "
                "free some disk space (old output folders, or state.sqlite.corrupt-* files in that folder) "
                "and run again to continue where this run stopped"
            )
        return StateWriteError(
            f"cannot use the state database {self.path} ({error}): check that the output folder is writable "
            "(or pass another one with --out) and run again"
        )

    def close(self) -> None:
        """Close the database and seal it: the next run trusts it as it is now without checking it."""
        self._connection.close()
        self._write_seal()

    def set_aside_damaged(self, error: sqlite3.DatabaseError) -> "StateDamagedError":
        """After a read found the database damaged: close it unsealed, move it aside; the error to raise."""
        self._connection.close()
        aside = self._move_aside()
        return StateDamagedError(
            f"the state database {self.path} is damaged ({error}): it was moved aside to {aside.name}; run again "
            "to analyse every article again (the tables of the last run are unchanged), then delete that file")

    def _stat_seal(self) -> dict[str, int] | None:
        try:
            found = self.path.stat()
        except FileNotFoundError:
            return None
        return {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "ctime_ns": found.st_ctime_ns,
                "inode": found.st_ino, "device": found.st_dev}

    def _sealed_as_found(self) -> bool:
        """Whether the database is exactly as the last run that closed it cleanly left it.

        `PRAGMA quick_check` reads the whole file: 2.3 CPU-s for the ~600 MB state of 120k articles,
        a fifth of what adding 100 articles may cost. It is skipped when the file's size, times
        (mtime and ctime, which `touch -d` cannot set back), inode and device are those `close`
        recorded after the last clean run, and no journal is left: SQLite's transactions keep the
        file sound across our own crashes (a killed run removes no seal it did not make, but it
        took the seal away when it opened, so the next run checks). A file damaged behind our back
        without its times changing (a bad disk) is caught when a read fails (SQLITE_CORRUPT, see
        `set_aside_damaged`), as SQLite checks every page it reads.
        """
        try:
            sealed = json.loads(self._seal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        journal = self.path.with_name(self.path.name + "-journal")
        return sealed == self._stat_seal() and not (journal.exists() and journal.stat().st_size > 0)

    def _write_seal(self) -> None:
        """Record the database's stat (`_sealed_as_found`); atomic, and never a reason for a run to fail."""
        found = self._stat_seal()
        if found is None:
            return
        staged = self._seal.with_name(self._seal.name + ".tmp")
        try:
            staged.write_text(json.dumps(found), encoding="utf-8")
            os.replace(staged, self._seal)
        except OSError:
            staged.unlink(missing_ok=True)

    def revisions(self) -> dict[str, str]:
        """doc_id -> revision of every stored result."""
        return dict(self._connection.execute("SELECT doc_id, revision FROM documents"))

    def save(self, results: Iterable[DocumentResult]) -> None:
        """Store finished results in one transaction (all of the batch or nothing)."""
        rows, groups = [], []
        for r in results:
            doc_id = r.document.doc_id
            rows.append((doc_id, document_revision(r.document), r.document.source_path, encode_result(r),
                         None, None, None, None, r.status.value))
            groups.extend((doc_id, *group) for group in mention_groups(r.linked))
        with self._writing():
            self._connection.executemany("DELETE FROM mention_groups WHERE doc_id = ?", [(row[0],) for row in rows])
            self._connection.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self._connection.executemany("INSERT INTO mention_groups VALUES (?, ?, ?, ?, ?, ?, ?)", groups)

    def delete(self, doc_ids: Iterable[str]) -> None:
        """Forget deleted articles; the entities they named are counted again at the next `refresh_entities`."""
        keys = [(d,) for d in doc_ids]
        with self._writing():
            self._connection.executemany("DELETE FROM documents WHERE doc_id = ?", keys)
            self._connection.executemany("DELETE FROM mention_groups WHERE doc_id = ?", keys)
            self._connection.executemany("INSERT OR IGNORE INTO stale_entities "
                                         "SELECT entity_id FROM final_groups WHERE doc_id = ?", keys)
            self._connection.executemany("DELETE FROM final_groups WHERE doc_id = ?", keys)

    def move(self, source_paths: Iterable[tuple[str, str]]) -> None:
        """Record new source paths (doc_id, path) of articles whose file was renamed or split: nothing to analyse."""
        with self._writing():
            self._connection.executemany("UPDATE documents SET source_path = ?, documents_rows = NULL WHERE doc_id = ?",
                                         [(path, doc_id) for doc_id, path in source_paths])

    def source_keys(self) -> dict[bytes, str]:
        """Source key (`corpus.source_key`) -> doc_id of the stored articles read from exactly that source."""
        return dict(self._connection.execute("SELECT source_key, doc_id FROM documents WHERE source_key IS NOT NULL"))

    def set_source_keys(self, keys: Iterable[tuple[bytes, str]]) -> None:
        """Remember (source key, doc_id) of stored articles, so the next run need not parse them while
        their source is unchanged; a key of an article not stored (yet) is ignored."""
        with self._writing():
            self._connection.executemany("UPDATE documents SET source_key = ? WHERE doc_id = ?", keys)

    def source_files(self) -> dict[str, tuple[str, list[tuple[str, str]]]]:
        """Relative path -> (sha256, [(doc_id, source_path), ...]) of each corpus file as the last
        complete run read it: the articles those bytes gave (`set_source_files`)."""
        return {relative: (sha256, [tuple(pair) for pair in json.loads(articles)])
                for relative, sha256, articles in self._connection.execute("SELECT * FROM source_files")}

    def set_source_files(self, files: Iterable[tuple[str, str, list[tuple[str, str]]]]) -> None:
        """Replace the records of `source_files` by (relative path, sha256, articles) of each file read;
        call only once every article of those files is stored."""
        with self._writing():
            self._connection.execute("DELETE FROM source_files")
            self._connection.executemany("INSERT INTO source_files VALUES (?, ?, ?)", (
                (relative, sha256, json.dumps(articles, ensure_ascii=False)) for relative, sha256, articles in files))

    def source_paths(self) -> dict[str, str]:
        """doc_id -> the source path stored with its result."""
        return dict(self._connection.execute("SELECT doc_id, source_path FROM documents"))

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One transaction; a full disk or a read-only folder becomes a StateWriteError that says what to do."""
        try:
            with self._connection:
                yield
        except sqlite3.OperationalError as error:
            raise self._write_error(error) from error

    def results(self) -> Iterator[DocumentResult]:
        """Every stored result (without its body), ordered by document id (the order of the tables)."""
        query = "SELECT source_path, record FROM documents ORDER BY doc_id"
        for source_path, record in self._connection.execute(query):
            yield decode_result(record, source_path)

    def groups(self) -> Iterator[tuple[str, str, str, str, str, str, int]]:
        """Every mention group: (doc_id, entity_id, canonical, label, surface, surface_key, n), by document."""
        return self._connection.execute("SELECT * FROM mention_groups ORDER BY doc_id")

    def results_in_chunks(self, size: int = 500) -> Iterator[list[DocumentResult]]:
        """Every stored result in lists of `size` (ids read first, so the caller may write between chunks)."""
        doc_ids = [row[0] for row in self._connection.execute("SELECT doc_id FROM documents ORDER BY doc_id")]
        for start in range(0, len(doc_ids), size):
            chunk = doc_ids[start:start + size]
            query = (f"SELECT source_path, record FROM documents WHERE doc_id IN ({','.join('?' * len(chunk))}) "
                     "ORDER BY doc_id")
            yield [decode_result(record, path) for path, record in self._connection.execute(query, chunk)]

    def replace_links(self, results: Iterable[DocumentResult]) -> None:
        """Store new within-article links of stored results (alias rules changed); revisions stay."""
        rows, groups = [], []
        for r in results:
            rows.append((encode_result(r), r.status.value, r.document.doc_id))
            groups.extend((r.document.doc_id, *group) for group in mention_groups(r.linked))
        with self._writing():
            self._connection.executemany("DELETE FROM mention_groups WHERE doc_id = ?", [(row[-1],) for row in rows])
            self._connection.executemany("UPDATE documents SET record = ?, status = ?, documents_rows = NULL, "
                                         "mentions_rows = NULL, dates_rows = NULL WHERE doc_id = ?", rows)
            self._connection.executemany("INSERT INTO mention_groups VALUES (?, ?, ?, ?, ?, ?, ?)", groups)

    def statuses(self) -> dict[str, int]:
        """How many stored documents have each status (ok, skipped, error)."""
        return dict(self._connection.execute("SELECT status, COUNT(*) FROM documents GROUP BY status ORDER BY status"))

    def start_cross_step(self, places_key: str) -> CrossInputs:
        """What the cross-article step needs: every per-article entity of the corpus as it is now, which
        article names which (read from the state only where a decision asks), and the previous run's
        decisions with the entities they can no longer be trusted for. The entities are written to
        the state at once, in a transaction `adopt_links` commits with the decisions (nothing is
        kept if the step fails), so that the step need not hold their rows.

        Kept from the last step: the entities' names, labels and surfaces (`cross_entities`) and
        each article's entity ids (`cross_documents`). The articles whose mention groups changed
        since are those not rendered yet (`save` and `replace_links` clear their rows; a crash
        before they are rendered again only makes this set larger) and those deleted; every entity
        they named before or name now is counted again from its mention groups, by index, and is
        `changed`. Without a complete previous step for this place index (`places_key`, kept in the
        `_DECISIONS_KEPT` row), or when most articles changed (new alias rules relink them all),
        everything is collected from the groups in one pass, and decided again.
        """
        dirty = self._changed_documents()
        kept = self._connection.execute("SELECT new_id FROM cross_moves WHERE entity_id = ?", (_DECISIONS_KEPT,)).fetchone()
        if kept != (places_key,) or len(dirty) > MOST_CHANGED * self._count_documents():
            entities, ids = collect_entities(self.groups())
            with self._uncommitted():
                self._connection.execute("DELETE FROM cross_entities")
                self._connection.execute("DELETE FROM cross_documents")
                self._replace_rows("cross_entities", ("entity_id",), (), itertools.starmap(_entity_row, entities.items()))
                self._replace_rows("cross_documents", ("doc_id",), (),
                                   ((doc_id, "\n".join(named)) for doc_id, named in ids.items()))
            return CrossInputs(entities, Articles.of(ids), None, set(), stored=None)
        stored = self._stored_decisions()
        now = {doc_id: [row[0] for row in self._connection.execute(
            "SELECT DISTINCT entity_id FROM mention_groups WHERE doc_id = ?", (doc_id,))] for doc_id in dirty}
        changed = set().union(*now.values(), *(self._stored_ids(doc_id) for doc_id in now))
        entities = {row[0]: _StoredEntity(*row) for row in self._connection.execute("SELECT * FROM cross_entities")}
        for entity_id in changed:
            entities.pop(entity_id, None)
        entities.update(collect_entities(self._groups_of_entities(changed))[0])
        with self._uncommitted():
            self._replace_rows("cross_entities", ("entity_id",), [(e,) for e in changed],
                               (_entity_row(e, entities[e]) for e in changed if e in entities))
            self._replace_rows("cross_documents", ("doc_id",), [(doc_id,) for doc_id in now],
                               ((doc_id, "\n".join(named)) for doc_id, named in now.items() if named))
        articles = Articles(_StoredIds(self._stored_ids, now, entities), _StoredDocuments(self._connection))
        return CrossInputs(entities, articles, _decisions(stored), changed, stored)

    @contextmanager
    def _uncommitted(self) -> Iterator[None]:
        """Writes that the next `_writing` transaction commits with its own; a failure rolls them back
        (a full disk or a read-only folder becomes a StateWriteError)."""
        try:
            yield
        except sqlite3.OperationalError as error:
            self._connection.rollback()
            raise self._write_error(error) from error

    def _stored_ids(self, doc_id: str) -> list[str]:
        """The entity ids the last cross-article step stored for an article ([] for none)."""
        row = self._connection.execute("SELECT entity_ids FROM cross_documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0].split("\n") if row else []

    def _count_documents(self) -> int:
        return self._connection.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def _changed_documents(self) -> set[str]:
        """The articles whose mention groups may differ from those the last cross-article step read."""
        unrendered = self._connection.execute("SELECT doc_id FROM documents WHERE mentions_rows IS NULL")
        deleted = self._connection.execute(
            "SELECT doc_id FROM cross_documents WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
        return {row[0] for row in itertools.chain(unrendered, deleted)}

    def _groups_of_entities(self, entity_ids: Iterable[str]) -> Iterator[CorpusGroup]:
        """Every mention group of the given entities, by index."""
        for entity_id in sorted(entity_ids):
            yield from self._connection.execute("SELECT * FROM mention_groups WHERE entity_id = ?", (entity_id,))

    def _stored_decisions(self) -> StoredDecisions:
        connection = self._connection
        return StoredDecisions(
            moves={row[0]: (row[1], row[2]) for row in connection.execute("SELECT * FROM cross_moves WHERE entity_id != ?",
                                                                           (_DECISIONS_KEPT,))},
            short_forms={(row[0], row[1]): (row[2], row[3]) for row in connection.execute("SELECT * FROM cross_short_forms")},
            first={(row[0], row[1]): row[2] for row in connection.execute("SELECT * FROM cross_first")},
            candidates={row[0]: row[1].split("\n") for row in connection.execute("SELECT * FROM cross_candidates")},
        )

    def adopt_links(self, links: CrossLinks, decisions: Decisions, stored: StoredDecisions | None, places_key: str) -> int:
        """Store the cross-article links and decisions of this run by difference with the previous ones
        (`stored`, read here when the step did not need them), in one transaction with the entities
        `start_cross_step` wrote and with dropping the mention rows of every article whose links
        changed (to be rendered again). Returns how many articles those are."""
        old = stored if stored is not None else self._stored_decisions()
        moved = {key for key in old.moves.keys() | links.moves.keys() if old.moves.get(key) != links.moves.get(key)}
        shorted = _changed_keys(old.short_forms, links.short_forms)
        with self._writing():
            connection = self._connection
            connection.execute("CREATE TEMP TABLE IF NOT EXISTS changed_ids (entity_id TEXT PRIMARY KEY)")
            connection.execute("DELETE FROM temp.changed_ids")
            connection.executemany("INSERT INTO temp.changed_ids VALUES (?)", ((key,) for key in moved))
            affected = {row[0] for row in connection.execute(
                "SELECT DISTINCT doc_id FROM mention_groups WHERE entity_id IN (SELECT entity_id FROM temp.changed_ids)")}
            affected |= {doc_id for doc_id, _ in shorted}
            connection.executemany("UPDATE documents SET mentions_rows = NULL WHERE doc_id = ?", ((d,) for d in affected))
            if moved:
                connection.execute("DELETE FROM cross_moves")
                connection.executemany("INSERT INTO cross_moves VALUES (?, ?, ?)",
                                       ((key, new, canonical) for key, (new, canonical) in links.moves.items()))
            self._replace_rows("cross_short_forms", ("doc_id", "entity_id"), shorted,
                               ((*key, *links.short_forms[key]) for key in shorted if key in links.short_forms))
            first = _changed_keys(old.first, decisions.first)
            self._replace_rows("cross_first", ("doc_id", "entity_id"), first,
                               ((*key, decisions.first[key]) for key in first if key in decisions.first))
            candidates = _changed_keys(old.candidates, decisions.candidates)
            self._replace_rows("cross_candidates", ("entity_id",), [(key,) for key in candidates],
                               ((key, "\n".join(decisions.candidates[key])) for key in candidates
                                if key in decisions.candidates))
            connection.execute("INSERT OR REPLACE INTO cross_moves VALUES (?, ?, '')", (_DECISIONS_KEPT, places_key))
        return len(affected)

    def _replace_rows(self, table: str, key_columns: tuple[str, ...], keys: Iterable[tuple], rows: Iterable[tuple]) -> None:
        """Delete the rows of `table` with the given keys, then insert `rows` (inside the caller's transaction)."""
        where = " AND ".join(f"{column} = ?" for column in key_columns)
        self._connection.executemany(f"DELETE FROM {table} WHERE {where}", keys)
        rows = iter(rows)
        first = next(rows, None)
        if first is not None:
            self._connection.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(first))})",
                                         itertools.chain([first], rows))

    def table_rows(self, render: Callable[[DocumentResult], tuple[str, str, str]],
                   chunk: int = 2000) -> Iterator[tuple[str, str, str]]:
        """(documents, mentions, dates) CSV rows of every article in doc_id order: the stored ones, or
        `render(result)` for an article without them, saved chunk by chunk for the next run."""
        last = ""
        query = ("SELECT doc_id, source_path, documents_rows, mentions_rows, dates_rows, "
                 "CASE WHEN documents_rows IS NULL OR mentions_rows IS NULL OR dates_rows IS NULL THEN record END "
                 "FROM documents WHERE doc_id > ? ORDER BY doc_id LIMIT ?")
        while True:
            rows = self._connection.execute(query, (last, chunk)).fetchall()
            if not rows:
                return
            rendered = []
            for doc_id, source_path, *stored, record in rows:
                if record is not None:
                    stored = render(decode_result(record, source_path))
                    rendered.append((*stored, doc_id))
                yield tuple(stored)
            if rendered:
                with self._writing():
                    self._connection.executemany(
                        "UPDATE documents SET documents_rows = ?, mentions_rows = ?, dates_rows = ? WHERE doc_id = ?",
                        rendered)
            last = rows[-1][0]

    def refresh_entities(self, render: Callable[[EntityCounts], Iterator[tuple[str, str, str]]]) -> int:
        """Bring the stored entity rows up to date by difference, after `adopt_links`; returns how many changed.

        The articles to count again are those whose mention rows are to be rendered (new, changed, or
        their links changed: `adopt_links` and `save` clear them) and, the first time, all of them:
        their old rows in `final_groups` leave, their new ones come in, and every entity either names
        is stale. Only stale entities are counted and rendered again, by `render(counts)`, which yields
        (entity_id, entities.csv text, aliases.csv text) for each. Two transactions: a crash between
        them leaves the stale list, so the next run finishes the job.
        """
        connection = self._connection
        everything = self.get_meta("entity_rows") != "complete"
        with self._writing():
            connection.execute("DROP TABLE IF EXISTS temp.dirty_docs")
            connection.execute("CREATE TEMP TABLE dirty_docs (doc_id TEXT PRIMARY KEY)")
            connection.execute("INSERT INTO temp.dirty_docs SELECT doc_id FROM documents"
                               + ("" if everything else " WHERE mentions_rows IS NULL"))
            if everything:
                connection.execute("DELETE FROM final_groups")
                connection.execute("DELETE FROM entity_rows")
            connection.execute(_STALE_OF_DIRTY)
            connection.execute("DELETE FROM final_groups WHERE doc_id IN (SELECT doc_id FROM temp.dirty_docs)")
            connection.execute(_FINAL_GROUPS_OF_DIRTY)
            connection.execute(_STALE_OF_DIRTY)
            connection.execute("INSERT OR REPLACE INTO meta VALUES ('entity_rows', 'complete')")
        with self._writing():
            connection.execute("DELETE FROM entity_rows WHERE entity_id IN (" + _STALE + ")")
            connection.executemany("INSERT INTO entity_rows VALUES (?, ?, ?)", render(EntityCounts(connection)))
            changed = connection.execute("SELECT COUNT(*) FROM stale_entities").fetchone()[0]
            connection.execute("DELETE FROM stale_entities")
        return changed

    def entity_texts(self) -> Iterator[str]:
        """The stored entities.csv text of every entity, in entity id order."""
        return (row[0] for row in self._connection.execute("SELECT entity_text FROM entity_rows ORDER BY entity_id"))

    def alias_texts(self) -> Iterator[str]:
        """The stored aliases.csv text of every entity (all its surface forms), in entity id order."""
        return (row[0] for row in self._connection.execute("SELECT alias_text FROM entity_rows ORDER BY entity_id"))

    def get_meta(self, key: str) -> str | None:
        row = self._connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._writing():
            self._connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def _error_name(error: sqlite3.DatabaseError) -> str:
    """SQLite's name for the error (SQLITE_FULL, SQLITE_CORRUPT, ...), '' when it gave none."""
    return getattr(error, "sqlite_errorname", "") or ""


def is_damaged(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite found the database file damaged (not full, locked or read-only)."""
    return _error_name(error) in _CORRUPT


def _corrupt(problem: str) -> sqlite3.DatabaseError:
    error = sqlite3.DatabaseError(f"integrity check: {problem}")
    error.sqlite_errorname = "SQLITE_CORRUPT"
    return error


def output_lock(out: Path) -> FileLock:
    """A lock on the output folder, so two runs never write the same tables."""
    try:
        (out / STATE_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot create the output folder {out}: {error.strerror or error}: "
            "choose a folder you can write to with --out (or OUT=...)"
        ) from error
    return FileLock(out / STATE_DIR / "run.lock", timeout=0)


def acquire(lock: FileLock, out: Path) -> None:
    try:
        lock.acquire()
    except Timeout:
        raise RunLockedError(
            f"another extraction is writing to {out} (lock {lock.lock_file}): "
            "wait for it to finish, or pass another output folder with --out"
        ) from None


# ---------------------------------------------------------------- JSON codec

def encode_result(result: DocumentResult) -> str:
    """A result as compact JSON without the article body (the source path is stored beside it)."""
    document, language = result.document, result.language
    record = [
        [document.doc_id, document.title, document.published, document.source, document.url, document.encoding,
         document.content_sha256, [list(pair) for pair in document.metadata], document.problem,
         document.problem_status.value, list(document.warnings)],
        result.status.value, result.status_detail,
        [language.language, language.confidence, [list(pair) for pair in language.shares],
         [list(triple) for triple in language.paragraphs]],
        result.n_chars, result.n_words,
        [_encode_link(item) for item in result.linked] if result.linked else [_encode_mention(m) for m in result.mentions],
        [_encode_timex(t) for t in result.timexes],
        bool(result.linked),
    ]
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _encode_mention(m: Mention) -> list:
    return [m.field.value, m.start, m.end, m.text, m.label.value, m.sentence]


def _encode_link(item: LinkedMention) -> list:
    return [*_encode_mention(item.mention), item.canonical, item.entity_id]


def _encode_timex(t: Timex) -> list:
    return [t.field.value, t.start, t.end, t.text, t.type.value, t.value,
            t.date_start.isoformat() if t.date_start else None, t.date_end.isoformat() if t.date_end else None,
            t.granularity, t.mod]


def decode_result(payload: str, source_path: str) -> DocumentResult:
    """The inverse of `encode_result`; the document comes back with an empty body."""
    document, status, detail, language, n_chars, n_words, mentions, timexes, is_linked = json.loads(payload)
    doc_id, title, published, source, url, encoding, sha, metadata, problem, problem_status, warnings = document
    if is_linked:
        linked = tuple(LinkedMention(_decode_mention(m), m[6], m[7]) for m in mentions)
        found = tuple(item.mention for item in linked)
    else:
        linked, found = (), tuple(_decode_mention(m) for m in mentions)
    return DocumentResult(
        document=Document(doc_id=doc_id, source_path=source_path, title=title, body="", published=published,
                          source=source, url=url, encoding=encoding, content_sha256=sha,
                          metadata=tuple(tuple(pair) for pair in metadata), problem=problem,
                          problem_status=Status(problem_status), warnings=tuple(warnings)),
        status=Status(status),
        status_detail=detail,
        language=LanguageGuess(language=language[0], confidence=language[1],
                               shares=tuple(tuple(pair) for pair in language[2]),
                               paragraphs=tuple(tuple(triple) for triple in language[3])),
        n_chars=n_chars,
        n_words=n_words,
        mentions=found,
        timexes=tuple(_decode_timex(t) for t in timexes),
        linked=linked,
    )


def _decode_mention(m: list) -> Mention:
    return Mention(field=Field(m[0]), start=m[1], end=m[2], text=m[3], label=Label(m[4]), sentence=m[5])


def _decode_timex(t: list) -> Timex:
    return Timex(field=Field(t[0]), start=t[1], end=t[2], text=t[3], type=TimexType(t[4]), value=t[5],
                 date_start=_optional_date(t[6]), date_end=_optional_date(t[7]), granularity=t[8], mod=t[9])


def _optional_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
