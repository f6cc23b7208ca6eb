"""Command line: parse arguments, build the Config, call the library, turn known errors into messages."""
from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from . import __version__
from .add import AddError, add_articles
from .config import DEFAULT_MODEL, ENGINES, LANGUAGE_DETECTORS, TABLE_FORMATS, Config, ConfigError, default_workers
from .corpus import CorpusError
from .engines import EngineError, WorkerFailure
from .ner import ModelNotFoundError
from .report import ReportError
from .run import RunInterrupted, run
from .state import RunLockedError
from .tables import OutputError

EXIT_OK = 0
EXIT_NOTHING_ADDED = 1  # `add`: every article was refused
EXIT_USAGE = 2  # bad option, missing corpus or model, unwritable output, locked output (argparse uses 2 too)
EXIT_WORKER_FAILED = 3  # a worker died or a batch kept failing mid-run; finished batches are saved
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM; finished batches are saved
PACKAGE_NAME = "dutch-press-pipeline"


def version_text(model_dir: Path = DEFAULT_MODEL) -> str:
    """Package version and the name and version of the model it uses, read from the model's meta.json."""
    try:
        meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
        model = f"model {meta.get('name', '?')} {meta.get('version', '?')}"
    except (OSError, ValueError):
        model = "model missing"
    return f"{PACKAGE_NAME} {__version__}, {model}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=_program_name(),
        description="Extract people, organisations, places and dates from Dutch-language press into CSV tables.",
        epilog="Exit codes: 0 done; 1 `add` refused every article; 2 bad option, missing corpus or model, "
               "unwritable or locked output, Dask scheduler unreachable; 3 a worker died mid-run (finished work is "
               "saved); 130 interrupted (finished work is saved).",
    )
    parser.add_argument("--version", action="version", version=version_text(),
                        help="print the package and model versions and exit")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser(
        "extract", help="analyse new or changed articles and write the tables",
        description="Bring the tables in OUT up to date with CORPUS; only new or changed articles are analysed.",
    )
    extract.add_argument("corpus", type=Path, nargs="?", default=Path("corpus"),
                         help="folder of .txt/.md articles (searched recursively) or a .jsonl file (default: corpus)")
    extract.add_argument("--out", type=Path, default=Path("output"), help="folder for the tables (default: output)")
    extract.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="spaCy NER model folder (default: the shipped model, %(default)s)")
    extract.add_argument("--languages", default="nl",
                         help="comma-separated ISO 639-1 codes of the languages to analyse; others are skipped (default: nl)")
    extract.add_argument("--workers", type=int, default=default_workers(), help="worker processes (default: %(default)s)")
    extract.add_argument("--batch-size", type=int, default=64, help="articles per batch; each finished batch is saved (default: 64)")
    extract.add_argument("--min-language-chars", type=int, default=30,
                         help="shorter texts get language 'und' unless clearly one language (default: 30)")
    extract.add_argument("--language-detector", choices=LANGUAGE_DETECTORS, default="cld2+langdetect",
                         help="cld2+langdetect (default): cld2 answers where it is sure, langdetect decides short and "
                              "close calls; langdetect alone is as accurate on our test set but about 3x slower; "
                              "cld2 alone is fastest")
    extract.add_argument("--aliases", type=Path, default=None,
                         help="alias table (alias,canonical,label); default: aliases.csv in the corpus folder if present")
    extract.add_argument("--format", choices=TABLE_FORMATS, default="csv",
                         help="csv files, or parquet: one dataset folder per table (default: csv)")
    extract.add_argument("--no-progress", action="store_true", help="no progress bar on stderr (default: a progress bar is shown)")
    extract.add_argument("--engine", choices=ENGINES, default="local",
                         help="where articles are analysed: local (default) = this machine, --workers processes; "
                              "dask = a Dask cluster (needs the [dask] extra): a local one of --workers processes, "
                              "or the one at --scheduler")
    extract.add_argument("--scheduler", default=None, metavar="ADDRESS",
                         help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --engine dask; "
                              "default: start a cluster on this machine)")

    add = commands.add_parser(
        "add", help="store new articles in the corpus",
        description="Copy articles (files, folders or .jsonl files) into the corpus folder as .txt files with front matter. "
                    "A text already in the corpus is refused.",
    )
    add.add_argument("files", type=Path, nargs="+", metavar="FILE", help="article file, folder or .jsonl file")
    add.add_argument("--corpus", type=Path, default=Path("corpus"), help="corpus folder (default: corpus)")
    add.add_argument("--date", default="", help="publication date YYYY-MM-DD, overrides the article's own (default: the article's own)")
    add.add_argument("--title", default="", help="title, overrides the article's own (default: the article's own)")
    add.add_argument("--source", default="", help="source, e.g. the newspaper; overrides the article's own (default: the article's own)")
    _add_report_commands(commands)
    return parser


def _add_report_commands(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report", help="write an offline HTML report of the tables",
        description="Write one self-contained page (charts, maps, failed articles) from the tables in OUT; "
                    "it opens offline and makes no network request.",
    )
    report.add_argument("out", type=Path, nargs="?", default=Path("output"), help="folder with the tables (default: output)")
    report.add_argument("--to", type=Path, default=None, help="the HTML file to write (default: OUT/report.html)")
    export = commands.add_parser(
        "export", help="write the tables to a SQLite database (for datasette and sqlite-utils)",
        description="Write the tables in OUT to one SQLite database with keys, indexes and full-text search.",
    )
    export.add_argument("out", type=Path, nargs="?", default=Path("output"), help="folder with the tables (default: output)")
    export.add_argument("--sqlite", type=Path, required=True, metavar="FILE", help="the database file to write (replaced)")
    export.add_argument("--corpus", type=Path, default=None,
                        help="also store each article's body text (searchable), read from this corpus; "
                             "without it only titles are searchable (default: titles only)")


def _program_name() -> str:
    """`dutch-press` when run as the installed command, else `python -m pipeline` (usage lines show it)."""
    return "dutch-press" if Path(sys.argv[0]).stem == "dutch-press" else "python -m pipeline"


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        if arguments.command == "extract":
            return _extract(arguments)
        if arguments.command == "report":
            return _report(arguments)
        if arguments.command == "export":
            return _export(arguments)
        return _add(arguments)
    except RunInterrupted as interrupted:
        print(f"\n{interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except WorkerFailure as failure:
        print(f"\nerror: {failure}", file=sys.stderr)
        return EXIT_WORKER_FAILED
    except KeyboardInterrupt:  # before analysis started (reading the corpus, opening the state): nothing to lose
        print("\ninterrupted before any article was analysed; nothing was changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ConfigError, CorpusError, AddError, ModelNotFoundError, RunLockedError, OutputError, ReportError,
            EngineError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _stop_like_ctrl_c(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _extract(arguments: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)  # a `kill` saves finished work and exits cleanly, as Ctrl-C does
    config = Config(
        corpus=arguments.corpus,
        out=arguments.out,
        model=arguments.model,
        languages=arguments.languages,  # "nl,en": Config splits it
        workers=arguments.workers,
        batch_size=arguments.batch_size,
        min_language_chars=arguments.min_language_chars,
        language_detector=arguments.language_detector,
        aliases=arguments.aliases,
        progress=not arguments.no_progress,
        engine=arguments.engine,
        scheduler=arguments.scheduler,
        table_format=arguments.format,
    )
    summary = run(config)
    for notice in summary.notices:
        print(f"note: {notice}", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    return EXIT_OK


def _add(arguments: argparse.Namespace) -> int:
    report = add_articles(arguments.files, arguments.corpus, published=arguments.date, title=arguments.title,
                          source=arguments.source)
    for path in report.added:
        print(f"added {path}", file=sys.stderr)
    for where, reason in report.refused:
        print(f"refused {where}: {reason}", file=sys.stderr)
    print(f"{len(report.added)} added, {len(report.refused)} refused", file=sys.stderr)
    return EXIT_OK if report.added or not report.refused else EXIT_NOTHING_ADDED


def _report(arguments: argparse.Namespace) -> int:
    from .report import build_report

    path = build_report(arguments.out, arguments.to)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return EXIT_OK


def _export(arguments: argparse.Namespace) -> int:
    from .report.sqlite import export_sqlite

    print(export_sqlite(arguments.out, arguments.sqlite, corpus=arguments.corpus).line(), file=sys.stderr)
    return EXIT_OK
