"""Who, what organisation, where and when in Dutch-language press: articles in, normalised tables out.

Public API: `run(Config(...))` brings the tables up to date, `load_tables(folder)` loads them into
pandas, `extract(texts)` analyses texts held in memory and returns the tables as DataFrames,
`read_corpus(path)` yields the articles (with the exact title/body the offsets point into).

The names are imported on first use, so `import pipeline` stays cheap: it loads no stage, no
pandas and no spaCy (spaCy only loads with a model, inside the NER stage).
"""
from __future__ import annotations

import importlib
import sys
import types

TYPE_CHECKING = False  # the idiom type checkers understand, without importing `typing` (most of the import time)
__version__ = "0.5.0"

_PUBLIC = {  # public name -> submodule that defines it
    "Config": "config",
    "ConfigError": "config",
    "read_corpus": "corpus",
    "RunSummary": "run",
    "run": "run",
    "load_tables": "tables",
    "extract": "api",
}
__all__ = [*sorted(_PUBLIC), "__version__"]

if TYPE_CHECKING:  # what editors and type checkers see
    from .api import extract
    from .config import Config, ConfigError
    from .corpus import read_corpus
    from .run import RunSummary, run
    from .tables import load_tables


class _LazyPackage(types.ModuleType):
    """The `pipeline` package, loading each public name from its submodule on first access."""

    def __getattr__(self, name: str) -> object:
        if name not in _PUBLIC:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
        super().__setattr__(name, value)
        return value

    def __setattr__(self, name: str, value: object) -> None:
        # Importing the submodule `pipeline.run` makes the import system set the package attribute
        # `run` to that module; the public `pipeline.run` is the function, so that one is kept.
        if name in _PUBLIC and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *_PUBLIC})


sys.modules[__name__].__class__ = _LazyPackage
