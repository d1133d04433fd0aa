#!/usr/bin/env bash
# Run a command against a fresh Atlas simulator, and always stop the simulator afterwards.
#
#   tools/with_simulator.sh PYTHON COMMAND [ARG...]
#
# Starts `PYTHON tests/simulator/atlas_simulator.py --port 0 --url-file F` on 127.0.0.1, waits
# for its URL, exports what tools/sim_env.py derives from it (ATLAS_SIM_URL,
# MONGODB_ATLAS_BASE_URL, MONGODB_ATLAS_PUBLIC_API_KEY, MONGODB_ATLAS_PRIVATE_API_KEY,
# MONGODB_ATLAS_ORG_ID, MONGODB_ATLAS_PROJECT_ID, ATLAS_SIM_PROJECT_ID_<NAME>) and runs COMMAND with them. The command's
# exit status is the script's; when it fails, the tail of the simulator's log is printed.
set -euo pipefail

python=${1:?usage: with_simulator.sh PYTHON COMMAND [ARG...]}
shift
(($#)) || { echo "with_simulator.sh: no command given" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
simulator=$here/../tests/simulator/atlas_simulator.py
[[ -f $simulator ]] || { echo "with_simulator.sh: error: $simulator not found" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/atlas-sim.XXXXXX")
"$python" "$simulator" --port 0 --url-file "$work/url" >"$work/log" 2>&1 &
sim_pid=$!

stop_simulator() {
    local status=$?
    set +e
    if kill -0 "$sim_pid" 2>/dev/null; then
        kill "$sim_pid"
        wait "$sim_pid" 2>/dev/null
    fi
    if ((status != 0)) && [[ -s $work/log ]]; then
        echo "---- last lines of the simulator's log ----" >&2
        tail -n 40 "$work/log" >&2
        echo "-------------------------------------------" >&2
    fi
    rm -rf "$work"
    exit "$status"
}
trap stop_simulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

url=
for ((i = 0; i < 200; i++)); do  # 20 s
    if [[ -s $work/url ]]; then
        url=$(<"$work/url")
        url=${url#ATLAS_SIMULATOR_URL=}
        [[ $url == http*://* ]] && break
        url=
    fi
    if ! kill -0 "$sim_pid" 2>/dev/null; then
        echo "with_simulator.sh: error: the simulator exited before it served" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z $url ]]; then
    echo "with_simulator.sh: error: the simulator did not write its URL to $work/url within 20 s" >&2
    exit 1
fi

exports=$("$python" "$here/sim_env.py" exports "$url")
eval "$exports"
echo ">>> Atlas simulator (pid $sim_pid) serving at $url"
"$@"
