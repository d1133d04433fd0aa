# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/auth.py: the three schemes, how a task's options and the
environment choose one, the OAuth token request (through AtlasClient, against a recording server),
one token per module run, Bearer headers, the scheme-aware 401 hints, and no secret in any message."""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock
from urllib.parse import parse_qs

import pytest
import requests
from requests.auth import AuthBase, HTTPDigestAuth

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import auth as auth_mod
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.auth import (
    CREDENTIAL_ENV_VARS, CREDENTIAL_OPTIONS, TOKEN_PATH, AtlasCredentialsError, AtlasTokenError,
    BearerTokenAuth, ClientCredentialsAuth, request_access_token, resolve_credentials)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    AtlasApiError, AtlasClient, AtlasTransportError)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import (
    REJECTED_HINTS, AtlasModule, describe_error)
from ansible_collections.mongodb_atlas.api_keys.tests.simulator import atlas_simulator

PUBLIC = "pubkey42"
PRIVATE = "PRIVATE-c0ffee-5ec4e7-do-not-leak"
CLIENT_ID = "mdb_sa_id_0123456789abcdef01234567"
CLIENT_SECRET = "mdb_sa_sk_SECRET-d0-n0t-l3ak-4f5e6d7c"
TOKEN = "TOKEN-eyJhbGciOi-d0-n0t-l3ak-9a8b7c"
SECRETS = (PRIVATE, CLIENT_SECRET, TOKEN)
ENV_NAMES = ("MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PUBLIC_KEY",
             "MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_PRIVATE_KEY")
ALL_ENV = ENV_NAMES + ("MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_CLIENT_SECRET", "MONGODB_ATLAS_ACCESS_TOKEN",
                       "MONGODB_ATLAS_BASE_URL")
V2 = "/api/atlas/v2"
ORG_PATH = "/orgs/65a1b2c3d4e5f6a7b8c9d0e1/apiKeys"


def no_secret_in(*texts):
    blob = " ".join(texts)
    return not any(secret in blob for secret in SECRETS)


def build(**params):
    """The auth object of a task's credential options, with no environment."""
    return resolve_credentials(params, {}).build()


# --------------------------------------------------------------------------------------------
# The registry and the auth objects (no environment)
# --------------------------------------------------------------------------------------------


def test_digest_auth_from_a_key_pair():
    auth = build(api_public_key=PUBLIC, api_private_key=PRIVATE)
    assert isinstance(auth, HTTPDigestAuth)
    assert isinstance(auth, AuthBase)
    assert (auth.username, auth.password) == (PUBLIC, PRIVATE)
    assert PRIVATE not in repr(auth)


def test_client_credentials_and_access_token_auth_objects():
    auth = build(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    assert isinstance(auth, ClientCredentialsAuth) and isinstance(auth, AuthBase)
    assert auth.client_id == CLIENT_ID and CLIENT_SECRET not in repr(auth)
    bearer = build(api_access_token=" %s\n" % TOKEN)
    assert isinstance(bearer, BearerTokenAuth) and TOKEN not in repr(bearer)
    request = requests.Request("GET", "http://atlas.invalid/x").prepare()
    assert bearer(request).headers["Authorization"] == "Bearer " + TOKEN


def test_surrounding_whitespace_is_stripped():
    auth = build(api_public_key=" %s\n" % PUBLIC, api_private_key="%s\n" % PRIVATE)
    assert (auth.username, auth.password) == (PUBLIC, PRIVATE)


def test_env_var_names():
    assert CREDENTIAL_ENV_VARS == {
        "api_public_key": ("MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PUBLIC_KEY"),
        "api_private_key": ("MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_PRIVATE_KEY"),
        "client_id": ("MONGODB_ATLAS_CLIENT_ID",),
        "client_secret": ("MONGODB_ATLAS_CLIENT_SECRET",),
        "api_access_token": ("MONGODB_ATLAS_ACCESS_TOKEN",),
    }
    assert [s.name for s in auth_mod.SCHEMES] == ["access_token", "client_credentials", "digest"]


@pytest.mark.parametrize("public,private", [(None, None), ("", ""), ("  ", None)])
def test_no_credentials(public, private):
    with pytest.raises(AtlasCredentialsError) as err:
        build(api_public_key=public, api_private_key=private)
    message = str(err.value)
    assert isinstance(err.value, ValueError)
    for name in CREDENTIAL_OPTIONS + ENV_NAMES + ("MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_CLIENT_SECRET",
                                                  "MONGODB_ATLAS_ACCESS_TOKEN"):
        assert name in message


@pytest.mark.parametrize("given,missing", [
    ({"api_public_key": PUBLIC}, "api_private_key"),
    ({"api_private_key": PRIVATE}, "api_public_key"),
    ({"api_public_key": PUBLIC, "api_private_key": ""}, "api_private_key"),
])
def test_incomplete_credentials(given, missing):
    with pytest.raises(AtlasCredentialsError) as err:
        build(**given)
    message = str(err.value)
    assert message.startswith("Incomplete MongoDB Atlas API credentials: %s is not set" % missing)
    for name in ("api_public_key", "api_private_key") + ENV_NAMES:
        assert name in message
    assert PRIVATE not in message and PUBLIC not in message
    assert PRIVATE not in repr(err.value) and PRIVATE not in repr(err.value.args)


def test_registry_takes_new_schemes(monkeypatch):
    """A later scheme is one builder and one registry row; selection stays in one place."""
    built = []

    def bearer(params):
        built.append(params["other_token"])
        return "bearer-auth"

    scheme = auth_mod.AuthScheme("other", ("other_token",), bearer, "another token")
    monkeypatch.setattr(auth_mod, "SCHEMES", auth_mod.SCHEMES + (scheme,))
    monkeypatch.setattr(auth_mod, "CREDENTIAL_OPTIONS", auth_mod.CREDENTIAL_OPTIONS + scheme.options)
    assert resolve_credentials({"other_token": "t"}, {}).scheme is scheme
    assert build(other_token="t") == "bearer-auth" and built == ["t"]
    assert resolve_credentials({"api_public_key": "p", "api_private_key": "k"}, {}).scheme.name == "digest"
    with pytest.raises(AtlasCredentialsError) as err:
        resolve_credentials({"api_public_key": "p", "api_private_key": "k", "other_token": "t"}, {})
    assert "more than one" in str(err.value)
    with pytest.raises(AtlasCredentialsError) as err:
        resolve_credentials({}, {})
    assert "other_token" in str(err.value) and "api_private_key" in str(err.value)


def test_imports_without_requests(monkeypatch):
    for name in list(sys.modules):
        if name == "requests" or name.startswith("requests."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "requests", None)
    monkeypatch.setitem(sys.modules, "requests.auth", None)
    spec = importlib.util.spec_from_file_location("auth_without_requests", auth_mod.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Choosing the scheme needs no requests; the module base and the lookup say that it is missing.
    with pytest.raises(module.AtlasCredentialsError):
        module.resolve_credentials({}, {})
    assert module.resolve_credentials(dict(api_access_token=TOKEN), {}).scheme.name == "access_token"


# --------------------------------------------------------------------------------------------
# resolve_credentials: task options first, then the environment in a fixed order
# --------------------------------------------------------------------------------------------

ENV_PAIR = {"MONGODB_ATLAS_PUBLIC_API_KEY": "envpubky", "MONGODB_ATLAS_PRIVATE_API_KEY": "env-private"}
ENV_CLIENT = {"MONGODB_ATLAS_CLIENT_ID": "mdb_sa_id_env", "MONGODB_ATLAS_CLIENT_SECRET": "env-secret"}
ENV_TOKEN = {"MONGODB_ATLAS_ACCESS_TOKEN": "env-token"}


def resolved(params, environ):
    credentials = resolve_credentials(params, environ)
    return credentials.scheme.name, credentials.values


@pytest.mark.parametrize("params, scheme, values", [
    (dict(api_public_key=PUBLIC, api_private_key=PRIVATE), "digest",
     dict(api_public_key=PUBLIC, api_private_key=PRIVATE)),
    (dict(client_id=CLIENT_ID, client_secret=CLIENT_SECRET), "client_credentials",
     dict(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)),
    (dict(api_access_token=TOKEN), "access_token", dict(api_access_token=TOKEN)),
])
def test_task_options_win_over_every_environment_variable(params, scheme, values):
    environ = dict(ENV_PAIR, **dict(ENV_CLIENT, **ENV_TOKEN))
    assert resolved(dict(params, api_base_url="x"), environ) == (scheme, values)


def test_task_chooses_the_scheme_and_its_environment_completes_it():
    environ = dict(ENV_TOKEN, MONGODB_ATLAS_CLIENT_SECRET="env-secret")
    credentials = resolve_credentials(dict(client_id=CLIENT_ID), environ)
    assert credentials.scheme.name == "client_credentials"
    assert credentials.values == dict(client_id=CLIENT_ID, client_secret="env-secret")
    assert credentials.secrets() == ["env-secret"]
    assert "env-secret" not in repr(credentials)
    # the older variable names still complete a key pair
    assert resolved(dict(api_public_key=PUBLIC), {"MONGODB_ATLAS_PRIVATE_KEY": "old-private"}) == (
        "digest", dict(api_public_key=PUBLIC, api_private_key="old-private"))


def test_task_half_pair_is_not_completed_by_another_schemes_environment():
    with pytest.raises(AtlasCredentialsError) as err:
        resolve_credentials(dict(client_id=CLIENT_ID), dict(ENV_PAIR, **ENV_TOKEN))
    message = str(err.value)
    assert message.startswith("Incomplete MongoDB Atlas API credentials: client_secret is not set; a service account "
                              "needs client_id (environment variable MONGODB_ATLAS_CLIENT_ID) and client_secret "
                              "(environment variable MONGODB_ATLAS_CLIENT_SECRET).")
    assert "env-private" not in message and "env-token" not in message


@pytest.mark.parametrize("params, words", [
    (dict(api_public_key=PUBLIC, api_private_key=PRIVATE, client_id=CLIENT_ID),
     "client_id (a service account) and api_public_key, api_private_key (a programmatic API key)"),
    (dict(client_secret=CLIENT_SECRET, api_access_token=TOKEN),
     "api_access_token (an access token) and client_secret (a service account)"),
    (dict(api_private_key=PRIVATE, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, api_access_token=TOKEN),
     "api_access_token (an access token) and client_id, client_secret (a service account) and "
     "api_private_key (a programmatic API key)"),
])
def test_conflicting_task_options_fail_with_one_message(params, words):
    with pytest.raises(AtlasCredentialsError) as err:
        resolve_credentials(params, {})
    message = str(err.value)
    assert message.startswith("Credentials of more than one way of authenticating were given in the task: %s. Use exactly one:"
                              % words), message
    for name in CREDENTIAL_OPTIONS + tuple(n for names in CREDENTIAL_ENV_VARS.values() for n in names):
        assert name in message
    assert no_secret_in(message, repr(err.value.args)) and CLIENT_ID not in message


@pytest.mark.parametrize("environ, scheme", [
    (dict(ENV_PAIR, **dict(ENV_CLIENT, **ENV_TOKEN)), "access_token"),
    (dict(ENV_PAIR, **ENV_CLIENT), "client_credentials"),
    (ENV_PAIR, "digest"),
    ({"MONGODB_ATLAS_PUBLIC_KEY": "oldpubky", "MONGODB_ATLAS_PRIVATE_KEY": "old-private"}, "digest"),
    (dict(ENV_PAIR, MONGODB_ATLAS_ACCESS_TOKEN="   ", MONGODB_ATLAS_CLIENT_ID=""), "digest"),
])
def test_environment_order_when_the_task_sets_no_credential(environ, scheme):
    credentials = resolve_credentials(dict(api_base_url="https://cloud.mongodb.com"), environ)
    assert credentials.scheme.name == scheme


def test_environment_values_are_stripped_and_the_new_names_come_first():
    environ = {"MONGODB_ATLAS_PUBLIC_API_KEY": " newpubky\n", "MONGODB_ATLAS_PUBLIC_KEY": "oldpubky",
               "MONGODB_ATLAS_PRIVATE_API_KEY": "new-private\n", "MONGODB_ATLAS_PRIVATE_KEY": "old-private"}
    assert resolved({}, environ)[1] == dict(api_public_key="newpubky", api_private_key="new-private")


def test_incomplete_scheme_in_the_environment_fails_even_when_a_later_one_is_complete():
    environ = dict(ENV_PAIR, MONGODB_ATLAS_CLIENT_ID="mdb_sa_id_env")
    with pytest.raises(AtlasCredentialsError) as err:
        resolve_credentials({}, environ)
    message = str(err.value)
    assert message.startswith("Incomplete MongoDB Atlas API credentials in the environment: MONGODB_ATLAS_CLIENT_ID is "
                              "set but client_secret (environment variable MONGODB_ATLAS_CLIENT_SECRET) is not")
    assert message.endswith("the environment is read in this order: MONGODB_ATLAS_ACCESS_TOKEN; then "
                            "MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET; then "
                            "MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY.")
    assert "env-private" not in message


def test_no_credentials_anywhere():
    with pytest.raises(AtlasCredentialsError) as err:
        resolve_credentials({}, {"MONGODB_ATLAS_BASE_URL": "https://x"})
    assert str(err.value).startswith("No MongoDB Atlas API credentials were given: an access token needs "
                                     "api_access_token (environment variable MONGODB_ATLAS_ACCESS_TOKEN); or a service "
                                     "account needs client_id")


def test_resolve_reads_os_environ_by_default(monkeypatch):
    for name in ALL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MONGODB_ATLAS_ACCESS_TOKEN", TOKEN)
    assert resolve_credentials({}).values == {"api_access_token": TOKEN}


# --------------------------------------------------------------------------------------------
# A recording server: the token endpoint and one API route, scripted per test
# --------------------------------------------------------------------------------------------


class Recorder(object):
    """Records every request (method, path, headers, body); answers from scripts."""

    def __init__(self):
        self.requests = []
        self.token_answers = []  # (status, body dict, headers), used in turn; the last one repeats
        self.tokens = 0
        self.api_status = 200
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, answer, headers = recorder.answer(self.command, self.path, dict(self.headers.items()), body)
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02})
        self.thread.daemon = True
        self.thread.start()

    def answer(self, method, path, headers, body):
        with self.lock:
            self.requests.append({"method": method, "path": path, "headers": headers, "body": body})
            if path == TOKEN_PATH:
                if self.token_answers:
                    status, answer, extra = self.token_answers.pop(0) if len(self.token_answers) > 1 else self.token_answers[0]
                else:
                    self.tokens += 1
                    status, answer, extra = 200, {"access_token": "%s-%d" % (TOKEN, self.tokens), "expires_in": 3600,
                                                  "token_type": "Bearer"}, {}
                return status, answer, extra
            if self.api_status == 401:
                return 401, {"error": 401, "reason": "Unauthorized",
                             "detail": "You are not authorized for this resource."}, {}
            if method == "GET":
                return 200, {"results": [{"id": "k"}], "totalCount": 1}, {}
            return 200, {"id": "new"}, {}

    def of(self, path=None):
        return [r for r in self.requests if path is None or r["path"].split("?")[0] == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    recorder = Recorder()
    yield recorder
    recorder.close()


class Sleep(object):
    def __init__(self):
        self.delays = []

    def __call__(self, seconds):
        self.delays.append(seconds)


class ZeroRng(object):
    def uniform(self, low, high):
        return low


def make_client(server, auth=None, **kwargs):
    kwargs.setdefault("sleep", Sleep())
    kwargs.setdefault("rng", ZeroRng())
    return AtlasClient(server.url, auth, **kwargs)


# --------------------------------------------------------------------------------------------
# The token request
# --------------------------------------------------------------------------------------------


def test_token_request_shape(server):
    client = make_client(server, timeout=7)
    token = request_access_token(client, CLIENT_ID, CLIENT_SECRET)
    assert (token.access_token, token.expires_in) == (TOKEN + "-1", 3600)
    assert TOKEN not in repr(token)
    [sent] = server.requests
    assert (sent["method"], sent["path"]) == ("POST", "/api/oauth/token")
    headers = sent["headers"]
    scheme, encoded = headers["Authorization"].split(" ", 1)
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "%s:%s" % (CLIENT_ID, CLIENT_SECRET)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith("mongodb_atlas.api_keys/")
    assert parse_qs(sent["body"].decode()) == {"grant_type": ["client_credentials"]}


def test_token_request_goes_under_a_proxy_path_of_api_base_url(server):
    client = AtlasClient(server.url + "/atlas-proxy/", None)
    with pytest.raises(AtlasTokenError):
        request_access_token(client, CLIENT_ID, CLIENT_SECRET)  # the recorder only knows /api/oauth/token
    assert server.requests[0]["path"] == "/atlas-proxy/api/oauth/token"


def test_token_request_honours_validate_certs_and_timeout(server):
    for validate in (True, False):
        client = make_client(server, validate_certs=validate, timeout=9)
        with mock.patch.object(client.session, "request", wraps=client.session.request) as sent:
            request_access_token(client, CLIENT_ID, CLIENT_SECRET)
        assert sent.call_args[1]["verify"] is validate and sent.call_args[1]["timeout"] == 9


def test_token_request_retries_429_after_retry_after(server):
    server.token_answers = [(429, {"error": 429, "errorCode": "RATE_LIMITED", "detail": "Slow down."},
                             {"Retry-After": "7"}),
                            (200, {"access_token": TOKEN, "expires_in": 3600, "token_type": "bearer"}, {})]
    client = make_client(server)
    assert request_access_token(client, CLIENT_ID, CLIENT_SECRET).access_token == TOKEN
    assert len(server.of(TOKEN_PATH)) == 2
    assert client._sleep.delays == [7.0]


def test_token_request_retries_503(server):
    server.token_answers = [(503, {"error": 503, "errorCode": "SERVICE_UNAVAILABLE"}, {}),
                            (200, {"access_token": TOKEN, "token_type": "Bearer"}, {})]
    token = request_access_token(make_client(server), CLIENT_ID, CLIENT_SECRET)
    assert (token.access_token, token.expires_in) == (TOKEN, None)
    assert len(server.of(TOKEN_PATH)) == 2


def test_token_rate_limited_after_every_retry_points_at_the_lookup(server):
    server.token_answers = [(429, {"error": 429, "errorCode": "RATE_LIMITED", "detail": "Slow down."},
                             {"Retry-After": "1"})]
    with pytest.raises(AtlasTokenError) as err:
        request_access_token(make_client(server, retries=2), CLIENT_ID, CLIENT_SECRET)
    message = describe_error(err.value)
    assert len(server.of(TOKEN_PATH)) == 3
    assert "HTTP 429 RATE_LIMITED: Slow down. (gave up after 3 attempts)" in message
    assert "mongodb_atlas.api_keys.atlas_access_token lookup" in message and no_secret_in(message)
    assert err.value.cause.status == 429


def test_invalid_client_names_the_options_never_the_secret(server):
    server.token_answers = [(401, {"error": "invalid_client", "error_description": "Invalid client credentials."},
                             {"WWW-Authenticate": 'Basic realm="x"'})]
    with pytest.raises(AtlasTokenError) as err:
        request_access_token(make_client(server), CLIENT_ID, CLIENT_SECRET)
    message = describe_error(err.value)
    assert message == (
        "could not obtain an access token from %s/api/oauth/token: HTTP 401 invalid_client: Invalid client "
        "credentials. Atlas rejected the service account credentials: check client_id (environment variable "
        "MONGODB_ATLAS_CLIENT_ID) and client_secret (environment variable MONGODB_ATLAS_CLIENT_SECRET), and that the "
        "secret has not expired." % server.url)
    assert (err.value.cause.status, err.value.cause.error_code) == (401, "invalid_client")
    assert (err.value.method, err.value.path) == ("POST", TOKEN_PATH)
    assert no_secret_in(message, repr(err.value.args), repr(vars(err.value)), repr(vars(err.value.cause)))
    assert len(server.of(TOKEN_PATH)) == 1  # a 401 is not retried


@pytest.mark.parametrize("answer", [{"token_type": "Bearer"}, {"access_token": "", "token_type": "Bearer"},
                                    {"access_token": TOKEN, "token_type": "mac"}, ["not", "an", "object"]])
def test_token_answer_without_a_bearer_token(server, answer):
    server.token_answers = [(200, answer, {})]
    with pytest.raises(AtlasTokenError) as err:
        request_access_token(make_client(server), CLIENT_ID, CLIENT_SECRET)
    assert "the answer holds no bearer access_token" in str(err.value) and no_secret_in(str(err.value))


def test_token_request_transport_error():
    client = AtlasClient("http://127.0.0.1:9", None, retries=0)
    with pytest.raises(AtlasTokenError) as err:
        request_access_token(client, CLIENT_ID, CLIENT_SECRET)
    assert str(err.value).startswith("could not obtain an access token from http://127.0.0.1:9/api/oauth/token: "
                                     "could not connect to http://127.0.0.1:9")
    assert err.value.cause.kind == "connection" and no_secret_in(str(err.value))


def test_token_request_to_an_unverifiable_certificate_says_what_to_do():
    cause = AtlasTransportError("the TLS certificate of https://atlas.invalid could not be verified", "tls",
                                retryable=False, maybe_sent=False)
    err = AtlasTokenError("could not obtain an access token from https://atlas.invalid/api/oauth/token: %s" % cause,
                          TOKEN_PATH, cause)
    assert describe_error(err) == ("%s. Install the CA certificate that signed it, or set validate_certs=false only "
                                   "for a server you trust." % err)


# --------------------------------------------------------------------------------------------
# Client credentials and access tokens on a whole client (one module run)
# --------------------------------------------------------------------------------------------


def test_one_token_per_client_and_bearer_on_every_request(server):
    auth = build(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    client = make_client(server, auth)
    assert server.requests == []  # lazily: nothing before the first API request
    client.get(ORG_PATH + "/k")
    client.list_all(ORG_PATH)
    client.post(ORG_PATH, {"desc": "d", "roles": ["ORG_MEMBER"]})
    client.request("PATCH", ORG_PATH + "/k", body={"desc": "e"})
    client.request("DELETE", ORG_PATH + "/k")
    key_path = V2 + ORG_PATH + "/k"
    assert [r["path"].split("?")[0] for r in server.requests] == [
        TOKEN_PATH, key_path, V2 + ORG_PATH, V2 + ORG_PATH, key_path, key_path]
    api = [r for r in server.requests if r["path"] != TOKEN_PATH]
    assert [r["headers"]["Authorization"] for r in api] == ["Bearer %s-1" % TOKEN] * 5
    # a second client (the next module run) asks for its own token
    other = make_client(server, build(client_id=CLIENT_ID, client_secret=CLIENT_SECRET))
    other.get(ORG_PATH)
    assert server.requests[-1]["headers"]["Authorization"] == "Bearer %s-2" % TOKEN
    assert len(server.of(TOKEN_PATH)) == 2


def test_api_retries_reuse_the_token(server):
    auth = build(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    client = make_client(server, auth)
    original = server.answer
    calls = []

    def flaky(method, path, headers, body):
        if path != TOKEN_PATH and not calls:
            calls.append(path)
            with server.lock:
                server.requests.append({"method": method, "path": path, "headers": headers, "body": body})
            return 429, {"error": 429, "errorCode": "RATE_LIMITED"}, {"Retry-After": "0"}
        return original(method, path, headers, body)

    server.answer = flaky
    assert client.get(ORG_PATH + "/k") == {"results": [{"id": "k"}], "totalCount": 1}
    assert len(server.of(TOKEN_PATH)) == 1 and len(server.of(V2 + ORG_PATH + "/k")) == 2


def test_failed_token_request_fails_the_api_call_without_sending_it(server):
    server.token_answers = [(401, {"error": "invalid_client", "error_description": "Bad."}, {})]
    client = make_client(server, build(client_id=CLIENT_ID, client_secret=CLIENT_SECRET))
    with pytest.raises(AtlasTokenError) as err:
        client.get(ORG_PATH)
    assert "check client_id" in describe_error(err.value)
    assert [r["path"] for r in server.requests] == [TOKEN_PATH]


def test_unbound_client_credentials_auth_refuses_to_guess():
    auth = ClientCredentialsAuth(CLIENT_ID, CLIENT_SECRET)
    with pytest.raises(RuntimeError):
        auth(requests.Request("GET", "http://atlas.invalid/x").prepare())


def test_access_token_is_sent_as_is_and_never_requested(server):
    client = make_client(server, build(api_access_token=TOKEN))
    client.get(ORG_PATH)
    client.request("DELETE", ORG_PATH + "/k")
    assert server.of(TOKEN_PATH) == []
    assert [r["headers"]["Authorization"] for r in server.requests] == ["Bearer " + TOKEN] * 2


# --------------------------------------------------------------------------------------------
# 401 hints per scheme (module_base.describe_error with the scheme's hint)
# --------------------------------------------------------------------------------------------

REJECTED = AtlasApiError(401, reason="Unauthorized", detail="You are not authorized for this resource.",
                         method="GET", path=ORG_PATH)


def test_each_scheme_has_its_own_rejected_hint():
    hints = REJECTED_HINTS
    assert sorted(hints) == sorted(s.name for s in auth_mod.SCHEMES)
    assert describe_error(REJECTED) == describe_error(REJECTED, hints["digest"])
    expired = describe_error(REJECTED, hints["access_token"])
    assert expired.startswith("HTTP 401 Unauthorized: You are not authorized for this resource. Atlas rejected the "
                              "access token in api_access_token (or the environment variable MONGODB_ATLAS_ACCESS_TOKEN): "
                              "it has expired or is not valid.")
    assert "fetch a new one with the mongodb_atlas.api_keys.atlas_access_token lookup" in expired
    assert "api_private_key" not in expired
    assert "client_id" in describe_error(REJECTED, hints["client_credentials"])
    # a role error is not about the credentials, whatever the scheme
    role = AtlasApiError(401, error_code="USER_UNAUTHORIZED", detail="Nope.")
    assert "expired" not in describe_error(role, hints["access_token"])


# --------------------------------------------------------------------------------------------
# Through AtlasModule: options, environment, no_log, one token per module run, messages
# --------------------------------------------------------------------------------------------


REAL_EXIT_JSON = AnsibleModule.exit_json


class ExitJson(Exception):
    def __init__(self, result):
        super(ExitJson, self).__init__(result)
        self.result = result


class FailJson(Exception):
    def __init__(self, result):
        super(FailJson, self).__init__(result.get("msg"))
        self.result = result


@pytest.fixture
def module_env(monkeypatch):
    for name in ALL_ENV:
        monkeypatch.delenv(name, raising=False)

    def exit_json(self, **kwargs):
        raise ExitJson(kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs.update(msg=msg, failed=True)
        raise FailJson(kwargs)

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)
    return monkeypatch


def run_module(args):
    with patch_module_args(dict(args)):
        return AtlasModule(argument_spec={})


def module_failure(args):
    with pytest.raises(FailJson) as failure:
        run_module(args)
    return failure.value.result


def test_argument_spec_has_the_credential_options_without_env_fallback():
    from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import atlas_argument_spec
    spec = atlas_argument_spec()
    for option in CREDENTIAL_OPTIONS:
        assert spec[option]["type"] == "str" and "fallback" not in spec[option], option
        assert bool(spec[option].get("no_log")) is (option in auth_mod.SECRET_OPTIONS), option


def test_module_with_client_credentials(module_env, server):
    atlas = run_module(dict(api_base_url=server.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET))
    assert isinstance(atlas.client.session.auth, ClientCredentialsAuth)
    assert atlas.credentials.scheme.name == "client_credentials"
    assert server.requests == []
    atlas.get(ORG_PATH + "/k", "read key k")
    atlas.list_all(ORG_PATH, "list keys")
    atlas.write("DELETE", ORG_PATH + "/k", "delete key k")
    assert len(server.of(TOKEN_PATH)) == 1
    assert {r["headers"]["Authorization"] for r in server.requests if r["path"] != TOKEN_PATH} == {"Bearer %s-1" % TOKEN}


def test_module_in_check_mode_still_reads_with_one_token_and_writes_nothing(module_env, server):
    atlas = run_module(dict(api_base_url=server.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                            _ansible_check_mode=True))
    atlas.get(ORG_PATH, "list keys")
    assert atlas.write("POST", ORG_PATH, "create key", body={"desc": "d"}) is None
    assert [r["method"] for r in server.requests] == ["POST", "GET"]  # the token request, then the read
    assert server.requests[0]["path"] == TOKEN_PATH


def test_module_access_token_from_the_environment_is_masked(module_env, server):
    module_env.setenv("MONGODB_ATLAS_ACCESS_TOKEN", TOKEN)
    module_env.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", PUBLIC)
    module_env.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", PRIVATE)
    atlas = run_module(dict(api_base_url=server.url))
    assert atlas.credentials.scheme.name == "access_token"
    assert TOKEN in atlas.module.no_log_values and atlas.params["api_access_token"] == TOKEN
    atlas.get(ORG_PATH, "list keys")
    assert server.requests[0]["headers"]["Authorization"] == "Bearer " + TOKEN


def test_module_secret_from_the_environment_completes_the_task_and_is_masked(module_env, server, capsys):
    module_env.setenv("MONGODB_ATLAS_CLIENT_SECRET", CLIENT_SECRET)
    module_env.setattr(AnsibleModule, "exit_json", REAL_EXIT_JSON)
    with patch_module_args(dict(api_base_url=server.url, client_id=CLIENT_ID)):
        atlas = AtlasModule(argument_spec={})
        assert atlas.credentials.values == dict(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        assert CLIENT_SECRET in atlas.module.no_log_values
        with pytest.raises(SystemExit):
            atlas.exit(echo="the secret is %s" % CLIENT_SECRET)  # what a careless module might do
    out = capsys.readouterr().out
    result = json.loads(out)
    assert result["echo"] == "the secret is ********" and CLIENT_SECRET not in out


@pytest.mark.parametrize("args, start", [
    (dict(api_public_key=PUBLIC, api_private_key=PRIVATE, client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
     "Credentials of more than one way of authenticating were given in the task"),
    (dict(api_access_token=TOKEN, api_private_key=PRIVATE), "Credentials of more than one way"),
    (dict(client_secret=CLIENT_SECRET), "Incomplete MongoDB Atlas API credentials: client_id is not set"),
    ({}, "No MongoDB Atlas API credentials were given"),
])
def test_module_credential_errors_come_before_any_request(module_env, server, args, start):
    result = module_failure(dict(args, api_base_url=server.url))
    assert result["msg"].startswith(start)
    assert result["changed"] is False
    assert server.requests == []
    assert no_secret_in(json.dumps(result))


def test_module_invalid_client_message(module_env, server):
    server.token_answers = [(401, {"error": "invalid_client", "error_description": "Invalid client credentials."}, {})]
    atlas = run_module(dict(api_base_url=server.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET))
    with pytest.raises(FailJson) as failure:
        atlas.list_all(ORG_PATH, "list the API keys of organization o")
    result = failure.value.result
    assert result["msg"].startswith("Failed to list the API keys of organization o: could not obtain an access token "
                                    "from %s/api/oauth/token: HTTP 401 invalid_client" % server.url)
    assert "check client_id" in result["msg"] and no_secret_in(json.dumps(result))


def test_module_expired_token_message(module_env, server):
    server.api_status = 401
    atlas = run_module(dict(api_base_url=server.url, api_access_token=TOKEN))
    with pytest.raises(FailJson) as failure:
        atlas.get(ORG_PATH, "list the API keys of organization o")
    result = failure.value.result
    assert result["msg"] == (
        "Failed to list the API keys of organization o: HTTP 401 Unauthorized: You are not authorized for this "
        "resource. %s" % REJECTED_HINTS["access_token"])
    assert "expired" in result["msg"] and "fetch a new one" in result["msg"]
    assert result["error"]["status"] == 401
    assert no_secret_in(json.dumps(result))


# --------------------------------------------------------------------------------------------
# Against the Atlas simulator: token endpoint, roles, expiry
# --------------------------------------------------------------------------------------------


def sim_log(sim):
    return requests.get(sim.url + "/__sim/log", timeout=5).json()["requests"]


def test_simulator_module_run_with_the_seeded_service_account(module_env, sim):
    atlas = run_module(dict(api_base_url=sim.url, client_id=atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID,
                            client_secret=atlas_simulator.SERVICE_ACCOUNT_CLIENT_SECRET))
    org = "/orgs/%s/apiKeys" % atlas_simulator.ORG_ID
    created = atlas.write("POST", org, "create key", body={"desc": "by a service account", "roles": ["ORG_MEMBER"]})
    atlas.list_all(org, "list keys")
    atlas.write("DELETE", "%s/%s" % (org, created["id"]), "delete key")
    log = sim_log(sim)
    assert [(e["method"], e["path"].split("/")[-1], e["status"]) for e in log] == [
        ("POST", "token", 200), ("POST", "apiKeys", 200), ("GET", "apiKeys", 200), ("DELETE", created["id"], 204)]
    assert {e["principal"] for e in log} == {atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID}
    assert [e["write"] for e in log] == [False, True, False, True]


def test_simulator_expired_token_fails_with_the_fetch_a_new_one_message(module_env, sim):
    requests.post(sim.url + "/__sim/config", json={"token_ttl": 0}, timeout=5).raise_for_status()
    client = AtlasClient(sim.url, None)
    token = request_access_token(client, atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID, atlas_simulator.SERVICE_ACCOUNT_CLIENT_SECRET)
    assert token.expires_in == 0
    atlas = run_module(dict(api_base_url=sim.url, api_access_token=token.access_token))
    with pytest.raises(FailJson) as failure:
        atlas.get("/orgs/%s/apiKeys" % atlas_simulator.ORG_ID, "list the API keys of organization x")
    message = failure.value.result["msg"]
    assert "HTTP 401" in message and "it has expired or is not valid" in message and "fetch a new one" in message
    assert token.access_token not in json.dumps(failure.value.result)
    assert atlas_simulator.SERVICE_ACCOUNT_CLIENT_SECRET not in json.dumps(failure.value.result)


def test_simulator_wrong_secret(module_env, sim):
    atlas = run_module(dict(api_base_url=sim.url, client_id=atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID,
                            client_secret="mdb_sa_sk_wrong-secret-d0-n0t-l3ak"))
    with pytest.raises(FailJson) as failure:
        atlas.get("/orgs/%s/apiKeys" % atlas_simulator.ORG_ID, "list keys")
    text = json.dumps(failure.value.result)
    assert "HTTP 401 invalid_client: Invalid client credentials" in failure.value.result["msg"]
    assert "wrong-secret" not in text
    assert [(e["path"], e["status"]) for e in sim_log(sim)] == [(TOKEN_PATH, 401)]
