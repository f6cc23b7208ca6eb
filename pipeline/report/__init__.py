"""Presenting the tables: an offline HTML report and a SQLite database for datasette.

Both read the tables a run wrote (through `load_tables`), never the stages: they are consumers of
the output like any other tool.
"""
from __future__ import annotations

import os
from pathlib import Path

from .source import ReportError, read_tables

REPORT_NAME = "report.html"


def build_report(tables: str | os.PathLike, destination: str | os.PathLike | None = None) -> Path:
    """Write the report of the tables in `tables` to `destination` (default: report.html beside the
    tables), atomically; returns its path.

    The page code (and pandas) load here, not with the package: the CLI imports ReportError at start.
    """
    from .page import render
    from .summary import summarise

    folder = Path(tables)
    target = Path(destination) if destination else folder / REPORT_NAME
    page = render(summarise(read_tables(folder)), folder.name or str(folder))
    _write_atomically(target, page.encode("utf-8"))
    return target


def _write_atomically(target: Path, content: bytes) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(content)
        os.replace(temporary, target)
    except OSError as error:
        raise ReportError(f"cannot write {target}: {error.strerror or error}: choose a folder you can write to") from error


__all__ = ["REPORT_NAME", "ReportError", "build_report"]
