"""The NER stage: (title, body) texts -> Mention records, using a trained spaCy pipeline.

The model is loaded once and fed paragraphs (text between blank lines) through `nlp.pipe`, so
sentences never run across paragraph breaks and no text ever exceeds the model's length limit.
Of each paragraph the model reads only the tokens near words that may be names (`NameWords`).
spaCy objects stay inside this module.
"""
from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence, TypeVar

from pipeline.entities.places import gazetteer_rows
from pipeline.ner_rules import Gazetteer, Span, correct_spans
from pipeline.records import Field, Label, Mention

if TYPE_CHECKING:  # spaCy is imported only when a model loads: checks and fingerprints stay cheap
    from spacy.language import Language
    from spacy.strings import StringStore
    from spacy.tokens import Doc

MAX_CHUNK_CHARS = 100_000  # keeps memory per text predictable, far below spaCy's default limit
# Tokens the model reads in one batch (the paragraphs given to one `nlp.pipe` call). A worker's memory
# peak is set by the largest batch, and a batch's memory grows with its tokens; the former fixed 16
# paragraphs a batch made batches of short articles so small that the model's per-batch cost
# dominated. 2,048 tokens: peak 414 MB on 3,000 press-bench articles (tools/worker_memory.py; 16
# paragraphs: 425 MB, 64 paragraphs: 551 MB), same entities, 10-20% faster on short news items.
TOKENS_PER_BATCH = 2048
# Articles a recogniser analyses before it runs the model in a spaCy memory zone (see `recognise`).
# By then the vocabulary holds the common words, so a zone drops and re-adds only rare ones: a zone
# from the first article re-made the lexemes of common words in every call, 15-25% slower.
MEMORY_ZONE_AFTER_ITEMS = 2000
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*\s+")
SPAN_EDGE_CHARS = " \t\r\n\u00a0\"'“”„‘’‚«»‹›()[]{}<>,;:!?-–—/*•|"
ELIDED_ARTICLE = re.compile(r"['’](?:s|t)[- ]")  # 's-Hertogenbosch, 't Zandt: part of the name
ABBREVIATION_END = re.compile(r"(?:^|[\s.])(?:[A-Z]|Inc|Corp|Co|Ltd|Bros|Jr|Sr|St|Mr|Dr)\.$")  # "J.", "Apple Inc."
GAZETTEER_FILE = "ner_gazetteer_nl_be.csv"
COMMON_WORDS_FILE = "common_words_nl.txt"  # tools/build_common_words.py
BIG_PLACE_POPULATION = 100_000
NAME_WORDS_REMEMBERED = 200_000  # lexeme kinds kept per worker (a few MB)
FLORET_CACHE_WORDS = 50_000  # x 100 dimensions x 4 bytes = 20 MB per worker
FINGERPRINT_SKIPPED = {".md", ".txt"}
FINGERPRINT_LENGTH = 16
T = TypeVar("T")


class ModelNotFoundError(RuntimeError):
    """The NER model folder is missing or is not a spaCy pipeline."""


class EntityRecognizer:
    """A loaded spaCy pipeline that turns article fields into Mention records."""

    def __init__(self, nlp: Language, fingerprint: str, gazetteer: Gazetteer | None = None) -> None:
        self._nlp = nlp
        self._fingerprint = fingerprint
        self._gazetteer = gazetteer or load_gazetteer()
        reach = context_reach(nlp)
        self._name_words = NameWords(load_common_words(), reach) if reach is not None else None
        self._sentence_starts = SentenceStarts.of(nlp) if reach is not None else None
        self._items_seen = 0

    @classmethod
    def load(cls, model_dir: Path) -> EntityRecognizer:
        """Load a saved spaCy pipeline (offline) that assigns entities."""
        model_dir = Path(model_dir)
        check_model_dir(model_dir)
        import spacy

        use_numpy_matrix_products()
        try:
            nlp = spacy.load(model_dir)
        except (OSError, ValueError, KeyError) as error:
            raise ModelNotFoundError(
                f"Could not load the spaCy pipeline in {model_dir}: {str(error).rstrip('.')}. "
                "Fix: rebuild it with `python tools/train_ner.py --shared ../shared --out models/nl_press_ner` "
                "using spaCy 3.8 (the version pinned in pyproject.toml)."
            ) from error
        if not any("doc.ents" in nlp.get_pipe_meta(name).assigns for name in nlp.pipe_names):
            raise ModelNotFoundError(
                f"The spaCy pipeline in {model_dir} has no component that recognises entities "
                f"(components: {', '.join(nlp.pipe_names) or 'none'}). "
                "Fix: point the NER model setting at a pipeline with an 'ner' component, "
                "e.g. models/nl_press_ner (rebuild with: python tools/train_ner.py)."
            )
        if not any(name in nlp.pipe_names for name in ("sentencizer", "senter", "parser")):
            nlp.add_pipe("sentencizer", first=True)
        remember_floret_vectors(nlp)
        return cls(nlp, model_fingerprint(model_dir))

    @property
    def fingerprint(self) -> str:
        """Stable short hash of the model files; changes whenever the model does."""
        return self._fingerprint

    def vocabulary_size(self) -> int:
        """Strings the model's vocabulary holds now (it grows with every new word outside a memory zone)."""
        return len(self._nlp.vocab.strings)

    def recognise(self, items: Sequence[tuple[str, str]], tokens_per_batch: int = TOKENS_PER_BATCH) -> list[tuple[Mention, ...]]:
        """(title, body) pairs -> mentions per item, in order.

        Each field is parsed paragraph by paragraph; the spans of a whole item then get the
        article-level corrections of `pipeline.ner_rules`. Labels outside the project's closed
        set (Label) are ignored.

        After its first `MEMORY_ZONE_AFTER_ITEMS` items the model runs in a spaCy memory zone: the
        words it adds to the vocabulary for these texts are dropped again afterwards (only offsets
        and labels leave the zone), so the vocabulary of a worker stops growing with every new word
        (7 MB per 1,000 press articles before; tools/worker_memory.py). Same entities either way.
        """
        limit = min(self._nlp.max_length, MAX_CHUNK_CHARS)
        jobs = [
            (item_index, field, offset, chunk)
            for item_index, (title, body) in enumerate(items)
            for field, text in ((Field.TITLE, title), (Field.BODY, body))
            for offset, chunk in split_text(text, limit)
        ]
        spans: list[list[Span]] = [[] for _ in items]
        sentence_starts: list[dict[Field, list[int]]] = [{Field.TITLE: [], Field.BODY: []} for _ in items]
        zone = self._nlp.memory_zone() if self._items_seen >= MEMORY_ZONE_AFTER_ITEMS else contextlib.nullcontext()
        self._items_seen += len(items)
        with zone, self._nlp.select_pipes(disable=["sentencizer"] if self._name_words else []):
            to_read = (self._tokens_to_read(job) for job in jobs)
            for batch in batches_within(to_read, tokens_per_batch, lambda pair: len(pair[0])):
                for doc, ((item_index, field, offset, chunk), reading) in self._nlp.pipe(batch, batch_size=len(batch),
                                                                                         as_tuples=True):
                    entities, sentences = reading.found(doc) if reading else (entity_chars(doc), sentence_start_chars(doc, chunk))
                    spans[item_index].extend(doc_spans(entities, chunk, field, offset))
                    sentence_starts[item_index][field].extend(offset + start for start in sentences)
        results = []
        for (title, body), found, starts in zip(items, spans, sentence_starts):
            texts = {Field.TITLE: title, Field.BODY: body}
            corrected = correct_spans(found, texts, self._gazetteer)
            results.append(tuple(to_mention(span, texts[span.field], starts[span.field]) for span in corrected))
        return results

    def _tokens_to_read(self, job: tuple[int, Field, int, str]) -> tuple[Doc, tuple[tuple, Reading | None]]:
        """The Doc the model reads for the chunk of `job`, with (job, reading): how to map what it
        finds back to the chunk when only the tokens near words that may be names are read (see
        `NameWords`), None when the model reads the whole chunk and splits its sentences itself."""
        from spacy.attrs import IDX, IS_PUNCT, ORTH, SPACY
        from spacy.tokens import Doc

        whole = self._nlp.make_doc(job[3])
        if self._name_words is None:
            return whole, (job, None)
        orths, spaces, offsets, puncts = whole.to_array([ORTH, SPACY, IDX, IS_PUNCT]).T.tolist()
        starts = self._sentence_starts.flags(orths, puncts)
        sentences = start_chars_of_sentences_with_text([offsets[i] for i, start in enumerate(starts) if start], job[3])
        kept = self._name_words.tokens_near_names(orths, starts, whole.vocab.strings)
        if kept is None:
            return whole, (job, Reading(None, sentences))
        after_gap = [n == 0 or kept[n - 1] != i - 1 for n, i in enumerate(kept)]  # entities never run across a gap
        doc = Doc(whole.vocab, words=[whole.vocab.strings[orths[i]] for i in kept], spaces=[spaces[i] == 1 for i in kept],
                  sent_starts=[starts[i] == 1 or gap for i, gap in zip(kept, after_gap)])
        return doc, (job, Reading((whole, kept), sentences))


def batches_within(items: Iterable[T], budget: int, size: Callable[[T], int]) -> Iterator[list[T]]:
    """Consecutive items whose sizes add up to at most `budget`; a larger item forms a batch alone."""
    batch: list[T] = []
    total = 0
    for item in items:
        item_size = size(item)
        if batch and total + item_size > budget:
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += item_size
    if batch:
        yield batch


@dataclass(frozen=True)
class Reading:
    """What the NER stage keeps of a chunk while the model reads part of it: the whole chunk's Doc
    and the positions of the tokens read (None when all were read), and its sentence starts."""

    cut: tuple[Doc, list[int]] | None
    sentence_chars: list[int]

    def found(self, doc: Doc) -> tuple[list[tuple[int, int, str]], list[int]]:
        """The entities (start, end, label) in the chunk of `doc`, what the model read, and the
        chunk's sentence start offsets."""
        return entity_chars(doc, self.cut), self.sentence_chars


class SentenceStarts:
    """The sentence starts spaCy's rule-based sentencizer sets, computed from token arrays.

    The sentencizer walks every token as a Python object, 5% of the NER stage; this walks two
    lists of ints. Same rule: a sentence starts at the first token that is neither punctuation
    nor a sentence end after a sentence end (".", "!", "?" and their kin in other scripts), so
    closing quotes and brackets stay with the sentence they close. `tests/test_ner.py` compares
    both on Dutch paragraphs.
    """

    def __init__(self, end_ids: frozenset[int]):
        self._end_ids = end_ids

    @classmethod
    def of(cls, nlp: Language) -> SentenceStarts:
        """The sentence ends of `nlp`'s sentencizer."""
        return cls(frozenset(nlp.vocab.strings[char] for char in nlp.get_pipe("sentencizer").punct_chars))

    def flags(self, orths: Sequence[int], puncts: Sequence[int]) -> list[int]:
        """1 for each token that starts a sentence, else 0 (lexeme ids `orths`, IS_PUNCT values `puncts`)."""
        flags = [0] * len(orths)
        if flags:
            flags[0] = 1
        after_end = False
        for i, (orth, punct) in enumerate(zip(orths, puncts)):
            is_end = orth in self._end_ids
            if after_end and not punct and not is_end:
                flags[i], after_end = 1, False
            elif is_end:
                after_end = True
        return flags


class NameWords:
    """Which tokens the model must read to find every name it would find in the whole text.

    A word may be a name when it has a capital ('Trump', 'iPhone', 'VS') and is not the first
    word of its sentence, or is a capitalised first word that is not one of the common Dutch words
    that are hardly ever names (`load_common_words`: 'Maar', 'Volgens', 'Vandaag'). The model reads
    each such word with `reach` tokens on either side: the span of text its CNN's vector of a word
    depends on (`context_reach`), so the word gets the vector the whole text would give it; tokens
    far from any capital (half of press text) are not read. Lower-case names ('imec', 'bol.com')
    come from the gazetteer, and a name the model found elsewhere in the article is found again
    everywhere by `ner_rules.propagate_names`.
    """

    def __init__(self, common_words: frozenset[str], reach: int):
        self._common = common_words
        self._reach = reach
        self._kind: dict[int, int] = {}  # lexeme id -> NO_LETTERS / LOWER / COMMON_CAPITAL / CAPITAL

    NO_LETTERS, LOWER, COMMON_CAPITAL, CAPITAL = range(4)

    def tokens_near_names(self, orths: Sequence[int], sentence_starts: Sequence[int],
                          strings: StringStore) -> list[int] | None:
        """Positions, in order, of the tokens (lexeme ids `orths`, SENT_START values
        `sentence_starts`) within `reach` of a word that may be a name; None when that is all."""
        kinds = [self._kind_of(orth, strings) for orth in orths]
        starts = [i for i, start in enumerate(sentence_starts) if start == 1] or [0]
        near: set[int] = set()
        for start, end in zip(starts, [*starts[1:], len(orths)]):
            for name in self._words_that_may_be_names(kinds, start, end):
                near.update(range(max(0, name - self._reach), min(len(orths), name + self._reach + 1)))
        return sorted(near) if len(near) < len(orths) else None

    def _words_that_may_be_names(self, kinds: Sequence[int], start: int, end: int) -> list[int]:
        words = [i for i in range(start, end) if kinds[i] != self.NO_LETTERS]
        names = [i for i in words[1:] if kinds[i] >= self.COMMON_CAPITAL]
        if words and kinds[words[0]] == self.CAPITAL:
            names.append(words[0])
        return names

    def _kind_of(self, orth: int, strings: StringStore) -> int:
        kind = self._kind.get(orth)
        if kind is None:
            text = strings[orth]
            if not any(character.isalpha() for character in text):
                kind = self.NO_LETTERS
            elif text.islower():
                kind = self.LOWER
            elif text[1:].islower() and text.lower() in self._common:
                kind = self.COMMON_CAPITAL
            else:
                kind = self.CAPITAL
            if len(self._kind) < NAME_WORDS_REMEMBERED:
                self._kind[orth] = kind
        return kind


def context_reach(nlp: Language) -> int | None:
    """Tokens on either side of a word that the NER model's vector of that word depends on; None
    when that is not bounded or not known (no CNN encoder, an entity ruler), and the model reads all.

    A window CNN (spaCy's MaxoutWindowEncoder, MishWindowEncoder, HashEmbedCNN) of depth d that
    looks w tokens to each side at every layer gives a word a vector made from d x w tokens on
    either side; the embeddings below it are per token. The shipped model: 4 layers x 1 = 4 tokens.
    `NameWords` reads that many tokens around every word that may be a name; on the three dev sets
    this gave the same F1 as reading whole sentences, and so did 3, 5 and 6 (2 lost some).
    """
    if "sentencizer" not in nlp.pipe_names or "ner" not in nlp.pipe_names:
        return None
    config = nlp.config.interpolate()["components"]
    tok2vec = config["ner"]["model"].get("tok2vec", {})
    if tok2vec.get("@architectures", "").startswith("spacy.Tok2VecListener"):
        tok2vec = config.get("tok2vec", {}).get("model", {})
    encode = tok2vec.get("encode", tok2vec)  # HashEmbedCNN, spaCy's default, holds depth and window itself
    if not re.fullmatch(r"spacy\.((Maxout|Mish)WindowEncoder|HashEmbedCNN)\.v\d+", encode.get("@architectures", "")):
        return None
    return int(encode["depth"]) * int(encode["window_size"])


def entity_chars(doc: Doc, cut: tuple[Doc, Sequence[int]] | None = None) -> list[tuple[int, int, str]]:
    """(start, end, label) in the chunk of each entity of `doc`: the chunk's whole Doc, or the Doc read
    from the chunk's `cut` = (whole Doc, positions of the tokens read).

    An entity that would run across a gap joins two stretches of text that were never side by
    side, so it is left out."""
    if cut is None:
        return [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
    whole, kept = cut
    found = []
    for ent in doc.ents:
        first, last = kept[ent.start], kept[ent.end - 1]
        if last - first == ent.end - 1 - ent.start:
            found.append((whole[first].idx, whole[last].idx + len(whole[last]), ent.label_))
    return found


def use_numpy_matrix_products() -> None:
    """Make thinc multiply matrices with numpy's BLAS (OpenBLAS), one thread per process.

    thinc's default gemm comes from the blis wheel, which falls back to its slow 'generic' kernel
    on CPUs it does not recognise (AMD EPYC family 25 here: 19 vs 67 GFLOP/s), making the whole
    NER stage 1.7 times slower. OpenBLAS picks its kernel for every x86 CPU; on the press-v2 dev
    articles both give the same entities. One BLAS thread, because the pipeline already runs one
    worker process per core. Set before spacy.load: thinc layers keep the ops current at creation.
    """
    from thinc.api import NumpyOps, set_current_ops
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    set_current_ops(NumpyOps(use_blis=False))


def remember_floret_vectors(nlp: Language) -> None:
    """Let the model's floret vectors keep each word's vector once computed (same numbers, ~5% faster).

    spaCy computes a floret vector from scratch every time a word occurs: it hashes the word's
    character n-grams in Python and averages their rows, 6% of the NER stage's time on press-bench.
    Each word's vector is its own mean, whatever else is in the batch, so keeping it changes no
    result. Up to FLORET_CACHE_WORDS words are kept (20 MB), the first ones met, which in news are
    the frequent ones; rarer words are computed as before.
    """
    from spacy.vectors import Mode

    vectors, remembering = nlp.vocab.vectors, _floret_vectors_class()
    if vectors.mode == Mode.floret and not isinstance(vectors, remembering):
        nlp.vocab.vectors = remembering.wrapping(vectors)


def load_gazetteer() -> Gazetteer:
    """The names we list ourselves (pipeline/data/ner_gazetteer_nl_be.csv) for the span corrections,
    and the places of 100,000+ inhabitants of the GeoNames index the entity stage links places with."""
    text = resources.files("pipeline").joinpath("data", GAZETTEER_FILE).read_text(encoding="utf-8")
    big_places = (row["name"] for row in gazetteer_rows() if int(row["population"] or 0) >= BIG_PLACE_POPULATION)
    return Gazetteer.from_rows(csv.DictReader(io.StringIO(text)), big_places)


def load_common_words() -> frozenset[str]:
    """Common lower-case Dutch words that are hardly ever capitalised inside a sentence
    (pipeline/data/common_words_nl.txt, made by tools/build_common_words.py from press-bench)."""
    text = resources.files("pipeline").joinpath("data").joinpath(COMMON_WORDS_FILE).read_text(encoding="utf-8")
    return frozenset(text.split())


def check_model_dir(model_dir: Path) -> None:
    """Fail early, naming the folder and the fix, when `model_dir` is not a saved spaCy pipeline."""
    fix = "Fix: build it with `python tools/train_ner.py --shared ../shared --out models/nl_press_ner` or set the model path."
    if not model_dir.is_dir():
        raise ModelNotFoundError(f"NER model folder not found: {model_dir}. {fix}")
    missing = [name for name in ("config.cfg", "meta.json") if not (model_dir / name).is_file()]
    if missing:
        raise ModelNotFoundError(
            f"{model_dir} is not a saved spaCy pipeline (missing {', '.join(missing)}). {fix}"
        )


def model_fingerprint(model_dir: Path) -> str:
    """sha256 over the relative path and content of every model file (documentation excluded).

    JSON files are hashed in canonical form: spaCy writes some sets (sentencizer punctuation,
    per-label scores) in hash-seed-dependent order, and the same weights must give the same print.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        if path.suffix.lower() in FINGERPRINT_SKIPPED:
            continue
        digest.update(path.relative_to(model_dir).as_posix().encode("utf-8") + b"\0")
        digest.update(canonical_json(path) if path.suffix.lower() == ".json" else path.read_bytes())
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def canonical_json(path: Path) -> bytes:
    """A JSON file's content with object keys and lists of scalars sorted."""
    return json.dumps(sorted_json(json.loads(path.read_text(encoding="utf-8"))), sort_keys=True).encode("utf-8")


def sorted_json(value: object) -> object:
    """Recursively sort lists of scalars (sets serialised as lists); keep other lists in order."""
    if isinstance(value, dict):
        return {key: sorted_json(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [sorted_json(item) for item in value]
        if all(isinstance(item, (str, int, float, bool)) for item in items):
            return sorted(items, key=lambda item: (type(item).__name__, item))
        return items
    return value


def split_text(text: str, limit: int) -> list[tuple[int, str]]:
    """Cut `text` into (offset, chunk) paragraphs of at most `limit` characters.

    Splits at blank lines first; a paragraph still too long is cut at a sentence end or
    whitespace (see `last_break`). Blank chunks are left out.
    """
    chunks = []
    start = 0
    for match in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        chunks.extend(split_long(text, start, end, limit))
        start = match.end() if match else end
    return chunks


def split_long(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, str]]:
    """Yield text[start:end] in pieces of at most `limit` characters, cut at a break."""
    while start < end:
        cut = end if end - start <= limit else last_break(text, start, start + limit)
        piece = text[start:cut]
        if piece.strip():
            yield start, piece
        start = cut


def last_break(text: str, start: int, end: int) -> int:
    """Where to end a piece text[start:cut] with cut <= end.

    After the last sentence end (. ! ? then whitespace) in the second half of the window, so a
    cut rarely splits a sentence; else after the last whitespace; else hard at `end`.
    """
    sentence_ends = [match.end() for match in SENTENCE_END.finditer(text, (start + end) // 2, end)]
    if sentence_ends:
        return sentence_ends[-1]
    for index in range(end - 1, start, -1):
        if text[index].isspace():
            return index + 1
    return end


def doc_spans(entities: Sequence[tuple[int, int, str]], text: str, field: Field, offset: int) -> list[Span]:
    """The entities (start, end, label) of chunk `text` as spans shifted by `offset` and trimmed.

    The chunk's text is passed in: `doc.text` rebuilds it token by token on every access.
    """
    spans = []
    for start, end, label in entities:
        start, end = trim_span(text, start, end)
        if start < end and label in Label.__members__:
            spans.append(Span(field, offset + start, offset + end, Label[label]))
    return spans


def to_mention(span: Span, text: str, sentence_starts: Sequence[int]) -> Mention:
    """A span as a Mention; `sentence_starts` are the field's sentence offsets, in order."""
    return Mention(
        field=span.field,
        start=span.start,
        end=span.end,
        text=text[span.start:span.end],
        label=span.label,
        sentence=max(bisect_right(sentence_starts, span.start) - 1, 0),
    )


def sentence_start_chars(doc: Doc, text: str) -> list[int]:
    """Start offsets of the sentences of chunk `text` (parsed as `doc`) that hold text.

    Read from the token array: `doc.sents` walks every token as a Python object, twice, which
    cost 7% of the stage. The chunk start when the text is unsegmented.
    """
    from spacy.attrs import IDX, SENT_START

    rows = doc.to_array([SENT_START, IDX])
    return start_chars_of_sentences_with_text([int(idx) for idx in rows[rows[:, 0] == 1, 1]], text)


def start_chars_of_sentences_with_text(starts: list[int], text: str) -> list[int]:
    """Of the sentence start offsets `starts` in `text`, those whose sentence holds more than
    whitespace; the chunk start when none does."""
    starts = starts or [0]
    ends = [*starts[1:], len(text)]
    return [start for start, end in zip(starts, ends) if not text[start:end].isspace()] or [0]


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow [start, end) past leading/trailing whitespace and punctuation.

    A final '.' goes too unless the span holds another one or ends in an initial or a company
    abbreviation (keeps "N.V.", "J.", "Apple Inc."; drops it from "VS.").
    """
    while start < end and text[start] in SPAN_EDGE_CHARS and not ELIDED_ARTICLE.match(text, start, end):
        start += 1
    while end > start and text[end - 1] in SPAN_EDGE_CHARS:
        end -= 1
    name = text[start:end]
    if name.endswith(".") and "." not in name[:-1] and not ABBREVIATION_END.search(name):  # "VS." at a sentence end
        end -= 1
    return start, end


@functools.cache
def _floret_vectors_class() -> type:
    """spaCy's Vectors with a per-word memory of get_batch (see `remember_floret_vectors`).

    Built on first use, so importing this module does not import spaCy.
    """
    import numpy
    from spacy.vectors import Vectors

    class RememberedFloretVectors(Vectors):
        @classmethod
        def wrapping(cls, vectors: Vectors) -> RememberedFloretVectors:
            remembered = cls(strings=vectors.strings, data=vectors.data, mode="floret", minn=vectors.minn,
                             maxn=vectors.maxn, hash_count=vectors.hash_count, hash_seed=vectors.hash_seed,
                             bow=vectors.bow, eow=vectors.eow, attr=vectors.attr)
            remembered.rows_by_key = {}
            remembered.remembered = numpy.zeros((FLORET_CACHE_WORDS, vectors.data.shape[1]), dtype="float32")
            return remembered

        def get_batch(self, keys):
            keys = [int(key) for key in keys]
            if not keys:
                return super().get_batch(keys)
            unique = list(dict.fromkeys(keys))
            new = [key for key in unique if key not in self.rows_by_key]
            fresh = dict(zip(new, super().get_batch(new))) if new else {}
            for key, vector in fresh.items():
                if len(self.rows_by_key) < FLORET_CACHE_WORDS:
                    self.remembered[len(self.rows_by_key)] = vector
                    self.rows_by_key[key] = len(self.rows_by_key)
            table = numpy.stack([fresh[key] if key in fresh else self.remembered[self.rows_by_key[key]] for key in unique])
            position = {key: index for index, key in enumerate(unique)}
            return numpy.ascontiguousarray(table[[position[key] for key in keys]], dtype="float32")

    return RememberedFloretVectors
