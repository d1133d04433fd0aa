# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every unit test shares: one way to run a module, one fake Atlas (the simulator, in-process).

* ``sim``: the Atlas simulator (``tests/simulator``, imported as ``atlas_simulator``) serving on 127.0.0.1,
  one server per test session, reset to its seed before every test; ``sim.control(method, path, body)`` speaks
  its control API, ``sim.log()`` its request log, ``sim.connection`` holds the module options that reach it with its admin key.
  ``sim.sent()`` lists (method, path, body) of the API requests; ``sim.add_key()`` / ``sim.add_entries()`` put keys
  and access-list entries straight into its state. Lost answers and outages are its faults (``POST /__sim/faults``);
  the few answers Atlas gives that the simulator never gives in that place come from ``sim.fail_operation()`` and
  ``sim.rewrite_answer()``, for one test.
* ``run_module(module, args, check_mode=False, diff=True)``: one run of a module's ``main()`` (a module name,
  a module object or any callable that builds an AnsibleModule), in-process; returns its result exactly as
  Ansible reads it from the module's stdout, ``failed`` set when it called ``fail_json``. The arguments reach
  the module through ``ansible.module_utils.testing.patch_module_args`` (ansible-core 2.19+) or, on 2.18,
  through ``basic._ANSIBLE_ARGS``.
* ``run_atlas_module(args, then=...)``: the same for the module base alone (tests of module_utils).
* The MONGODB_ATLAS_* credential variables are cleared for every test, so a developer's shell cannot leak in, and
  the clients modules build do not sleep the backoff between attempts.

Plain pytest (outside ansible-test) can import ``ansible_collections.mongodb_atlas.api_keys...`` only when the
directory above ``ansible_collections/`` is on ``sys.path``; add it when the checkout sits at
``.../ansible_collections/mongodb_atlas/api_keys``. ansible-test sets it up itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import ipaddress
import json
import os
import ssl
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from urllib.request import parse_http_list, parse_keqv_list

import pytest

_COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_COLLECTIONS_DIR = os.path.dirname(os.path.dirname(_COLLECTION_ROOT))
if (os.path.basename(_COLLECTIONS_DIR) == "ansible_collections"
        and os.path.dirname(_COLLECTIONS_DIR) not in sys.path):
    sys.path.insert(0, os.path.dirname(_COLLECTIONS_DIR))

from ansible.module_utils import basic  # noqa: E402  (after the path is set up)
from ansible.module_utils.common import warnings as module_warnings  # noqa: E402
from ansible.module_utils.common.parameters import PASS_VARS  # noqa: E402

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import module_base  # noqa: E402
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


@pytest.fixture
def run_atlas_module(run_module):  # pylint: disable=redefined-outer-name
    """``run(args, then=None, check_mode=False, diff=True, argument_spec=None, **module_kwargs)``: run_module on
    a main() that builds an AtlasModule (the module base alone, common options plus ``argument_spec``), calls
    ``then(atlas)`` and exits with the dict it returns; the result without ``invocation`` (the arguments echoed
    by ansible-core, not by the collection)."""
    from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule

    def run(args, then=None, check_mode=False, diff=True, argument_spec=None, **module_kwargs):
        def main():
            atlas = AtlasModule(argument_spec=argument_spec or {}, **module_kwargs)
            atlas.exit(**((then(atlas) if then else None) or {}))
        result = run_module(main, args, check_mode=check_mode, diff=diff)
        result.pop("invocation", None)
        return result
    return run


@pytest.fixture(autouse=True)
def _no_credentials_from_the_shell(monkeypatch):
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _module_clients_do_not_wait(monkeypatch):
    """The clients modules build skip the backoff their retry logic decides on: the decisions are under test, not
    the waiting (the system tests, which do not use this fixture, wait a tenth of it)."""
    class NoWaitClient(module_base.AtlasClient):
        def __init__(self, *args, **kwargs):
            kwargs["sleep"] = lambda seconds: None
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(module_base, "AtlasClient", NoWaitClient)


class Simulator:
    """The running simulator and its control API."""

    def __init__(self, server, monkeypatch):
        self.server = server
        self._monkeypatch = monkeypatch
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

    def sent(self, writes_only=False):
        """(method, path after the API root, JSON body or None) of each API request logged, oldest first; digest
        challenges (the 401 that makes the client send a request again, with credentials) left out."""
        return [(entry["method"], api_path(entry["path"]), entry["body"]) for entry in self.log()
                if entry["path"].startswith("/api/atlas/") and not entry["challenge"]
                and (entry["write"] or not writes_only)]

    def add_key(self, description, org_roles, projects=None, org_id=atlas_simulator.ORG_ID, other_orgs=None,
                access_list=None):
        """Add an API key straight into the state (nothing logged): {project id: roles} in ``projects``, {org id:
        roles} in ``other_orgs``, access-list entries as Atlas shows them (cidrBlock, count, created, lastUsed,
        lastUsedAddress) in ``access_list``."""
        state = self.server.state
        with state.lock:
            key = state.add_key(org_id, description, list(org_roles))
            for field, scopes in (("groupId", projects), ("orgId", other_orgs)):
                for scope_id, roles in (scopes or {}).items():
                    key.set_roles(field, scope_id, list(roles))
        self.add_entries(key.id, access_list or ())
        return dict(id=key.id, publicKey=key.public_key, privateKey=key.private_key, desc=description)

    def add_entries(self, key_id, entries):
        """Add access-list entries to a key straight into the state: dicts as Atlas shows them (cidrBlock, count,
        created, lastUsed, lastUsedAddress), or addresses and CIDR blocks as text."""
        state = self.server.state
        with state.lock:
            for entry in entries:
                entry = dict(cidrBlock=entry) if isinstance(entry, str) else entry
                state.keys[key_id].access_list[ipaddress.ip_network(entry["cidrBlock"])] = dict(
                    {name: value for name, value in entry.items() if name in ("lastUsed", "lastUsedAddress")},
                    created=entry.get("created", "2026-01-01T00:00:00Z"), count=entry.get("count", 0))

    def fail_operation(self, operation, status, code, detail):
        """For this test, the simulator's ``operation`` (an operation name in atlas_simulator.ROUTES) changes nothing
        and answers this Atlas error: for the answers Atlas gives that the simulator never gives there."""
        error = atlas_simulator.ApiError(status, code, detail)
        self._monkeypatch.setattr(self.server.server.api, operation,
                                  lambda ctx, **params: atlas_simulator.Reply(status, error.body()))

    def rewrite_answer(self, operation, change):
        """For this test, ``change(body)`` edits the JSON body of each answer of the simulator's ``operation``."""
        api = self.server.server.api
        real = getattr(api, operation)

        def rewritten(ctx, **params):
            reply = real(ctx, **params)
            change(reply.body)
            return reply
        self._monkeypatch.setattr(api, operation, rewritten)

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


def api_path(path):
    """A logged path without its API root (/api/atlas/v2 or /api/atlas/v1.0)."""
    for root in atlas_simulator.API_ROOTS:
        if path.startswith(root + "/"):
            return path[len(root):]
    return path


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


@pytest.fixture
def sim(sim_server, run_module, monkeypatch):  # pylint: disable=redefined-outer-name,unused-argument
    """The session's simulator, reset to its seed (``run_module``, unused here: modules run as on a target)."""
    simulator = Simulator(sim_server, monkeypatch)
    simulator.control("POST", "reset")
    return simulator


# ------------------------------------------------------------------------------------------
# The scripted Atlas: for the answers and transport failures a test must choose one by one
# ------------------------------------------------------------------------------------------

SCRIPTED_PUBLIC_KEY = "pubkey42"
SCRIPTED_PRIVATE_KEY = "PRIVATE-c0ffee-5ec4e7-do-not-leak"
REALM = "MMS Public API"

DROP = ("drop",)


def reply(status=200, obj=None, headers=None):
    body = b"" if obj is None else json.dumps(obj).encode()
    return ("reply", status, body, dict({"Content-Type": "application/json"}, **(headers or {})))


def raw(status, text, content_type="text/html", headers=None):
    return ("reply", status, text.encode(), dict({"Content-Type": content_type}, **(headers or {})))


def slow(seconds, then):
    return ("sleep", seconds, then)


def api_error(status, code, detail, reason="Error", headers=None):
    obj = {"error": status, "reason": reason, "detail": detail, "parameters": []}
    if code:
        obj["errorCode"] = code
    return reply(status, obj, headers)


class ScriptedAtlas(object):
    """A scripted HTTP server on 127.0.0.1, for what the simulator does not do on demand (an answer chosen per
    request, a slow or dropped answer, a page served twice, TLS with a chosen certificate...).

    ``route(method, path, *actions)``: the actions are used in turn, the last one sticks; an action is
    ``reply(...)``, ``raw(...)``, ``api_error(...)``, ``slow(seconds, action)``, ``DROP`` or a callable of the
    request dict. Digest authentication (MD5, qop=auth, stale nonces) with SCRIPTED_PUBLIC_KEY and ``private_key``
    unless ``digest`` is False. ``log`` holds the requests answered from the script (method, path, query,
    raw_query, headers, body), ``challenges`` the 401 digest challenges."""

    def __init__(self, tls_context=None):
        self.lock = threading.Lock()
        self.reset()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def handle_one_request(self):
                try:
                    BaseHTTPRequestHandler.handle_one_request(self)
                except (OSError, ssl.SSLError):
                    self.close_connection = True

            def _handle(self):
                fake._handle(self)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *args: None
        scheme = "http"
        if tls_context is not None:
            self.httpd.socket = tls_context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = "%s://127.0.0.1:%d" % (scheme, self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02})
        self.thread.daemon = True
        self.thread.start()

    def reset(self):
        with self.lock:
            self.routes = {}
            self.log = []
            self.challenges = []
            self.nonces = set()
            self.stale = set()
            self.private_key = SCRIPTED_PRIVATE_KEY
            self.digest = True

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, method, path, *actions):
        self.routes[(method, path)] = list(actions)

    def expire_nonces(self):
        with self.lock:
            self.stale |= self.nonces
            self.nonces = set()

    def requests(self, method=None):
        return [r for r in self.log if method is None or r["method"] == method]

    # -- server side ---------------------------------------------------------------------

    def _check(self, method, uri, header):
        """(ok, stale)"""
        if not header or not header.lower().startswith("digest "):
            return False, False
        fields = parse_keqv_list(parse_http_list(header[7:]))
        nonce = fields.get("nonce")
        with self.lock:
            if nonce in self.stale:
                return False, True
            if nonce not in self.nonces:
                return False, False
        if fields.get("uri") != uri or fields.get("username") != SCRIPTED_PUBLIC_KEY or fields.get("qop") != "auth":
            return False, False

        def md5(text):
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5("%s:%s:%s" % (SCRIPTED_PUBLIC_KEY, REALM, self.private_key))
        ha2 = md5("%s:%s" % (method, uri))
        expected = md5("%s:%s:%s:%s:auth:%s" % (ha1, nonce, fields.get("nc"), fields.get("cnonce"), ha2))
        return fields.get("response") == expected, False

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        ok, stale = (True, False)
        if self.digest:
            ok, stale = self._check(handler.command, handler.path, handler.headers.get("Authorization"))
        path, query = handler.path.partition("?")[::2]
        if not ok:
            nonce = uuid.uuid4().hex
            with self.lock:
                self.nonces.add(nonce)
                self.challenges.append({"method": handler.command, "path": path, "stale": stale})
            challenge = ('Digest realm="%s", domain="", nonce="%s", algorithm=MD5, qop="auth", stale=%s'
                         % (REALM, nonce, "true" if stale else "false"))
            body = json.dumps({"error": 401, "reason": "Unauthorized",
                               "detail": "You are not authorized for this resource."}).encode()
            self._send(handler, ("reply", 401, body, {
                "Content-Type": "application/json;charset=ISO-8859-1", "WWW-Authenticate": challenge}))
            return
        request = {
            "method": handler.command, "path": path, "query": parse_qs(query), "raw_query": query,
            "headers": dict(handler.headers.items()), "body": body,
        }
        with self.lock:
            self.log.append(request)
            actions = self.routes.get((handler.command, path))
            if not actions:
                action = api_error(404, "RESOURCE_NOT_FOUND", "No route %s %s." % (handler.command, path),
                                   "Not Found")
            elif len(actions) > 1:
                action = actions.pop(0)
            else:
                action = actions[0]
        if callable(action):
            action = action(request)
        self._send(handler, action)

    def _send(self, handler, action):
        if action[0] == "sleep":
            time.sleep(action[1])
            action = action[2]
        if action[0] == "drop":
            handler.close_connection = True
            return
        status, body, headers = action[1:]
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if body:
            handler.wfile.write(body)


@pytest.fixture(scope="session")
def scripted_server():
    """The session's scripted Atlas (``scripted_atlas`` resets it for each test)."""
    server = ScriptedAtlas()
    yield server
    server.close()


@pytest.fixture
def scripted_atlas(scripted_server):  # pylint: disable=redefined-outer-name
    """The scripted Atlas, with no route, an empty log and digest authentication on."""
    scripted_server.reset()
    return scripted_server
