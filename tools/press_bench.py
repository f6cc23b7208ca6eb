"""The press-bench sample the measuring tools start from: where it lives, and its first N articles.

Shared by bench.py, compare_engines.py, bench_incremental.py, worker_memory.py and soak.py, so
they all read the same file the same way and say the same thing when it is missing.
"""
from __future__ import annotations

import contextlib
import gzip
import itertools
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

PRESS_BENCH = Path("data") / "press-bench" / "articles.jsonl.gz"


def press_bench_source(shared: Path) -> Path | None:
    """The press-bench file under `shared`, or None after saying on stderr how to point at it."""
    source = shared / PRESS_BENCH
    if source.is_file():
        return source
    print(f"error: {source} not found: pass --shared pointing at the team data folder", file=sys.stderr)
    return None


@contextlib.contextmanager
def work_folder(keep: Path | None, prefix: str) -> Iterator[Path]:
    """The folder a tool works in: `keep` (made if missing, left afterwards) or a temporary one."""
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        yield Path(scratch)


def write_first_articles(source: Path, target: Path, n: int) -> None:
    """The first `n` press-bench articles, byte for byte, as a .jsonl corpus file at `target`."""
    with gzip.open(source, "rb") as lines, open(target, "wb") as sample:
        sample.writelines(itertools.islice(lines, n))
