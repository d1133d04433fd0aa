# shellcheck shell=bash
# What the script targets (runme.sh) share; each sources it first:
#   . "$(dirname "$0")/../../runme_common.sh" "$@"
# Sets:
#   config  the integration config: the `-e @<file>` ansible-test passes to cloud targets, else
#           tests/integration/integration_config.yml (ansible-test copies it two levels above the target);
#   PYTHON  the interpreter ansible-test runs with; HERE the target's directory; SIMULATOR the simulator's script;
#   TMP     a scratch directory, removed on exit (with the simulator start_simulator started, if any).
# Defines setting NAME (a value of the integration config) and start_simulator.
# Clears the MONGODB_ATLAS_* credential variables, so the caller's environment cannot leak in.
# shellcheck disable=SC2034  # the variables set here are for the scripts that source this file

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
if [ ! -f "$config" ]; then
    echo "$0: no integration config: pass '-e @<file>' or write $config" >&2
    exit 1
fi

PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
# (present when the target's aliases name it: needs/file/tests/simulator/atlas_simulator.py)
SIMULATOR=$HERE/../../../simulator/atlas_simulator.py
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

# setting NAME: the value of NAME in the integration config.
setting() {
    "$PYTHON" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))[sys.argv[2]])' "$config" "$1"
}

# start_simulator COMMAND...: start a simulator of the target's own in the background and set SIM_URL to the
# URL it prints first (ATLAS_SIMULATOR_URL=...); fail with its stderr if it exits before.
start_simulator() {
    : >"$TMP/simulator.out"  # exists before the loop below reads it
    "$@" >"$TMP/simulator.out" 2>"$TMP/simulator.err" &
    SIM_PID=$!
    SIM_URL=
    for _ in $(seq 100); do
        SIM_URL=$(sed -n 's/^ATLAS_SIMULATOR_URL=//p' "$TMP/simulator.out")
        [ -n "$SIM_URL" ] && return 0
        kill -0 "$SIM_PID" || { cat "$TMP/simulator.err" >&2; exit 1; }
        sleep 0.1
    done
    echo "$0: the simulator printed no URL in 10 s" >&2
    exit 1
}
