# The two commands of the README:
#   make report   install, then run the catalogue and write reports/
#   make test     install, then run the test suite (what CI runs)
PYTHON ?= python3
PIP = $(PYTHON) -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: install report test upgrade-check
install: build/.installed

# torch first, pinned: asked for alone, the resolver would fetch a CUDA build.
build/.installed: pyproject.toml constraints.txt
	$(PIP) torch==2.13.0
	$(PIP) -e ".[frameworks,report,test]"
	@mkdir -p build && touch $@

report: install
	$(PYTHON) -m equivalence run

test: install
	$(PYTHON) -m pytest

# Two venvs differing only in TensorFlow (TF_A, TF_B; default 2.20.0 and 2.21.0): a baseline
# saved in A, checked in B. Exits 1 when outputs drifted. See docs/upgrade-check.md.
upgrade-check: install
	PYTHON=$(PYTHON) scripts/upgrade_check.sh
