#!/usr/bin/env bash
# Run commands at the same time, each with its output in its own log, then print the logs one
# after the other and fail when any command failed.
#
#   tools/run_parallel.sh LOG_DIR NAME=COMMAND...
#
# `make integration` runs the two cores' suites this way: they are long, mostly single-threaded,
# and independent (each has its own collection tree, venv and simulator), so on two cores this
# halves the wait. Interrupted, it stops what it started.
set -euo pipefail

log_dir=${1:?usage: run_parallel.sh LOG_DIR NAME=COMMAND...}
shift
mkdir -p "$log_dir"

names=()
pids=()
start=$SECONDS
stop_jobs() {
    local pid
    set +e  # stop every job, whatever happens to one
    for pid in ${pids[@]+"${pids[@]}"}; do
        kill -TERM -- "-$pid" 2>/dev/null
    done
}
trap 'stop_jobs; exit 130' INT
trap 'stop_jobs; exit 143' TERM

for job in "$@"; do
    name=${job%%=*}
    command=${job#*=}
    log=$log_dir/$name.log
    # own process group (setsid), so that stop_jobs can stop the whole job
    setsid bash -c "$command" </dev/null >"$log" 2>&1 &
    pids+=($!)
    names+=("$name")
    echo ">>> started $name: $command (log: $log)"
done

failed=()
status=()
running=("${pids[@]}")
while ((${#running[@]})); do
    rc=0
    wait -n -p finished "${running[@]}" || rc=$?
    still=()
    for pid in "${running[@]}"; do
        [[ $pid == "$finished" ]] || still+=("$pid")
    done
    running=(${still[@]+"${still[@]}"})
    for i in "${!pids[@]}"; do
        [[ ${pids[$i]} == "$finished" ]] || continue
        if ((rc == 0)); then
            status[i]="ok after $((SECONDS - start))s"
        else
            status[i]="FAILED (exit $rc) after $((SECONDS - start))s"
            failed+=("${names[$i]}")
        fi
        echo ">>> ${names[$i]}: ${status[$i]}"
    done
done

for i in "${!names[@]}"; do
    printf '\n---- %s: %s (%s) ----\n' "${names[$i]}" "${status[$i]}" "$log_dir/${names[$i]}.log"
    cat "$log_dir/${names[$i]}.log"
done
printf '\n'
for i in "${!names[@]}"; do
    echo ">>> ${names[$i]}: ${status[$i]}"
done
if ((${#failed[@]})); then
    echo "run_parallel.sh: error: failed: ${failed[*]}" >&2
    exit 1
fi
