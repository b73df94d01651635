# The two commands of the README:
#   make report   install, then run the catalogue and write reports/ (ARGS="..." passes options to `run`)
#   make test     install, then lint, type-check and run the test suite (what CI runs)
PYTHON ?= python3
PIP = $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -c constraints.txt

.PHONY: install report test upgrade-check matrix bench
install: build/.installed

# torch first, pinned: asked for alone, the resolver would fetch a CUDA build.
build/.installed: pyproject.toml constraints.txt
	$(PIP) torch==2.13.0
	$(PIP) -e ".[frameworks,jax,report,test]"
	@mkdir -p build && touch $@

# Options pass through: make report ARGS="-k 003 --backends numpy,torch -j 2"
report: install
	$(PYTHON) -m equivalence run $(ARGS)

# Lint and types first (seconds), then the engine's tests and the catalogue on every core.
test: install
	$(PYTHON) -m ruff check equivalence tests cases scripts benchmarks
	$(PYTHON) -m mypy
	$(PYTHON) -m pytest -n auto

# Two fresh environments (no system packages) that differ in what UPGRADE varies: a baseline
# saved in A, checked in B. Default: tensorflow-cpu 2.20.0 -> 2.21.0. Exits 1 when outputs
# drifted. E.g. make upgrade-check UPGRADE="--vary numpy 1.26.4 2.4.6 -k 002". See docs/upgrade-check.md.
UPGRADE ?= --vary tensorflow 2.20.0 2.21.0
upgrade-check:
	PYTHON=$(PYTHON) scripts/upgrade_check.sh $(UPGRADE)

# The version scoreboard of benchmarks/matrix.toml (README "The version scoreboard"): an
# environment per line, made with uv in ~/.cache/equivalence/envs; ARGS="--reuse" redraws.
matrix: install
	$(PIP) uv
	$(PYTHON) -m equivalence matrix benchmarks/matrix.toml $(ARGS)

# The benchmarks (benchmarks/run.py): about an hour; BENCH=--quick for a smoke run of a few minutes.
# Writes benchmarks/results.md (the table, with the machine) and benchmarks/results.json.
bench: install
	$(PYTHON) benchmarks/run.py $(BENCH)
