#!/usr/bin/env bash
# `make demo`: run a playbook twice and prove the second run changed nothing.
#
#   tools/demo.sh PLAYBOOK
#
# Without MONGODB_ATLAS_BASE_URL in the environment the playbook runs against a fresh Atlas
# simulator (tools/with_simulator.sh sets the MONGODB_ATLAS_* variables). With it, the playbook
# runs against that Atlas with your MONGODB_ATLAS_PUBLIC_API_KEY, MONGODB_ATLAS_PRIVATE_API_KEY,
# MONGODB_ATLAS_ORG_ID and MONGODB_ATLAS_PROJECT_ID. Run it with the venv's bin first on PATH and
# ANSIBLE_COLLECTIONS_PATH set (the Makefile does).
set -euo pipefail

playbook=${1:?usage: demo.sh PLAYBOOK}
# The demo runs on the implicit localhost: no inventory is expected, so don't warn about it.
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
here=$(cd "$(dirname "$0")" && pwd)
[[ -f $playbook ]] || { echo "demo.sh: error: $playbook not found" >&2; exit 1; }

two_runs() {
    local log recap
    log=$(mktemp)
    echo ">>> first run: ansible-playbook $playbook"
    ansible-playbook "$playbook"
    echo ">>> second run: must report changed=0"
    ansible-playbook "$playbook" | tee "$log"
    recap=$(sed -n '/^PLAY RECAP/,$p' "$log" | grep -E ' : ok=[0-9]+ +changed=[0-9]+ ' || [[ $? == 1 ]])
    rm -f "$log"
    if [[ -z $recap ]]; then
        echo "demo.sh: error: no PLAY RECAP in the second run's output" >&2
        return 1
    fi
    if grep -Eqv ' changed=0 ' <<<"$recap"; then
        echo "demo.sh: error: the second run changed something, so it is not idempotent:" >&2
        echo "$recap" >&2
        return 1
    fi
    echo ">>> demo passed: the second run reported changed=0"
}

if [[ ${DEMO_UNDER_SIMULATOR-} == 1 ]]; then
    two_runs
elif [[ -n ${MONGODB_ATLAS_BASE_URL-} ]]; then
    missing=()
    for var in MONGODB_ATLAS_PUBLIC_API_KEY MONGODB_ATLAS_PRIVATE_API_KEY MONGODB_ATLAS_ORG_ID MONGODB_ATLAS_PROJECT_ID; do
        [[ -n ${!var-} ]] || missing+=("$var")
    done
    if ((${#missing[@]})); then
        echo "demo.sh: error: MONGODB_ATLAS_BASE_URL is set, so the demo runs against $MONGODB_ATLAS_BASE_URL; it also needs: ${missing[*]}" >&2
        exit 1
    fi
    echo ">>> MONGODB_ATLAS_BASE_URL is set: running against $MONGODB_ATLAS_BASE_URL (no simulator)"
    two_runs
else
    echo ">>> MONGODB_ATLAS_BASE_URL is not set: running against the Atlas simulator"
    DEMO_UNDER_SIMULATOR=1 exec "$here/with_simulator.sh" python "$0" "$playbook"
fi
