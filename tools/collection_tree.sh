#!/usr/bin/env bash
# Lay a fresh copy of the working tree at DEST, a .../ansible_collections/<ns>/<name> path, which
# is where ansible-test insists on running (a symlink does not do: it reads the physical cwd).
#
#   tools/collection_tree.sh DEST
#
# Copies what git would see: tracked files (as they are in the working tree, edits included) and
# untracked files that .gitignore does not exclude. Venvs, build output and tests/output never
# get in, so sanity does not scan them; whatever DEST held before (old tests/output) is removed.
#
# DEST gets an empty git repository of its own. ansible-test lists a collection's files with
# `git ls-files --cached --others --exclude-standard` from the nearest .git above it: without
# one in DEST that would be the checkout's, which ignores build/, so ansible-test would find no
# files at all and report "All targets skipped" with exit status 0.
set -euo pipefail

dest=${1:?usage: collection_tree.sh DEST}
case $dest in
*/ansible_collections/*/*) ;;
*)
    echo "collection_tree.sh: error: $dest is not an .../ansible_collections/<ns>/<name> path" >&2
    exit 1
    ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
git rev-parse --is-inside-work-tree >/dev/null

rm -rf "$dest"
mkdir -p "$dest"
# ls-files -c also names tracked files deleted from the working tree: leave those out.
git ls-files -z --cached --others --exclude-standard --deduplicate |
    while IFS= read -r -d '' path; do
        if [[ -e $path || -L $path ]]; then
            printf '%s\0' "$path"
        fi
    done |
    tar --create --null --no-recursion --files-from=- --file=- |
    tar --extract --file=- --directory="$dest"
git -c init.defaultBranch=main init --quiet "$dest"
