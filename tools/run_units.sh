#!/usr/bin/env bash
# ansible-test units for one Python, run from the collection tree with the venv's bin first on PATH.
#
#   tools/run_units.sh X.Y [ansible-test options]
#
# ansible-test passes when it finds no tests at all: here that is an error.
set -euo pipefail

python_version=${1:?usage: run_units.sh X.Y [ansible-test options]}
shift

if [[ -z $(find tests/unit -name 'test_*.py' -print -quit 2>/dev/null) ]]; then
    echo "run_units.sh: error: no unit tests (tests/unit/**/test_*.py) to run" >&2
    exit 1
fi
echo ">>> $(ansible-test --version) on $(command -v "python$python_version")"
ansible-test units --local --python "$python_version" "$@"
