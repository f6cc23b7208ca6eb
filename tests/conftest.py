"""Shared fixtures: paths to our own fixture corpus and to ../shared (which users do not have)."""
from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MODEL = REPO / "models" / "nl_press_ner"
TOOLS = REPO / "tools"


@functools.cache
def load_tool(name: str) -> ModuleType:
    """tools/NAME.py as a module (tools/ is not a package; its scripts import each other)."""
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def shared() -> Path:
    """The team's data folder beside the repo; tests that need it skip where it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"needs the team data folder {SHARED} (present in CI, absent on users' machines)")
    return SHARED


@pytest.fixture
def write(tmp_path: Path):
    """Write a file (text or bytes) below tmp_path and return its path."""

    def _write(relative: str, content: str | bytes) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


RULER_PATTERNS = [
    {"label": "PER", "pattern": "Mathias De Clercq"},
    {"label": "PER", "pattern": "De Clercq"},
    {"label": "PER", "pattern": "Séverine Hermans"},
    {"label": "PER", "pattern": "Hermans"},
    {"label": "ORG", "pattern": "KU Leuven"},
    {"label": "ORG", "pattern": "De Lijn"},
    {"label": "LOC", "pattern": "Gent"},
    {"label": "LOC", "pattern": "Heverlee"},
    {"label": "LOC", "pattern": "Rotterdam"},
]


@pytest.fixture(scope="session")
def ruler_model(tmp_path_factory) -> Path:
    """A tiny rule-based spaCy pipeline saved like a trained one: fast tests of the wiring, no training."""
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler").add_patterns(RULER_PATTERNS)
    path = tmp_path_factory.mktemp("model") / "ruler_nl"
    nlp.to_disk(path)
    return path


@pytest.fixture
def make_tables(tmp_path: Path):
    """Write a hand-made set of output tables (rows as dicts, missing columns empty) and return the folder:
    the report and the export read tables only, so their tests need no pipeline run."""
    import csv

    from pipeline.tables import TABLE_COLUMNS

    def _make(name: str = "tables", **rows: list[dict]) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for table, columns in TABLE_COLUMNS.items():
            with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, columns, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows.get(table, []))
        return folder

    return _make
