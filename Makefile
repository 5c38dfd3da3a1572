# Deep learning for music — the two commands a learner needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 2
export KERAS_BACKEND := tensorflow
export PYTHONHASHSEED := 0

.PHONY: setup run test lint test-unit test-clean test-notebooks test-models test-colab lab data models bench clean help

help:
	@echo "make run    set up, build the data cache, execute every notebook into build/ and print a summary"
	@echo "make test   set up, then ruff, unit tests, clean-notebook check and every notebook under nbval"
	@echo "make lab    open the course in JupyterLab"
	@echo "make data   build the chorale cache in data/"
	@echo "make models (maintainers) retrain the networks shipped in helpers/harmonize/networks; commit them"
	@echo "make test-models  retrain the shipped recipes here and run notebooks 08-11 on them"
	@echo "make bench  measure loading and pianoroll speed, the seed spread of every asserted model (build/seeds.md, build/ablation.md), the phrase-ending finder against its baselines, the melody path through the command, the melody key finder against music21's key profiles, kept notes (bench/keep.py) and the four-part style rules (build/style.md)"
	@echo "make test-colab  (maintainers) run the notebooks against Google Colab's package versions"
	@echo "make clean  remove build/, the data cache, the networks trained on this machine (data/models) and the environment; the shipped networks stay"

setup: $(STAMP)

# uv installs the same versions as pip in about a third of the time (37 s against 110 s from a fresh clone on 2 cores:
# parallel downloads and unpacking, bytecode compiled on every core). Where uv cannot reach the index (a proxy it
# does not trust, say), pip installs the same packages.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10 or newer is needed, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip "uv>=0.4"
	$(BIN)/python -m uv pip install --quiet --python $(BIN)/python --compile-bytecode -e ".[cpu,dev]" || $(BIN)/python -m pip install --quiet -e ".[cpu,dev]"
	touch $(STAMP)

data: setup
	$(BIN)/python -m helpers data

# For maintainers: retrain the networks that ship with the course (helpers/harmonize/networks: weights and manifest)
# after a change to the recipes or the training code (tests/test_shipped.py says when); then commit them.
models: setup
	$(BIN)/python -m helpers train-harmonizer --ship

run: setup data
	$(BIN)/python scripts/run_course.py

test: setup lint test-unit test-clean test-notebooks

lint: setup
	$(BIN)/ruff check helpers tests scripts bench notebooks

# The data cache first: the tests that need the whole corpus copy it instead of parsing it on each worker.
test-unit: setup data
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests

test-clean: setup
	$(BIN)/python scripts/clean_notebooks.py --check

# Two lanes side by side (scripts/nbval_lanes.py): 00, 01 and 04-07 in one, 08-11 (each reads what the one before
# saved) and then 02 and 03 in the other. The data cache is built first, so that no two notebooks build it at once.
test-notebooks: setup data
	$(BIN)/python scripts/nbval_lanes.py

# After `make models` (when tests/test_shipped.py asks for it): train every shipped recipe's networks afresh on this
# machine, into build/test-models, and run the notebooks that load them against their asserted bounds.
TEST_MODELS := $(CURDIR)/build/test-models
test-models: setup
	rm -rf $(TEST_MODELS)
	COURSE_MODELS_DIR=$(TEST_MODELS) $(BIN)/python -m helpers train-harmonizer
	cd notebooks && COURSE_MODELS_DIR=$(TEST_MODELS) ../$(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax \
		--nbval-current-env --nbval-cell-timeout=900 08_key_classification.ipynb 09_harmonization.ipynb \
		10_four_part_harmonization.ipynb 11_harmonize_your_melody.ipynb

lab: setup
	$(BIN)/jupyter lab notebooks

# For maintainers, not part of `make test`: a separate environment with exactly the versions Google Colab
# preinstalls (tests/colab-versions.txt; refresh it when Colab moves on), the course installed on top as the Colab
# cell installs it (no `cpu` extra, nothing of Colab's replaced: `pip check` and the dry run below show it), then
# every notebook under nbval. Colab runs Python 3.13; COLAB_PYTHON picks the interpreter.
COLAB_PYTHON ?= $(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null || echo $(PYTHON))
COLAB_VENV := .venv-colab
COLAB_VERSIONS := tests/colab-versions.txt
test-colab:
	rm -rf $(COLAB_VENV)
	$(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COLAB_VENV)/bin/python -m pip install --quiet -r $(COLAB_VERSIONS)
	$(COLAB_VENV)/bin/python -m pip install --dry-run --constraint $(COLAB_VERSIONS) . 2>&1 | grep -v "^WARNING: Location"
	$(COLAB_VENV)/bin/python -m pip install --quiet --constraint $(COLAB_VERSIONS) . "nbval>=0.11" "pytest>=8.0"
	$(COLAB_VENV)/bin/python -m pip check
	$(COLAB_VENV)/bin/python -m pip freeze | grep -i -E "^($$(cut -d= -f1 $(COLAB_VERSIONS) | grep -v '^#' | paste -sd'|'))==" \
		| diff - <(grep -v '^#' $(COLAB_VERSIONS) | sort -f) && echo "Colab's versions unchanged"
	cd notebooks && COURSE_DATA_DIR=$(CURDIR)/data COURSE_BUILD_DIR=$(CURDIR)/build/colab \
		../$(COLAB_VENV)/bin/python -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env --nbval-cell-timeout=900 .

bench: setup
	$(BIN)/python bench/bench_data.py
	$(BIN)/python bench/seeds.py
	$(BIN)/python bench/ablation.py
	$(BIN)/python bench/phrases.py --no-write
	$(BIN)/python bench/melody_path.py
	$(BIN)/python bench/keys.py
	$(BIN)/python bench/keep.py
	mkdir -p build && $(BIN)/python bench/style.py --test > build/style.md && cat build/style.md

clean:
	rm -rf build $(VENV) $(COLAB_VENV) .pytest_cache .ruff_cache
	find data -mindepth 1 ! -name README.md -delete
