"""The corpus: folders of .txt/.md articles and .jsonl files in, Document records out.

This is the only module that reads input. Every article becomes a Document, also a broken one:
a file that cannot be read is a Document with a `problem`, so one bad article never stops a run
and always shows up in documents.csv with its reason.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import gzip
import hashlib
import json
import os
import re
import stat
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
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
_CONTROL_SHARE_OF_BINARY = 0.05  # text has next to no control characters; random bytes decode to ~10-25%
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_INVALID_CHARACTERS = re.compile("[\x00\ud800-\udfff]")  # NUL and lone surrogate halves cannot be stored or written
REPLACEMENT_CHARACTER = "\ufffd"
PUBLISHED_YEARS = range(1600, 2200)  # outside: a placeholder such as 0001-01-01 or 9999-12-31, never a reference date


class CorpusError(Exception):
    """The corpus as a whole cannot be read (the path, not one article)."""


def read_corpus(path: Path) -> Iterator[Document]:
    """All articles under `path` (a folder, a .txt/.md file or a .jsonl file), in a stable order."""
    for source in scan_corpus(path):
        yield source.document


@dataclass(frozen=True)
class Source:
    """An article as found in the corpus, parsed or not.

    `key` identifies exactly what was read: the file's name and bytes, or for a .jsonl line its
    file name, line number, encoding and text (None for an article that could not be read). The
    same key always gives the same Document, so an article whose key the caller already knows
    (`scan_corpus(known=...)`) is not parsed: `document` is None and `parse()` gives it on demand.
    """

    key: bytes | None
    doc_id: str
    source_path: str
    document: Document | None
    parse: Callable[[], Document]
    file: str = ""  # the corpus file it was read from (relative path), '' for records held in memory


def scan_corpus(path: Path, known: Mapping[bytes, str] | None = None,
                recorded: Mapping[str, Sequence[tuple[str, str]]] | None = None) -> Iterator[Source]:
    """`read_corpus` that skips the parsing of articles whose key is in `known` (key -> doc_id), and
    does not even read the files in `recorded` (relative path -> the (doc_id, source_path) of each
    article it gave before), which the caller knows to be unchanged (`CorpusFingerprint.files`).

    Hashing a .jsonl line costs about 1/40 of parsing it, which at 120,000 articles is the
    difference between 0.3 and 10 CPU-seconds for a run that finds one article changed; not
    reading an unchanged file saves the remaining ~0.9 CPU-s when 100 articles come in a new file.
    """
    yield from _unique_sources(_sources_under(Path(path), known or {}, recorded or {}))


def _parsed(document: Document, key: bytes | None = None, file: str = "") -> Source:
    return Source(None if document.problem else key, document.doc_id, document.source_path, document, lambda: document,
                  file)


def source_key(relative: str, number: int, encoding: str, content: bytes) -> bytes:
    """What identifies an article's source: file name, line number (0 for a file), encoding and raw content."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{relative}\0{number}\0{encoding}\0".encode("utf-8", "surrogateescape"))
    digest.update(content)
    return digest.digest()


@dataclass(frozen=True)
class CorpusFingerprint:
    """`digest`: sha256 over the name and bytes of every entry of the corpus, in reading order;
    `files`: relative path -> sha256 of the bytes of each file that could be read."""

    digest: str
    files: Mapping[str, str]


def corpus_fingerprint(path: Path) -> CorpusFingerprint:
    """The corpus's fingerprint, whole and per file.

    Equal digests mean `read_corpus` yields exactly the same documents, so a run with nothing
    changed need not parse a single article; a file with the same bytes as before gives the same
    articles, so it need not be read again (`scan_corpus(recorded=...)`). Reading bytes is ~40x
    cheaper than parsing them, and unlike size + mtime (what make, rsync and git trust) a content
    hash can never miss an edit: no same-size rewrite within one clock tick, `touch -d` or restored
    backup fools it.
    """
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"corpus path {path} does not exist: pass a folder of articles or a .jsonl file")
    digest, files = hashlib.sha256(), {}
    entries = [_Entry(path.name, path)] if path.is_file() else corpus_entries(path)
    for entry in entries:
        digest.update(os.fsencode(entry.relative) + b"\0" + entry.problem.encode() + b"\0")
        if entry.path is not None:
            file_digest = _hash_file(digest, entry.path)
            if file_digest is not None:
                files[entry.relative] = file_digest
    return CorpusFingerprint(digest.hexdigest(), files)


def _hash_file(digest, file: Path) -> str | None:
    """Add the bytes of `file` to `digest` and return their own sha256; an unreadable file adds its
    error (read_corpus reports it) and returns None."""
    own = hashlib.sha256()
    try:
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                own.update(block)
        digest.update(b"\0eof\0")
        return own.hexdigest()
    except OSError as error:
        digest.update(f"\0unreadable {error}\0".encode())
        return None


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
    for source in _unique_sources(_parsed(document) for document in documents):
        yield source.document


def _unique_sources(sources: Iterable[Source]) -> Iterator[Source]:
    """Every input yields exactly one Document with a unique `doc_id`: the second user of an id gets
    an error under a derived key (`id@source_path`), so the first keeps its results and neither
    disappears from the tables.
    """
    seen: dict[str, str] = {}
    for source in sources:
        if source.doc_id in seen:
            source = _parsed(_duplicate(source.document or source.parse(), seen), file=source.file)
        seen[source.doc_id] = source.source_path
        yield source


def _duplicate(document: Document, seen: dict[str, str]) -> Document:
    """`document` reuses an id: an error row under a key no other article has."""
    key = f"{document.doc_id}@{document.source_path}"
    while key in seen:
        key += "@"
    return replace(
        document,
        doc_id=key,
        problem=f"duplicate id {document.doc_id!r}: first used by {seen[document.doc_id]}: give each article its own id",
        problem_status=Status.ERROR,
    )


def _sources_under(path: Path, known: Mapping[bytes, str], recorded: Mapping[str, Sequence[tuple[str, str]]],
                   ) -> Iterator[Source]:
    if not path.exists():
        raise CorpusError(f"corpus path {path} does not exist: pass a folder of articles or a .jsonl file")
    for entry in [_Entry(path.name, path)] if path.is_file() else corpus_entries(path):
        articles = recorded.get(entry.relative) if entry.path is not None else None
        if articles is None:
            yield from _guarded_sources(entry, known)
            continue
        for doc_id, source_path in articles:
            parse = functools.partial(_recorded_article, entry.path, entry.relative, source_path)
            yield Source(None, doc_id, source_path, None, parse, entry.relative)


def _recorded_article(file: Path, relative: str, source_path: str) -> Document:
    """An article of a file `scan_corpus` did not read (`recorded`), read when asked after all (its id
    turned out to be taken by an article of another file read before it)."""
    for source in _guarded_sources(_Entry(relative, file), {}):
        if source.source_path == source_path:
            return source.document
    return _problem_document(source_path, source_path, f"{source_path} is gone from {relative}: run again")


@dataclass(frozen=True)
class _Entry:
    """One thing found in the corpus folder: a file to read, or a reason it cannot be read."""

    relative: str
    path: Path | None
    problem: str = ""
    status: Status = Status.ERROR


def corpus_entries(root: Path) -> list[_Entry]:
    """Everything visible below `root`, sorted by path; hidden files and the alias table are not articles.

    Symlinked folders are followed; a link back to a folder above it (a loop) is reported once
    instead. Broken links, pipes and sockets are reported too: nothing in the corpus is skipped
    silently.
    """
    entries: list[_Entry] = []
    stack = [(root, "", frozenset({os.path.realpath(root)}))]
    while stack:
        folder, prefix, ancestors = stack.pop()
        try:
            children = list(os.scandir(folder))
        except OSError as error:
            entries.append(_Entry(prefix.rstrip("/") or ".", None,
                                  f"cannot open folder {prefix or './'}: {error.strerror or error}: check its permissions"))
            continue
        for child in children:
            relative = prefix + child.name
            if child.name.startswith(".") or relative == "aliases.csv":
                continue
            entry = _classify(child, relative, ancestors)
            if entry is None:
                real = os.path.realpath(child.path)
                stack.append((Path(child.path), relative + "/", ancestors | {real}))
            else:
                entries.append(entry)
    return sorted(entries, key=lambda entry: entry.relative)


def _classify(child: os.DirEntry, relative: str, ancestors: frozenset[str]) -> _Entry | None:
    """The entry for `child`, or None for a folder to descend into."""
    try:
        if child.is_dir():
            if os.path.realpath(child.path) not in ancestors:
                return None
            return _Entry(relative, None, f"symbolic link loop: folder {relative}/ leads back to "
                                          f"{os.path.realpath(child.path)}, which is already read: remove the link")
        if child.is_file():
            return _Entry(relative, Path(child.path))
        if child.is_symlink():
            return _Entry(relative, None, f"broken symbolic link: its target {os.readlink(child.path)} does not exist: "
                                          "restore the target or remove the link")
        kind = _FILE_KINDS.get(stat.S_IFMT(child.stat().st_mode), "special file")
        return _Entry(relative, None, f"not a regular file ({kind}): save articles as .txt, .md or .jsonl files",
                      Status.SKIPPED)
    except OSError as error:
        return _Entry(relative, None, f"cannot read {relative}: {error.strerror or error}: check its permissions")


_FILE_KINDS = {stat.S_IFIFO: "named pipe", stat.S_IFSOCK: "socket", stat.S_IFCHR: "character device",
               stat.S_IFBLK: "block device"}


def _guarded_sources(entry: _Entry, known: Mapping[bytes, str]) -> Iterator[Source]:
    """The articles of one corpus entry; whatever goes wrong reading it becomes its error row."""
    readable_name = printable_path(entry.relative)
    if readable_name != entry.relative:
        yield _parsed(_problem_document(_id_from_path(readable_name), readable_name,
                                        f"file name {readable_name!r} is not valid UTF-8: rename the file (or its folder) "
                                        "to a UTF-8 name, e.g. with `convmv -f latin1 -t utf8`"), file=entry.relative)
        return
    if entry.path is None:
        yield _parsed(_problem_document(_id_from_path(entry.relative), entry.relative, entry.problem, entry.status),
                      file=entry.relative)
        return
    try:
        yield from _sources_in_file(entry.path, entry.relative, known)
    except Exception as error:  # noqa: BLE001 - one unreadable file must never stop the run
        yield _parsed(_problem_document(_id_from_path(entry.relative), entry.relative,
                                        f"read stage failed on {entry.relative}: {type(error).__name__}: {error}: "
                                        "the file was left out; please report it with the file"), file=entry.relative)


def printable_path(relative: str) -> str:
    """`relative` with bytes that are not UTF-8 (kept by Python as surrogates) shown as \\xNN escapes."""
    try:
        relative.encode("utf-8")
        return relative
    except UnicodeEncodeError:
        return os.fsencode(relative).decode("utf-8", errors="backslashreplace")


def _sources_in_file(file: Path, relative: str, known: Mapping[bytes, str]) -> Iterator[Source]:
    name = file.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        yield from _jsonl_sources(file, relative, known)
    elif name.endswith(ARTICLE_SUFFIXES):
        yield _article_source(file, relative, known)
    else:
        yield _parsed(_problem_document(
            relative, relative,
            f"unsupported file type {file.suffix or '(none)'!r}: save articles as .txt, .md or .jsonl",
            Status.SKIPPED,
        ), file=relative)


def _known_or_parsed(key: bytes, source_path: str, parse: Callable[[], Document], known: Mapping[bytes, str]) -> Source:
    doc_id = known.get(key)
    if doc_id is not None:
        return Source(key, doc_id, source_path, None, parse, source_path)
    return _parsed(parse(), key, source_path)


def _problem_document(doc_id: str, source_path: str, problem: str, status: Status = Status.ERROR) -> Document:
    return Document(doc_id=_valid_text(doc_id)[0], source_path=_valid_text(source_path)[0], title="", body="",
                    problem=_valid_text(problem)[0], problem_status=status)


def _valid_text(text: str) -> tuple[str, int]:
    """`text` with NUL and lone surrogate halves replaced by U+FFFD (one for one, so offsets stay valid),
    and how many were replaced. Such characters cannot be stored or written as UTF-8."""
    replaced, count = _INVALID_CHARACTERS.subn(REPLACEMENT_CHARACTER, text)
    return replaced, count


# ---------------------------------------------------------------- text files

def _article_source(file: Path, relative: str, known: Mapping[bytes, str]) -> Source:
    try:
        raw = file.read_bytes()
    except OSError as error:
        return _parsed(_problem_document(_id_from_path(relative), relative,
                                         f"cannot read file: {error.strerror}: check its permissions"), file=relative)
    parse = functools.partial(_article_from_bytes, raw, relative)
    return _known_or_parsed(source_key(relative, 0, "", raw), relative, parse, known)


def _article_from_bytes(raw: bytes, relative: str) -> Document:
    doc_id = _id_from_path(relative)
    decoded = decode_text_file(raw)
    if decoded is None:
        return _problem_document(doc_id, relative, "binary file, not text: save the article as UTF-8 text")
    text, encoding = decoded
    return parse_article_text(text, doc_id=doc_id, source_path=relative, encoding=encoding)


def _id_from_path(relative: str) -> str:
    return relative.rsplit(".", 1)[0] if "." in relative.rsplit("/", 1)[-1] else relative


def decode_text_file(raw: bytes) -> tuple[str, str] | None:
    """(text, encoding) of a file's bytes, or None when they are not text.

    UTF-16 is recognised with or without a byte-order mark (Windows tools write it); NUL bytes
    otherwise, or a text full of control characters (random bytes), mean binary.
    """
    decoded = _utf16_without_bom(raw)
    if decoded is None:
        if not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in raw[:_BINARY_SAMPLE]:
            return None
        decoded = decode_bytes(raw)
    return None if _mostly_control_characters(decoded[0][:_BINARY_SAMPLE]) else decoded


def _utf16_without_bom(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a byte-order mark: Latin text puts a NUL in every other byte."""
    sample = raw[:_BINARY_SAMPLE - _BINARY_SAMPLE % 2]
    if len(sample) < 4 or raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.6 * len(zeros) and other.count(0) <= 0.05 * len(other):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                return None
    return None


def _mostly_control_characters(text: str) -> bool:
    if not text:
        return False
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in _TEXT_CONTROLS)
    return controls > _CONTROL_SHARE_OF_BINARY * len(text)


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

def _jsonl_sources(file: Path, relative: str, known: Mapping[bytes, str]) -> Iterator[Source]:
    """The articles of a .jsonl file; a line whose key is `known` is neither decoded nor parsed."""
    try:
        for number, encoding, content, decode in _jsonl_lines(file):
            key = source_key(relative, number, encoding, content)
            parse = functools.partial(_decoded_jsonl_article, decode, relative, number)
            if key in known:
                yield Source(key, known[key], f"{relative}:{number}", None, parse, relative)
                continue
            line, encoding = decode()
            if line.strip():
                yield _parsed(_guarded_jsonl_article(line, encoding, relative, number), key, relative)
    except (OSError, EOFError, zlib.error) as error:
        yield _parsed(_problem_document(relative, relative, f"cannot read {relative}: {error}: check the file is complete"),
                      file=relative)


def _jsonl_lines(file: Path) -> Iterator[tuple[int, str, bytes, Callable[[], tuple[str, str]]]]:
    """(line number, encoding, content, decode) of each line: what its source key is made of, and a
    function giving its (text, encoding). UTF-16 files are decoded whole (the key holds the encoding
    and the text); the others are read line by line and keyed by their raw bytes (encoding ''),
    which decide the decoded text: at 120k lines, hashing the bytes and decoding only the new ones
    saves about a CPU-second over decoding every line to hash its text.
    """
    opener = gzip.open if file.name.lower().endswith(".gz") else open
    with opener(file, "rb") as handle:
        head = handle.read(_BINARY_SAMPLE)
        whole = _utf16_without_bom(head) is not None or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if whole:
            raw = head + handle.read()
            text, encoding = _utf16_without_bom(raw) or decode_bytes(raw)
            for number, line in enumerate(text.split("\n"), start=1):
                yield number, encoding, line.encode("utf-8", "surrogatepass"), functools.partial(_as_decoded, line, encoding)
            return
        handle.seek(0)
        for number, raw in enumerate(handle, start=1):
            yield number, "", raw, functools.partial(decode_bytes, raw)


def _as_decoded(line: str, encoding: str) -> tuple[str, str]:
    return line, encoding


def _decoded_jsonl_article(decode: Callable[[], tuple[str, str]], relative: str, number: int) -> Document:
    line, encoding = decode()
    return _guarded_jsonl_article(line, encoding, relative, number)


def _guarded_jsonl_article(line: str, encoding: str, relative: str, number: int) -> Document:
    """One .jsonl line as a Document; whatever goes wrong with it becomes that line's error row."""
    location = f"{relative}:{number}"
    try:
        return _jsonl_article(line, encoding, location, relative, number)
    except Exception as error:  # noqa: BLE001 - one bad line must never stop the run
        return _problem_document(location, location, f"read stage failed on {relative} line {number}: "
                                                     f"{type(error).__name__}: {error}: fix or remove the line")


def _jsonl_article(text: str, encoding: str, location: str, relative: str, number: int) -> Document:
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
    fields, replaced = _valid_fields(fields)
    doc_id, id_replaced = _valid_text(doc_id)
    body, body_replaced = _valid_text(body)
    replaced += id_replaced + body_replaced
    warnings: list[str] = []
    if replaced:
        warnings.append(f"{where}: {replaced} invalid character(s) (NUL or a lone UTF-16 surrogate) replaced by U+FFFD; "
                        "offsets are unchanged; fix the source text to get rid of this warning")
    raw_date = fields.pop("published", "") or fields.pop("date", "")
    fields.pop("date", None)
    published = ""
    if raw_date:
        published, warning = _checked_published(raw_date, f"{where}: published date")
        warnings.extend([warning] if warning else [])
        if warning and normalise_published(raw_date, window=False):
            fields["published"] = raw_date  # a placeholder year: keep the text, but never as a date
    marker = _DATE_MARKER.match(body)
    if marker:
        body = body[marker.end():]
        marked, warning = _checked_published(marker.group(1), f"{where}: date marker")
        published = published or marked
        warnings.extend([warning] if warning else [])
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


def _valid_fields(fields: dict[str, str]) -> tuple[dict[str, str], int]:
    """Metadata keys and values with invalid characters replaced, and how many were."""
    cleaned, replaced = {}, 0
    for key, value in fields.items():
        (key, key_count), (value, value_count) = _valid_text(key), _valid_text(value)
        cleaned[key] = value
        replaced += key_count + value_count
    return cleaned, replaced


def _checked_published(raw: str, what: str) -> tuple[str, str]:
    """(ISO date or '', warning or '') for a publication date as written."""
    published = normalise_published(raw)
    if published:
        return published, ""
    if normalise_published(raw, window=False):
        return "", (f"{what} {raw!r} is outside the years {PUBLISHED_YEARS.start}-{PUBLISHED_YEARS.stop - 1} "
                    "(a placeholder for an unknown date?): kept as text in metadata, not used as a date; "
                    "relative dates stay unresolved")
    return "", f"{what} {raw!r} is not a date; use YYYY-MM-DD (relative dates stay unresolved)"


def normalise_published(value: str, *, window: bool = True) -> str:
    """ISO day or month for a publication date written in a common way, or '' if it is not a date.

    With `window`, years outside PUBLISHED_YEARS count as no date: 0001-01-01 and 9999-12-31 are
    "unknown" placeholders, and relative dates resolved against them run off the calendar.
    """
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
    if window and int(year) not in PUBLISHED_YEARS:
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

