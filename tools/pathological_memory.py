"""Peak memory of one extraction per pathological article (text we generate, no press data).

Each case is a corpus of one good short article plus one pathological one, extracted in a fresh
process with one worker (so all work happens in that process); prints its peak resident memory
and CPU seconds. Target: under 800 MB for 1 M characters.

    nice -n 10 python tools/pathological_memory.py [--chars 1000000]
"""
from __future__ import annotations

import argparse
import base64
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DUTCH_SENTENCE = "De gemeenteraad van Gent vergaderde dinsdag uitgebreid over de haven van Rotterdam. "


def cases(chars: int) -> dict[str, str]:
    """Name -> article text of about `chars` characters."""
    chooser = random.Random(13)
    blob = base64.b64encode(chooser.randbytes(chars * 3 // 4)).decode()
    return {
        "one line of Dutch sentences, no paragraph break": DUTCH_SENTENCE * (chars // len(DUTCH_SENTENCE)),
        "Dutch lead, then one run without whitespace (base64)": DUTCH_SENTENCE * 20 + blob,
        "words of 99 characters (base64 cut up)": " ".join(blob[i:i + 99] for i in range(0, len(blob), 99)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=1_000_000, help="size of each pathological article")
    arguments = parser.parse_args()
    for name, text in cases(arguments.chars).items():
        with tempfile.TemporaryDirectory(prefix="pathological-") as scratch:
            corpus = Path(scratch) / "corpus"
            corpus.mkdir()
            (corpus / "gewoon.txt").write_text("De Lijn rijdt vanaf maandag vaker naar Gent.", encoding="utf-8")
            (corpus / "raar.txt").write_text(text, encoding="utf-8")
            peak, cpu, summary = measure(corpus, Path(scratch) / "out")
        print(f"{name}: {len(text):,} characters: peak {peak:,.0f} MB, {cpu:.1f} CPU s; {summary}")
    return 0


MEASURED_RUN = """
import resource, sys
from pipeline.cli import main
code = main(sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
sys.exit(code)
"""


def measure(corpus: Path, out: Path) -> tuple[float, float, str]:
    """(peak MB, CPU seconds, the run's summary line) of one extraction in a fresh process.

    All languages the sample could be taken for are processed, so the text always reaches the model.
    """
    done = subprocess.run([sys.executable, "-c", MEASURED_RUN, "extract", str(corpus), "--out", str(out),
                           "--workers", "1", "--no-progress", "--languages", "nl,en,de,fr"],
                          cwd=REPO, capture_output=True, text=True)
    peak, cpu = (float(value) for value in done.stdout.split())
    summary = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
    return peak, cpu, summary


if __name__ == "__main__":
    sys.exit(main())
