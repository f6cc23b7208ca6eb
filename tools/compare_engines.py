"""The local and the Dask engine on the same press-bench articles: are the tables byte-identical,
and how fast is each (words per wall second and per CPU second of all processes)?

Each engine runs cold on its own output folder; with --rounds 2 they alternate (local, dask,
local, dask) so a loaded machine penalises neither more. CPU time counts this process and its
finished children: the local pool's workers and the LocalCluster's worker processes.

    python tools/compare_engines.py --shared ../shared -n 1000 --workers 2 --rounds 2
"""
from __future__ import annotations

import argparse
import filecmp
import itertools
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline import Config, run  # noqa: E402
from pipeline.config import ENGINES  # noqa: E402
from pipeline.tables import TABLE_COLUMNS  # noqa: E402
from press_bench import press_bench_source, write_first_articles  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the team data folder")
    parser.add_argument("-n", type=int, default=1000, help="number of press-bench articles (default 1000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="runs per engine, alternating (default 1)")
    arguments = parser.parse_args()
    source = press_bench_source(arguments.shared)
    if source is None:
        return 2
    with tempfile.TemporaryDirectory(prefix="compare-engines-") as scratch:
        corpus = Path(scratch) / "bench.jsonl"
        write_first_articles(source, corpus, arguments.n)
        figures: dict[str, list[tuple[float, float, int, float]]] = {engine: [] for engine in ENGINES}
        for round_number, engine in itertools.product(range(arguments.rounds), ENGINES):
            out = Path(scratch) / f"{engine}-{round_number}"
            figures[engine].append(timed_run(Config(corpus=corpus, out=out, workers=arguments.workers,
                                                    engine=engine, progress=False)))
        identical = all(same_tables(Path(scratch) / "local-0", Path(scratch) / f"{engine}-{r}")
                        for engine in ENGINES for r in range(arguments.rounds))
        report(figures, identical, arguments)
    return 0 if identical else 1


def timed_run(config: Config) -> tuple[float, float, int, float]:
    """(wall seconds, CPU seconds of every process, words analysed, CPU seconds of this process) of one cold run."""
    own_before, children_before, started = *cpu_seconds(), time.perf_counter()
    summary = run(config)
    own, children = cpu_seconds()
    return (time.perf_counter() - started, own + children - own_before - children_before, summary.words_analysed,
            own - own_before)


def cpu_seconds() -> tuple[float, float]:
    """CPU time of this process, and of its finished children (the workers of either engine)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def same_tables(one: Path, other: Path) -> bool:
    names = [f"{name}.csv" for name in TABLE_COLUMNS]
    match, _, _ = filecmp.cmpfiles(one, other, names, shallow=False)
    return len(match) == len(names)


def report(figures: dict[str, list[tuple[float, float, int, float]]], identical: bool, arguments) -> None:
    words = figures["local"][0][2]
    print(f"press-bench: first {arguments.n:,} articles, {words:,} words, {arguments.workers} workers, "
          f"{arguments.rounds} cold run(s) per engine")
    print(f"tables byte-identical across engines and runs: {'yes' if identical else 'NO'}")
    rates = {}
    for engine, runs in figures.items():
        wall, cpu = sum(r[0] for r in runs), sum(r[1] for r in runs)
        rates[engine] = (words * len(runs) / wall, words * len(runs) / cpu)
        each = ", ".join(f"{r[0]:.1f} s wall / {r[1]:.1f} s CPU, {r[3]:.1f} s of it in the main process" for r in runs)
        print(f"  {engine:<6} {rates[engine][0]:>8,.0f} words/s wall, {rates[engine][1]:>8,.0f} words per CPU-s  ({each})")
    print(f"dask / local: {rates['dask'][0] / rates['local'][0]:.1%} of the wall throughput, "
          f"{rates['dask'][1] / rates['local'][1]:.1%} of the CPU throughput")


if __name__ == "__main__":
    sys.exit(main())
