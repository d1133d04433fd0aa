# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of atlas_project_api_key: the module runs against an in-memory Atlas (FakeClient)."""

from __future__ import annotations

import copy
import json
import re

import pytest


from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import module_base
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import AtlasApiError
from ansible_collections.mongodb_atlas.api_keys.plugins.modules import atlas_project_api_key

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
ALPHA = "65a1b2c3d4e5f6a7b8c9d0f1"
BETA = "65a1b2c3d4e5f6a7b8c9d0f2"
KEY_A = "65a1b2c3d4e5f6a7b8c9d0a1"
KEY_B = "65a1b2c3d4e5f6a7b8c9d0b2"
NEW_ID = "65a1b2c3d4e5f6a7b8c9d0c3"
SECRET = "0d6b0c7e-1234-4bcd-9e8f-a1b2c3d4e5f6"
MASKED = "********-****-****-a1b2c3d4e5f6"

CONNECTION = dict(api_base_url="https://atlas.example.test", api_public_key="pubadmin",
                  api_private_key="a-private-admin-secret")


class FakeClient:
    """The AtlasClient interface over an in-memory organization, recording every request.

    lose_next_post: the next POST is applied but its answer is lost, so reread() is called the way
    the real client calls it (its result is returned, or the POST is applied again on None).
    """

    def __init__(self, base_url, auth, **kwargs):
        self.kwargs = kwargs
        self.calls = []
        self.keys = {}
        self.lose_next_post = False
        self.next_id = NEW_ID

    # Seeding and inspection.

    def add_key(self, key_id, public_key, desc, org_roles=("ORG_MEMBER",), projects=None):
        roles = [dict(orgId=ORG, roleName=role) for role in org_roles]
        for project, project_roles in (projects or {}).items():
            roles += [dict(groupId=project, roleName=role) for role in project_roles]
        self.keys[key_id] = dict(id=key_id, publicKey=public_key, desc=desc, privateKey=MASKED, roles=roles)

    def roles_in(self, key_id, project):
        return sorted(r["roleName"] for r in self.keys[key_id]["roles"] if r.get("groupId") == project)

    def writes(self):
        return [call for call in self.calls if call[0] not in ("GET", "LIST")]

    # The client interface.

    def get(self, path, params=None, media_type=None):
        self.calls.append(("GET", path, None))
        if re.match(r"^/groups/\w+$", path):  # Return One Project: both projects belong to ORG
            return dict(id=path.rsplit("/", 1)[-1], name="project", orgId=ORG)
        match = re.match(r"^/orgs/(\w+)/apiKeys/(\w+)$", path)
        if match and match.group(1) == ORG and match.group(2) in self.keys:
            return copy.deepcopy(self.keys[match.group(2)])
        raise AtlasApiError(404, "API_KEY_NOT_FOUND", "No API key with ID %s exists." % path.rsplit("/", 1)[-1],
                            method="GET", path=path)

    def list_all(self, path, params=None, first_page=None, media_type=None):
        assert first_page is None
        self.calls.append(("LIST", path, None))
        if path == "/orgs/%s/apiKeys" % ORG:
            return copy.deepcopy(list(self.keys.values()))
        project = re.match(r"^/groups/(\w+)/apiKeys$", path).group(1)
        return copy.deepcopy([key for key in self.keys.values()
                              if any(r.get("groupId") == project for r in key["roles"])])

    def post(self, path, body, reread=None, params=None, media_type=None):
        assert params is None, params  # the project key operations take no query parameters
        self.calls.append(("POST", path, copy.deepcopy(body)))
        result = self._apply("POST", path, body)
        if self.lose_next_post:
            self.lose_next_post = False
            found = reread()
            if found is not None:
                return found
            self.calls.append(("POST", path, copy.deepcopy(body)))
            return self._apply("POST", path, body)
        return result

    def request(self, method, path, params=None, body=None, reread=None, media_type=None):
        self.calls.append((method, path, copy.deepcopy(body)))
        return self._apply(method, path, body)

    def _apply(self, method, path, body):
        match = re.match(r"^/groups/(\w+)/apiKeys(?:/(\w+))?$", path)
        project, key_id = match.group(1), match.group(2)
        if method == "POST" and key_id is None:
            self.add_key(self.next_id, "newpubky", body["desc"], projects={project: body["roles"]})
            created = copy.deepcopy(self.keys[self.next_id])
            created["privateKey"] = SECRET
            return created
        key = self.keys[key_id]
        others = [r for r in key["roles"] if r.get("groupId") != project]
        if method == "POST":
            assert not self.roles_in(key_id, project), "assigned twice"
            key["roles"] = others + [dict(groupId=project, roleName=role) for role in body[0]["roles"]]
            return None
        if method == "PATCH":
            key["roles"] = others + [dict(groupId=project, roleName=role) for role in body["roles"]]
            return copy.deepcopy(key)
        key["roles"] = others
        return None


@pytest.fixture
def atlas(monkeypatch):
    """The fake Atlas the next module run talks to: key A in alpha (read only) and beta, key B nowhere."""
    fake = FakeClient("https://atlas.example.test", None)
    fake.add_key(KEY_A, "pubkeyaa", "ci-key-a", projects={ALPHA: ["GROUP_READ_ONLY"], BETA: ["GROUP_OWNER"]})
    fake.add_key(KEY_B, "pubkeybb", "ci-key-b")
    monkeypatch.setattr(module_base, "AtlasClient", lambda *args, **kwargs: fake)
    return fake


def run(run_module, check_mode=False, diff=True, **args):
    """Run the module; return (failed, result)."""
    args = dict(CONNECTION, **args)
    result = run_module(atlas_project_api_key, args, check_mode=check_mode, diff=diff)
    assert "a-private-admin-secret" not in json.dumps(result)
    return bool(result.get("failed")), result


# Assigning a key that is not in the project.

@pytest.mark.parametrize("selector", [dict(api_key_id=KEY_B), dict(public_key="pubkeybb"),
                                      dict(description="ci-key-b")])
def test_assign_key_named_any_way(atlas, run_module, selector):
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, roles=["GROUP_READ_ONLY", "GROUP_OWNER"], **selector)
    assert not failed and result["changed"]
    assert atlas.writes() == [("POST", "/groups/%s/apiKeys/%s" % (ALPHA, KEY_B),
                               [dict(roles=["GROUP_OWNER", "GROUP_READ_ONLY"])])]
    assert atlas.roles_in(KEY_B, ALPHA) == ["GROUP_OWNER", "GROUP_READ_ONLY"]
    assert result["api_key"] == dict(id=KEY_B, public_key="pubkeybb", description="ci-key-b",
                                     roles=["GROUP_OWNER", "GROUP_READ_ONLY"])
    assert result["diff"] == dict(before=dict(roles=[]), after=dict(roles=["GROUP_OWNER", "GROUP_READ_ONLY"]))


def test_assign_check_mode_sends_no_write(atlas, run_module):
    failed, result = run(run_module, check_mode=True, org_id=ORG, project_id=ALPHA, api_key_id=KEY_B,
                         roles=["GROUP_READ_ONLY"])
    assert not failed and result["changed"]
    assert atlas.writes() == []
    assert atlas.roles_in(KEY_B, ALPHA) == []
    assert result["api_key"]["roles"] == ["GROUP_READ_ONLY"]
    assert result["diff"] == dict(before=dict(roles=[]), after=dict(roles=["GROUP_READ_ONLY"]))


def test_assign_lost_answer_is_not_sent_twice(atlas, run_module):
    atlas.lose_next_post = True
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, api_key_id=KEY_B, roles=["GROUP_READ_ONLY"])
    assert not failed and result["changed"]
    assert [call[0] for call in atlas.writes()] == ["POST"]
    assert atlas.calls[-1] == ("GET", "/orgs/%s/apiKeys/%s" % (ORG, KEY_B), None)  # the reread
    assert result["api_key"]["roles"] == ["GROUP_READ_ONLY"]


def test_assign_lost_before_applied_is_sent_again(atlas, run_module, monkeypatch):
    """When the reread shows the key still unassigned, reread() says so (None) and the POST goes again."""
    atlas.lose_next_post = True
    applied = atlas._apply
    skipped = []

    def apply_second_only(method, path, body):
        if method == "POST" and not skipped:
            skipped.append(path)
            return None
        return applied(method, path, body)

    monkeypatch.setattr(atlas, "_apply", apply_second_only)
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, api_key_id=KEY_B, roles=["GROUP_READ_ONLY"])
    assert not failed
    assert [call[0] for call in atlas.writes()] == ["POST", "POST"]
    assert atlas.roles_in(KEY_B, ALPHA) == ["GROUP_READ_ONLY"]


# Changing the roles of an assigned key.

def test_change_roles_patches_only_this_project(atlas, run_module):
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, public_key="pubkeyaa",
                         roles=["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"])
    assert not failed and result["changed"]
    assert atlas.writes() == [("PATCH", "/groups/%s/apiKeys/%s" % (ALPHA, KEY_A),
                               dict(roles=["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"]))]
    assert atlas.roles_in(KEY_A, BETA) == ["GROUP_OWNER"]
    assert result["api_key"]["roles"] == ["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"]
    assert result["diff"] == dict(before=dict(roles=["GROUP_READ_ONLY"]),
                                  after=dict(roles=["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"]))


def test_change_roles_check_mode(atlas, run_module):
    failed, result = run(run_module, check_mode=True, org_id=ORG, project_id=ALPHA, api_key_id=KEY_A,
                         roles=["GROUP_OWNER"])
    assert not failed and result["changed"] and atlas.writes() == []
    assert result["api_key"]["roles"] == ["GROUP_OWNER"]
    assert atlas.roles_in(KEY_A, ALPHA) == ["GROUP_READ_ONLY"]


def test_same_roles_in_any_order_is_ok_with_reads_only(atlas, run_module):
    atlas.keys[KEY_A]["roles"].append(dict(groupId=ALPHA, roleName="GROUP_OWNER"))
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, api_key_id=KEY_A,
                         roles=["GROUP_READ_ONLY", "GROUP_OWNER", "GROUP_READ_ONLY"])
    assert not failed and not result["changed"]
    assert atlas.writes() == []
    assert atlas.calls == [("GET", "/orgs/%s/apiKeys/%s" % (ORG, KEY_A), None)]
    assert result["api_key"]["roles"] == ["GROUP_OWNER", "GROUP_READ_ONLY"]


def test_diff_is_left_out_without_diff_mode(atlas, run_module):
    failed, result = run(run_module, diff=False, org_id=ORG, project_id=ALPHA, api_key_id=KEY_A, roles=["GROUP_OWNER"])
    assert not failed and result["changed"] and "diff" not in result


# api_key_id without org_id: only the project's keys are read.

def test_key_id_without_org_reads_the_project_and_patches(atlas, run_module):
    failed, result = run(run_module, project_id=ALPHA, api_key_id=KEY_A, roles=["GROUP_OWNER"])
    assert not failed and result["changed"]
    assert atlas.calls[0] == ("LIST", "/groups/%s/apiKeys" % ALPHA, None)
    assert atlas.writes() == [("PATCH", "/groups/%s/apiKeys/%s" % (ALPHA, KEY_A), dict(roles=["GROUP_OWNER"]))]


def test_key_id_without_org_same_roles_is_ok(atlas, run_module):
    failed, result = run(run_module, project_id=ALPHA, api_key_id=KEY_A, roles=["GROUP_READ_ONLY"])
    assert not failed and not result["changed"] and atlas.writes() == []
    assert len(atlas.calls) == 1


def test_unassigned_key_id_without_org_is_found_through_the_project(atlas, run_module):
    failed, result = run(run_module, project_id=ALPHA, api_key_id=KEY_B, roles=["GROUP_READ_ONLY"])
    assert not failed and result["changed"]
    assert ("GET", "/groups/%s" % ALPHA, None) in atlas.calls
    assert atlas.roles_in(KEY_B, ALPHA) == ["GROUP_READ_ONLY"]


def test_key_id_without_org_absent_unassigns(atlas, run_module):
    failed, result = run(run_module, project_id=BETA, api_key_id=KEY_A, state="absent")
    assert not failed and result["changed"]
    assert atlas.writes() == [("DELETE", "/groups/%s/apiKeys/%s" % (BETA, KEY_A), None)]
    assert atlas.roles_in(KEY_A, ALPHA) == ["GROUP_READ_ONLY"]


def test_key_id_without_org_absent_when_not_assigned_is_ok(atlas, run_module):
    failed, result = run(run_module, project_id=ALPHA, api_key_id=KEY_B, state="absent")
    assert not failed and not result["changed"] and atlas.writes() == []
    assert result["api_key"] == {}


# Create and assign.

def test_description_that_matches_nothing_creates_and_assigns(atlas, run_module):
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, description="deploy-shop",
                         roles=["GROUP_READ_ONLY", "GROUP_CLUSTER_MANAGER"])
    assert not failed and result["changed"]
    assert atlas.writes() == [("POST", "/groups/%s/apiKeys" % ALPHA,
                               dict(desc="deploy-shop", roles=["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"]))]
    assert result["api_key"] == dict(id=NEW_ID, public_key="newpubky", description="deploy-shop",
                                     roles=["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"], private_key=SECRET)
    assert result["diff"] == dict(before={}, after=dict(roles=["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"]))
    assert SECRET not in json.dumps(result["diff"])


def test_create_check_mode_sends_no_write_and_has_no_secret(atlas, run_module):
    failed, result = run(run_module, check_mode=True, org_id=ORG, project_id=ALPHA, description="deploy-shop",
                         roles=["GROUP_READ_ONLY"])
    assert not failed and result["changed"] and atlas.writes() == []
    assert result["api_key"] == dict(description="deploy-shop", roles=["GROUP_READ_ONLY"])
    assert NEW_ID not in atlas.keys


def test_second_run_after_create_returns_no_private_key(atlas, run_module):
    run(run_module, org_id=ORG, project_id=ALPHA, description="deploy-shop", roles=["GROUP_READ_ONLY"])
    atlas.calls = []
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, description="deploy-shop", roles=["GROUP_READ_ONLY"])
    assert not failed and not result["changed"] and atlas.writes() == []
    assert "private_key" not in result["api_key"]
    assert SECRET not in json.dumps(result) and MASKED not in json.dumps(result)


def test_create_lost_answer_fails_naming_the_key_and_never_posts_again(atlas, run_module):
    atlas.lose_next_post = True
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, description="deploy-shop", roles=["GROUP_READ_ONLY"])
    assert failed and result["changed"]
    assert [call[0] for call in atlas.writes()] == ["POST"]
    assert "private key was lost" in result["msg"] and NEW_ID in result["msg"]
    assert "atlas_org_api_key with org_id=%s, api_key_id=%s, state=absent" % (ORG, NEW_ID) in result["msg"]
    assert result["api_key"]["id"] == NEW_ID and "private_key" not in result["api_key"]
    assert SECRET not in json.dumps(result)


@pytest.mark.parametrize("selector", [dict(api_key_id=NEW_ID), dict(public_key="nokeyzzz")])
def test_missing_key_named_by_id_fails(atlas, run_module, selector):
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, roles=["GROUP_READ_ONLY"], **selector)
    assert failed and not result["changed"]
    assert "does not exist in organization %s" % ORG in result["msg"]
    assert atlas.writes() == []


def test_ambiguous_description_fails_with_ids(atlas, run_module):
    atlas.add_key(NEW_ID, "pubkeycc", "ci-key-b")
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, description="ci-key-b", roles=["GROUP_READ_ONLY"])
    assert failed and sorted(result["matching_ids"]) == sorted([KEY_B, NEW_ID])
    assert atlas.writes() == []


# Unassigning.

@pytest.mark.parametrize("selector", [dict(api_key_id=KEY_A), dict(public_key="pubkeyaa"),
                                      dict(description="ci-key-a")])
def test_absent_unassigns_from_this_project_only(atlas, run_module, selector):
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, state="absent", **selector)
    assert not failed and result["changed"]
    assert atlas.writes() == [("DELETE", "/groups/%s/apiKeys/%s" % (ALPHA, KEY_A), None)]
    assert KEY_A in atlas.keys and atlas.roles_in(KEY_A, BETA) == ["GROUP_OWNER"]
    assert result["api_key"] == dict(id=KEY_A, public_key="pubkeyaa", description="ci-key-a", roles=[])
    assert result["diff"] == dict(before=dict(roles=["GROUP_READ_ONLY"]), after=dict(roles=[]))


def test_absent_check_mode(atlas, run_module):
    failed, result = run(run_module, check_mode=True, org_id=ORG, project_id=ALPHA, api_key_id=KEY_A, state="absent")
    assert not failed and result["changed"] and atlas.writes() == []
    assert atlas.roles_in(KEY_A, ALPHA) == ["GROUP_READ_ONLY"]


@pytest.mark.parametrize("selector", [dict(api_key_id=KEY_B), dict(description="ci-key-b"),
                                      dict(description="no such key"), dict(api_key_id=NEW_ID)])
def test_absent_when_not_assigned_or_missing_is_ok(atlas, run_module, selector):
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, state="absent", **selector)
    assert not failed and not result["changed"] and atlas.writes() == []


def test_absent_ignores_roles(atlas, run_module):
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, api_key_id=KEY_A, state="absent", roles=["ORG_OWNER"])
    assert not failed and result["changed"]


# Errors from Atlas.

def test_atlas_error_is_reported_with_its_code(atlas, run_module, monkeypatch):
    def refuse(method, path, params=None, body=None, reread=None, media_type=None):
        raise AtlasApiError(401, "USER_UNAUTHORIZED", "Current user is not authorized.", method=method, path=path)

    monkeypatch.setattr(atlas, "request", refuse)
    failed, result = run(run_module, org_id=ORG, project_id=ALPHA, api_key_id=KEY_A, roles=["GROUP_OWNER"])
    assert failed
    assert result["msg"].startswith("Failed to change the roles of API key %s in project %s: HTTP 401 "
                                    "USER_UNAUTHORIZED" % (KEY_A, ALPHA))
    assert result["error"]["code"] == "USER_UNAUTHORIZED"


def test_both_api_versions_reach_the_client(atlas, run_module, monkeypatch):
    seen = []
    monkeypatch.setattr(module_base, "AtlasClient", lambda *args, **kwargs: seen.append(kwargs) or atlas)
    for version in ("v2", "v1.0"):
        failed, result = run(run_module, api_version=version, org_id=ORG, project_id=ALPHA, api_key_id=KEY_A,
                             roles=["GROUP_READ_ONLY"])
        assert not failed
    assert [kwargs["api_version"] for kwargs in seen] == ["v2", "v1.0"]
