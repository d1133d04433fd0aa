# -*- coding: utf-8 -*-
"""Tests of the Atlas simulator (tests/simulator/atlas_simulator.py), driven the way the collection drives Atlas:
requests with HTTPDigestAuth against a real server started in-process on a free port."""
from __future__ import annotations

import hashlib
import http.client
import json
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests
from requests.auth import HTTPDigestAuth

from ansible_collections.mongodb_atlas.api_keys.tests.simulator import atlas_simulator as sim
from ansible_collections.mongodb_atlas.api_keys.tests.unit.simulator.conftest import control

ORG = "/orgs/%s/apiKeys" % sim.ORG_ID
ALPHA = "/groups/%s/apiKeys" % sim.PROJECT_ALPHA_ID
BETA = "/groups/%s/apiKeys" % sim.PROJECT_BETA_ID
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
CHALLENGE = re.compile(r'^Digest realm="MMS Public API", domain="", nonce="([0-9a-f]+)", algorithm=MD5, qop="auth", stale=(true|false)$')
UNAUTHORIZED = {"error": 401, "reason": "Unauthorized", "detail": "You are not authorized for this resource."}


class Client:
    """One module-run-like client: a Session with one HTTPDigestAuth, on one API root."""

    def __init__(self, url, public_key, private_key, root="v2", media_type=None):
        self.session = requests.Session()
        self.session.auth = HTTPDigestAuth(public_key, private_key)
        media_type = media_type or (sim.V2_MEDIA_TYPE if root == "v2" else "application/json")
        self.session.headers.update({"Accept": media_type, "Content-Type": media_type})
        self.base = url + ("/api/atlas/v2" if root == "v2" else "/api/atlas/v1.0")

    def call(self, method, path, body=None, raw=None, **kwargs):
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        return self.session.request(method, self.base + path, data=data, timeout=kwargs.pop("timeout", 10), **kwargs)


def expect_error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == status and body["errorCode"] == code, body
    assert set(body) >= {"detail", "error", "errorCode", "parameters", "reason"}
    return body


def api_log(server):
    return control(server, "GET", "log")["requests"]


def digest_header(uri, nonce, nc="00000001", method="GET", public=sim.ADMIN_PUBLIC_KEY, private=sim.ADMIN_PRIVATE_KEY):
    def md5(text):
        return hashlib.md5(text.encode()).hexdigest()
    ha1, ha2, cnonce = md5("%s:MMS Public API:%s" % (public, private)), md5("%s:%s" % (method, uri)), "0a4f113b"
    response = md5(":".join((ha1, nonce, nc, cnonce, "auth", ha2)))
    return ('Digest username="%s", realm="MMS Public API", nonce="%s", uri="%s", response="%s", qop=auth, nc=%s, cnonce="%s", algorithm=MD5'
            % (public, nonce, uri, response, nc, cnonce))


def fresh_nonce(server, uri):
    response = requests.get(server.url + uri, timeout=5)
    return CHALLENGE.match(response.headers["WWW-Authenticate"]).group(1)


# --------------------------------------------------------------------------- digest authentication

def test_challenge_then_success_and_session_reuses_nonce(server, admin):
    for _attempt in range(3):
        assert admin.call("GET", ORG).status_code == 200
    entries = api_log(server)
    assert [e["status"] for e in entries] == [401, 200, 200, 200]
    assert [e["challenge"] for e in entries] == [True, False, False, False]
    assert [e["principal"] for e in entries[1:]] == [sim.ADMIN_PUBLIC_KEY] * 3
    assert not any(e["write"] for e in entries)


def test_challenge_header_and_body(server):
    response = requests.get(server.url + "/api/atlas/v2" + ORG, timeout=5)
    assert response.status_code == 401
    assert CHALLENGE.match(response.headers["WWW-Authenticate"]).group(2) == "false"
    assert response.json() == UNAUTHORIZED


def test_hash_is_verified_and_a_replayed_nc_is_rejected(server):
    uri = "/api/atlas/v2%s?pageNum=1" % ORG
    headers = {"Accept": sim.V2_MEDIA_TYPE, "Authorization": digest_header(uri, fresh_nonce(server, uri))}
    assert requests.get(server.url + uri, headers=headers, timeout=5).status_code == 200
    replay = requests.get(server.url + uri, headers=headers, timeout=5)
    assert replay.status_code == 401 and replay.json() == UNAUTHORIZED
    other_uri = dict(headers, Authorization=digest_header(uri + "&x=1", fresh_nonce(server, uri)))
    assert requests.get(server.url + uri, headers=other_uri, timeout=5).status_code == 401


def test_expired_nonce_gets_stale_true_and_requests_retries_transparently(server, admin):
    uri = "/api/atlas/v2" + ORG
    nonce = fresh_nonce(server, uri)
    control(server, "POST", "expire_nonces")
    stale = requests.get(server.url + uri, headers={"Authorization": digest_header(uri, nonce)}, timeout=5)
    assert stale.status_code == 401 and CHALLENGE.match(stale.headers["WWW-Authenticate"]).group(2) == "true"
    assert admin.call("GET", ORG).status_code == 200
    control(server, "POST", "expire_nonces")
    control(server, "DELETE", "log")
    assert admin.call("GET", ORG).status_code == 200
    assert [(e["status"], e["challenge"]) for e in api_log(server)] == [(401, True), (200, False)]


def test_nonce_ttl_is_configurable(server, admin):
    # long enough that a loaded machine still answers a challenge before its nonce expires
    assert control(server, "POST", "config", {"nonce_ttl": 1.0})["nonce_ttl"] == 1.0
    assert admin.call("GET", ORG).status_code == 200
    time.sleep(1.1)
    assert admin.call("GET", ORG).status_code == 200
    assert sum(e["challenge"] for e in api_log(server)) == 2


def test_wrong_password_and_unknown_user(server):
    for public, private in ((sim.ADMIN_PUBLIC_KEY, "wrong"), ("nosuchky", sim.ADMIN_PRIVATE_KEY)):
        response = Client(server.url, public, private).call("GET", ORG)
        assert response.status_code == 401 and response.json() == UNAUTHORIZED
    entries = api_log(server)
    assert [e["status"] for e in entries] == [401] * 4
    assert entries[1]["principal"] == sim.ADMIN_PUBLIC_KEY and not entries[1]["authenticated"]


def test_bearer_hook(server):
    server.state.bearer_tokens["token-1"] = sim.READ_ONLY_KEY_ID
    headers = {"Authorization": "Bearer token-1", "Accept": sim.V2_MEDIA_TYPE}
    assert requests.get(server.url + "/api/atlas/v2" + ORG, headers=headers, timeout=5).status_code == 200
    assert api_log(server)[-1]["principal"] == sim.READ_ONLY_PUBLIC_KEY
    headers["Authorization"] = "Bearer nope"
    assert requests.get(server.url + "/api/atlas/v2" + ORG, headers=headers, timeout=5).status_code == 401


# --------------------------------------------------------------------------- media types and roots

def test_v2_needs_the_versioned_accept_header(server, admin):
    for accept in ("application/json", "*/*", "application/vnd.atlas.2024-08-05+json"):
        body = expect_error(admin.call("GET", ORG, headers={"Accept": accept}), 406, "INVALID_VERSION_DATE")
        assert body["detail"] == "Invalid accept header or version date."


def test_v2_needs_the_versioned_content_type(server, admin):
    response = admin.call("POST", ORG, {"desc": "x", "roles": ["ORG_MEMBER"]}, headers={"Content-Type": "application/json"})
    expect_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert len(control(server, "GET", "state")["api_keys"]) == 3


def test_v1_root_uses_application_json(server):
    v1 = Client(server.url, sim.ADMIN_PUBLIC_KEY, sim.ADMIN_PRIVATE_KEY, root="v1")
    listed = v1.call("GET", ORG)
    assert listed.status_code == 200 and listed.headers["Content-Type"] == "application/json"
    assert listed.json()["links"][0]["href"].startswith(server.url + "/api/atlas/v1.0/orgs/")
    created = v1.call("POST", ORG, {"desc": "via v1", "roles": ["ORG_MEMBER"]})
    assert created.status_code == 200 and UUID.match(created.json()["privateKey"])
    assert v1.call("DELETE", ORG + "/" + created.json()["id"]).headers["Content-Type"] == "application/json"
    wrong = v1.call("POST", ORG, {"desc": "x", "roles": ["ORG_MEMBER"]}, headers={"Content-Type": sim.V2_MEDIA_TYPE})
    expect_error(wrong, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_keep_alive_with_exact_content_length(server):
    connection = http.client.HTTPConnection("127.0.0.1", int(server.url.rsplit(":", 1)[1]), timeout=5)
    first_socket = None
    for method, path, body in (("GET", "/__sim/state", None), ("POST", "/api/atlas/v2" + ORG, b'{"desc": "x"}'),
                               ("DELETE", "/__sim/log", None), ("GET", "/nowhere", None)):
        connection.request(method, path, body=body)
        response = connection.getresponse()
        payload = response.read()
        assert int(response.getheader("Content-Length")) == len(payload) > 0
        first_socket = first_socket or connection.sock
        assert connection.sock is first_socket  # never closed: keep-alive held across 200, 401 and 404
    connection.close()


def test_pipelined_answers_are_framed_exactly(server):
    requests_in_a_row = (b"GET /__sim/config HTTP/1.1\r\nHost: sim\r\n\r\n"
                         b"DELETE /api/atlas/v2" + ORG.encode() + b" HTTP/1.1\r\nHost: sim\r\nContent-Length: 0\r\n\r\n"
                         b"POST /__sim/expire_nonces HTTP/1.1\r\nHost: sim\r\nContent-Length: 2\r\n\r\n{}"
                         b"GET /__sim/config HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n")
    with socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=5) as connection:
        connection.sendall(requests_in_a_row)
        received = b""
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
    statuses = []
    while received:
        head, rest = received.split(b"\r\n\r\n", 1)
        length = int(re.search(rb"(?im)^Content-Length: (\d+)\r?$", head).group(1))
        statuses.append(int(head.split(b" ")[1]))
        json.loads(rest[:length])
        received = rest[length:]
    assert statuses == [200, 401, 200, 200]


# --------------------------------------------------------------------------- ops 1-5

def test_org_key_lifecycle(server, admin):
    created = admin.call("POST", ORG, {"desc": "ci key", "roles": ["ORG_MEMBER", "ORG_BILLING_ADMIN"]})
    assert created.status_code == 200 and created.headers["Content-Type"] == sim.V2_MEDIA_TYPE
    key = created.json()
    assert re.match(r"^[a-f0-9]{24}$", key["id"]) and re.match(r"^[a-z]{8}$", key["publicKey"])
    assert UUID.match(key["privateKey"])
    assert key["roles"] == [{"orgId": sim.ORG_ID, "roleName": "ORG_MEMBER"}, {"orgId": sim.ORG_ID, "roleName": "ORG_BILLING_ADMIN"}]
    masked = "********-****-****-" + key["privateKey"][-12:]
    path = ORG + "/" + key["id"]

    fetched = admin.call("GET", path)
    assert fetched.status_code == 200 and fetched.json()["privateKey"] == masked
    listed = admin.call("GET", ORG).json()
    assert [k["publicKey"] for k in listed["results"]] == sorted(k["publicKey"] for k in listed["results"])
    assert listed["totalCount"] == 4 and {k["privateKey"] for k in listed["results"] if k["id"] == key["id"]} == {masked}
    assert not any(UUID.match(k["privateKey"]) for k in listed["results"])

    assert admin.call("POST", ALPHA + "/" + key["id"], [{"roles": ["GROUP_READ_ONLY"]}]).status_code == 204
    patched = admin.call("PATCH", path, {"desc": "renamed", "roles": ["ORG_READ_ONLY"]})
    assert patched.status_code == 200 and patched.json()["privateKey"] == masked and patched.json()["desc"] == "renamed"
    assert patched.json()["roles"] == [{"orgId": sim.ORG_ID, "roleName": "ORG_READ_ONLY"},
                                       {"groupId": sim.PROJECT_ALPHA_ID, "roleName": "GROUP_READ_ONLY"}]
    assert admin.call("PATCH", path, {"desc": "only desc"}).json()["roles"] == patched.json()["roles"]

    deleted = admin.call("DELETE", path)
    assert deleted.status_code == 204 and deleted.content == b"" and deleted.headers["Content-Type"] == sim.V2_MEDIA_TYPE
    body = expect_error(admin.call("GET", path), 404, "API_KEY_NOT_FOUND")
    assert body["detail"] == "No API key with ID %s exists." % key["id"]
    assert key["id"] not in {k["id"] for k in admin.call("GET", ALPHA).json()["results"]}
    assert [e["write"] for e in api_log(server)[1:]] == [True, False, False, True, True, True, True, False, False]


@pytest.mark.parametrize("body, code", [
    ({"roles": ["ORG_MEMBER"]}, "API_KEY_REQUIRES_DESCRIPTION"),
    ({"desc": "", "roles": ["ORG_MEMBER"]}, "API_KEY_REQUIRES_DESCRIPTION"),
    ({"desc": "x" * 251, "roles": ["ORG_MEMBER"]}, "INVALID_API_KEY_DESC"),
    ({"desc": "x"}, "MISSING_API_KEY_ROLES"),
    ({"desc": "x", "roles": []}, "MISSING_API_KEY_ROLES"),
    ({"desc": "x", "roles": ["GROUP_OWNER"]}, "INVALID_ENUM_VALUE"),
    ({"desc": "x", "roles": ["ORG_NOPE"]}, "INVALID_ENUM_VALUE"),
    ([{"desc": "x", "roles": ["ORG_MEMBER"]}], "INVALID_JSON"),
    ("{not json", "MALFORMED_JSON"),
])
def test_create_org_key_validation(server, admin, body, code):
    raw = body if isinstance(body, str) else None
    error = expect_error(admin.call("POST", ORG, None if raw else body, raw=raw), 400, code)
    if code == "INVALID_ENUM_VALUE":
        assert "Invalid role" in error["detail"]
    assert len(control(server, "GET", "state")["api_keys"]) == 3


def test_update_and_project_create_validation(server, admin):
    path = ORG + "/" + sim.READ_ONLY_KEY_ID
    expect_error(admin.call("PATCH", path, {}), 400, "MISSING_ONE_OF_ATTRIBUTES")
    expect_error(admin.call("PATCH", path, {"roles": []}), 400, "MISSING_API_KEY_ROLES")
    body = expect_error(admin.call("PATCH", path, {"desc": "y" * 300}), 400, "INVALID_API_KEY_DESC")
    assert body["badRequestDetail"]["fields"][0]["field"] == "desc"
    expect_error(admin.call("POST", ALPHA, {"desc": "x", "roles": ["ORG_OWNER"]}), 400, "INVALID_ENUM_VALUE")
    expect_error(admin.call("POST", ALPHA, {"desc": "x", "roles": []}), 400, "MISSING_API_KEY_ROLES")
    expect_error(admin.call("POST", BETA + "/" + sim.READ_ONLY_KEY_ID, {"roles": ["GROUP_OWNER"]}), 400, "INVALID_JSON")
    state = control(server, "GET", "state")
    assert len(state["api_keys"]) == 3
    assert [k["desc"] for k in state["api_keys"] if k["id"] == sim.READ_ONLY_KEY_ID] == ["simulator read-only"]


def test_path_param_parse_error_for_a_public_key(server, admin):
    for method, path in (("GET", ORG + "/" + sim.READ_ONLY_PUBLIC_KEY), ("DELETE", BETA + "/" + sim.READ_ONLY_PUBLIC_KEY),
                         ("GET", "/orgs/myorg/apiKeys")):
        expect_error(admin.call(method, path), 400, "PATH_PARAM_PARSE_ERROR")


def test_not_found_and_other_org(server, admin):
    expect_error(admin.call("GET", "/orgs/%s/apiKeys" % ("0" * 24)), 404, "ORG_NOT_FOUND")
    expect_error(admin.call("GET", "/groups/%s/apiKeys" % ("0" * 24)), 404, "GROUP_NOT_FOUND")
    expect_error(admin.call("GET", ORG + "/" + "a" * 24 + "/accessList"), 404, "API_KEY_NOT_FOUND")
    expect_error(admin.call("GET", "/orgs/%s/apiKeys" % sim.OTHER_ORG_ID), 401, "USER_CANNOT_ACCESS_ORG")
    expect_error(admin.call("GET", "/orgs/%s/apiKeys/%s" % (sim.OTHER_ORG_ID, sim.ADMIN_KEY_ID)), 401, "USER_CANNOT_ACCESS_ORG")
    expect_error(admin.call("GET", ORG + "/extra/thing"), 404, "RESOURCE_NOT_FOUND")


def test_max_keys_per_org_is_configurable(server, admin):
    assert control(server, "GET", "config")["max_keys_per_org"] == 500
    control(server, "POST", "config", {"max_keys_per_org": 4})
    assert admin.call("POST", ORG, {"desc": "fourth", "roles": ["ORG_MEMBER"]}).status_code == 200
    expect_error(admin.call("POST", ORG, {"desc": "fifth", "roles": ["ORG_MEMBER"]}), 409, "MAX_API_KEYS_PER_ORG_EXCEEDED")
    expect_error(admin.call("POST", ALPHA, {"desc": "fifth", "roles": ["GROUP_OWNER"]}), 409, "MAX_API_KEYS_PER_ORG_EXCEEDED")
    control(server, "POST", "reset")
    assert control(server, "GET", "config")["max_keys_per_org"] == 500


# --------------------------------------------------------------------------- pagination

def test_pagination_over_1200_seeded_keys(server, admin):
    seeded = control(server, "POST", "seed", {"api_keys": 1200, "description_prefix": "bulk-", "org_roles": ["ORG_MEMBER"]})
    assert len(set(seeded["api_key_ids"])) == 1200
    pages, url = [], admin.base + ORG + "?itemsPerPage=500&pageNum=1"
    while url:
        body = admin.session.get(url, timeout=10).json()
        pages.append(body)
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert [len(p["results"]) for p in pages] == [500, 500, 203]
    assert {p["totalCount"] for p in pages} == {1203}
    assert pages[2]["links"] == [{"href": admin.base + ORG + "?includeCount=true&pageNum=3&itemsPerPage=500", "rel": "self"}]
    public_keys = [k["publicKey"] for p in pages for k in p["results"]]
    assert public_keys == sorted(set(public_keys)) and len(public_keys) == 1203
    default = admin.call("GET", ORG, params={"includeCount": "false"}).json()
    assert len(default["results"]) == 100 and "totalCount" not in default
    for params in ({"itemsPerPage": 501}, {"itemsPerPage": 0}, {"pageNum": 0}, {"itemsPerPage": "x"}):
        expect_error(admin.call("GET", ORG, params=params), 400, "INVALID_QUERY_PARAMETER")
    assert admin.call("GET", ORG, params={"pageNum": 99}).json()["results"] == []


def test_envelope_and_pretty(server, admin):
    listed = admin.call("GET", ORG, params={"envelope": "true", "pretty": "true"})
    assert listed.status_code == 200 and listed.json()["status"] == 200 and len(listed.json()["results"]) == 3
    assert listed.text.startswith("{\n")
    wrapped = admin.call("DELETE", ORG + "/" + sim.READ_ONLY_KEY_ID, params={"envelope": "true"})
    assert wrapped.status_code == 200 and wrapped.json() == {"content": None, "status": 204}


# --------------------------------------------------------------------------- ops 6-9: access lists

def test_access_list_operations(server, admin):
    path = ORG + "/" + sim.READ_ONLY_KEY_ID + "/accessList"
    added = admin.call("POST", path, [{"ipAddress": "203.0.113.10"}, {"cidrBlock": "198.51.100.0/24"}])
    assert added.status_code == 200
    body = added.json()
    assert body["totalCount"] == 2
    single, block = sorted(body["results"], key=lambda e: e["cidrBlock"], reverse=True)
    assert (single["ipAddress"], single["cidrBlock"], single["count"]) == ("203.0.113.10", "203.0.113.10/32", 0)
    assert "ipAddress" not in block and block["cidrBlock"] == "198.51.100.0/24"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", single["created"]) and "lastUsed" not in single
    assert block["links"][0]["href"].endswith("/accessList/198.51.100.0%2F24")
    assert admin.call("GET", path).json()["results"] == body["results"]

    assert admin.call("GET", path + "/203.0.113.10").json()["cidrBlock"] == "203.0.113.10/32"
    assert admin.call("GET", path + "/203.0.113.10%2F32").json()["ipAddress"] == "203.0.113.10"
    for encoded in ("198.51.100.0%2F24", "198.51.100.0%2f24"):
        assert admin.call("GET", path + "/" + encoded).json()["cidrBlock"] == "198.51.100.0/24"
    assert admin.call("POST", path, [{"cidrBlock": "203.0.113.10/32"}, {"ipAddress": "198.51.100.0"}]).json()["totalCount"] == 3

    deleted = admin.call("DELETE", path + "/198.51.100.0%2F24")
    assert deleted.status_code == 204 and deleted.content == b""
    expect_error(admin.call("GET", path + "/198.51.100.0%2F24"), 404, "API_KEY_ACCESS_LIST_ENTRY_NOT_FOUND")
    expect_error(admin.call("DELETE", path + "/192.0.2.1"), 404, "API_KEY_ACCESS_LIST_ENTRY_NOT_FOUND")
    assert [e["cidrBlock"] for e in admin.call("GET", path).json()["results"]] == ["198.51.100.0/32", "203.0.113.10/32"]


def test_access_list_ipv6(server, admin):
    path = ORG + "/" + sim.READ_ONLY_KEY_ID + "/accessList"
    body = admin.call("POST", path, [{"ipAddress": "2001:0db8:0000:0000:0000:0000:0000:0001"}, {"cidrBlock": "2001:db8:1::/48"}]).json()
    assert {(e.get("ipAddress"), e["cidrBlock"]) for e in body["results"]} == {("2001:db8::1", "2001:db8::1/128"), (None, "2001:db8:1::/48")}
    for form in ("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1%2F128"):
        assert admin.call("GET", path + "/" + form).json()["ipAddress"] == "2001:db8::1"
    assert admin.call("GET", path + "/2001:db8:1::%2F48").status_code == 200
    assert admin.call("DELETE", path + "/2001:0db8:0001:0000:0000:0000:0000:0000%2F48").status_code == 204
    expect_error(admin.call("POST", path, [{"cidrBlock": "2001:db8::1/64"}]), 400, "INVALID_CIDR_BLOCK")


@pytest.mark.parametrize("body, code", [
    ([{"cidrBlock": "10.0.0.5/24"}], "INVALID_CIDR_BLOCK"),
    ([{"ipAddress": "10.0.0.1", "cidrBlock": "10.0.0.0/24"}], "MISSING_ONE_OF_ATTRIBUTES"),
    ([{}], "MISSING_ONE_OF_ATTRIBUTES"),
    ([{"ipAddress": "10.0.0.999"}], "INVALID_IP_ADDRESS_OR_CIDR_NOTATION"),
    ([{"ipAddress": "10.0.0.0/24"}], "INVALID_IP_ADDRESS_OR_CIDR_NOTATION"),
    ([{"cidrBlock": "10.0.0.1"}], "INVALID_IP_ADDRESS_OR_CIDR_NOTATION"),
    ([{"ipAddress": "10.0.0.1"}, {"cidrBlock": "10.0.0.1/32"}], "DUPLICATE_ADDRESSES_IN_INPUT"),
    ([{"ipAddress": "10.9.9.9"}, {"cidrBlock": "10.1.2.3/8"}], "INVALID_CIDR_BLOCK"),
    ({"ipAddress": "10.0.0.1"}, "INVALID_JSON"),
])
def test_access_list_post_is_validated_and_atomic(server, admin, body, code):
    path = ORG + "/" + sim.READ_ONLY_KEY_ID + "/accessList"
    expect_error(admin.call("POST", path, body), 400, code)
    assert admin.call("GET", path).json() == {"links": [{"href": admin.base + path + "?includeCount=true&pageNum=1&itemsPerPage=100",
                                                         "rel": "self"}], "results": [], "totalCount": 0}


def test_caller_access_list_is_enforced_and_use_recorded(server, admin, reader):
    path = ORG + "/" + sim.READ_ONLY_KEY_ID + "/accessList"
    assert admin.call("POST", path, [{"cidrBlock": "10.0.0.0/8"}]).status_code == 200
    body = expect_error(reader.call("GET", ORG), 403, "IP_ADDRESS_NOT_ON_ACCESS_LIST")
    assert body["detail"] == "IP address 127.0.0.1 is not allowed to access this resource."
    assert admin.call("POST", path, [{"ipAddress": "127.0.0.1"}]).status_code == 200
    assert reader.call("GET", ORG).status_code == 200
    assert reader.call("GET", ORG).status_code == 200
    entries = {e["cidrBlock"]: e for e in admin.call("GET", path).json()["results"]}
    assert entries["127.0.0.1/32"]["count"] == 2 and entries["127.0.0.1/32"]["lastUsedAddress"] == "127.0.0.1"
    assert "lastUsed" in entries["127.0.0.1/32"] and "lastUsed" not in entries["10.0.0.0/8"]


def test_caller_cannot_remove_its_own_entry(server, admin):
    own, other = ORG + "/" + sim.ADMIN_KEY_ID + "/accessList", ORG + "/" + sim.READ_ONLY_KEY_ID + "/accessList"
    assert admin.call("POST", own, [{"ipAddress": "127.0.0.1"}, {"cidrBlock": "10.0.0.0/8"}]).status_code == 200
    assert admin.call("POST", other, [{"ipAddress": "127.0.0.1"}]).status_code == 200
    body = expect_error(admin.call("DELETE", own + "/127.0.0.1"), 400, "CANNOT_REMOVE_CALLER_ACCESS_LIST_ENTRY")
    assert body["detail"] == "Cannot remove the requesting IP address from the requesting API key's access list."
    assert admin.call("DELETE", own + "/10.0.0.0%2F8").status_code == 204
    assert admin.call("DELETE", other + "/127.0.0.1").status_code == 204


def test_large_access_list_pages(server, admin):
    seeded = control(server, "POST", "seed", {"access_list": {"api_key_id": sim.READ_ONLY_KEY_ID, "count": 1000}})
    assert len(set(seeded["access_list_entries"])) == 1000
    path = ORG + "/" + sim.READ_ONLY_KEY_ID + "/accessList"
    first, second = (admin.call("GET", path, params={"itemsPerPage": 500, "pageNum": n}).json() for n in (1, 2))
    assert first["totalCount"] == 1000 and len(first["results"]) == len(second["results"]) == 500
    assert [link["rel"] for link in first["links"]] == ["self", "next"] and [link["rel"] for link in second["links"]] == ["self"]


# --------------------------------------------------------------------------- ops 10-14: projects

def test_project_operations(server, admin):
    created = admin.call("POST", ALPHA, {"desc": "app", "roles": ["GROUP_READ_ONLY", "GROUP_CLUSTER_MANAGER"]})
    assert created.status_code == 200
    key = created.json()
    assert UUID.match(key["privateKey"])
    assert key["roles"] == [{"orgId": sim.ORG_ID, "roleName": "ORG_MEMBER"},
                            {"groupId": sim.PROJECT_ALPHA_ID, "roleName": "GROUP_READ_ONLY"},
                            {"groupId": sim.PROJECT_ALPHA_ID, "roleName": "GROUP_CLUSTER_MANAGER"}]
    listed = admin.call("GET", ALPHA).json()
    assert listed["totalCount"] == 2 and {k["id"] for k in listed["results"]} == {key["id"], sim.PROJECT_OWNER_KEY_ID}
    assert [k["publicKey"] for k in listed["results"]] == sorted(k["publicKey"] for k in listed["results"])
    assert [k["privateKey"] for k in listed["results"] if k["id"] == key["id"]] == ["********-****-****-" + key["privateKey"][-12:]]
    assert admin.call("GET", BETA).json()["totalCount"] == 0

    path = BETA + "/" + key["id"]
    assigned = admin.call("POST", path, [{"roles": ["GROUP_DATA_ACCESS_READ_ONLY"]}])
    assert assigned.status_code == 204 and assigned.content == b""
    body = expect_error(admin.call("POST", path, [{"roles": ["GROUP_READ_ONLY"]}]), 400, "API_KEY_ALREADY_IN_GROUP")
    assert body["detail"] == "API key is already in the group."

    patched = admin.call("PATCH", path, {"roles": ["GROUP_OWNER"]})
    assert patched.status_code == 200 and patched.json()["privateKey"].startswith("********-")
    roles = patched.json()["roles"]
    assert [r["roleName"] for r in roles if r.get("groupId") == sim.PROJECT_BETA_ID] == ["GROUP_OWNER"]
    assert len([r for r in roles if r.get("groupId") == sim.PROJECT_ALPHA_ID]) == 2

    removed = admin.call("DELETE", path)
    assert removed.status_code == 204 and removed.content == b""
    expect_error(admin.call("DELETE", path), 404, "API_KEY_NOT_IN_GROUP")
    assert admin.call("GET", ORG + "/" + key["id"]).json()["roles"] == key["roles"]
    assert admin.call("PATCH", path, {"roles": ["GROUP_READ_ONLY"]}).status_code == 200  # PATCH also assigns
    assert [k["id"] for k in admin.call("GET", BETA).json()["results"]] == [key["id"]]
    expect_error(admin.call("POST", BETA + "/" + "b" * 24, [{"roles": ["GROUP_OWNER"]}]), 404, "API_KEY_NOT_FOUND")


# --------------------------------------------------------------------------- permissions

def test_read_only_key_cannot_write(server, reader):
    assert reader.call("GET", ORG).status_code == 200
    assert reader.call("GET", ORG + "/" + sim.ADMIN_KEY_ID + "/accessList").status_code == 200
    assert reader.call("GET", ALPHA).status_code == 200
    for method, path, body in (("POST", ORG, {"desc": "x", "roles": ["ORG_MEMBER"]}),
                               ("PATCH", ORG + "/" + sim.READ_ONLY_KEY_ID, {"desc": "x"}),
                               ("DELETE", ORG + "/" + sim.ADMIN_KEY_ID, None),
                               ("POST", ORG + "/" + sim.READ_ONLY_KEY_ID + "/accessList", [{"ipAddress": "10.0.0.1"}]),
                               ("POST", ALPHA, {"desc": "x", "roles": ["GROUP_OWNER"]}),
                               ("DELETE", ALPHA + "/" + sim.PROJECT_OWNER_KEY_ID, None)):
        body = expect_error(reader.call(method, path, body), 401, "USER_UNAUTHORIZED")
        assert body["detail"] == "Current user is not authorized to perform this action."
    state = control(server, "GET", "state")
    assert len(state["api_keys"]) == 3 and all(not k["accessList"] for k in state["api_keys"])
    assert [k["desc"] for k in state["api_keys"] if k["id"] == sim.READ_ONLY_KEY_ID] == ["simulator read-only"]


def test_project_owner_key_scope(server, project_owner):
    assert project_owner.call("GET", ORG).status_code == 200
    assert project_owner.call("GET", ALPHA).status_code == 200
    assert project_owner.call("POST", ALPHA, {"desc": "mine", "roles": ["GROUP_READ_ONLY"]}).status_code == 200
    expect_error(project_owner.call("GET", BETA), 401, "USER_UNAUTHORIZED")
    expect_error(project_owner.call("POST", BETA, {"desc": "x", "roles": ["GROUP_READ_ONLY"]}), 401, "USER_UNAUTHORIZED")
    expect_error(project_owner.call("POST", ORG, {"desc": "x", "roles": ["ORG_MEMBER"]}), 401, "USER_UNAUTHORIZED")


# --------------------------------------------------------------------------- faults

def test_fault_before_is_not_applied(server, admin):
    control(server, "POST", "faults", {"rules": [{"method": "POST", "path": "/apiKeys$", "kind": "503", "when": "before", "retry_after": 2}]})
    failed = admin.call("POST", ORG, {"desc": "first try", "roles": ["ORG_MEMBER"]})
    expect_error(failed, 503, "SERVICE_UNAVAILABLE")
    assert failed.headers["Retry-After"] == "2"
    assert "first try" not in {k["desc"] for k in control(server, "GET", "state")["api_keys"]}
    assert admin.call("POST", ORG, {"desc": "second try", "roles": ["ORG_MEMBER"]}).status_code == 200  # times: 1 is used up
    faults = [(e["method"], e["status"], e["fault"], e["write"]) for e in api_log(server) if e["authenticated"]]
    assert faults == [("POST", 503, "503", True), ("POST", 200, None, True)]


def test_fault_after_is_applied_then_429(server, admin):
    control(server, "POST", "faults", {"rules": [{"method": "POST", "path": "/apiKeys$", "kind": "429", "when": "after"}]})
    failed = admin.call("POST", ORG, {"desc": "applied anyway", "roles": ["ORG_MEMBER"]})
    expect_error(failed, 429, "RATE_LIMITED")
    assert failed.headers["Retry-After"] == "1"
    assert "applied anyway" in {k["desc"] for k in control(server, "GET", "state")["api_keys"]}


def test_drop_after_write_raises_connection_error(server, admin):
    control(server, "POST", "faults", {"rules": [{"method": "POST", "path": "/accessList$", "kind": "drop", "when": "after"}]})
    with pytest.raises(requests.exceptions.ConnectionError):
        admin.call("POST", ORG + "/" + sim.READ_ONLY_KEY_ID + "/accessList", [{"ipAddress": "192.0.2.7"}])
    keys = {k["id"]: k for k in control(server, "GET", "state")["api_keys"]}
    assert [e["cidrBlock"] for e in keys[sim.READ_ONLY_KEY_ID]["accessList"]] == ["192.0.2.7/32"]
    assert api_log(server)[-1]["fault"] == "drop" and api_log(server)[-1]["status"] is None
    assert admin.call("GET", ORG).status_code == 200  # the client recovers on a new connection


def test_timeout_before_and_after(server, admin):
    control(server, "POST", "faults", {"rules": [
        {"method": "PATCH", "kind": "timeout", "when": "before", "delay": 0.4},
        {"method": "PATCH", "kind": "timeout", "when": "after", "delay": 0.4}]})
    path = ORG + "/" + sim.READ_ONLY_KEY_ID
    with pytest.raises(requests.exceptions.ReadTimeout):
        admin.call("PATCH", path, {"desc": "never"}, timeout=0.15)
    with pytest.raises(requests.exceptions.ReadTimeout):
        admin.call("PATCH", path, {"desc": "late"}, timeout=0.15)
    assert admin.call("GET", path).json()["desc"] == "late"


def test_faults_skip_the_challenge_unless_asked(server):
    control(server, "POST", "faults", {"rules": [{"method": "GET", "kind": "503"}]})
    client = Client(server.url, sim.ADMIN_PUBLIC_KEY, sim.ADMIN_PRIVATE_KEY)
    assert client.call("GET", ORG).status_code == 503
    assert [(e["status"], e["challenge"], e["fault"]) for e in api_log(server)] == [(401, True, None), (503, False, "503")]
    control(server, "POST", "faults", {"rules": [{"kind": "503", "stage": "challenge", "retry_after": 3}]})
    control(server, "DELETE", "log")
    first = Client(server.url, sim.ADMIN_PUBLIC_KEY, sim.ADMIN_PRIVATE_KEY).call("GET", ORG)
    assert first.status_code == 503 and first.headers["Retry-After"] == "3" and "WWW-Authenticate" not in first.headers
    assert [(e["status"], e["challenge"], e["fault"]) for e in api_log(server)] == [(503, False, "503")]
    assert control(server, "DELETE", "faults") == {"rules": [], "random": None}


def test_random_faults_are_deterministic_per_seed(server):
    def run(seed):
        control(server, "POST", "reset")
        control(server, "POST", "faults", {"random": {"rate": 0.5, "seed": seed, "kinds": ["429", "503"], "retry_after": 0}})
        client = Client(server.url, sim.ADMIN_PUBLIC_KEY, sim.ADMIN_PRIVATE_KEY)
        statuses = [client.call("GET", ORG).status_code for _call in range(16)]
        assert [e["fault"] for e in api_log(server) if e["authenticated"]] == [None if s == 200 else str(s) for s in statuses]
        return statuses
    first = run(42)
    assert run(42) == first and {200, 429, 503} <= set(first)
    assert run(7) != first


def test_bad_fault_plan_is_rejected(server):
    for plan in ({"rules": [{"kind": "418"}]}, {"rules": [{"kind": "503", "when": "during"}]}, {"random": {"rate": 2}}):
        assert requests.post(server.url + "/__sim/faults", json=plan, timeout=5).status_code == 400


# --------------------------------------------------------------------------- control API and command line

def state_without_times(server):
    """The control API's state less what the wall clock sets: reset stamps the seeded account and secret with "now"."""
    state = control(server, "GET", "state")
    del state["clock"]
    for account in state["service_accounts"]:
        del account["createdAt"]
        for secret in account["secrets"]:
            del secret["createdAt"], secret["expiresAt"]
    return state


def test_control_state_seed_and_reset(server, admin):
    state = state_without_times(server)
    assert [(k["publicKey"], k["privateKey"]) for k in state["api_keys"]] == sorted(
        [(sim.ADMIN_PUBLIC_KEY, sim.ADMIN_PRIVATE_KEY), (sim.READ_ONLY_PUBLIC_KEY, sim.READ_ONLY_PRIVATE_KEY),
         (sim.PROJECT_OWNER_PUBLIC_KEY, sim.PROJECT_OWNER_PRIVATE_KEY)])
    assert {p["id"] for p in state["projects"]} == set(sim.PROJECT_IDS.values())
    project_key = [k for k in state["api_keys"] if k["id"] == sim.PROJECT_OWNER_KEY_ID][0]
    assert {"groupId": sim.PROJECT_ALPHA_ID, "roleName": "GROUP_OWNER"} in project_key["roles"]
    seeded = control(server, "POST", "seed", {"api_keys": 3, "description_prefix": "x-", "project_id": sim.PROJECT_BETA_ID,
                                              "project_roles": ["GROUP_READ_ONLY"]})
    assert admin.call("GET", BETA).json()["totalCount"] == 3 and len(seeded["api_key_ids"]) == 3
    assert requests.post(server.url + "/__sim/seed", json={"api_keys": 1, "org_roles": ["GROUP_OWNER"]}, timeout=5).status_code == 400
    control(server, "POST", "reset")
    assert state_without_times(server) == state
    assert api_log(server) == []
    assert requests.get(server.url + "/__sim/nothing", timeout=5).status_code == 404


def test_command_line_prints_url_and_stops_on_sigterm(tmp_path):
    url_file = tmp_path / "url"
    process = subprocess.Popen([sys.executable, sim.__file__, "--port", "0", "--url-file", str(url_file)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        match = re.match(r"^ATLAS_SIMULATOR_URL=(http://127\.0\.0\.1:\d+)$", line)
        assert match, line
        assert url_file.read_text() == match.group(1)
        assert requests.get(match.group(1) + "/__sim/state", timeout=5).status_code == 200
    finally:
        process.terminate()
        assert process.wait(10) == 0


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_tls(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    with sim.AtlasSimulator(tls_cert=str(cert), tls_key=str(key)) as secure:
        assert secure.url.startswith("https://127.0.0.1:")
        client = Client(secure.url, sim.ADMIN_PUBLIC_KEY, sim.ADMIN_PRIVATE_KEY)
        # verify per request: REQUESTS_CA_BUNDLE in the environment would override Session.verify
        assert client.call("GET", ORG, verify=str(cert)).status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(secure.url + "/__sim/state", timeout=5, verify=True)


# --------------------------------------------------------------------------- service accounts (OAuth 2.0 client credentials)

TOKEN_URL_PATH = "/api/oauth/token"
SA_BASIC = (sim.SERVICE_ACCOUNT_CLIENT_ID, sim.SERVICE_ACCOUNT_CLIENT_SECRET)
FORM = {"grant_type": "client_credentials"}


def token_request(server, auth=SA_BASIC, data=None, **kwargs):
    return requests.post(server.url + TOKEN_URL_PATH, auth=auth, data=FORM if data is None else data,
                         headers={"Accept": "application/json"}, timeout=5, **kwargs)


def bearer_get(server, token, path=ORG):
    return requests.get(server.url + "/api/atlas/v2" + path, timeout=5,
                        headers={"Authorization": "Bearer " + token, "Accept": sim.V2_MEDIA_TYPE})


def token_log(server):
    return [e for e in api_log(server) if e["path"] == TOKEN_URL_PATH]


def test_seeded_service_account_constants():
    assert sim.SERVICE_ACCOUNT_CLIENT_ID == "mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa"
    assert sim.SERVICE_ACCOUNT_CLIENT_SECRET.startswith("mdb_sa_sk_")
    assert sim.TOKEN_PATH == TOKEN_URL_PATH


def test_token_endpoint_issues_bearer_tokens_that_work_on_every_route(server):
    response = token_request(server)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and len(body["access_token"]) > 20
    token = body["access_token"]
    assert bearer_get(server, token).status_code == 200
    assert bearer_get(server, token, ALPHA).status_code == 200
    v1 = requests.get(server.url + "/api/atlas/v1.0" + ORG, headers={"Authorization": "Bearer " + token}, timeout=5)
    assert v1.status_code == 200
    entries = api_log(server)
    assert [(e["method"], e["path"], e["status"], e["write"]) for e in entries][0] == ("POST", TOKEN_URL_PATH, 200, False)
    assert {e["principal"] for e in entries} == {sim.SERVICE_ACCOUNT_CLIENT_ID}
    assert all(e["authenticated"] and not e["challenge"] for e in entries)
    state = control(server, "GET", "state")
    [account] = state["service_accounts"]
    assert {k: account[k] for k in ("clientId", "clientSecret", "name", "orgId", "roles", "tokens")} == {
        "clientId": sim.SERVICE_ACCOUNT_CLIENT_ID, "clientSecret": sim.SERVICE_ACCOUNT_CLIENT_SECRET,
        "name": sim.SERVICE_ACCOUNT_NAME, "orgId": sim.ORG_ID, "roles": [{"orgId": sim.ORG_ID, "roleName": "ORG_OWNER"}],
        "tokens": 1}
    assert [(s["id"], s["secret"]) for s in account["secrets"]] == [(sim.SERVICE_ACCOUNT_SECRET_ID, sim.SERVICE_ACCOUNT_CLIENT_SECRET)]
    assert all(k["id"] != sim.SERVICE_ACCOUNT_CLIENT_ID for k in state["api_keys"])  # not an API key


def test_service_account_writes_and_roles_are_checked_like_a_key(server):
    token = token_request(server).json()["access_token"]
    headers = {"Authorization": "Bearer " + token, "Accept": sim.V2_MEDIA_TYPE, "Content-Type": sim.V2_MEDIA_TYPE}
    created = requests.post(server.url + "/api/atlas/v2" + ORG, headers=headers, timeout=5,
                            data=json.dumps({"desc": "made by a service account", "roles": ["ORG_MEMBER"]}))
    assert created.status_code == 200 and UUID.match(created.json()["privateKey"])
    expect_error(bearer_get(server, token, "/orgs/%s/apiKeys" % sim.OTHER_ORG_ID), 401, "USER_CANNOT_ACCESS_ORG")
    server.state.service_accounts[sim.SERVICE_ACCOUNT_CLIENT_ID].set_roles("orgId", sim.ORG_ID, ["ORG_READ_ONLY"])
    assert bearer_get(server, token).status_code == 200
    denied = requests.delete(server.url + "/api/atlas/v2%s/%s" % (ORG, created.json()["id"]), headers=headers, timeout=5)
    expect_error(denied, 401, "USER_UNAUTHORIZED")
    assert api_log(server)[-1]["principal"] == sim.SERVICE_ACCOUNT_CLIENT_ID


@pytest.mark.parametrize("auth", [(sim.SERVICE_ACCOUNT_CLIENT_ID, "mdb_sa_sk_wrong"), ("mdb_sa_id_nosuchaccount", "x"), None])
def test_token_endpoint_rejects_bad_client_credentials(server, auth):
    response = token_request(server, auth=auth)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client", "error_description": "Invalid client credentials."}
    assert response.headers["WWW-Authenticate"].startswith("Basic ")
    [entry] = token_log(server)
    assert entry["principal"] == (auth[0] if auth else None) and not entry["authenticated"]


def test_token_endpoint_wants_a_form_with_the_client_credentials_grant(server):
    as_json = requests.post(server.url + TOKEN_URL_PATH, auth=SA_BASIC, json=FORM, timeout=5)
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    password = token_request(server, data={"grant_type": "password"})
    assert password.status_code == 400 and password.json()["error"] == "unsupported_grant_type"
    wrong_method = requests.get(server.url + TOKEN_URL_PATH, auth=SA_BASIC, timeout=5)
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "POST"


def test_tokens_expire_after_token_ttl(server):
    # long enough that a loaded machine still uses the token before it expires
    assert control(server, "POST", "config", {"token_ttl": 1.5})["token_ttl"] == 1.5
    body = token_request(server).json()
    assert body["expires_in"] == 1  # whole seconds, as Atlas sends them
    assert bearer_get(server, body["access_token"]).status_code == 200
    time.sleep(1.6)
    expired = bearer_get(server, body["access_token"])
    assert expired.status_code == 401 and expired.json() == UNAUTHORIZED
    assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]
    assert "expired" in expired.headers["WWW-Authenticate"]
    unknown = bearer_get(server, "simtok_never_issued")
    assert unknown.status_code == 401 and "not valid" in unknown.headers["WWW-Authenticate"]
    entry = api_log(server)[-1]
    assert entry["principal"] is None and not entry["authenticated"] and not entry["challenge"]


def test_token_endpoint_rate_limit_with_retry_after(server):
    assert control(server, "GET", "config")["token_rate_limit"] == 50
    control(server, "POST", "config", {"token_rate_limit": 2, "token_rate_window": 1})
    assert [token_request(server).status_code for _request in range(3)] == [200, 200, 429]
    limited = token_request(server)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert limited.json()["errorCode"] == "RATE_LIMITED"
    time.sleep(1.05)
    assert token_request(server).status_code == 200
    assert [e["status"] for e in token_log(server)] == [200, 200, 429, 429, 200]


def test_default_rate_limit_is_50_per_minute(server):
    statuses = [token_request(server).status_code for _request in range(51)]
    assert statuses == [200] * 50 + [429]
    retry_after = int(token_request(server).headers["Retry-After"])
    assert 55 <= retry_after <= 60
    control(server, "POST", "reset")  # a reset empties the window
    assert token_request(server).status_code == 200


@pytest.mark.parametrize("config", [{"token_ttl": -1}, {"token_ttl": "1"}, {"token_rate_limit": 1.5},
                                    {"token_rate_limit": -1}, {"token_rate_window": 0}, {"token_rate_limit": True}])
def test_token_config_is_validated(server, config):
    assert requests.post(server.url + "/__sim/config", json=config, timeout=5).status_code == 400


def test_reset_forgets_issued_tokens_and_restores_the_account(server):
    token = token_request(server).json()["access_token"]
    server.state.service_accounts[sim.SERVICE_ACCOUNT_CLIENT_ID].set_roles("orgId", sim.ORG_ID, ["ORG_MEMBER"])
    control(server, "POST", "reset")
    assert bearer_get(server, token).status_code == 401
    token = token_request(server).json()["access_token"]
    assert bearer_get(server, token).status_code == 200
    assert control(server, "GET", "state")["service_accounts"][0]["roles"] == [{"orgId": sim.ORG_ID, "roleName": "ORG_OWNER"}]


def test_fault_rules_reach_the_token_endpoint(server):
    control(server, "POST", "faults", {"rules": [{"method": "POST", "path": "^/api/oauth/token$", "kind": "503",
                                                  "retry_after": 2}]})
    first = token_request(server)
    assert first.status_code == 503 and first.headers["Retry-After"] == "2"
    assert token_request(server).status_code == 200
    assert [(e["status"], e["fault"]) for e in token_log(server)] == [(503, "503"), (200, None)]
