# Two commands on a fresh clone: `make demo` and `make test`. Each builds its own environment.
PYTHON ?= python3
VENV := .venv
LAVA_VENV := .venv-lava
# Lava 0.10 needs Python 3.10 with numpy<2: pyenv's 3.10.13 if present, else python3.10 on PATH.
PY310 := $(shell p=$$(pyenv prefix 3.10.13 2>/dev/null) && [ -x "$$p/bin/python" ] && echo "$$p/bin/python" || command -v python3.10 2>/dev/null)

.PHONY: test test-core test-nojit test-cuda lint test-lava demo bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q -e '.[dev]'
	touch $@

$(LAVA_VENV)/.installed: pyproject.toml
	$(PY310) -m venv $(LAVA_VENV)
	$(LAVA_VENV)/bin/python -m pip install -q --upgrade pip
	$(LAVA_VENV)/bin/python -m pip install -q 'lava-nc==0.10.0' 'numpy<2' -e '.[dev]'
	touch $@

test: test-core test-nojit test-cuda lint test-lava

# In CI (CI=true) nothing may pass by not running: a missing Python 3.10 or Lava, or a SANA-FE
# cross-check that could not run, fails the build instead of printing a banner.
test-core: $(VENV)/.installed
	@if [ -n "$$CI" ] && ! $(VENV)/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
		echo "CI: the SANA-FE cross-check needs the core environment on Python 3.11 (PYTHON=python3.11)"; exit 1; fi
	$(VENV)/bin/python -m pytest tests --ignore=tests/conformance

# The kernels as plain Python (NUMBA_DISABLE_JIT=1), against the same oracles: coverage sees them,
# and integer overflow that the JIT would hide becomes an error.
NOJIT_TESTS := tests/test_kernels.py tests/test_emulator_vs_reference.py tests/test_mapping.py
test-nojit: $(VENV)/.installed
	NUMBA_DISABLE_JIT=1 $(VENV)/bin/python -m pytest -q -p no:cacheprovider -W error::RuntimeWarning \
		$(NOJIT_TESTS) -k "not cli"

# The CUDA backend against the CPU backend under numba-cuda's simulator (no GPU needed), and the
# device script's smoke run. On a machine with a GPU, test-core runs the same tests on it.
test-cuda: $(VENV)/.installed
	NUMBA_ENABLE_CUDASIM=1 $(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/test_cuda_backend.py

# The import layers (pyproject.toml, [tool.importlinter]). Checked on an installed copy: the
# kernels/ and profiles/ folders become neurochip.kernels and neurochip.profiles only there.
LINT_SITE := .lint-site
lint: $(VENV)/.installed
	rm -rf build $(LINT_SITE)
	$(VENV)/bin/python -m pip install -q --no-deps --no-build-isolation --target $(LINT_SITE) .
	rm -rf build
	cd $(LINT_SITE) && PYTHONPATH=.:$$(../$(VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') \
		../$(VENV)/bin/python -S -c 'import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())' \
		--no-cache ../pyproject.toml

# The Python 3.10 environment (numpy 1.26) runs the whole suite but the slow process-level tests
# (signals, kill -9, Dask, wheels, the NIR fuzz: already run by test-core): core tests on the
# oldest supported Python and numpy, plus the live-Lava conformance tests that only run there.
# The randomized oracles there draw a quarter of their examples (tests/budget.py); the live-Lava
# runs, mostly waiting on Lava's process start-up, go two at a time (pytest-xdist).
test-lava:
	@if [ -z "$(PY310)" ]; then \
		echo "################################################################"; \
		echo "# LAVA CONFORMANCE SKIPPED: no Python 3.10 interpreter found.   #"; \
		echo "# Install one (pyenv install 3.10.13) to check bit-exactness.  #"; \
		echo "################################################################"; \
		if [ -n "$$CI" ]; then echo "CI: Lava conformance must run; failing."; exit 1; fi; \
	else \
		$(MAKE) --no-print-directory $(LAVA_VENV)/.installed && \
		NEUROCHIP_EXAMPLES_SCALE=0.25 $(LAVA_VENV)/bin/python -m pytest -m "not slow" tests --ignore=tests/conformance && \
		$(LAVA_VENV)/bin/python -m pytest -n 2 tests/conformance; \
	fi

demo: $(VENV)/.installed
	$(VENV)/bin/neurochip compare --learning --out reports/demo

# Peers: SANA-FE in .venv (a dev dependency there); Lava and Brian2 2.9 (which needs numpy < 2.4)
# in the Python 3.10 environment.
PEERS_310 := bench/test_vs_lava.py bench/test_vs_brian2.py
BENCH_ARGS := --benchmark-only --benchmark-columns=min,median,rounds -s

bench: $(VENV)/.installed
	@status=0; \
	$(VENV)/bin/python -m pytest bench $(addprefix --ignore=,$(PEERS_310)) $(BENCH_ARGS) || status=1; \
	if [ -z "$(PY310)" ]; then echo "LAVA/BRIAN2 BENCHMARKS SKIPPED: no Python 3.10 interpreter found."; else \
		$(MAKE) --no-print-directory $(LAVA_VENV)/.installed && \
		$(LAVA_VENV)/bin/python -m pip install -q 'brian2==2.9.0' && \
		$(LAVA_VENV)/bin/python -m pytest $(PEERS_310) $(BENCH_ARGS) || status=1; fi; \
	exit $$status

clean:
	rm -rf $(VENV) $(LAVA_VENV) $(LINT_SITE) build dist *.egg-info .pytest_cache .benchmarks
