"""Frozen records that flow between the stages, and the closed sets they use.

Data flows one way: corpus -> language -> ner -> dates -> entities -> tables.
Every stage takes and returns these records; nothing spaCy-specific leaves the NER stage.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum


class Field(str, Enum):
    """The text field of a document that a span points into."""

    TITLE = "title"
    BODY = "body"


class Label(str, Enum):
    """Entity labels (CoNLL-2002 set)."""

    PER = "PER"
    ORG = "ORG"
    LOC = "LOC"
    MISC = "MISC"


class FeatureClass(str, Enum):
    """What kind of place a resolved LOC entity is (the `feature_class` column of entities.csv)."""

    CONTINENT = "continent"
    COUNTRY = "country"
    REGION = "region"
    PROVINCE = "province"
    CITY = "city"
    AIRPORT = "airport"
    STATION = "station"
    WATER = "water"


class Status(str, Enum):
    """What happened to a document in a run."""

    OK = "ok"
    SKIPPED = "skipped"
    ERROR = "error"


class TimexType(str, Enum):
    """TIMEX3 types."""

    DATE = "DATE"
    TIME = "TIME"
    DURATION = "DURATION"
    SET = "SET"


@dataclass(frozen=True)
class Document:
    """One article as read from the corpus, before any analysis.

    `published` is an ISO date of day (`2025-06-12`) or month (`2025-06`) precision, or empty.
    `problem` is set when the article could not be read properly (binary file,
    malformed front matter, ...); such a document is reported with status `problem_status`
    and never analysed. `warnings` are problems that lose nothing (a bad date, say).
    """

    doc_id: str
    source_path: str
    title: str
    body: str
    published: str = ""
    source: str = ""
    url: str = ""
    encoding: str = "utf-8"
    content_sha256: str = ""
    metadata: tuple[tuple[str, str], ...] = ()
    problem: str | None = None
    problem_status: Status = Status.ERROR
    warnings: tuple[str, ...] = ()

    @property
    def reference_date(self) -> dt.date | None:
        """The publication date as the anchor for relative dates; only a full day can anchor."""
        if len(self.published) != 10:
            return None
        return dt.date.fromisoformat(self.published)


@dataclass(frozen=True)
class LanguageGuess:
    """The language of a document (ISO 639-1 code, or `und` when unknown).

    `shares` lists (language, share of characters) per detected language, largest first.
    `paragraphs` holds, for each body paragraph (split on blank lines), its
    (start, end, language): the NER stage skips paragraphs not in a processed language.
    """

    language: str
    confidence: float
    shares: tuple[tuple[str, float], ...] = ()
    paragraphs: tuple[tuple[int, int, str], ...] = ()


@dataclass(frozen=True)
class Mention:
    """A named-entity mention: `text == <field text>[start:end]`.

    `sentence` is the 0-based index of the sentence within its field.
    """

    field: Field
    start: int
    end: int
    text: str
    label: Label
    sentence: int


@dataclass(frozen=True)
class Timex:
    """A temporal expression with its TIMEX3 value.

    `value` is empty when it cannot be resolved (relative expression, no publication date).
    `date_start`/`date_end` are the first and last calendar day a DATE/TIME covers (None otherwise
    or when unresolved). `granularity` is one of: day, week, weekend, month, quarter, half,
    season, year, decade, century, time, or empty for durations, sets and vague references.
    `mod` is a TIMEX3 modifier (START, MID, END, MORE_THAN, LESS_THAN, EQUAL_OR_MORE, APPROX) or empty.
    """

    field: Field
    start: int
    end: int
    text: str
    type: TimexType
    value: str
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    granularity: str = ""
    mod: str = ""


@dataclass(frozen=True)
class LinkedMention:
    """A mention attached to its canonical entity (within-document resolution)."""

    mention: Mention
    canonical: str
    entity_id: str


@dataclass(frozen=True)
class Entity:
    """A canonical entity across the corpus."""

    entity_id: str
    label: Label
    name: str
    n_mentions: int
    n_documents: int
    country_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: str = ""
    feature_class: FeatureClass | None = None
    admin1: str = ""


@dataclass(frozen=True)
class Alias:
    """One surface form seen for an entity."""

    entity_id: str
    alias: str
    n_mentions: int


@dataclass(frozen=True)
class DocumentResult:
    """Everything the per-document stages learnt about one document (cached between runs).

    `linked` holds the mentions linked within the article (`link_mentions`, same order as
    `mentions`); the cross-article step, which depends on the whole corpus, replaces their entity
    ids when the tables are built. A result read back from the state has no body (`document.body`
    is empty): the tables never need it.
    """

    document: Document
    status: Status
    status_detail: str
    language: LanguageGuess
    n_chars: int
    n_words: int
    mentions: tuple[Mention, ...] = field(default=())
    timexes: tuple[Timex, ...] = field(default=())
    linked: tuple[LinkedMention, ...] = field(default=())
