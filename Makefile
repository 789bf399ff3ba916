# Two commands do all the set-up: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Stamps record which extras are installed; they are redone whenever pyproject.toml or setup.py changes.
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck unit eval eval-all tuning validate knowledge bench clean help

help:
	@echo "make run        set up and start the bot (console; Telegram when TELEGRAM_BOT_TOKEN is set)"
	@echo "make test       set up and run ruff, mypy, pytest and the question-set evaluation"
	@echo "make eval-all   score every question set and print the README's quality table"
	@echo "make tuning     repeat the measurement behind every tuning threshold (ARGS=--all: every set)"
	@echo "make validate   check the knowledge and intent files"
	@echo "make knowledge  check the generated knowledge files against the guideline"
	@echo "make bench      measure latency, throughput, cold start and memory beside a BM25 baseline"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml setup.py | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(TEST_STAMP): pyproject.toml setup.py | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	@$(PY) -m bot $(ARGS)

test: $(TEST_STAMP)
	$(PY) -m ruff check bot tests benchmarks setup.py
	$(PY) -m ruff format --check bot tests benchmarks setup.py
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q
	$(PY) -m bot eval tests/data/dev.yaml --min 95
	$(PY) -m bot eval tests/data/dialogs.yaml --min 95

lint: $(TEST_STAMP)
	$(PY) -m ruff check bot tests benchmarks setup.py
	$(PY) -m ruff format --check bot tests benchmarks setup.py

typecheck: $(TEST_STAMP)
	$(PY) -m mypy

unit: $(TEST_STAMP)
	$(PY) -m pytest -q $(ARGS)

eval: $(RUN_STAMP)
	$(PY) -m bot eval tests/data/dev.yaml $(ARGS)

eval-all: $(RUN_STAMP)
	@$(PY) -m bot eval-all tests/data/sets.yaml

tuning: $(RUN_STAMP)
	$(PY) -m bot tuning $(ARGS)

validate: $(RUN_STAMP)
	$(PY) -m bot validate

knowledge: $(RUN_STAMP)
	$(PY) -m bot build-knowledge --check

bench: $(TEST_STAMP)
	$(PY) benchmarks/run.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
