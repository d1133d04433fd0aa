#!/usr/bin/env python
"""Offline stand-in for pip's get-pip.py, for ansible-test sanity.

ansible-test builds each sanity test's virtual environment without pip, then bootstraps pip
with a get-pip.py it downloads from a host that networks with only a PyPI mirror cannot reach
(and fails with "does not have pip available"). It first looks for a cached copy at
~/.ansible/test/cache/get_pip_<pip version>.py; `make sanity` copies this file there when that
copy is missing (tools/seed_get_pip.sh).

ansible-test runs it as `python get_pip.py [pip options] pip==X.Y [...] --no-setuptools --no-wheel`.
We bootstrap the pip bundled with CPython (ensurepip, no network), then let that pip install the
requested packages from the configured index. --no-setuptools/--no-wheel are get-pip.py options
that pip install does not know; without them nothing extra is installed anyway.
"""
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def main(argv):
    pip_args = [arg for arg in argv if arg not in GET_PIP_ONLY_OPTIONS]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    return subprocess.call([sys.executable, '-m', 'pip', 'install'] + pip_args)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
