# Deep learning for music — the two commands a learner needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 2
export KERAS_BACKEND := tensorflow
export PYTHONHASHSEED := 0

.PHONY: setup run test lint test-unit test-clean test-notebooks lab data bench clean help

help:
	@echo "make run    set up, build the data cache, execute every notebook into build/ and print a summary"
	@echo "make test   set up, then ruff, unit tests, clean-notebook check and every notebook under nbval"
	@echo "make lab    open the course in JupyterLab"
	@echo "make data   build the chorale cache in data/"
	@echo "make bench  measure loading and pianoroll speed"
	@echo "make clean  remove build/, the data cache and the environment"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[cpu,dev]"
	touch $(STAMP)

data: setup
	$(BIN)/python -m helpers data

run: setup data
	$(BIN)/python scripts/run_course.py

test: setup lint test-unit test-clean test-notebooks

lint: setup
	$(BIN)/ruff check helpers tests scripts bench notebooks

test-unit: setup
	$(BIN)/python -m pytest -q tests

test-clean: setup
	$(BIN)/python scripts/clean_notebooks.py --check

test-notebooks: setup
	cd notebooks && ../$(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env --nbval-cell-timeout=900 .

lab: setup
	$(BIN)/jupyter lab notebooks

bench: setup
	$(BIN)/python bench/bench_data.py

clean:
	rm -rf build $(VENV) .pytest_cache .ruff_cache
	find data -mindepth 1 ! -name README.md -delete
