"""Shared fixtures: paths to our own fixture corpus and to ../shared (which users do not have)."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MODEL = REPO / "models" / "nl_press_ner"


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
