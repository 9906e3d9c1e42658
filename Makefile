# The two commands a newcomer needs: `make run` (set up and serve) and `make test` (set up and test).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install run worker migrate test unit integration lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first and exactly pinned, so nothing else can pull a CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/ticket-utils serve

worker: install
	$(BIN)/ticket-utils worker

migrate: install
	$(BIN)/ticket-utils migrate

# The gate: architecture contracts, lint and format, and types (strict on every layer).
lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest tests/unit -q

integration: install
	bash scripts/prepare_test_services.sh
	$(BIN)/python -m pytest tests/integration -q

# Integration tests need MariaDB and Redis; the script starts them when installed but down, and fails otherwise.
test: lint
	bash scripts/prepare_test_services.sh
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .pytest_cache
