# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of module_utils/api_keys.py: role checks, finding a key, result shapes, creating a key once."""

from __future__ import annotations

import pytest

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import (
    KNOWN_PROJECT_ROLES,
    ORG_ROLES,
    find_org_key,
    key_label,
    key_result,
    org_role_problem,
    org_roles,
    post_new_key,
    project_key_result,
    project_keys_path,
    project_role_problem,
    project_roles,
)

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
OTHER_ORG = "65a1b2c3d4e5f6a7b8c9d0e2"
ALPHA = "65a1b2c3d4e5f6a7b8c9d0f1"
BETA = "65a1b2c3d4e5f6a7b8c9d0f2"


@pytest.fixture
def run_with(sim, run_atlas_module):
    """``run_with(then, check_mode=False)``: the result of ``then(atlas)`` on an AtlasModule connected to the
    simulator with its admin key (an empty log first)."""
    def run(then, check_mode=False):
        sim.clear_log()
        return run_atlas_module(sim.connection, then=then, check_mode=check_mode)
    return run


def raw_key(key_id, public_key, desc, roles):
    return dict(id=key_id, publicKey=public_key, desc=desc, privateKey="********-****-****-123456789abc",
                roles=roles)


KEY_1 = raw_key("65a1b2c3d4e5f6a7b8c9d001", "pubkeyaa", "ci", [
    dict(orgId=ORG, roleName="ORG_MEMBER"),
    dict(groupId=BETA, roleName="GROUP_READ_ONLY"),
    dict(groupId=ALPHA, roleName="GROUP_OWNER"),
    dict(groupId=ALPHA, roleName="GROUP_CLUSTER_MANAGER"),
])
KEY_2 = raw_key("65a1b2c3d4e5f6a7b8c9d002", "pubkeybb", "deploy", [dict(orgId=ORG, roleName="ORG_READ_ONLY")])


# Project roles.

@pytest.mark.parametrize("roles", [["GROUP_READ_ONLY"], list(KNOWN_PROJECT_ROLES), ["GROUP_SOME_FUTURE_ROLE"]])
def test_project_roles_accept_any_group_name(roles):
    assert project_role_problem(roles) is None


def test_project_roles_need_one():
    assert project_role_problem([]) == "roles must name at least one project role, such as 'GROUP_READ_ONLY'."
    assert project_role_problem(None, option="project_roles").startswith("project_roles must name at least one")


def test_org_roles_given_as_project_roles_point_to_the_org_module():
    message = project_role_problem(["GROUP_READ_ONLY", "ORG_OWNER", "ORG_MEMBER"])
    assert message.startswith("roles takes project roles, but 'ORG_OWNER', 'ORG_MEMBER' are organization roles")
    assert "mongodb_atlas.api_keys.atlas_org_api_key" in message
    assert "GROUP_READ_ONLY" in message.split("Project roles include:")[1]


@pytest.mark.parametrize("role", ["group_read_only", "READ_ONLY", "GROUP_", "GROUP_READ ONLY", "GROUP_READ_ONLY_",
                                  "ORG_UNKNOWN"])
def test_malformed_project_roles(role):
    message = project_role_problem(["GROUP_OWNER", role])
    assert message.startswith("roles has malformed project roles '%s': project roles are upper-case GROUP_* names" % role)
    assert "'GROUP_OWNER'," not in message.split(":")[0]


# Organization roles.

def test_org_roles_accept_every_known_role():
    assert org_role_problem(list(ORG_ROLES)) is None


def test_org_roles_need_one():
    assert org_role_problem([]).startswith("roles must name at least one organization role: 'ORG_OWNER'")


def test_project_roles_given_as_org_roles_point_to_the_project_module():
    message = org_role_problem(["ORG_MEMBER", "GROUP_READ_ONLY"])
    assert message.startswith("roles takes organization roles, but 'GROUP_READ_ONLY' are project roles")
    assert "mongodb_atlas.api_keys.atlas_project_api_key" in message


def test_unknown_org_roles():
    assert org_role_problem(["ORG_MEMBER", "ORG_BOSS"]).startswith("roles has unknown organization roles 'ORG_BOSS';")


# Finding a key.

def found(run_with, **named):
    """The id of the key find_org_key finds (None when none) and the failure, if any."""
    result = run_with(lambda atlas: dict(found=(find_org_key(atlas, ORG, **named) or {}).get("id")))
    return result.get("found"), result if result.get("failed") else None


def test_find_by_id_is_one_get_that_may_miss(sim, run_with):
    key = sim.add_key("ci", ["ORG_MEMBER"])
    assert found(run_with, api_key_id=key["id"]) == (key["id"], None)
    assert sim.sent() == [("GET", "/orgs/%s/apiKeys/%s" % (ORG, key["id"]), None)]
    assert found(run_with, api_key_id="65a1b2c3d4e5f6a7b8c9d0ff") == (None, None)


def test_find_by_public_key_lists_the_org(sim, run_with):
    key = sim.add_key("ci", ["ORG_MEMBER"])
    assert found(run_with, public_key=key["publicKey"]) == (key["id"], None)
    assert sim.sent() == [("GET", "/orgs/%s/apiKeys" % ORG, None)]
    assert found(run_with, public_key="nokeyzzz") == (None, None)


def test_find_by_description(sim, run_with):
    key = sim.add_key("deploy", ["ORG_MEMBER"])
    assert found(run_with, description="deploy") == (key["id"], None)
    assert found(run_with, description="Deploy") == (None, None)


def test_ambiguous_description_fails_naming_the_ids(sim, run_with):
    first, second = sim.add_key("deploy", ["ORG_MEMBER"]), sim.add_key("deploy", ["ORG_OWNER"])
    failure = found(run_with, description="deploy")[1]
    ids = sorted([first, second], key=lambda key: key["publicKey"])  # in the order Atlas lists them
    assert failure["msg"] == (
        "The description 'deploy' matches 2 API keys in organization %s (ids %s, %s). Name the key with "
        "api_key_id or public_key instead." % (ORG, ids[0]["id"], ids[1]["id"]))
    assert failure["matching_ids"] == [ids[0]["id"], ids[1]["id"]]


def test_key_label_names_the_key_the_way_the_user_did():
    assert key_label(api_key_id=KEY_1["id"]) == "API key %s" % KEY_1["id"]
    assert key_label(public_key="pubkeyaa") == "API key with public key 'pubkeyaa'"
    assert key_label(description="ci") == "API key 'ci'"


# Result shapes.

def test_key_result_separates_org_roles_and_project_assignments_and_drops_the_private_key():
    assert key_result(KEY_1, ORG) == dict(
        id=KEY_1["id"], public_key="pubkeyaa", description="ci", roles=["ORG_MEMBER"],
        project_assignments=[dict(project_id=ALPHA, roles=["GROUP_CLUSTER_MANAGER", "GROUP_OWNER"]),
                             dict(project_id=BETA, roles=["GROUP_READ_ONLY"])])
    assert "private_key" not in key_result(KEY_1)


def test_roles_are_read_per_org_and_per_project():
    raw = dict(roles=[dict(orgId=ORG, roleName="ORG_MEMBER"), dict(orgId=OTHER_ORG, roleName="ORG_OWNER"),
                      dict(groupId=ALPHA, roleName="GROUP_OWNER"), dict(groupId=ALPHA, roleName="GROUP_OWNER")])
    assert org_roles(raw, ORG) == ["ORG_MEMBER"]
    assert org_roles(raw) == ["ORG_MEMBER", "ORG_OWNER"]
    assert project_roles(raw, ALPHA) == ["GROUP_OWNER"]
    assert project_roles(raw, BETA) == []
    assert key_result(dict(id="x"))["project_assignments"] == []


def test_project_key_result_shows_the_roles_in_one_project():
    assert project_key_result(KEY_1, ALPHA) == dict(id=KEY_1["id"], public_key="pubkeyaa", description="ci",
                                                    roles=["GROUP_CLUSTER_MANAGER", "GROUP_OWNER"])
    assert project_key_result(KEY_2, ALPHA)["roles"] == []
    assert project_keys_path(ALPHA) == "/groups/%s/apiKeys" % ALPHA
    assert project_keys_path(ALPHA, KEY_1["id"]) == "/groups/%s/apiKeys/%s" % (ALPHA, KEY_1["id"])


# Creating a key once (post_new_key, shared by atlas_org_api_key and atlas_project_api_key).

def create(run_with, check_mode=False, **kwargs):
    """The key post_new_key returned (its privateKey as ``private_key``) or the failure."""
    def then(atlas):
        created = post_new_key(atlas, "/orgs/%s/apiKeys" % ORG, "create API key 'new'",
                               body=dict(desc="new", roles=["ORG_MEMBER"]),
                               find_again=lambda: find_org_key(atlas, ORG, description="new"),
                               shape=lambda key: key_result(key, ORG), **kwargs)
        return dict(created=created is not None, private_key=(created or {}).get("privateKey"))
    return run_with(then, check_mode=check_mode)


def new_key(sim):
    (key,) = [key for key in sim.state()["api_keys"] if key["desc"] == "new"]
    return key


def drop_post(sim, when):
    sim.control("POST", "faults", {"rules": [{"method": "POST", "path": "/apiKeys$", "kind": "drop", "when": when}]})


def test_post_new_key_returns_the_answer_with_its_private_key(sim, run_with):
    result = create(run_with)
    assert result["private_key"] == new_key(sim)["privateKey"]
    assert sim.sent(writes_only=True) == [("POST", "/orgs/%s/apiKeys" % ORG, dict(desc="new", roles=["ORG_MEMBER"]))]


def test_post_new_key_in_check_mode_returns_none(sim, run_with):
    assert create(run_with, check_mode=True)["created"] is False
    assert sim.writes() == []


def test_post_new_key_fails_when_the_private_key_was_lost(sim, run_with):
    drop_post(sim, "after")
    failure = create(run_with)
    key = new_key(sim)
    assert failure["msg"] == (
        "Atlas created API key %s (public key %s), but the answer that carried its private key was lost on the "
        "way. Atlas shows a private key only once, so it cannot be recovered: delete the key (state=absent, "
        "api_key_id=%s) and run the task again." % (key["id"], key["publicKey"], key["id"]))
    assert failure["api_key"]["id"] == key["id"]
    assert "private_key" not in failure["api_key"]
    assert [request[0] for request in sim.sent(writes_only=True)] == ["POST"]


def test_post_new_key_names_another_way_to_delete(sim, run_with):
    drop_post(sim, "after")
    failure = create(run_with, delete_with="with the other module, api_key_id=%s")
    assert "delete the key (with the other module, api_key_id=%s)" % new_key(sim)["id"] in failure["msg"]


def test_post_new_key_without_a_match_on_reread_returns_what_the_client_returns(sim, run_with):
    """find_again() finding nothing means the POST was not applied; the client sends it again and its answer counts."""
    drop_post(sim, "before")
    result = create(run_with)
    assert result["private_key"] == new_key(sim)["privateKey"]
    assert [request[0] for request in sim.sent()] == ["POST", "GET", "POST"]
