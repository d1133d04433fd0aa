# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The three read-only modules: atlas_org_api_key_info, atlas_api_key_accesslist_info, atlas_project_api_key_info.

The modules run for real against the simulator (the ``sim`` fixture), which records every request, so the tests
see exactly what goes on the wire. Its seed holds three keys (admin, read-only, project owner in alpha).
"""

from __future__ import annotations

import json

import pytest

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
OTHER_ORG = "65a1b2c3d4e5f6a7b8c9d0e2"  # exists; no seeded credential may read it (401 USER_CANNOT_ACCESS_ORG)
ALPHA = "65a1b2c3d4e5f6a7b8c9d0f1"
BETA = "65a1b2c3d4e5f6a7b8c9d0f2"
MISSING_KEY_ID = "6570a1b2c3d4e5f6a7000063"
KEYS_PATH = "/orgs/%s/apiKeys" % ORG


@pytest.fixture
def atlas(sim):
    """The simulator, with three more keys in ORG: two share a description; one has roles in two projects, one has
    roles in another organization and an access list."""
    sim.ci3 = sim.add_key("ci-deploy", ["ORG_READ_ONLY", "ORG_MEMBER"],
                          projects={BETA: ["GROUP_READ_ONLY"], ALPHA: ["GROUP_OWNER", "GROUP_CLUSTER_MANAGER"]})
    sim.ci1 = sim.add_key("ci-deploy", ["ORG_MEMBER"])
    sim.monitoring = sim.add_key("monitoring", ["ORG_OWNER"], other_orgs={OTHER_ORG: ["ORG_MEMBER"]}, access_list=[
        dict(cidrBlock="203.0.113.10/32", count=4, created="2026-11-02T09:14:07Z", lastUsed="2026-11-20T17:02:44Z",
             lastUsedAddress="203.0.113.10"),
        dict(cidrBlock="10.0.0.0/8", count=0, created="2026-11-03T09:14:07Z"),
        dict(cidrBlock="2001:db8::/48", count=0, created="2026-11-04T09:14:07Z")])
    sim.clear_log()
    return sim


def run(sim, module, args, check_mode=False):
    """Run a module with the simulator's admin key; return its result (failed=True when it failed)."""
    result = sim.run(module, check_mode=check_mode, diff=False, **args)
    result.pop("invocation", None)
    return result


def assert_no_secret(sim, result):
    text = json.dumps(result)
    assert "private_key" not in text and "privateKey" not in text
    assert "****" not in text
    assert sim.secrets_in(result) == []


def paths(sim):
    return [path for _method, path, _body in sim.sent()]


def pages(sim):
    return [(entry["query"].get("pageNum"), entry["query"].get("itemsPerPage")) for entry in sim.log()
            if not entry["challenge"]]


def state_keys(sim):
    return sorted((key for key in sim.state()["api_keys"] if key["orgId"] == ORG), key=lambda key: key["publicKey"])


# atlas_org_api_key_info


def test_org_info_lists_every_key_with_roles_and_assignments(atlas):
    result = run(atlas, "atlas_org_api_key_info", dict(org_id=ORG))
    assert result["changed"] is False
    assert [key["public_key"] for key in result["api_keys"]] == [key["publicKey"] for key in state_keys(atlas)]
    (ci3,) = [key for key in result["api_keys"] if key["id"] == atlas.ci3["id"]]
    assert ci3 == dict(
        id=atlas.ci3["id"], public_key=atlas.ci3["publicKey"], description="ci-deploy", roles=["ORG_MEMBER", "ORG_READ_ONLY"],
        project_assignments=[dict(project_id=ALPHA, roles=["GROUP_CLUSTER_MANAGER", "GROUP_OWNER"]),
                             dict(project_id=BETA, roles=["GROUP_READ_ONLY"])])
    # roles in another organization are not roles in this one
    (monitoring,) = [key for key in result["api_keys"] if key["id"] == atlas.monitoring["id"]]
    assert monitoring["roles"] == ["ORG_OWNER"]
    assert_no_secret(atlas, result)
    assert atlas.writes() == []
    assert paths(atlas) == [KEYS_PATH]
    assert "diff" not in result


def test_org_info_empty_organization(sim):
    service_account = dict(api_public_key=None, api_private_key=None, client_id=sim.module.SERVICE_ACCOUNT_CLIENT_ID,
                           client_secret=sim.module.SERVICE_ACCOUNT_CLIENT_SECRET)
    for key_id in [key["id"] for key in state_keys(sim)]:
        assert sim.run("atlas_org_api_key", org_id=ORG, api_key_id=key_id, state="absent", **service_account)["changed"]
    result = sim.run("atlas_org_api_key_info", org_id=ORG, **service_account)
    assert result["api_keys"] == []


def test_org_info_follows_every_page(sim):
    sim.control("POST", "seed", {"api_keys": 1097})
    sim.clear_log()
    result = run(sim, "atlas_org_api_key_info", dict(org_id=ORG))
    assert len(result["api_keys"]) == 1100
    assert len({key["id"] for key in result["api_keys"]}) == 1100
    assert pages(sim) == [("1", "500"), ("2", "500"), ("3", "500")]
    assert sim.writes() == []


def test_org_info_by_id_reads_that_key_only(atlas):
    result = run(atlas, "atlas_org_api_key_info", dict(org_id=ORG, api_key_id=atlas.monitoring["id"]))
    assert [key["id"] for key in result["api_keys"]] == [atlas.monitoring["id"]]
    assert result["api_keys"][0]["description"] == "monitoring"
    assert paths(atlas) == ["%s/%s" % (KEYS_PATH, atlas.monitoring["id"])]
    assert_no_secret(atlas, result)


@pytest.mark.parametrize("option, value", [("api_key_id", MISSING_KEY_ID), ("public_key", "zzzzzzzz"),
                                           ("description", "nobody has this")])
def test_org_info_filter_without_match_is_an_empty_list(atlas, option, value):
    result = run(atlas, "atlas_org_api_key_info", {"org_id": ORG, option: value})
    assert result.get("failed") is not True
    assert result["changed"] is False
    assert result["api_keys"] == []


def test_org_info_by_public_key(atlas):
    result = run(atlas, "atlas_org_api_key_info", dict(org_id=ORG, public_key=atlas.ci3["publicKey"]))
    assert [key["id"] for key in result["api_keys"]] == [atlas.ci3["id"]]


def test_org_info_by_description_returns_every_match(atlas):
    result = run(atlas, "atlas_org_api_key_info", dict(org_id=ORG, description="ci-deploy"))
    assert result.get("failed") is not True
    by_public_key = sorted([atlas.ci1, atlas.ci3], key=lambda key: key["publicKey"])
    assert [key["id"] for key in result["api_keys"]] == [key["id"] for key in by_public_key]


def test_org_info_check_mode_gives_the_same_answer(atlas):
    normal = run(atlas, "atlas_org_api_key_info", dict(org_id=ORG))
    checked = run(atlas, "atlas_org_api_key_info", dict(org_id=ORG), check_mode=True)
    assert checked == normal
    assert checked["changed"] is False
    assert atlas.writes() == []


def test_org_info_atlas_error_fails_with_its_code(atlas):
    result = run(atlas, "atlas_org_api_key_info", dict(org_id=OTHER_ORG))
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to list the API keys of organization %s: HTTP 401 USER_CANNOT_ACCESS_ORG"
                                    % OTHER_ORG)
    assert result["error"]["code"] == "USER_CANNOT_ACCESS_ORG"
    assert_no_secret(atlas, result)


# atlas_api_key_accesslist_info

# In address order: IPv4 first, then by network address.
MONITORING_ENTRIES = [
    dict(cidr_block="10.0.0.0/8", created="2026-11-03T09:14:07Z", last_used=None, last_used_address=None, count=0),
    dict(cidr_block="203.0.113.10/32", ip_address="203.0.113.10", created="2026-11-02T09:14:07Z",
         last_used="2026-11-20T17:02:44Z", last_used_address="203.0.113.10", count=4),
    dict(cidr_block="2001:db8::/48", created="2026-11-04T09:14:07Z", last_used=None, last_used_address=None, count=0),
]


def access_list_path(key_id, org=ORG):
    return "/orgs/%s/apiKeys/%s/accessList" % (org, key_id)


@pytest.mark.parametrize("selector, reads_the_keys", [
    # Named by id, the key is not read first: its access list is the only request.
    ("api_key_id", False), ("public_key", True), ("description", True)])
def test_accesslist_info_reads_the_entries_of_the_named_key(atlas, selector, reads_the_keys):
    value = dict(api_key_id=atlas.monitoring["id"], public_key=atlas.monitoring["publicKey"], description="monitoring")
    result = run(atlas, "atlas_api_key_accesslist_info", {"org_id": ORG, selector: value[selector]})
    assert result["changed"] is False
    assert result["api_key_id"] == atlas.monitoring["id"]
    assert result["entries"] == MONITORING_ENTRIES
    assert paths(atlas) == [KEYS_PATH] * reads_the_keys + [access_list_path(atlas.monitoring["id"])]
    assert atlas.writes() == []
    assert_no_secret(atlas, result)


def test_accesslist_info_entries_are_in_address_order(sim):
    # Text order would put 10.x before 9.x, a /24 before the /16 that holds it, 2001:db8:: before 203.x and ::/0 last.
    key = sim.add_key("ordered", ["ORG_MEMBER"], access_list=[dict(cidrBlock=block) for block in (
        "2001:db8::/48", "::/0", "10.0.0.0/24", "203.0.113.0/24", "10.0.0.0/16", "9.0.0.0/8", "0.0.0.0/0",
        "2001:db8::/32", "10.0.0.0/32")])
    result = run(sim, "atlas_api_key_accesslist_info", dict(org_id=ORG, api_key_id=key["id"]))
    assert [entry["cidr_block"] for entry in result["entries"]] == [
        "0.0.0.0/0", "9.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/32", "203.0.113.0/24",
        "::/0", "2001:db8::/32", "2001:db8::/48"]


def test_accesslist_info_empty_access_list(atlas):
    result = run(atlas, "atlas_api_key_accesslist_info", dict(org_id=ORG, api_key_id=atlas.ci1["id"]))
    assert result["entries"] == []
    assert result["api_key_id"] == atlas.ci1["id"]


def test_accesslist_info_follows_every_page(sim):
    key = sim.add_key("wide", ["ORG_MEMBER"], access_list=[
        dict(cidrBlock="10.%d.%d.0/24" % (number // 256, number % 256)) for number in range(700)])
    sim.clear_log()
    result = run(sim, "atlas_api_key_accesslist_info", dict(org_id=ORG, api_key_id=key["id"]))
    assert len(result["entries"]) == 700
    assert paths(sim) == [access_list_path(key["id"])] * 2
    assert pages(sim) == [("1", "500"), ("2", "500")]
    # 10.0.255.0/24, then 10.1.0.0/24: address order across the pages.
    blocks = [entry["cidr_block"] for entry in result["entries"]]
    assert blocks[255:257] == ["10.0.255.0/24", "10.1.0.0/24"] and blocks[-1] == "10.2.187.0/24"


def test_accesslist_info_check_mode_gives_the_same_answer(atlas):
    args = dict(org_id=ORG, public_key=atlas.monitoring["publicKey"])
    normal = run(atlas, "atlas_api_key_accesslist_info", args)
    checked = run(atlas, "atlas_api_key_accesslist_info", args, check_mode=True)
    assert checked == normal
    assert atlas.writes() == []


@pytest.mark.parametrize("selector, label, reads", [
    # By id, the access list is read at once; Atlas answers 404 API_KEY_NOT_FOUND for a key that is not there.
    (dict(api_key_id=MISSING_KEY_ID), "API key %s" % MISSING_KEY_ID, [access_list_path(MISSING_KEY_ID)]),
    (dict(public_key="zzzzzzzz"), "API key with public key 'zzzzzzzz'", [KEYS_PATH]),
    (dict(description="nobody"), "API key 'nobody'", [KEYS_PATH]),
], ids=["api_key_id", "public_key", "description"])
def test_accesslist_info_missing_key_fails_clearly(atlas, selector, label, reads):
    result = run(atlas, "atlas_api_key_accesslist_info", dict(org_id=ORG, **selector))
    assert result["failed"] is True
    assert result["msg"] == "%s does not exist in organization %s." % (label, ORG)
    assert "error" not in result
    assert paths(atlas) == reads
    assert atlas.writes() == []


def test_accesslist_info_by_id_in_an_organization_out_of_reach_is_not_a_missing_key(atlas):
    key_id = atlas.monitoring["id"]
    result = run(atlas, "atlas_api_key_accesslist_info", dict(org_id=OTHER_ORG, api_key_id=key_id))
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to list the access list of API key %s: HTTP 401 USER_CANNOT_ACCESS_ORG"
                                    % key_id)
    assert "does not exist" not in result["msg"]
    assert result["error"]["code"] == "USER_CANNOT_ACCESS_ORG"
    assert paths(atlas) == [access_list_path(key_id, OTHER_ORG)]


def test_accesslist_info_ambiguous_description_fails_naming_the_keys(atlas):
    result = run(atlas, "atlas_api_key_accesslist_info", dict(org_id=ORG, description="ci-deploy"))
    assert result["failed"] is True
    assert atlas.ci1["id"] in result["msg"] and atlas.ci3["id"] in result["msg"]
    assert sorted(result["matching_ids"]) == sorted([atlas.ci1["id"], atlas.ci3["id"]])
    assert not any(path.endswith("/accessList") for path in paths(atlas))


# atlas_project_api_key_info


def test_project_info_lists_the_assigned_keys_with_their_roles_there(atlas):
    beta_only = atlas.add_key("beta-only", ["ORG_MEMBER"], projects={BETA: ["GROUP_OWNER"]})
    result = run(atlas, "atlas_project_api_key_info", dict(project_id=ALPHA))
    assert result["changed"] is False
    seed = atlas.module
    assert sorted(result["api_keys"], key=lambda key: key["id"]) == sorted([
        dict(id=atlas.ci3["id"], public_key=atlas.ci3["publicKey"], description="ci-deploy",
             roles=["GROUP_CLUSTER_MANAGER", "GROUP_OWNER"]),
        dict(id=seed.PROJECT_OWNER_KEY_ID, public_key=seed.PROJECT_OWNER_PUBLIC_KEY,
             description="simulator project owner", roles=["GROUP_OWNER"])], key=lambda key: key["id"])
    beta = run(atlas, "atlas_project_api_key_info", dict(project_id=BETA))
    assert sorted((key["public_key"], key["roles"]) for key in beta["api_keys"]) == sorted([
        (atlas.ci3["publicKey"], ["GROUP_READ_ONLY"]), (beta_only["publicKey"], ["GROUP_OWNER"])])
    assert set(paths(atlas)) == {"/groups/%s/apiKeys" % ALPHA, "/groups/%s/apiKeys" % BETA}
    assert atlas.writes() == []
    assert_no_secret(atlas, result)
    assert_no_secret(atlas, beta)


def test_project_info_empty_project(sim):
    assert run(sim, "atlas_project_api_key_info", dict(project_id=BETA))["api_keys"] == []


def test_project_info_follows_every_page(sim):
    sim.control("POST", "seed", {"api_keys": 1099, "project_id": ALPHA})
    sim.clear_log()
    result = run(sim, "atlas_project_api_key_info", dict(project_id=ALPHA))
    assert len({key["id"] for key in result["api_keys"]}) == 1100  # with the seeded project owner
    assert [page for page, _size in pages(sim)] == ["1", "2", "3"]


def test_project_info_check_mode_gives_the_same_answer(atlas):
    normal = run(atlas, "atlas_project_api_key_info", dict(project_id=ALPHA))
    checked = run(atlas, "atlas_project_api_key_info", dict(project_id=ALPHA), check_mode=True)
    assert checked == normal
    assert atlas.writes() == []
