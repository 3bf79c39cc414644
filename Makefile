# Each target creates or refreshes the virtualenv first, so any of them
# works as the very first command on a fresh machine.
#
# The virtualenv holds exactly what uv.lock says (the whole tree, pinned,
# with hashes), whatever PyPI serves today; pyproject.toml keeps ranges for
# people who install onegrid as a library. uv itself comes from PyPI at one
# pinned version into .tools/.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# never a downloaded interpreter: the machine's python3.11/3.12
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: serve test bench lint venv lock lock-check frozen clean

$(UV):
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)

# --locked: refuse (rather than quietly re-resolve) when pyproject.toml and
# uv.lock disagree; sync is exact, so anything not in the lock is removed
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync -q --locked --extra dev --python $(PYTHON)
	@touch $(STAMP)

venv: $(STAMP)

serve: $(STAMP)
	$(BIN)/onegrid serve

# two workers, a file's tests together (its module fixtures are built once);
# TEST_WORKERS=0 runs them in this process
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check platform tests bench
	$(BIN)/ruff format --check platform tests bench

# refresh the lock after editing pyproject.toml (keeps every other pin);
# `make lock UPGRADE=flask` moves one package to its newest allowed release
lock: $(UV)
	$(UV) lock --python $(PYTHON) $(if $(UPGRADE),--upgrade-package $(UPGRADE))

# CI: pyproject.toml and uv.lock agree
lock-check: $(UV)
	$(UV) lock --check --python $(PYTHON)

# CI: what .venv holds is exactly the lock (pip freeze against uv export)
frozen: $(STAMP)
	$(BIN)/python .ci/frozen.py $(UV)

clean:
	rm -rf $(VENV) $(TOOLS) build dist *.egg-info platform/*.egg-info
