#!/usr/bin/env bash
# Render the collection's module reference (RST that reads on GitHub) with antsibull-docs.
#
#   tools/render_docs.sh COLLECTION DIR          replace DIR with freshly rendered docs
#   tools/render_docs.sh --check COLLECTION DIR  fail when DIR differs from what would be rendered
#
# The collection is found through ANSIBLE_COLLECTIONS_PATH (the Makefile points it at build/).
# antsibull-docs renders an error page and still exits 0 when a plugin's documentation does not
# parse: here any error it logs fails the run.
set -euo pipefail

check=false
if [[ ${1-} == --check ]]; then
    check=true
    shift
fi
collection=${1:?usage: render_docs.sh [--check] COLLECTION DIR}
dir=${2:?usage: render_docs.sh [--check] COLLECTION DIR}

scratch=$(mktemp -d)  # antsibull-docs wants a directory only its owner can write
trap 'rm -rf "$scratch"' EXIT
mkdir -m 0755 "$scratch/docs"

antsibull-docs collection --use-current --squash-hierarchy --output-format simplified-rst \
    --dest-dir "$scratch/docs" "$collection" 2>"$scratch/log" || {
    cat "$scratch/log" >&2
    echo "render_docs.sh: error: antsibull-docs failed" >&2
    exit 1
}
if grep -q 'ERROR' "$scratch/log"; then
    cat "$scratch/log" >&2
    echo "render_docs.sh: error: antsibull-docs reported errors (make docs-lint explains them)" >&2
    exit 1
fi
shopt -s nullglob
modules=("$scratch"/docs/*_module.rst)
pages=("$scratch"/docs/*.rst)
if ((${#modules[@]} == 0)); then
    echo "render_docs.sh: error: antsibull-docs rendered no module page for $collection" >&2
    exit 1
fi

if $check; then
    if [[ ! -d $dir ]]; then
        echo "render_docs.sh: error: $dir does not exist: run 'make docs' and commit it" >&2
        exit 1
    fi
    if ! diff -ru "$dir" "$scratch/docs" >"$scratch/diff"; then
        head -n 60 "$scratch/diff" >&2
        echo "render_docs.sh: error: $dir is stale (diff above, '-' committed, '+' rendered): run 'make docs' and commit it" >&2
        exit 1
    fi
    echo ">>> $dir is up to date (${#pages[@]} pages, ${#modules[@]} of modules)"
else
    rm -rf "$dir"
    mkdir -p "$(dirname "$dir")"
    cp -R "$scratch/docs" "$dir"
    chmod 0755 "$dir"
    echo ">>> rendered ${#pages[@]} pages (${#modules[@]} of modules) into $dir"
fi
