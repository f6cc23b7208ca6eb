"""Where batches run (pipeline/engines/): the local engine as before, a worker killed hard, the Dask
engine giving the same tables byte for byte, and clear errors for engine settings that cannot work.

Fast tests use the tiny rule-based model; the Dask-against-golden test uses the shipped model.
"""
from __future__ import annotations

import contextlib
import contextvars
import importlib
import io
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline import Config, ConfigError, run
from pipeline.cli import EXIT_USAGE, EXIT_WORKER_FAILED, main
from pipeline.corpus import read_corpus
from pipeline.engines import open_engine
from pipeline.tables import TABLE_COLUMNS
from tests.conftest import FIXTURES, MODEL, REPO

GOLDEN = Path(__file__).resolve().parent / "golden"
run_module = importlib.import_module("pipeline.run")  # the module; `pipeline.run` is the function
KILLED_ARTICLE = "rotterdam-haven"


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A private copy of our fixture corpus: 11 inputs, 6 of them readable articles."""
    return Path(shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus"))


def config(corpus: Path, out: Path, model: Path, **overrides) -> Config:
    return Config(corpus=corpus, out=out, model=model, progress=False, **({"workers": 1} | overrides))


def tables_of(out: Path) -> dict[str, bytes]:
    return {name: (out / f"{name}.csv").read_bytes() for name in TABLE_COLUMNS}


# ---------------------------------------------------------------- configuration

@pytest.mark.parametrize(
    "settings, message",
    [
        ({"engine": "spark"}, "engine 'spark' is unknown: use one of local, dask"),
        ({"scheduler": "tcp://10.0.0.5:8786"}, r"a scheduler address \(tcp://10.0.0.5:8786\) needs the Dask engine: add --engine dask"),
        ({"engine": "dask", "scheduler": "tcp://10.0.0.5 :8786"}, "scheduler address 'tcp://10.0.0.5 :8786' is not an address"),
        ({"engine": "dask", "scheduler": ""}, "scheduler address '' is not an address: use e.g. tcp://10.0.0.5:8786"),
    ],
    ids=["unknown-engine", "scheduler-without-dask", "address-with-space", "empty-address"],
)
def test_engine_settings_that_cannot_work_are_refused(tmp_path, settings, message):
    with pytest.raises(ConfigError, match=message):
        Config(corpus=tmp_path, out=tmp_path / "out", **settings)


def test_dask_engine_without_dask_installed_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr("pipeline.config.dask_installed", lambda: False)
    with pytest.raises(ConfigError, match=r"--engine dask needs dask and distributed, which are not installed: "
                                          r"pip install 'dutch-press-pipeline\[dask\]'"):
        Config(corpus=tmp_path, out=tmp_path / "out", engine="dask")


def test_local_engine_and_the_cli_do_not_import_dask():
    code = ("import sys, pipeline.cli, pipeline.run, pipeline.engines.local; "
            "sys.exit(any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


# ---------------------------------------------------------------- the local engine

def test_local_engine_in_process_yields_each_batch_in_order(corpus, ruler_model):
    documents = [d for d in read_corpus(corpus) if not d.problem]
    batches = [documents[:2], documents[2:5], documents[5:]]
    with open_engine(config(corpus, None, ruler_model), run_module.Analyser) as engine:
        finished = [[r.document.doc_id for r in results] for results, _ in engine.analysed_batches(batches)]
    assert finished == [[d.doc_id for d in batch] for batch in batches]


@pytest.mark.slow
def test_process_pool_gives_the_tables_of_one_process(corpus, tmp_path, ruler_model):
    run(config(corpus, tmp_path / "one", ruler_model))
    run(config(corpus, tmp_path / "two", ruler_model, workers=2, batch_size=1))
    assert tables_of(tmp_path / "two") == tables_of(tmp_path / "one")


def test_tables_do_not_depend_on_the_order_batches_finish_in(corpus, tmp_path, ruler_model, monkeypatch):
    run(config(corpus, tmp_path / "in-order", ruler_model, batch_size=1))
    monkeypatch.setattr(run_module, "open_engine", ReversingEngine)
    run(config(corpus, tmp_path / "reversed", ruler_model, batch_size=1))
    assert tables_of(tmp_path / "reversed") == tables_of(tmp_path / "in-order")


class ReversingEngine:
    """The local engine, with the finished batches handed over last first (as a cluster may)."""

    def __init__(self, config: Config, make_analyser):
        self.engine = open_engine(config, make_analyser)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.engine.close()

    def analysed_batches(self, batches):
        return reversed(list(self.engine.analysed_batches(batches)))


class DiesOnOneArticle(run_module.Analyser):
    """An analyser whose process is killed hard (as by the OOM killer) when it meets one article."""

    def analyse(self, documents):
        if any(d.doc_id == KILLED_ARTICLE for d in documents):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().analyse(documents)


@pytest.mark.slow
def test_worker_killed_hard_ends_the_run_with_a_message_and_the_next_run_finishes(corpus, tmp_path, ruler_model,
                                                                                   monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(run_module, "Analyser", DiesOnOneArticle)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["extract", str(corpus), "--out", str(out), "--model", str(ruler_model), "--workers", "2",
                     "--batch-size", "1", "--no-progress"])
    assert code == EXIT_WORKER_FAILED and "Traceback" not in stderr.getvalue()
    assert ("error: a worker process died while analysing a batch (killed by the system, e.g. out of memory, or by "
            "kill -9): ") in stderr.getvalue()
    assert " of 6 articles were analysed and saved; run again to finish the rest" in stderr.getvalue()
    monkeypatch.undo()
    summary = run(config(corpus, out, ruler_model))
    assert summary.unchanged >= 5 and summary.new <= 6  # the 5 unreadable inputs were saved before analysis began
    run(config(corpus, tmp_path / "uninterrupted", ruler_model))
    assert tables_of(out) == tables_of(tmp_path / "uninterrupted")


# ---------------------------------------------------------------- the Dask engine

BUILT_WITH: contextvars.ContextVar[str] = contextvars.ContextVar("built_with", default="task default")


class ContextAnalyser:
    """Sets a context variable while it is built, as loading the model sets thinc's current ops."""

    built = 0

    def __init__(self, config: Config):
        type(self).built += 1
        BUILT_WITH.set("numpy ops")

    def analyse(self, documents):
        return [BUILT_WITH.get()], None


def test_dask_worker_builds_its_analyser_once_and_runs_every_batch_in_its_context(tmp_path):
    pytest.importorskip("distributed")
    from pipeline.engines.dask import _analyse_on_worker

    ContextAnalyser.built = 0
    worker_config = Config(corpus=None, out=None, model=tmp_path)
    for _ in range(3):  # Dask runs each task in a fresh copy of the thread's context
        results, _, _ = contextvars.copy_context().run(_analyse_on_worker, ContextAnalyser, worker_config, [], False)
        assert results == ["numpy ops"]
    assert ContextAnalyser.built == 1
    contextvars.copy_context().run(_analyse_on_worker, ContextAnalyser, replace(worker_config, batch_size=8), [], False)
    assert ContextAnalyser.built == 2  # other settings: another analyser

def test_unreachable_scheduler_is_a_clear_error(corpus, tmp_path, ruler_model, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("pipeline.engines.dask.CONNECT_TIMEOUT", "1s")
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["extract", str(corpus), "--out", str(tmp_path / "out"), "--model", str(ruler_model),
                     "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "--no-progress"])
    assert code == EXIT_USAGE
    assert "error: cannot reach the Dask scheduler at tcp://127.0.0.1:9 (" in stderr.getvalue()
    assert "start one with `dask scheduler` on that machine" in stderr.getvalue()


@pytest.mark.slow
def test_dask_engine_on_a_two_worker_local_cluster_gives_the_golden_tables(tmp_path):
    pytest.importorskip("distributed")
    corpus = Path(shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus"))
    summary = run(config(corpus, tmp_path / "out", MODEL, engine="dask", workers=2, batch_size=1))
    assert summary.new == 11
    assert tables_of(tmp_path / "out") == tables_of(GOLDEN)  # the golden tables come from the local engine


def _worker_environment() -> dict[str, str | None]:
    return {name: os.environ.get(name) for name in ("MALLOC_TRIM_THRESHOLD_", "OMP_NUM_THREADS")}


@pytest.mark.slow
def test_local_cluster_workers_keep_glibcs_own_mmap_threshold():
    """Dask's MALLOC_TRIM_THRESHOLD_ would cost the NER stage about 10% more CPU per word."""
    pytest.importorskip("distributed")
    from pipeline.engines.dask import _local_cluster

    cluster, client = _local_cluster(1)
    try:
        environments = list(client.run(_worker_environment).values())
    finally:
        client.close()
        cluster.close()
    assert environments == [{"MALLOC_TRIM_THRESHOLD_": None, "OMP_NUM_THREADS": "1"}]
