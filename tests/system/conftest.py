# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""System tests: the six modules run in-process against the Atlas simulator, through the real client.

Run from a tree at ``.../ansible_collections/mongodb_atlas/api_keys`` (``make system-221`` does)::

    python -m pytest tests/system -q -p no:cacheprovider

Fixtures and helpers:

* ``sim``: one simulator per session (``AtlasSimulator`` on 127.0.0.1, port 0), reset before every test;
  ``sim.control(method, path, body)`` speaks its control API, ``sim.view()`` is its state reduced to what
  the modules manage, ``sim.log()`` its request log.
* ``run_module(name, args, check_mode=False)``: one module run, ``main()`` called in-process with the
  arguments given through ``ansible.module_utils.testing.patch_module_args``. Returns the result exactly as
  Ansible would read it from the module's stdout (``failed`` set when it called ``fail_json``), so
  ``no_log`` masking is the module's own; ``invocation`` included on every core.
* ``scaled_sleep``: every module run's client sleeps a tenth of the backoff it decides on (the decisions are
  under test, not the waiting); the delays asked for are recorded.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import json
import os
import sys
import time
import urllib.request

import pytest

_COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_COLLECTIONS_DIR = os.path.dirname(os.path.dirname(_COLLECTION_ROOT))
if os.path.basename(_COLLECTIONS_DIR) == "ansible_collections" and os.path.dirname(_COLLECTIONS_DIR) not in sys.path:
    sys.path.insert(0, os.path.dirname(_COLLECTIONS_DIR))

from ansible.module_utils.common.parameters import PASS_VARS  # noqa: E402  (after the path is set up)
from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import module_base  # noqa: E402
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import AtlasClient  # noqa: E402

SIMULATOR_PATH = os.path.join(_COLLECTION_ROOT, "tests", "simulator", "atlas_simulator.py")
MODULES = ("atlas_org_api_key", "atlas_api_key_accesslist", "atlas_project_api_key",
           "atlas_org_api_key_info", "atlas_api_key_accesslist_info", "atlas_project_api_key_info")
CREDENTIAL_ENV = ("MONGODB_ATLAS_BASE_URL", "MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PUBLIC_KEY",
                  "MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_PRIVATE_KEY", "MONGODB_ATLAS_CLIENT_ID",
                  "MONGODB_ATLAS_CLIENT_SECRET", "MONGODB_ATLAS_ACCESS_TOKEN")
SLEEP_SCALE = 0.1

#: Results hold ``invocation`` (the module's arguments after no_log masking), as ansible-core 2.19 always sends
#: it and 2.21 does with INJECT_INVOCATION: the secret checks then cover the arguments too.
INVOCATION = {"_ansible_inject_invocation": True} if "inject_invocation" in PASS_VARS else {}

#: One-line figures tests want in the CI log (printed at the end of the session, also under -q).
SUMMARY_LINES = []


def _load_simulator():
    spec = importlib.util.spec_from_file_location("atlas_simulator_for_system_tests", SIMULATOR_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SIM = _load_simulator()

#: Every secret the simulator seeds; none may ever appear in a module's result.
SEEDED_SECRETS = (SIM.ADMIN_PRIVATE_KEY, SIM.READ_ONLY_PRIVATE_KEY, SIM.PROJECT_OWNER_PRIVATE_KEY,
                  SIM.SERVICE_ACCOUNT_CLIENT_SECRET)


class Simulator:
    """The running simulator and its control API."""

    def __init__(self, server):
        self.server = server
        self.url = server.url
        self.module = SIM
        self.connection = dict(api_base_url=server.url, api_public_key=SIM.ADMIN_PUBLIC_KEY,
                               api_private_key=SIM.ADMIN_PRIVATE_KEY)

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request("%s/__sim/%s" % (self.url, path), data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            content = answer.read()
        return json.loads(content) if content.strip() else None

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
def _server():
    server = SIM.AtlasSimulator().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sim(_server, monkeypatch):
    """The session's simulator, reset to its seed; the credential environment variables cleared."""
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    simulator = Simulator(_server)
    simulator.control("POST", "reset")
    return simulator


def _module(name):
    return importlib.import_module("ansible_collections.mongodb_atlas.api_keys.plugins.modules.%s" % name)


def run_module(name, args, check_mode=False, diff=True):
    """Run one module's main() in-process; return its result as Ansible reads it."""
    module = _module(name)
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff, **INVOCATION)
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            module.main()
        except SystemExit:
            pass
    text = out.getvalue()
    try:
        return json.loads(text)
    except ValueError:
        raise AssertionError("%s printed no JSON result: %r" % (name, text[-2000:])) from None


@pytest.fixture(name="run_module")
def _run_module_fixture():
    return run_module


class SleepRecorder:
    """The client's sleep: records the delay asked for, sleeps ``scale`` of it."""

    def __init__(self, scale):
        self.scale = scale
        self.asked = []
        self.slept = 0.0

    def __call__(self, seconds):
        self.asked.append(seconds)
        started = time.monotonic()
        time.sleep(seconds * self.scale)
        self.slept += time.monotonic() - started


@pytest.fixture
def scaled_sleep(monkeypatch):
    """Every AtlasClient a module builds sleeps SLEEP_SCALE of the backoff its retry logic chose."""
    recorder = SleepRecorder(SLEEP_SCALE)

    class ScaledSleepClient(AtlasClient):
        def __init__(self, *args, **kwargs):
            kwargs["sleep"] = recorder
            super(ScaledSleepClient, self).__init__(*args, **kwargs)

    monkeypatch.setattr(module_base, "AtlasClient", ScaledSleepClient)
    return recorder


@pytest.fixture
def summary_lines():
    """Append a line here to have it printed at the end of the run (the CI log shows it under -q too)."""
    return SUMMARY_LINES


def pytest_terminal_summary(terminalreporter):
    for line in SUMMARY_LINES:
        terminalreporter.write_line(line)
