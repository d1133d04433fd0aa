#!/usr/bin/env bash
# atlas_service_account_secret on a schedule: a simulator of its own whose Date header follows its movable clock
# (atlas_clock_simulator.py), so that aging the clock ages the secrets as the module sees them; then rotation.yml.
set -eux

# shellcheck source-path=SCRIPTDIR/../.. source=runme_common.sh
. "$(dirname "$0")/../../runme_common.sh" "$@"

start_simulator "$PYTHON" "$HERE/atlas_clock_simulator.py" "$SIMULATOR" --port 0

ansible-playbook -i "${INVENTORY_PATH}" "$HERE/rotation.yml" -e "@$config" -e "atlas_sim_url=$SIM_URL" "$@"

echo "atlas_service_account_secret: all checks passed"
