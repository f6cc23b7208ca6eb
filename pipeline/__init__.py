"""Who, what organisation, where and when in Dutch-language press: articles in, normalised tables out.

Public API: `run(Config(...))` brings the tables up to date, `load_tables(folder)` loads them into
pandas, `read_corpus(path)` yields the articles (with the exact title/body the offsets point into).
Names are imported on first use, so `import pipeline.corpus` does not pull in every stage.
"""
from importlib import import_module

__version__ = "0.1.0"

_PUBLIC = {
    "Config": "config", "ConfigError": "config", "read_corpus": "corpus",
    "RunSummary": "run", "run": "run", "load_tables": "tables",
}
__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
