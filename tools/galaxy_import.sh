#!/usr/bin/env bash
# `make galaxy-import`: run galaxy-importer, the checks Galaxy runs on an upload, on the tarball.
#
#   tools/galaxy_import.sh TARBALL
#
# Run with the importer venv's bin first on PATH, so that the importer finds ansible-doc and
# ansible-lint. Fails when the importer fails or reports an error.
set -euo pipefail

tarball=${1:?usage: galaxy_import.sh TARBALL}
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)

tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")
# The importer writes importer_result.json into the working directory: keep it out of the tree.
work=$(mktemp -d)
trap 'rm -rf "$log" "$work"' EXIT
(cd "$work" && GALAXY_IMPORTER_CONFIG="$here/galaxy-importer.cfg" python -m galaxy_importer.main "$tarball") 2>&1 | tee "$log"
if grep -q '^ERROR' "$log"; then
    echo "galaxy_import.sh: error: galaxy-importer reported errors" >&2
    exit 1
fi
for tool in ansible-doc ansible-lint; do
    if grep -q "$tool not found" "$log"; then
        echo "galaxy_import.sh: error: galaxy-importer did not find $tool, so it skipped its checks" >&2
        exit 1
    fi
done
echo ">>> galaxy-importer accepted $(basename "$tarball")"
