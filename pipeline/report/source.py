"""Reading the tables for the report and the export, with errors that say what to run."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads with load_tables, when tables are read, not when the CLI starts
    import pandas as pd

from ..tables import load_tables


class ReportError(Exception):
    """The tables cannot be read, or the report or database cannot be written."""


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """`load_tables`, with a missing table as a ReportError (the CLI prints it and exits with 2)."""
    try:
        return load_tables(folder)
    except FileNotFoundError as error:
        raise ReportError(str(error)) from error
