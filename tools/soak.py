"""Soak test: kill -9 an extraction at random moments, resume it, and compare with an uninterrupted run.

Takes the first N press-bench articles, runs `python -m pipeline extract` on them once without
interruption (the reference), then starts the same extraction into a second folder and kills its
whole process group with SIGKILL K times at random moments (seeded), restarting it each time.
A final run finishes the work; its five tables must be byte-identical to the reference, with no
temporary files left behind. After every kill the state database must still pass SQLite's
integrity check. When a restarted run finishes before its kill (the machine's speed varies),
its tables are compared with the reference too and the next kills start over from an empty
output folder, so every kill interrupts real work. With --work, a reference measured before is
reused (its timing is kept in reference.json).

    nice -n 19 python tools/soak.py --shared ../shared -n 3000 --kills 30 --workers 1

Exit code 0 when the tables are identical, 1 when they are not, 2 on a usage error.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.tables import TABLE_COLUMNS  # noqa: E402
from press_bench import press_bench_source, work_folder, write_first_articles  # noqa: E402

POLL_SECONDS = 0.25
EARLIER = 0.6


@dataclass(frozen=True)
class Kill:
    """One kill -9: when, and what the state held afterwards."""

    after_seconds: float
    saved_results: int
    tables_written: bool
    state_sound: bool


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the team data folder")
    parser.add_argument("-n", type=int, default=3000, help="number of press-bench articles (default 3000)")
    parser.add_argument("--kills", type=int, default=30, help="number of kill -9s (default 30)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes per run (default 1)")
    parser.add_argument("--batch-size", type=int, default=64, help="articles per saved batch (default 64)")
    parser.add_argument("--seed", type=int, default=13, help="seed of the kill moments (default 13)")
    parser.add_argument("--work", type=Path, default=None, help="keep the corpus and outputs in this folder")
    arguments = parser.parse_args()
    source = press_bench_source(arguments.shared)
    if source is None:
        return 2
    with work_folder(arguments.work, "soak-") as folder:
        return soak(arguments, source, folder)


def soak(arguments: argparse.Namespace, source: Path, work: Path) -> int:
    corpus = work / "press-bench-sample.jsonl"
    write_first_articles(source, corpus, arguments.n)
    command = [sys.executable, "-m", "pipeline", "extract", str(corpus), "--workers", str(arguments.workers),
               "--batch-size", str(arguments.batch_size), "--no-progress"]
    reference, killed = work / "reference", work / "killed"
    started = time.perf_counter()
    startup, total = timed_reference(command + ["--out", str(reference)], reference, work / "reference.json")
    print(f"reference run: {total:.1f} s wall, first batch saved after {startup:.1f} s", flush=True)
    shutil.rmtree(killed, ignore_errors=True)
    kills, early_identical = killed_runs(command + ["--out", str(killed)], killed, reference, arguments, startup, total)
    final = subprocess.run(command + ["--out", str(killed)], cwd=REPO, capture_output=True, text=True)
    report(kills, arguments)
    print(f"final run (exit {final.returncode}): {final.stderr.strip().splitlines()[-1] if final.stderr.strip() else ''}")
    identical = compare(reference, killed) and early_identical
    leftovers = sorted(p.name for p in killed.glob(".*.tmp"))
    print(f"temporary files left: {leftovers or 'none'}")
    print(f"soak took {time.perf_counter() - started:.0f} s wall")
    passed = identical and not leftovers and final.returncode == 0 and all(k.state_sound for k in kills)
    print(f"SOAK {'PASSED' if passed else 'FAILED'}: {len(kills)} kill -9s over {arguments.n:,} articles, "
          f"tables {'byte-identical' if identical else 'DIFFERENT'}")
    return 0 if passed else 1


def timed_reference(command: list[str], out: Path, timing: Path) -> tuple[float, float]:
    """(startup, total) seconds of the reference run; measured once per work folder."""
    if timing.is_file() and (out / "documents.csv").is_file():
        known = json.loads(timing.read_text())
        return known["startup"], known["total"]
    startup, total = reference_run(command, out)
    timing.write_text(json.dumps({"startup": startup, "total": total}))
    return startup, total


def reference_run(command: list[str], out: Path) -> tuple[float, float]:
    """Run to completion; (seconds until the first batch was saved, total seconds)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    first_saved = None
    while process.poll() is None:
        time.sleep(POLL_SECONDS)
        if first_saved is None and saved_results(out) > 0:
            first_saved = time.perf_counter() - started
    total = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"reference run failed (exit {process.returncode}): {process.stderr.read()}")
    return (first_saved or total / 2), total


def killed_runs(command: list[str], out: Path, reference: Path, arguments: argparse.Namespace, startup: float,
                total: float) -> tuple[list[Kill], bool]:
    """Start the extraction and SIGKILL its process group `arguments.kills` times at random moments;
    the kills, and whether every run that finished on its own gave the reference tables.

    A moment is drawn from [startup / 2, startup + 2 x (work time / kills)], where startup is the
    time the reference run took to save its first batch: some kills land while the corpus is read
    or the model loads, most while batches are analysed and saved, and near the end some while
    the tables are written. A run that finishes before its kill is compared with the reference,
    and the kills go on from an empty output folder, with a window 0.6 times as long (on a shared
    machine the speed changes with the load).
    """
    chooser = random.Random(arguments.seed)
    window = (startup / 2, startup + 2 * max(total - startup, 1.0) / arguments.kills)
    kills: list[Kill] = []
    identical = True
    while len(kills) < arguments.kills:
        delay = chooser.uniform(*window)
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(delay)
        if process.poll() is not None:
            print(f"  run finished before the kill at {delay:.1f} s (exit {process.returncode}); comparing, then "
                  "starting over from an empty output folder", flush=True)
            identical &= process.returncode == 0 and compare(reference, out)
            shutil.rmtree(out)
            window = (window[0] * EARLIER, window[1] * EARLIER)  # the machine got faster: kill earlier
            continue
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        kills.append(Kill(delay, saved_results(out), all((out / f"{n}.csv").is_file() for n in TABLE_COLUMNS),
                          state_is_sound(out)))
        print(f"  kill {len(kills):2d} after {delay:5.1f} s: {kills[-1].saved_results:5d} results saved, "
              f"state sound: {kills[-1].state_sound}", flush=True)
    return kills, identical


def state_path(out: Path) -> Path:
    return out / ".pipeline" / "state.sqlite"


def saved_results(out: Path) -> int:
    """Results in the state database (read-only; 0 when there is none yet)."""
    if not state_path(out).is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{state_path(out)}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


def state_is_sound(out: Path) -> bool:
    if not state_path(out).is_file():
        return True
    with sqlite3.connect(f"file:{state_path(out)}?mode=ro", uri=True) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def report(kills: list[Kill], arguments: argparse.Namespace) -> None:
    before_first_save = sum(1 for k in kills if k.saved_results == 0)
    complete = sum(1 for k in kills if k.saved_results >= arguments.n)
    print(f"{len(kills)} kills: {before_first_save} before the first batch was saved, "
          f"{len(kills) - before_first_save - complete} while analysing, {complete} after every article was saved "
          f"(while the tables were written or later); state sound after every kill: {all(k.state_sound for k in kills)}")


def compare(reference: Path, killed: Path) -> bool:
    identical = True
    for name in TABLE_COLUMNS:
        same = (reference / f"{name}.csv").read_bytes() == (killed / f"{name}.csv").read_bytes()
        print(f"  {name}.csv: {'identical' if same else 'DIFFERENT'}")
        identical &= same
    return identical


if __name__ == "__main__":
    sys.exit(main())
