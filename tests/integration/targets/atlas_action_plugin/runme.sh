#!/usr/bin/env bash
# Where a module of the collection runs (its action plugin, plugins/plugin_utils/action.py): in the controller's
# process when the task runs there, as a module when the task sets the environment keyword, which only a module
# process reads. Both ways give the same result; the second task finds Atlas only through the keyword, so it passes
# only as a module. -vvv shows which way each task took.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR/../.. source=runme_common.sh
. "$(dirname "$0")/../../runme_common.sh" "$@"

ansible-playbook -i "${INVENTORY_PATH}" playbook.yml -e "@${config}" -vvv "$@" | tee "$TMP/out"

for expected in "atlas_org_api_key_info runs in the controller's process" \
                "atlas_org_api_key_info runs as a module: the environment keyword is set"; do
    if ! grep -qF "mongodb_atlas.api_keys.$expected" "$TMP/out"; then
        echo "FAIL: the output does not say: mongodb_atlas.api_keys.$expected" >&2
        exit 1
    fi
done
if grep -qF -- "$(setting atlas_admin_private_key)" "$TMP/out"; then
    echo "FAIL: the admin private key shows in the output" >&2
    exit 1
fi
