"""Where a worker's memory goes: what each part loads, how much a batch adds, and the trend with N.

`make bench` reports the largest worker's peak RSS (ru_maxrss). This tool takes that figure apart
in one process that does what a pool worker does, on the first N press-bench articles:

1. resident memory after each thing a worker loads: the pipeline's imports, cld2, langdetect's
   profiles, spaCy, the NER model with its gazetteer (and, separately, the gazetteer alone);
2. per batch of `--batch-size` articles: the resting size after the batch, the peak during it
   (the kernel's high-water mark, reset before each batch) and the size of spaCy's string store
   and vocabulary, which grow with every new word;
3. the memory of the article list itself: a pool worker is forked from the main process, so its
   RSS starts with the main process's pages (shared, but counted in every worker's RSS).

    python tools/worker_memory.py --shared ../shared -n 3000
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import itertools
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.config import DEFAULT_MODEL, Config  # noqa: E402
from press_bench import press_bench_source, write_first_articles  # noqa: E402

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def resident_mb() -> float:
    """Resident memory of this process now (VmRSS), in MB."""
    return _status_mb("VmRSS")


def peak_mb() -> float:
    """The process's high-water mark of resident memory (VmHWM) since the last `reset_peak`, in MB."""
    return _status_mb("VmHWM")


def reset_peak() -> None:
    """Start a new high-water mark (Linux: writing 5 to clear_refs resets VmHWM to VmRSS)."""
    CLEAR_REFS.write_text("5")


def _status_mb(key: str) -> float:
    for line in STATUS.read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{key} not in {STATUS}: this tool needs Linux")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the team data folder")
    parser.add_argument("-n", type=int, default=3000, help="number of press-bench articles (default 3000)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--batch-size", type=int, default=Config(corpus=None, out=None).batch_size)
    parser.add_argument("--workers", type=int, default=2, help="workers of the run this stands for (for the article share)")
    parser.add_argument("--trim", action="store_true",
                        help="after each batch, hand freed heap memory back to the system (glibc malloc_trim) and show "
                             "the resting size that leaves: what is live, not what malloc keeps for reuse")
    arguments = parser.parse_args()
    source = press_bench_source(arguments.shared)
    if source is None:
        return 2
    loaded = load_like_a_worker(arguments.model)
    with tempfile.TemporaryDirectory(prefix="worker-memory-") as scratch:
        corpus = Path(scratch) / "bench.jsonl"
        write_first_articles(source, corpus, arguments.n)
        documents, list_mb = read_documents(corpus)
    print(f"article list held by the main process: {list_mb:.0f} MB for {len(documents):,} articles "
          f"({1000 * list_mb / max(1, len(documents)):.1f} MB per 1,000; forked workers count it in their RSS)")
    analyse_batches(loaded, documents, arguments)
    return 0


def load_like_a_worker(model: Path):
    """Load what a pool worker loads, printing the resident memory after each part; the Analyser."""
    steps = [("interpreter", resident_mb())]
    from pipeline import language
    from pipeline.ner import load_gazetteer
    from pipeline.run import Analyser
    steps.append(("pipeline imports", resident_mb()))
    import pycld2  # noqa: F401 - sized here: the language stage imports it on first use
    steps.append(("cld2", resident_mb()))
    language._langdetect_factory()
    steps.append(("langdetect's 55 profiles", resident_mb()))
    import spacy  # noqa: F401
    steps.append(("spaCy import", resident_mb()))
    analyser = Analyser(Config(corpus=None, out=None, model=model, workers=1, progress=False))
    steps.append(("NER model + gazetteer", resident_mb()))
    print("resident memory of a worker as it loads (MB, and what each part added):")
    previous = 0.0
    for name, mb in steps:
        print(f"  {name:<26} {mb:7.0f} {mb - previous:+7.0f}")
        previous = mb
    print(f"  (of which the gazetteer: {python_allocation_mb(load_gazetteer):.1f} MB, sized by tracemalloc)")
    return analyser


def python_allocation_mb(load) -> float:
    """MB of Python memory that what `load()` returns keeps allocated (tracemalloc: RSS deltas hide
    allocations that reuse memory freed earlier)."""
    gc.collect()
    tracemalloc.start()
    try:
        kept = load()  # noqa: F841 - alive while measured
        return tracemalloc.get_traced_memory()[0] / 2**20
    finally:
        tracemalloc.stop()


def read_documents(corpus: Path):
    """The readable articles of `corpus`, and the MB their list adds to this process."""
    from pipeline.corpus import read_corpus

    documents: list = []
    size = python_allocation_mb(lambda: documents.extend(d for d in read_corpus(corpus) if not d.problem))
    return documents, size


def analyse_batches(analyser, documents, arguments) -> None:
    """Analyse `documents` batch by batch; the resting size, the peak above it and the vocabulary per batch."""
    batches = [documents[i:i + arguments.batch_size] for i in range(0, len(documents), arguments.batch_size)]
    rows = []
    started = time.process_time()
    for batch in batches:
        resting_before = resident_mb()
        reset_peak()
        analyser.analyse(batch)
        if arguments.trim:
            release_free_heap()
        rows.append((len(batch), resting_before, peak_mb(), resident_mb(), analyser.recognizer.vocabulary_size()))
    seconds = time.process_time() - started
    print(f"\n{len(documents):,} articles in {len(batches)} batches of {arguments.batch_size}, {seconds:.0f} s CPU:")
    print("  articles  resting MB  peak MB  peak above resting  vocabulary strings")
    marks = sorted({max(0, len(rows) * share // 4 - 1) for share in (1, 2, 3, 4)} | {0})
    done = itertools.accumulate(row[0] for row in rows)
    for index, (count, (_, resting, peak, after, strings)) in enumerate(zip(done, rows)):
        if index in marks:
            print(f"  {count:8,} {after:11.0f} {peak:8.0f} {peak - resting:19.0f} {strings:19,}")
    worst = max(rows, key=lambda row: row[2])
    print(f"  largest peak: {worst[2]:.0f} MB, {worst[2] - worst[1]:.0f} MB above the resting size before its batch")
    growth_trend(rows, arguments)


def release_free_heap() -> None:
    """glibc's malloc_trim(0): return the free memory malloc holds to the system."""
    ctypes.CDLL("libc.so.6").malloc_trim(0)


def growth_trend(rows, arguments) -> None:
    """Resting size and vocabulary growth per 1,000 articles over the second half, and what it means
    for one worker's share of a 20,000 and a 120,000 article run."""
    half = len(rows) // 2
    if half < 2:
        return
    articles = sum(row[0] for row in rows[half:])
    resting = (rows[-1][3] - rows[half - 1][3]) / articles * 1000
    strings = (rows[-1][4] - rows[half - 1][4]) / articles * 1000
    print(f"  second half: resting size {resting:+.1f} MB and {strings:+,.0f} vocabulary strings per 1,000 articles")
    for total in (20_000, 120_000):
        share = total / arguments.workers
        print(f"  at N={total:,} ({share:,.0f} articles per worker): about {rows[-1][3] + resting * (share - sum(r[0] for r in rows)) / 1000:.0f} MB "
              "resting if that rate held (vocabulary growth slows as fewer words are new)")


if __name__ == "__main__":
    sys.exit(main())
