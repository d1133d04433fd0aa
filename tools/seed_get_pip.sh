#!/usr/bin/env bash
# Seed ansible-test's pip bootstrap cache with tools/get_pip_standin.py (see that file).
#
#   tools/seed_get_pip.sh VENV
#
# Reads the pip version VENV's ansible-test bootstraps into its sanity venvs and copies the
# stand-in to ~/.ansible/test/cache/get_pip_<version>.py, only when that file is missing: a real
# get-pip.py that ansible-test downloaded itself is left alone.
set -euo pipefail

venv=${1:?usage: seed_get_pip.sh VENV}
here=$(cd "$(dirname "$0")" && pwd)

ansible_test=$("$venv/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
source_file=$ansible_test/_internal/python_requirements.py
# def get_venv_packages(...): default_packages = dict(pip='25.2', ...)
version=$(sed -n "s/^ *pip='\([0-9][0-9.]*\)',\$/\1/p" "$source_file")
if [[ ! $version =~ ^[0-9]+(\.[0-9]+)+$ ]]; then
    echo "seed_get_pip.sh: error: cannot read the pip version from $source_file (found '$version');" \
        "ansible-test changed how it pins pip: update this script" >&2
    exit 1
fi

cache=$HOME/.ansible/test/cache
target=$cache/get_pip_${version//./_}.py
if [[ ! -f $target ]]; then
    mkdir -p "$cache"
    cp "$here/get_pip_standin.py" "$target"
    echo ">>> seeded $target (pip $version bootstrap stand-in)"
fi
