# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every unit test shares: one way to run a module, one fake Atlas (the simulator, in-process).

* ``sim``: the Atlas simulator (``tests/simulator``, imported as ``atlas_simulator``) serving on 127.0.0.1,
  one server per test session, reset to its seed before every test; ``sim.control(method, path, body)`` speaks
  its control API, ``sim.log()`` its request log, ``sim.connection`` holds the module options that reach it with its admin key.
* ``run_module(module, args, check_mode=False, diff=True)``: one run of a module's ``main()`` (a module name,
  a module object or any callable that builds an AnsibleModule), in-process; returns its result exactly as
  Ansible reads it from the module's stdout, ``failed`` set when it called ``fail_json``. The arguments reach
  the module through ``ansible.module_utils.testing.patch_module_args`` (ansible-core 2.19+) or, on 2.18,
  through ``basic._ANSIBLE_ARGS``.
* The MONGODB_ATLAS_* credential variables are cleared for every test, so a developer's shell cannot leak in.

Plain pytest (outside ansible-test) can import ``ansible_collections.mongodb_atlas.api_keys...`` only when the
directory above ``ansible_collections/`` is on ``sys.path``; add it when the checkout sits at
``.../ansible_collections/mongodb_atlas/api_keys``. ansible-test sets it up itself.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import urllib.request

import pytest

_COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_COLLECTIONS_DIR = os.path.dirname(os.path.dirname(_COLLECTION_ROOT))
if (os.path.basename(_COLLECTIONS_DIR) == "ansible_collections"
        and os.path.dirname(_COLLECTIONS_DIR) not in sys.path):
    sys.path.insert(0, os.path.dirname(_COLLECTIONS_DIR))

from ansible.module_utils import basic  # noqa: E402  (after the path is set up)
from ansible.module_utils.common import warnings as module_warnings  # noqa: E402
from ansible.module_utils.common.parameters import PASS_VARS  # noqa: E402

from ansible_collections.mongodb_atlas.api_keys.tests.simulator import atlas_simulator  # noqa: E402

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core 2.18
    patch_module_args = None

MODULES_PACKAGE = "ansible_collections.mongodb_atlas.api_keys.plugins.modules"
CREDENTIAL_ENV = ("MONGODB_ATLAS_BASE_URL", "MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PUBLIC_KEY",
                  "MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_PRIVATE_KEY", "MONGODB_ATLAS_CLIENT_ID",
                  "MONGODB_ATLAS_CLIENT_SECRET", "MONGODB_ATLAS_ACCESS_TOKEN")

#: Results hold ``invocation`` (the module's arguments after no_log masking), as ansible-core 2.19 always sends
#: it and 2.21 does with INJECT_INVOCATION: the secret checks then cover the arguments too.
INVOCATION = {"_ansible_inject_invocation": True} if "inject_invocation" in PASS_VARS else {}

#: Every secret the simulator seeds; none may ever appear in a module's result.
SEEDED_SECRETS = (atlas_simulator.ADMIN_PRIVATE_KEY, atlas_simulator.READ_ONLY_PRIVATE_KEY,
                  atlas_simulator.PROJECT_OWNER_PRIVATE_KEY, atlas_simulator.SERVICE_ACCOUNT_CLIENT_SECRET)


@contextlib.contextmanager
def module_args(args):
    """The arguments the next AnsibleModule reads, on every ansible-core from 2.18."""
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    saved = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
    basic._ANSIBLE_ARGS = json.dumps(dict(ANSIBLE_MODULE_ARGS=args)).encode("utf-8")  # pylint: disable=protected-access
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved  # pylint: disable=protected-access


def _forget_module_messages():
    """Empty the process-wide store of warnings and deprecations, as a new module process starts with."""
    for name in ("_global_warnings", "_global_deprecations"):
        store = getattr(module_warnings, name, None)
        if store is not None:
            store.clear()


def run_module(module, args, check_mode=False, diff=True):
    """Run a module's main() in-process; return its result as Ansible reads it (see the module docstring)."""
    if isinstance(module, str):
        module = importlib.import_module("%s.%s" % (MODULES_PACKAGE, module))
    main = getattr(module, "main", module)
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff, **INVOCATION)
    _forget_module_messages()
    out, exit_code = io.StringIO(), None
    with module_args(args), contextlib.redirect_stdout(out):
        try:
            main()
        except SystemExit as done:
            exit_code = done.code
    text = out.getvalue()
    try:
        result = json.loads(text)
    except ValueError:
        raise AssertionError("%r printed no JSON result: %r" % (main, text[-2000:])) from None
    assert exit_code is not None, "%r did not exit" % main
    assert (exit_code != 0) == bool(result.get("failed")), "exit code %r, result %r" % (exit_code, result)
    return result


@pytest.fixture(name="run_module")
def _run_module_fixture(monkeypatch):
    # On ansible-core 2.19+, once the controller is imported (the lookup tests do), the process counts as the
    # controller and AnsibleModule.warn no longer puts warnings in the module's result: run modules as on a target.
    try:
        from ansible.module_utils import _internal
    except ImportError:  # ansible-core 2.18: no controller context
        _internal = None
    if _internal is not None and hasattr(_internal, "is_controller"):
        monkeypatch.setattr(_internal, "is_controller", False)
    return run_module


@pytest.fixture(autouse=True)
def _no_credentials_from_the_shell(monkeypatch):
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


class Simulator:
    """The running simulator and its control API."""

    def __init__(self, server):
        self.server = server
        self.url = server.url
        self.module = atlas_simulator
        self.connection = dict(api_base_url=server.url, api_public_key=atlas_simulator.ADMIN_PUBLIC_KEY,
                               api_private_key=atlas_simulator.ADMIN_PRIVATE_KEY)

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request("%s/__sim/%s" % (self.url, path), data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            content = answer.read()
        return json.loads(content) if content.strip() else None

    def run(self, module, check_mode=False, diff=True, **args):
        """``run_module`` with this simulator's connection (its admin key) and the given options."""
        return run_module(module, dict(self.connection, **args), check_mode=check_mode, diff=diff)

    def state(self):
        return self.control("GET", "state")

    def log(self):
        return self.control("GET", "log")["requests"]

    def clear_log(self):
        self.control("DELETE", "log")

    def writes(self):
        return [entry for entry in self.log() if entry["write"]]

    def view(self, state=None):
        """The state reduced to what the modules manage: key id -> (description, org roles, projects, entries)."""
        state = state or self.state()
        return {key["id"]: key_view(key) for key in state["api_keys"]}

    @staticmethod
    def secrets_in(result, extra=()):
        """The known secrets (and the markers of an Authorization header) that appear in a result."""
        text = json.dumps(result)
        found = [secret for secret in tuple(SEEDED_SECRETS) + tuple(extra) if secret and secret in text]
        found += [marker for marker in ("Authorization", "Digest username", 'response="') if marker in text]
        return found

    def set_faults(self, plan):
        """Install a fault plan object (a FaultPlan or a subclass) in-process."""
        with self.server.state.lock:
            self.server.state.faults = plan


def key_view(key):
    org_roles = frozenset(role["roleName"] for role in key["roles"] if "orgId" in role)
    projects = {}
    for role in key["roles"]:
        if "groupId" in role:
            projects.setdefault(role["groupId"], set()).add(role["roleName"])
    return (key["desc"], org_roles, frozenset((group, frozenset(roles)) for group, roles in projects.items()),
            frozenset(entry["cidrBlock"] for entry in key["accessList"]))


@pytest.fixture(scope="session")
def sim_server():
    """The session's simulator server (started once; ``sim`` resets it for each test)."""
    server = atlas_simulator.AtlasSimulator().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture  # run_module: modules run as on a target
def sim(sim_server, run_module):  # pylint: disable=redefined-outer-name,unused-argument
    """The session's simulator, reset to its seed."""
    simulator = Simulator(sim_server)
    simulator.control("POST", "reset")
    return simulator
