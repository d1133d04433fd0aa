# Entry points of mongodb_atlas.api_keys over nox (noxfile.py, antsibull-nox.toml). `make help` lists
# them; `nox -l` lists the sessions, and docs/developing.md says which one to run when.
#
#   make demo    run examples/demo.yml twice against the Atlas simulator (or your Atlas): nox -e demo
#   make test    every session CI runs (.ci/run), cheapest first; ends with a one-line summary
#
# nox and antsibull-nox live in .venv/nox, made on the newest Python 3.11 to 3.14 found (or PYTHON=...),
# from the dependencies named in noxfile.py's script block, and remade when that block changes.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
NOX_VENV := $(ROOT)/.venv/nox
NOX := cd '$(ROOT)' && '$(NOX_VENV)/bin/nox'
# Each session's log is kept here by `make test`.
LOGS := $(ROOT)/build/logs

# The sessions of `make test`, cheapest first so that a slip fails in seconds. The two integration
# sessions take longest: they start at once, in the background (each against its own simulator), and
# their logs are shown at the end.
TEST_SESSIONS := changelog lint extra-checks docs-check docs-modules-check build-import-check install-check \
	ansible-lint \
	ansible-test-units-2.18 ansible-test-units-2.19 ansible-test-units-2.20 ansible-test-units-2.21 \
	system-2.19 system-2.21 \
	ansible-test-sanity-2.18 ansible-test-sanity-2.19 ansible-test-sanity-2.20 ansible-test-sanity-2.21
BACKGROUND_SESSIONS := ansible-test-integration-2.18 ansible-test-integration-2.21

# A Python that runs, 3.11 to 3.14, newest first; pyenv shims of versions pyenv has not selected do not run.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach p,python3.14 python3.13 python3.12 python3.11 python3,$(shell \
	$(p) -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 14); print(sys.executable)' 2>/dev/null)))
endif

.PHONY: help demo demo-clean test bench build docs lint nox-venv clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 18
	@echo '  nox -l, with .venv/nox/bin first on PATH, lists every session (docs/developing.md)'

demo: nox-venv ## Run examples/demo.yml twice against the simulator (or MONGODB_ATLAS_BASE_URL); the 2nd run must change nothing
	@$(NOX) -e demo

demo-clean: nox-venv ## Delete what make demo created in the Atlas of MONGODB_ATLAS_BASE_URL
	@$(NOX) -e demo-clean

bench: nox-venv ## Measure requests, wall time and scale against the simulator; rewrites docs/performance.md
	@$(NOX) -e bench

build: nox-venv ## Build the collection tarball into build/
	@$(NOX) -e build

docs: nox-venv ## Regenerate the module reference in docs/modules/
	@$(NOX) -e docs

lint: nox-venv ## The lint sessions: flake8, yamllint, ansible-lint
	@$(NOX) -e lint ansible-lint

# One nox run per session, so that each has its log (build/logs/) and its time. The first failure stops
# everything (nox alone would go on), the background sessions included; the summary names what failed.
test: nox-venv ## Every session CI runs, cheapest first; ends with a one-line summary
	@start=$$SECONDS; passed=(); failed=(); times=(); pids=(); rm -rf '$(LOGS)'; mkdir -p '$(LOGS)'; \
	summary() { \
		printf '\n==== session times (the background sessions ran alongside the others)\n'; printf '  %s\n' "$${times[@]}"; \
		printf '\nmake test: %s: %d of %d sessions passed in %d s\n' "$$1" "$${#passed[@]}" \
			"$(words $(TEST_SESSIONS) $(BACKGROUND_SESSIONS))" "$$((SECONDS - start))"; \
	}; \
	stop_background() { for pid in "$${pids[@]}"; do kill -TERM -- "-$$pid" 2>/dev/null || true; done; }; \
	trap 'stop_background; exit 130' INT TERM; \
	for session in $(BACKGROUND_SESSIONS); do \
		printf '==== started in the background: nox -e %s (build/logs/%s.log)\n' "$$session" "$$session"; \
		setsid bash -c 'begin=$$SECONDS; cd "$$1" && .venv/nox/bin/nox -e "$$2" >"$$3/$$2.log" 2>&1; status=$$?; \
			echo "$$((SECONDS - begin))" >"$$3/$$2.seconds"; exit $$status' _ '$(ROOT)' "$$session" '$(LOGS)' & pids+=($$!); \
	done; \
	for session in $(TEST_SESSIONS); do \
		printf '\n==== nox -e %s\n' "$$session"; begin=$$SECONDS; \
		if ! { $(NOX) -e "$$session" 2>&1 | tee '$(LOGS)'/"$$session".log; }; then \
			stop_background; times+=("$$session FAILED after $$((SECONDS - begin)) s"); \
			summary "FAILED at $$session (background sessions stopped)"; exit 1; \
		fi; \
		times+=("$$session $$((SECONDS - begin)) s"); passed+=("$$session"); \
	done; \
	i=0; \
	for session in $(BACKGROUND_SESSIONS); do \
		printf '\n==== waiting for %s\n' "$$session"; \
		if wait "$${pids[$$i]}"; then status=ok; passed+=("$$session"); else status=FAILED; failed+=("$$session"); fi; \
		times+=("$$session $$status in $$(cat '$(LOGS)'/"$$session".seconds) s"); i=$$((i + 1)); \
		printf '\n---- %s: %s (build/logs/%s.log)\n' "$$session" "$$status" "$$session"; cat '$(LOGS)'/"$$session".log; \
	done; \
	if (( $${#failed[@]} )); then summary "FAILED: $${failed[*]}"; exit 1; fi; \
	summary "all passed"

# nox and antsibull-nox in a venv of their own, from noxfile.py's script block (PEP 723).
NOX_REQUIREMENTS := $(NOX_VENV)/requirements.txt
nox-venv:
	@if [[ -z '$(PYTHON)' ]]; then echo 'error: this needs CPython 3.11, 3.12, 3.13 or 3.14 (or PYTHON=/path/to/python3.X)' >&2; exit 1; fi
	@wanted=$$('$(PYTHON)' -c 'import re, sys, tomllib; \
		block = re.search(r"^# /// script\n((?:#.*\n)*?)# ///$$", open(sys.argv[1]).read(), re.M).group(1); \
		toml = "".join(line[2:] + "\n" for line in block.splitlines()); \
		print("\n".join(tomllib.loads(toml)["dependencies"]))' '$(ROOT)/noxfile.py'); \
	if [[ ! -x '$(NOX_VENV)/bin/nox' || "$$(cat '$(NOX_REQUIREMENTS)' 2>/dev/null)" != "$$wanted" ]]; then \
		echo ">>> making .venv/nox with $$('$(PYTHON)' -V): $${wanted//$$'\n'/, }"; \
		rm -rf '$(NOX_VENV)'; '$(PYTHON)' -m venv '$(NOX_VENV)'; \
		'$(NOX_VENV)/bin/python' -m pip install --quiet --disable-pip-version-check $$wanted; \
		printf '%s\n' "$$wanted" >'$(NOX_REQUIREMENTS)'; \
	fi

clean: ## Remove build output and test output (keeps .venv/ and .nox/)
	rm -rf '$(ROOT)/build' '$(ROOT)/tests/output' '$(ROOT)/.pytest_cache' '$(ROOT)/.ansible'
