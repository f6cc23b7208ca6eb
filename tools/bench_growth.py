"""Cost growth with corpus size: `tools/bench.py` on the first N press-bench articles for several N.

Each N runs in its own process from a cold cache (so each peak memory is that run's own) and the
table shows end-to-end words/s against the 10,000-article figure and the main process's peak
memory: issue 14 asks that words/s stays within 15% of the 10k figure and the main process at or
under 500 MB at every N. Slow: the whole of press-bench (N=119966) takes about 15 minutes on 2 cores.

    python tools/bench_growth.py --shared ../shared -n 1000 10000 50000 119966
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REFERENCE_ARTICLES = 10_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the team data folder")
    parser.add_argument("-n", type=int, nargs="+", default=[1000, 10000, 50000, 119966], help="corpus sizes")
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as scratch:
        for n in arguments.n:
            figures_file = Path(scratch) / f"{n}.json"
            command = [sys.executable, str(REPO / "tools" / "bench.py"), "--shared", str(arguments.shared), "-n", str(n),
                       "--workers", str(arguments.workers), "--json", str(figures_file), "--no-corpus-step"]
            print(f"$ {' '.join(command[1:])}", flush=True)
            if subprocess.run(command).returncode != 0:
                return 1
            rows.append(json.loads(figures_file.read_text(encoding="utf-8")))
    print_table(rows)
    return 0


def print_table(rows: list[dict]) -> None:
    """The growth table, words/s relative to the run nearest to 10,000 articles."""
    reference = min(rows, key=lambda row: abs(row["articles"] - REFERENCE_ARTICLES))
    print(f"\n{'articles':>9} {'words':>11} {'seconds':>8} {'words/s':>8} {'vs ' + format(reference['articles'], ','):>10} "
          f"{'main MB':>8} {'worker MB':>10} {'no-change s':>12}")
    for row in rows:
        change = 100 * (row["words_per_second"] / reference["words_per_second"] - 1)
        print(f"{row['articles']:>9,} {row['words']:>11,} {row['seconds']:>8.1f} {row['words_per_second']:>8,} "
              f"{change:>+9.1f}% {row['main_peak_mb']:>8,} {row['worker_peak_mb']:>10,} {row['no_change_seconds']:>12.2f}")


if __name__ == "__main__":
    sys.exit(main())
