"""The corpus: folders of .txt/.md articles and .jsonl files in, Document records out.

This is the only module that reads input. Every article becomes a Document, also a broken one:
a file that cannot be read is a Document with a `problem`, so one bad article never stops a run
and always shows up in documents.csv with its reason.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from .records import Document, Status

ARTICLE_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
_FRONT_MATTER_FENCE = "---"
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_DATE_MARKER = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)(?=\s)\s*")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_BINARY_SAMPLE = 8192
# Who published the article, most specific first: press-bench's `source` names the collection, `outlet`
# the newspaper. The first one present fills the `source` column; the others stay in `metadata`.
SOURCE_FIELDS = ("outlet", "source", "publisher")
CONTENT_ID_LENGTH = 16


class CorpusError(Exception):
    """The corpus as a whole cannot be read (the path, not one article)."""


def read_corpus(path: Path) -> Iterator[Document]:
    """All articles under `path` (a folder, a .txt/.md file or a .jsonl file), in a stable order."""
    yield from _with_unique_ids(_documents_under(Path(path)))


def read_records(records: Iterable[Mapping[str, object]], name: str = "texts") -> Iterator[Document]:
    """Articles held in memory (`pipeline.extract`), each read exactly like one line of a .jsonl file.

    `source_path` is `name[i]`, the record's position in what the caller passed.
    """
    documents = (
        document_from_record(record, source_path=f"{name}[{index}]", where=f"{name}[{index}]")
        for index, record in enumerate(records)
    )
    yield from _with_unique_ids(documents)


def _with_unique_ids(documents: Iterable[Document]) -> Iterator[Document]:
    """The documents, a repeated id marked as an error naming the article that used it first."""
    seen: dict[str, str] = {}
    for document in documents:
        first = seen.setdefault(document.doc_id, document.source_path)
        if first != document.source_path:
            document = replace(
                document,
                problem=f"duplicate document id {document.doc_id!r} (first used by {first}): give each article its own id",
                problem_status=Status.ERROR,
            )
        yield document


def _documents_under(path: Path) -> Iterator[Document]:
    if not path.exists():
        raise CorpusError(f"corpus path {path} does not exist: pass a folder of articles or a .jsonl file")
    if path.is_file():
        yield from _documents_in_file(path, path.name)
        return
    for file in _corpus_files(path):
        yield from _documents_in_file(file, file.relative_to(path).as_posix())


def _corpus_files(root: Path) -> list[Path]:
    """Every visible file below `root`, sorted; hidden files and the alias table are not articles."""
    files = []
    for file in root.rglob("*"):
        relative = file.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not file.is_file():
            continue
        if relative.as_posix() == "aliases.csv":
            continue
        files.append(file)
    return sorted(files, key=lambda f: f.relative_to(root).as_posix())


def _documents_in_file(file: Path, relative: str) -> Iterator[Document]:
    name = file.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        yield from _documents_in_jsonl(file, relative)
    elif name.endswith(ARTICLE_SUFFIXES):
        yield _article_file(file, relative)
    else:
        yield _problem_document(
            relative, relative,
            f"unsupported file type {file.suffix or '(none)'!r}: save articles as .txt, .md or .jsonl",
            Status.SKIPPED,
        )


def _problem_document(doc_id: str, source_path: str, problem: str, status: Status = Status.ERROR) -> Document:
    return Document(doc_id=doc_id, source_path=source_path, title="", body="", problem=problem, problem_status=status)


# ---------------------------------------------------------------- text files

def _article_file(file: Path, relative: str) -> Document:
    doc_id = _id_from_path(relative)
    try:
        raw = file.read_bytes()
    except OSError as error:
        return _problem_document(doc_id, relative, f"cannot read file: {error.strerror}: check its permissions")
    if _looks_binary(raw):
        return _problem_document(doc_id, relative, "binary file, not text: save the article as UTF-8 text")
    text, encoding = decode_bytes(raw)
    return parse_article_text(text, doc_id=doc_id, source_path=relative, encoding=encoding)


def _id_from_path(relative: str) -> str:
    return relative.rsplit(".", 1)[0] if "." in relative.rsplit("/", 1)[-1] else relative


def _looks_binary(raw: bytes) -> bool:
    """NUL bytes do not occur in text files (UTF-16 ones start with a byte-order mark)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in raw[:_BINARY_SAMPLE]


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Text and the encoding that decoded it: UTF-8 first, then Windows-1252, then Latin-1 (never fails)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace"), encoding
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def parse_article_text(text: str, *, doc_id: str, source_path: str, encoding: str = "utf-8") -> Document:
    """One article from the text of a .txt/.md file: optional front matter, optional date marker, body."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    metadata: dict[str, str] = {}
    if text.lstrip("\ufeff").startswith(_FRONT_MATTER_FENCE + "\n") or text.strip() == _FRONT_MATTER_FENCE:
        parsed = _split_front_matter(text.lstrip("\ufeff"))
        if isinstance(parsed, str):
            return _problem_document(doc_id, source_path, parsed)
        metadata, text = parsed
    return _document_from_fields(
        doc_id=metadata.pop("id", "") or doc_id,
        source_path=source_path,
        body=text,
        fields=metadata,
        encoding=encoding,
        where=source_path,
        strip_body=True,
    )


def _split_front_matter(text: str) -> tuple[dict[str, str], str] | str:
    """(metadata, body), or the reason the front matter cannot be read."""
    lines = text.split("\n")
    closing = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() in (_FRONT_MATTER_FENCE, "...")), None)
    if closing is None:
        return "front matter opened on line 1 is never closed: add a line '---' after the metadata"
    metadata: dict[str, str] = {}
    for number, line in enumerate(lines[1:closing], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _FRONT_MATTER_LINE.match(line)
        if not match:
            return f"malformed front matter on line {number}: expected 'key: value', got {line.strip()[:60]!r}"
        metadata[match.group(1).lower()] = _unquote(match.group(2).strip())
    return metadata, "\n".join(lines[closing + 1:])


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


# ---------------------------------------------------------------- .jsonl files

def _documents_in_jsonl(file: Path, relative: str) -> Iterator[Document]:
    try:
        opener = gzip.open if file.name.lower().endswith(".gz") else open
        with opener(file, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if raw.strip():
                    yield _jsonl_article(raw, f"{relative}:{number}", relative, number)
    except (OSError, EOFError) as error:
        yield _problem_document(relative, relative, f"cannot read {relative}: {error}: check the file is complete")


def _jsonl_article(raw: bytes, location: str, relative: str, number: int) -> Document:
    text, encoding = decode_bytes(raw)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        return _problem_document(location, location, f"{relative} line {number} is not valid JSON ({error.msg} at column {error.colno}): fix or remove the line")
    if not isinstance(record, dict):
        return _problem_document(location, location, f"{relative} line {number} is not a JSON object: write one {{\"id\": ..., \"text\": ...}} object per line")
    return document_from_record(record, source_path=location, where=f"{relative} line {number}", encoding=encoding)


def document_from_record(record: Mapping[str, object], *, source_path: str, where: str,
                         encoding: str = "utf-8") -> Document:
    """One article from a .jsonl object or an in-memory record (`text`, optional `id`, `title`, ...).

    The id is the `id` field, else derived from the text (first characters of its content hash), so
    it never depends on the file name or line: a renamed or split file re-analyses nothing. Fields
    that fill no column are kept in `metadata` (non-string values as JSON text).
    """
    body = record.get("text")
    doc_id = _scalar_text(record["id"]) if record.get("id") not in (None, "") else ""
    if not isinstance(body, str):
        return _problem_document(doc_id or source_path, source_path,
                                 f"{where} has no \"text\" string: add the article text as \"text\"")
    fields = {str(key): _scalar_text(value) for key, value in record.items()
              if key not in ("id", "text") and value is not None}
    return _document_from_fields(doc_id=doc_id or content_hash(body)[:CONTENT_ID_LENGTH], source_path=source_path,
                                 body=body, fields=fields, encoding=encoding, where=where, strip_body=False)


def _scalar_text(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- shared

def _document_from_fields(*, doc_id: str, source_path: str, body: str, fields: dict[str, str], encoding: str,
                          where: str, strip_body: bool) -> Document:
    """A Document from already-split fields; validates the date and finds a leading `date` marker."""
    warnings: list[str] = []
    raw_date = fields.pop("published", "") or fields.pop("date", "")
    fields.pop("date", None)
    published = ""
    if raw_date:
        published = normalise_published(raw_date)
        if not published:
            warnings.append(f"{where}: published date {raw_date!r} is not a date; use YYYY-MM-DD (relative dates stay unresolved)")
    marker = _DATE_MARKER.match(body)
    if marker:
        body = body[marker.end():]
        published = published or normalise_published(marker.group(1))
    if strip_body:
        body = body.strip()
    title = " ".join(fields.pop("title", "").split())
    document = Document(
        doc_id=doc_id,
        source_path=source_path,
        title=title,
        body=body,
        published=published,
        source=_take_source(fields),
        url=fields.pop("url", ""),
        encoding=encoding,
        content_sha256=content_hash(body),
        metadata=tuple(sorted(fields.items())),
        warnings=tuple(warnings),
    )
    if not (title + body).strip():
        return replace(document, problem="empty article: the file has no text", problem_status=Status.SKIPPED)
    return document


def _take_source(fields: dict[str, str]) -> str:
    """Remove and return the first non-empty field of SOURCE_FIELDS; the others stay in `fields`."""
    for key in SOURCE_FIELDS:
        if not fields.get(key, "").strip():
            fields.pop(key, None)  # empty: nothing to keep
    return next((fields.pop(key) for key in SOURCE_FIELDS if key in fields), "")


def normalise_published(value: str) -> str:
    """ISO day or month for a publication date written in a common way, or '' if it is not a date."""
    value = value.strip()
    match = _ISO_DATE.match(value)
    if match:
        year, month, day = match.group(1), match.group(2), match.group(3)
    else:
        dutch = _DUTCH_DATE.match(value)
        if not dutch:
            return ""
        day, month, year = dutch.group(1).zfill(2), dutch.group(2).zfill(2), dutch.group(3)
    try:
        dt.date(int(year), int(month), int(day or 1))
    except ValueError:
        return ""
    return f"{year}-{month}-{day}" if day else f"{year}-{month}"


def content_hash(body: str) -> str:
    """Identity of an article's text: NFC-normalised, whitespace-collapsed, so a re-saved copy is the same text."""
    canonical = " ".join(unicodedata.normalize("NFC", body).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_alias_rows(path: Path) -> list[dict[str, str]]:
    """Rows of the user's alias table (alias, canonical, label), as written; validation is the entity stage's."""
    text, _ = decode_bytes(path.read_bytes())
    return list(csv.DictReader(text.splitlines()))

