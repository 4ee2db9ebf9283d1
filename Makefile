# The two commands a new user needs: `make handouts` and `make test`.
# Both set up everything first: missing Debian packages, then the virtualenv.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
# `make handouts FORMATS=pdf,docx` also writes Word files to build/docx/.
FORMATS ?= pdf
# SHARD=K/N (CI's matrix jobs): build only the K-th of N shares, see README "Sharding".
SHARD  ?=

.PHONY: handouts test bench fuzz lint setup system clean

handouts: setup
	$(PY) -m handouts build-all --out build --jobs $(JOBS) --formats $(FORMATS)$(if $(SHARD), --shard $(SHARD))

test: setup
	$(PY) -m pytest -q -n auto --dist loadfile

bench: setup
	$(PY) -m handouts.bench $(if $(SIZE),--size $(SIZE))

# Ten minutes of damaged seed pages through the loader (tests/fuzzing.py); prints any
# failing case's seed.  FUZZ_SECONDS=60 make fuzz for a shorter run.
FUZZ_SECONDS ?= 600
fuzz: setup
	$(PY) tests/fuzzing.py --seconds $(FUZZ_SECONDS)

lint: setup
	$(VENV)/bin/ruff check handouts tests

setup: system $(STAMP)
	@$(PY) -m compileall -q handouts

# The package's bytecode, written here because images often set PYTHONDONTWRITEBYTECODE
# (this one does): without it every command compiles the package from source again,
# a third of a nothing-changed `build-all`.  compileall skips what is up to date.

# Re-checked on every run (cheap and quiet when all is present): a stamp would hide a
# package removed since, and CI machines are fresh anyway.
system:
	@bash tools/ensure-system-packages.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

clean:
	rm -rf build .pytest_cache
