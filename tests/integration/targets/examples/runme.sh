#!/usr/bin/env bash
# Runs the playbooks of examples/ and the README's quick start against the Atlas simulator the way
# a user runs them: the modules read the connection from the MONGODB_ATLAS_* environment variables
# and the playbooks read the organization and project ids from the environment. Every invocation
# runs with --check --diff first, on an organization where its key does not exist yet: that run
# must succeed, report changes and send no write (the simulator's request log flags every write);
# then it runs for real.
# - ci_key_lifecycle.yml: one task creates the key with GROUP_READ_ONLY on alpha and beta; then,
#   with beta no longer listed, the same task takes it out of beta (purge_projects); the
#   simulator's state must then show the key with its two access-list entries, assigned to alpha
#   only. Then the rotation: "ci-deploy 2" replaces "ci-deploy 1".
# - demo.yml (what `make demo` runs): the first run changes, the second changes nothing.
# - the README's quick start, against a simulator of its own started with the playbook's ids
#   (`python -m ansible_collections.mongodb_atlas.api_keys.tests.simulator --org-id --project-id`),
#   with the credentials from the variables the README sets in module_defaults.
set -euxo pipefail

config=../../integration_config.yml  # ansible-test copies tests/integration/integration_config.yml here
examples=../../../../examples
readme=../../../../README.md
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
here=$(pwd)
example="${examples}/ci_key_lifecycle.yml"
env_file="${OUTPUT_DIR}/atlas.env"
credentials="${OUTPUT_DIR}/ci-deploy.json"

sim_check() {
    "$python" "${here}/sim_check.py" "$@"
}

# Run a playbook with --check --diff against the simulator at $1: it must succeed, report changes
# and send no write.
check_run() {
    local url=$1
    shift
    sim_check clear-log "$url"
    ansible-playbook --check --diff "$@" | tee "${OUTPUT_DIR}/check.log"
    grep -q 'changed=[1-9].* failed=0 ' "${OUTPUT_DIR}/check.log"
    sim_check no-writes "$url"
}

# Reset the simulator, and turn the integration config into the environment of a user's shell.
ansible-playbook -i "${INVENTORY_PATH}" prepare.yml -e "@${config}" -e "atlas_env_file=${env_file}" "$@"
set +x  # the file holds the simulator's admin key pair
# shellcheck disable=SC1090
source "${env_file}"
set -x
sim_url=${MONGODB_ATLAS_BASE_URL}

run_example() {
    ansible-playbook -i "${INVENTORY_PATH}" "${example}" -e "ci_credentials_file=${credentials}" "$@" \
        | tee "${OUTPUT_DIR}/example.log"
}

# Create the key, restrict it, grant it GROUP_READ_ONLY on both projects: check mode first.
export MONGODB_ATLAS_PROJECT_ID="${ATLAS_PROJECT_ALPHA},${ATLAS_PROJECT_BETA}"
check_run "$sim_url" -i "${INVENTORY_PATH}" "${example}" -e "ci_credentials_file=${credentials}" "$@"
test ! -e "${credentials}"  # check mode stored no credentials
run_example "$@"
grep -q 'changed=[1-9]' "${OUTPUT_DIR}/example.log"

# The same again changes nothing.
run_example "$@"
grep -q 'changed=0 ' "${OUTPUT_DIR}/example.log"

# CI no longer reads beta: list alpha only and the key is taken out of beta (check mode first);
# then again, which changes nothing.
export MONGODB_ATLAS_PROJECT_ID="${ATLAS_PROJECT_ALPHA}"
check_run "$sim_url" -i "${INVENTORY_PATH}" "${example}" -e "ci_credentials_file=${credentials}" "$@"
run_example "$@"
grep -q 'changed=[1-9]' "${OUTPUT_DIR}/example.log"
run_example "$@"
grep -q 'changed=0 ' "${OUTPUT_DIR}/example.log"

# Check the simulator's state.
ansible-playbook -i "${INVENTORY_PATH}" verify.yml -e "@${config}" -e "ci_credentials_file=${credentials}" "$@"

# Rotation: check mode would create "ci-deploy 2" and delete "ci-deploy 1"; then for real.
rotate=(-e ci_key_generation=2 -e ci_key_previous_generation=1)
check_run "$sim_url" -i "${INVENTORY_PATH}" "${example}" -e "ci_credentials_file=${credentials}" "${rotate[@]}" "$@"
sim_check key "$sim_url" "ci-deploy 1" --credentials "${credentials}" --project "${ATLAS_PROJECT_ALPHA}"
run_example "${rotate[@]}" "$@"
sim_check key "$sim_url" "ci-deploy 2" --credentials "${credentials}" --project "${ATLAS_PROJECT_ALPHA}"
sim_check key "$sim_url" "ci-deploy 1" --absent

# The demo: check mode first, then changed on the first run and ok on the second.
run_demo() {
    ansible-playbook -i "${INVENTORY_PATH}" "${examples}/demo.yml" "$@" | tee "${OUTPUT_DIR}/demo.log"
}
check_run "$sim_url" -i "${INVENTORY_PATH}" "${examples}/demo.yml" "$@"
run_demo "$@"
grep -q 'changed=[1-9]' "${OUTPUT_DIR}/demo.log"
run_demo "$@"
grep -q 'changed=0 ' "${OUTPUT_DIR}/demo.log"
# make demo-clean's playbook deletes the demo's key; run again, it changes nothing.
ansible-playbook -i "${INVENTORY_PATH}" "${examples}/demo_clean.yml" "$@" | tee "${OUTPUT_DIR}/demo_clean.log"
grep -q 'changed=1 ' "${OUTPUT_DIR}/demo_clean.log"
sim_check key "$sim_url" "demo-ci-key" --absent
ansible-playbook -i "${INVENTORY_PATH}" "${examples}/demo_clean.yml" "$@" | tee "${OUTPUT_DIR}/demo_clean.log"
grep -q 'changed=0 ' "${OUTPUT_DIR}/demo_clean.log"

# The README's quick start, against a simulator started with the ids the playbook names.
quick_start="${OUTPUT_DIR}/quick_start.yml"
read -r qs_org qs_project < <(sim_check quick-start "${readme}" "${quick_start}")
collections_root=  # the directory that holds ansible_collections/ (ansible-test puts it on ANSIBLE_COLLECTIONS_PATH)
IFS=: read -ra collections_paths <<<"${ANSIBLE_COLLECTIONS_PATH}"
for path in "${collections_paths[@]}"; do
    if [[ -f ${path}/ansible_collections/mongodb_atlas/api_keys/tests/simulator/__main__.py ]]; then
        collections_root=${path}
    fi
done
test -n "${collections_root}"
qs_out="${OUTPUT_DIR}/quick_start_simulator.out"
: >"${qs_out}"
PYTHONPATH=${collections_root} "$python" -m ansible_collections.mongodb_atlas.api_keys.tests.simulator \
    --org-id "${qs_org}" --project-id "${qs_project}" >"${qs_out}" 2>&1 &
qs_pid=$!
trap 'kill "${qs_pid}" 2>/dev/null || true' EXIT
for _ in $(seq 200); do  # its start-up lines end with an empty line
    grep -q '^$' "${qs_out}" && break
    kill -0 "${qs_pid}"
    sleep 0.1
done
grep -q '^$' "${qs_out}"
set +x
eval "$(grep '^export MONGODB_ATLAS_' "${qs_out}")"  # what the simulator tells a user to paste
printf 'vault_atlas_public_key: %s\nvault_atlas_private_key: %s\n' \
    "${MONGODB_ATLAS_PUBLIC_API_KEY}" "${MONGODB_ATLAS_PRIVATE_API_KEY}" >"${OUTPUT_DIR}/vault.yml"
set -x
unset MONGODB_ATLAS_PUBLIC_API_KEY MONGODB_ATLAS_PRIVATE_API_KEY  # the quick start sets them in module_defaults
test "${MONGODB_ATLAS_ORG_ID}" = "${qs_org}"
test "${MONGODB_ATLAS_PROJECT_ID}" = "${qs_project}"
qs_url=${MONGODB_ATLAS_BASE_URL}
mkdir -p "${OUTPUT_DIR}/home"
export HOME="${OUTPUT_DIR}/home"  # the quick start stores the new private key in $HOME
run_quick_start() {
    ansible-playbook -i "${INVENTORY_PATH}" "${quick_start}" \
        -e "@${OUTPUT_DIR}/vault.yml" "$@" | tee "${OUTPUT_DIR}/quick_start.log"
}
check_run "$qs_url" -i "${INVENTORY_PATH}" "${quick_start}" -e "@${OUTPUT_DIR}/vault.yml" "$@"
test ! -e "${OUTPUT_DIR}/home/ci-deploy.atlas-key"
run_quick_start "$@"
grep -q 'changed=[1-9]' "${OUTPUT_DIR}/quick_start.log"
sim_check key "$qs_url" ci-deploy --private-key-file "${OUTPUT_DIR}/home/ci-deploy.atlas-key" --project "${qs_project}"
run_quick_start "$@"
grep -q 'changed=0 ' "${OUTPUT_DIR}/quick_start.log"
