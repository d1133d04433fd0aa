#!/usr/bin/env bash
# Check the built collection as a user gets it: install the tarball offline into an empty
# directory and use it from there only.
#
#   tools/install_check.sh TARBALL PLUGINS_DIR
#
# - the tarball holds no build or test output;
# - `ansible-doc -t TYPE -l` lists exactly the plugins of PLUGINS_DIR/<type dir> (plugins/ of the
#   checkout: modules, lookup, ...), and `ansible-doc` renders every one of them;
# - adhoc_smoke: one ad-hoc module run against the Atlas simulator.
# Run with the 2.21 venv's bin first on PATH (the Makefile does).
set -euo pipefail

die() { printf 'install_check.sh: error: %s\n' "$*" >&2; exit 1; }

# Hook: the smoke test run against the simulator, from the directory the collection was installed
# in (ANSIBLE_COLLECTIONS_PATH points there); with_simulator.sh has set MONGODB_ATLAS_*.
adhoc_smoke() {
    ANSIBLE_LOCALHOST_WARNING=false ansible localhost \
        -m mongodb_atlas.api_keys.atlas_org_api_key_info -a "org_id=$MONGODB_ATLAS_ORG_ID" >adhoc.out 2>&1 || {
        cat adhoc.out >&2
        die "the ad-hoc run failed"
    }
    if ! grep -q '^localhost | SUCCESS =>' adhoc.out || ! grep -q '"changed": false' adhoc.out; then
        cat adhoc.out >&2
        die "the ad-hoc run of an _info module did not report SUCCESS with changed=false"
    fi
    echo ">>> ad-hoc atlas_org_api_key_info against the simulator: SUCCESS, changed=false," \
        "$(grep -c '"public_key":' adhoc.out) keys listed"
}

if [[ ${1-} == --adhoc-smoke ]]; then
    # second half, run by with_simulator.sh; $2 is the directory the collection was installed in
    cd "$2"
    export ANSIBLE_COLLECTIONS_PATH=$2/collections
    adhoc_smoke
    exit
fi

tarball=$(realpath "${1:?usage: install_check.sh TARBALL PLUGINS_DIR}")
plugins_dir=$(realpath "${2:?usage: install_check.sh TARBALL PLUGINS_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
collection=mongodb_atlas.api_keys

# --- the tarball's content
forbidden=$(tar -tzf "$tarball" |
    grep -E '^(\./)?(build|\.venv|\.ansible|\.pytest_cache|tests/output)(/|$)|(^|/)(__pycache__/|[^/]*\.pyc$|pyvenv\.cfg$)|^(\./)?tests/integration/(inventory|integration_config\.yml)$|\.tar\.gz$' ||
    [[ $? == 1 ]])
if [[ -n $forbidden ]]; then
    head -n 20 <<<"$forbidden" >&2
    die "$tarball ships $(wc -l <<<"$forbidden") files of build, venv or test output (first 20 above): add them to galaxy.yml build_ignore"
fi
echo ">>> $tarball: $(tar -tzf "$tarball" | wc -l) entries, no build or test output"

# --- install it alone, use it from elsewhere
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# only there: with the build tree on the path ansible-galaxy finds the collection "already installed"
export ANSIBLE_COLLECTIONS_PATH=$work/collections
ansible-galaxy collection install --offline "$tarball" -p "$work/collections" >"$work/install.log" 2>&1 || {
    cat "$work/install.log" >&2
    die "ansible-galaxy collection install failed"
}
grep -q "^$collection:.* was installed successfully" "$work/install.log" || {
    cat "$work/install.log" >&2
    die "ansible-galaxy did not install $collection"
}
cd "$work"
ansible-galaxy collection list "$collection"

# plugins/<dir> -> ansible-doc plugin type, for the types that hold one plugin per file
declare -A plugin_types=([modules]=module [lookup]=lookup [inventory]=inventory [callback]=callback
    [connection]=connection [become]=become [cache]=cache [vars]=vars)
for dir in "${!plugin_types[@]}"; do
    type=${plugin_types[$dir]}
    [[ -d $plugins_dir/$dir ]] || continue
    expected=$(find "$plugins_dir/$dir" -maxdepth 1 -name '*.py' ! -name '_*' -printf '%f\n' | sed 's/\.py$//' | sort)
    [[ -n $expected ]] || continue
    listed=$(ansible-doc -t "$type" -l "$collection" --json |
        python3.12 -c 'import json, sys; print("\n".join(sorted(k.rsplit(".", 1)[1] for k in json.load(sys.stdin))))')
    if [[ $listed != "$expected" ]]; then
        diff <(echo "$expected") <(echo "$listed") >&2 || [[ $? == 1 ]]
        die "ansible-doc -t $type -l $collection does not list exactly the plugins of plugins/$dir ('<' missing, '>' extra)"
    fi
    for plugin in $expected; do
        ansible-doc -t "$type" "$collection.$plugin" >"$work/$plugin.txt" 2>"$work/$plugin.err" || {
            cat "$work/$plugin.err" >&2
            die "ansible-doc -t $type $collection.$plugin failed"
        }
        if [[ -s $work/$plugin.err ]]; then
            cat "$work/$plugin.err" >&2
            die "ansible-doc -t $type $collection.$plugin warned"
        fi
    done
    echo ">>> ansible-doc lists and renders all $(wc -l <<<"$expected") $type plugins of plugins/$dir"
done
[[ $(find "$plugins_dir/modules" -maxdepth 1 -name '*.py' ! -name '_*' 2>/dev/null | wc -l) -gt 0 ]] ||
    die "no modules in $plugins_dir/modules"

# --- one ad-hoc run of the installed collection against the simulator (adhoc_smoke above)
"$here/with_simulator.sh" python3.12 "$here/install_check.sh" --adhoc-smoke "$work"
