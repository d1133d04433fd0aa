# Build, test and release machinery of the mongodb_atlas.api_keys collection.
#
#   make demo    run examples/demo.yml against the Atlas simulator (or your Atlas: set
#                MONGODB_ATLAS_BASE_URL and the key pair), twice, and prove the second run changes nothing
#   make test    every check CI runs (.ci/run), cheapest first
#   make help    all targets
#
# Everything runs from build/ansible_collections/mongodb_atlas/api_keys, a fresh copy of the files
# git sees (tracked, plus untracked ones .gitignore does not exclude), because ansible-test only
# works from such a path. Tools come from two virtualenvs under .venv/, built from the pinned
# requirements/*.txt and rebuilt only when those change (`make lock` re-resolves requirements/*.in).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.NOTPARALLEL:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
NAMESPACE := mongodb_atlas
NAME := api_keys
COLLECTION := $(NAMESPACE).$(NAME)
VERSION := $(shell sed -n 's/^version: *//p' '$(ROOT)/galaxy.yml')

BUILD := $(ROOT)/build
TREE := $(BUILD)/ansible_collections/$(NAMESPACE)/$(NAME)
# ansible-core 2.19's suites get a tree of their own, so that both cores' integration runs at once.
TREE219 := $(BUILD)/core219/ansible_collections/$(NAMESPACE)/$(NAME)
TARBALL := $(BUILD)/$(NAMESPACE)-$(NAME)-$(VERSION).tar.gz
DOCS_DIR := $(ROOT)/docs/modules
TOOLS := $(ROOT)/tools

# Real interpreters, not pyenv shims (ansible-test --python X.Y is confused by shims); override with e.g. `make PY312=/opt/py/bin/python3.12`.
ifeq ($(origin PY312),undefined)
PY312 := $(shell '$(TOOLS)/find_python.sh' 3.12)
endif
ifeq ($(origin PY311),undefined)
PY311 := $(shell '$(TOOLS)/find_python.sh' 3.11)
endif
# The demo runs on any supported Python: the newest one found.
ifeq ($(origin PYDEMO),undefined)
PYDEMO := $(firstword $(foreach v,3.14 3.13 3.12 3.11,$(shell '$(TOOLS)/find_python.sh' $(v))))
endif

# ansible-core 2.21 on Python 3.12 (all tools) and ansible-core 2.19 on Python 3.11 (units, integration).
VENV221 := $(ROOT)/.venv/core221
VENV219 := $(ROOT)/.venv/core219
# galaxy-importer wants a venv of its own: its pins clash with ansible-lint's.
VENVIMP := $(ROOT)/.venv/importer
# ansible-core and requests only, for make demo / demo-clean.
VENVDEMO := $(ROOT)/.venv/demo
# Prefix for a command that runs with a venv's bin first on PATH and the collection found in build/.
IN221 := env PATH='$(VENV221)/bin':"$$PATH" ANSIBLE_COLLECTIONS_PATH='$(BUILD)'
INDEMO := env PATH='$(VENVDEMO)/bin':"$$PATH" ANSIBLE_COLLECTIONS_PATH='$(BUILD)'
IN219 := env PATH='$(VENV219)/bin':"$$PATH" ANSIBLE_COLLECTIONS_PATH='$(BUILD)/core219'

# The stages of `make test`, cheap and quick first so that a slip fails in seconds.
TEST_STAGES := changelog-lint docs-lint docs-check lint build install-check galaxy-import \
	units-221 units-219 system-221 system-219 sanity integration

.PHONY: help demo demo-clean test bench sanity units units-221 units-219 integration integration-221 \
	integration-219 lint docs-lint docs docs-check build install-check changelog-lint clean \
	distclean lock venvs venv221 venv219 venv-demo venv-importer tree tree219 shellcheck-installed system system-221 system-219 \
	galaxy-import

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## (.*)/  make \1\t\2/' | expand -t 24

# --- the two README commands -----------------------------------------------------------------

demo: venv-demo tree ## Run examples/demo.yml twice against the simulator (or MONGODB_ATLAS_BASE_URL); the 2nd run must change nothing
	@$(INDEMO) '$(TOOLS)/demo.sh' '$(ROOT)/examples/demo.yml'

demo-clean: venv-demo tree ## Delete what make demo created in the Atlas of MONGODB_ATLAS_BASE_URL (examples/demo_clean.yml)
	@$(INDEMO) ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
		ansible-playbook '$(ROOT)/examples/demo_clean.yml'

test: ## Every check CI runs (TEST_STAGES), cheapest first; ends with a summary line
	@'$(TOOLS)/run_stages.sh' '$(MAKE)' $(TEST_STAGES)

bench: venv221 tree ## Measure requests, wall time and scale against the simulator; rewrites docs/performance.md
	@$(IN221) '$(TOOLS)/with_simulator.sh' python3.12 python3.12 '$(TOOLS)/bench.py' --out '$(ROOT)/docs/performance.md'

# --- setup -----------------------------------------------------------------------------------

venvs: venv221 venv219 ## Build both virtualenvs (only when requirements/*.txt changed)

venv221:
	@'$(TOOLS)/venv.sh' ensure '$(PY312)' 3.12 '$(VENV221)' '$(ROOT)/requirements/core221.txt'

venv219:
	@'$(TOOLS)/venv.sh' ensure '$(PY311)' 3.11 '$(VENV219)' '$(ROOT)/requirements/core219.txt'

venv-demo:
	@if [[ -z '$(PYDEMO)' ]]; then echo 'error: make demo needs CPython 3.11, 3.12, 3.13 or 3.14 (or PYDEMO=/path/to/python3.X)' >&2; exit 1; fi
	@'$(TOOLS)/venv.sh' ensure '$(PYDEMO)' "$$('$(PYDEMO)' -c 'import sys; print("%d.%d" % sys.version_info[:2])')" '$(VENVDEMO)' '$(ROOT)/requirements/demo.txt'

venv-importer:
	@'$(TOOLS)/venv.sh' ensure '$(PY312)' 3.12 '$(VENVIMP)' '$(ROOT)/requirements/importer.txt'

lock: ## Re-resolve requirements/*.in into the pinned requirements/*.txt
	'$(TOOLS)/venv.sh' lock '$(PY312)' 3.12 '$(ROOT)/requirements/core221.in' '$(ROOT)/requirements/core221.txt'
	'$(TOOLS)/venv.sh' lock '$(PY311)' 3.11 '$(ROOT)/requirements/core219.in' '$(ROOT)/requirements/core219.txt'
	'$(TOOLS)/venv.sh' lock '$(PY312)' 3.12 '$(ROOT)/requirements/importer.in' '$(ROOT)/requirements/importer.txt'

tree: ## Refresh build/ansible_collections/mongodb_atlas/api_keys from the working tree
	@'$(TOOLS)/collection_tree.sh' '$(TREE)'

tree219:
	@'$(TOOLS)/collection_tree.sh' '$(TREE219)'

# The shellcheck sanity test is skipped without the binary: install it rather than skip it.
shellcheck-installed:
	@if ! command -v shellcheck >/dev/null; then \
		if [[ $$(id -u) == 0 ]] && command -v apt-get >/dev/null; then \
			echo '>>> installing shellcheck (apt-get)'; \
			apt-get update -qq; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; \
		else \
			echo 'error: shellcheck is not installed; the shellcheck sanity test needs it (e.g. sudo apt-get install shellcheck)' >&2; \
			exit 1; \
		fi; \
	fi

# --- tests -----------------------------------------------------------------------------------

sanity: venv221 tree shellcheck-installed ## ansible-test sanity (ansible-core 2.21, Python 3.12)
	@'$(TOOLS)/seed_get_pip.sh' '$(VENV221)'
	cd '$(TREE)' && $(IN221) tools/run_sanity.sh 3.12

units: units-221 units-219 ## ansible-test units on both cores

units-221: venv221 tree ## ansible-test units (ansible-core 2.21, Python 3.12)
	cd '$(TREE)' && $(IN221) tools/run_units.sh 3.12

units-219: venv219 tree219 ## ansible-test units (ansible-core 2.19, Python 3.11)
	cd '$(TREE219)' && $(IN219) tools/run_units.sh 3.11

# System tests (tests/system): the modules in-process against the simulator: a soak with faults, failure
# messages, bad input. Plain pytest; tests/system/conftest.py finds the collection in build/.
system: system-221 system-219 ## System tests on both cores (soak with faults, failure messages, bad input)

system-221: venv221 tree ## System tests (ansible-core 2.21, Python 3.12)
	cd '$(TREE)' && $(IN221) python -m pytest tests/system -q -p no:cacheprovider

system-219: venv219 tree219 ## System tests (ansible-core 2.19, Python 3.11)
	cd '$(TREE219)' && $(IN219) python -m pytest tests/system -q -p no:cacheprovider

integration: venv221 venv219 ## ansible-test integration on both cores at once, each against its own simulator
	@'$(TOOLS)/ansible_test_ssh_key.sh'
	@'$(TOOLS)/run_parallel.sh' '$(BUILD)/logs' \
		'integration-221=$(MAKE) --no-print-directory integration-221' \
		'integration-219=$(MAKE) --no-print-directory integration-219'

integration-221: venv221 tree ## ansible-test integration (ansible-core 2.21, Python 3.12)
	cd '$(TREE)' && $(IN221) tools/run_integration.sh 3.12

integration-219: venv219 tree219 ## ansible-test integration (ansible-core 2.19, Python 3.11)
	cd '$(TREE219)' && $(IN219) tools/run_integration.sh 3.11

lint: venv221 tree ## ansible-lint (production profile, offline) on examples/
	@if [[ -z "$$(find '$(TREE)/examples' -name '*.yml' -print -quit 2>/dev/null)" ]]; then \
		echo 'error: no playbooks under examples/ to lint' >&2; exit 1; fi
	cd '$(TREE)' && $(IN221) ansible-lint --offline examples/ roles/

docs-lint: venv221 tree ## antsibull-docs lint-collection-docs --plugin-docs
	cd '$(TREE)' && $(IN221) antsibull-docs lint-collection-docs --plugin-docs .

docs: venv221 tree ## Regenerate the module reference in docs/modules/
	@$(IN221) '$(TOOLS)/render_docs.sh' '$(COLLECTION)' '$(DOCS_DIR)'

docs-check: venv221 tree ## Fail when docs/modules/ is not what `make docs` would write
	@$(IN221) '$(TOOLS)/render_docs.sh' --check '$(COLLECTION)' '$(DOCS_DIR)'

changelog-lint: venv221 tree ## antsibull-changelog lint (fragments and changelogs/changelog.yaml)
	cd '$(TREE)' && $(IN221) antsibull-changelog lint
	cd '$(TREE)' && $(IN221) antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

# --- release ---------------------------------------------------------------------------------

build: venv221 tree ## ansible-galaxy collection build into build/
	rm -f '$(BUILD)'/*.tar.gz
	cd '$(TREE)' && $(IN221) ansible-galaxy collection build --output-path '$(BUILD)' .
	@test -f '$(TARBALL)' || { echo 'error: $(TARBALL) was not built' >&2; exit 1; }

install-check: build ## Install the tarball offline into a temp dir; ansible-doc every plugin; one ad-hoc run
	@$(IN221) '$(TOOLS)/install_check.sh' '$(TARBALL)' '$(ROOT)/plugins'

galaxy-import: build venv-importer ## galaxy-importer (Galaxy's upload checks) on the built tarball
	@env PATH='$(VENVIMP)/bin':"$$PATH" '$(TOOLS)/galaxy_import.sh' '$(TARBALL)'

clean: ## Remove build output (build/, tool output); keeps .venv/
	rm -rf '$(BUILD)' '$(ROOT)/tests/output' '$(ROOT)/.pytest_cache' '$(ROOT)/.ansible' \
		'$(ROOT)/tests/integration/inventory' '$(ROOT)/tests/integration/integration_config.yml'

distclean: clean ## clean, and remove the virtualenvs too
	rm -rf '$(ROOT)/.venv'
