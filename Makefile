# Two commands do all the set-up: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Stamps record which extras are installed; they are redone whenever pyproject.toml or setup.py changes.
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck unit shipped eval eval-all tuning validate knowledge fixtures bench lock image clean help

help:
	@echo "make run        set up and start the bot (console; Telegram when TELEGRAM_BOT_TOKEN is set)"
	@echo "make test       set up and run ruff, mypy, pytest and the question-set evaluation"
	@echo "make eval-all   score every question set and print the README's quality table"
	@echo "make tuning     repeat the measurement behind every tuning threshold (ARGS=--all: every set)"
	@echo "make validate   check the knowledge and intent files, and list the answers an uncommitted edit changes"
	@echo "make knowledge  check the generated knowledge files against the guideline"
	@echo "make fixtures   copy knowledge/ and intents/ into tests/fixtures/ (after changing intents on purpose)"
	@echo "make bench      measure latency, throughput, cold start and memory beside a BM25 baseline"
	@echo "make lock       re-pin the image's dependencies (requirements.lock, requirements-build.lock)"
	@echo "make image      build the container image and ask it one question (needs Docker or Podman)"

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
	$(VENV)/bin/hadolint Dockerfile
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q
	@$(MAKE) --no-print-directory shipped

# The unit tests read their own snapshot (tests/fixtures/); this checks the files the bot ships and answers
# from: valid, the generated ones equal to the guideline, and the development set answered (its expected
# phone numbers and contacts follow knowledge/updates.yaml).
shipped: $(RUN_STAMP)
	$(PY) -m bot validate
	$(PY) -m bot build-knowledge --check
	$(PY) -m bot eval tests/data/dev.yaml --min 95
	$(PY) -m bot eval tests/data/dialogs.yaml --min 95

lint: $(TEST_STAMP)
	$(PY) -m ruff check bot tests benchmarks setup.py
	$(PY) -m ruff format --check bot tests benchmarks setup.py
	$(VENV)/bin/hadolint Dockerfile

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

# Checks the files, then (when they differ from the last commit) lists the answers the edit changes.
validate: $(RUN_STAMP)
	$(PY) -m bot validate
	$(PY) -m bot impact --if-changed

knowledge: $(RUN_STAMP)
	$(PY) -m bot build-knowledge --check

# The unit tests' knowledge base: refresh it when intents, the lexicon or a file's schema change on purpose,
# and commit it with the change (tests/refresh_fixtures.py says what it copies).
fixtures: $(RUN_STAMP)
	$(PY) tests/refresh_fixtures.py

bench: $(TEST_STAMP)
	$(PY) benchmarks/run.py $(ARGS)
	$(PY) benchmarks/conversations.py

# The image installs exactly these pins (with their hashes). pip-compile resolves from PyPI alone: a local pip
# configuration (a mirror, find-links) is set aside so that the hashes are those of PyPI's files.
LOCK_FLAGS := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links

lock: $(TEST_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check 'pip-tools>=7.4,<8'
	PIP_CONFIG_FILE=/dev/null $(VENV)/bin/pip-compile $(LOCK_FLAGS) --output-file=requirements.lock pyproject.toml
	PIP_CONFIG_FILE=/dev/null $(VENV)/bin/pip-compile $(LOCK_FLAGS) --all-build-deps --only-build-deps \
		--output-file=requirements-build.lock pyproject.toml

image:
	deploy/try-image.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
