"""Language detectors side by side on our test set (tests/language_cases), and the stage on real press.

Usage:
    .venv/bin/python tools/compare_language.py                 # the comparison table (`make evaluate-language`)
    .venv/bin/python tools/compare_language.py --press         # the stage on ../shared press data
    .venv/bin/python tools/compare_language.py --backend NAME  # one row (the table runs each row this way)

Rows `raw:*` run a library as is on title+body, over all the languages it knows; rows `stage:*` run
pipeline.language.detect_language with that detector (paragraphs, samples, lookalike checks, the
rule that undecided paragraphs keep the article language). Every row runs in a fresh process, so
`MB` is the peak memory (RSS) of a process that loaded that detector alone, and `s/1k` is its CPU
time (time.process_time: other jobs on a shared machine disturb it less) per 1,000 test texts.

Columns: headline and sentence accuracy over all languages, Dutch sentence recall, non-Dutch sentences called
Dutch (count), article accuracy, `para` articles with every paragraph right, `nl-kept` Dutch
articles whose Dutch paragraphs are all kept as Dutch. A backend whose package is not installed
is listed as missing (lingua: `pip install lingua-language-detector`).

`--press` runs the stage over ../shared/data/press-annotated (100 articles, language judged by us),
the press-bench articles whose source states their language, and a seeded sample of press-bench;
it counts Dutch lost, foreign articles called Dutch and masked paragraphs of Dutch articles, and
lists them for reading (the texts are only printed, never stored).
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.language_cases.cases import Case, LengthClass, load_cases  # noqa: E402

from pipeline.config import LANGUAGE_DETECTORS  # noqa: E402
from pipeline.language import LanguageSettings, detect_language  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
PRESS_SAMPLE_SEED = 12
# The languages of our test set; lingua's preloaded subset is these (it has no Frisian).
TEST_LANGUAGES = ("nl", "af", "de", "en", "fr", "da", "no", "sv", "es", "it", "pt", "pl", "tr")
# Codes that name the same language in different libraries.
SAME_LANGUAGE = {"nb": "no", "nn": "no", "iw": "he", "zh-cn": "zh", "zh-tw": "zh"}

Classify = Callable[[str, str], str]


def _text(title: str, body: str) -> str:
    return f"{title}\n{body}".strip()


def _code(code: str) -> str:
    return SAME_LANGUAGE.get(code.lower(), code.lower())


def raw_langdetect() -> Classify:
    """langdetect as shipped: all 55 profiles, 7 trials, its own seeded factory."""
    from langdetect import DetectorFactory
    from langdetect.detector_factory import PROFILES_DIRECTORY
    from langdetect.lang_detect_exception import LangDetectException

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)

    def classify(title: str, body: str) -> str:
        detector = factory.create()
        detector.append(_text(title, body))
        try:
            return _code(detector.detect())
        except LangDetectException:
            return "und"

    return classify


def raw_pycld2() -> Classify:
    """cld2 over all its languages, best effort."""
    import pycld2

    def classify(title: str, body: str) -> str:
        code = pycld2.detect(_text(title, body), bestEffort=True)[2][0][1]
        return "und" if code == "un" else _code(code)

    return classify


def raw_lingua(subset: bool, low_accuracy: bool = False) -> Classify:
    """lingua over all its 75 languages, or the test languages only (models preloaded)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    if subset:
        codes = [getattr(IsoCode639_1, "NB" if code == "no" else code.upper()) for code in TEST_LANGUAGES]
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    else:
        builder = LanguageDetectorBuilder.from_languages(*Language.all())
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    detector = builder.with_preloaded_language_models().build()

    def classify(title: str, body: str) -> str:
        found = detector.detect_language_of(_text(title, body))
        return _code(found.iso_code_639_1.name) if found else "und"

    return classify


def stage(detector: str) -> Classify:
    settings = LanguageSettings(detector=detector)
    return lambda title, body: detect_language(title, body, settings).language


def backends() -> dict[str, Callable[[], Classify]]:
    """Name -> builder; a builder raises ImportError when its package is missing."""
    built: dict[str, Callable[[], Classify]] = {
        "raw:langdetect(all)": raw_langdetect,
        "raw:pycld2(all)": raw_pycld2,
        "raw:lingua(all)": lambda: raw_lingua(subset=False),
        "raw:lingua(all,low accuracy)": lambda: raw_lingua(subset=False, low_accuracy=True),
        "raw:lingua(13 test languages)": lambda: raw_lingua(subset=True),
    }
    for detector in LANGUAGE_DETECTORS:
        built[f"stage:{detector}"] = lambda detector=detector: stage(detector)
    return built


@dataclass(frozen=True)
class Scores:
    """One row of the table."""

    headline_accuracy: float
    sentence_accuracy: float
    dutch_recall: float
    called_dutch: int
    article_accuracy: float
    paragraphs_right: float | None
    dutch_kept: float | None
    seconds_per_1000: float
    misses: tuple[str, ...]


def paragraph_languages(case: Case, detector: str) -> tuple[str, ...]:
    guess = detect_language(case.title, case.body, LanguageSettings(detector=detector))
    return tuple(language for _, _, language in guess.paragraphs)


def dutch_paragraphs_kept(case: Case, found: tuple[str, ...]) -> bool:
    """Every paragraph we wrote in Dutch is called Dutch (so none is masked before NER)."""
    return all(got == "nl" for expected, got in zip(case.paragraph_languages, found) if expected == "nl")


def score(name: str, classify: Classify, cases: list[Case]) -> Scores:
    classify("Warm-up", "Een korte zin om modellen te laden.")
    headlines = [case for case in cases if case.length_class is LengthClass.HEADLINE]
    sentences = [case for case in cases if case.length_class is LengthClass.SENTENCE]
    articles = [case for case in cases if case.length_class is LengthClass.ARTICLE]
    started = time.process_time()
    found = {case.case_id: classify(case.title, case.body) for case in cases}
    seconds = time.process_time() - started
    dutch = [case for case in sentences if case.language == "nl"]
    paragraphs_right = dutch_kept = None
    if name.startswith("stage:"):
        detector = name.split(":", 1)[1]
        by_paragraph = {case.case_id: paragraph_languages(case, detector) for case in articles}
        paragraphs_right = sum(by_paragraph[c.case_id] == c.paragraph_languages for c in articles) / len(articles)
        dutch_articles = [case for case in articles if case.language == "nl"]
        dutch_kept = sum(dutch_paragraphs_kept(c, by_paragraph[c.case_id]) for c in dutch_articles) / len(dutch_articles)
    wrong = [case for case in sentences + articles if found[case.case_id] != case.language]
    return Scores(
        headline_accuracy=sum(found[c.case_id] == c.language for c in headlines) / len(headlines),
        sentence_accuracy=sum(found[c.case_id] == c.language for c in sentences) / len(sentences),
        dutch_recall=sum(found[c.case_id] == "nl" for c in dutch) / len(dutch),
        called_dutch=sum(found[c.case_id] == "nl" for c in sentences + articles if c.language != "nl"),
        article_accuracy=sum(found[c.case_id] == c.language for c in articles) / len(articles),
        paragraphs_right=paragraphs_right,
        dutch_kept=dutch_kept,
        seconds_per_1000=1000 * seconds / len(cases),
        misses=tuple(f"{c.case_id}->{found[c.case_id]}" for c in wrong),
    )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


HEADER = (
    f"{'backend':32} {'headline%':>9} {'sentence%':>9} {'nl-recall%':>10} {'->nl':>4} {'article%':>8} {'para%':>6} {'nl-kept%':>8} "
    f"{'s/1k':>6} {'MB':>5}"
)


def print_row(name: str, show_misses: bool) -> None:
    """Score one backend in this process and print its row (and misses)."""
    try:
        classify = backends()[name]()
    except ImportError as missing:
        print(f"{name:32} missing: {missing}", flush=True)
        return
    result = score(name, classify, load_cases())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{name:32} {_percent(result.headline_accuracy):>9} {_percent(result.sentence_accuracy):>9} {_percent(result.dutch_recall):>10} {result.called_dutch:>4} "
        f"{_percent(result.article_accuracy):>8} {_percent(result.paragraphs_right):>6} {_percent(result.dutch_kept):>8} "
        f"{result.seconds_per_1000:>6.2f} {peak_mb:>5.0f}",
        flush=True,
    )
    if show_misses and result.misses:
        print("    misses: " + ", ".join(result.misses), flush=True)


def print_table(show_misses: bool) -> None:
    cases = load_cases()
    counts = Counter(case.length_class for case in cases)
    languages = Counter(case.language for case in cases if case.length_class is LengthClass.SENTENCE)
    print(f"test set: {len(cases)} texts (" + ", ".join(f"{counts[k]} {k.value}s" for k in LengthClass) + ")")
    print("sentences per language: " + " ".join(f"{lang} {n}" for lang, n in sorted(languages.items())))
    print(HEADER)
    print("-" * len(HEADER))
    for name in backends():
        command = [sys.executable, __file__, "--backend", name] + (["--misses"] if show_misses else [])
        subprocess.run(command, check=True)


# ---------------------------------------------------------------- real press

def press_annotated() -> list[dict]:
    folder = SHARED / "press-annotated"
    articles = [json.loads(line) for line in (folder / "articles.jsonl").open(encoding="utf-8")]
    gold = [json.loads(line) for line in (folder / "gold.jsonl").open(encoding="utf-8")]
    return [{**article, "lang": truth["lang"]} for article, truth in zip(articles, gold)]


def press_bench(size: int) -> tuple[list[dict], list[dict]]:
    """press-bench: every article whose source states its language, and `size` drawn with a fixed seed."""
    with gzip.open(SHARED / "press-bench" / "articles.jsonl.gz", "rt", encoding="utf-8") as lines:
        articles = [json.loads(line) for line in lines]
    return [a for a in articles if a.get("lang")], random.Random(PRESS_SAMPLE_SEED).sample(articles, size)


def _snippet(text: str, size: int = 100) -> str:
    return " ".join(text.split())[:size]


def print_press(detector: str, size: int, listed: int) -> None:
    """The stage on real press: Dutch lost, foreign called Dutch, paragraphs of Dutch articles masked."""
    if not SHARED.is_dir():
        print(f"{SHARED} is absent: --press needs the team data folder beside the repository")
        return
    settings = LanguageSettings(detector=detector)
    detect_language("Opwarmen", "Een zin die de detectoren laadt, zodat het laden niet meetelt.", settings)
    stated, sample = press_bench(size)
    for name, articles in (
        ("press-annotated", press_annotated()),
        ("press-bench, language stated by the source", stated),
        (f"press-bench, seeded sample of {size}", sample),
    ):
        started = time.process_time()
        guesses = [detect_language(a.get("title") or "", a["text"], settings) for a in articles]
        seconds = time.process_time() - started
        pairs = list(zip(articles, guesses))
        with_language = [(a, g) for a, g in pairs if a.get("lang")]
        lost = [(a, g) for a, g in with_language if a["lang"] == "nl" and g.language != "nl"]
        called = [(a, g) for a, g in with_language if a["lang"] != "nl" and g.language == "nl"]
        unstated_foreign = [(a, g) for a, g in pairs if not a.get("lang") and g.language != "nl"]
        masked = [(a, g, a["text"][s:e], lang) for a, g in pairs if g.language == "nl" for s, e, lang in g.paragraphs if lang != "nl"]
        print(f"{name} ({detector}): {len(articles)} articles ({dict(Counter(a.get('lang') for a in articles))} stated); "
              f"{1000 * seconds / len(articles):.2f} CPU s per 1,000 articles")
        print(f"  detected: {dict(Counter(g.language for g in guesses).most_common())}")
        print(f"  Dutch lost (stated nl, detected other): {len(lost)}; foreign called Dutch: {len(called)}; "
              f"no stated language, detected not Dutch: {len(unstated_foreign)}; "
              f"paragraphs of Dutch articles not called Dutch: {len(masked)} in {len({a['id'] for a, *_ in masked})} articles")
        for label, rows in (("lost", lost), ("called Dutch", called), ("not Dutch", unstated_foreign)):
            for article, guess in rows[:listed]:
                print(f"    {label}: {article['id']} stated {article.get('lang')} found {guess.language} {guess.shares}  "
                      f"{_snippet((article.get('title') or '') + ' | ' + article['text'])}")
        for article, _, paragraph, language in masked[:listed]:
            print(f"    paragraph {language}: {article['id']}  {_snippet(paragraph)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=list(backends()), help="score one backend (a row of the table)")
    parser.add_argument("--misses", action="store_true", help="list the sentences and articles each backend gets wrong")
    parser.add_argument("--press", action="store_true", help="run the stage on ../shared press data instead")
    parser.add_argument("--detector", choices=LANGUAGE_DETECTORS, default="cld2+langdetect", help="stage detector for --press")
    parser.add_argument("--sample", type=int, default=3000, help="press-bench articles for --press (default 3000)")
    parser.add_argument("--list", type=int, default=40, help="cases listed per kind for --press (default 40)")
    args = parser.parse_args()
    if args.backend:
        print_row(args.backend, args.misses)
    elif args.press:
        print_press(args.detector, args.sample, args.list)
    else:
        print_table(args.misses)


if __name__ == "__main__":
    main()
