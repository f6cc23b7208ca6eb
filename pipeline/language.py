"""Language stage: which language a document (and each body paragraph) is written in.

Press archives mix Dutch with English wire copy, French, German, and Afrikaans or Frisian items
that look like Dutch to a detector. The stage classifies the title and every body paragraph of
at least `min_chars` on a bounded sample of characters (speed), weighs them by their length
(`shares`), and keeps the majority language as the article language, so a Dutch article with an English quote stays Dutch
while the quote paragraph is marked English for the NER stage to skip.

Backends (`LanguageSettings.detector`, see `Detector`):
- `langdetect` (default): a seeded langdetect factory of our own, restricted to the candidate
  languages of Dutch-language press with a prior towards Dutch. langdetect has no Frisian
  profile, so a Frisian function-word check turns lookalike guesses (nl/af/de/en) into `fy`.
- `cld2`: pycld2 (Compact Language Detector 2), which knows Frisian and ~80 languages; over ten
  times faster, but unsure (`und`) on some headlines and misjudges a mixed paragraph.
- `cld2+langdetect`: cld2 first; langdetect (as above) decides the close calls: short segments
  and segments where cld2 is unsure.
Figures for each: tools/compare_language.py.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable

from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException

from pipeline.records import LanguageGuess

UNDETERMINED = "und"

# Languages that matter for Dutch-language press: Dutch, the wire and neighbour languages and the
# lookalike Afrikaans (Frisian: see FRISIAN_MARKERS). Fewer profiles is faster (5 vs 8: +7%);
# other languages come out as one of these, which is still "not processed".
LANGDETECT_CANDIDATES = ("nl", "en", "fr", "de", "af")
# A mild prior towards Dutch: the archive is Dutch-language press (weights are normalised).
LANGDETECT_PRIOR = {"nl": 2.0, "en": 1.0, "fr": 1.0, "de": 1.0, "af": 1.0}
LANGDETECT_SEED = 0
# One random trial instead of langdetect's 7: same answers on our test set, 2.8x faster.
LANGDETECT_TRIALS = 1

# Characters of a paragraph langdetect sees (tools/compare_language.py --sweep): from 80 on every
# sentence, article and paragraph of the test set is right (60 misses a sentence); more text
# only costs time (120: -13% words/s, 400: -35%).
SAMPLE_CHARS = 80
SAMPLE_WINDOWS = 3
# Characters the lookalike checks (Frisian, Afrikaans marker words) read: cheap, so more than
# langdetect gets; short samples hold too few marker words.
MARKER_SAMPLE_CHARS = 300
# cld2 is fast enough to read more, and needs it: at 80 characters it misjudges paragraphs.
CLD2_SAMPLE_CHARS = 400
# cld2's answer stands without langdetect from this many characters and share of reliable text.
CLD2_SURE_MIN_CHARS = 80
CLD2_SURE_SHARE = 0.9
# Below this many characters of title+body the confidence is scaled down (short texts are risky).
CONFIDENT_CHARS = 100
# A text shorter than `min_chars` keeps its language only with this detector probability ...
CLEAR_PROBABILITY = 0.995
# ... and at least this many words.
CLEAR_MIN_WORDS = 4

BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
NEWLINE = re.compile(r"\n")
WORD = re.compile(r"'n\b|[^\W\d_]+(?:['’][^\W\d_]+)*")

# Frisian words that are not (common) words in Dutch, Afrikaans, German or English; lookalike
# words such as `hy`, `sy`, `ek`, `by` (Afrikaans), `wie`, `net`, `mei`, `in` (Dutch), `hat`, `wurde`,
# `seit`, `noch` (German) or `west` are left out on purpose (measured on tests/language_cases).
FRISIAN_MARKERS = frozenset(
    """
    fan yn foar troch tsjin oer nei oan út hjir dêr wêr wêrtroch't wannear't hoe't om't oft
    wy hja harren ús dizze dy't gjin gjinien neat neffens tige hiel hiele nij nije nijs âld âlde
    binne hawwe hie hiene wiene wurdt sil soe moat moatte moast kinne kin woe wol giet gie
    sizze jier jierren wike wiken moanne juster hjoed moarn minsken bern skoalle skoallen
    hûs huzen stêd doarp doarpen tsjerke wurk lân ried plysje sikehûs provinsje earste lêste
    oare ien twa trije fjouwer fiif tsien tweintich hûndert tûzen mar ta oant tusken sûnder ûnder
    mear krije krijt krige sels bliid lyts lytse grut grutte faak altyd noait dochs lykwols
    hieltyd guon soad protte sa'n wêze dwaan docht sjen sjocht seach kaam komme gean stean stiet
    libben jild iepen ticht tiid oere jûn it fryslân frysk fryske ljouwert snits harns grins
    """.split()
)
# Share of words that must be Frisian markers to call a lookalike guess Frisian.
FRISIAN_MARKER_SHARE = 0.1
FRISIAN_MIN_MARKERS = 2
# Guesses of a backend without a Frisian model that may in truth be Frisian.
FRISIAN_LOOKALIKES = frozenset({"nl", "af", "de", "en"})

# langdetect calls Dutch business copy (names, figures, few function words) Afrikaans with
# probability 0.99999 now and then. An `af` guess stands only if Afrikaans-only words are not
# outnumbered by Dutch-only ones: Afrikaans has no article `de`, no `ij`, says `nie`, `'n`, `vir`.
AFRIKAANS_MARKERS = frozenset(
    """
    nie hulle julle jy ek hy sy vir sê gesê baie 'n ná dié egter weens mense kry tyd bly skool
    skole oor sal hul nuwe ou sowat terwyl reeds nou gister vandag môre hierdie daardie niks elke
    almal slegs tans asook jare hê lê dink gemaak gedoen gesien gekry gegee geneem by my wys
    skryf skrywer ry vry bietjie hoekom eintlik
    """.split()
)
DUTCH_MARKERS = frozenset("de een niet zijn hij zij ze wij we bij heeft hebben werd wordt worden naar door over zal zou deze zich er".split())


class Detector(str, Enum):
    """The detector backends a `LanguageSettings.detector` may name."""

    LANGDETECT = "langdetect"
    CLD2 = "cld2"
    CLD2_LANGDETECT = "cld2+langdetect"


@dataclass(frozen=True)
class LanguageSettings:
    """What the language stage does; `languages` are the processed ones (others are skipped)."""

    languages: frozenset[str] = frozenset({"nl"})
    min_chars: int = 30
    detector: str = "langdetect"


@dataclass(frozen=True)
class _SegmentGuess:
    """The detector's answer for one segment (the title or a body paragraph)."""

    n_chars: int
    probabilities: tuple[tuple[str, float], ...]

    @property
    def language(self) -> str:
        return self.probabilities[0][0] if self.probabilities else UNDETERMINED

    def probability_of(self, language: str) -> float:
        return dict(self.probabilities).get(language, 0.0)


def detect_language(title: str, body: str, settings: LanguageSettings) -> LanguageGuess:
    """Guess the article language from the title and each body paragraph, weighted by length.

    Segments (title, paragraphs) shorter than `min_chars` say too little to be judged alone (a
    dateline, "zei Obama."): when longer ones exist they are not classified and take the article
    language, so the NER stage does not skip them on a detector's whim; when none is longer, the
    segments are classified together, once (a headline with its lead, a list of short lines).
    """
    spans = split_paragraphs(body)
    segments = ([title.strip()] if title.strip() else []) + [body[start:end] for start, end in spans]
    guesses, votes = _classify_segments(segments, settings, _classifier(Detector(settings.detector)))
    found = [guess for guess in votes if guess.language != UNDETERMINED]
    n_chars = sum(len(segment) for segment in segments)
    language = _majority_language(found)
    probability = sum(g.n_chars * g.probability_of(language) for g in found) / max(1, sum(g.n_chars for g in found))
    if not found or (n_chars < settings.min_chars and not _is_clear(probability, segments)):
        return LanguageGuess(UNDETERMINED, 0.0, (), tuple((start, end, UNDETERMINED) for start, end in spans))
    resolved = [language if g is None or g.language == UNDETERMINED else g.language for g in guesses]
    paragraph_languages = resolved[len(segments) - len(spans):]
    paragraphs = tuple((start, end, lang) for (start, end), lang in zip(spans, paragraph_languages))
    confidence = probability * min(1.0, n_chars / CONFIDENT_CHARS)
    return LanguageGuess(language, round(confidence, 3), _language_shares(segments, resolved), paragraphs)


def _classify_segments(
    segments: list[str], settings: LanguageSettings, classify: Callable[[str], _SegmentGuess]
) -> tuple[list[_SegmentGuess | None], list[_SegmentGuess]]:
    """Per segment its guess (None: too short, takes the article language) and the guesses that vote."""
    long_enough = [len(segment) >= settings.min_chars for segment in segments]
    if any(long_enough):
        guesses = [classify(segment) if long else None for segment, long in zip(segments, long_enough)]
        return guesses, [guess for guess in guesses if guess is not None]
    together = classify("\n".join(segments))
    return [together] * len(segments), [together]


def _majority_language(found: list[_SegmentGuess]) -> str:
    """The language with the most characters among classified segments (ties: language code)."""
    chars: dict[str, int] = {}
    for guess in found:
        chars[guess.language] = chars.get(guess.language, 0) + guess.n_chars
    return min(chars, key=lambda language: (-chars[language], language), default=UNDETERMINED)


def split_paragraphs(body: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph, split on blank lines, else on single newlines."""
    separator = BLANK_LINE if BLANK_LINE.search(body) else NEWLINE
    spans, start = [], 0
    for match in separator.finditer(body):
        spans.append(_strip_span(body, start, match.start()))
        start = match.end()
    spans.append(_strip_span(body, start, len(body)))
    return [(s, e) for s, e in spans if e > s]


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    leading = len(chunk) - len(chunk.lstrip())
    return start + leading, start + len(chunk.rstrip())


def _language_shares(segments: list[str], languages: list[str]) -> tuple[tuple[str, float], ...]:
    """Share of characters per language, largest first (ties by language code; shares under 0.0005 left out)."""
    chars: dict[str, int] = {}
    for segment, language in zip(segments, languages):
        chars[language] = chars.get(language, 0) + len(segment)
    total = sum(chars.values())
    ranked = sorted(chars.items(), key=lambda item: (-item[1], item[0]))
    shares = ((language, round(count / total, 3)) for language, count in ranked)
    return tuple((language, share) for language, share in shares if share > 0)


def _is_clear(probability: float, segments: list[str]) -> bool:
    """A short text keeps its language only when the detector is sure and there are words enough."""
    n_words = sum(len(WORD.findall(segment)) for segment in segments)
    return probability >= CLEAR_PROBABILITY and n_words >= CLEAR_MIN_WORDS


def bounded_sample(text: str, limit: int) -> str:
    """At most about `limit` characters of `text`: whole words from its start, middle and end.

    Three windows rather than the head alone, so a paragraph that opens with a quote in another
    language is judged by what most of it is written in.
    """
    if len(text) <= limit:
        return text
    window = limit // SAMPLE_WINDOWS
    last_start = len(text) - window
    starts = [i * last_start // (SAMPLE_WINDOWS - 1) for i in range(SAMPLE_WINDOWS)]
    return " ... ".join(_word_window(text, start, window) for start in starts)


def _word_window(text: str, start: int, size: int) -> str:
    """`text[start:start+size]` widened to whole words."""
    if start > 0 and not text[start - 1].isspace():
        start = max(0, text.rfind(" ", 0, start) + 1)
    end = text.find(" ", start + size)
    return text[start:] if end < 0 else text[start:end]


def _classifier(detector: Detector) -> Callable[[str], _SegmentGuess]:
    """The segment classifier for a backend: text -> _SegmentGuess."""
    if detector is Detector.CLD2:
        return _classify_cld2
    if detector is Detector.CLD2_LANGDETECT:
        return _classify_cld2_then_langdetect
    return _classify_langdetect


def _classify_cld2_then_langdetect(text: str) -> _SegmentGuess:
    """cld2 first (fast); langdetect decides the close calls: short, unsure or mixed segments."""
    first = _classify_cld2(text)
    if first.n_chars >= CLD2_SURE_MIN_CHARS and first.probability_of(first.language) >= CLD2_SURE_SHARE:
        return first
    return _classify_langdetect(text)


def _classify_langdetect(text: str) -> _SegmentGuess:
    n_chars = len(text.strip())
    sample = bounded_sample(text.strip(), SAMPLE_CHARS)
    detector = _langdetect_factory().create()
    detector.n_trial = LANGDETECT_TRIALS
    detector.set_prior_map(LANGDETECT_PRIOR)
    detector.append(sample)
    try:
        found = tuple((found.lang, found.prob) for found in detector.get_probabilities())
    except LangDetectException:  # no letters at all: nothing to detect
        return _SegmentGuess(n_chars, ())
    return _SegmentGuess(n_chars, _check_lookalikes(found, bounded_sample(text.strip(), MARKER_SAMPLE_CHARS)))


def _check_lookalikes(found: tuple[tuple[str, float], ...], sample: str) -> tuple[tuple[str, float], ...]:
    """Correct langdetect's top guess where it confuses Dutch, Afrikaans and Frisian."""
    if not found:
        return found
    top, probability = found[0]
    words = [word.lower() for word in WORD.findall(sample)]
    # English `it` is not the Frisian article.
    if top in FRISIAN_LOOKALIKES and _looks_frisian([w for w in words if top != "en" or w != "it"]):
        return (("fy", probability),) + found[1:]
    if top == "af" and _count_dutch(words) > _count_afrikaans(words):
        return (("nl", probability),) + tuple(item for item in found[1:] if item[0] != "nl")
    return found


def _count_dutch(words: list[str]) -> int:
    return sum(word in DUTCH_MARKERS or "ij" in word for word in words)


def _count_afrikaans(words: list[str]) -> int:
    return sum(word in AFRIKAANS_MARKERS or word.endswith(("lik", "like")) for word in words)


def _looks_frisian(words: list[str]) -> bool:
    """True when enough of the (lower-cased) words are Frisian ones that Dutch and its lookalikes lack."""
    hits = sum(word in FRISIAN_MARKERS for word in words)
    return hits >= FRISIAN_MIN_MARKERS and hits >= FRISIAN_MARKER_SHARE * len(words)


@functools.cache
def _langdetect_factory():
    """A seeded langdetect factory of our own (never langdetect's process-global one), built once."""
    factory = DetectorFactory()
    profiles = [(Path(PROFILES_DIRECTORY) / code).read_text(encoding="utf-8") for code in LANGDETECT_CANDIDATES]
    factory.load_json_profile(profiles)
    factory.set_seed(LANGDETECT_SEED)
    return factory


def _classify_cld2(text: str) -> _SegmentGuess:
    import pycld2  # optional dependency: only the cld2 detectors need it

    n_chars = len(text.strip())
    sample = bounded_sample(text.strip(), CLD2_SAMPLE_CHARS)
    try:
        reliable, _, details = pycld2.detect(sample, bestEffort=True)
    except pycld2.error:  # invalid UTF-8 such as lone surrogates
        return _SegmentGuess(n_chars, ())
    found = tuple((code, percent / 100 * (1.0 if reliable else 0.5)) for _, code, percent, _ in details if code != "un")
    return _SegmentGuess(n_chars, found)
