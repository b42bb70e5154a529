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

# Debian packages: Pango for the PDF handout, poppler for tests, Chromium for browser tests, ffmpeg.
sysdeps:
	@bash scripts/sysdeps.sh

# The web app on SQLite (HIPCHECK_HOME or the user data dir) with the demo runner; Ctrl-C stops it.
# `hipcheck demo` shows the same sample runner in the terminal.
run: install
	$(BIN)/hipcheck serve --demo --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

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
