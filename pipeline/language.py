"""Language stage: which language a document (and each body paragraph) is written in.

Press archives mix Dutch with English wire copy, press-release footers, quotes in French or
German, and items in Afrikaans, Frisian, Danish or Norwegian that look like Dutch to a detector.
The stage classifies the title and every body paragraph over **all** languages its detectors know
(no candidate list: a Danish article is `da`, not the nearest of five guesses), weighs the answers
by length (`shares`) and keeps the majority language as the article language.

A paragraph keeps a language of its own only when it is *decided*: long enough, with enough
lower-case words (function words carry a language; names, figures and datelines do not), and a
sure detector answer. Every other paragraph (a dateline, "Jan Peeters, Els Wouters", "2023: 12,4
miljoen", "Dat zei een analist.") takes the article language, so the NER stage never loses a
Dutch paragraph on a detector's whim; only paragraphs decided in another language are skipped.

Backends (`LanguageSettings.detector`, see `pipeline.config.Detector`):
- `cld2+langdetect` (default): pycld2 answers where it is sure (80+ characters, 90%+ share);
  short and unsure segments go to a seeded langdetect over all its 55 profiles.
- `langdetect`: langdetect alone (slower, as accurate on our sentences).
- `cld2`: pycld2 alone (fastest; unsure on short segments).
On every answer, lookalike checks: Frisian function words (langdetect has no Frisian profile) and
Dutch-only words against Afrikaans, Danish, Norwegian, Swedish and German guesses.
Figures for each, and for lingua: tools/compare_language.py (`make evaluate-language`).
"""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException

from pipeline.config import Detector
from pipeline.records import LanguageGuess

UNDETERMINED = "und"

# langdetect reads all its 55 profiles: a candidate list forces every other language into one of
# the candidates (Norwegian and Danish came out Dutch, Spanish and Portuguese French).
LANGDETECT_SEED = 0
# One random trial instead of langdetect's 7 (tools/compare_language.py: same answers, faster).
LANGDETECT_TRIALS = 1

# Characters of a paragraph langdetect sees: from 80 on every test case is right; more only
# costs time (langdetect is the slow part of the stage).
SAMPLE_CHARS = 80
SAMPLE_WINDOWS = 3
# Characters the lookalike checks (marker words) read: cheap, so more than langdetect gets.
MARKER_SAMPLE_CHARS = 300
# cld2 is fast enough to read more, and needs it: at 80 characters it misjudges paragraphs.
CLD2_SAMPLE_CHARS = 400
# cld2's answer stands without langdetect from this many characters and share of reliable text.
CLD2_SURE_MIN_CHARS = 80
CLD2_SURE_SHARE = 0.9
# A paragraph keeps a language of its own only with this many lower-case words (names, figures
# and datelines are capitalised or digits and say nothing about the language) ...
DECIDED_MIN_LOWER_WORDS = 3
# ... and this detector probability.
DECIDED_PROBABILITY = 0.8
# Below this many characters of title+body the confidence is scaled down (short texts are risky).
CONFIDENT_CHARS = 100
# A text shorter than `min_chars` keeps its language only with this detector probability ...
CLEAR_PROBABILITY = 0.95
# ... and at least this many words.
CLEAR_MIN_WORDS = 4

# Detector codes for which ISO 639-1 has another (or no separate) code: Norwegian Bokmål and
# Nynorsk are both `no`; cld2 still uses the withdrawn codes for Hebrew, Javanese, Indonesian.
SAME_LANGUAGE = {"nb": "no", "nn": "no", "iw": "he", "jw": "jv", "in": "id"}

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
# Guesses that may in truth be Frisian (langdetect has no Frisian profile; cld2 has one).
FRISIAN_LOOKALIKES = frozenset({"nl", "af", "de", "en", "no", "da", "sv"})

# Detectors call Dutch business copy (names, figures, few function words) and Flemish quotes
# Afrikaans, Danish or Norwegian now and then, with high probability. Such a guess stands only
# if the words of that language are not outnumbered by Dutch ones (no `ij` outside Dutch); words
# both lists hold (`de`, `er`, `over` in Danish and Norwegian) count for neither.
DUTCH_MARKERS = frozenset(
    "de een niet zijn hij zij ze wij we bij heeft hebben werd wordt worden naar door over zal zou deze zich er".split()
)
LOOKALIKE_MARKERS = {
    "af": frozenset(
        """
        nie hulle julle jy ek hy sy vir sê gesê baie 'n ná dié egter weens mense kry tyd bly skool
        skole oor sal hul nuwe ou sowat terwyl reeds nou gister vandag môre hierdie daardie niks elke
        almal slegs tans asook jare hê lê dink gemaak gedoen gesien gekry gegee geneem by my wys
        skryf skrywer ry vry bietjie hoekom eintlik
        """.split()
    ),
    "da": frozenset("de er over og ikke det der som til en af på med har er var et jeg vi hun han de skal kan også efter".split()),
    "no": frozenset("de er over og ikke det der som til en av på med har er var et jeg vi hun han de skal kan også etter".split()),
    "sv": frozenset("de och inte det som till en av på med har är var ett jag vi hon han de ska kan också efter".split()),
    "de": frozenset("er und nicht das ist der die ein eine sich mit auf für ich wir sie er auch nach wird wurde".split()),
}
# An Afrikaans guess is also doubted for the Dutch `-lijk`: Afrikaans writes `-lik`.
AFRIKAANS_SUFFIXES = ("lik", "like")


@dataclass(frozen=True)
class LanguageSettings:
    """What the language stage does; `languages` are the processed ones (others are skipped)."""

    languages: frozenset[str] = frozenset({"nl"})
    min_chars: int = 30
    detector: str = Detector.CLD2_LANGDETECT.value


@dataclass(frozen=True)
class _SegmentGuess:
    """The detector's answer for one segment (the title or a body paragraph).

    `langdetect_language` is langdetect's answer (lookalike checks included) when it was asked
    while classifying the segment, so that `_keeps_own_language` does not run it a second time
    on the same text; None when it was not asked (cld2 was sure).
    """

    n_chars: int
    probabilities: tuple[tuple[str, float], ...]
    langdetect_language: str | None = None

    @property
    def language(self) -> str:
        return self.probabilities[0][0] if self.probabilities else UNDETERMINED

    def probability_of(self, language: str) -> float:
        return dict(self.probabilities).get(language, 0.0)


def detect_language(title: str, body: str, settings: LanguageSettings) -> LanguageGuess:
    """Guess the article language from the title and each body paragraph, weighted by length.

    Only decided segments vote and keep their own language (see `_can_decide`, `_is_decided`);
    the others take the article language. When no segment can decide alone, the segments are
    classified together, once (a headline with its lead, a list of short lines).
    """
    spans = split_paragraphs(body)
    segments = ([title.strip()] if title.strip() else []) + [body[start:end] for start, end in spans]
    classify = _classifier(Detector(settings.detector))
    guesses = [classify(segment) if _can_decide(segment, settings) else None for segment in segments]
    decided = [guess if guess is not None and _is_decided(guess, segment) else None for guess, segment in zip(guesses, segments)]
    votes = [guess for guess in decided if guess is not None]
    if not votes and segments:
        together = classify("\n".join(segments))
        decided, votes = [together] * len(segments), [together]
    found = [guess for guess in votes if guess.language != UNDETERMINED]
    n_chars = sum(len(segment) for segment in segments)
    language = _majority_language(found)
    probability = sum(g.n_chars * g.probability_of(language) for g in found) / max(1, sum(g.n_chars for g in found))
    if not found or (n_chars < settings.min_chars and not _is_clear(probability, segments)):
        return LanguageGuess(UNDETERMINED, 0.0, (), tuple((start, end, UNDETERMINED) for start, end in spans))
    resolved = [
        g.language if g is not None and _keeps_own_language(segment, g, language) else language
        for segment, g in zip(segments, decided)
    ]
    paragraph_languages = resolved[len(segments) - len(spans):]
    paragraphs = tuple((start, end, lang) for (start, end), lang in zip(spans, paragraph_languages))
    confidence = probability * min(1.0, n_chars / CONFIDENT_CHARS)
    return LanguageGuess(language, round(confidence, 3), _language_shares(segments, resolved), paragraphs)


def _can_decide(segment: str, settings: LanguageSettings) -> bool:
    """Long enough, with enough lower-case words, to be worth classifying on its own."""
    if len(segment) < settings.min_chars:
        return False
    # Stops at the third lower-case word: counting every word of long paragraphs cost a fifth of the stage.
    lower_words = (word for word in WORD.finditer(segment) if segment[word.start()].islower())
    return next(itertools.islice(lower_words, DECIDED_MIN_LOWER_WORDS - 1, None), None) is not None


def _is_decided(guess: _SegmentGuess, segment: str) -> bool:
    """The detector is sure enough for the segment to keep its own language, and a Dutch
    lookalike (Afrikaans, Danish, ...) shows more of its own marker words than Dutch ones: both
    detectors call "Hun jongste kind is amper vier jaar oud." Afrikaans."""
    if guess.language == UNDETERMINED or guess.probability_of(guess.language) < DECIDED_PROBABILITY:
        return False
    if guess.language in LOOKALIKE_MARKERS:
        n_dutch, n_own = _marker_counts(_marker_words(segment), guess.language)
        return n_own > n_dutch
    return True


def _keeps_own_language(segment: str, guess: _SegmentGuess, article_language: str) -> bool:
    """A decided segment keeps a language other than the article's only when langdetect agrees:
    cld2 is sure that Dutch lines full of English names ("... contracten getekend met de Royal
    Australian Air Force") are English, and a paragraph called foreign is masked before NER.
    langdetect runs here only when classifying the segment did not already ask it."""
    if guess.language in (article_language, UNDETERMINED):
        return False
    langdetect_language = guess.langdetect_language or _langdetect_answer(segment).language
    return langdetect_language == guess.language


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
    """The segment classifier for a backend, lookalike checks included: text -> _SegmentGuess."""
    if detector is Detector.CLD2:
        return lambda text: _check_lookalikes(_classify_cld2(text), text)
    if detector is Detector.LANGDETECT:
        return _classify_langdetect_only
    return _classify_cld2_then_langdetect


def _classify_langdetect_only(text: str) -> _SegmentGuess:
    """langdetect alone (lookalike checks included); its answer is remembered for `_keeps_own_language`."""
    guess = _langdetect_answer(text)
    return replace(guess, langdetect_language=guess.language)


def _classify_cld2_then_langdetect(text: str) -> _SegmentGuess:
    """cld2 first (fast); langdetect decides the close calls: short, unsure or mixed segments.

    When the two disagree, `_settle_disagreement` decides.
    """
    first = _check_lookalikes(_classify_cld2(text), text)
    sure = first.probability_of(first.language) >= CLD2_SURE_SHARE
    # A short text cld2 is sure is Dutch stays Dutch (marker checks included): most short press
    # paragraphs are, and langdetect over 55 profiles is the slow part of the stage.
    if sure and (first.n_chars >= CLD2_SURE_MIN_CHARS or first.language == "nl"):
        return first
    second = _langdetect_answer(text)
    return replace(_reconcile(first, second, text), langdetect_language=second.language)


def _reconcile(cld2_guess: _SegmentGuess, langdetect_guess: _SegmentGuess, text: str) -> _SegmentGuess:
    """One answer from cld2's and langdetect's (lookalike checks done) on a short or unsure segment."""
    if cld2_guess.language == langdetect_guess.language or UNDETERMINED in (cld2_guess.language, langdetect_guess.language):
        return langdetect_guess
    if cld2_guess.language not in _langdetect_languages():  # cld2 on short text: Wolof, Khasi, Lingala
        return langdetect_guess
    return _settle_disagreement(cld2_guess, langdetect_guess, text)


def _settle_disagreement(cld2_guess: _SegmentGuess, langdetect_guess: _SegmentGuess, text: str) -> _SegmentGuess:
    """One answer where cld2 and langdetect disagree on a short or unsure segment.

    Dutch when one says Dutch and the other a lookalike with no more marker words than Dutch has
    ("Het water staat nog steeds hoog." is `af` to langdetect), at the probability of the one that
    said Dutch: a Dutch verdict masks nothing, and a short Dutch text is kept, not skipped. Else
    langdetect's answer (it reads short text better) at the mean probability of the two: a close
    call, too unsure for a paragraph to be masked as foreign (`_is_decided`).
    """
    pair = {cld2_guess.language, langdetect_guess.language}
    other = next(iter(pair - {"nl"}))
    if "nl" in pair and other in LOOKALIKE_MARKERS:
        n_dutch, n_other = _marker_counts(_marker_words(text), other)
        if n_dutch >= n_other:
            probability = max(cld2_guess.probability_of("nl"), langdetect_guess.probability_of("nl"))
            return _promote(langdetect_guess, "nl", probability)
    language = langdetect_guess.language
    probability = (cld2_guess.probability_of(language) + langdetect_guess.probability_of(language)) / 2
    return _promote(langdetect_guess, language, probability)


def _langdetect_answer(text: str) -> _SegmentGuess:
    """langdetect's guess with the lookalike checks applied."""
    return _check_lookalikes(_classify_langdetect(text), text)


def _classify_langdetect(text: str) -> _SegmentGuess:
    n_chars = len(text.strip())
    detector = _langdetect_factory().create()
    detector.n_trial = LANGDETECT_TRIALS
    detector.append(bounded_sample(text.strip(), SAMPLE_CHARS))
    try:
        found = detector.get_probabilities()
    except LangDetectException:  # no letters at all: nothing to detect
        return _SegmentGuess(n_chars, ())
    return _SegmentGuess(n_chars, tuple((_iso_code(item.lang), item.prob) for item in found))


@functools.cache
def _langdetect_languages() -> frozenset[str]:
    """The languages langdetect has a profile for, as ISO codes."""
    return frozenset(_iso_code(language) for language in _langdetect_factory().get_lang_list())


@functools.cache
def _langdetect_factory():
    """A seeded langdetect factory of our own (never langdetect's process-global one), built once."""
    factory = DetectorFactory()
    profiles = sorted(Path(PROFILES_DIRECTORY).iterdir())
    factory.load_json_profile([profile.read_text(encoding="utf-8") for profile in profiles])
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
    weight = 1.0 if reliable else 0.5
    found = [(_iso_code(code), percent / 100 * weight) for _, code, percent, _ in details]
    return _SegmentGuess(n_chars, tuple((code, p) for code, p in found if code != UNDETERMINED))


def _iso_code(code: str) -> str:
    """The ISO 639-1 code of a detector's answer (639-2/3 where 639-1 has none); `und` for none."""
    base = code.split("-")[0].lower()
    if base in {"un", "xx", "xxx"} or base.startswith("zz"):
        return UNDETERMINED
    return SAME_LANGUAGE.get(base, base)


def _check_lookalikes(guess: _SegmentGuess, text: str) -> _SegmentGuess:
    """Correct a top guess where detectors confuse Dutch and its lookalikes (see the marker lists)."""
    if not guess.probabilities:
        return guess
    top, probability = guess.probabilities[0]
    words = _marker_words(text)
    # English `it` is not the Frisian article.
    if top in FRISIAN_LOOKALIKES and _looks_frisian([w for w in words if top != "en" or w != "it"]):
        return _promote(guess, "fy", probability)
    if top in LOOKALIKE_MARKERS:
        n_dutch, n_own = _marker_counts(words, top)
        if n_dutch > n_own:
            return _promote(guess, "nl", probability)
    return guess


def _marker_words(text: str) -> list[str]:
    """The lower-cased words of a bounded sample of `text`, for the marker-word checks."""
    return [word.lower() for word in WORD.findall(bounded_sample(text.strip(), MARKER_SAMPLE_CHARS))]


def _promote(guess: _SegmentGuess, language: str, probability: float) -> _SegmentGuess:
    """`guess` with `language` on top at the probability of the guess it replaces."""
    rest = tuple(item for item in guess.probabilities[1:] if item[0] != language)
    return _SegmentGuess(guess.n_chars, ((language, probability),) + rest)


_MARKERS_APART = {  # per look-alike: (Dutch markers, its own markers), words both lists hold left out
    language: (DUTCH_MARKERS - markers, markers - DUTCH_MARKERS) for language, markers in LOOKALIKE_MARKERS.items()
}


def _marker_counts(words: list[str], language: str) -> tuple[int, int]:
    """Dutch marker words (and `ij` words), and marker words of `language`; words both lists hold left out."""
    dutch, own = _MARKERS_APART[language]
    n_dutch = sum(word in dutch or "ij" in word for word in words)
    n_own = sum(word in own or (language == "af" and word.endswith(AFRIKAANS_SUFFIXES)) for word in words)
    return n_dutch, n_own


def _looks_frisian(words: list[str]) -> bool:
    """True when enough of the (lower-cased) words are Frisian ones that Dutch and its lookalikes lack."""
    hits = sum(word in FRISIAN_MARKERS for word in words)
    return hits >= FRISIAN_MIN_MARKERS and hits >= FRISIAN_MARKER_SHARE * len(words)
