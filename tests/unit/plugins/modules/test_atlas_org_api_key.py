# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of atlas_org_api_key: the module's decisions, with Atlas answered by an in-memory fake.

The fake sits behind AtlasClient.request (patched with autospec, so every call must match the real
signature); the client's own get/list_all/post/patch/delete and pagination run as they are. Each test
asserts the exact requests sent: method, path and body.
"""

from __future__ import annotations

import copy
import json
import re
from unittest import mock

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    AtlasApiError,
    AtlasClient,
    AtlasOutcomeUnknown,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.modules import atlas_org_api_key

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
OTHER_ORG = "65a1b2c3d4e5f6a7b8c9d0e9"
PROJECT = "65a1b2c3d4e5f6a7b8c9d0f1"
ADMIN_PUBLIC = "simadmin"
ADMIN_PRIVATE = "4c1f7c2e-9a55-4b8e-a3d2-5e0f6b7a9c11"
KEYS = "/orgs/%s/apiKeys" % ORG
LIST = ("GET", KEYS, None)
ENV_VARS = ("MONGODB_ATLAS_BASE_URL", "MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PUBLIC_KEY",
            "MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_PRIVATE_KEY")


class ExitJson(Exception):
    def __init__(self, result):
        super(ExitJson, self).__init__(result)
        self.result = result


class FailJson(Exception):
    def __init__(self, result):
        super(FailJson, self).__init__(result.get("msg"))
        self.result = result


class FakeAtlas(object):
    """The organization API key endpoints (ops 1-5), in memory, with Atlas' answers."""

    def __init__(self):
        self.keys = {}
        self.sent = []  # (method, path, body) of every request
        self.clients = []
        self.lose_create_answer = None  # "after": the POST is applied, its answer lost; "before": not applied
        self.errors = {}  # (method, path) -> AtlasApiError raised instead of answering
        self._serial = 0

    def add_key(self, desc, roles, projects=None):
        self._serial += 1
        key_id = "6570a1b2c3d4e5f6a7b8%04x" % self._serial
        raw = {
            "id": key_id,
            "publicKey": "pubk%04d" % self._serial,
            "desc": desc,
            "privateKey": "********-****-****-%012d" % self._serial,
            "roles": [{"orgId": ORG, "roleName": role} for role in roles]
            + [{"groupId": project, "roleName": role} for project, prj_roles in (projects or {}).items()
               for role in prj_roles],
            "links": [{"rel": "self", "href": "https://cloud.mongodb.com/api/atlas/v2%s/%s" % (KEYS, key_id)}],
        }
        self.keys[key_id] = raw
        return raw

    @property
    def writes(self):
        return [request for request in self.sent if request[0] != "GET"]

    def request(self, client, method, path, params=None, body=None, reread=None, media_type=None):
        if client not in self.clients:
            self.clients.append(client)
        self.sent.append((method, path, copy.deepcopy(body)))
        if (method, path) in self.errors:
            raise self.errors[(method, path)]
        match = re.match(r"^/orgs/([0-9a-f]{24})/apiKeys(?:/([^/]+))?$", path)
        assert match, "unexpected path %s" % path
        if match.group(1) != ORG:
            raise AtlasApiError(404, error_code="ORG_NOT_FOUND", detail="No organization with ID %s exists."
                                % match.group(1), reason="Not Found", method=method, path=path)
        key_id = match.group(2)
        if key_id is None and method == "GET":
            results = sorted(self.keys.values(), key=lambda key: key["publicKey"])
            size, page = params["itemsPerPage"], params["pageNum"]
            return {"results": copy.deepcopy(results[(page - 1) * size:page * size]), "totalCount": len(results)}
        if key_id is None and method == "POST":
            return self._create(client, path, body, reread)
        if key_id not in self.keys:
            raise AtlasApiError(404, error_code="API_KEY_NOT_FOUND", detail="No API key with ID %s exists." % key_id,
                                reason="Not Found", method=method, path=path)
        if method == "GET":
            return copy.deepcopy(self.keys[key_id])
        if method == "PATCH":
            raw = self.keys[key_id]
            if "desc" in body:
                raw["desc"] = body["desc"]
            if "roles" in body:
                raw["roles"] = ([{"orgId": ORG, "roleName": role} for role in body["roles"]]
                                + [role for role in raw["roles"] if "groupId" in role])
            return copy.deepcopy(raw)
        if method == "DELETE":
            del self.keys[key_id]
            return None
        raise AssertionError("unexpected %s %s" % (method, path))

    def _create(self, client, path, body, reread):
        mode, self.lose_create_answer = self.lose_create_answer, None
        if mode == "before":  # the connection dropped before Atlas applied the POST; the client rereads, then resends
            assert reread is not None, "a create must give the client a way to re-read"
            assert reread() is None
            return self.request(client, "POST", path, body=body, reread=reread)
        created = copy.deepcopy(self.add_key(body["desc"], body["roles"]))
        created["privateKey"] = "55c3bbb6-b4bb-4be1-8e6d-%012d" % self._serial
        if mode == "after":  # applied, the answer lost: the client rereads instead of sending it again
            assert reread is not None, "a create must give the client a way to re-read"
            return reread()
        return created


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def exits(monkeypatch):
    def exit_json(self, **kwargs):
        raise ExitJson(kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs.update(msg=msg, failed=True)
        raise FailJson(kwargs)

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)


@pytest.fixture
def atlas():
    fake = FakeAtlas()
    with mock.patch.object(AtlasClient, "request", autospec=True, side_effect=fake.request):
        yield fake


def run(args, credentials=True, check_mode=False, diff=False):
    """Run the module; return (result, failed)."""
    args = dict(args)
    args.setdefault("org_id", ORG)
    if credentials:
        args.setdefault("api_base_url", "http://127.0.0.1:9")
        args.setdefault("api_public_key", ADMIN_PUBLIC)
        args.setdefault("api_private_key", ADMIN_PRIVATE)
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    result, failed = None, None
    with patch_module_args(args):
        try:
            atlas_org_api_key.main()
        except ExitJson as done:
            result, failed = done.result, False
        except FailJson as failure:
            result, failed = failure.result, True
    assert result is not None, "the module neither exited nor failed"
    assert ADMIN_PRIVATE not in json.dumps(result), "the admin private key leaked into the result"
    return result, failed


def ok(args, **kwargs):
    result, failed = run(args, **kwargs)
    assert not failed, result["msg"]
    return result


def fails(args, **kwargs):
    result, failed = run(args, **kwargs)
    assert failed, result
    return result


# --- create --------------------------------------------------------------------------------------------


def test_create(atlas):
    result = ok(dict(description="ci-deploy", roles=["ORG_READ_ONLY", "ORG_MEMBER"]))
    assert atlas.sent == [LIST, ("POST", KEYS, {"desc": "ci-deploy", "roles": ["ORG_MEMBER", "ORG_READ_ONLY"]})]
    assert result["changed"] is True
    key = result["api_key"]
    raw = next(iter(atlas.keys.values()))
    assert key == dict(id=raw["id"], public_key=raw["publicKey"], description="ci-deploy",
                       roles=["ORG_MEMBER", "ORG_READ_ONLY"], project_assignments=[],
                       private_key="55c3bbb6-b4bb-4be1-8e6d-000000000001")
    assert "diff" not in result


def test_create_sends_each_role_once(atlas):
    ok(dict(description="ci-deploy", roles=["ORG_MEMBER", "ORG_MEMBER"]))
    assert atlas.writes == [("POST", KEYS, {"desc": "ci-deploy", "roles": ["ORG_MEMBER"]})]


def test_create_uses_v1_when_asked(atlas):
    ok(dict(description="ci-deploy", roles=["ORG_MEMBER"], api_version="v1.0"))
    (client,) = atlas.clients
    assert client.url(KEYS) == "http://127.0.0.1:9/api/atlas/v1.0" + KEYS
    assert client.media_type == "application/json"


def test_create_then_run_again_is_ok_and_returns_no_private_key(atlas):
    ok(dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    atlas.sent = []
    result = ok(dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    assert result["changed"] is False
    assert atlas.sent == [LIST]
    assert "private_key" not in result["api_key"]
    assert result["api_key"]["description"] == "ci-deploy"


def test_create_in_check_mode_sends_no_write(atlas):
    result = ok(dict(description="ci-deploy", roles=["ORG_MEMBER", "ORG_OWNER"]), check_mode=True, diff=True)
    assert atlas.sent == [LIST]
    assert atlas.keys == {}
    assert result["changed"] is True
    assert result["api_key"] == dict(description="ci-deploy", roles=["ORG_MEMBER", "ORG_OWNER"],
                                     project_assignments=[])
    assert result["diff"] == dict(before={}, after=dict(description="ci-deploy", roles=["ORG_MEMBER", "ORG_OWNER"]))


def test_create_diff_holds_no_secret(atlas):
    result = ok(dict(description="ci-deploy", roles=["ORG_MEMBER"]), diff=True)
    assert result["diff"] == dict(before={}, after=dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    assert result["api_key"]["private_key"] not in json.dumps(result["diff"])


def test_create_needs_roles(atlas):
    result = fails(dict(description="ci-deploy"))
    assert result["msg"] == ("roles is required to create API key 'ci-deploy'; no key with this description "
                             "exists in organization %s." % ORG)
    assert atlas.writes == []
    assert result["changed"] is False


def test_create_answer_lost_after_atlas_applied_it(atlas):
    atlas.lose_create_answer = "after"
    result = fails(dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    (raw,) = atlas.keys.values()
    assert result["changed"] is True
    assert "the answer that carried its private key was lost" in result["msg"]
    assert "cannot be recovered" in result["msg"]
    assert "api_key_id=%s" % raw["id"] in result["msg"]
    assert raw["publicKey"] in result["msg"]
    assert result["api_key"]["id"] == raw["id"]
    assert "private_key" not in result["api_key"]
    # one POST only; the reread is a list by description
    assert atlas.sent == [LIST, ("POST", KEYS, {"desc": "ci-deploy", "roles": ["ORG_MEMBER"]}), LIST]


def test_create_answer_lost_before_atlas_applied_it_creates_one_key(atlas):
    atlas.lose_create_answer = "before"
    result = ok(dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    body = {"desc": "ci-deploy", "roles": ["ORG_MEMBER"]}
    assert atlas.sent == [LIST, ("POST", KEYS, body), LIST, ("POST", KEYS, body)]
    assert len(atlas.keys) == 1
    assert result["changed"] is True
    assert result["api_key"]["private_key"]


def test_create_refused_by_atlas(atlas):
    atlas.errors[("POST", KEYS)] = AtlasApiError(400, error_code="INVALID_ATTRIBUTE", detail="Invalid role ORG_X",
                                                 reason="Bad Request", method="POST", path=KEYS)
    result = fails(dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    assert result["msg"] == ("Failed to create API key 'ci-deploy' in organization %s: HTTP 400 INVALID_ATTRIBUTE: "
                             "Invalid role ORG_X" % ORG)
    assert result["error"]["status"] == 400
    assert result["changed"] is False


def test_create_outcome_unknown_without_key_found(atlas):
    cause = AtlasApiError(503, reason="Service Unavailable", method="POST", path=KEYS)
    atlas.errors[("POST", KEYS)] = AtlasOutcomeUnknown(cause, "POST", KEYS)
    result = fails(dict(description="ci-deploy", roles=["ORG_MEMBER"]))
    assert "outcome of POST %s is unknown" % KEYS in result["msg"]
    assert result["changed"] is True


# --- unchanged, update -----------------------------------------------------------------------------------


def test_in_sync_sends_only_reads(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER", "ORG_READ_ONLY"], projects={PROJECT: ["GROUP_READ_ONLY"]})
    result = ok(dict(description="ci-deploy", roles=["ORG_READ_ONLY", "ORG_MEMBER", "ORG_MEMBER"]), diff=True)
    assert atlas.sent == [LIST]
    assert result["changed"] is False
    assert result["api_key"] == dict(id=raw["id"], public_key=raw["publicKey"], description="ci-deploy",
                                     roles=["ORG_MEMBER", "ORG_READ_ONLY"],
                                     project_assignments=[dict(project_id=PROJECT, roles=["GROUP_READ_ONLY"])])
    assert result["diff"]["before"] == result["diff"]["after"]


def test_roles_left_alone_when_not_given(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_OWNER"])
    result = ok(dict(api_key_id=raw["id"], description="ci-deploy"))
    assert atlas.sent == [("GET", "%s/%s" % (KEYS, raw["id"]), None)]
    assert result["changed"] is False
    assert result["api_key"]["roles"] == ["ORG_OWNER"]


def test_change_roles_patches_roles_only(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"], projects={PROJECT: ["GROUP_OWNER"]})
    result = ok(dict(description="ci-deploy", roles=["ORG_READ_ONLY", "ORG_GROUP_CREATOR"]), diff=True)
    assert atlas.sent == [LIST, ("PATCH", "%s/%s" % (KEYS, raw["id"]), {"roles": ["ORG_GROUP_CREATOR", "ORG_READ_ONLY"]})]
    assert result["changed"] is True
    assert result["api_key"]["roles"] == ["ORG_GROUP_CREATOR", "ORG_READ_ONLY"]
    assert result["api_key"]["project_assignments"] == [dict(project_id=PROJECT, roles=["GROUP_OWNER"])]
    assert "private_key" not in result["api_key"]
    assert result["diff"] == dict(before=dict(description="ci-deploy", roles=["ORG_MEMBER"]),
                                  after=dict(description="ci-deploy", roles=["ORG_GROUP_CREATOR", "ORG_READ_ONLY"]))


def test_change_description_by_public_key_patches_desc_only(atlas):
    raw = atlas.add_key("old text", ["ORG_MEMBER"])
    result = ok(dict(public_key=raw["publicKey"], description="new text", roles=["ORG_MEMBER"]), diff=True)
    assert atlas.sent == [LIST, ("PATCH", "%s/%s" % (KEYS, raw["id"]), {"desc": "new text"})]
    assert result["changed"] is True
    assert result["api_key"]["description"] == "new text"
    assert result["diff"] == dict(before=dict(description="old text", roles=["ORG_MEMBER"]),
                                  after=dict(description="new text", roles=["ORG_MEMBER"]))


def test_change_both_by_api_key_id(atlas):
    raw = atlas.add_key("old text", ["ORG_MEMBER"])
    path = "%s/%s" % (KEYS, raw["id"])
    result = ok(dict(api_key_id=raw["id"], description="new text", roles=["ORG_OWNER"]))
    assert atlas.sent == [("GET", path, None), ("PATCH", path, {"desc": "new text", "roles": ["ORG_OWNER"]})]
    assert result["api_key"]["description"] == "new text"
    assert result["api_key"]["roles"] == ["ORG_OWNER"]


def test_description_of_another_key_does_not_matter_when_named_by_id(atlas):
    atlas.add_key("shared text", ["ORG_MEMBER"])
    raw = atlas.add_key("mine", ["ORG_MEMBER"])
    ok(dict(api_key_id=raw["id"], description="shared text"))
    assert atlas.writes == [("PATCH", "%s/%s" % (KEYS, raw["id"]), {"desc": "shared text"})]


def test_update_in_check_mode_sends_no_write(atlas):
    raw = atlas.add_key("old text", ["ORG_MEMBER"])
    before = copy.deepcopy(raw)
    result = ok(dict(public_key=raw["publicKey"], description="new text", roles=["ORG_OWNER"]),
                check_mode=True, diff=True)
    assert atlas.writes == []
    assert atlas.keys[raw["id"]] == before
    assert result["changed"] is True
    assert result["api_key"]["description"] == "new text"
    assert result["api_key"]["roles"] == ["ORG_OWNER"]
    assert result["api_key"]["id"] == raw["id"]
    assert result["diff"]["after"] == dict(description="new text", roles=["ORG_OWNER"])


def test_update_refused_by_atlas_reports_unchanged(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"])
    path = "%s/%s" % (KEYS, raw["id"])
    atlas.errors[("PATCH", path)] = AtlasApiError(401, error_code="USER_UNAUTHORIZED", detail="Not authorized.",
                                                  reason="Unauthorized", method="PATCH", path=path)
    result = fails(dict(api_key_id=raw["id"], roles=["ORG_OWNER"]))
    assert result["msg"].startswith("Failed to update API key %s in organization %s: HTTP 401 USER_UNAUTHORIZED"
                                    % (raw["id"], ORG))
    assert "Organization Owner" in result["msg"]
    assert result["changed"] is False


# --- finding the key -------------------------------------------------------------------------------------


def test_ambiguous_description_fails_naming_the_ids(atlas):
    first = atlas.add_key("twin", ["ORG_MEMBER"])
    second = atlas.add_key("twin", ["ORG_OWNER"])
    for state in ("present", "absent"):
        atlas.sent = []
        result = fails(dict(description="twin", roles=["ORG_MEMBER"], state=state))
        assert first["id"] in result["msg"] and second["id"] in result["msg"]
        assert "matches 2 API keys" in result["msg"]
        assert "api_key_id or public_key" in result["msg"]
        assert sorted(result["matching_ids"]) == sorted([first["id"], second["id"]])
        assert atlas.sent == [LIST]
        assert result["changed"] is False


def test_find_by_public_key_ignores_same_description(atlas):
    atlas.add_key("twin", ["ORG_MEMBER"])
    second = atlas.add_key("twin", ["ORG_MEMBER"])
    result = ok(dict(public_key=second["publicKey"], description="twin", roles=["ORG_MEMBER"]))
    assert result["changed"] is False
    assert result["api_key"]["id"] == second["id"]


def test_keys_over_several_pages_are_all_read(atlas):
    for number in range(501):
        atlas.add_key("key %d" % number, ["ORG_MEMBER"])
    result = ok(dict(description="key 500", roles=["ORG_MEMBER"]))
    assert result["changed"] is False
    assert [request[0] for request in atlas.sent] == ["GET", "GET"]


@pytest.mark.parametrize("selector", ["api_key_id", "public_key"])
def test_missing_key_named_by_id_fails_under_present(atlas, selector):
    value = "6570a1b2c3d4e5f6a7b8ffff" if selector == "api_key_id" else "nokey999"
    result = fails({selector: value, "description": "x", "roles": ["ORG_MEMBER"]})
    assert value in result["msg"]
    assert "does not exist in organization %s" % ORG in result["msg"]
    assert "cannot be created with a chosen id" in result["msg"]
    assert atlas.writes == []
    assert result["changed"] is False


@pytest.mark.parametrize("selector", ["api_key_id", "public_key"])
def test_missing_key_named_by_id_is_ok_under_absent(atlas, selector):
    value = "6570a1b2c3d4e5f6a7b8ffff" if selector == "api_key_id" else "nokey999"
    result = ok({selector: value, "state": "absent"}, diff=True)
    assert result["changed"] is False
    assert result["api_key"] == {}
    assert result["diff"] == dict(before={}, after={})
    assert atlas.writes == []


@pytest.mark.parametrize("state", ["present", "absent"])
def test_unknown_organization_is_not_taken_for_a_missing_key(atlas, state):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"])
    result = fails(dict(org_id=OTHER_ORG, api_key_id=raw["id"], state=state))
    assert "HTTP 404 ORG_NOT_FOUND: No organization with ID %s exists." % OTHER_ORG in result["msg"]
    assert atlas.writes == []
    assert raw["id"] in atlas.keys


def test_a_key_must_be_named(atlas):
    result = fails(dict(roles=["ORG_MEMBER"]))
    assert result["msg"] == "Name the API key with one of api_key_id, public_key or description."
    assert atlas.sent == []


def test_api_key_id_and_public_key_are_exclusive(atlas):
    result = fails(dict(api_key_id="6570a1b2c3d4e5f6a7b8c9d0", public_key="zmmrboas"))
    assert "mutually exclusive" in result["msg"]
    assert atlas.sent == []


# --- delete ------------------------------------------------------------------------------------------------


def test_delete_by_description(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"], projects={PROJECT: ["GROUP_READ_ONLY"]})
    result = ok(dict(description="ci-deploy", state="absent"), diff=True)
    assert atlas.sent == [LIST, ("DELETE", "%s/%s" % (KEYS, raw["id"]), None)]
    assert atlas.keys == {}
    assert result["changed"] is True
    assert result["api_key"]["id"] == raw["id"]
    assert result["diff"] == dict(before=dict(description="ci-deploy", roles=["ORG_MEMBER"]), after={})


def test_delete_by_api_key_id_then_again(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"])
    path = "%s/%s" % (KEYS, raw["id"])
    ok(dict(api_key_id=raw["id"], state="absent"))
    assert atlas.sent == [("GET", path, None), ("DELETE", path, None)]
    atlas.sent = []
    result = ok(dict(api_key_id=raw["id"], state="absent"))
    assert result["changed"] is False
    assert atlas.sent == [("GET", path, None)]


def test_delete_missing_description_is_ok(atlas):
    atlas.add_key("other", ["ORG_MEMBER"])
    result = ok(dict(description="ci-deploy", state="absent"))
    assert result == dict(changed=False, api_key={})
    assert atlas.sent == [LIST]


def test_delete_in_check_mode_sends_no_write(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"])
    result = ok(dict(public_key=raw["publicKey"], state="absent"), check_mode=True)
    assert atlas.writes == []
    assert raw["id"] in atlas.keys
    assert result["changed"] is True


def test_delete_ignores_roles(atlas):
    raw = atlas.add_key("ci-deploy", ["ORG_MEMBER"])
    ok(dict(description="ci-deploy", roles=["GROUP_OWNER"], state="absent"))
    assert atlas.writes == [("DELETE", "%s/%s" % (KEYS, raw["id"]), None)]


# --- input at the limits, credentials ---------------------------------------------------------------------


def test_description_of_250_characters_is_fine(atlas):
    ok(dict(description="x" * 250, roles=["ORG_MEMBER"]))
    assert atlas.writes == [("POST", KEYS, {"desc": "x" * 250, "roles": ["ORG_MEMBER"]})]


def test_credentials_from_the_environment(atlas, monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", ADMIN_PUBLIC)
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", ADMIN_PRIVATE)
    result = ok(dict(description="d", roles=["ORG_MEMBER"]), credentials=False)
    assert result["changed"] is True
    (client,) = atlas.clients
    assert client.base_url == "http://127.0.0.1:9"
    assert client.session.auth.username == ADMIN_PUBLIC


def test_wrong_credentials_give_a_clear_message(atlas):
    atlas.errors[("GET", KEYS)] = AtlasApiError(401, detail="You are not authorized for this resource.",
                                                reason="Unauthorized", method="GET", path=KEYS)
    result = fails(dict(description="d", roles=["ORG_MEMBER"], api_private_key="wrong-private-key-value"))
    assert result["msg"].startswith("Failed to list the API keys of organization %s: HTTP 401 Unauthorized" % ORG)
    assert "Atlas rejected the credentials" in result["msg"]
    assert ".." not in result["msg"]
    assert "wrong-private-key-value" not in json.dumps(result)
    assert atlas.writes == []
