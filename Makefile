# Two commands matter: `make run` and `make test`. Everything else is for developers and CI.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := fireside.settings

.PHONY: run test test-all test-browser test-fuzz test-federation check format lock setup demo worker clean

$(STAMP): requirements.lock
	@set -e; \
	if [ ! -x $(PY) ]; then \
	  interpreter=$$(bin/find-python); \
	  echo "Creating $(VENV) with $$interpreter"; \
	  "$$interpreter" -m venv $(VENV); \
	fi; \
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock \
	  2> >(grep -v -e 'is ignored: it is neither a file nor a directory' -e 'Running pip as the' >&2); \
	touch $(STAMP)

setup: $(STAMP)
	@mkdir -p var/mail
	@$(PY) manage.py migrate --no-input -v 0

demo: setup
	@$(PY) manage.py load_demo

run: demo
	@$(PY) manage.py collectstatic --no-input -v 0
	@echo
	@echo "  Fireside is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (password for each: fireside-demo): ada, grace, linus, noor"
	@echo "  Outgoing mail is written to var/mail/ as .eml files."
	@echo
	@$(PY) manage.py db_worker --interval 0.5 >var/worker.log 2>&1 & \
	worker=$$!; $(PY) manage.py run_schedule >var/schedule.log 2>&1 & \
	schedule=$$!; trap "kill $$worker $$schedule 2>/dev/null" EXIT INT TERM; \
	$(VENV)/bin/uvicorn fireside.asgi:application --host 127.0.0.1 --port $(PORT) --lifespan off

# The fast suite: SQLite, in-memory channel layer, no browser, no extra servers.
test: setup
	$(VENV)/bin/pytest -m "not browser and not server and not fuzz and not federation" -p no:cacheprovider

# Everything but the browser, for CI against PostgreSQL and Redis (DATABASE_URL, REDIS_URL).
test-all: setup
	$(VENV)/bin/pytest -m "not browser and not fuzz and not federation" -p no:cacheprovider

test-browser: setup
	$(VENV)/bin/pytest -m browser -p no:cacheprovider

# schemathesis against the OpenAPI schema (tests/security/test_api_fuzz.py): a few minutes.
test-fuzz: setup
	$(VENV)/bin/pytest -m fuzz -p no:cacheprovider

# Two Fireside instances and bovine-herd federating over HTTPS on 127.0.0.2-4, under a
# throw-away CA (tests/federation/). bovine-herd lives in a venv of its own: it pins
# cryptography<46, which Fireside's environment cannot share.
BOVINE_VENV := var/bovine-venv
$(BOVINE_VENV)/.installed: tests/federation/bovine-requirements.txt | $(STAMP)
	@set -e; \
	if [ ! -x $(BOVINE_VENV)/bin/python ]; then \
	  "$$($(PY) -c 'import sys; print(sys._base_executable)')" -m venv $(BOVINE_VENV); \
	fi; \
	$(BOVINE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  -r tests/federation/bovine-requirements.txt \
	  2> >(grep -v -e 'is ignored: it is neither a file nor a directory' -e 'Running pip as the' >&2); \
	touch $@

test-federation: setup $(BOVINE_VENV)/.installed
	$(VENV)/bin/pytest tests/federation -m federation -p no:cacheprovider

check: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/djhtml --check fireside

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/djhtml fireside

# Re-pin requirements.lock after editing pyproject.toml (needs uv on PATH).
lock:
	uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 -o requirements.lock

clean:
	rm -rf $(VENV) var
