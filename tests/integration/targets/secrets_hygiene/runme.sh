#!/usr/bin/env bash
# Secrets hygiene: run every module (lifecycle, info, failures, credentials from task options, from
# the environment and from a service account) with -vvvv, --diff and ANSIBLE_LOG_PATH, keep
# stdout+stderr and the log of each run, then let hygiene.py look in all of them for every secret:
# the admin private key, every key's private key (clear, from the simulator's state, and masked),
# wrong credentials, the client secret, access tokens, Authorization headers and digest responses.
# Only a task that created a key may show that key's private key, once, in its own result.
#
# Secrets never pass through the shell: hygiene.py reads them from the config, the simulator and
# files, so `set -x` cannot print them (and the trace is not what is checked anyway).
set -eux

# shellcheck source-path=SCRIPTDIR/../.. source=runme_common.sh
. "$(dirname "$0")/../../runme_common.sh" "$@"
OUT=$TMP

# What a user sees in a terminal, minus colours; no credentials from the caller's environment.
export ANSIBLE_FORCE_COLOR=false ANSIBLE_NOCOLOR=true
unset ANSIBLE_STDOUT_CALLBACK ANSIBLE_LOAD_CALLBACK_PLUGINS

hygiene() {
    "$PYTHON" "$HERE/hygiene.py" "$@"
}

states=()
snapshot() {
    hygiene snapshot "$config" "$OUT/state-$1.json"
    states+=(--state "$OUT/state-$1.json")
}

# play NAME PLAYBOOK [options]: run a playbook, keep its output in NAME.out and its log in NAME.log.
play() {
    local name=$1 playbook=$2
    shift 2
    if ! ANSIBLE_LOG_PATH="$OUT/$name.log" ansible-playbook -i "${INVENTORY_PATH}" "$HERE/$playbook" \
            -e "@$config" -e "@$OUT/vars.yml" -vvvv --diff "$@" >"$OUT/$name.out" 2>&1; then
        tail -n 80 "$OUT/$name.out" >&2
        echo "secrets_hygiene: $playbook failed (run $name)" >&2
        return 1
    fi
}

# env_play NAME KIND PLAYBOOK: run a playbook with credentials of KIND in its environment only.
env_play() {
    local name=$1 kind=$2 playbook=$3
    hygiene env "$config" "$OUT/vars.yml" "$kind" "$OUT/$name.env"
    (
        set +x
        # shellcheck disable=SC1090
        source "$OUT/$name.env"
        set -x
        play "$name" "$playbook" -e "env_kind=$kind"
    )
}

hygiene control "$config" POST /__sim/reset
hygiene vars "$config" "$OUT/vars.yml"

# All three modules and the info modules, credentials in module_defaults.
play lifecycle lifecycle.yml
snapshot lifecycle
play teardown teardown.yml
snapshot teardown

# no_log on the tasks that create keys.
play no_log no_log.yml
snapshot no_log

# Failing tasks; the first PATCH is answered 503.
hygiene control "$config" POST /__sim/faults \
    '{"rules": [{"method": "PATCH", "path": "apiKeys", "kind": "503", "when": "before", "times": 1}]}'
play failures failures.yml
hygiene control "$config" DELETE /__sim/faults
snapshot failures

# Credentials in the environment of ansible-playbook only.
env_play env_digest digest env_credentials.yml
env_play env_client_credentials client_credentials env_credentials.yml
env_play env_access_token access_token env_credentials.yml
env_play env_rejected wrong env_rejected.yml
snapshot env

# Service accounts: the lookup, client_id/client_secret, and their failures.
play service_account service_account.yml
snapshot service_account

# Service accounts as code: accounts and secrets created with no_log, rotation without it, failures.
play service_account_secrets service_account_secrets.yml
snapshot service_account_secrets
play service_account_teardown service_account_teardown.yml

hygiene check "$config" "$OUT/vars.yml" "${states[@]}" \
    --expect lifecycle=2 --expect teardown=0 --expect no_log=0 --expect failures=0 \
    --expect env_digest=1 --expect env_client_credentials=1 --expect env_access_token=1 --expect env_rejected=0 \
    --expect service_account=1 --expect service_account_secrets=0 --expect service_account_teardown=0 \
    --require-desc secrets-nolog-org-key --require-desc "secrets-nolog-project-key renamed" \
    "$OUT"/*.out "$OUT"/*.log

echo "secrets_hygiene: all checks passed"
