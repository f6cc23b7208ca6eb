"""What earlier runs finished: per-document results kept between runs for incremental extraction.

The store is a SQLite file inside the output folder. Each finished batch is committed at once,
so a crash or Ctrl-C loses nothing that was finished; the next run picks up where it stopped.
A result is reused only while the document's revision and the pipeline's fingerprint (model,
code version, settings) are unchanged.

The store is a cache: a database that cannot be read is moved aside and rebuilt (every article
is analysed again), never a reason to stop. A full disk is: the message says what to free.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

from filelock import FileLock, Timeout

from .records import Document, DocumentResult, Field, Label, LanguageGuess, Mention, Status, Timex, TimexType
from .tables import OutputError

STATE_DIR = ".pipeline"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (doc_id TEXT PRIMARY KEY, revision TEXT NOT NULL, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class RunLockedError(RuntimeError):
    """Another run is writing to the same output folder."""


class StateWriteError(OutputError):
    """The state database cannot be written (full disk, read-only folder); finished work so far is kept."""


_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_FULL = ("SQLITE_FULL",)


def document_revision(document: Document) -> str:
    """Changes whenever anything the stages look at changes (text, title, date, ...).

    Where the article is stored (`source_path`) is left out: renaming or splitting a file re-analyses nothing.
    """
    payload = json.dumps(asdict(replace(document, source_path="")), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class StateStore:
    """Finished per-document results of earlier runs, in `<out>/.pipeline/state.sqlite`."""

    def __init__(self, out: Path, pipeline_fingerprint: str):
        self.directory = out / STATE_DIR
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "state.sqlite"
        self.notices: list[str] = []
        try:
            self._connection = self._open(pipeline_fingerprint)
        except sqlite3.DatabaseError as error:
            if _error_name(error) not in _CORRUPT:
                raise self._write_error(error) from error
            aside = self._move_aside()
            self.notices.append(
                f"the state database {self.path} was damaged ({error}); it was moved aside to {aside.name} and "
                "every article is analysed again; delete that file when this run has finished"
            )
            self._connection = self._open(pipeline_fingerprint)

    def _open(self, pipeline_fingerprint: str) -> sqlite3.Connection:
        """Connect, check the file is a sound database, and drop results of another pipeline."""
        connection = sqlite3.connect(self.path)
        try:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise _corrupt(problems[0])
            connection.executescript(_SCHEMA)
            stored = connection.execute("SELECT value FROM meta WHERE key = 'pipeline'").fetchone()
            if stored != (pipeline_fingerprint,):
                with connection:
                    connection.execute("DELETE FROM results")
                    connection.execute("DELETE FROM meta")
                    connection.execute("INSERT INTO meta VALUES ('pipeline', ?)", (pipeline_fingerprint,))
        except BaseException:
            connection.close()
            raise
        return connection

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
        self._connection.close()

    def revisions(self) -> dict[str, str]:
        """doc_id -> revision of every stored result."""
        return dict(self._connection.execute("SELECT doc_id, revision FROM results"))

    def save(self, results: Iterable[DocumentResult]) -> None:
        """Store finished results in one transaction (all of the batch or nothing)."""
        rows = [(r.document.doc_id, document_revision(r.document), encode_result(r)) for r in results]
        with self._writing():
            self._connection.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", rows)

    def delete(self, doc_ids: Iterable[str]) -> None:
        with self._writing():
            self._connection.executemany("DELETE FROM results WHERE doc_id = ?", [(d,) for d in doc_ids])

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One transaction; a full disk or a read-only folder becomes a StateWriteError that says what to do."""
        try:
            with self._connection:
                yield
        except sqlite3.OperationalError as error:
            raise self._write_error(error) from error

    def results(self) -> Iterator[DocumentResult]:
        """Every stored result, ordered by document id (the order of the tables)."""
        for (payload,) in self._connection.execute("SELECT payload FROM results ORDER BY doc_id"):
            yield decode_result(payload)

    def get_meta(self, key: str) -> str | None:
        row = self._connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._writing():
            self._connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def _error_name(error: sqlite3.DatabaseError) -> str:
    """SQLite's name for the error (SQLITE_FULL, SQLITE_CORRUPT, ...), '' when it gave none."""
    return getattr(error, "sqlite_errorname", "") or ""


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
    return json.dumps(asdict(result), default=_encode_value, ensure_ascii=False, separators=(",", ":"))


def _encode_value(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def decode_result(payload: str) -> DocumentResult:
    data = json.loads(payload)
    document = data["document"]
    document["metadata"] = tuple(tuple(pair) for pair in document["metadata"])
    document["warnings"] = tuple(document["warnings"])
    document["problem_status"] = Status(document["problem_status"])
    language = data["language"]
    return DocumentResult(
        document=Document(**document),
        status=Status(data["status"]),
        status_detail=data["status_detail"],
        language=LanguageGuess(
            language=language["language"],
            confidence=language["confidence"],
            shares=tuple(tuple(pair) for pair in language["shares"]),
            paragraphs=tuple(tuple(triple) for triple in language["paragraphs"]),
        ),
        n_chars=data["n_chars"],
        n_words=data["n_words"],
        mentions=tuple(_decode_mention(m) for m in data["mentions"]),
        timexes=tuple(_decode_timex(t) for t in data["timexes"]),
    )


def _decode_mention(data: dict) -> Mention:
    return Mention(field=Field(data["field"]), start=data["start"], end=data["end"], text=data["text"],
                   label=Label(data["label"]), sentence=data["sentence"])


def _decode_timex(data: dict) -> Timex:
    return Timex(
        field=Field(data["field"]), start=data["start"], end=data["end"], text=data["text"],
        type=TimexType(data["type"]), value=data["value"],
        date_start=_optional_date(data["date_start"]), date_end=_optional_date(data["date_end"]),
        granularity=data["granularity"], mod=data["mod"],
    )


def _optional_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
