"""Incremental runs on the first N press-bench articles: what a small change costs after a full run.

Builds a corpus folder with the first N articles in one .jsonl file, runs a full extraction (or
reuses the output of an earlier call with --keep), then times, each in a fresh process:
  - a rerun with nothing changed;
  - 100 new articles (the next 100 press-bench articles, in a second .jsonl file);
  - those 100 removed again;
  - one article edited inside the big file (a sentence appended to its text);
  - the edit undone.
For each: wall seconds, the wall seconds spent analysing articles (`_analyse_all`), the rest
("beyond analysis", the issue's target is 10 s), process time of the main process, and its peak
RSS (target 500 MB). Every table must be byte-identical after an undo to the tables before it.

    python tools/bench_incremental.py --shared ../shared -n 10000 --keep build/bench-10k
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import subprocess
import sys
from pathlib import Path

from press_bench import press_bench_source, work_folder

REPO = Path(__file__).resolve().parent.parent

# One run of the pipeline in a fresh process, reporting its own figures as JSON on the last line.
_CHILD = r"""
import json, resource, sys, time
from pathlib import Path

sys.path.insert(0, sys.argv[1])
from pipeline import Config
import importlib
run_module = importlib.import_module("pipeline.run")

analysing = [0.0]
real_analyse_all = run_module._analyse_all
def timed_analyse_all(*args, **kwargs):
    started = time.perf_counter()
    try:
        return real_analyse_all(*args, **kwargs)
    finally:
        analysing[0] += time.perf_counter() - started
run_module._analyse_all = timed_analyse_all

config = Config(corpus=Path(sys.argv[2]), out=Path(sys.argv[3]), workers=int(sys.argv[4]), progress=False,
                table_format=sys.argv[5])
wall, cpu = time.perf_counter(), time.process_time()
summary = run_module.run(config)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "analysing": analysing[0], "main_cpu": cpu,
                  "all_cpu": cpu + children.ru_utime + children.ru_stime, "words": summary.words_analysed,
                  "main_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "line": summary.line(), "stages": summary.stage_seconds}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the team data folder")
    parser.add_argument("-n", type=int, default=10000, help="articles in the processed corpus (default 10000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder for corpus and output, kept between calls (the full run is done once)")
    parser.add_argument("--only", default="", help="comma-separated steps to run (default: all)")
    parser.add_argument("--synthetic", action="store_true",
                        help="use the corpus and state tools/synth_state.py made in --keep; the 100 added articles are "
                             "the first 100 of press-bench")
    arguments = parser.parse_args()
    source = press_bench_source(arguments.shared)
    if source is None:
        return 2
    with work_folder(arguments.keep, "bench-incremental-") as folder:
        return bench(source, folder, arguments)


def bench(source: Path, folder: Path, arguments) -> int:
    corpus, out = folder / "corpus", folder / "out"
    corpus.mkdir(exist_ok=True)
    big, added = corpus / "bench.jsonl", corpus / "added.jsonl"
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        first = list(itertools.islice(lines, 100 if arguments.synthetic else arguments.n + 100))
    if arguments.synthetic:
        articles, extra = big.read_text(encoding="utf-8").splitlines(keepends=True), first
    else:
        articles, extra = first[: arguments.n], first[arguments.n:]
        if not big.is_file() or big.read_text(encoding="utf-8") != "".join(articles):
            big.write_text("".join(articles), encoding="utf-8")
    added.unlink(missing_ok=True)
    step(arguments, corpus, out, "full run (or catching up)")
    before = digests(out)
    steps = {
        "nochange": lambda: step(arguments, corpus, out, "nothing changed"),
        "add": lambda: (added.write_text("".join(extra), encoding="utf-8"),
                        step(arguments, corpus, out, "100 articles added"),
                        added.unlink(), step(arguments, corpus, out, "those 100 removed again")),
        "edit": lambda: edit_one(arguments, corpus, out, big, articles),
    }
    wanted = [s for s in arguments.only.split(",") if s] or list(steps)
    for name in wanted:
        steps[name]()
        if name != "nochange" and not (arguments.synthetic and name == "edit") and digests(out) != before:
            # (a synthetic article edited and restored is analysed by the model, so it gets the model's mentions)
            print(f"error: after '{name}' and its undo the tables differ from before", file=sys.stderr)
            return 1
    return 0


def edit_one(arguments, corpus: Path, out: Path, big: Path, articles: list[str]) -> None:
    middle = len(articles) // 2
    record = json.loads(articles[middle])
    record["text"] += "\n\nDe redactie vulde dit artikel later aan."
    edited = articles[:middle] + [json.dumps(record, ensure_ascii=False) + "\n"] + articles[middle + 1:]
    big.write_text("".join(edited), encoding="utf-8")
    step(arguments, corpus, out, "one article edited")
    big.write_text("".join(articles), encoding="utf-8")
    step(arguments, corpus, out, "the edit undone")


def step(arguments, corpus: Path, out: Path, what: str) -> dict:
    command = ["nice", "-n", "10", sys.executable, "-c", _CHILD, str(REPO), str(corpus), str(out),
               str(arguments.workers), arguments.format]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"{what}: the run failed:\n{finished.stderr[-3000:]}")
    figures = json.loads(finished.stdout.strip().splitlines()[-1])
    beyond = figures["wall"] - figures["analysing"]
    print(f"{what:<28} wall {figures['wall']:7.2f} s, analysing {figures['analysing']:7.2f} s, beyond analysis "
          f"{beyond:6.2f} s; main process {figures['main_cpu']:6.2f} CPU-s, peak {figures['main_peak_mb']:6.0f} MB")
    if figures["words"]:
        print(f"{'':<28} {figures['words']:,} words in {figures['all_cpu']:.1f} CPU-s of all processes = "
              f"{figures['words'] / figures['all_cpu']:,.0f} words per CPU-second")
    print(f"{'':<28} {figures['line']}")
    print(f"{'':<28} stages: " + ", ".join(f"{k} {v:.2f}" for k, v in figures["stages"].items()), flush=True)
    return figures


def digests(out: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(out.rglob("*")) if path.is_file() and ".pipeline" not in path.parts}


if __name__ == "__main__":
    sys.exit(main())
