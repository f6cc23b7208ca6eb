"""The one validated configuration of a run, checked before the first document is read."""
from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
# The shipped model, inside the package so that an installed wheel finds it without a path. In the
# repository `pipeline/model` is a symlink to models/nl_press_ner; the wheel holds a copy of the files.
DEFAULT_MODEL = PACKAGE_ROOT / "model"
ALIAS_FILE_NAME = "aliases.csv"
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class Detector(str, Enum):
    """The language detector backends a run may name (`--language-detector`); see pipeline/language.py."""

    LANGDETECT = "langdetect"
    CLD2 = "cld2"
    CLD2_LANGDETECT = "cld2+langdetect"


LANGUAGE_DETECTORS = tuple(detector.value for detector in Detector)


class EngineName(str, Enum):
    """Where the per-document stages run (`--engine`); see pipeline/engines/."""

    LOCAL = "local"  # this machine: one process, or a pool of `workers` processes
    DASK = "dask"  # a Dask cluster: a LocalCluster of `workers` processes, or the one at `scheduler`


ENGINES = tuple(engine.value for engine in EngineName)
DASK_INSTALL_HINT = "pip install 'dutch-press-pipeline[dask]' (or: pip install dask==2026.8.0 distributed==2026.8.0)"


class TableFormat(str, Enum):
    """How the tables are written (`--format`): CSV files, or one Parquet dataset folder per table."""

    CSV = "csv"
    PARQUET = "parquet"


TABLE_FORMATS = tuple(table_format.value for table_format in TableFormat)


class ConfigError(ValueError):
    """A setting that cannot work; the message says which one and how to fix it."""


def default_workers() -> int:
    """Both cores of the reference machine, never more than the machine has."""
    return max(1, min(2, os.cpu_count() or 1))


@dataclass(frozen=True)
class Config:
    """Where to read, where to write, which model, and how hard to work.

    Paths may be given as `str` or any `os.PathLike`; they are stored as `Path`. `languages` may be
    a set of codes or a comma-separated string ("nl,en"). `corpus` and `out` are None only for texts
    analysed in memory (`pipeline.extract`), which read no corpus and write no tables.
    """

    corpus: Path | None
    out: Path | None
    model: Path = DEFAULT_MODEL
    languages: frozenset[str] = field(default_factory=lambda: frozenset({"nl"}))
    workers: int = field(default_factory=default_workers)
    batch_size: int = 64
    min_language_chars: int = 30
    language_detector: str = "cld2+langdetect"  # cld2 first pass, langdetect for close calls (see README)
    aliases: Path | None = None
    progress: bool = True
    engine: str = "local"
    scheduler: str | None = None  # address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786
    table_format: TableFormat = TableFormat.CSV

    def __post_init__(self) -> None:
        self._normalise_types()
        if self.corpus is not None and not self.corpus.exists():
            raise ConfigError(
                f"corpus path {self.corpus} does not exist: "
                "pass a folder of .txt/.md files or a .jsonl file (e.g. CORPUS=corpus/)"
            )
        if self.out is not None and self.out.exists() and not self.out.is_dir():
            raise ConfigError(f"output path {self.out} is a file: pass a folder for the tables (e.g. OUT=output/)")
        bad = sorted(code for code in self.languages if not _LANGUAGE_CODE.match(code))
        if not self.languages or bad:
            raise ConfigError(
                f"languages {sorted(self.languages)!r} are not ISO 639-1 codes: use e.g. --languages nl or nl,en"
            )
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1, got {self.workers}")
        if self.batch_size < 1:
            raise ConfigError(f"batch size must be at least 1, got {self.batch_size}")
        if self.min_language_chars < 0:
            raise ConfigError(f"minimum language length must be 0 or more, got {self.min_language_chars}")
        if self.language_detector not in LANGUAGE_DETECTORS:
            raise ConfigError(
                f"language detector {self.language_detector!r} is unknown: use one of {', '.join(LANGUAGE_DETECTORS)}"
            )
        if self.aliases is not None and not self.aliases.is_file():
            raise ConfigError(f"alias file {self.aliases} does not exist: create it (columns alias,canonical,label) or leave --aliases out")
        self._check_engine()

    def _check_engine(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(f"engine {self.engine!r} is unknown: use one of {', '.join(ENGINES)}")
        if self.scheduler is not None and self.engine != EngineName.DASK.value:
            raise ConfigError(f"a scheduler address ({self.scheduler}) needs the Dask engine: add --engine dask")
        if self.scheduler is not None and (not self.scheduler.strip() or any(c.isspace() for c in self.scheduler)):
            raise ConfigError(f"scheduler address {self.scheduler!r} is not an address: use e.g. tcp://10.0.0.5:8786")
        if self.engine == EngineName.DASK.value and not dask_installed():
            raise ConfigError(f"--engine dask needs dask and distributed, which are not installed: {DASK_INSTALL_HINT}")

    def _normalise_types(self) -> None:
        """Paths as Path and languages as a frozenset, whatever the caller passed (the dataclass is frozen)."""
        for name in ("corpus", "out", "model", "aliases"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
        if isinstance(self.languages, str):
            object.__setattr__(self, "languages", frozenset(code.strip() for code in self.languages.split(",") if code.strip()))
        elif not isinstance(self.languages, frozenset):
            object.__setattr__(self, "languages", frozenset(self.languages))
        if not isinstance(self.table_format, TableFormat):
            if self.table_format not in TABLE_FORMATS:
                raise ConfigError(f"table format {self.table_format!r} is unknown: use one of {', '.join(TABLE_FORMATS)}")
            object.__setattr__(self, "table_format", TableFormat(self.table_format))

    @property
    def alias_file(self) -> Path | None:
        """The user's alias table: given explicitly, or `aliases.csv` inside a corpus folder."""
        if self.language_detector not in LANGUAGE_DETECTORS:
            raise ConfigError(
                f"language detector {self.language_detector!r} is unknown: use one of {', '.join(LANGUAGE_DETECTORS)}"
            )
        if self.aliases is not None:
            return self.aliases
        if self.corpus is None or not self.corpus.is_dir():
            return None
        candidate = self.corpus / ALIAS_FILE_NAME
        return candidate if candidate.is_file() else None


def dask_installed() -> bool:
    """Whether the optional `[dask]` extra is installed (found without importing it: dask loads slowly)."""
    return importlib.util.find_spec("distributed") is not None
