# The front door. `make run` and `make test` are the README's two commands.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint install lock clean

# Every package comes at the version pinned in constraints.txt (the lock), build
# tools included (PIP_CONSTRAINT reaches pip's isolated build environment too).
PIP_INSTALL := PIP_CONSTRAINT=$(CURDIR)/constraints.txt $(BIN)/pip install --quiet \
	--disable-pip-version-check

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Refresh the lock: resolve pyproject's dependencies anew in a scratch venv.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --disable-pip-version-check '.[dev,bench]' \
		'setuptools>=77,<85'
	{ echo "# The lock: every package newsbeam installs, at the version CI tested."; \
	  echo "# Used as pip constraints by make, the Dockerfile and CI. Refresh: make lock"; \
	  .lock-venv/bin/pip freeze --all --disable-pip-version-check --exclude newsbeam \
	    --exclude pip --exclude wheel; } > constraints.txt
	rm -rf .lock-venv

## Run the main job: the seed articles into ./lake (the embedded default).
run: $(STAMP)
	$(BIN)/newsbeam ingest seeds/ --output ./lake

## Lint, type-check and run the whole test suite.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy pipelines transforms schemas models evaluation
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf lake .pytest_cache .mypy_cache .ruff_cache
