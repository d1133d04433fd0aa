# -*- coding: utf-8 -*-
"""Tests of the service-account part of the Atlas simulator (tests/simulator/atlas_simulator.py): the 22 operations,
secrets that expire on a movable clock, tokens for those secrets, access lists, project assignment, permissions,
media types and the control API, driven with real HTTP requests against a server started in-process."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
import requests
from requests.auth import HTTPDigestAuth

from ansible_collections.mongodb_atlas.api_keys.tests.simulator import atlas_simulator as sim
from ansible_collections.mongodb_atlas.api_keys.tests.unit.simulator.conftest import control

MEDIA_TYPE = "application/vnd.atlas.2024-08-05+json"
SA = "/orgs/%s/serviceAccounts" % sim.ORG_ID
ALPHA = "/groups/%s/serviceAccounts" % sim.PROJECT_ALPHA_ID
BETA = "/groups/%s/serviceAccounts" % sim.PROJECT_BETA_ID
CLIENT_ID = re.compile(r"^mdb_sa_id_[0-9a-f]{24}$")
HEX24 = re.compile(r"^[0-9a-f]{24}$")
ISO = "%Y-%m-%dT%H:%M:%SZ"
FORM = {"grant_type": "client_credentials"}
NEW_ACCOUNT = {"name": "ci system", "description": "Deploys from CI", "roles": ["ORG_OWNER"], "secretExpiresAfterHours": 24}


def parse_time(text):
    return datetime.strptime(text, ISO).replace(tzinfo=timezone.utc)


class Client:
    """A digest-authenticated (or bearer) session that speaks the service-account media type on /api/atlas/v2."""

    def __init__(self, url, public_key=None, private_key=None, token=None, media_type=MEDIA_TYPE, root="/api/atlas/v2"):
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = "Bearer " + token
        else:
            self.session.auth = HTTPDigestAuth(public_key, private_key)
        self.session.headers.update({"Accept": media_type, "Content-Type": media_type})
        self.base = url + root

    def call(self, method, path, body=None, **kwargs):
        data = None if body is None else json.dumps(body)
        return self.session.request(method, self.base + path, data=data, timeout=10, **kwargs)

    def ok(self, method, path, body=None, status=200, **kwargs):
        response = self.call(method, path, body, **kwargs)
        assert response.status_code == status, response.text
        if status != 204:
            assert response.headers["Content-Type"] == MEDIA_TYPE
            return response.json()
        assert response.content == b""
        return None


def expect_error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == status and body["errorCode"] == code, body
    return body


def clock_now(server):
    return parse_time(control(server, "GET", "clock")["now"])


def assert_between(text, earliest, server):
    """``text`` is a time of the simulated clock from ``earliest`` up to now (a second may tick over in between)."""
    assert earliest <= parse_time(text) <= clock_now(server), text


def state_account(server, client_id):
    return next(a for a in control(server, "GET", "state")["service_accounts"] if a["clientId"] == client_id)


def create(admin, **fields):
    return admin.ok("POST", SA, dict(NEW_ACCOUNT, **fields), status=201)


def token_request(server, client_id, secret):
    return requests.post(server.url + "/api/oauth/token", auth=(client_id, secret), data=FORM, timeout=5,
                         headers={"Accept": "application/json"})


def token_for(server, client_id, secret):
    response = token_request(server, client_id, secret)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def as_account(server, account, secret=None):
    """A client that calls with a token of ``account`` (its first secret unless told)."""
    return Client(server.url, token=token_for(server, account["clientId"], secret or account["secrets"][0]["secret"]))


# --------------------------------------------------------------------------- media types and API roots

def test_only_the_2024_08_05_media_type_is_served(server, admin):
    assert admin.ok("GET", SA)["totalCount"] == 1
    expect_error(admin.call("GET", SA, headers={"Accept": sim.V2_MEDIA_TYPE}), 406, "INVALID_VERSION_DATE")
    expect_error(admin.call("GET", ALPHA, headers={"Accept": "application/json"}), 406, "INVALID_VERSION_DATE")
    wrong_body = admin.call("POST", SA, NEW_ACCOUNT, headers={"Content-Type": sim.V2_MEDIA_TYPE})
    expect_error(wrong_body, 415, "UNSUPPORTED_MEDIA_TYPE")
    # the key endpoints keep their own version
    expect_error(admin.call("GET", "/orgs/%s/apiKeys" % sim.ORG_ID), 406, "INVALID_VERSION_DATE")
    keys = admin.call("GET", "/orgs/%s/apiKeys" % sim.ORG_ID, headers={"Accept": sim.V2_MEDIA_TYPE})
    assert keys.status_code == 200 and keys.headers["Content-Type"] == sim.V2_MEDIA_TYPE
    assert control(server, "GET", "state")["service_accounts"][0]["clientId"] == sim.SERVICE_ACCOUNT_CLIENT_ID
    assert len(control(server, "GET", "state")["service_accounts"]) == 1  # the 415 created nothing


@pytest.mark.parametrize("method,path", [("GET", SA), ("POST", SA), ("GET", SA + "/" + sim.SERVICE_ACCOUNT_CLIENT_ID),
                                         ("GET", ALPHA), ("POST", "%s/%s:invite" % (ALPHA, sim.SERVICE_ACCOUNT_CLIENT_ID))])
def test_service_accounts_do_not_exist_under_v1(server, method, path):
    v1 = Client(server.url, sim.ADMIN_PUBLIC_KEY, sim.ADMIN_PRIVATE_KEY, media_type="application/json", root="/api/atlas/v1.0")
    expect_error(v1.call(method, path, NEW_ACCOUNT if method == "POST" else None), 404, "RESOURCE_NOT_FOUND")
    assert len(control(server, "GET", "state")["service_accounts"]) == 1


def test_unknown_methods_and_sub_paths(admin):
    expect_error(admin.call("PUT", SA), 405, "METHOD_NOT_ALLOWED")
    expect_error(admin.call("GET", "%s/%s:invite" % (ALPHA, sim.SERVICE_ACCOUNT_CLIENT_ID)), 405, "METHOD_NOT_ALLOWED")
    expect_error(admin.call("GET", "%s/%s/secrets" % (SA, sim.SERVICE_ACCOUNT_CLIENT_ID)), 405, "METHOD_NOT_ALLOWED")
    expect_error(admin.call("GET", "%s/%s/nothing" % (SA, sim.SERVICE_ACCOUNT_CLIENT_ID)), 404, "RESOURCE_NOT_FOUND")


# --------------------------------------------------------------------------- organization service accounts

def test_create_answers_201_with_the_first_secret_and_reads_mask_it(server, admin):
    control(server, "POST", "clock", {"advance_hours": 5})
    before = clock_now(server)
    created = create(admin, roles=["ORG_READ_ONLY", "ORG_BILLING_ADMIN"], secretExpiresAfterHours=48)
    assert set(created) == {"clientId", "createdAt", "description", "name", "roles", "secrets"}
    assert CLIENT_ID.match(created["clientId"])
    expected = ("ci system", "Deploys from CI", ["ORG_READ_ONLY", "ORG_BILLING_ADMIN"])
    assert (created["name"], created["description"], created["roles"]) == expected
    [secret] = created["secrets"]
    assert set(secret) == {"id", "createdAt", "expiresAt", "maskedSecretValue", "secret"}
    assert HEX24.match(secret["id"]) and secret["secret"].startswith("mdb_sa_sk_")
    assert secret["maskedSecretValue"] == "mdb_sa_sk_..." + secret["secret"][-4:]
    assert secret["createdAt"] == created["createdAt"]
    assert_between(created["createdAt"], before, server)
    assert parse_time(secret["expiresAt"]) - parse_time(secret["createdAt"]) == timedelta(hours=48)
    read = admin.ok("GET", "%s/%s" % (SA, created["clientId"]))
    assert read == dict(created, secrets=[{k: v for k, v in secret.items() if k != "secret"}])
    listed = admin.ok("GET", SA)
    assert [a["clientId"] for a in listed["results"]] == [sim.SERVICE_ACCOUNT_CLIENT_ID, created["clientId"]]
    assert listed["results"][1] == read
    assert state_account(server, created["clientId"])["secrets"][0]["secret"] == secret["secret"]


NAME_65 = "n" * 65
DESC_251 = "d" * 251


@pytest.mark.parametrize("change,code,field", [
    ({"name": None}, "MISSING_ATTRIBUTE", "name"),
    ({"description": None}, "MISSING_ATTRIBUTE", "description"),
    ({"roles": None}, "MISSING_ATTRIBUTE", "roles"),
    ({"secretExpiresAfterHours": None}, "MISSING_ATTRIBUTE", "secretExpiresAfterHours"),
    ({"name": ""}, "INVALID_ATTRIBUTE", "name"),
    ({"name": NAME_65}, "INVALID_ATTRIBUTE", "name"),
    ({"name": "ci/cd"}, "INVALID_ATTRIBUTE", "name"),
    ({"name": "deploy!"}, "INVALID_ATTRIBUTE", "name"),
    ({"name": 7}, "INVALID_ATTRIBUTE", "name"),
    ({"description": DESC_251}, "INVALID_ATTRIBUTE", "description"),
    ({"description": "line\nbreak"}, "INVALID_ATTRIBUTE", "description"),
    ({"roles": []}, "INVALID_ATTRIBUTE", "roles"),
    ({"roles": "ORG_OWNER"}, "INVALID_ATTRIBUTE", "roles"),
    ({"roles": ["GROUP_OWNER"]}, "INVALID_ENUM_VALUE", "roles"),
    ({"secretExpiresAfterHours": 7}, "INVALID_SERVICE_ACCOUNT_SECRET_EXPIRATION", "secretExpiresAfterHours"),
    ({"secretExpiresAfterHours": 8761}, "INVALID_SERVICE_ACCOUNT_SECRET_EXPIRATION", "secretExpiresAfterHours"),
    ({"secretExpiresAfterHours": 0}, "INVALID_SERVICE_ACCOUNT_SECRET_EXPIRATION", "secretExpiresAfterHours"),
    ({"secretExpiresAfterHours": "24"}, "INVALID_ATTRIBUTE", "secretExpiresAfterHours"),
    ({"secretExpiresAfterHours": 24.5}, "INVALID_ATTRIBUTE", "secretExpiresAfterHours"),
    ({"secretExpiresAfterHours": True}, "INVALID_ATTRIBUTE", "secretExpiresAfterHours"),
])
def test_create_validation_writes_nothing(server, admin, change, code, field):
    body = {k: v for k, v in dict(NEW_ACCOUNT, **change).items() if v is not None}
    error = expect_error(admin.call("POST", SA, body), 400, code)
    assert error["badRequestDetail"]["fields"][0]["field"] == field
    assert len(control(server, "GET", "state")["service_accounts"]) == 1


def test_create_body_must_be_a_json_object(admin):
    expect_error(admin.session.post(admin.base + SA, data="{", timeout=5), 400, "MALFORMED_JSON")
    expect_error(admin.call("POST", SA, [NEW_ACCOUNT]), 400, "INVALID_JSON")


def test_names_follow_the_spec_pattern_in_any_script(admin):
    for name in ("Équipe Ops", "東京 デプロイ", "ci-bot_2.0, o'neil", "x" * 64, "٣"):
        assert create(admin, name=name, description=name)["name"] == name


def test_hour_bounds_are_the_organizations_settings(server, admin):
    assert create(admin, secretExpiresAfterHours=8)["secrets"][0]
    assert create(admin, secretExpiresAfterHours=8760)["secrets"][0]
    config = control(server, "POST", "config", {"secret_expires_after_hours_min": 1, "secret_expires_after_hours_max": 2})
    assert (config["secret_expires_after_hours_min"], config["secret_expires_after_hours_max"]) == (1, 2)
    assert create(admin, secretExpiresAfterHours=1)["secrets"][0]
    error = expect_error(admin.call("POST", SA, dict(NEW_ACCOUNT, secretExpiresAfterHours=3)), 400,
                         "INVALID_SERVICE_ACCOUNT_SECRET_EXPIRATION")
    assert "1 to 2 hours" in error["detail"]
    for bad in ({"secret_expires_after_hours_min": 0}, {"secret_expires_after_hours_min": 3},
                {"secret_expires_after_hours_max": "9"}, {"secret_expires_after_hours_max": True}):
        control(server, "POST", "config", bad, status=400)
    control(server, "POST", "reset")
    assert control(server, "GET", "config")["secret_expires_after_hours_max"] == 8760


def test_patch_changes_only_the_fields_given(server, admin):
    created = create(admin)
    path = "%s/%s" % (SA, created["clientId"])
    renamed = admin.ok("PATCH", path, {"name": "renamed"})
    assert (renamed["name"], renamed["description"], renamed["roles"]) == ("renamed", "Deploys from CI", ["ORG_OWNER"])
    changed = admin.ok("PATCH", path, {"description": "new text", "roles": ["ORG_MEMBER", "ORG_MEMBER", "ORG_GROUP_CREATOR"]})
    assert (changed["name"], changed["description"], changed["roles"]) == ("renamed", "new text", ["ORG_MEMBER", "ORG_GROUP_CREATOR"])
    assert "secret" not in json.dumps(changed["secrets"]).replace("maskedSecretValue", "")
    assert admin.ok("PATCH", path, {}) == changed
    expect_error(admin.call("PATCH", path, {"name": "bad/name", "description": "never applied"}), 400, "INVALID_ATTRIBUTE")
    expect_error(admin.call("PATCH", path, {"roles": ["GROUP_OWNER"]}), 400, "INVALID_ENUM_VALUE")
    expect_error(admin.call("PATCH", path, {"roles": []}), 400, "INVALID_ATTRIBUTE")
    assert admin.ok("GET", path) == changed
    assert state_account(server, created["clientId"])["roles"] == [
        {"orgId": sim.ORG_ID, "roleName": "ORG_MEMBER"}, {"orgId": sim.ORG_ID, "roleName": "ORG_GROUP_CREATOR"}]


def test_delete_removes_the_account_and_ends_its_tokens(server, admin):
    created = create(admin)
    secret = created["secrets"][0]["secret"]
    own = as_account(server, created)
    assert own.ok("GET", SA)["totalCount"] == 2
    admin.ok("DELETE", "%s/%s" % (SA, created["clientId"]), status=204)
    expect_error(admin.call("GET", "%s/%s" % (SA, created["clientId"])), 404, "SERVICE_ACCOUNT_NOT_FOUND")
    expect_error(admin.call("DELETE", "%s/%s" % (SA, created["clientId"])), 404, "SERVICE_ACCOUNT_NOT_FOUND")
    ended = own.call("GET", SA)
    assert ended.status_code == 401 and 'error="invalid_token"' in ended.headers["WWW-Authenticate"]
    refused = token_request(server, created["clientId"], secret)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert [a["clientId"] for a in admin.ok("GET", SA)["results"]] == [sim.SERVICE_ACCOUNT_CLIENT_ID]


def test_path_parameters_and_scope(admin):
    expect_error(admin.call("GET", SA + "/mdb_sa_id_123"), 400, "PATH_PARAM_PARSE_ERROR")
    expect_error(admin.call("GET", SA + "/65b000000000000000000001"), 400, "PATH_PARAM_PARSE_ERROR")
    expect_error(admin.call("GET", SA + "/mdb_sa_id_" + "0" * 24), 404, "SERVICE_ACCOUNT_NOT_FOUND")
    expect_error(admin.call("DELETE", "%s/%s/secrets/nothex" % (SA, sim.SERVICE_ACCOUNT_CLIENT_ID)), 400, "PATH_PARAM_PARSE_ERROR")
    expect_error(admin.call("GET", "/orgs/%s/serviceAccounts" % sim.OTHER_ORG_ID), 401, "USER_CANNOT_ACCESS_ORG")
    expect_error(admin.call("GET", "/orgs/%s/serviceAccounts" % ("0" * 24)), 404, "ORG_NOT_FOUND")
    expect_error(admin.call("GET", "/groups/%s/serviceAccounts" % ("0" * 24)), 404, "GROUP_NOT_FOUND")


def test_list_pagination(server, admin):
    seeded = control(server, "POST", "seed", {"service_accounts": 250, "name_prefix": "bulk-"})["client_ids"]
    assert len(seeded) == 250 and all(CLIENT_ID.match(c) for c in seeded)
    pages = [admin.ok("GET", SA, params={"itemsPerPage": 100, "pageNum": n}) for n in (1, 2, 3)]
    assert [len(p["results"]) for p in pages] == [100, 100, 51]
    assert {p["totalCount"] for p in pages} == {251}
    assert [[link["rel"] for link in p["links"]] for p in pages] == [["self", "next"], ["self", "next"], ["self"]]
    ids = [a["clientId"] for p in pages for a in p["results"]]
    assert ids == [sim.SERVICE_ACCOUNT_CLIENT_ID] + seeded
    assert pages[0]["results"][1]["name"] == "bulk-00001"
    assert "totalCount" not in admin.ok("GET", SA, params={"includeCount": "false"})
    assert len(admin.ok("GET", SA, params={"itemsPerPage": 500})["results"]) == 251
    assert admin.ok("GET", SA, params={"pageNum": 9})["results"] == []
    expect_error(admin.call("GET", SA, params={"itemsPerPage": 501}), 400, "INVALID_QUERY_PARAMETER")
    expect_error(admin.call("GET", SA, params={"pageNum": 0}), 400, "INVALID_QUERY_PARAMETER")


# --------------------------------------------------------------------------- secrets

def test_secret_create_and_delete(server, admin):
    created = create(admin)
    path = "%s/%s/secrets" % (SA, created["clientId"])
    new = admin.ok("POST", path, {"secretExpiresAfterHours": 100}, status=201)
    assert set(new) == {"id", "createdAt", "expiresAt", "maskedSecretValue", "secret"}
    assert parse_time(new["expiresAt"]) - parse_time(new["createdAt"]) == timedelta(hours=100)
    assert new["secret"] != created["secrets"][0]["secret"] and new["id"] != created["secrets"][0]["id"]
    listed = admin.ok("GET", "%s/%s" % (SA, created["clientId"]))["secrets"]
    assert [s["id"] for s in listed] == [created["secrets"][0]["id"], new["id"]]
    assert all("secret" not in s for s in listed)
    expect_error(admin.call("POST", path, {"secretExpiresAfterHours": 9000}), 400, "INVALID_SERVICE_ACCOUNT_SECRET_EXPIRATION")
    expect_error(admin.call("POST", path, {}), 400, "MISSING_ATTRIBUTE")
    admin.ok("DELETE", "%s/%s" % (path, created["secrets"][0]["id"]), status=204)
    expect_error(admin.call("DELETE", "%s/%s" % (path, created["secrets"][0]["id"])), 404, "SERVICE_ACCOUNT_SECRET_NOT_FOUND")
    other = admin.ok("POST", "%s/%s/secrets" % (SA, sim.SERVICE_ACCOUNT_CLIENT_ID), {"secretExpiresAfterHours": 8}, status=201)
    expect_error(admin.call("DELETE", "%s/%s" % (path, other["id"])), 404, "SERVICE_ACCOUNT_SECRET_NOT_FOUND")  # another account's
    assert [s["id"] for s in admin.ok("GET", "%s/%s" % (SA, created["clientId"]))["secrets"]] == [new["id"]]
    admin.ok("DELETE", "%s/%s" % (path, new["id"]), status=204)  # even the last one
    assert admin.ok("GET", "%s/%s" % (SA, created["clientId"]))["secrets"] == []
    assert state_account(server, created["clientId"])["clientSecret"] is None


def test_a_new_secret_shortens_older_secrets_to_seven_days(server, admin):
    created = create(admin, secretExpiresAfterHours=8760)
    first_id, path = created["secrets"][0]["id"], "%s/%s/secrets" % (SA, created["clientId"])

    def expiries():
        return {s["id"]: s["expiresAt"] for s in admin.ok("GET", "%s/%s" % (SA, created["clientId"]))["secrets"]}
    control(server, "POST", "clock", {"advance_hours": 1})
    short = admin.ok("POST", path, {"secretExpiresAfterHours": 48}, status=201)
    assert expiries() == {first_id: sim.iso(parse_time(short["createdAt"]) + timedelta(days=7)), short["id"]: short["expiresAt"]}
    assert parse_time(short["expiresAt"]) - parse_time(short["createdAt"]) == timedelta(hours=48)
    control(server, "POST", "clock", {"advance_hours": 1})
    newest = admin.ok("POST", path, {"secretExpiresAfterHours": 720}, status=201)
    # both older secrets already end sooner than 7 days after the newest one: they keep their dates
    assert expiries() == {first_id: sim.iso(parse_time(short["createdAt"]) + timedelta(days=7)), short["id"]: short["expiresAt"],
                          newest["id"]: sim.iso(parse_time(newest["createdAt"]) + timedelta(hours=720))}
    control(server, "POST", "clock", {"advance_hours": 240})
    latest = admin.ok("POST", path, {"secretExpiresAfterHours": 8760}, status=201)
    # 480 hours left on the 720-hour secret: cut to 7 days after the latest one
    assert expiries()[newest["id"]] == sim.iso(parse_time(latest["createdAt"]) + timedelta(days=7))


def test_rotation_on_the_clock_old_secret_works_until_its_expiry(server, admin):
    created = create(admin, secretExpiresAfterHours=720)
    cid, old = created["clientId"], created["secrets"][0]
    assert token_request(server, cid, old["secret"]).status_code == 200
    control(server, "POST", "clock", {"advance_hours": 700})
    new = admin.ok("POST", "%s/%s/secrets" % (SA, cid), {"secretExpiresAfterHours": 720}, status=201)
    before = clock_now(server)
    assert token_request(server, cid, old["secret"]).status_code == 200  # 20 hours left: shorter than 7 days, kept
    old_used = clock_now(server)
    control(server, "POST", "clock", {"advance_hours": 20})
    refused = token_request(server, cid, old["secret"])
    assert refused.status_code == 401 and refused.json() == {"error": "invalid_client", "error_description": "Invalid client credentials."}
    new_used = clock_now(server)
    assert token_request(server, cid, new["secret"]).status_code == 200
    secrets = admin.ok("GET", "%s/%s" % (SA, cid))["secrets"]
    assert [s["id"] for s in secrets] == [old["id"], new["id"]]  # an expired secret stays listed until deleted
    assert_between(secrets[1]["lastUsedAt"], new_used, server)
    assert before <= parse_time(secrets[0]["lastUsedAt"]) <= old_used  # the refused request did not count as a use
    assert state_account(server, cid)["clientSecret"] == new["secret"]  # the newest secret
    control(server, "POST", "clock", {"advance_hours": 721})
    assert token_request(server, cid, new["secret"]).status_code == 401
    assert state_account(server, cid)["clientSecret"] == new["secret"]  # expired, yet still the newest


def test_last_used_at_is_set_when_a_secret_gets_a_token(server, admin):
    created = create(admin)
    assert "lastUsedAt" not in admin.ok("GET", "%s/%s" % (SA, created["clientId"]))["secrets"][0]
    control(server, "POST", "clock", {"advance_seconds": 90})
    token_for(server, created["clientId"], created["secrets"][0]["secret"])
    used = admin.ok("GET", "%s/%s" % (SA, created["clientId"]))["secrets"][0]["lastUsedAt"]
    assert parse_time(used) - parse_time(created["createdAt"]) >= timedelta(seconds=90)


def test_deleted_secret_gets_no_token(server, admin):
    created = create(admin)
    cid, first = created["clientId"], created["secrets"][0]
    second = admin.ok("POST", "%s/%s/secrets" % (SA, cid), {"secretExpiresAfterHours": 24}, status=201)
    issued = Client(server.url, token=token_for(server, cid, first["secret"]))
    admin.ok("DELETE", "%s/%s/secrets/%s" % (SA, cid, first["id"]), status=204)
    assert token_request(server, cid, first["secret"]).status_code == 401
    assert token_request(server, cid, second["secret"]).status_code == 200
    assert issued.ok("GET", SA)["totalCount"] == 2  # a token already issued runs to its end
    assert token_request(server, sim.SERVICE_ACCOUNT_CLIENT_ID, second["secret"]).status_code == 401  # another account's


def test_tokens_expire_on_the_simulated_clock(server, admin):
    own = as_account(server, create(admin))
    assert own.ok("GET", SA)["totalCount"] == 2
    control(server, "POST", "clock", {"advance_seconds": 3601})
    expired = own.call("GET", SA)
    assert expired.status_code == 401 and "expired" in expired.headers["WWW-Authenticate"]


# --------------------------------------------------------------------------- the clock

def test_clock_control(server, admin):
    start = control(server, "GET", "clock")
    assert start["offset_seconds"] == 0
    assert abs(parse_time(start["now"]) - datetime.now(timezone.utc)) < timedelta(seconds=5)
    moved = control(server, "POST", "clock", {"advance_hours": 1.5})
    assert moved["offset_seconds"] == 5400
    moved = control(server, "POST", "clock", {"advance_seconds": 600, "advance_hours": 24})
    assert moved["offset_seconds"] == 5400 + 600 + 86400
    assert parse_time(moved["now"]) - parse_time(start["now"]) >= timedelta(hours=25, minutes=40)
    assert parse_time(create(admin)["createdAt"]) >= parse_time(moved["now"])
    for bad in ({"advance_hours": -1}, {"advance_seconds": "5"}, {"advance_hours": True}, {"advance_hours": 1e12}):
        control(server, "POST", "clock", bad, status=400)
    assert control(server, "GET", "state")["clock"]["offset_seconds"] == moved["offset_seconds"]
    control(server, "POST", "reset")
    assert control(server, "GET", "clock")["offset_seconds"] == 0


# --------------------------------------------------------------------------- tokens and permissions

def test_an_org_owner_account_manages_accounts_and_keys_with_its_token(server, admin):
    owner = create(admin)
    own = as_account(server, owner)
    control(server, "DELETE", "log")
    made = own.ok("POST", SA, dict(NEW_ACCOUNT, name="made by an account"), status=201)
    own.ok("POST", "%s/%s/secrets" % (SA, made["clientId"]), {"secretExpiresAfterHours": 8}, status=201)
    key = own.call("POST", "/orgs/%s/apiKeys" % sim.ORG_ID, {"desc": "key by account", "roles": ["ORG_MEMBER"]},
                   headers={"Accept": sim.V2_MEDIA_TYPE, "Content-Type": sim.V2_MEDIA_TYPE})
    assert key.status_code == 200, key.text
    own.ok("DELETE", "%s/%s" % (SA, made["clientId"]), status=204)
    log = control(server, "GET", "log")["requests"]
    assert [(e["method"], e["status"], e["principal"], e["write"]) for e in log] == [
        ("POST", 201, owner["clientId"], True), ("POST", 201, owner["clientId"], True),
        ("POST", 200, owner["clientId"], True), ("DELETE", 204, owner["clientId"], True)]


def test_read_only_callers_read_but_never_write(server, admin, reader):
    created = create(admin)
    cid = created["clientId"]
    admin.ok("POST", "%s/%s:invite" % (ALPHA, cid), {"roles": ["GROUP_READ_ONLY"]})
    admin.ok("POST", "%s/%s/accessList" % (SA, cid), [{"ipAddress": "10.1.1.1"}])
    for path in (SA, "%s/%s" % (SA, cid), "%s/%s/accessList" % (SA, cid), "%s/%s/groups" % (SA, cid), ALPHA,
                 "%s/%s" % (ALPHA, cid), "%s/%s/accessList" % (ALPHA, cid)):
        assert reader.call("GET", path).status_code == 200, path
    before = control(server, "GET", "state")["service_accounts"]
    writes = [("POST", SA, NEW_ACCOUNT), ("PATCH", "%s/%s" % (SA, cid), {"name": "x"}), ("DELETE", "%s/%s" % (SA, cid), None),
              ("POST", "%s/%s/secrets" % (SA, cid), {"secretExpiresAfterHours": 8}),
              ("DELETE", "%s/%s/secrets/%s" % (SA, cid, created["secrets"][0]["id"]), None),
              ("POST", "%s/%s/accessList" % (SA, cid), [{"ipAddress": "10.2.2.2"}]),
              ("DELETE", "%s/%s/accessList/10.1.1.1" % (SA, cid), None),
              ("POST", "%s/%s:invite" % (BETA, cid), {"roles": ["GROUP_OWNER"]}),
              ("PATCH", "%s/%s" % (ALPHA, cid), {"roles": ["GROUP_OWNER"]}), ("DELETE", "%s/%s" % (ALPHA, cid), None),
              ("POST", ALPHA, dict(NEW_ACCOUNT, roles=["GROUP_READ_ONLY"])),
              ("POST", "%s/%s/secrets" % (ALPHA, cid), {"secretExpiresAfterHours": 8}),
              ("POST", "%s/%s/accessList" % (ALPHA, cid), [{"ipAddress": "10.2.2.2"}])]
    for method, path, body in writes:
        expect_error(reader.call(method, path, body), 401, "USER_UNAUTHORIZED")
    assert control(server, "GET", "state")["service_accounts"] == before


def test_a_read_only_account_token_reads_but_cannot_write(server, admin):
    reader_account = as_account(server, create(admin, roles=["ORG_READ_ONLY"]))
    assert reader_account.ok("GET", SA)["totalCount"] == 2
    expect_error(reader_account.call("POST", SA, NEW_ACCOUNT), 401, "USER_UNAUTHORIZED")
    expect_error(reader_account.call("GET", "/orgs/%s/serviceAccounts" % sim.OTHER_ORG_ID), 401, "USER_CANNOT_ACCESS_ORG")


def test_project_owner_changes_its_project_but_cannot_invite(server, admin, project_owner):
    cid = create(admin)["clientId"]
    expect_error(project_owner.call("POST", "%s/%s:invite" % (ALPHA, cid), {"roles": ["GROUP_READ_ONLY"]}), 401, "USER_UNAUTHORIZED")
    admin.ok("POST", "%s/%s:invite" % (ALPHA, cid), {"roles": ["GROUP_READ_ONLY"]})
    admin.ok("POST", "%s/%s:invite" % (BETA, cid), {"roles": ["GROUP_READ_ONLY"]})
    assert project_owner.ok("PATCH", "%s/%s" % (ALPHA, cid), {"roles": ["GROUP_CLUSTER_MANAGER"]})["roles"] == ["GROUP_CLUSTER_MANAGER"]
    expect_error(project_owner.call("PATCH", "%s/%s" % (BETA, cid), {"roles": ["GROUP_OWNER"]}), 401, "USER_UNAUTHORIZED")
    expect_error(project_owner.call("GET", BETA), 401, "USER_UNAUTHORIZED")
    expect_error(project_owner.call("POST", SA, NEW_ACCOUNT), 401, "USER_UNAUTHORIZED")
    project_owner.ok("DELETE", "%s/%s" % (ALPHA, cid), status=204)


def test_an_accounts_access_list_is_enforced_on_its_token_calls(server, admin):
    created = create(admin)
    cid = created["clientId"]
    admin.ok("POST", "%s/%s/accessList" % (SA, cid), [{"ipAddress": "10.9.9.9"}])
    own = as_account(server, created)  # the token endpoint does not check the address
    expect_error(own.call("GET", SA), 403, "IP_ADDRESS_NOT_ON_ACCESS_LIST")
    admin.ok("POST", "%s/%s/accessList" % (SA, cid), [{"cidrBlock": "127.0.0.0/8"}])
    control(server, "POST", "clock", {"advance_seconds": 120})
    before = clock_now(server)
    assert own.ok("GET", SA)["totalCount"] == 2
    entries = {e["cidrBlock"]: e for e in admin.ok("GET", "%s/%s/accessList" % (SA, cid))["results"]}
    assert entries["127.0.0.0/8"]["requestCount"] == 1 and entries["127.0.0.0/8"]["lastUsedAddress"] == "127.0.0.1"
    assert_between(entries["127.0.0.0/8"]["lastUsedAt"], before, server)
    assert "lastUsedAt" not in entries["10.9.9.9/32"] and entries["10.9.9.9/32"]["requestCount"] == 0
    expect_error(own.call("DELETE", "%s/%s/accessList/127.0.0.0%%2F8" % (SA, cid)), 400, "CANNOT_REMOVE_CALLER_ACCESS_LIST_ENTRY")
    admin.ok("DELETE", "%s/%s/accessList/127.0.0.0%%2F8" % (SA, cid), status=204)  # another caller may
    expect_error(own.call("GET", SA), 403, "IP_ADDRESS_NOT_ON_ACCESS_LIST")


# --------------------------------------------------------------------------- access lists

def test_access_list_operations(server, admin):
    cid = create(admin)["clientId"]
    path = "%s/%s/accessList" % (SA, cid)
    control(server, "POST", "clock", {"advance_hours": 3})
    before = clock_now(server)
    added = admin.ok("POST", path, [{"ipAddress": "192.0.2.10"}, {"cidrBlock": "203.0.113.0/24"}, {"ipAddress": "2001:db8::1"}])
    assert added["totalCount"] == 3
    assert [e["cidrBlock"] for e in added["results"]] == ["192.0.2.10/32", "203.0.113.0/24", "2001:db8::1/128"]
    first = added["results"][0]
    assert set(first) == {"cidrBlock", "ipAddress", "createdAt", "requestCount"} and first["ipAddress"] == "192.0.2.10"
    assert "ipAddress" not in added["results"][1]
    assert_between(first["createdAt"], before, server)
    again = admin.ok("POST", path, [{"ipAddress": "192.0.2.10"}])  # an existing entry is kept as it is
    assert again["totalCount"] == 3
    admin.ok("DELETE", path + "/203.0.113.0%2F24", status=204)
    admin.ok("DELETE", path + "/2001:db8::1", status=204)
    expect_error(admin.call("DELETE", path + "/198.51.100.1"), 404, "SERVICE_ACCOUNT_ACCESS_LIST_ENTRY_NOT_FOUND")
    expect_error(admin.call("DELETE", path + "/not-an-ip"), 400, "PATH_PARAM_PARSE_ERROR")
    assert [e["cidrBlock"] for e in admin.ok("GET", path)["results"]] == ["192.0.2.10/32"]
    assert [e["cidrBlock"] for e in state_account(server, cid)["accessList"]] == ["192.0.2.10/32"]


@pytest.mark.parametrize("body,code", [
    ([{"ipAddress": "10.0.0.1", "cidrBlock": "10.0.0.0/8"}], "MISSING_ONE_OF_ATTRIBUTES"),
    ([{}], "MISSING_ONE_OF_ATTRIBUTES"),
    ([{"ipAddress": "10.0.0.300"}], "INVALID_IP_ADDRESS_OR_CIDR_NOTATION"),
    ([{"ipAddress": "10.0.0.0/8"}], "INVALID_IP_ADDRESS_OR_CIDR_NOTATION"),
    ([{"cidrBlock": "10.0.0.1/8"}], "INVALID_CIDR_BLOCK"),
    ([{"ipAddress": "10.0.0.1"}, {"cidrBlock": "10.0.0.1/32"}], "DUPLICATE_ADDRESSES_IN_INPUT"),
    (["10.0.0.1"], "INVALID_JSON"),
    ({"ipAddress": "10.0.0.1"}, "INVALID_JSON"),
])
def test_access_list_post_is_validated_and_all_or_nothing(server, admin, body, code):
    cid = create(admin)["clientId"]
    expect_error(admin.call("POST", "%s/%s/accessList" % (SA, cid), [{"ipAddress": "10.5.5.5"}] + body
                            if isinstance(body, list) else body), 400, code)
    assert state_account(server, cid)["accessList"] == []


def test_access_list_post_takes_at_most_200_entries(server, admin):
    cid = create(admin)["clientId"]
    path = "%s/%s/accessList" % (SA, cid)
    entries = [{"ipAddress": "10.%d.%d.%d" % (n // 65536, n // 256 % 256, n % 256)} for n in range(1, 1001)]
    error = expect_error(admin.call("POST", path, entries[:201]), 400, "TOO_MANY_ACCESS_LIST_ENTRIES")
    assert "200" in error["detail"]
    assert state_account(server, cid)["accessList"] == []
    for start in range(0, 1000, 200):
        assert admin.ok("POST", path, entries[start:start + 200])["totalCount"] == start + 200
    pages = [admin.ok("GET", path, params={"itemsPerPage": 500, "pageNum": n}) for n in (1, 2, 3)]
    assert [len(p["results"]) for p in pages] == [500, 500, 0] and pages[0]["totalCount"] == 1000


def test_seeded_access_list(server, admin):
    cid = create(admin)["clientId"]
    answer = control(server, "POST", "seed", {"service_account_access_list": {"client_id": cid, "count": 3}})
    assert answer["service_account_access_list_entries"] == ["10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32"]
    assert admin.ok("GET", "%s/%s/accessList" % (SA, cid))["totalCount"] == 3
    control(server, "POST", "seed", {"service_account_access_list": {"client_id": "mdb_sa_id_nope", "count": 1}}, status=400)


# --------------------------------------------------------------------------- projects

def test_project_assignment_lifecycle(server, admin):
    created = create(admin, roles=["ORG_MEMBER"])
    cid = created["clientId"]
    expect_error(admin.call("GET", "%s/%s" % (ALPHA, cid)), 404, "SERVICE_ACCOUNT_NOT_IN_GROUP")
    expect_error(admin.call("PATCH", "%s/%s" % (ALPHA, cid), {"roles": ["GROUP_OWNER"]}), 404, "SERVICE_ACCOUNT_NOT_IN_GROUP")
    invited = admin.ok("POST", "%s/%s:invite" % (ALPHA, cid), {"roles": ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"]})
    assert invited == dict(admin.ok("GET", "%s/%s" % (SA, cid)), roles=["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"])
    expect_error(admin.call("POST", "%s/%s:invite" % (ALPHA, cid), {"roles": ["GROUP_OWNER"]}), 400, "SERVICE_ACCOUNT_ALREADY_IN_GROUP")
    admin.ok("POST", "%s/%s%%3Ainvite" % (BETA, cid), {"roles": ["GROUP_OWNER"]})  # an encoded colon works too
    assert admin.ok("GET", "%s/%s" % (ALPHA, cid))["roles"] == ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"]
    assert admin.ok("GET", "%s/%s/groups" % (SA, cid)) == {
        "links": [{"href": "%s/api/atlas/v2%s/%s/groups?includeCount=true&pageNum=1&itemsPerPage=100" % (server.url, SA, cid),
                   "rel": "self"}],
        "results": [{"groupId": sim.PROJECT_ALPHA_ID, "roles": ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY"]},
                    {"groupId": sim.PROJECT_BETA_ID, "roles": ["GROUP_OWNER"]}],
        "totalCount": 2}
    assert [a["clientId"] for a in admin.ok("GET", ALPHA)["results"]] == [cid]
    patched = admin.ok("PATCH", "%s/%s" % (ALPHA, cid), {"roles": ["GROUP_CLUSTER_MANAGER"], "description": "from the project"})
    assert (patched["roles"], patched["description"]) == (["GROUP_CLUSTER_MANAGER"], "from the project")
    assert admin.ok("GET", "%s/%s" % (SA, cid))["roles"] == ["ORG_MEMBER"]  # its organization roles stay
    expect_error(admin.call("PATCH", "%s/%s" % (ALPHA, cid), {"roles": ["ORG_OWNER"]}), 400, "INVALID_ENUM_VALUE")
    admin.ok("DELETE", "%s/%s" % (ALPHA, cid), status=204)
    expect_error(admin.call("DELETE", "%s/%s" % (ALPHA, cid)), 404, "SERVICE_ACCOUNT_NOT_IN_GROUP")
    assert admin.ok("GET", ALPHA)["results"] == []
    assert [g["groupId"] for g in admin.ok("GET", "%s/%s/groups" % (SA, cid))["results"]] == [sim.PROJECT_BETA_ID]
    kept = admin.ok("GET", "%s/%s" % (SA, cid))  # removed from the project, not deleted
    assert [s["id"] for s in kept["secrets"]] == [created["secrets"][0]["id"]]
    assert token_request(server, cid, created["secrets"][0]["secret"]).status_code == 200


@pytest.mark.parametrize("body,code", [({}, "MISSING_ATTRIBUTE"), ({"roles": []}, "INVALID_ATTRIBUTE"),
                                       ({"roles": ["ORG_OWNER"]}, "INVALID_ENUM_VALUE")])
def test_invite_validation(server, admin, body, code):
    cid = create(admin)["clientId"]
    expect_error(admin.call("POST", "%s/%s:invite" % (ALPHA, cid), body), 400, code)
    assert admin.ok("GET", "%s/%s/groups" % (SA, cid))["results"] == []


def test_invite_an_unknown_account(admin):
    expect_error(admin.call("POST", "%s/mdb_sa_id_%s:invite" % (ALPHA, "0" * 24), {"roles": ["GROUP_OWNER"]}), 404,
                 "SERVICE_ACCOUNT_NOT_FOUND")


def test_project_account_creation_secrets_and_shared_access_list(server, admin):
    made = admin.ok("POST", ALPHA, dict(NEW_ACCOUNT, roles=["GROUP_OWNER"]), status=201)
    cid = made["clientId"]
    assert made["roles"] == ["GROUP_OWNER"] and made["secrets"][0]["secret"].startswith("mdb_sa_sk_")
    assert admin.ok("GET", "%s/%s" % (SA, cid))["roles"] == ["ORG_MEMBER"]
    expect_error(admin.call("POST", ALPHA, dict(NEW_ACCOUNT)), 400, "INVALID_ENUM_VALUE")  # project roles here
    secret = admin.ok("POST", "%s/%s/secrets" % (ALPHA, cid), {"secretExpiresAfterHours": 8}, status=201)
    assert secret["secret"] and [s["id"] for s in admin.ok("GET", "%s/%s" % (ALPHA, cid))["secrets"]][-1] == secret["id"]
    admin.ok("DELETE", "%s/%s/secrets/%s" % (ALPHA, cid, secret["id"]), status=204)
    admin.ok("POST", "%s/%s/accessList" % (ALPHA, cid), [{"ipAddress": "10.7.7.7"}])
    assert [e["cidrBlock"] for e in admin.ok("GET", "%s/%s/accessList" % (SA, cid))["results"]] == ["10.7.7.7/32"]
    admin.ok("DELETE", "%s/%s/accessList/10.7.7.7" % (ALPHA, cid), status=204)
    assert admin.ok("GET", "%s/%s/accessList" % (ALPHA, cid))["results"] == []
    expect_error(admin.call("GET", "%s/%s/accessList" % (BETA, cid)), 404, "SERVICE_ACCOUNT_NOT_IN_GROUP")
    expect_error(admin.call("POST", "%s/%s/secrets" % (BETA, cid), {"secretExpiresAfterHours": 8}), 404, "SERVICE_ACCOUNT_NOT_IN_GROUP")
    # the project owner key can add secrets to an account in its project
    owner = Client(server.url, sim.PROJECT_OWNER_PUBLIC_KEY, sim.PROJECT_OWNER_PRIVATE_KEY)
    assert owner.ok("POST", "%s/%s/secrets" % (ALPHA, cid), {"secretExpiresAfterHours": 8}, status=201)["secret"]


def test_an_account_with_project_roles_works_in_that_project_only(server, admin):
    created = create(admin, roles=["ORG_MEMBER"])
    admin.ok("POST", "%s/%s:invite" % (ALPHA, created["clientId"]), {"roles": ["GROUP_OWNER"]})
    own = as_account(server, created)
    assert own.ok("GET", ALPHA)["totalCount"] == 1
    expect_error(own.call("GET", BETA), 401, "USER_UNAUTHORIZED")
    expect_error(own.call("POST", SA, NEW_ACCOUNT), 401, "USER_UNAUTHORIZED")


# --------------------------------------------------------------------------- secrets never shown after creation

def test_no_secret_value_appears_in_any_read_or_log(server, admin):
    created = create(admin)
    cid = created["clientId"]
    second = admin.ok("POST", "%s/%s/secrets" % (SA, cid), {"secretExpiresAfterHours": 8}, status=201)
    values = [created["secrets"][0]["secret"], second["secret"], sim.SERVICE_ACCOUNT_CLIENT_SECRET]
    token_for(server, cid, second["secret"])
    admin.ok("POST", "%s/%s/accessList" % (SA, cid), [{"ipAddress": "10.1.2.3"}])
    answers = [admin.call("POST", "%s/%s:invite" % (ALPHA, cid), {"roles": ["GROUP_READ_ONLY"]}),
               admin.call("PATCH", "%s/%s" % (SA, cid), {"name": "renamed"}),
               admin.call("PATCH", "%s/%s" % (ALPHA, cid), {"roles": ["GROUP_OWNER"]})]
    answers += [admin.call("GET", path) for path in (SA, "%s/%s" % (SA, cid), "%s/%s/accessList" % (SA, cid),
                                                     "%s/%s/groups" % (SA, cid), ALPHA, "%s/%s" % (ALPHA, cid),
                                                     "%s/%s/accessList" % (ALPHA, cid),
                                                     "%s/%s" % (SA, sim.SERVICE_ACCOUNT_CLIENT_ID))]
    answers.append(requests.get(server.url + "/__sim/log", timeout=5))
    assert all(a.status_code == 200 for a in answers)
    for answer in answers:
        for value in values:
            assert value not in answer.text and value[10:] not in answer.text, answer.url
    assert {s["secret"] for s in state_account(server, cid)["secrets"]} == set(values[:2])  # the control API shows them


# --------------------------------------------------------------------------- seeded account, seed, state, faults, log

def test_seeded_account_is_a_normal_account_with_one_long_lived_secret(server, admin):
    seeded = admin.ok("GET", "%s/%s" % (SA, sim.SERVICE_ACCOUNT_CLIENT_ID))
    assert (seeded["name"], seeded["roles"]) == (sim.SERVICE_ACCOUNT_NAME, ["ORG_OWNER"])
    [secret] = seeded["secrets"]
    assert secret["id"] == sim.SERVICE_ACCOUNT_SECRET_ID
    assert secret["maskedSecretValue"] == "mdb_sa_sk_..." + sim.SERVICE_ACCOUNT_CLIENT_SECRET[-4:]
    assert parse_time(secret["expiresAt"]) - parse_time(secret["createdAt"]) >= timedelta(days=3650)
    control(server, "POST", "clock", {"advance_hours": 8760})
    assert token_request(server, sim.SERVICE_ACCOUNT_CLIENT_ID, sim.SERVICE_ACCOUNT_CLIENT_SECRET).status_code == 200
    admin.ok("DELETE", "%s/%s" % (SA, sim.SERVICE_ACCOUNT_CLIENT_ID), status=204)
    assert token_request(server, sim.SERVICE_ACCOUNT_CLIENT_ID, sim.SERVICE_ACCOUNT_CLIENT_SECRET).status_code == 401
    control(server, "POST", "reset")
    assert token_request(server, sim.SERVICE_ACCOUNT_CLIENT_ID, sim.SERVICE_ACCOUNT_CLIENT_SECRET).status_code == 200


def test_seed_and_state(server, admin):
    answer = control(server, "POST", "seed", {"service_accounts": 3, "name_prefix": "svc-", "org_roles": ["ORG_READ_ONLY"],
                                              "project_id": sim.PROJECT_BETA_ID, "project_roles": ["GROUP_OWNER"],
                                              "secret_expires_after_hours": 10})
    assert len(answer["client_ids"]) == 3 and control(server, "GET", "log")["requests"] == []
    state = state_account(server, answer["client_ids"][0])
    assert (state["name"], state["description"], state["orgId"]) == ("svc-00001", "seeded", sim.ORG_ID)
    assert state["roles"] == [{"orgId": sim.ORG_ID, "roleName": "ORG_READ_ONLY"},
                              {"groupId": sim.PROJECT_BETA_ID, "roleName": "GROUP_OWNER"}]
    [secret] = state["secrets"]
    assert state["clientSecret"] == secret["secret"] and state["tokens"] == 0 and state["accessList"] == []
    assert parse_time(secret["expiresAt"]) - parse_time(secret["createdAt"]) == timedelta(hours=10)
    token_for(server, state["clientId"], secret["secret"])
    assert state_account(server, state["clientId"])["tokens"] == 1
    assert [a["clientId"] for a in admin.ok("GET", BETA)["results"]] == answer["client_ids"]
    for bad in ({"service_accounts": -1}, {"service_accounts": "3"}, {"service_accounts": 1, "org_roles": ["GROUP_OWNER"]},
                {"service_accounts": 1, "secret_expires_after_hours": 0}):
        control(server, "POST", "seed", bad, status=400)


def test_fault_plan_and_request_log_cover_service_account_paths(server, admin):
    control(server, "POST", "faults", {"rules": [{"method": "POST", "path": "^/orgs/[0-9a-f]+/serviceAccounts$", "kind": "503"},
                                                 {"method": "POST", "path": "/secrets$", "kind": "500", "when": "after"}]})
    expect_error(admin.call("POST", SA, NEW_ACCOUNT), 503, "SERVICE_UNAVAILABLE")
    assert len(control(server, "GET", "state")["service_accounts"]) == 1  # "before": not applied
    cid = create(admin)["clientId"]
    expect_error(admin.call("POST", "%s/%s/secrets" % (SA, cid), {"secretExpiresAfterHours": 8}), 500, "UNEXPECTED_ERROR")
    assert len(state_account(server, cid)["secrets"]) == 2  # "after": applied, the answer lost
    log = [e for e in control(server, "GET", "log")["requests"] if e["authenticated"]]
    assert [(e["method"], e["status"], e["fault"], e["write"]) for e in log] == [
        ("POST", 503, "503", True), ("POST", 201, None, True), ("POST", 500, "500", True)]
    assert log[2]["path"] == "/api/atlas/v2%s/%s/secrets" % (SA, cid) and log[2]["principal"] == sim.ADMIN_PUBLIC_KEY


def test_envelope_wraps_service_account_answers(admin):
    wrapped = admin.ok("GET", "%s/%s" % (SA, sim.SERVICE_ACCOUNT_CLIENT_ID), params={"envelope": "true"})
    assert wrapped["status"] == 200 and wrapped["content"]["clientId"] == sim.SERVICE_ACCOUNT_CLIENT_ID
    created = admin.ok("POST", SA, NEW_ACCOUNT, params={"envelope": "true"})
    assert created["status"] == 201 and created["content"]["secrets"][0]["secret"]
