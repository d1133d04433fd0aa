#!/usr/bin/env bash
# Runs the playbooks of examples/ against the Atlas simulator the way a user runs them: the
# modules read the connection from the MONGODB_ATLAS_* environment variables and the playbooks
# read the organization and project ids from the environment.
# - ci_key_lifecycle.yml: the key is first granted GROUP_READ_ONLY on alpha and beta, then taken
#   out of beta; the simulator's state must then show the key with its two access-list entries,
#   assigned to alpha only.
# - demo.yml (what `make demo` runs): the first run changes, the second changes nothing.
set -eux

config=../../integration_config.yml  # ansible-test copies tests/integration/integration_config.yml here
examples=../../../../examples
example="${examples}/ci_key_lifecycle.yml"
env_file="${OUTPUT_DIR}/atlas.env"
credentials="${OUTPUT_DIR}/ci-deploy.json"

# Reset the simulator, and turn the integration config into the environment of a user's shell.
ansible-playbook -i "${INVENTORY_PATH}" prepare.yml -e "@${config}" -e "atlas_env_file=${env_file}" "$@"
set +x  # the file holds the simulator's admin key pair
# shellcheck disable=SC1090
source "${env_file}"
set -x

run_example() {
    ansible-playbook -i "${INVENTORY_PATH}" "${example}" -e "ci_credentials_file=${credentials}" "$@" \
        | tee "${OUTPUT_DIR}/example.log"
}

# Create the key, restrict it, grant it GROUP_READ_ONLY on both projects.
MONGODB_ATLAS_PROJECT_ID="${ATLAS_PROJECT_ALPHA},${ATLAS_PROJECT_BETA}" run_example "$@"
grep -q 'changed=[1-9]' "${OUTPUT_DIR}/example.log"

# The same again changes nothing.
MONGODB_ATLAS_PROJECT_ID="${ATLAS_PROJECT_ALPHA},${ATLAS_PROJECT_BETA}" run_example "$@"
grep -q 'changed=0 ' "${OUTPUT_DIR}/example.log"

# Take the key out of beta; then again, which changes nothing.
MONGODB_ATLAS_PROJECT_ID="${ATLAS_PROJECT_ALPHA}" run_example -e "{\"ci_retired_project_ids\": [\"${ATLAS_PROJECT_BETA}\"]}" "$@"
grep -q 'changed=[1-9]' "${OUTPUT_DIR}/example.log"
MONGODB_ATLAS_PROJECT_ID="${ATLAS_PROJECT_ALPHA}" run_example -e "{\"ci_retired_project_ids\": [\"${ATLAS_PROJECT_BETA}\"]}" "$@"
grep -q 'changed=0 ' "${OUTPUT_DIR}/example.log"

# Check the simulator's state.
ansible-playbook -i "${INVENTORY_PATH}" verify.yml -e "@${config}" -e "ci_credentials_file=${credentials}" "$@"

# The demo: changed on the first run, ok on the second.
run_demo() {
    MONGODB_ATLAS_PROJECT_ID="${ATLAS_PROJECT_ALPHA}" ansible-playbook -i "${INVENTORY_PATH}" "${examples}/demo.yml" "$@" \
        | tee "${OUTPUT_DIR}/demo.log"
}
run_demo "$@"
grep -q 'changed=[1-9]' "${OUTPUT_DIR}/demo.log"
run_demo "$@"
grep -q 'changed=0 ' "${OUTPUT_DIR}/demo.log"
