"""Time the report and the SQLite export on a folder of tables (e.g. from tools/synth_tables.py).

Build: `python -m pipeline report` as a child process, CPU time (user + system, from rusage) and
wall time. Open, CPU: Chromium itself (`--headless --dump-dom`, which returns once the page has
loaded, and our page draws every chart before its load event ends) as a child process, so the CPU
time of all its processes is counted, minus the same for an empty page (browser start and stop).
Open, browser: the page through Playwright, for the time from navigation start until every chart is
drawn (the browser's clock; on a loaded machine mostly waiting for a core), the network requests
(must be 0) and console errors. Export: `python -m pipeline export --sqlite` like the build.

    python tools/synth_tables.py --out /tmp/synth && python tools/bench_report.py --tables /tmp/synth
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

from report_browser import LAUNCH_FLAGS, chromium_path  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=Path, required=True, help="folder with the five CSV tables")
    parser.add_argument("--opens", type=int, default=3, help="times to open the page (default 3)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip timing the SQLite export")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        page = Path(scratch) / "report.html"
        cpu, wall = _timed_child(["report", str(arguments.tables), "--to", str(page)])
        print(f"build: {cpu:.1f} s CPU (user+system), {wall:.1f} s wall; page {page.stat().st_size / 1e6:.2f} MB")
        blank = Path(scratch) / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title>", encoding="utf-8")
        baseline = statistics.median(_chromium_cpu(blank, scratch)[0] for _ in range(arguments.opens))
        opens = [_chromium_cpu(page, scratch) for _ in range(arguments.opens)]
        print(f"open, CPU of all Chromium processes minus {baseline:.2f} s for an empty page: "
              + ", ".join(f"{cpu - baseline:.2f} s ({wall:.1f} s wall)" for cpu, wall in opens)
              + f"; median {statistics.median(cpu - baseline for cpu, _ in opens):.2f} s")
        results = [_opened(page) for _ in range(arguments.opens)]
        print("open in Playwright: " + ", ".join(f"{result['open_seconds']:.2f} s" for result in results)
              + " from navigation start to all charts drawn; "
              f"network requests: {sum(len(result['requests']) for result in results)}; "
              f"console errors: {sum(len(result['console_errors']) for result in results)}; "
              f"drawn: {[result['ready'] for result in results]}")
        if not arguments.no_sqlite:
            database = Path(scratch) / "press.db"
            cpu, wall = _timed_child(["export", str(arguments.tables), "--sqlite", str(database)])
            print(f"sqlite export: {cpu:.1f} s CPU, {wall:.1f} s wall; {database.stat().st_size / 1e6:.0f} MB")
    return 0


def _timed_child(command: list[str]) -> tuple[float, float]:
    """CPU and wall seconds of `python -m pipeline COMMAND` in a child process."""
    cpu, wall, _output = _child_cpu([sys.executable, "-m", "pipeline", *command])
    return cpu, wall


def _opened(page: Path) -> dict:
    """What tools/report_browser.py saw opening `page` once through Playwright."""
    return json.loads(_child_cpu([sys.executable, str(REPO / "tools" / "report_browser.py"), str(page)])[2])


def _chromium_cpu(page: Path, scratch: str) -> tuple[float, float]:
    """CPU and wall seconds of a fresh headless Chromium loading `page` (it exits once the page has loaded)."""
    with tempfile.TemporaryDirectory(dir=scratch) as profile:
        cpu, wall, dom = _child_cpu([chromium_path(), "--headless", *LAUNCH_FLAGS, f"--user-data-dir={profile}",
                                     "--dump-dom", page.resolve().as_uri()])
    if "data-chart" in dom and 'data-ready="yes"' not in dom:
        raise RuntimeError(f"{page}: the charts were not drawn when Chromium finished loading the page")
    return cpu, wall


def _child_cpu(command: list[str]) -> tuple[float, float, str]:
    """Run `command`; its CPU seconds (user + system, with all the processes it waited for), wall seconds, stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    output = subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True).stdout
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall, output


if __name__ == "__main__":
    sys.exit(main())
