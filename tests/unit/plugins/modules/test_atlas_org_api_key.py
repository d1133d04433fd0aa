# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of atlas_org_api_key: the module's decisions against the simulator (the ``sim`` fixture).

Each test asserts the exact requests sent (method, path after the API root, body) and what Atlas holds after.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.mongodb_atlas.api_keys.tests.simulator.atlas_simulator import FaultPlan

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
UNKNOWN_ORG = "65a1b2c3d4e5f6a7b8c9d0e9"
PROJECT = "65a1b2c3d4e5f6a7b8c9d0f1"
KEYS = "/orgs/%s/apiKeys" % ORG
LIST = ("GET", KEYS, None)


@pytest.fixture
def atlas(sim):
    """The simulator with an empty request log (its seed holds three keys: admin, read-only, project owner)."""
    sim.clear_log()
    return sim


def run(sim, args, check_mode=False, diff=False):
    """Run the module with the simulator's admin key; return (result, failed)."""
    args = dict(args)
    args.setdefault("org_id", ORG)
    result = sim.run("atlas_org_api_key", check_mode=check_mode, diff=diff, **args)
    assert sim.secrets_in(result) == [], "a secret leaked into the result"
    return result, bool(result.get("failed"))


def ok(sim, args, **kwargs):
    result, failed = run(sim, args, **kwargs)
    assert not failed, result["msg"]
    return result


def fails(sim, args, **kwargs):
    result, failed = run(sim, args, **kwargs)
    assert failed, result
    return result


def key_in_atlas(sim, key_id):
    return next((key for key in sim.state()["api_keys"] if key["id"] == key_id), None)


def created_keys(sim, before):
    """The keys Atlas holds now that it did not hold in ``before`` (a ``sim.view()``)."""
    return {key_id: view for key_id, view in sim.view().items() if key_id not in before}


# --- create --------------------------------------------------------------------------------------------


def test_create(atlas):
    before = atlas.view()
    result = ok(atlas, dict(description="ci-deploy", roles=["ORG_READ_ONLY", "ORG_MEMBER"]))
    assert atlas.sent() == [LIST, ("POST", KEYS, {"desc": "ci-deploy", "roles": ["ORG_MEMBER", "ORG_READ_ONLY"]})]
    assert result["changed"] is True
    ((key_id, view),) = created_keys(atlas, before).items()
    assert view == ("ci-deploy", frozenset(["ORG_MEMBER", "ORG_READ_ONLY"]), frozenset(), frozenset())
    raw = key_in_atlas(atlas, key_id)
    assert result["api_key"] == dict(id=key_id, public_key=raw["publicKey"], description="ci-deploy",
                                     roles=["ORG_MEMBER", "ORG_READ_ONLY"], project_assignments=[],
                                     private_key=raw["privateKey"])
    assert "diff" not in result


def test_create_sends_each_role_once(atlas):
    ok(atlas, dict(description="ci-deploy", roles=["ORG_MEMBER", "ORG_MEMBER"]))
    assert atlas.sent(writes_only=True) == [("POST", KEYS, {"desc": "ci-deploy", "roles": ["ORG_MEMBER"]})]


def test_create_uses_v1_when_asked(atlas):
    result = ok(atlas, dict(description="ci-deploy", roles=["ORG_MEMBER"], api_version="v1.0"))
    assert [entry["path"] for entry in atlas.log() if not entry["challenge"]] == ["/api/atlas/v1.0" + KEYS] * 2
    assert key_in_atlas(atlas, result["api_key"]["id"])["desc"] == "ci-deploy"
    assert result["api_key"]["private_key"]


def test_create_then_run_again_is_ok_and_returns_no_private_key(atlas):
    ok(atlas, dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    atlas.clear_log()
    result = ok(atlas, dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    assert result["changed"] is False
    assert atlas.sent() == [LIST]
    assert "private_key" not in result["api_key"]
    assert result["api_key"]["description"] == "ci-deploy"


def test_create_in_check_mode_sends_no_write(atlas):
    before = atlas.view()
    result = ok(atlas, dict(description="ci-deploy", roles=["ORG_MEMBER", "ORG_OWNER"]), check_mode=True, diff=True)
    assert atlas.sent() == [LIST]
    assert atlas.view() == before
    assert result["changed"] is True
    assert result["api_key"] == dict(description="ci-deploy", roles=["ORG_MEMBER", "ORG_OWNER"],
                                     project_assignments=[])
    assert result["diff"] == dict(before={}, after=dict(description="ci-deploy", roles=["ORG_MEMBER", "ORG_OWNER"]))


def test_create_diff_holds_no_secret(atlas):
    result = ok(atlas, dict(description="ci-deploy", roles=["ORG_MEMBER"]), diff=True)
    assert result["diff"] == dict(before={}, after=dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    assert result["api_key"]["private_key"] not in json.dumps(result["diff"])


def test_create_needs_roles(atlas):
    result = fails(atlas, dict(description="ci-deploy"))
    assert result["msg"] == ("roles is required to create API key 'ci-deploy'; no key with this description "
                             "exists in organization %s." % ORG)
    assert atlas.writes() == []
    assert result["changed"] is False


def test_create_answer_lost_after_atlas_applied_it(atlas):
    before = atlas.view()
    atlas.control("POST", "faults", {"rules": [{"method": "POST", "path": "/apiKeys$", "kind": "drop", "when": "after"}]})
    result = fails(atlas, dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    (key_id,) = created_keys(atlas, before)
    raw = key_in_atlas(atlas, key_id)
    assert result["changed"] is True
    assert "the answer that carried its private key was lost" in result["msg"]
    assert "cannot be recovered" in result["msg"]
    assert "api_key_id=%s" % key_id in result["msg"]
    assert raw["publicKey"] in result["msg"]
    assert result["api_key"]["id"] == key_id
    assert "private_key" not in result["api_key"]
    # one POST only; the reread is a list by description
    assert atlas.sent() == [LIST, ("POST", KEYS, {"desc": "ci-deploy", "roles": ["ORG_MEMBER"]}), LIST]


def test_create_answer_lost_before_atlas_applied_it_creates_one_key(atlas):
    before = atlas.view()
    atlas.control("POST", "faults", {"rules": [{"method": "POST", "path": "/apiKeys$", "kind": "drop", "when": "before"}]})
    result = ok(atlas, dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    body = {"desc": "ci-deploy", "roles": ["ORG_MEMBER"]}
    assert atlas.sent() == [LIST, ("POST", KEYS, body), LIST, ("POST", KEYS, body)]
    assert len(created_keys(atlas, before)) == 1
    assert result["changed"] is True
    assert result["api_key"]["private_key"]


def test_create_refused_by_atlas(atlas):
    atlas.control("POST", "config", {"max_keys_per_org": len(atlas.view())})
    result = fails(atlas, dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    assert result["msg"] == ("Failed to create API key 'ci-deploy' in organization %s: HTTP 409 "
                             "MAX_API_KEYS_PER_ORG_EXCEEDED: Organization %s already has the maximum of 3 API keys."
                             % (ORG, ORG))
    assert result["error"]["status"] == 409
    assert result["changed"] is False


class RereadFails(FaultPlan):
    """The POST's connection drops before Atlas applies it; every GET after it gets 503."""

    def __init__(self):
        super().__init__({"rules": [{"method": "POST", "path": "/apiKeys$", "kind": "drop"}]})
        self.posted = False

    def pick(self, method, path, stage):
        if method == "GET" and self.posted and stage == "request":
            return {"kind": "503", "when": "before", "retry_after": None, "delay": 0.0}
        self.posted = self.posted or (method == "POST" and stage == "request")
        return super().pick(method, path, stage)


def test_create_answer_lost_and_atlas_unreadable_sends_no_second_post(atlas):
    before = atlas.view()
    atlas.set_faults(RereadFails())
    result = fails(atlas, dict(description="ci-deploy", roles=["ORG_MEMBER"], retries=0))
    assert result["msg"].startswith("Failed to list the API keys of organization %s: HTTP 503" % ORG)
    assert result["changed"] is True  # the POST may have been applied
    assert [request[0] for request in atlas.sent()] == ["GET", "POST", "GET"]
    assert atlas.view() == before


# --- unchanged, update -----------------------------------------------------------------------------------


def test_in_sync_sends_only_reads(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER", "ORG_READ_ONLY"], projects={PROJECT: ["GROUP_READ_ONLY"]})
    result = ok(atlas, dict(description="ci-deploy", roles=["ORG_READ_ONLY", "ORG_MEMBER", "ORG_MEMBER"]), diff=True)
    assert atlas.sent() == [LIST]
    assert result["changed"] is False
    assert result["api_key"] == dict(id=raw["id"], public_key=raw["publicKey"], description="ci-deploy",
                                     roles=["ORG_MEMBER", "ORG_READ_ONLY"],
                                     project_assignments=[dict(project_id=PROJECT, roles=["GROUP_READ_ONLY"])])
    assert result["diff"]["before"] == result["diff"]["after"]


def test_roles_left_alone_when_not_given(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_OWNER"])
    result = ok(atlas, dict(api_key_id=raw["id"], description="ci-deploy"))
    assert atlas.sent() == [("GET", "%s/%s" % (KEYS, raw["id"]), None)]
    assert result["changed"] is False
    assert result["api_key"]["roles"] == ["ORG_OWNER"]


def test_change_roles_patches_roles_only(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"], projects={PROJECT: ["GROUP_OWNER"]})
    result = ok(atlas, dict(description="ci-deploy", roles=["ORG_READ_ONLY", "ORG_GROUP_CREATOR"]), diff=True)
    assert atlas.sent() == [LIST, ("PATCH", "%s/%s" % (KEYS, raw["id"]), {"roles": ["ORG_GROUP_CREATOR", "ORG_READ_ONLY"]})]
    assert result["changed"] is True
    assert result["api_key"]["roles"] == ["ORG_GROUP_CREATOR", "ORG_READ_ONLY"]
    assert result["api_key"]["project_assignments"] == [dict(project_id=PROJECT, roles=["GROUP_OWNER"])]
    assert atlas.view()[raw["id"]][1:3] == (frozenset(["ORG_GROUP_CREATOR", "ORG_READ_ONLY"]),
                                            frozenset([(PROJECT, frozenset(["GROUP_OWNER"]))]))
    assert "private_key" not in result["api_key"]
    assert result["diff"] == dict(before=dict(description="ci-deploy", roles=["ORG_MEMBER"]),
                                  after=dict(description="ci-deploy", roles=["ORG_GROUP_CREATOR", "ORG_READ_ONLY"]))


def test_change_description_by_public_key_patches_desc_only(atlas):
    raw = atlas.add_key("old text", ["ORG_MEMBER"])
    result = ok(atlas, dict(public_key=raw["publicKey"], description="new text", roles=["ORG_MEMBER"]), diff=True)
    assert atlas.sent() == [LIST, ("PATCH", "%s/%s" % (KEYS, raw["id"]), {"desc": "new text"})]
    assert result["changed"] is True
    assert result["api_key"]["description"] == "new text"
    assert key_in_atlas(atlas, raw["id"])["desc"] == "new text"
    assert result["diff"] == dict(before=dict(description="old text", roles=["ORG_MEMBER"]),
                                  after=dict(description="new text", roles=["ORG_MEMBER"]))


def test_change_both_by_api_key_id(atlas):
    raw = atlas.add_key("old text", ["ORG_MEMBER"])
    path = "%s/%s" % (KEYS, raw["id"])
    result = ok(atlas, dict(api_key_id=raw["id"], description="new text", roles=["ORG_OWNER"]))
    assert atlas.sent() == [("GET", path, None), ("PATCH", path, {"desc": "new text", "roles": ["ORG_OWNER"]})]
    assert result["api_key"]["description"] == "new text"
    assert result["api_key"]["roles"] == ["ORG_OWNER"]


def test_description_of_another_key_does_not_matter_when_named_by_id(atlas):
    atlas.add_key("shared text", ["ORG_MEMBER"])
    raw = atlas.add_key("mine", ["ORG_MEMBER"])
    ok(atlas, dict(api_key_id=raw["id"], description="shared text"))
    assert atlas.sent(writes_only=True) == [("PATCH", "%s/%s" % (KEYS, raw["id"]), {"desc": "shared text"})]


def test_update_in_check_mode_sends_no_write(atlas):
    raw = atlas.add_key("old text", ["ORG_MEMBER"])
    before = atlas.view()
    result = ok(atlas, dict(public_key=raw["publicKey"], description="new text", roles=["ORG_OWNER"]),
                check_mode=True, diff=True)
    assert atlas.writes() == []
    assert atlas.view() == before
    assert result["changed"] is True
    assert result["api_key"]["description"] == "new text"
    assert result["api_key"]["roles"] == ["ORG_OWNER"]
    assert result["api_key"]["id"] == raw["id"]
    assert result["diff"]["after"] == dict(description="new text", roles=["ORG_OWNER"])


def test_update_refused_by_atlas_reports_unchanged(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"])
    before = atlas.view()
    result = fails(atlas, dict(api_key_id=raw["id"], roles=["ORG_OWNER"],
                               api_public_key=atlas.module.READ_ONLY_PUBLIC_KEY,
                               api_private_key=atlas.module.READ_ONLY_PRIVATE_KEY))
    assert result["msg"].startswith("Failed to update API key %s in organization %s: HTTP 401 USER_UNAUTHORIZED"
                                    % (raw["id"], ORG))
    assert "Organization Owner" in result["msg"]
    assert result["changed"] is False
    assert atlas.view() == before


# --- finding the key -------------------------------------------------------------------------------------


def test_ambiguous_description_fails_naming_the_ids(atlas):
    first = atlas.add_key("twin", ["ORG_MEMBER"])
    second = atlas.add_key("twin", ["ORG_OWNER"])
    for state in ("present", "absent"):
        atlas.clear_log()
        result = fails(atlas, dict(description="twin", roles=["ORG_MEMBER"], state=state))
        assert first["id"] in result["msg"] and second["id"] in result["msg"]
        assert "matches 2 API keys" in result["msg"]
        assert "api_key_id or public_key" in result["msg"]
        assert sorted(result["matching_ids"]) == sorted([first["id"], second["id"]])
        assert atlas.sent() == [LIST]
        assert result["changed"] is False


def test_find_by_public_key_ignores_same_description(atlas):
    atlas.add_key("twin", ["ORG_MEMBER"])
    second = atlas.add_key("twin", ["ORG_MEMBER"])
    result = ok(atlas, dict(public_key=second["publicKey"], description="twin", roles=["ORG_MEMBER"]))
    assert result["changed"] is False
    assert result["api_key"]["id"] == second["id"]


def test_keys_over_several_pages_are_all_read(atlas):
    atlas.control("POST", "seed", {"api_keys": 501, "description_prefix": "key "})
    result = ok(atlas, dict(description="key 00501", roles=["ORG_MEMBER"]))
    assert result["changed"] is False
    assert [(entry["method"], entry["query"]["pageNum"]) for entry in atlas.log() if not entry["challenge"]] \
        == [("GET", "1"), ("GET", "2")]


@pytest.mark.parametrize("selector", ["api_key_id", "public_key"])
def test_missing_key_named_by_id_fails_under_present(atlas, selector):
    value = "6570a1b2c3d4e5f6a7b8ffff" if selector == "api_key_id" else "nokey999"
    result = fails(atlas, {selector: value, "description": "x", "roles": ["ORG_MEMBER"]})
    assert value in result["msg"]
    assert "does not exist in organization %s" % ORG in result["msg"]
    assert "cannot be created with a chosen id" in result["msg"]
    assert atlas.writes() == []
    assert result["changed"] is False


@pytest.mark.parametrize("selector", ["api_key_id", "public_key"])
def test_missing_key_named_by_id_is_ok_under_absent(atlas, selector):
    value = "6570a1b2c3d4e5f6a7b8ffff" if selector == "api_key_id" else "nokey999"
    result = ok(atlas, {selector: value, "state": "absent"}, diff=True)
    assert result["changed"] is False
    assert result["api_key"] == {}
    assert result["diff"] == dict(before={}, after={})
    assert atlas.writes() == []


@pytest.mark.parametrize("state", ["present", "absent"])
def test_unknown_organization_is_not_taken_for_a_missing_key(atlas, state):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"])
    result = fails(atlas, dict(org_id=UNKNOWN_ORG, api_key_id=raw["id"], state=state))
    assert "HTTP 404 ORG_NOT_FOUND: No organization with ID %s exists." % UNKNOWN_ORG in result["msg"]
    assert atlas.writes() == []
    assert key_in_atlas(atlas, raw["id"])


def test_a_key_must_be_named(atlas):
    result = fails(atlas, dict(roles=["ORG_MEMBER"]))
    assert result["msg"] == "Name the API key with one of api_key_id, public_key or description."
    assert atlas.log() == []


def test_api_key_id_and_public_key_are_exclusive(atlas):
    result = fails(atlas, dict(api_key_id="6570a1b2c3d4e5f6a7b8c9d0", public_key="zmmrboas"))
    assert "mutually exclusive" in result["msg"]
    assert atlas.log() == []


# --- delete ------------------------------------------------------------------------------------------------


def test_delete_by_description(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"], projects={PROJECT: ["GROUP_READ_ONLY"]})
    result = ok(atlas, dict(description="ci-deploy", state="absent"), diff=True)
    assert atlas.sent() == [LIST, ("DELETE", "%s/%s" % (KEYS, raw["id"]), None)]
    assert key_in_atlas(atlas, raw["id"]) is None
    assert result["changed"] is True
    assert result["api_key"]["id"] == raw["id"]
    assert result["diff"] == dict(before=dict(description="ci-deploy", roles=["ORG_MEMBER"]), after={})


def test_delete_by_api_key_id_then_again(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"])
    path = "%s/%s" % (KEYS, raw["id"])
    ok(atlas, dict(api_key_id=raw["id"], state="absent"))
    assert atlas.sent() == [("GET", path, None), ("DELETE", path, None)]
    atlas.clear_log()
    result = ok(atlas, dict(api_key_id=raw["id"], state="absent"))
    assert result["changed"] is False
    assert atlas.sent() == [("GET", path, None)]


def test_delete_missing_description_is_ok(atlas):
    atlas.add_key("other", ["ORG_MEMBER"])
    result = ok(atlas, dict(description="ci-deploy", state="absent"))
    assert {name: result[name] for name in ("changed", "api_key")} == dict(changed=False, api_key={})
    assert atlas.sent() == [LIST]


def test_delete_in_check_mode_sends_no_write(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"])
    result = ok(atlas, dict(public_key=raw["publicKey"], state="absent"), check_mode=True)
    assert atlas.writes() == []
    assert key_in_atlas(atlas, raw["id"])
    assert result["changed"] is True


def test_delete_ignores_roles(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"])
    ok(atlas, dict(description="ci-deploy", roles=["GROUP_OWNER"], state="absent"))
    assert atlas.sent(writes_only=True) == [("DELETE", "%s/%s" % (KEYS, raw["id"]), None)]


# --- input at the limits, credentials ---------------------------------------------------------------------


def test_description_of_250_characters_is_fine(atlas):
    ok(atlas, dict(description="x" * 250, roles=["ORG_MEMBER"]))
    assert atlas.sent(writes_only=True) == [("POST", KEYS, {"desc": "x" * 250, "roles": ["ORG_MEMBER"]})]


def test_credentials_from_the_environment(atlas, run_module, monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", atlas.url)
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", atlas.module.ADMIN_PUBLIC_KEY)
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", atlas.module.ADMIN_PRIVATE_KEY)
    result = run_module("atlas_org_api_key", dict(org_id=ORG, description="d", roles=["ORG_MEMBER"]))
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True
    assert {(entry["principal"], entry["authenticated"]) for entry in atlas.log() if not entry["challenge"]} \
        == {(atlas.module.ADMIN_PUBLIC_KEY, True)}
    assert atlas.secrets_in(result) == []


def test_wrong_credentials_give_a_clear_message(atlas):
    result = fails(atlas, dict(description="d", roles=["ORG_MEMBER"], api_private_key="wrong-private-key-value"))
    assert result["msg"].startswith("Failed to list the API keys of organization %s: HTTP 401 Unauthorized" % ORG)
    assert "Atlas rejected the credentials" in result["msg"]
    assert ".." not in result["msg"]
    assert "wrong-private-key-value" not in json.dumps(result)
    assert atlas.writes() == []
