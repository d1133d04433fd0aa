#!/usr/bin/env bash
# `make test`: run make targets one after the other, each under a banner, stopping at the first
# that fails, and end with one line that says how many stages passed.
#
#   tools/run_stages.sh MAKE STAGE...
set -euo pipefail

make=${1:?usage: run_stages.sh MAKE STAGE...}
shift
stages=("$@")
total=${#stages[@]}
passed=()
start=$SECONDS
times=()

banner() { printf '\n==== %s ====\n' "$*"; }

banner "setup: virtualenvs"
"$make" --no-print-directory venvs

for stage in "${stages[@]}"; do
    banner "stage $((${#passed[@]} + 1))/$total: make $stage"
    stage_start=$SECONDS
    if ! "$make" --no-print-directory "$stage"; then
        banner "FAILED: make $stage (stage $((${#passed[@]} + 1))/$total)"
        printf 'make test: %d/%d stages passed before %s failed%s\n' "${#passed[@]}" "$total" "$stage" \
            "${passed[*]:+ (${passed[*]})}"
        exit 1
    fi
    times+=("$stage $((SECONDS - stage_start))s")
    passed+=("$stage")
done

banner "stage times"
printf '  %s\n' "${times[@]}"
printf '\nmake test: all %d/%d stages passed in %ds: %s\n' "${#passed[@]}" "$total" "$((SECONDS - start))" "${passed[*]}"
