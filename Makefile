# Every target installs what it needs into .venv on first use (and only then).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: play test bench bench-strength bench-balance lint install accel clean chromium

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# The compiled engine (mypyc, about a minute the first time, instant when the sources are
# unchanged). Without it everything still runs, on the pure-Python engine.
accel: $(STAMP)
	@$(BIN)/wedge accel build || echo "warning: the compiled engine could not be built; the pure-Python engine will run"

play: $(STAMP) accel
	$(BIN)/wedge play scenarios/standard.yaml

test: $(STAMP) lint accel chromium
	$(BIN)/python -m pytest -q -n 2

# tests/web drives a real headless Chromium: Debian's package, installed once (needs root).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "warning: could not install chromium: tests/web will be skipped"

lint: $(STAMP)
	$(BIN)/ruff check game tui tests bench
	$(BIN)/mypy

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

# Speed figures (print, never assert): engine hot path, agents and ISMCTS, parallel playtests.
bench: $(BENCH_STAMP) accel
	$(BIN)/python bench/engine_bench.py
	$(BIN)/python bench/ismcts_bench.py
	$(BIN)/python bench/parallel_bench.py --games 1000

# Playing strength (paired games, significance tests); several minutes on 2 cores.
bench-strength: $(STAMP) accel
	$(BIN)/python bench/strength.py --seat us --games 200

# The standard scenario's balance report (its balance: targets; docs/playtests.md); resumable.
bench-balance: $(STAMP) accel
	$(BIN)/wedge balance scenarios/standard.yaml --out runs/balance-standard

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
