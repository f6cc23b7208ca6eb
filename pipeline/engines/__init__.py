"""Where batches of documents are analysed: in this process or a local process pool (`local`), or on
a Dask cluster (`dask`). `pipeline/run.py` says what happens in which order; an engine only says
where a batch runs.

An engine is opened with the run's Config and a factory that builds the per-document analyser
(`pipeline.run.Analyser`); each worker builds one analyser, so the model loads once per worker.
`analysed_batches` yields each batch's results as soon as it is finished, in any order, so the
caller can save it at once; the tables never depend on that order (results are stored by
document id). Only `open_engine(config)` with `engine="dask"` imports dask.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

from ..config import Config, EngineName
from ..records import Document, DocumentResult

if TYPE_CHECKING:
    from ..run import StageTimes

Batch = list[Document]
BatchResults = tuple[list[DocumentResult], "StageTimes"]


class Analyser(Protocol):
    """The per-document stages for one batch (`pipeline.run.Analyser`)."""

    def analyse(self, documents: Sequence[Document]) -> BatchResults: ...


AnalyserFactory = Callable[[Config], Analyser]


class EngineError(RuntimeError):
    """An engine cannot start (dask missing, scheduler unreachable, no workers); the message says how to fix it."""


class WorkerFailure(EngineError):
    """A worker died, or a batch kept failing, mid-run; every batch finished before it is saved."""


class Engine(Protocol):
    """Runs batches through the analyser somewhere; a context manager that frees its workers on exit."""

    def analysed_batches(self, batches: Iterable[Batch]) -> Iterator[BatchResults]: ...

    def close(self) -> None: ...

    def __enter__(self) -> "Engine": ...

    def __exit__(self, *exc_info: object) -> None: ...


def open_engine(config: Config, make_analyser: AnalyserFactory) -> Engine:
    """The engine `config.engine` names, ready to analyse batches."""
    if EngineName(config.engine) is EngineName.DASK:
        from .dask import DaskEngine  # dask is an optional extra: imported only when asked for

        return DaskEngine(config, make_analyser)
    from .local import LocalEngine

    return LocalEngine(config, make_analyser)
