"""Bad input of every kind beside good articles: the run exits 0, every input has exactly one row
with the expected status and message, and the good articles are fully analysed.

One corpus holds all the kinds at once (one run, so the matrix stays fast, and no bad input may
disturb another); the failures of the run itself (damaged state, full disk, Ctrl-C while writing,
edited tables) each get a run of their own below.
"""
from __future__ import annotations

import codecs
import contextlib
import gzip
import importlib
import io
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from pipeline import load_tables
from pipeline.cli import EXIT_INTERRUPTED, EXIT_USAGE, main
from pipeline.records import Status

run_module = importlib.import_module("pipeline.run")
state_module = importlib.import_module("pipeline.state")
tables_module = importlib.import_module("pipeline.tables")

GOOD = {
    "goed/lijn": "---\ntitle: De Lijn rijdt vaker\npublished: 2025-06-12\n---\nDe Lijn rijdt vanaf maandag vaker naar Gent. "
                 "Dat zei Mathias De Clercq gisteren.\n",
    "goed/leuven": "---\npublished: 2025-02-18\n---\nDe KU Leuven heeft op 17 februari 2025 in Heverlee een nieuw "
                   "onderzoekscentrum voor batterijen geopend. Rector Séverine Hermans knipte het lint door.\n",
    "goed/haven": "date 2025-03 Rotterdam groeit. De haven van Rotterdam sloeg vorig jaar meer containers over.\n",
}
RELATIVE_DAYS = "De Lijn rijdt morgen en volgende week extra naar Gent, ook met Kerstmis.\n"
DUTCH = "De Lijn rijdt vanaf maandag vaker naar Gent, zegt de stad.\n"


@dataclass(frozen=True)
class Case:
    """One kind of bad input: the row it must give (doc_id, status, words of status_detail)."""

    kind: str
    doc_id: str
    status: Status
    detail: str


def _jsonl(*records: object) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def _truncated_gzip() -> bytes:
    """A .jsonl.gz cut off in its second line (random letters do not compress, so the first line survives)."""
    chooser = random.Random(3)
    letters = "".join(chooser.choice("abcdefghij ") for _ in range(20_000))
    whole = gzip.compress(_jsonl({"id": "gz-1", "text": DUTCH}, {"id": "gz-2", "text": letters}))
    return whole[: len(whole) - 400]


def _random_bytes() -> bytes:
    noise = random.Random(7).randbytes(600)
    return noise.replace(b"\x00", b"\x01")  # no NUL: only the control characters can tell it is not text


# (kind, relative path or None, content, doc_id, status, detail). Content bytes are written as given.
FILES = [
    ("empty file", "kapot/leeg.txt", b"", "kapot/leeg", Status.SKIPPED, "empty article: the file has no text"),
    ("whitespace only", "kapot/spaties.txt", b" \n\t\n", "kapot/spaties", Status.SKIPPED, "empty article: the file has no text"),
    ("front matter only", "kapot/kop.txt", b"---\ntitle:\n---\n", "kapot/kop", Status.SKIPPED, "empty article"),
    ("binary with NUL", "kapot/foto.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "kapot/foto", Status.ERROR,
     "binary file, not text: save the article as UTF-8 text"),
    ("random bytes without NUL", "kapot/ruis.txt", _random_bytes(), "kapot/ruis", Status.ERROR, "binary file, not text"),
    ("unsupported extension", "kapot/scan.pdf", b"%PDF-1.4", "kapot/scan.pdf", Status.SKIPPED,
     "unsupported file type '.pdf': save articles as .txt, .md or .jsonl"),
    ("unclosed front matter", "kapot/open.txt", b"---\ntitle: Open\nDe tekst.", "kapot/open", Status.ERROR,
     "front matter opened on line 1 is never closed"),
    ("malformed front matter line", "kapot/sleutel.txt", b"---\ntitle: Goed\ngeen sleutel\n---\nTekst.", "kapot/sleutel",
     Status.ERROR, "malformed front matter on line 3: expected 'key: value'"),
    ("sentinel year 9999 with relative dates", "datum/9999.txt", f"---\npublished: 9999-12-31\n---\n{RELATIVE_DAYS}".encode(),
     "datum/9999", Status.OK, "published date '9999-12-31' is outside the years 1600-2199 (a placeholder for an unknown date?)"),
    ("sentinel year 0001 with relative dates", "datum/0001.txt", f"---\npublished: 0001-01-01\n---\n{RELATIVE_DAYS}".encode(),
     "datum/0001", Status.OK, "published date '0001-01-01' is outside the years 1600-2199"),
    ("published date that is a word", "datum/woord.txt", f"---\npublished: gisteren\n---\n{DUTCH}".encode(), "datum/woord",
     Status.OK, "published date 'gisteren' is not a date; use YYYY-MM-DD"),
    ("invalid date marker", "datum/marker.txt", f"date 2025-13-45 {DUTCH}".encode(), "datum/marker", Status.OK,
     "date marker '2025-13-45' is not a date; use YYYY-MM-DD"),
    ("sentinel date marker", "datum/marker-0001.txt", f"date 0001-01-01 {RELATIVE_DAYS}".encode(), "datum/marker-0001",
     Status.OK, "date marker '0001-01-01' is outside the years 1600-2199"),
    ("Windows-1252 text", "codering/ansi.txt", f"Café in Liège. {DUTCH}".encode("cp1252"), "codering/ansi", Status.OK, ""),
    ("UTF-16 with byte-order mark", "codering/utf16-bom.txt", codecs.BOM_UTF16_LE + DUTCH.encode("utf-16-le"),
     "codering/utf16-bom", Status.OK, ""),
    ("UTF-16 without byte-order mark", "codering/utf16.txt", DUTCH.encode("utf-16-le"), "codering/utf16", Status.OK, ""),
    ("UTF-16 .jsonl", "codering/items16.jsonl", codecs.BOM_UTF16_LE + _jsonl({"id": "u16", "text": DUTCH}).decode().encode("utf-16-le"),
     "u16", Status.OK, ""),
    ("lone surrogate in .jsonl text", "jsonl/surrogaat.jsonl", b'{"id": "sur", "text": "De Lijn rijdt \\ud800 naar Gent."}\n',
     "sur", Status.OK, "1 invalid character(s) (NUL or a lone UTF-16 surrogate) replaced by U+FFFD; offsets are unchanged"),
    ("NUL in .jsonl text", "jsonl/nul.jsonl", b'{"id": "nul", "text": "De Lijn\\u0000 rijdt naar Gent."}\n', "nul", Status.OK,
     "1 invalid character(s)"),
    ("lone surrogate in .jsonl id", "jsonl/id.jsonl", b'{"id": "id\\udc80", "text": "De Lijn rijdt naar Gent."}\n',
     "id\ufffd", Status.OK, "1 invalid character(s)"),
    ("invalid JSON line", "jsonl/kapot.jsonl", b'{"id": "k1", "text": \n', "jsonl/kapot.jsonl:1", Status.ERROR,
     "jsonl/kapot.jsonl line 1 is not valid JSON"),
    ("JSON line that is no object", "jsonl/lijst.jsonl", b"[1, 2]\n", "jsonl/lijst.jsonl:1", Status.ERROR,
     "jsonl/lijst.jsonl line 1 is not a JSON object"),
    ("JSON line without text", "jsonl/zonder.jsonl", b'{"id": "zonder", "title": "Kop"}\n', "zonder", Status.ERROR,
     'jsonl/zonder.jsonl line 1 has no "text" string'),
    ("JSON line with a number as text", "jsonl/getal.jsonl", b'{"id": "getal", "text": 42}\n', "getal", Status.ERROR,
     'has no "text" string'),
    ("deeply nested JSON line", "jsonl/diep.jsonl", b"[" * 100_000 + b"]" * 100_000 + b"\n", "jsonl/diep.jsonl:1", Status.ERROR,
     "read stage failed on jsonl/diep.jsonl line 1: RecursionError"),
    ("truncated .jsonl.gz", "jsonl/afgebroken.jsonl.gz", _truncated_gzip(), "jsonl/afgebroken.jsonl.gz", Status.ERROR,
     "cannot read jsonl/afgebroken.jsonl.gz: Compressed file ended before the end-of-stream marker was reached: check the file is complete"),
    ("duplicate id in .jsonl", "dubbel/items.jsonl", _jsonl({"id": "dup", "text": DUTCH}, {"id": "dup", "text": "Andere tekst over Gent."}),
     "dup@dubbel/items.jsonl:2", Status.ERROR, "duplicate id 'dup': first used by dubbel/items.jsonl:1: give each article its own id"),
    ("duplicate id from front matter", "zz/dubbel.txt", f"---\nid: goed/lijn\n---\n{DUTCH}".encode(), "goed/lijn@zz/dubbel.txt",
     Status.ERROR, "duplicate id 'goed/lijn': first used by goed/lijn.txt"),
    ("formula in the title", "spreadsheet/formule.txt", f"---\ntitle: =HYPERLINK(\"http://a.invalid\",\"klik\")\n---\n{DUTCH}".encode(),
     "spreadsheet/formule", Status.OK, ""),
    ("id with comma, quote and newline", "jsonl/vreemd-id.jsonl", _jsonl({"id": 'a,"b"\nc', "text": DUTCH}), 'a,"b"\nc', Status.OK, ""),
    ("run of 5,000 characters without whitespace", "lang/blob.txt", ("x" * 5000 + " " + DUTCH).encode(), "lang/blob", Status.OK, ""),
    ("CRLF line endings", "codering/crlf.txt", f"---\r\ntitle: Windows\r\npublished: 2025-06-12\r\n---\r\n{DUTCH}".replace("\n", "\r\n").encode(),
     "codering/crlf", Status.OK, ""),
]
# Inputs the file system makes (links, pipes, names): kind, doc_id, status, detail; built in `bad_corpus`.
SPECIAL = [
    Case("file name that is not UTF-8", "naam/caf\\xe9", Status.ERROR,
         "file name 'naam/caf\\\\xe9.txt' is not valid UTF-8: rename the file (or its folder) to a UTF-8 name"),
    Case("broken symbolic link", "links/weg", Status.ERROR, "broken symbolic link: its target"),
    Case("symbolic link loop", "links/lus/terug", Status.ERROR, "symbolic link loop: folder links/lus/terug/ leads back to"),
    Case("symlinked folder (followed)", "links/elders/artikel", Status.OK, ""),
    Case("named pipe", "links/pijp", Status.SKIPPED, "not a regular file (named pipe): save articles as .txt, .md or .jsonl files"),
]
CASES = [Case(kind, doc_id, status, detail) for kind, _, _, doc_id, status, detail in FILES] + SPECIAL
# Rows that come on top of the cases: the good articles, the first user of a duplicated id, and
# the line of the truncated archive that was read before the damage.
EXTRA_ROWS = {*GOOD, "dup", "gz-1"}


def test_the_matrix_has_at_least_thirty_kinds():
    assert len({case.kind for case in CASES}) == len(CASES) >= 30


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stderr: str
    tables: dict
    corpus: Path


@pytest.fixture(scope="module")
def outcome(tmp_path_factory, ruler_model) -> Outcome:
    corpus = tmp_path_factory.mktemp("bad") / "corpus"
    for doc_id, text in GOOD.items():
        _write(corpus / f"{doc_id}.txt", text.encode())
    for _, relative, content, *_ in FILES:
        _write(corpus / relative, content)
    _write(os.path.join(os.fsencode(corpus / "naam"), b"caf\xe9.txt"), DUTCH.encode("cp1252"))
    (corpus / "links" / "lus").mkdir(parents=True)
    (corpus / "links" / "weg.txt").symlink_to(corpus / "bestaat-niet.txt")
    (corpus / "links" / "lus" / "terug").symlink_to(corpus / "links")
    elsewhere = corpus.parent / "elders"
    _write(elsewhere / "artikel.txt", DUTCH.encode())
    (corpus / "links" / "elders").symlink_to(elsewhere)
    os.mkfifo(corpus / "links" / "pijp")
    out = corpus.parent / "out"
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["extract", str(corpus), "--out", str(out), "--model", str(ruler_model), "--workers", "1", "--no-progress"])
    return Outcome(code, stderr.getvalue(), load_tables(out) if code == 0 else {}, corpus)


def _write(path: Path | bytes, content: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)


def test_run_exits_0_without_a_traceback(outcome):
    assert outcome.exit_code == 0, outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_every_input_has_exactly_one_row(outcome):
    doc_ids = list(outcome.tables["documents"]["doc_id"])
    assert len(doc_ids) == len(set(doc_ids))
    assert set(doc_ids) == {case.doc_id for case in CASES} | EXTRA_ROWS


@pytest.mark.parametrize("case", CASES, ids=[case.kind for case in CASES])
def test_each_bad_input_gets_its_status_and_message(outcome, case):
    documents = outcome.tables["documents"].set_index("doc_id")
    row = documents.loc[case.doc_id]
    assert row["status"] == case.status.value
    assert case.detail in (row["status_detail"] if isinstance(row["status_detail"], str) else "")


def test_good_articles_are_fully_analysed(outcome):
    documents = outcome.tables["documents"].set_index("doc_id")
    mentions, dates = outcome.tables["mentions"], outcome.tables["dates"]
    for doc_id in GOOD:
        assert documents.loc[doc_id, "status"] == "ok" and documents.loc[doc_id, "language"] == "nl"
        assert mentions["doc_id"].eq(doc_id).any(), f"no mentions for {doc_id}"
    assert set(mentions.loc[mentions["doc_id"] == "goed/lijn", "text"]) >= {"De Lijn", "Gent", "Mathias De Clercq"}
    assert "2025-06-11" in set(dates.loc[dates["doc_id"] == "goed/lijn", "value"])  # gisteren, from the publication date


@pytest.mark.parametrize("doc_id, written", [("datum/9999", "9999-12-31"), ("datum/0001", "0001-01-01")])
def test_placeholder_years_are_kept_as_text_and_resolve_nothing(outcome, doc_id, written):
    documents = outcome.tables["documents"].set_index("doc_id")
    assert pd.isna(documents.loc[doc_id, "published"])
    assert json.loads(documents.loc[doc_id, "metadata"]) == {"published": written}
    dates = outcome.tables["dates"]
    relative = dates[(dates["doc_id"] == doc_id) & dates["text"].isin(["morgen", "volgende week"])]
    assert len(relative) == 2 and relative["value"].isna().all()


def test_replaced_characters_keep_offsets_valid(outcome):
    mentions = outcome.tables["mentions"]
    found = mentions[mentions["doc_id"] == "sur"].set_index("text")
    assert (found.loc["Gent", "start"], found.loc["Gent", "end"]) == (21, 25)  # "De Lijn rijdt \ufffd naar Gent."


def test_spreadsheet_formula_is_escaped_in_the_file_and_exact_after_load_tables(outcome):
    title = '=HYPERLINK("http://a.invalid","klik")'
    raw = (outcome.corpus.parent / "out" / "documents.csv").read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://a.invalid"",""klik"")"' in raw
    assert outcome.tables["documents"].set_index("doc_id").loc["spreadsheet/formule", "title"] == title


def test_long_run_without_whitespace_does_not_hide_the_text_after_it(outcome):
    mentions = outcome.tables["mentions"]
    assert set(mentions.loc[mentions["doc_id"] == "lang/blob", "text"]) == {"De Lijn", "Gent"}


# ---------------------------------------------------------------- failures of one stage

def test_a_stage_that_fails_on_one_article_gives_that_article_an_error_row(tmp_path, ruler_model, monkeypatch):
    corpus = _small_corpus(tmp_path)
    real_dates = run_module._dates_of

    def dates_failing_on_b(document, body):
        if document.doc_id == "b":
            raise OverflowError("date value out of range")
        return real_dates(document, body)

    monkeypatch.setattr(run_module, "_dates_of", dates_failing_on_b)
    code, stderr = _extract(corpus, tmp_path / "out", ruler_model)
    documents = load_tables(tmp_path / "out")["documents"].set_index("doc_id")
    assert code == 0 and "Traceback" not in stderr
    assert documents.loc["b", "status_detail"] == (
        "dates stage failed on this article (OverflowError: date value out of range): the article was left out of the "
        "analysis and the run went on; please report it together with the article")
    assert list(documents["status"]) == ["ok", "error", "ok"]
    assert "1 errors" in stderr


def test_a_model_failure_on_one_article_spares_the_others_in_its_batch(tmp_path, ruler_model, monkeypatch):
    corpus = _small_corpus(tmp_path)
    real_recognise = run_module.EntityRecognizer.recognise

    def recognise_failing_on_boem(self, items):
        if any("BOEM" in body for _, body in items):
            raise ValueError("[E088] Text of length 1000001 exceeds maximum")
        return real_recognise(self, items)

    monkeypatch.setattr(run_module.EntityRecognizer, "recognise", recognise_failing_on_boem)
    code, _ = _extract(corpus, tmp_path / "out", ruler_model)
    tables = load_tables(tmp_path / "out")
    documents = tables["documents"].set_index("doc_id")
    assert code == 0 and list(documents["status"]) == ["ok", "error", "ok"]
    assert documents.loc["b", "status_detail"].startswith("ner stage failed on this article (ValueError: [E088]")
    assert set(tables["mentions"]["doc_id"]) == {"a", "c"}


# ---------------------------------------------------------------- failures of the run itself

@pytest.mark.parametrize(
    "damage",
    [b"dit is geen database" * 100, "truncate"],
    ids=["garbage", "half-truncated"],
)
def test_damaged_state_is_moved_aside_and_the_run_starts_over(tmp_path, ruler_model, damage):
    corpus, out = _small_corpus(tmp_path), tmp_path / "out"
    _extract(corpus, out, ruler_model)
    expected = (out / "mentions.csv").read_bytes()
    state = out / ".pipeline" / "state.sqlite"
    state.write_bytes(damage if isinstance(damage, bytes) else state.read_bytes()[: state.stat().st_size // 2])
    code, stderr = _extract(corpus, out, ruler_model)
    assert code == 0 and "Traceback" not in stderr
    assert "note: the state database" in stderr and "was moved aside to state.sqlite.corrupt-" in stderr
    assert "3 new" in stderr and (out / "mentions.csv").read_bytes() == expected
    assert len(list((out / ".pipeline").glob("state.sqlite.corrupt-*"))) == 1


def test_full_disk_while_saving_says_what_to_free_and_exits_2(tmp_path, ruler_model, monkeypatch):
    corpus, out = _small_corpus(tmp_path), tmp_path / "out"
    real_open = state_module.StateStore._open

    def open_on_a_nearly_full_disk(self, fingerprint, check):
        connection = real_open(self, fingerprint, check)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "database or disk is full"
        return connection

    monkeypatch.setattr(state_module.StateStore, "_open", open_on_a_nearly_full_disk)
    (corpus / "d.txt").write_text(DUTCH * 500, encoding="utf-8")  # needs pages the "disk" no longer has
    code, stderr = _extract(corpus, out, ruler_model, "--batch-size", "1")
    assert code == EXIT_USAGE and "Traceback" not in stderr
    assert stderr.startswith(f"error: the disk holding {out}/.pipeline is full (database or disk is full): "
                             "the articles analysed so far are saved; free some disk space")


def test_full_disk_while_writing_tables_leaves_no_temporary_files(tmp_path, ruler_model, monkeypatch):
    corpus, out = _small_corpus(tmp_path), tmp_path / "out"
    real_finish = tables_module._CsvWriter.finish

    def finish_until_the_disk_is_full(writer):
        real_finish(writer)
        if writer._handle.name.endswith(".mentions.csv.tmp"):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(tables_module._CsvWriter, "finish", finish_until_the_disk_is_full)
    code, stderr = _extract(corpus, out, ruler_model)
    assert code == EXIT_USAGE and "Traceback" not in stderr
    assert f"the disk holding {out} is full, so the tables could not be written" in stderr
    assert not list(out.glob(".*.tmp"))


def test_stale_temporary_files_are_removed_on_the_next_run(tmp_path, ruler_model):
    corpus, out = _small_corpus(tmp_path), tmp_path / "out"
    out.mkdir()
    (out / ".documents.csv.tmp").write_text("half a table")
    _extract(corpus, out, ruler_model)
    assert not list(out.glob(".*.tmp"))


def test_edited_or_damaged_table_is_written_again(tmp_path, ruler_model, monkeypatch):
    corpus, out = _small_corpus(tmp_path), tmp_path / "out"
    _extract(corpus, out, ruler_model)
    original = (out / "documents.csv").read_bytes()
    (out / "documents.csv").write_bytes(original[:-20])
    monkeypatch.setattr(run_module, "Analyser", None)  # nothing may be analysed again
    code, stderr = _extract(corpus, out, ruler_model)
    assert code == 0 and (out / "documents.csv").read_bytes() == original
    assert "note: documents.csv in" in stderr and "changed since the last run (edited or damaged): written again" in stderr


def test_ctrl_c_while_writing_tables_is_a_message_and_the_next_run_writes_them(tmp_path, ruler_model, monkeypatch):
    corpus, out = _small_corpus(tmp_path), tmp_path / "out"
    real_write = run_module.write_tables
    monkeypatch.setattr(run_module, "write_tables", _raise_keyboard_interrupt)
    code, stderr = _extract(corpus, out, ruler_model)
    assert code == EXIT_INTERRUPTED and "Traceback" not in stderr
    assert "interrupted while writing the tables: every article is analysed and saved" in stderr
    monkeypatch.setattr(run_module, "write_tables", real_write)
    code, stderr = _extract(corpus, out, ruler_model)
    assert code == 0 and "0 new, 0 changed, 3 unchanged" in stderr and (out / "documents.csv").is_file()


def _raise_keyboard_interrupt(*_args, **_kwargs):
    raise KeyboardInterrupt


def _small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("De Lijn rijdt vanaf maandag vaker naar Gent.", encoding="utf-8")
    (corpus / "b.txt").write_text("BOEM. De KU Leuven opent een centrum in Heverlee, zei Séverine Hermans.", encoding="utf-8")
    (corpus / "c.txt").write_text("De haven van Rotterdam groeit, zegt Mathias De Clercq.", encoding="utf-8")
    return corpus


def _extract(corpus: Path, out: Path, model: Path, *options: str) -> tuple[int, str]:
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["extract", str(corpus), "--out", str(out), "--model", str(model), "--workers", "1", "--no-progress", *options])
    return code, stderr.getvalue()

