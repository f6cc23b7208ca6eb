"""Load the language test set (see README.md beside this file).

Shared by tests/test_language.py and tools/compare_language.py so both measure the same cases.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent
PARAGRAPH_TAG = re.compile(r"^\[([a-z]{2})\] ")
BLANK_LINES = re.compile(r"\n[ \t]*\n")


class LengthClass(str, Enum):
    """How long a case is; accuracy targets differ per class."""

    HEADLINE = "headline"
    SENTENCE = "sentence"
    ARTICLE = "article"


@dataclass(frozen=True)
class Case:
    """One text with its expected language; articles also carry expected paragraph languages."""

    case_id: str
    length_class: LengthClass
    language: str
    title: str
    body: str
    paragraph_languages: tuple[str, ...] = ()


def _line_cases(file_name: str, length_class: LengthClass) -> list[Case]:
    cases = []
    lines = (CASES_DIR / file_name).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        language, text = line.split("\t", 1)
        case_id = f"{length_class.value}-{language}-{number:03d}"
        # A headline stands alone as a title; a sentence is a one-line lead with an empty title.
        if length_class is LengthClass.HEADLINE:
            cases.append(Case(case_id, length_class, language, title=text, body=""))
        else:
            cases.append(Case(case_id, length_class, language, title="", body=text))
    return cases


def _article_case(path: Path) -> Case:
    language = path.stem.split("_", 1)[0]
    title, body = path.read_text(encoding="utf-8").split("\n\n", 1)
    # Paragraphs as the language stage splits them: on blank lines, else on single newlines.
    separator = BLANK_LINES if BLANK_LINES.search(body.strip()) else re.compile(r"\n")
    paragraphs, expected = [], []
    for paragraph in separator.split(body.strip()):
        tag = PARAGRAPH_TAG.match(paragraph)
        expected.append(tag.group(1) if tag else language)
        paragraphs.append(paragraph[tag.end():] if tag else paragraph)
    return Case(
        f"article-{path.stem}",
        LengthClass.ARTICLE,
        language,
        title=title.strip(),
        body=("\n\n" if separator is BLANK_LINES else "\n").join(paragraphs) + "\n",
        paragraph_languages=tuple(expected),
    )


def load_cases() -> list[Case]:
    """All cases: headlines, sentences, then articles, in a stable order."""
    articles = [_article_case(path) for path in sorted((CASES_DIR / "articles").glob("*.txt"))]
    return (
        _line_cases("headlines.tsv", LengthClass.HEADLINE)
        + _line_cases("sentences.tsv", LengthClass.SENTENCE)
        + articles
    )
