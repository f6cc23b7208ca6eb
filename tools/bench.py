"""Throughput benchmark: the pipeline on the first N press-bench articles, from a cold cache.

Prints words/s end to end and per stage, peak memory, the time of a second run with nothing
changed (the incremental fast path), and the process time of the corpus-level entity step
(cross_article_links on the stored mention groups) against the CPU time of the whole cold run, at a quarter, half and all of
the articles, so its growth with N can be seen (the issue's budget: at most 10% at N=20000).

    python tools/bench.py --shared ../shared -n 20000
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline import Config, run  # noqa: E402
from pipeline.config import DEFAULT_MODEL, ENGINES, LANGUAGE_DETECTORS, default_workers  # noqa: E402
from pipeline.entities import cross_article_links  # noqa: E402
from pipeline.run import pipeline_fingerprint  # noqa: E402
from pipeline.state import StateStore  # noqa: E402
from press_bench import press_bench_source, write_first_articles  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the team data folder")
    parser.add_argument("-n", type=int, default=20000, help="number of articles (default 20000)")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--language-detector", choices=LANGUAGE_DETECTORS, default="cld2+langdetect")
    parser.add_argument("--engine", choices=ENGINES, default="local", help="where articles are analysed (default local)")
    parser.add_argument("--json", type=Path, help="also write the headline figures to this file (tools/bench_growth.py)")
    parser.add_argument("--no-corpus-step", action="store_true", help="skip re-timing the corpus-level step at 1/4, 1/2, 1")
    arguments = parser.parse_args()
    source = press_bench_source(arguments.shared)
    if source is None:
        return 2
    with tempfile.TemporaryDirectory(prefix="press-bench-") as scratch:
        corpus = Path(scratch) / "bench.jsonl"
        write_first_articles(source, corpus, arguments.n)
        config = Config(corpus=corpus, out=Path(scratch) / "out", model=arguments.model,
                        workers=arguments.workers, language_detector=arguments.language_detector, progress=False,
                        engine=arguments.engine)
        cpu_before = cpu_seconds()
        cold = run(config)
        cold_cpu = cpu_seconds() - cpu_before
        started = time.perf_counter()
        warm = run(config)
        warm_seconds = time.perf_counter() - started
        figures = report(cold, warm_seconds, warm.up_to_date, arguments)
        if arguments.json:
            arguments.json.write_text(json.dumps({**figures, "cpu_seconds": round(cold_cpu, 2)}, indent=1), encoding="utf-8")
        if not arguments.no_corpus_step:
            report_corpus_step(config, cold_cpu)
    return 0


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the pool workers of a run)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def report_corpus_step(config: Config, cold_cpu: float) -> None:
    """Process time of the cross-article step on the stored mention groups, at 1/4, 1/2 and all articles.

    The run times its whole entity stage in wall seconds; on a loaded machine only process time
    says what the corpus-level step itself costs, so it is re-run here on the run's own results.
    """
    store = StateStore(config.out, pipeline_fingerprint(config))
    try:
        groups = list(store.groups())
    finally:
        store.close()
    documents = sorted({group[0] for group in groups})
    print(f"corpus-level entity step (process time) vs the cold run's CPU time ({cold_cpu:.1f} s, all processes):")
    for share in (4, 2, 1):
        last = documents[len(documents) // share - 1] if documents else ""
        part = [group for group in groups if group[0] <= last]
        started = time.process_time()
        cross_article_links(part)
        seconds = time.process_time() - started
        print(f"  {len(documents) // share:>6,} articles with mentions: {seconds:6.2f} s"
              + (f" = {100 * seconds / cold_cpu:.1f}% of end to end" if share == 1 else ""))


def report(summary, warm_seconds: float, warm_up_to_date: bool, arguments) -> dict:
    """Print the run's figures; return the headline ones."""
    words = summary.words_analysed
    print(f"press-bench: first {summary.documents:,} articles, {words:,} words analysed, {arguments.workers} workers, "
          f"language detector {arguments.language_detector}, engine {arguments.engine}")
    print(f"end to end (cold): {summary.seconds:.1f} s = {words / summary.seconds:,.0f} words/s")
    print("per stage (language, ner, dates, entities: CPU seconds summed over the workers; read, tables and the\n"
          "corpus-wide part of entities: wall seconds of the main process; share of all stage time; words/s per core):")
    total = sum(summary.stage_seconds.values())
    for stage, seconds in summary.stage_seconds.items():
        rate = f"{words / seconds:>12,.0f} words/s" if seconds else ""
        print(f"  {stage:<9} {seconds:8.2f} s {100 * seconds / total:5.1f}% {rate}")
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: main process {peak_self:,.0f} MB, largest worker {peak_children:,.0f} MB")
    print(f"second run, nothing changed: {warm_seconds:.2f} s (up to date: {warm_up_to_date})")
    return {"articles": summary.documents, "words": words, "seconds": round(summary.seconds, 2),
            "words_per_second": round(words / summary.seconds), "main_peak_mb": round(peak_self),
            "worker_peak_mb": round(peak_children), "no_change_seconds": round(warm_seconds, 2),
            "stage_seconds": {stage: round(seconds, 2) for stage, seconds in summary.stage_seconds.items()}}


if __name__ == "__main__":
    sys.exit(main())
