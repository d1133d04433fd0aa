# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of atlas_project_api_key: the module runs against the simulator (the ``sim`` fixture)."""

from __future__ import annotations

import json

import pytest

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
ALPHA = "65a1b2c3d4e5f6a7b8c9d0f1"
BETA = "65a1b2c3d4e5f6a7b8c9d0f2"
MISSING_ID = "65a1b2c3d4e5f6a7b8c9d0c3"


@pytest.fixture
def atlas(sim):
    """The simulator with key A in alpha (read only) and beta (owner), key B in no project; its log empty."""
    sim.key_a = sim.add_key("ci-key-a", ["ORG_MEMBER"], projects={ALPHA: ["GROUP_READ_ONLY"], BETA: ["GROUP_OWNER"]})
    sim.key_b = sim.add_key("ci-key-b", ["ORG_MEMBER"])
    sim.clear_log()
    return sim


def run(sim, check_mode=False, diff=True, **args):
    """Run the module with the admin key; return (failed, result)."""
    result = sim.run("atlas_project_api_key", check_mode=check_mode, diff=diff, **args)
    assert sim.secrets_in(result) == []
    return bool(result.get("failed")), result


def roles_in(sim, key, project):
    return sorted(dict(sim.view()[key["id"]][2]).get(project, ()))


def selector(sim, name, how):
    """The options that name key ``name`` ("key_a" or "key_b") by ``how``: api_key_id, public_key or description."""
    key = getattr(sim, name)
    return {how: dict(api_key_id=key["id"], public_key=key["publicKey"], description=key["desc"])[how]}


def drop_post(sim, when):
    """The next POST's connection drops, ``when`` "before" Atlas applies it or "after"."""
    sim.control("POST", "faults", {"rules": [{"method": "POST", "path": "/groups/", "kind": "drop", "when": when}]})


def created_key(sim, description):
    (key,) = [key for key in sim.state()["api_keys"] if key["desc"] == description]
    return key


# Assigning a key that is not in the project.

@pytest.mark.parametrize("how", ["api_key_id", "public_key", "description"])
def test_assign_key_named_any_way(atlas, how):
    key_b = atlas.key_b
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, roles=["GROUP_READ_ONLY", "GROUP_OWNER"],
                         **selector(atlas, "key_b", how))
    assert not failed and result["changed"]
    assert atlas.sent(writes_only=True) == [("POST", "/groups/%s/apiKeys/%s" % (ALPHA, key_b["id"]),
                                             [dict(roles=["GROUP_OWNER", "GROUP_READ_ONLY"])])]
    assert roles_in(atlas, key_b, ALPHA) == ["GROUP_OWNER", "GROUP_READ_ONLY"]
    assert result["api_key"] == dict(id=key_b["id"], public_key=key_b["publicKey"], description="ci-key-b",
                                     roles=["GROUP_OWNER", "GROUP_READ_ONLY"])
    assert result["diff"] == dict(before=dict(roles=[]), after=dict(roles=["GROUP_OWNER", "GROUP_READ_ONLY"]))


def test_assign_check_mode_sends_no_write(atlas):
    failed, result = run(atlas, check_mode=True, org_id=ORG, project_id=ALPHA, api_key_id=atlas.key_b["id"],
                         roles=["GROUP_READ_ONLY"])
    assert not failed and result["changed"]
    assert atlas.writes() == []
    assert roles_in(atlas, atlas.key_b, ALPHA) == []
    assert result["api_key"]["roles"] == ["GROUP_READ_ONLY"]
    assert result["diff"] == dict(before=dict(roles=[]), after=dict(roles=["GROUP_READ_ONLY"]))


def test_assign_lost_answer_is_not_sent_twice(atlas):
    drop_post(atlas, "after")
    key_b = atlas.key_b["id"]
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, api_key_id=key_b, roles=["GROUP_READ_ONLY"])
    assert not failed and result["changed"]
    assert [request[0] for request in atlas.sent(writes_only=True)] == ["POST"]
    assert atlas.sent()[-1] == ("GET", "/orgs/%s/apiKeys/%s" % (ORG, key_b), None)  # the reread
    assert result["api_key"]["roles"] == ["GROUP_READ_ONLY"]


def test_assign_lost_before_applied_is_sent_again(atlas):
    """When the reread shows the key still unassigned, reread() says so (None) and the POST goes again."""
    drop_post(atlas, "before")
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, api_key_id=atlas.key_b["id"], roles=["GROUP_READ_ONLY"])
    assert not failed
    assert [request[0] for request in atlas.sent(writes_only=True)] == ["POST", "POST"]
    assert roles_in(atlas, atlas.key_b, ALPHA) == ["GROUP_READ_ONLY"]


# Changing the roles of an assigned key.

def test_change_roles_patches_only_this_project(atlas):
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, public_key=atlas.key_a["publicKey"],
                         roles=["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"])
    assert not failed and result["changed"]
    assert atlas.sent(writes_only=True) == [("PATCH", "/groups/%s/apiKeys/%s" % (ALPHA, atlas.key_a["id"]),
                                             dict(roles=["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"]))]
    assert roles_in(atlas, atlas.key_a, BETA) == ["GROUP_OWNER"]
    assert result["api_key"]["roles"] == ["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"]
    assert result["diff"] == dict(before=dict(roles=["GROUP_READ_ONLY"]),
                                  after=dict(roles=["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"]))


@pytest.mark.parametrize("args", [dict(roles=["GROUP_OWNER"]), dict(state="absent")], ids=["change roles", "unassign"])
def test_key_of_org_in_the_project_needs_no_project_read(atlas, args):
    # The key is of org_id and in the project: the project is of org_id, so only a join reads the project.
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, api_key_id=atlas.key_a["id"], **args)
    assert not failed and result["changed"]
    assert ("GET", "/groups/%s" % ALPHA, None) not in atlas.sent()
    assert len(atlas.sent()) == 2  # the key, then the one write


def test_joining_key_reads_the_project_before_the_post(atlas):
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, api_key_id=atlas.key_b["id"], roles=["GROUP_READ_ONLY"])
    assert not failed and result["changed"]
    sent = atlas.sent()
    assert sent.index(("GET", "/groups/%s" % ALPHA, None)) < len(sent) - 1 and sent[-1][0] == "POST"


def test_change_roles_check_mode(atlas):
    failed, result = run(atlas, check_mode=True, org_id=ORG, project_id=ALPHA, api_key_id=atlas.key_a["id"],
                         roles=["GROUP_OWNER"])
    assert not failed and result["changed"] and atlas.writes() == []
    assert result["api_key"]["roles"] == ["GROUP_OWNER"]
    assert roles_in(atlas, atlas.key_a, ALPHA) == ["GROUP_READ_ONLY"]


def test_same_roles_in_any_order_is_ok_with_reads_only(sim):
    key = sim.add_key("ci-key-a", ["ORG_MEMBER"], projects={ALPHA: ["GROUP_READ_ONLY", "GROUP_OWNER"]})
    sim.clear_log()
    failed, result = run(sim, org_id=ORG, project_id=ALPHA, api_key_id=key["id"],
                         roles=["GROUP_READ_ONLY", "GROUP_OWNER", "GROUP_READ_ONLY"])
    assert not failed and not result["changed"]
    assert sim.sent() == [("GET", "/orgs/%s/apiKeys/%s" % (ORG, key["id"]), None)]
    assert result["api_key"]["roles"] == ["GROUP_OWNER", "GROUP_READ_ONLY"]


def test_diff_is_left_out_without_diff_mode(atlas):
    failed, result = run(atlas, diff=False, org_id=ORG, project_id=ALPHA, api_key_id=atlas.key_a["id"],
                         roles=["GROUP_OWNER"])
    assert not failed and result["changed"] and "diff" not in result


# api_key_id without org_id: only the project's keys are read.

def test_key_id_without_org_reads_the_project_and_patches(atlas):
    key_a = atlas.key_a["id"]
    failed, result = run(atlas, project_id=ALPHA, api_key_id=key_a, roles=["GROUP_OWNER"])
    assert not failed and result["changed"]
    assert atlas.sent()[0] == ("GET", "/groups/%s/apiKeys" % ALPHA, None)
    assert atlas.sent(writes_only=True) == [("PATCH", "/groups/%s/apiKeys/%s" % (ALPHA, key_a), dict(roles=["GROUP_OWNER"]))]


def test_key_id_without_org_same_roles_is_ok(atlas):
    failed, result = run(atlas, project_id=ALPHA, api_key_id=atlas.key_a["id"], roles=["GROUP_READ_ONLY"])
    assert not failed and not result["changed"] and atlas.writes() == []
    assert len(atlas.sent()) == 1


def test_unassigned_key_id_without_org_is_found_through_the_project(atlas):
    failed, result = run(atlas, project_id=ALPHA, api_key_id=atlas.key_b["id"], roles=["GROUP_READ_ONLY"])
    assert not failed and result["changed"]
    assert ("GET", "/groups/%s" % ALPHA, None) in atlas.sent()
    assert roles_in(atlas, atlas.key_b, ALPHA) == ["GROUP_READ_ONLY"]


def test_key_id_without_org_absent_unassigns(atlas):
    key_a = atlas.key_a["id"]
    failed, result = run(atlas, project_id=BETA, api_key_id=key_a, state="absent")
    assert not failed and result["changed"]
    assert atlas.sent(writes_only=True) == [("DELETE", "/groups/%s/apiKeys/%s" % (BETA, key_a), None)]
    assert roles_in(atlas, atlas.key_a, ALPHA) == ["GROUP_READ_ONLY"]


def test_key_id_without_org_absent_when_not_assigned_is_ok(atlas):
    failed, result = run(atlas, project_id=ALPHA, api_key_id=atlas.key_b["id"], state="absent")
    assert not failed and not result["changed"] and atlas.writes() == []
    assert result["api_key"] == {}


# Create and assign.

def test_description_that_matches_nothing_creates_and_assigns(atlas):
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, description="deploy-shop",
                         roles=["GROUP_READ_ONLY", "GROUP_CLUSTER_MANAGER"])
    assert not failed and result["changed"]
    assert atlas.sent(writes_only=True) == [("POST", "/groups/%s/apiKeys" % ALPHA,
                                             dict(desc="deploy-shop", roles=["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"]))]
    created = created_key(atlas, "deploy-shop")
    assert result["api_key"] == dict(id=created["id"], public_key=created["publicKey"], description="deploy-shop",
                                     roles=["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"], private_key=created["privateKey"])
    assert roles_in(atlas, created, ALPHA) == ["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"]
    assert result["diff"] == dict(before={}, after=dict(roles=["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"]))
    assert created["privateKey"] not in json.dumps(result["diff"])


def test_create_check_mode_sends_no_write_and_has_no_secret(atlas):
    before = atlas.view()
    failed, result = run(atlas, check_mode=True, org_id=ORG, project_id=ALPHA, description="deploy-shop",
                         roles=["GROUP_READ_ONLY"])
    assert not failed and result["changed"] and atlas.writes() == []
    assert result["api_key"] == dict(description="deploy-shop", roles=["GROUP_READ_ONLY"])
    assert atlas.view() == before


def test_second_run_after_create_returns_no_private_key(atlas):
    run(atlas, org_id=ORG, project_id=ALPHA, description="deploy-shop", roles=["GROUP_READ_ONLY"])
    atlas.clear_log()
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, description="deploy-shop", roles=["GROUP_READ_ONLY"])
    assert not failed and not result["changed"] and atlas.writes() == []
    assert "private_key" not in result["api_key"]
    assert created_key(atlas, "deploy-shop")["privateKey"] not in json.dumps(result) and "****" not in json.dumps(result)


def test_create_lost_answer_fails_naming_the_key_and_never_posts_again(atlas):
    drop_post(atlas, "after")
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, description="deploy-shop", roles=["GROUP_READ_ONLY"])
    assert failed and result["changed"]
    assert [request[0] for request in atlas.sent(writes_only=True)] == ["POST"]
    created = created_key(atlas, "deploy-shop")
    assert "private key was lost" in result["msg"] and created["id"] in result["msg"]
    assert "atlas_org_api_key with org_id=%s, api_key_id=%s, state=absent" % (ORG, created["id"]) in result["msg"]
    assert result["api_key"]["id"] == created["id"] and "private_key" not in result["api_key"]
    assert created["privateKey"] not in json.dumps(result)


@pytest.mark.parametrize("option, value", [("api_key_id", MISSING_ID), ("public_key", "nokeyzzz")])
def test_missing_key_named_by_id_fails(atlas, option, value):
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, roles=["GROUP_READ_ONLY"], **{option: value})
    assert failed and not result["changed"]
    assert "does not exist in organization %s" % ORG in result["msg"]
    assert atlas.writes() == []


def test_ambiguous_description_fails_with_ids(atlas):
    twin = atlas.add_key("ci-key-b", ["ORG_MEMBER"])
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, description="ci-key-b", roles=["GROUP_READ_ONLY"])
    assert failed and sorted(result["matching_ids"]) == sorted([atlas.key_b["id"], twin["id"]])
    assert atlas.writes() == []


# Unassigning.

@pytest.mark.parametrize("how", ["api_key_id", "public_key", "description"])
def test_absent_unassigns_from_this_project_only(atlas, how):
    key_a = atlas.key_a
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, state="absent", **selector(atlas, "key_a", how))
    assert not failed and result["changed"]
    assert atlas.sent(writes_only=True) == [("DELETE", "/groups/%s/apiKeys/%s" % (ALPHA, key_a["id"]), None)]
    assert key_a["id"] in atlas.view() and roles_in(atlas, key_a, BETA) == ["GROUP_OWNER"]
    assert roles_in(atlas, key_a, ALPHA) == []
    assert result["api_key"] == dict(id=key_a["id"], public_key=key_a["publicKey"], description="ci-key-a", roles=[])
    assert result["diff"] == dict(before=dict(roles=["GROUP_READ_ONLY"]), after=dict(roles=[]))


def test_absent_check_mode(atlas):
    failed, result = run(atlas, check_mode=True, org_id=ORG, project_id=ALPHA, api_key_id=atlas.key_a["id"],
                         state="absent")
    assert not failed and result["changed"] and atlas.writes() == []
    assert roles_in(atlas, atlas.key_a, ALPHA) == ["GROUP_READ_ONLY"]


@pytest.mark.parametrize("named", [dict(key="key_b", how="api_key_id"), dict(key="key_b", how="description"),
                                   dict(description="no such key"), dict(api_key_id=MISSING_ID)])
def test_absent_when_not_assigned_or_missing_is_ok(atlas, named):
    args = selector(atlas, named["key"], named["how"]) if "key" in named else named
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, state="absent", **args)
    assert not failed and not result["changed"] and atlas.writes() == []


def test_absent_ignores_roles(atlas):
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, api_key_id=atlas.key_a["id"], state="absent",
                         roles=["ORG_OWNER"])
    assert not failed and result["changed"]


# Errors from Atlas.

def test_atlas_error_is_reported_with_its_code(atlas):
    key_a = atlas.key_a["id"]
    failed, result = run(atlas, org_id=ORG, project_id=ALPHA, api_key_id=key_a, roles=["GROUP_OWNER"],
                         api_public_key=atlas.module.READ_ONLY_PUBLIC_KEY,
                         api_private_key=atlas.module.READ_ONLY_PRIVATE_KEY)
    assert failed
    assert result["msg"].startswith("Failed to change the roles of API key %s in project %s: HTTP 401 "
                                    "USER_UNAUTHORIZED" % (key_a, ALPHA))
    assert result["error"]["code"] == "USER_UNAUTHORIZED"
    assert roles_in(atlas, atlas.key_a, ALPHA) == ["GROUP_READ_ONLY"]


@pytest.mark.parametrize("version", ["v2", "v1.0"])
def test_both_api_versions_reach_atlas(atlas, version):
    failed, result = run(atlas, api_version=version, org_id=ORG, project_id=ALPHA, api_key_id=atlas.key_b["id"],
                         roles=["GROUP_READ_ONLY"])
    assert not failed and result["changed"]
    assert {entry["path"].split("/")[3] for entry in atlas.log()} == {version}
    assert roles_in(atlas, atlas.key_b, ALPHA) == ["GROUP_READ_ONLY"]
