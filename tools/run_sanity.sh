#!/usr/bin/env bash
# ansible-test sanity for one Python, run from the collection tree with the venv's bin first on
# PATH.
#
#   tools/run_sanity.sh X.Y [ansible-test options]
#
# ansible-test exits 0 when it skips a test (a missing program such as shellcheck) or finds no
# files at all ("All targets skipped"): a skipped suite is not a pass, so those fail here.
set -euo pipefail

python_version=${1:?usage: run_sanity.sh X.Y [ansible-test options]}
shift

mkdir -p tests/output
log=tests/output/sanity.log
echo ">>> $(ansible-test --version) on $(command -v "python$python_version")"
ansible-test sanity --local --python "$python_version" "$@" 2>&1 | tee "$log"

skipped=$(grep -E 'All targets skipped|Skipping sanity test|Required program ".*" not found' "$log" || [[ $? == 1 ]])
if [[ -n $skipped ]]; then
    printf '%s\n' "$skipped" >&2
    echo "run_sanity.sh: error: ansible-test skipped sanity tests (above); install what they need" >&2
    exit 1
fi
