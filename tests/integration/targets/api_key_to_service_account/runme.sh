#!/usr/bin/env bash
# The role api_key_to_service_account against the Atlas simulator, every playbook at -vvvv with its
# output and ANSIBLE_LOG_PATH kept:
# - migrate.yml: bad input (no write), check mode (no write), a fresh run and what it made, an
#   interrupted run and its rerun (one account), retire_api_key (kept while incomplete, then deleted).
# - rerun.yml, right after the fresh run: the role again; every task of the run must be unchanged
#   (PLAY RECAP changed=0) and the request log must show no write.
# - no_secrets.py: no secret value the simulator holds, at the end or before the key is retired (any
#   account's secret, any key's private key), appears in any output or log.
set -eux

config=../../integration_config.yml  # ansible-test copies tests/integration/integration_config.yml here
PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

export ANSIBLE_FORCE_COLOR=false ANSIBLE_NOCOLOR=true
unset ANSIBLE_STDOUT_CALLBACK ANSIBLE_LOAD_CALLBACK_PLUGINS

# play NAME PLAYBOOK [options]: run a playbook at -vvvv, its output in NAME.out and its log in NAME.log.
play() {
    local name=$1 playbook=$2
    shift 2
    if ! ANSIBLE_LOG_PATH="$OUT/$name.log" ansible-playbook -i "${INVENTORY_PATH}" "$playbook" \
            -e "@${config}" -vvvv "$@" >"$OUT/$name.out" 2>&1; then
        tail -n 80 "$OUT/$name.out" >&2
        echo "api_key_to_service_account: $playbook failed (run $name)" >&2
        return 1
    fi
}

play fresh migrate.yml -e migrate_phase=fresh
play rerun rerun.yml
grep -E '^testhost +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$OUT/rerun.out"
play rest migrate.yml -e migrate_phase=rest
"$PYTHON" no_secrets.py snapshot "$config" "$OUT/before-retire.json"  # the private key of the key retired next
play retire migrate.yml -e migrate_phase=retire

grep -h -E '"msg": "(fresh run|rerun): ' "$OUT/fresh.out" "$OUT/rerun.out"  # the request counts, for the record
"$PYTHON" no_secrets.py check "$config" "$OUT/before-retire.json" "$OUT"/*.out "$OUT"/*.log
echo "api_key_to_service_account: all checks passed"
