"""The default engine: the batches in this process (one worker), or in a pool of forked worker
processes on this machine (even for one batch, so the main process never loads the model), each holding one analyser (the model loads once per
process). Ctrl-C is handled by the main process alone, which then ends its workers; a worker that
dies hard (out of memory, kill -9) ends the run with WorkerFailure instead of a hang.
"""
from __future__ import annotations

import itertools
import multiprocessing
import signal
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from ..config import Config
from . import Analyser, AnalyserFactory, Batch, BatchResults, WorkerFailure

BATCHES_IN_FLIGHT_PER_WORKER = 2  # one being analysed, one waiting: workers never idle, memory stays bounded
POLL_SECONDS = 0.2  # waits in short steps so Ctrl-C is seen at once
WORKER_DIED = "a worker process died while analysing a batch (killed by the system, e.g. out of memory, or by kill -9)"


class LocalEngine:
    """Batches in this process or in `config.workers` local processes."""

    def __init__(self, config: Config, make_analyser: AnalyserFactory):
        self.config = config
        self.make_analyser = make_analyser
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "LocalEngine":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def analysed_batches(self, batches: Iterable[Batch]) -> Iterator[BatchResults]:
        """Each batch's results as soon as it is finished (in this process: in order).

        With more than one worker even a single batch goes to a worker process: the main process
        then never loads the model, so it stays small when a run adds or edits a few articles.
        """
        if self.config.workers == 1:
            analyser = self.make_analyser(self.config)
            for batch in batches:
                yield analyser.analyse(batch)
            return
        yield from self._in_pool(batches)

    def _in_pool(self, batches: Iterable[Batch]) -> Iterator[BatchResults]:
        waiting = iter(batches)
        first = list(itertools.islice(waiting, self.config.workers))
        workers = len(first)  # no more workers than batches
        if not workers:
            return
        context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                         initargs=(self.config, self.make_analyser))
        waiting = itertools.chain(first, waiting)
        running: set[Future] = set()
        while True:
            while len(running) < workers * BATCHES_IN_FLIGHT_PER_WORKER and (batch := next(waiting, None)) is not None:
                running.add(self._submit(batch))
            if not running:
                return
            done, running = wait(running, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                yield _result_of(future)

    def _submit(self, batch: Batch) -> Future:
        """Hand a batch to the pool; a worker that died before it was handed over is the same failure
        as one that dies during it (which of the two a killed worker causes is a matter of timing)."""
        try:
            return self._pool.submit(_analyse_in_worker, batch)
        except BrokenProcessPool:
            raise WorkerFailure(WORKER_DIED) from None

    def close(self) -> None:
        """End the worker processes now, also mid-batch (after Ctrl-C, the unfinished batches are redone next run)."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join()


def _result_of(future: Future) -> BatchResults:
    try:
        return future.result()
    except BrokenProcessPool:
        raise WorkerFailure(WORKER_DIED) from None


# A worker process holds exactly one analyser, built by the pool initializer: the model is loaded
# once per process, not once per batch. Only worker processes ever set this.
_WORKER_ANALYSER: Analyser | None = None


def _start_worker(config: Config, make_analyser: AnalyserFactory) -> None:
    global _WORKER_ANALYSER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled once, by the main process,
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # which ends its workers with SIGTERM
    _WORKER_ANALYSER = make_analyser(config)


def _analyse_in_worker(batch: Batch) -> BatchResults:
    assert _WORKER_ANALYSER is not None, "worker started without an analyser"
    return _WORKER_ANALYSER.analyse(batch)
