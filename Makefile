# Two commands on a fresh clone: `make extract` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CORPUS ?= corpus
OUT    ?= output
SHARED ?= ../shared
N      ?= 20000
WORKERS ?=
SOAK_N ?= 3000
KILLS  ?= 30
ENGINES_N ?= 1000
GROWTH_N ?= 1000 10000 50000 119966

.PHONY: extract add test test-fast bench bench-engines bench-incremental bench-growth soak train evaluate evaluate-language golden gazetteer clean help report sqlite bench-report

help:
	@echo "make extract [CORPUS=corpus OUT=output]   analyse new/changed articles, write tables"
	@echo "make add FILE=article.txt [DATE=YYYY-MM-DD TITLE=... SOURCE=...]   store an article in the corpus"
	@echo "make test                                  run the test suite"
	@echo "make bench [N=20000]                       throughput on ../shared/data/press-bench"
	@echo "make bench-incremental [N=20000]           add 100 / edit one / no change after a full run"
	@echo "make bench-growth [GROWTH_N=...]           make bench at 1k/10k/50k/120k articles: words/s and memory vs size"
	@echo "make soak [SOAK_N=3000 KILLS=30]           random kill -9s, resumed, vs an uninterrupted run"
	@echo "make bench-engines [ENGINES_N=1000]        local vs Dask engine: identical tables? throughput of each"
	@echo "make evaluate                              NER (with an error report), dates and entity quality figures on ../shared"
	@echo "make evaluate-language                     language detectors side by side (2-3 minutes)"
	@echo "make train                                 retrain the shipped NER model from ../shared"
	@echo "make golden                                regenerate the golden end-to-end tables"
	@echo "make report [OUT=output]                   OUT/report.html: an offline visual report of the tables"
	@echo "make sqlite [OUT=output CORPUS=corpus]     OUT/press.db: the tables (and texts) for datasette"
	@echo "make bench-report                          report/export build and open times on 120k synthetic articles"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

extract: $(VENV)/.installed
	$(PY) -m pipeline extract "$(CORPUS)" --out "$(OUT)" $(if $(WORKERS),--workers $(WORKERS))

# FILE, DATE, TITLE and SOURCE reach the shell as environment variables, never pasted into the
# command line (make exports command-line variables), so spaces, quotes and accents are safe
# (a `$` must be written `$$`, as everywhere in make).
# FILE is one file or folder; a folder or .jsonl file adds many articles at once.
add: $(VENV)/.installed
	@test -n "$$FILE" || { echo "usage: make add FILE=article.txt [DATE=YYYY-MM-DD] [TITLE=...] [SOURCE=...]" >&2; exit 2; }
	$(PY) -m pipeline add "$$FILE" --corpus "$(CORPUS)" \
	  $${DATE:+--date "$$DATE"} $${TITLE:+--title "$$TITLE"} $${SOURCE:+--source "$$SOURCE"}

test: $(VENV)/.installed
	$(PY) -m pytest

test-fast: $(VENV)/.installed
	$(PY) -m pytest -m "not slow"

bench: $(VENV)/.installed
	$(PY) tools/bench.py --shared "$(SHARED)" -n $(N)

bench-engines: $(VENV)/.installed
	$(PY) tools/compare_engines.py --shared "$(SHARED)" -n $(ENGINES_N) --workers 2 --rounds 1

# after a full run on the first N press-bench articles: a no-change rerun, 100 added, one edited
bench-incremental: $(VENV)/.installed
	$(PY) tools/bench_incremental.py --shared "$(SHARED)" -n $(N)

# tools/bench.py at several corpus sizes, each in its own process: words/s vs 10k, peak memory
bench-growth: $(VENV)/.installed
	$(PY) tools/bench_growth.py --shared "$(SHARED)" -n $(GROWTH_N)

soak: $(VENV)/.installed
	$(PY) tools/soak.py --shared "$(SHARED)" -n $(SOAK_N) --kills $(KILLS) --workers 1

train: $(VENV)/.installed
	$(PY) tools/train_ner.py --shared "$(SHARED)" --out models/nl_press_ner

evaluate: $(VENV)/.installed
	$(PY) tools/evaluate_ner.py --shared "$(SHARED)"
	$(PY) tools/ner_errors.py --shared "$(SHARED)" --split press-v2-dev
	$(PY) tools/compare_dates.py
	$(PY) tools/check_weekdays.py --shared "$(SHARED)"
	$(PY) tools/evaluate_entities.py --data "$(SHARED)/data/press-annotated" --split dev --ner models/nl_press_ner --bench "$(SHARED)/data/press-bench/articles.jsonl.gz"

evaluate-language: $(VENV)/.installed
	$(PY) tools/compare_language.py

# Where a worker's memory goes (loads, per-batch peaks, growth with N); see README "Worker memory".
.PHONY: worker-memory
WORKER_MEMORY_N ?= 3000
worker-memory: $(VENV)/.installed
	$(PY) tools/worker_memory.py --shared "$(SHARED)" -n $(WORKER_MEMORY_N)

golden: $(VENV)/.installed
	$(PY) -m pipeline extract tests/fixtures/corpus --out tests/golden --workers 1 --no-progress
	rm -rf tests/golden/.pipeline

gazetteer: $(VENV)/.installed
	$(PY) tools/build_gazetteer.py

report: $(VENV)/.installed
	$(PY) -m pipeline report "$(OUT)"

sqlite: $(VENV)/.installed
	$(PY) -m pipeline export "$(OUT)" --sqlite "$(OUT)/press.db" --corpus "$(CORPUS)"

bench-report: $(VENV)/.installed
	$(PY) tools/synth_tables.py --out build/synth-tables
	$(PY) tools/bench_report.py --tables build/synth-tables

clean:
	rm -rf output build .pytest_cache
