# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/client.py.

Against the scripted Atlas of conftest (digest auth with MD5, qop=auth, nonce expiry with stale=true; answers
from a per-test script); transport failures that a real server cannot produce on demand come from a requests
adapter that raises them. Sleep is patched everywhere.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import warnings
from unittest import mock
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.client import RemoteDisconnected

import pytest
import requests
from requests.adapters import HTTPAdapter
from requests.auth import HTTPDigestAuth
from urllib3.exceptions import (ConnectTimeoutError, InsecureRequestWarning, MaxRetryError, NewConnectionError,
                                ProtocolError, ReadTimeoutError)
from urllib3.exceptions import SSLError as Urllib3SSLError

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import client as client_mod
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    API_ROOTS, AtlasApiError, AtlasClient, AtlasError, AtlasOutcomeUnknown, AtlasTransportError,
    parse_retry_after, quote_segment)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import describe_error
from ansible_collections.mongodb_atlas.api_keys.tests.unit.conftest import (  # the scripted Atlas and its answers
    DROP, SCRIPTED_PRIVATE_KEY as PRIVATE, SCRIPTED_PUBLIC_KEY as PUBLIC, ScriptedAtlas, api_error, raw, reply,
    slow)

V2 = "/api/atlas/v2"
V1 = "/api/atlas/v1.0"
V2_MEDIA = "application/vnd.atlas.2023-01-01+json"

COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


@pytest.fixture
def atlas(scripted_atlas):
    """The scripted Atlas of conftest (digest authentication with PUBLIC and PRIVATE)."""
    return scripted_atlas


class Recorder(object):
    """A sleep that records instead of sleeping."""

    def __init__(self):
        self.delays = []

    def __call__(self, seconds):
        self.delays.append(seconds)


class MaxRng(object):
    """Full jitter always picks the top of the range."""

    def uniform(self, low, high):
        return high


class ZeroRng(object):
    def uniform(self, low, high):
        return low


@pytest.fixture
def sleep():
    return Recorder()


@pytest.fixture
def make_client(atlas, sleep):
    clients = []

    def make(private=PRIVATE, base_url=None, **kwargs):
        kwargs.setdefault("sleep", sleep)
        kwargs.setdefault("rng", ZeroRng())
        client = AtlasClient(base_url or atlas.url, HTTPDigestAuth(PUBLIC, private), **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


class FlakyAdapter(HTTPAdapter):
    """Raises the given exceptions (None = pass through) before sending for real."""

    def __init__(self, failures=()):
        super(FlakyAdapter, self).__init__()
        self.failures = list(failures)
        self.calls = []

    def send(self, request, **kwargs):
        self.calls.append({"method": request.method, "url": request.url, "kwargs": kwargs})
        if self.failures:
            failure = self.failures.pop(0)
            if failure is not None:
                raise failure
        return super(FlakyAdapter, self).send(request, **kwargs)


def refused_error():
    cause = NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    cause.__cause__ = ConnectionRefusedError(111, "Connection refused")
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/x", reason=cause))


def connect_timeout_error():
    return requests.exceptions.ConnectTimeout(MaxRetryError(None, "/x", reason=ConnectTimeoutError("timed out")))


def read_timeout_error():
    return requests.exceptions.ReadTimeout(ReadTimeoutError(None, "/x", "Read timed out."))


def dropped_error():
    return requests.exceptions.ConnectionError(
        ProtocolError("Connection aborted.", RemoteDisconnected("Remote end closed connection without response")))


def cert_error():
    inner = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    inner.verify_message = "self-signed certificate"
    return requests.exceptions.SSLError(MaxRetryError(None, "/x", reason=Urllib3SSLError(inner)))


def free_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


# ------------------------------------------------------------------------------------------
# Constants, headers, URLs
# ------------------------------------------------------------------------------------------

def test_collection_version_matches_galaxy_yml():
    path = os.path.join(COLLECTION_ROOT, "galaxy.yml")
    if not os.path.exists(path):
        pytest.skip("galaxy.yml not found")
    yaml = pytest.importorskip("yaml")
    with open(path) as handle:
        galaxy = yaml.safe_load(handle)
    assert client_mod.COLLECTION_VERSION == galaxy["version"]
    assert client_mod.COLLECTION_NAME == "%s.%s" % (galaxy["namespace"], galaxy["name"])


def test_api_roots():
    assert API_ROOTS == {
        "v2": ("/api/atlas/v2", "application/vnd.atlas.2023-01-01+json"),
        "v1.0": ("/api/atlas/v1.0", "application/json"),
    }


@pytest.mark.parametrize("version,root,media", [("v2", V2, V2_MEDIA), ("v1.0", V1, "application/json")])
def test_headers_per_version(atlas, make_client, version, root, media):
    atlas.route("GET", root + "/orgs/o/apiKeys/k", reply(200, {"id": "k"}))
    atlas.route("POST", root + "/orgs/o/apiKeys", reply(200, {"id": "new"}))
    atlas.route("DELETE", root + "/orgs/o/apiKeys/k", reply(204))
    client = make_client(api_version=version)
    assert client.get("/orgs/o/apiKeys/k") == {"id": "k"}
    assert client.post("/orgs/o/apiKeys", {"desc": "x", "roles": ["ORG_MEMBER"]}) == {"id": "new"}
    assert client.request("DELETE", "orgs/o/apiKeys/k") is None  # a missing leading '/' is added
    get, post, delete = atlas.log
    for request in (get, post, delete):
        assert request["headers"]["Accept"] == media
    assert "Content-Type" not in get["headers"]
    assert "Content-Type" not in delete["headers"]
    assert post["headers"]["Content-Type"] == media
    assert json.loads(post["body"]) == {"desc": "x", "roles": ["ORG_MEMBER"]}


def test_user_agent(atlas, make_client):
    atlas.route("GET", V2 + "/ping", reply(200, {}))
    make_client().get("/ping")
    make_client(user_agent_extra="ansible-core/2.21.5").get("/ping")
    plain, extra = [r["headers"]["User-Agent"] for r in atlas.log]
    assert plain == "mongodb_atlas.api_keys/%s python-requests/%s" % (client_mod.COLLECTION_VERSION, requests.__version__)
    assert extra == plain + " ansible-core/2.21.5"


def test_trailing_slash_of_base_url_is_stripped(atlas, make_client):
    atlas.route("GET", V2 + "/orgs", reply(200, {"results": []}))
    client = make_client(base_url=atlas.url + "/")
    assert client.base_url == atlas.url
    assert client.url("/orgs") == atlas.url + V2 + "/orgs"
    client.get("/orgs")
    assert atlas.log[0]["path"] == V2 + "/orgs"


def test_constructor_uses_the_auth_object_for_the_session():
    # The base URL is checked before (module_base.check_connection, tested in test_module_base.py).
    auth = HTTPDigestAuth(PUBLIC, PRIVATE)
    client = AtlasClient("https://cloud.mongodb.com", auth)
    assert client.session.auth is auth
    client.close()


def test_quote_segment():
    assert quote_segment("10.0.0.0/24") == "10.0.0.0%2F24"
    assert quote_segment("2001:db8:0:0:0:0:0:0/64") == "2001%3Adb8%3A0%3A0%3A0%3A0%3A0%3A0%2F64"
    assert quote_segment(42) == "42"
    assert quote_segment("a b?#&") == "a%20b%3F%23%26"


def test_quote_segment_survives_requests(atlas, make_client):
    path = "/orgs/o/apiKeys/k/accessList/%s" % quote_segment("10.0.0.0/24")
    atlas.route("GET", V2 + "/orgs/o/apiKeys/k/accessList/10.0.0.0%2F24", reply(200, {"cidrBlock": "10.0.0.0/24"}))
    client = make_client()
    prepared = client.session.prepare_request(requests.Request("GET", client.url(path)))
    assert prepared.url.endswith("/accessList/10.0.0.0%2F24")
    assert client.get(path) == {"cidrBlock": "10.0.0.0/24"}
    assert atlas.log[0]["path"] == V2 + "/orgs/o/apiKeys/k/accessList/10.0.0.0%2F24"


def test_verify_and_timeout_are_passed(atlas, make_client):
    atlas.route("GET", V2 + "/ping", reply(200, {"ok": True}))
    for validate in (True, False, "/etc/ssl/certs/ca-certificates.crt"):
        client = make_client(validate_certs=validate, timeout=12)
        adapter = FlakyAdapter()
        client.session.mount("http://", adapter)
        with mock.patch.object(client.session, "request", wraps=client.session.request) as request:
            assert client.get("/ping") == {"ok": True}
        assert request.call_args[1]["verify"] is validate
        assert request.call_args[1]["timeout"] == 12
        assert client.session.verify is validate
        # requests may swap True for a CA bundle named in its environment, never for False
        sent = [c["kwargs"]["verify"] for c in adapter.calls]
        assert sent and all(v == validate if validate is not True else v for v in sent)
        assert all(c["kwargs"]["timeout"] == 12 for c in adapter.calls)


class InsecureWarningAdapter(HTTPAdapter):
    """Warns as urllib3 does when it sends a request without verifying the certificate."""

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        warnings.warn("Unverified HTTPS request is being made to host '127.0.0.1'", InsecureRequestWarning)
        return super(InsecureWarningAdapter, self).send(request, **kwargs)


def test_validate_certs_false_keeps_urllib3s_warning_out_of_the_output(atlas, make_client, recwarn):
    """urllib3 warns on stderr at every unverified request; with validate_certs=false the user chose it, and from the
    lookup and the modules in Ansible's own process that stderr would show in Ansible's output at every request."""
    atlas.route("GET", V2 + "/ping", reply(200, {"ok": True}))
    for validate, warned in ((False, 0), (True, 1)):
        client = make_client(validate_certs=validate)
        client.session.mount("http://", InsecureWarningAdapter())
        assert client.get("/ping") == {"ok": True}
        assert len([w for w in recwarn if issubclass(w.category, InsecureRequestWarning)]) == warned
        recwarn.clear()


# ------------------------------------------------------------------------------------------
# Digest authentication
# ------------------------------------------------------------------------------------------

def test_digest_challenge_answered_once_per_client(atlas, make_client):
    atlas.route("GET", V2 + "/orgs/o/apiKeys", reply(200, {"results": [], "totalCount": 0}))
    atlas.route("POST", V2 + "/orgs/o/apiKeys", reply(200, {"id": "k"}))
    atlas.route("PATCH", V2 + "/orgs/o/apiKeys/k", reply(200, {"id": "k"}))
    atlas.route("DELETE", V2 + "/orgs/o/apiKeys/k", reply(204))
    client = make_client()
    client.get("/orgs/o/apiKeys")
    client.list_all("/orgs/o/apiKeys")
    client.post("/orgs/o/apiKeys", {"desc": "d"})
    client.request("PATCH", "/orgs/o/apiKeys/k", body={"desc": "e"})
    client.request("DELETE", "/orgs/o/apiKeys/k")
    assert len(atlas.challenges) == 1
    assert len(atlas.log) == 5
    # a second client (a second module run) answers its own challenge
    make_client().get("/orgs/o/apiKeys")
    assert len(atlas.challenges) == 2


def test_stale_nonce_is_answered_again(atlas, make_client):
    atlas.route("GET", V2 + "/ping", reply(200, {"ok": True}))
    client = make_client()
    assert client.get("/ping") == {"ok": True}
    assert client.get("/ping") == {"ok": True}
    atlas.expire_nonces()
    assert client.get("/ping") == {"ok": True}
    assert client.get("/ping") == {"ok": True}
    assert [c["stale"] for c in atlas.challenges] == [False, True]
    assert len(atlas.log) == 4


def test_wrong_private_key(atlas, make_client, sleep):
    atlas.route("GET", V2 + "/ping", reply(200, {"ok": True}))
    client = make_client(private="not-the-key")
    with pytest.raises(AtlasApiError) as err:
        client.get("/ping")
    assert err.value.status == 401
    assert err.value.error_code is None
    assert err.value.reason == "Unauthorized"
    assert str(err.value) == "HTTP 401 Unauthorized: You are not authorized for this resource."
    assert len(atlas.challenges) == 2  # challenge, then the wrong answer; never retried
    assert atlas.log == []
    assert sleep.delays == []


# ------------------------------------------------------------------------------------------
# Pagination
# ------------------------------------------------------------------------------------------

def paged(items, total=True, ignore_page=False):
    def action(request):
        size = int(request["query"]["itemsPerPage"][0])
        page = 1 if ignore_page else int(request["query"]["pageNum"][0])
        body = {"results": items[(page - 1) * size:page * size], "links": []}
        if total:
            body["totalCount"] = len(items)
        return reply(200, body)
    return action


def test_list_all_follows_pages(atlas, make_client):
    items = [{"id": "%024x" % i} for i in range(1203)]
    atlas.route("GET", V2 + "/orgs/o/apiKeys", paged(items))
    result = make_client().list_all("/orgs/o/apiKeys", params={"includeCount": "true"})
    assert result == items
    assert [r["query"] for r in atlas.log] == [
        {"includeCount": ["true"], "itemsPerPage": ["500"], "pageNum": [str(n)]} for n in (1, 2, 3)]


def test_list_all_reads_on_from_page_2_after_a_first_page_in_hand(atlas, make_client):
    items = [{"id": "%024x" % i} for i in range(1203)]
    atlas.route("GET", V2 + "/orgs/o/apiKeys", paged(items))
    first_page = {"results": items[:500], "totalCount": len(items)}  # e.g. a POST's answer
    assert make_client().list_all("/orgs/o/apiKeys", first_page=first_page) == items
    assert [r["query"]["pageNum"] for r in atlas.log] == [["2"], ["3"]]


def test_list_all_stops_at_total_count(atlas, make_client):
    items = [{"id": i} for i in range(1000)]
    atlas.route("GET", V2 + "/orgs/o/apiKeys", paged(items))
    assert make_client().list_all("/orgs/o/apiKeys") == items
    assert len(atlas.log) == 2  # no third request for an empty page


def test_list_all_without_total_count_reads_until_short_page(atlas, make_client):
    items = [{"id": i} for i in range(1000)]
    atlas.route("GET", V2 + "/orgs/o/apiKeys", paged(items, total=False))
    assert make_client().list_all("/orgs/o/apiKeys") == items
    assert len(atlas.log) == 3


def test_list_all_single_short_page(atlas, make_client):
    atlas.route("GET", V2 + "/groups/g/apiKeys", reply(200, {"results": [{"id": 1}], "totalCount": 1}))
    assert make_client().list_all("/groups/g/apiKeys") == [{"id": 1}]
    atlas.route("GET", V2 + "/groups/g/apiKeys", reply(200, {"results": [], "totalCount": 0}))
    assert make_client().list_all("/groups/g/apiKeys") == []
    assert len(atlas.log) == 2


def test_list_all_survives_a_server_that_repeats_a_page(atlas, make_client):
    items = [{"id": i} for i in range(2000)]
    atlas.route("GET", V2 + "/orgs/o/apiKeys", paged(items, ignore_page=True))
    assert make_client().list_all("/orgs/o/apiKeys") == items[:500]
    assert len(atlas.log) == 2


def test_list_all_rejects_a_non_list_answer(atlas, make_client):
    atlas.route("GET", V2 + "/orgs/o/apiKeys", reply(200, {"id": "not a list"}))
    with pytest.raises(AtlasError):
        make_client().list_all("/orgs/o/apiKeys")


# ------------------------------------------------------------------------------------------
# Answers and error shapes
# ------------------------------------------------------------------------------------------

def test_success_bodies(atlas, make_client):
    atlas.route("DELETE", V2 + "/a", reply(204))
    atlas.route("POST", V2 + "/b", reply(200))  # 200 with an empty body
    atlas.route("PATCH", V2 + "/c", reply(200, {"roles": []}))
    client = make_client()
    assert client.request("DELETE", "/a") is None
    assert client.post("/b", [{"roleName": "GROUP_READ_ONLY"}]) is None
    assert client.request("PATCH", "/c", body={"roles": []}, params={"pretty": "false"}) == {"roles": []}
    assert atlas.log[2]["query"] == {"pretty": ["false"]}


def test_error_with_error_code(atlas, make_client, sleep):
    detail = "No API key with ID 5f0f0f0f0f0f0f0f0f0f0f0f exists."
    atlas.route("GET", V2 + "/orgs/o/apiKeys/5f", reply(404, {
        "error": 404, "errorCode": "API_KEY_NOT_FOUND", "detail": detail, "reason": "Not Found",
        "parameters": ["5f0f0f0f0f0f0f0f0f0f0f0f"]}))
    with pytest.raises(AtlasApiError) as err:
        make_client().get("/orgs/o/apiKeys/5f")
    e = err.value
    assert str(e) == "HTTP 404 API_KEY_NOT_FOUND: " + detail
    assert (e.status, e.error_code, e.detail, e.reason) == (404, "API_KEY_NOT_FOUND", detail, "Not Found")
    assert (e.method, e.path, e.attempts) == ("GET", "/orgs/o/apiKeys/5f", 1)
    assert sleep.delays == []  # 4xx is never retried
    assert len(atlas.log) == 1


def test_error_with_bad_request_detail(atlas, make_client):
    atlas.route("POST", V2 + "/orgs/o/apiKeys", reply(400, {
        "error": 400, "errorCode": "INVALID_ATTRIBUTE", "reason": "Bad Request",
        "detail": "Invalid attribute desc specified.",
        "badRequestDetail": {"fields": [{"field": "desc", "description": "too long"}]}}))
    with pytest.raises(AtlasApiError) as err:
        make_client().post("/orgs/o/apiKeys", {"desc": "x" * 300})
    assert str(err.value) == "HTTP 400 INVALID_ATTRIBUTE: Invalid attribute desc specified."
    assert len(atlas.requests("POST")) == 1


def test_error_without_error_code_or_detail(atlas, make_client):
    atlas.route("GET", V2 + "/a", reply(403, {"error": 403, "reason": "Forbidden", "detail": "Nope."}))
    atlas.route("GET", V2 + "/b", reply(404, {"error": 404, "errorCode": "RESOURCE_NOT_FOUND", "reason": "Not Found"}))
    atlas.route("GET", V2 + "/c", reply(409, {"error": 409}))
    client = make_client()
    with pytest.raises(AtlasApiError) as err:
        client.get("/a")
    assert str(err.value) == "HTTP 403 Forbidden: Nope."
    assert err.value.error_code is None
    with pytest.raises(AtlasApiError) as err:
        client.get("/b")
    assert str(err.value) == "HTTP 404 RESOURCE_NOT_FOUND: Not Found"
    with pytest.raises(AtlasApiError) as err:
        client.get("/c")
    assert str(err.value) == "HTTP 409 Conflict"  # reason phrase of the status line


def test_error_with_non_json_body(atlas, make_client, sleep):
    page = "<html><body>" + "upstream trouble " * 40 + "</body></html>"
    atlas.route("GET", V2 + "/a", raw(500, page))
    atlas.route("GET", V2 + "/b", raw(418, ""))
    client = make_client()
    with pytest.raises(AtlasApiError) as err:
        client.get("/a")
    e = err.value
    assert e.status == 500 and e.error_code is None and e.reason == "Internal Server Error"
    assert str(e).startswith("HTTP 500 Internal Server Error: <html><body>upstream trouble")
    assert len(e.detail) <= 200
    assert sleep.delays == []  # a 500 on GET is not retried
    with pytest.raises(AtlasApiError) as err:
        client.get("/b")
    assert str(err.value) == "HTTP 418 I'm a Teapot" or str(err.value).startswith("HTTP 418 ")


def test_success_with_non_json_body(atlas, make_client):
    atlas.route("GET", V2 + "/a", raw(200, "<html>login page</html>"))
    with pytest.raises(AtlasApiError) as err:
        make_client().get("/a")
    assert err.value.status == 200
    assert "not JSON" in str(err.value)


# ------------------------------------------------------------------------------------------
# Retries
# ------------------------------------------------------------------------------------------

def test_429_retried_after_retry_after(atlas, make_client, sleep):
    limited = api_error(429, "RATE_LIMITED_TOKEN_BUCKET", "Rate limit exceeded.", "Too Many Requests",
                        headers={"Retry-After": "7"})
    atlas.route("GET", V2 + "/orgs", limited, limited, reply(200, {"results": []}))
    client = make_client(rng=MaxRng())
    assert client.get("/orgs") == {"results": []}
    assert len(sleep.delays) == 2 and all(d >= 7 for d in sleep.delays)
    assert len(atlas.log) == 3


def test_retry_after_http_date_and_cap(atlas, make_client, sleep):
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    atlas.route("GET", V2 + "/a", api_error(503, None, "busy", headers={"Retry-After": when}), reply(200, {}))
    atlas.route("GET", V2 + "/b", api_error(429, "RATE_LIMITED", "slow", headers={"Retry-After": "3600"}),
                reply(200, {}))
    client = make_client()
    client.get("/a")
    client.get("/b")
    assert 25 <= sleep.delays[0] <= 30
    assert sleep.delays[1] == 120


def test_parse_retry_after():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("55") == 55
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after("-3") == 0
    assert parse_retry_after("100000") == 120
    assert parse_retry_after("Sun, 01 Mar 2026 12:00:42 GMT", now=now) == 42
    assert parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now=now) == 0


def test_503_backoff_is_exponential_capped_and_budget_exhausted(atlas, make_client, sleep):
    atlas.route("GET", V2 + "/orgs", api_error(503, "SERVICE_UNAVAILABLE", "Try later.", "Service Unavailable"))
    client = make_client(rng=MaxRng(), retries=8)
    with pytest.raises(AtlasApiError) as err:
        client.get("/orgs")
    assert sleep.delays == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert len(atlas.log) == 9
    assert err.value.status == 503 and err.value.attempts == 9
    assert str(err.value) == "HTTP 503 SERVICE_UNAVAILABLE: Try later. (gave up after 9 attempts)"


def test_backoff_has_full_jitter(atlas, make_client, sleep):
    import random
    atlas.route("GET", V2 + "/orgs", api_error(502, None, "bad gateway", "Bad Gateway"))
    client = make_client(rng=random.Random(7), retries=6)
    with pytest.raises(AtlasApiError):
        client.get("/orgs")
    ceilings = [0.5, 1, 2, 4, 8, 16]
    assert len(sleep.delays) == 6
    assert all(0 <= d <= c for d, c in zip(sleep.delays, ceilings))
    assert len(set(sleep.delays)) == 6


def test_patch_and_delete_are_retried_as_they_are(atlas, make_client, sleep):
    atlas.route("PATCH", V2 + "/k", api_error(504, None, "timeout", "Gateway Timeout"), reply(200, {"id": "k"}))
    atlas.route("DELETE", V2 + "/k", DROP, reply(204))
    client = make_client()
    assert client.request("PATCH", "/k", body={"desc": "d"}) == {"id": "k"}
    assert client.request("DELETE", "/k") is None
    patches = atlas.requests("PATCH")
    assert len(patches) == 2 and patches[0]["body"] == patches[1]["body"]
    assert len(atlas.requests("DELETE")) == 2


def test_get_retried_after_dropped_connection(atlas, make_client, sleep):
    atlas.route("GET", V2 + "/orgs", DROP, reply(200, {"results": [1]}))
    client = make_client()
    assert client.get("/orgs") == {"results": [1]}
    assert len(atlas.log) == 2 and len(sleep.delays) == 1


def test_get_dropped_every_time_exhausts_budget(atlas, make_client, sleep):
    atlas.route("GET", V2 + "/orgs", DROP)
    with pytest.raises(AtlasTransportError) as err:
        make_client(retries=2).get("/orgs")
    assert not isinstance(err.value, AtlasOutcomeUnknown)
    assert err.value.kind == "connection"
    assert "closed the connection" in str(err.value)
    assert str(err.value).endswith("(gave up after 3 attempts)")
    assert len(atlas.log) == 3 and len(sleep.delays) == 2


def test_get_retried_after_read_timeout(atlas, make_client):
    atlas.route("GET", V2 + "/orgs", slow(0.4, reply(200, {})), reply(200, {"ok": 1}))
    client = make_client(timeout=(2, 0.1))
    assert client.get("/orgs") == {"ok": 1}
    assert len(atlas.log) == 2


def test_post_dropped_without_reread_is_not_resent(atlas, make_client, sleep):
    atlas.route("POST", V2 + "/orgs/o/apiKeys", DROP, reply(200, {"id": "second"}))
    with pytest.raises(AtlasOutcomeUnknown) as err:
        make_client().post("/orgs/o/apiKeys", {"desc": "d"})
    assert isinstance(err.value, AtlasTransportError)
    assert err.value.kind == "connection"
    assert str(err.value) == (
        "the outcome of POST /orgs/o/apiKeys is unknown: the connection to %s was lost before Atlas answered: "
        "the server closed the connection without answering. Atlas may have applied it, so it was not sent "
        "again. Check the current state before trying again." % atlas.url)
    assert len(atlas.requests("POST")) == 1
    assert sleep.delays == []


def test_post_dropped_with_reread_finding_the_write(atlas, make_client):
    atlas.route("POST", V2 + "/orgs/o/apiKeys", DROP, reply(200, {"id": "second"}))
    calls = []

    def reread():
        calls.append(1)
        return {"id": "first"}

    client = make_client()
    assert client.post("/orgs/o/apiKeys", {"desc": "d"}, reread=reread) == {"id": "first"}
    assert len(atlas.requests("POST")) == 1
    assert len(calls) == 1


def test_post_dropped_with_reread_not_finding_the_write(atlas, make_client):
    atlas.route("POST", V2 + "/orgs/o/apiKeys", DROP, reply(200, {"id": "second"}))
    atlas.route("GET", V2 + "/orgs/o/apiKeys", reply(200, {"results": [], "totalCount": 0}))
    client = make_client()

    def reread():  # a real reread goes through the same client
        keys = client.list_all("/orgs/o/apiKeys")
        return keys[0] if keys else None

    assert client.post("/orgs/o/apiKeys", {"desc": "d"}, reread=reread) == {"id": "second"}
    assert len(atlas.requests("POST")) == 2
    assert len(atlas.requests("GET")) == 1


def test_post_read_timeout_without_reread(atlas, make_client):
    atlas.route("POST", V2 + "/orgs/o/apiKeys", slow(0.4, reply(200, {"id": "k"})))
    with pytest.raises(AtlasOutcomeUnknown) as err:
        make_client(timeout=(2, 0.1)).post("/orgs/o/apiKeys", {"desc": "d"})
    assert err.value.kind == "timeout"
    assert "read timeout" in str(err.value)
    assert len(atlas.requests("POST")) == 1


def test_post_retried_after_429(atlas, make_client, sleep):
    atlas.route("POST", V2 + "/orgs/o/apiKeys",
                api_error(429, "RATE_LIMITED", "slow down", headers={"Retry-After": "2"}), reply(200, {"id": "k"}))

    def reread():
        raise AssertionError("a 429 needs no reread")

    assert make_client().post("/orgs/o/apiKeys", {"desc": "d"}, reread=reread) == {"id": "k"}
    assert len(atlas.requests("POST")) == 2
    assert sleep.delays == [2]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_post_5xx_without_reread_is_outcome_unknown(atlas, make_client, status):
    atlas.route("POST", V2 + "/orgs/o/apiKeys", api_error(status, "UNEXPECTED_ERROR", "boom"), reply(200, {}))
    with pytest.raises(AtlasOutcomeUnknown) as err:
        make_client().post("/orgs/o/apiKeys", {"desc": "d"})
    assert err.value.kind == "http"
    assert isinstance(err.value.cause, AtlasApiError) and err.value.cause.status == status
    assert "HTTP %d UNEXPECTED_ERROR: boom" % status in str(err.value)
    assert len(atlas.requests("POST")) == 1


def test_post_5xx_with_reread_none_until_budget_exhausted(atlas, make_client, sleep):
    atlas.route("POST", V2 + "/orgs/o/apiKeys", api_error(500, "UNEXPECTED_ERROR", "boom"))
    calls = []
    client = make_client(retries=2)
    with pytest.raises(AtlasApiError) as err:
        client.post("/orgs/o/apiKeys", {"desc": "d"}, reread=lambda: calls.append(1))
    assert str(err.value) == "HTTP 500 UNEXPECTED_ERROR: boom (gave up after 3 attempts)"
    assert len(atlas.requests("POST")) == 3
    assert len(calls) == 3  # the last attempt is re-read too: the outcome is then known


def test_post_reread_failure(atlas, make_client):
    atlas.route("POST", V2 + "/orgs/o/apiKeys", DROP)

    def reread():
        raise AtlasApiError(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", "IP address 1.2.3.4 is not allowed.")

    with pytest.raises(AtlasOutcomeUnknown) as err:
        make_client().post("/orgs/o/apiKeys", {"desc": "d"}, reread=reread)
    assert "reading the current state to find out failed: HTTP 403" in str(err.value)
    assert err.value.reread_error.status == 403
    assert len(atlas.requests("POST")) == 1


@pytest.mark.parametrize("failure", [refused_error, connect_timeout_error])
def test_post_retried_when_nothing_was_sent(atlas, make_client, sleep, failure):
    atlas.route("POST", V2 + "/orgs/o/apiKeys", reply(200, {"id": "k"}))
    client = make_client()
    adapter = FlakyAdapter([failure(), failure()])
    client.session.mount("http://", adapter)
    assert client.post("/orgs/o/apiKeys", {"desc": "d"}) == {"id": "k"}
    assert len(atlas.requests("POST")) == 1
    assert len(sleep.delays) == 2


@pytest.mark.parametrize("failure,kind", [(read_timeout_error, "timeout"), (dropped_error, "connection")])
def test_post_transport_outcome_unknown_from_adapter(atlas, make_client, failure, kind):
    client = make_client()
    client.session.mount("http://", FlakyAdapter([failure()]))
    with pytest.raises(AtlasOutcomeUnknown) as err:
        client.post("/orgs/o/apiKeys", {"desc": "d"})
    assert err.value.kind == kind


def test_connection_refused_for_real(make_client, sleep):
    url = "http://127.0.0.1:%d" % free_port()
    client = make_client(base_url=url, retries=2)
    with pytest.raises(AtlasTransportError) as err:
        client.get("/orgs")
    e = err.value
    assert e.kind == "connection" and not isinstance(e, AtlasOutcomeUnknown)
    assert str(e) == "could not connect to %s: connection refused (gave up after 3 attempts)" % url
    assert len(sleep.delays) == 2
    # nothing was sent, so even a POST is repeated as it is
    with pytest.raises(AtlasTransportError) as err:
        client.post("/orgs/o/apiKeys", {"desc": "d"})
    assert not isinstance(err.value, AtlasOutcomeUnknown)
    assert err.value.attempts == 3


def test_connect_timeout_message(make_client):
    client = make_client(retries=0, timeout=9)
    client.session.mount("http://", FlakyAdapter([connect_timeout_error()]))
    with pytest.raises(AtlasTransportError) as err:
        client.get("/orgs")
    assert err.value.kind == "timeout"
    assert str(err.value) == "timed out connecting to %s (timeout 9 s)" % client.base_url


def test_tls_certificate_error_from_adapter_is_not_retried(make_client, sleep):
    client = make_client()
    client.session.mount("http://", FlakyAdapter([cert_error()]))
    with pytest.raises(AtlasTransportError) as err:
        client.get("/orgs")
    assert err.value.kind == "tls"
    assert "could not be verified (self-signed certificate)" in str(err.value)
    assert "validate_certs" not in str(err.value)  # the client names no option; the hint is describe_error's
    assert describe_error(err.value).endswith("Install the CA certificate that signed it, or set "
                                              "validate_certs=false only for a server you trust.")
    assert sleep.delays == []


@pytest.fixture(scope="module")
def tls_atlas(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ScriptedAtlas(tls_context=context)
    server.cert = cert
    yield server
    server.close()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_tls_for_real(tls_atlas, sleep):
    tls_atlas.reset()
    tls_atlas.route("GET", V2 + "/ping", reply(200, {"ok": True}))
    client = AtlasClient(tls_atlas.url, HTTPDigestAuth(PUBLIC, PRIVATE), sleep=sleep)
    with pytest.raises(AtlasTransportError) as err:
        client.get("/ping")
    assert err.value.kind == "tls"
    assert str(err.value).startswith("the TLS certificate of %s could not be verified" % tls_atlas.url)
    assert "validate_certs=false" in describe_error(err.value)
    assert sleep.delays == [] and tls_atlas.log == []
    client.close()
    for validate in (False, tls_atlas.cert):
        client = AtlasClient(tls_atlas.url, HTTPDigestAuth(PUBLIC, PRIVATE), validate_certs=validate, sleep=sleep)
        assert client.get("/ping") == {"ok": True}
        client.close()


# ------------------------------------------------------------------------------------------
# Secrets never leak
# ------------------------------------------------------------------------------------------

def _leaks(err, secrets):
    texts = [str(err), repr(err), repr(err.args)]
    texts.append(repr(sorted((k, repr(v)) for k, v in vars(err).items())))
    for attr in ("cause", "reread_error"):
        if getattr(err, attr, None) is not None:
            texts.extend(_leaks(getattr(err, attr), secrets))
    return [t for t in texts if any(s in t for s in secrets)]


def test_no_secret_in_any_error(atlas, make_client):
    body_secret = "BODY-SECRET-d3adb33f"
    secrets = [PRIVATE, body_secret, "Digest ", "Authorization", "userinfo-secret"]
    body = {"desc": body_secret}
    atlas.route("GET", V2 + "/404", api_error(404, "API_KEY_NOT_FOUND", "No API key with ID x exists."))
    atlas.route("GET", V2 + "/html", raw(502, "<html>bad gateway</html>"))
    atlas.route("GET", V2 + "/notjson", raw(200, "not json"))
    atlas.route("POST", V2 + "/drop", DROP)
    atlas.route("POST", V2 + "/503", api_error(503, None, "busy"))
    atlas.route("POST", V2 + "/400", api_error(400, "INVALID_ATTRIBUTE", "Invalid attribute."))
    atlas.route("GET", V2 + "/slow", slow(0.3, reply(200, {})))
    client = make_client(retries=1)
    errors = []

    def collect(call, *args, **kwargs):
        with pytest.raises(AtlasError) as err:
            call(*args, **kwargs)
        errors.append(err.value)

    collect(client.get, "/404")
    collect(client.get, "/html")
    collect(client.get, "/notjson")
    collect(client.post, "/drop", body)
    collect(client.post, "/503", body)
    collect(client.post, "/400", body)
    collect(client.post, "/drop", body, reread=lambda: None)
    collect(client.post, "/drop", body, reread=lambda: client.get("/404"))
    collect(make_client(private="wrong-" + PRIVATE).get, "/404")
    collect(make_client(timeout=(2, 0.05), retries=0).get, "/slow")
    userinfo = "http://%s:userinfo-secret@127.0.0.1:%d" % (PUBLIC, free_port())
    collect(make_client(base_url=userinfo, retries=0).post, "/x", body)
    for failure in (refused_error, connect_timeout_error, read_timeout_error, dropped_error, cert_error):
        flaky = make_client(retries=0)
        flaky.session.mount("http://", FlakyAdapter([failure()]))
        collect(flaky.post, "/x", body)
    assert len(errors) == 16
    kinds = set(type(e).__name__ for e in errors)
    assert kinds == {"AtlasApiError", "AtlasTransportError", "AtlasOutcomeUnknown"}
    for err in errors:
        assert _leaks(err, secrets) == [], err
        assert PUBLIC not in str(err)


# ------------------------------------------------------------------------------------------
# Without requests
# ------------------------------------------------------------------------------------------

def test_imports_without_requests(monkeypatch):
    for name in list(sys.modules):
        if name == "requests" or name.startswith("requests.") or name == "urllib3" or name.startswith("urllib3."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "requests", None)
    monkeypatch.setitem(sys.modules, "urllib3", None)
    monkeypatch.setitem(sys.modules, "urllib3.exceptions", None)
    spec = importlib.util.spec_from_file_location("client_without_requests", client_mod.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.HAS_REQUESTS is False
    assert "requests" in module.REQUESTS_IMPORT_ERROR
    assert module.quote_segment("a/b") == "a%2Fb"
    assert module.build_user_agent() == "mongodb_atlas.api_keys/%s" % client_mod.COLLECTION_VERSION
    with pytest.raises(module.AtlasError):
        module.AtlasClient("https://cloud.mongodb.com", None)


def test_outcome_unknown_after_a_retry_names_the_attempts(atlas, make_client):
    atlas.route("POST", V2 + "/orgs/o/apiKeys", api_error(429, "RATE_LIMITED", "slow down"), DROP)
    with pytest.raises(AtlasOutcomeUnknown) as err:
        make_client().post("/orgs/o/apiKeys", {"desc": "d"})
    assert err.value.attempts == 2
    assert "without answering (after 2 attempts). Atlas may have applied it" in str(err.value)
    assert len(atlas.requests("POST")) == 2
