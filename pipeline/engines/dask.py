"""The Dask engine: batches run as tasks on a Dask cluster, a `distributed.LocalCluster` on this
machine (no --scheduler) or an existing one (`dask scheduler` + `dask worker` on other machines
with the same package and model; workers read no corpus and write no output).

Each worker process builds its analyser on its first batch and keeps it (the model loads once per
worker, never per task); a failed task is retried; a lost worker's batches are run again elsewhere
by the scheduler. Only a few batches per worker are in flight, so memory stays bounded whatever the
corpus size. The main process receives each finished batch and saves it at once, as with the local
engine, so a run that stops keeps every finished batch.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
import signal
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace

from ..config import DASK_INSTALL_HINT, DEFAULT_MODEL, Config
from . import Analyser, AnalyserFactory, Batch, BatchResults, EngineError, WorkerFailure

BATCHES_IN_FLIGHT_PER_WORKER = 2  # one being analysed, one queued on the worker: no idle gap, bounded memory
TASK_RETRIES = 2  # a batch that fails (not an article: articles are isolated by the analyser) is tried 3 times
CONNECT_TIMEOUT = "20s"  # to reach a --scheduler address
WORKERS_TIMEOUT = 60.0  # seconds to wait for the first worker of a cluster that has none yet
# Our LocalCluster has no dashboard, so it needs none of the dashboard's sampling: an idle 2-worker
# cluster burnt 0.10 CPU-s per second with Dask's defaults (event-loop ticks every 20 ms, system
# monitor every 0.5 s, memory monitor every 0.1 s, profiler 100 samples/s), 0.016 with these;
# on a loaded machine a run lasts long, and with that overhead the Dask engine analysed 30% fewer
# words per CPU-second than the local one (1,000 press-bench articles), 13% fewer without it.
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",  # still pauses or restarts a worker near its memory limit
    # Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's mmap
    # threshold at 128 KB: every larger numpy array of the NER stage is then mapped and unmapped
    # afresh, 6x the page faults and about 10% more CPU per word (measured on 400 press-bench
    # articles). None removes the variable; memory is still returned to the system at glibc's default.
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


class DaskEngine:
    """Batches as tasks on a Dask cluster; the local one is started here and ended by `close`."""

    def __init__(self, config: Config, make_analyser: AnalyserFactory):
        self.config = config
        self.make_analyser = make_analyser
        # what a worker needs: no corpus, output or alias paths, which only this machine reads
        self._worker_config = replace(config, corpus=None, out=None, aliases=None)
        self._fingerprint = code_and_model(config)
        self._cluster = None
        if config.scheduler:
            self._client = _connect(config.scheduler)
        else:
            self._cluster, self._client = _local_cluster(config.workers)

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def analysed_batches(self, batches: Iterable[Batch]) -> Iterator[BatchResults]:
        """Each batch's results as soon as it is finished, in the order they finish."""
        from distributed import as_completed

        waiting = iter(batches)
        limit = BATCHES_IN_FLIGHT_PER_WORKER * self._worker_count()
        running = as_completed([self._submit(batch) for batch in _take(waiting, limit)])
        for future in running:
            results, times, fingerprint = self._result_of(future)
            future.release()  # the main process has the results now; workers may forget them
            if fingerprint != self._fingerprint:
                raise EngineError(_mismatch(fingerprint, self._fingerprint))
            for batch in _take(waiting, 1):
                running.add(self._submit(batch))
            yield results, times

    def _submit(self, batch: Batch):
        return self._client.submit(_analyse_on_worker, self.make_analyser, self._worker_config, batch,
                                   self.config.model == DEFAULT_MODEL, pure=False, retries=TASK_RETRIES)

    def _result_of(self, future):
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker as error:
            raise WorkerFailure(f"Dask workers died again and again on one batch ({error})") from None
        except Exception as error:  # noqa: BLE001 - a task's own exception, raised again after its retries
            raise WorkerFailure(f"a batch failed on the Dask cluster {TASK_RETRIES + 1} times "
                                f"({type(error).__name__}: {error})") from None

    def _worker_count(self) -> int:
        """Workers now in the cluster (at least one: a cluster without workers is waited for first)."""
        try:
            self._client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except TimeoutError:
            raise EngineError(
                f"the Dask scheduler at {self.config.scheduler} has no workers after {WORKERS_TIMEOUT:.0f} s: start "
                f"`dask worker {self.config.scheduler} --nthreads 1` on each machine"
            ) from None
        return max(1, len(self._client.scheduler_info(n_workers=-1)["workers"]))

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _take(items: Iterator[Batch], count: int) -> list[Batch]:
    return [batch for _, batch in zip(range(count), items)]


def _local_cluster(workers: int):
    """A LocalCluster of `workers` processes with one thread each (spaCy is not run on threads)."""
    distributed = _import_distributed()
    import dask

    with dask.config.set(QUIET_CLUSTER), _workers_ignore_ctrl_c():
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.CRITICAL,
                                           # its health-check server on any free local port, not 8787
                                           # (a warning on stderr when another cluster holds that)
                                           scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    return cluster, distributed.Client(cluster)


@contextlib.contextmanager
def _workers_ignore_ctrl_c():
    """Worker processes started in here ignore SIGINT, which they inherit through exec: Ctrl-C reaches
    the whole process group, and only the main process should handle it (saying what was saved, then
    closing the cluster), not every worker with a traceback of its own. (Ctrl-C is ignored while
    the cluster starts, a few seconds.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _connect(address: str):
    distributed = _import_distributed()
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise EngineError(
            f"cannot reach the Dask scheduler at {address} ({error}): start one with `dask scheduler` on that "
            "machine and pass the address it prints (tcp://HOST:8786), with port 8786 open between the machines; "
            "or leave --scheduler out to start a cluster on this machine"
        ) from None


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise EngineError(f"--engine dask needs dask and distributed, which are not installed: {DASK_INSTALL_HINT}") from None
    return distributed


def code_and_model(config: Config) -> str:
    """What must be the same on every worker: the package version and the model's fingerprint."""
    from .. import __version__
    from ..ner import model_fingerprint

    return f"package {__version__}, model {model_fingerprint(config.model)}"


def _mismatch(worker: str, here: str) -> str:
    return (f"a Dask worker runs {worker}, this machine {here}: install the same package version and model on every "
            "worker (the tables must not mix results of two models), then run again")


# Worker side. One analyser per worker thread (a Dask worker started with --nthreads 1, as our
# LocalCluster is, has exactly one), built on its first batch and kept for the process's lifetime.
# Dask runs every task in a fresh copy of the thread's context variables, which would drop those
# set while the analyser was built (thinc keeps its current ops, numpy's BLAS for NER, in one: the
# NER stage ran 1.4x slower from the second batch on), so each batch runs in the context the
# analyser was built in.
_WORKER = threading.local()


def _analyse_on_worker(make_analyser: AnalyserFactory, config: Config, batch: Batch, shipped_model: bool):
    """A batch's results, timings and the worker's code-and-model fingerprint. The shipped model is
    taken from the worker's own installation, which need not be at the same path as the client's."""
    if shipped_model:
        config = replace(config, model=DEFAULT_MODEL)
    key = (make_analyser, config)
    if getattr(_WORKER, "key", None) != key:
        _WORKER.context = contextvars.copy_context()
        _WORKER.analyser = _WORKER.context.run(make_analyser, config)
        _WORKER.fingerprint, _WORKER.key = code_and_model(config), key
    analyser: Analyser = _WORKER.analyser
    results, times = _WORKER.context.run(analyser.analyse, batch)
    return results, times, _WORKER.fingerprint
