"""`add`: store new articles in the corpus folder, one .txt file with front matter each.

A text already in the corpus (same content hash) is refused, so the same article is never
counted twice. Articles are written atomically: a crash never leaves half a file in the corpus.
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .corpus import normalise_published, read_corpus
from .records import Document

_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


class AddError(ValueError):
    """The request cannot be carried out (bad option or path); the message says how to fix it."""


@dataclass(frozen=True)
class AddReport:
    """Which articles were stored (paths) and which were refused (source, reason)."""

    added: tuple[Path, ...]
    refused: tuple[tuple[str, str], ...]


def add_articles(paths: Sequence[Path], corpus: Path, *, published: str = "", title: str = "",
                 source: str = "") -> AddReport:
    """Copy the articles in `paths` (files, folders, .jsonl) into `corpus`; metadata given here overrides theirs."""
    date = normalise_published(published) if published else ""
    if published and not date:
        raise AddError(f"--date {published!r} is not a date: use YYYY-MM-DD (or YYYY-MM)")
    for path in paths:
        if not path.exists():
            raise AddError(f"{path} does not exist: pass an article file, a folder or a .jsonl file")
    if corpus.exists() and not corpus.is_dir():
        raise AddError(f"corpus {corpus} is not a folder: `add` stores articles in a corpus folder")
    corpus.mkdir(parents=True, exist_ok=True)
    known = {d.content_sha256: d.source_path for d in read_corpus(corpus) if not d.problem}
    added, refused = [], []
    for path in paths:
        for document in read_corpus(path):
            where = str((path.parent if path.is_file() else path) / document.source_path)
            if document.problem:
                refused.append((where, document.problem))
                continue
            if document.content_sha256 in known:
                refused.append((where, f"same text as {known[document.content_sha256]} already in the corpus; not added again"))
                continue
            document = replace(document, title=title or document.title, published=date or document.published,
                               source=source or document.source)
            target = _write_article(corpus, document)
            known[document.content_sha256] = target.relative_to(corpus).as_posix()
            added.append(target)
    return AddReport(added=tuple(added), refused=tuple(refused))


def _write_article(corpus: Path, document: Document) -> Path:
    """Write one article as `<slug>.txt` with front matter; never overwrites an existing file.

    The file name (from the original id or file name) becomes the article's id in the corpus."""
    target = _free_path(corpus, _slug(document))
    # When `outlet` filled the source column, the item's own `source` is in metadata: the column is
    # then written as `outlet`, which wins again on reading, so both survive the copy.
    source_key = "outlet" if any(key == "source" for key, _ in document.metadata) else "source"
    fields = [("title", document.title),
              ("published", document.published), (source_key, document.source), ("url", document.url),
              *document.metadata]
    lines = ["---", *(f"{key}: {_quoted(value)}" for key, value in fields if value), "---", document.body.strip(), ""]
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text("\n".join(lines), encoding="utf-8")
    os.replace(temporary, target)
    return target


def _slug(document: Document) -> str:
    base = document.doc_id.rsplit("/", 1)[-1] if document.doc_id else document.title
    ascii_text = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode().lower()
    slug = _SLUG_CHARS.sub("-", ascii_text).strip("-")[:80]
    return slug or "article"


def _free_path(corpus: Path, slug: str) -> Path:
    candidate, number = corpus / f"{slug}.txt", 2
    while candidate.exists():
        candidate, number = corpus / f"{slug}-{number}.txt", number + 1
    return candidate


def _quoted(value: str) -> str:
    """Front-matter values are single lines; quote those whose own quotes would be stripped on reading."""
    value = " ".join(value.split())
    return f'"{value}"' if value[:1] in "\"'" or value[-1:] in "\"'" else value
