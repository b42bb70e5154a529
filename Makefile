# hipcheck: make install | make run | make test
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test sysdeps lock clean

$(STAMP): pyproject.toml requirements.lock
	$(MAKE) sysdeps
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[all]"
	touch $(STAMP)

install: $(STAMP)

# System packages the extras need (none are needed yet beyond Python itself).
sysdeps:
	@bash scripts/sysdeps.sh

run: install
	$(BIN)/hipcheck demo

test: install
	$(BIN)/python -m pytest

# Regenerate the lock file from a fresh resolve (maintainers only).
lock:
	rm -rf .lockvenv && $(PY) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -e ".[all]"
	.lockvenv/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
