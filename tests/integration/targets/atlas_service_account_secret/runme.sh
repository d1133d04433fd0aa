#!/usr/bin/env bash
# atlas_service_account_secret on a schedule: a simulator of its own whose Date header follows its movable clock
# (atlas_clock_simulator.py), so that aging the clock ages the secrets as the module sees them; then rotation.yml.
set -eux

config=
while [ $# -gt 0 ]; do
    if [ "$1" = -e ] && [ $# -gt 1 ] && [ "${2#@}" != "$2" ]; then
        config=${2#@}
        shift
    fi
    shift
done
if [ -z "$config" ]; then
    config=$(cd "$(dirname "$0")/../.." && pwd)/integration_config.yml
fi
test -f "$config"

PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
SIMULATOR=$(cd "$HERE/../../../simulator" && pwd)/atlas_simulator.py
TMP=$(mktemp -d)
SIM_PID=

cleanup() {
    if [ -n "$SIM_PID" ]; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

unset MONGODB_ATLAS_PUBLIC_API_KEY MONGODB_ATLAS_PRIVATE_API_KEY MONGODB_ATLAS_PUBLIC_KEY MONGODB_ATLAS_PRIVATE_KEY
unset MONGODB_ATLAS_CLIENT_ID MONGODB_ATLAS_CLIENT_SECRET MONGODB_ATLAS_ACCESS_TOKEN MONGODB_ATLAS_BASE_URL

: >"$TMP/simulator.out"
"$PYTHON" "$HERE/atlas_clock_simulator.py" "$SIMULATOR" --port 0 >"$TMP/simulator.out" 2>"$TMP/simulator.err" &
SIM_PID=$!
CLOCK_URL=
for _ in $(seq 100); do
    CLOCK_URL=$(sed -n 's/^ATLAS_SIMULATOR_URL=//p' "$TMP/simulator.out")
    [ -n "$CLOCK_URL" ] && break
    kill -0 "$SIM_PID" || { cat "$TMP/simulator.err" >&2; exit 1; }
    sleep 0.1
done
test -n "$CLOCK_URL"

ansible-playbook -i "${INVENTORY_PATH}" "$HERE/rotation.yml" -e "@$config" -e "atlas_sim_url=$CLOCK_URL" "$@"

echo "atlas_service_account_secret: all checks passed"
