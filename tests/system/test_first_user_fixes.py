# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the first users ran into, run against the simulator: a key assigned to a project by id alone, a
teardown of the access list of a key that is gone, two runs adding the same entry at once, a token that
expires during a run, roles typed with stray whitespace or an empty item, and org_id / project_id taken from
the Atlas CLI's environment variables."""

from __future__ import annotations

import pytest

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
OTHER_ORG = "65a1b2c3d4e5f6a7b8c9d0e2"
ALPHA = "65a1b2c3d4e5f6a7b8c9d0f1"
READ_ONLY_KEY_ID = "65a1b2c3d4e5f6a7b8c9d002"
GONE_KEY_ID = "65a1b2c3d4e5f6a7b8c9dfff"


def api_requests(sim):
    return [(entry["method"], entry["path"]) for entry in sim.log() if entry["path"].startswith("/api/atlas/")]


def project_roles_of(sim, key_id, project_id):
    key = next(key for key in sim.state()["api_keys"] if key["id"] == key_id)
    return sorted(role["roleName"] for role in key["roles"] if role.get("groupId") == project_id)


def entries_of(sim, key_id):
    key = next(key for key in sim.state()["api_keys"] if key["id"] == key_id)
    return sorted(entry["cidrBlock"] for entry in key["accessList"])


# ---------------------------------------------------------------- a key assigned by api_key_id, no org_id

@pytest.mark.parametrize("api_version, root", [("v2", "/api/atlas/v2"), ("v1.0", "/api/atlas/v1.0")])
def test_assign_by_id_without_org_id_finds_the_organization_of_the_project(sim, run_module, api_version, root):
    args = dict(sim.connection, api_version=api_version, project_id=ALPHA, api_key_id=READ_ONLY_KEY_ID,
                roles=["GROUP_READ_ONLY"])
    checked = run_module("atlas_project_api_key", args, check_mode=True)
    assert checked["changed"] and not checked.get("failed"), checked
    assert not sim.writes()

    sim.clear_log()
    result = run_module("atlas_project_api_key", args)
    assert result["changed"] and not result.get("failed"), result
    assert result["api_key"]["id"] == READ_ONLY_KEY_ID and result["api_key"]["roles"] == ["GROUP_READ_ONLY"]
    assert project_roles_of(sim, READ_ONLY_KEY_ID, ALPHA) == ["GROUP_READ_ONLY"]
    assert api_requests(sim).count(("GET", "%s/groups/%s" % (root, ALPHA))) == 1  # one read of the project

    sim.clear_log()
    again = run_module("atlas_project_api_key", args)
    assert not again["changed"] and not again.get("failed"), again
    assert ("GET", "%s/groups/%s" % (root, ALPHA)) not in api_requests(sim)  # found among the project's keys


def test_org_id_of_another_organization_than_the_projects_fails_before_any_write(sim, run_module, monkeypatch):
    # Credentials that can read both organizations (as a user's can): the project answers with its orgId.
    api = sim.server.server.api
    answer = api.get_project

    def project_of_another_org(ctx, group_id):
        reply = answer(ctx, group_id)
        reply.body["orgId"] = OTHER_ORG
        return reply

    monkeypatch.setattr(api, "get_project", project_of_another_org)
    args = dict(sim.connection, org_id=ORG, project_id=ALPHA, api_key_id=READ_ONLY_KEY_ID, roles=["GROUP_READ_ONLY"])
    result = run_module("atlas_project_api_key", args)
    assert result.get("failed"), result
    assert "Project %s belongs to organization %s, not to org_id %s" % (ALPHA, OTHER_ORG, ORG) in result["msg"]
    assert not sim.writes() and project_roles_of(sim, READ_ONLY_KEY_ID, ALPHA) == []


def test_simulator_answers_one_project(sim):
    from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.auth import resolve_credentials
    from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import AtlasClient
    credentials = resolve_credentials(dict(sim.connection), {})
    for version in ("v2", "v1.0"):
        client = AtlasClient(sim.url, credentials.build(), api_version=version)
        project = client.get("/groups/%s" % ALPHA)
        client.close()
        assert project["id"] == ALPHA and project["orgId"] == ORG and project["name"] == "alpha"
        assert project["clusterCount"] == 0 and project["created"]


# ---------------------------------------------------------------- teardown of the list of a key that is gone

@pytest.mark.parametrize("selector", [dict(api_key_id=GONE_KEY_ID), dict(public_key="nokeyxyz"),
                                      dict(description="gone key")])
def test_absent_entries_of_a_key_that_is_gone_are_ok(sim, run_module, selector):
    result = run_module("atlas_api_key_accesslist", dict(sim.connection, org_id=ORG, entries=["192.0.2.1"],
                                                         state="absent", **selector))
    assert not result.get("failed") and not result["changed"], result
    assert result["key_exists"] is False and result["api_key_id"] is None
    assert result["entries"] == [] and result["removed"] == []
    assert "does not exist in organization %s" % ORG in result["msg"]
    assert not sim.writes()


def test_present_entries_of_a_key_that_is_gone_still_fail(sim, run_module):
    result = run_module("atlas_api_key_accesslist", dict(sim.connection, org_id=ORG, api_key_id=GONE_KEY_ID,
                                                         entries=["192.0.2.1"]))
    assert result.get("failed") and "does not exist" in result["msg"], result


# ---------------------------------------------------------------- two runs adding entries at once (409)

def test_409_for_entries_another_run_added_finishes_the_job(sim, run_module):
    # The other run's POST lands first: this one is applied too, but answered 409.
    sim.control("POST", "faults", {"rules": [{"method": "POST", "path": "/accessList$", "kind": "409",
                                              "when": "after"}]})
    result = run_module("atlas_api_key_accesslist", dict(sim.connection, org_id=ORG, api_key_id=READ_ONLY_KEY_ID,
                                                         entries=["192.0.2.1", "198.51.100.0/24"]))
    assert not result.get("failed"), result
    assert result["changed"] and result["added"] == ["192.0.2.1/32", "198.51.100.0/24"]
    assert entries_of(sim, READ_ONLY_KEY_ID) == ["192.0.2.1/32", "198.51.100.0/24"]
    assert [entry["cidr_block"] for entry in result["entries"]] == ["192.0.2.1/32", "198.51.100.0/24"]
    assert len([entry for entry in sim.writes() if entry["method"] == "POST"]) == 1


def test_409_that_left_entries_missing_posts_them_again(sim, run_module):
    # Atlas refused the whole POST (one entry was there already): the rest is added by a second POST.
    sim.control("POST", "faults", {"rules": [{"method": "POST", "path": "/accessList$", "kind": "409",
                                              "when": "before"}]})
    result = run_module("atlas_api_key_accesslist", dict(sim.connection, org_id=ORG, api_key_id=READ_ONLY_KEY_ID,
                                                         entries=["192.0.2.1"]))
    assert not result.get("failed") and result["changed"], result
    assert entries_of(sim, READ_ONLY_KEY_ID) == ["192.0.2.1/32"]
    assert [entry["status"] for entry in sim.writes()] == [409, 200]


def test_409_that_persists_fails(sim, run_module):
    sim.control("POST", "faults", {"rules": [{"method": "POST", "path": "/accessList$", "kind": "409",
                                              "when": "before", "times": None}]})
    result = run_module("atlas_api_key_accesslist", dict(sim.connection, org_id=ORG, api_key_id=READ_ONLY_KEY_ID,
                                                         entries=["192.0.2.1"]))
    assert result.get("failed") and "409" in result["msg"], result
    assert not result["changed"] and entries_of(sim, READ_ONLY_KEY_ID) == []
    assert len(sim.writes()) == 2  # the POST, and once more after reading the list again


# ---------------------------------------------------------------- a token that expires during a run

@pytest.fixture
def expire_tokens_after_first_read(sim):
    """Every token the simulator issued expires right after the first GET of the run is answered."""
    plan_class = type(sim.server.state.faults)
    state = sim.server.state

    class ExpireTokens(plan_class):
        def pick(self, method, path, stage):
            if method == "GET" and not getattr(self, "expired", False):
                self.expired = True
                for record in state.tokens.values():
                    record["expires"] = 0  # the GET itself is already authenticated
            return super(ExpireTokens, self).pick(method, path, stage)

    sim.set_faults(ExpireTokens({}))


def service_account(sim):
    return dict(api_base_url=sim.url, client_id=sim.module.SERVICE_ACCOUNT_CLIENT_ID,
                client_secret=sim.module.SERVICE_ACCOUNT_CLIENT_SECRET)


def test_service_account_gets_a_new_token_once_when_it_expires(sim, run_module, expire_tokens_after_first_read):
    result = run_module("atlas_api_key_accesslist", dict(service_account(sim), org_id=ORG,
                                                         api_key_id=READ_ONLY_KEY_ID, entries=["192.0.2.1"]))
    assert not result.get("failed") and result["changed"], result
    assert entries_of(sim, READ_ONLY_KEY_ID) == ["192.0.2.1/32"]
    log = sim.log()
    assert [entry["path"] for entry in log if entry["path"] == "/api/oauth/token"] == ["/api/oauth/token"] * 2
    assert [entry["status"] for entry in log if entry["write"]] == [401, 200]
    assert not sim.secrets_in(result)


def test_expired_access_token_says_so_and_how_to_get_a_new_one(sim, run_module, expire_tokens_after_first_read):
    from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.auth import request_access_token
    from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import AtlasClient
    client = AtlasClient(sim.url, None)
    token = request_access_token(client, sim.module.SERVICE_ACCOUNT_CLIENT_ID,
                                 sim.module.SERVICE_ACCOUNT_CLIENT_SECRET).access_token
    client.close()
    result = run_module("atlas_api_key_accesslist", dict(api_base_url=sim.url, api_access_token=token, org_id=ORG,
                                                         api_key_id=READ_ONLY_KEY_ID, entries=["192.0.2.1"]))
    assert result.get("failed") and not result["changed"], result
    assert "has expired during the task" in result["msg"]
    assert "mongodb_atlas.api_keys.atlas_access_token" in result["msg"] and "client_id" in result["msg"]
    assert token not in str(result) and entries_of(sim, READ_ONLY_KEY_ID) == []


# ---------------------------------------------------------------- roles as people type them

def test_roles_with_stray_whitespace_are_stripped(sim, run_module):
    result = run_module("atlas_org_api_key", dict(sim.connection, org_id=ORG, description="ad-hoc",
                                                  roles="ORG_MEMBER, ORG_READ_ONLY"))
    assert not result.get("failed") and result["changed"], result
    assert result["api_key"]["roles"] == ["ORG_MEMBER", "ORG_READ_ONLY"]
    again = run_module("atlas_org_api_key", dict(sim.connection, org_id=ORG, description="ad-hoc",
                                                 roles=[" ORG_READ_ONLY", "ORG_MEMBER "]))
    assert not again.get("failed") and not again["changed"], again

    assigned = run_module("atlas_project_api_key", dict(sim.connection, project_id=ALPHA, api_key_id=READ_ONLY_KEY_ID,
                                                        roles="GROUP_READ_ONLY, GROUP_OWNER"))
    assert not assigned.get("failed"), assigned
    assert project_roles_of(sim, READ_ONLY_KEY_ID, ALPHA) == ["GROUP_OWNER", "GROUP_READ_ONLY"]


@pytest.mark.parametrize("module, args", [
    ("atlas_org_api_key", dict(org_id=ORG, description="nulls", roles=["ORG_MEMBER", None])),
    ("atlas_project_api_key", dict(project_id=ALPHA, api_key_id=READ_ONLY_KEY_ID, roles=[None])),
])
def test_a_null_role_is_rejected_before_any_request(sim, run_module, module, args):
    result = run_module(module, dict(sim.connection, **args))
    assert result.get("failed") and "roles holds an empty item" in result["msg"], result
    assert not api_requests(sim)


def test_unknown_role_is_quoted(sim, run_module):
    result = run_module("atlas_org_api_key", dict(sim.connection, org_id=ORG, description="typo",
                                                  roles=["ORG_READ_ONLY\u200b"]))
    assert result.get("failed") and "'ORG_READ_ONLY\u200b'" in result["msg"], result


# ---------------------------------------------------------------- org_id and project_id from the environment

def test_org_id_and_project_id_fall_back_to_the_atlas_cli_variables(sim, run_module, monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_ORG_ID", ORG)
    monkeypatch.setenv("MONGODB_ATLAS_PROJECT_ID", ALPHA)
    org_keys = run_module("atlas_org_api_key_info", dict(sim.connection))
    assert not org_keys.get("failed") and len(org_keys["api_keys"]) == 3, org_keys
    project_keys = run_module("atlas_project_api_key_info", dict(sim.connection))
    assert not project_keys.get("failed") and [key["id"] for key in project_keys["api_keys"]], project_keys
    listed = run_module("atlas_api_key_accesslist_info", dict(sim.connection, api_key_id=READ_ONLY_KEY_ID))
    assert not listed.get("failed"), listed
    added = run_module("atlas_api_key_accesslist", dict(sim.connection, api_key_id=READ_ONLY_KEY_ID,
                                                        entries=["192.0.2.7"]))
    assert not added.get("failed") and added["changed"], added
    created = run_module("atlas_org_api_key", dict(sim.connection, description="from env", roles=["ORG_MEMBER"]))
    assert not created.get("failed") and created["changed"], created
    assigned = run_module("atlas_project_api_key", dict(sim.connection, public_key=created["api_key"]["public_key"],
                                                        roles=["GROUP_READ_ONLY"]))
    assert not assigned.get("failed") and assigned["changed"], assigned
    assert project_roles_of(sim, created["api_key"]["id"], ALPHA) == ["GROUP_READ_ONLY"]


def test_task_options_win_over_the_environment(sim, run_module, monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_ORG_ID", OTHER_ORG)
    result = run_module("atlas_org_api_key_info", dict(sim.connection, org_id=ORG))
    assert not result.get("failed") and len(result["api_keys"]) == 3, result
