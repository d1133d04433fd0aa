#!/usr/bin/env bash
# ansible-test integration for one Python against a fresh Atlas simulator, run from the
# collection tree with the venv's bin first on PATH.
#
#   tools/run_integration.sh X.Y [ansible-test options]
#
# Every target except the setup_*/prepare_* helpers must run: ansible-test quietly skips targets
# (unsupported/disabled aliases, or none at all), and a skipped suite is not a pass.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

if [[ ${1-} == --under-simulator ]]; then
    # second half, run by with_simulator.sh with ATLAS_SIM_URL set
    shift
    python_version=$1
    shift
    "python$python_version" "$here/sim_env.py" integration-config "$ATLAS_SIM_URL" \
        tests/integration/integration_config.yml
    exec ansible-test integration --local --python "$python_version" "$@"
fi

python_version=${1:?usage: run_integration.sh X.Y [ansible-test options]}
shift

targets_dir=tests/integration/targets
expected=$(find "$targets_dir" -mindepth 1 -maxdepth 1 -type d ! -name 'setup_*' ! -name 'prepare_*' \
    -printf '%f\n' 2>/dev/null | sort)
if [[ -z $expected ]]; then
    echo "run_integration.sh: error: no integration targets under $targets_dir" >&2
    exit 1
fi
listed=$(ansible-test integration --local --python "$python_version" --list-targets "$@" | sort)
if [[ $listed != "$expected" ]]; then
    echo "run_integration.sh: error: ansible-test would not run every target." >&2
    echo "  targets:      ${expected//$'\n'/ }" >&2
    echo "  it would run: ${listed//$'\n'/ }" >&2
    exit 1
fi

echo ">>> $(ansible-test --version) on $(command -v "python$python_version"): ${expected//$'\n'/ }"
exec "$here/with_simulator.sh" "python$python_version" \
    "$here/run_integration.sh" --under-simulator "$python_version" "$@"
