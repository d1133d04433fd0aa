# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a user reads when Atlas says no: an expired digest nonce (nothing to read: the run goes on), wrong
credentials (401), a key without the role (401 USER_UNAUTHORIZED), a caller off its key's access list
(403 IP_ADDRESS_NOT_ON_ACCESS_LIST) and no answer in time (timeout). Each message names the cause and the fix,
and holds no secret; a refused or unanswered run changes nothing it did not say it changed."""

from __future__ import annotations

import time

import pytest

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import module_base
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import AtlasClient

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
ALPHA = "65a1b2c3d4e5f6a7b8c9d0f1"
ADMIN_KEY_ID = "65a1b2c3d4e5f6a7b8c9d001"
READ_ONLY_KEY_ID = "65a1b2c3d4e5f6a7b8c9d002"
KEYS_PATH = "/api/atlas/v2/orgs/%s/apiKeys" % ORG


def api_requests(sim):
    return [entry for entry in sim.log() if entry["path"].startswith("/api/")]


@pytest.fixture
def expire_nonces(sim, monkeypatch):
    """expire_nonces(when): before each request of a module run for which when(method, number) holds, every
    digest nonce the simulator issued goes stale (POST /__sim/expire_nonces), so that request meets a stale one."""
    def install(when):
        sent = []

        class ExpiringClient(AtlasClient):
            def _send(self, method, url, *args, **kwargs):
                sent.append(method)
                if when(method, len(sent)):
                    sim.control("POST", "expire_nonces")
                return super(ExpiringClient, self)._send(method, url, *args, **kwargs)

        monkeypatch.setattr(module_base, "AtlasClient", ExpiringClient)
        return sent
    return install


@pytest.mark.parametrize("when", [
    pytest.param(lambda method, number: method == "POST", id="before-the-write"),
    pytest.param(lambda method, number: number > 1, id="before-every-request-but-the-first"),
])
def test_expired_nonce_mid_run_is_answered_transparently(sim, run_module, expire_nonces, when):
    sent = expire_nonces(when)
    result = run_module("atlas_org_api_key", dict(sim.connection, org_id=ORG, description="nonce probe",
                                                  roles=["ORG_MEMBER"]))
    assert not result.get("failed") and result["changed"], result
    assert sent == ["GET", "POST"]  # the client saw two requests; the stale challenge was answered below it
    keys = [key for key in sim.state()["api_keys"] if key["desc"] == "nonce probe"]
    assert len(keys) == 1 and result["api_key"]["id"] == keys[0]["id"]
    log = api_requests(sim)
    posts = [(entry["status"], entry["challenge"]) for entry in log if entry["method"] == "POST"]
    assert posts == [(401, True), (200, False)]  # refused with a fresh challenge, then applied once
    assert [entry["status"] for entry in log if entry["method"] == "GET"][-1] == 200


def test_expired_nonce_on_every_write_of_a_long_run(sim, run_module, expire_nonces):
    """Several writes in one run (one POST, three DELETEs), each meeting a stale nonce: all applied once."""
    key = READ_ONLY_KEY_ID
    first = run_module("atlas_api_key_accesslist", dict(sim.connection, org_id=ORG, api_key_id=key,
                                                        entries=["192.0.2.1", "192.0.2.2", "192.0.2.3"]))
    assert first["changed"] and not first.get("failed")
    sim.clear_log()
    expire_nonces(lambda method, number: method != "GET")
    result = run_module("atlas_api_key_accesslist", dict(sim.connection, org_id=ORG, api_key_id=key, purge=True,
                                                         entries=["2001:db8::/32"]))
    assert not result.get("failed") and result["changed"], result
    assert result["removed"] == ["192.0.2.1/32", "192.0.2.2/32", "192.0.2.3/32"] and result["added"] == ["2001:db8::/32"]
    writes = [(entry["method"], entry["status"]) for entry in api_requests(sim) if entry["write"]]
    assert writes == [("POST", 401), ("POST", 200)] + [("DELETE", 401), ("DELETE", 204)] * 3
    assert [e["cidrBlock"] for k in sim.state()["api_keys"] if k["id"] == key for e in k["accessList"]] == ["2001:db8::/32"]


@pytest.mark.parametrize("credentials", [
    pytest.param(dict(api_private_key="00000000-1111-2222-3333-444444444444"), id="wrong-private-key"),
    pytest.param(dict(api_public_key="zzzzzzzz"), id="unknown-public-key"),
    pytest.param(dict(api_private_key=" 4c1f7c2e-9a55-4b8e-a3d2-5e0f6b7a9c1 "), id="private-key-one-character-short"),
])
@pytest.mark.parametrize("module,args", [
    pytest.param("atlas_org_api_key", dict(org_id=ORG, description="never created", roles=["ORG_MEMBER"]), id="org_api_key"),
    pytest.param("atlas_api_key_accesslist", dict(org_id=ORG, api_key_id=READ_ONLY_KEY_ID, entries=["192.0.2.1"]),
                 id="accesslist"),
    pytest.param("atlas_project_api_key", dict(project_id=ALPHA, api_key_id=READ_ONLY_KEY_ID, roles=["GROUP_READ_ONLY"]),
                 id="project_api_key"),
])
def test_wrong_credentials_401(sim, run_module, credentials, module, args):
    before = sim.view()
    result = run_module(module, dict(sim.connection, **dict(args, **credentials)))
    assert result["failed"] and not result["changed"], result
    msg = result["msg"]
    assert msg.startswith("Failed to ") and "HTTP 401" in msg, msg
    assert ("Atlas rejected the credentials: check api_public_key and api_private_key (or the environment variables "
            "MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY)") in msg
    assert not sim.secrets_in(result, [credentials.get("api_private_key", "").strip()]), result
    assert not sim.writes() and sim.view() == before


@pytest.mark.parametrize("module,args,role", [
    pytest.param("atlas_org_api_key", dict(org_id=ORG, description="read-only tries", roles=["ORG_MEMBER"]),
                 "Organization Owner", id="create-org-key"),
    pytest.param("atlas_org_api_key", dict(org_id=ORG, api_key_id=ADMIN_KEY_ID, state="absent"),
                 "Organization Owner", id="delete-org-key"),
    pytest.param("atlas_api_key_accesslist", dict(org_id=ORG, api_key_id=ADMIN_KEY_ID, entries=["192.0.2.1"]),
                 "Organization Owner", id="add-access-list-entry"),
    pytest.param("atlas_project_api_key", dict(project_id=ALPHA, org_id=ORG, api_key_id=READ_ONLY_KEY_ID,
                                               roles=["GROUP_OWNER"]),
                 "Project Owner", id="assign-to-project"),
])
def test_read_only_key_trying_a_write_401_user_unauthorized(sim, run_module, module, args, role):
    credentials = dict(api_public_key=sim.module.READ_ONLY_PUBLIC_KEY, api_private_key=sim.module.READ_ONLY_PRIVATE_KEY)
    before = sim.view()
    result = run_module(module, dict(sim.connection, **dict(args, **credentials)))
    assert result["failed"] and not result["changed"], result
    msg = result["msg"]
    assert msg.startswith("Failed to ") and "HTTP 401 USER_UNAUTHORIZED" in msg, msg
    assert "The credentials are valid but lack the role this needs" in msg and role in msg
    assert result["error"]["code"] == "USER_UNAUTHORIZED" and result["error"]["status"] == 401
    assert not sim.secrets_in(result), result
    assert [entry["status"] for entry in sim.writes()] == [401]  # refused, nothing applied
    assert sim.view() == before


@pytest.mark.parametrize("module,args", [
    pytest.param("atlas_org_api_key_info", dict(org_id=ORG), id="org_api_key_info"),
    pytest.param("atlas_api_key_accesslist", dict(org_id=ORG, api_key_id=READ_ONLY_KEY_ID, entries=["192.0.2.1"]),
                 id="accesslist"),
    pytest.param("atlas_project_api_key_info", dict(project_id=ALPHA), id="project_api_key_info"),
])
def test_caller_not_on_its_access_list_403(sim, run_module, module, args):
    # The admin key gets an access list (10.0.0.1/32) that leaves out 127.0.0.1, where the task runs from.
    sim.control("POST", "seed", {"access_list": {"api_key_id": ADMIN_KEY_ID, "count": 1}})
    before = sim.view()
    sim.clear_log()
    result = run_module(module, dict(sim.connection, **args))
    assert result["failed"] and not result["changed"], result
    msg = result["msg"]
    assert msg.startswith("Failed to ") and "HTTP 403 IP_ADDRESS_NOT_ON_ACCESS_LIST" in msg and "127.0.0.1" in msg, msg
    assert ("The address this task runs from is not on the access list of the credentials in use (the API key or "
            "service account): add it there, or run the task from a listed address.") in msg
    assert not sim.secrets_in(result), result
    assert not sim.writes() and sim.view() == before


@pytest.mark.parametrize("retries,attempts", [(0, 1), (1, 2)])
def test_timeout_names_the_wait_and_the_fix(sim, run_module, scaled_sleep, retries, attempts):
    sim.control("POST", "faults", {"rules": [{"method": "GET", "kind": "timeout", "when": "before", "delay": 2.5,
                                              "times": None}]})
    started = time.monotonic()
    result = run_module("atlas_org_api_key", dict(sim.connection, org_id=ORG, description="timeout probe",
                                                  roles=["ORG_MEMBER"], timeout=1, retries=retries))
    elapsed = time.monotonic() - started
    assert result["failed"] and not result["changed"], result
    msg = result["msg"]
    assert msg.startswith("Failed to list the API keys of organization %s: no answer from %s within 1 s (read timeout)"
                          % (ORG, sim.url)), msg
    assert ("(gave up after %d attempts)" % attempts in msg) == (attempts > 1)
    assert "raise timeout" in msg and "api_base_url" in msg  # the fix
    assert not sim.secrets_in(result), result
    assert not sim.writes()
    assert attempts <= elapsed < attempts * 2.5  # one timeout (1 s) per attempt, not the simulator's 2.5 s delay


def test_timeout_on_a_create_before_it_is_applied_is_sent_once_more(sim, run_module, scaled_sleep):
    """The outcome of a POST that timed out is unknown: the module reads the keys again, finds none, posts again."""
    sim.control("POST", "faults", {"rules": [{"method": "POST", "kind": "timeout", "when": "before", "delay": 2,
                                              "times": 1}]})
    result = run_module("atlas_org_api_key", dict(sim.connection, org_id=ORG, description="slow create",
                                                  roles=["ORG_MEMBER"], timeout=1, retries=2))
    assert not result.get("failed") and result["changed"], result
    keys = [key for key in sim.state()["api_keys"] if key["desc"] == "slow create"]
    assert len(keys) == 1 and result["api_key"]["private_key"] == keys[0]["privateKey"]
    assert [e["method"] for e in api_requests(sim) if e["status"] != 401] == ["GET", "POST", "GET", "POST"]


def test_timeout_on_a_create_after_it_is_applied_loses_the_private_key(sim, run_module, scaled_sleep):
    """Atlas applied the POST but answered after the timeout: one key, and a message that says what to do."""
    sim.control("POST", "faults", {"rules": [{"method": "POST", "kind": "timeout", "when": "after", "delay": 2,
                                              "times": 1}]})
    result = run_module("atlas_org_api_key", dict(sim.connection, org_id=ORG, description="late create",
                                                  roles=["ORG_MEMBER"], timeout=1, retries=2))
    keys = [key for key in sim.state()["api_keys"] if key["desc"] == "late create"]
    assert len(keys) == 1
    assert result["failed"] and result["changed"], result
    assert result["msg"] == (
        "Atlas created API key %s (public key %s), but the answer that carried its private key was lost on the way. "
        "Atlas shows a private key only once, so it cannot be recovered: delete the key (state=absent, api_key_id=%s) "
        "and run the task again." % (keys[0]["id"], keys[0]["publicKey"], keys[0]["id"]))
    assert result["api_key"]["id"] == keys[0]["id"] and "private_key" not in result["api_key"]
    assert not sim.secrets_in(result, [keys[0]["privateKey"]]), result
