#!/usr/bin/env bash
# Print the path of a real CPython X.Y interpreter, or nothing when there is none.
#
#   tools/find_python.sh 3.12
#
# Order: the newest ~/.pyenv/versions/X.Y.*/bin/pythonX.Y, then pythonX.Y on PATH. A pyenv
# shim (or any wrapper or symlink) is resolved to the interpreter it runs via sys.executable,
# because ansible-test --python X.Y is confused by shims.
set -euo pipefail

want=${1:?usage: find_python.sh X.Y}

real_python() {
    # The interpreter's own path, when $1 runs and really is Python $want.
    "$1" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$want'; print(sys.executable)" 2>/dev/null
}

pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
shopt -s nullglob
candidates=("$pyenv_root"/versions/"$want".*/bin/python"$want")
shopt -u nullglob
if ((${#candidates[@]})); then
    # newest patch release first (sort -V: 3.12.10 after 3.12.9)
    mapfile -t candidates < <(printf '%s\n' "${candidates[@]}" | sort -rV)
fi
if command -v "python$want" >/dev/null 2>&1; then
    candidates+=("$(command -v "python$want")")
fi

for candidate in ${candidates[@]+"${candidates[@]}"}; do
    if found=$(real_python "$candidate") && [[ -n $found ]]; then
        printf '%s\n' "$found"
        exit 0
    fi
done
exit 0
