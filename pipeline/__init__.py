"""Who, what organisation, where and when in Dutch-language press: articles in, normalised tables out.

Public API: `run(Config(...))` brings the tables up to date, `load_tables(folder)` loads them into
pandas, `read_corpus(path)` yields the articles (with the exact title/body the offsets point into).
"""
__version__ = "0.1.0"

from .config import Config, ConfigError  # noqa: E402
from .corpus import read_corpus  # noqa: E402
from .run import RunSummary, run  # noqa: E402
from .tables import load_tables  # noqa: E402

__all__ = ["Config", "ConfigError", "RunSummary", "load_tables", "read_corpus", "run", "__version__"]
