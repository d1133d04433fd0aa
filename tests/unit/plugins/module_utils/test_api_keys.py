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


class Failed(Exception):
    def __init__(self, msg, details):
        super(Failed, self).__init__(msg)
        self.msg = msg
        self.details = details


class FakeAtlas:
    """The AtlasModule methods api_keys uses: get, list_all, write, fail; every call recorded."""

    def __init__(self, keys=(), check_mode=False, write_result=None, lose_answer=False):
        self.keys = list(keys)
        self.check_mode = check_mode
        self.write_result = write_result
        self.lose_answer = lose_answer
        self.calls = []

    def get(self, path, what, params=None, missing_ok=False):
        self.calls.append(("GET", path, what, missing_ok))
        key_id = path.rsplit("/", 1)[-1]
        return next((key for key in self.keys if key["id"] == key_id), None)

    def list_all(self, path, what, params=None):
        self.calls.append(("LIST", path, what))
        return list(self.keys)

    def write(self, method, path, what, body=None, reread=None):
        self.calls.append((method, path, what, body))
        if self.check_mode:
            return None
        if self.lose_answer:
            self.keys.append(dict(self.write_result, privateKey="********-****-****-000000000000"))
            return reread()
        return self.write_result

    def fail(self, msg, **details):
        raise Failed(msg, details)


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
KEY_3 = raw_key("65a1b2c3d4e5f6a7b8c9d003", "pubkeycc", "deploy", [dict(orgId=ORG, roleName="ORG_OWNER")])


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

def test_find_by_id_is_one_get_that_may_miss():
    atlas = FakeAtlas([KEY_1, KEY_2])
    assert find_org_key(atlas, ORG, api_key_id=KEY_2["id"]) is KEY_2
    assert atlas.calls == [("GET", "/orgs/%s/apiKeys/%s" % (ORG, KEY_2["id"]), "read API key %s" % KEY_2["id"], True)]
    assert find_org_key(atlas, ORG, api_key_id="65a1b2c3d4e5f6a7b8c9d0ff") is None


def test_find_by_public_key_lists_the_org():
    atlas = FakeAtlas([KEY_1, KEY_2, KEY_3])
    assert find_org_key(atlas, ORG, public_key="pubkeycc") is KEY_3
    assert atlas.calls == [("LIST", "/orgs/%s/apiKeys" % ORG, "list the API keys of organization %s" % ORG)]
    assert find_org_key(atlas, ORG, public_key="nokeyzzz") is None


def test_find_by_description():
    atlas = FakeAtlas([KEY_1, KEY_2])
    assert find_org_key(atlas, ORG, description="deploy") is KEY_2
    assert find_org_key(atlas, ORG, description="Deploy") is None


def test_ambiguous_description_fails_naming_the_ids():
    atlas = FakeAtlas([KEY_1, KEY_2, KEY_3])
    with pytest.raises(Failed) as failure:
        find_org_key(atlas, ORG, description="deploy")
    assert failure.value.msg == (
        "The description 'deploy' matches 2 API keys in organization %s (ids %s, %s). Name the key with "
        "api_key_id or public_key instead." % (ORG, KEY_2["id"], KEY_3["id"]))
    assert failure.value.details == dict(matching_ids=[KEY_2["id"], KEY_3["id"]])


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

NEW = raw_key("65a1b2c3d4e5f6a7b8c9d0cc", "pubkeynn", "new", [dict(orgId=ORG, roleName="ORG_MEMBER")])


def create(atlas, **kwargs):
    return post_new_key(atlas, "/orgs/%s/apiKeys" % ORG, "create API key 'new'", body=dict(desc="new", roles=["ORG_MEMBER"]),
                        find_again=lambda: find_org_key(atlas, ORG, description="new"),
                        shape=lambda key: key_result(key, ORG), **kwargs)


def test_post_new_key_returns_the_answer_with_its_private_key():
    atlas = FakeAtlas(write_result=dict(NEW, privateKey="clear-private-key"))
    assert create(atlas)["privateKey"] == "clear-private-key"
    assert atlas.calls == [("POST", "/orgs/%s/apiKeys" % ORG, "create API key 'new'",
                            dict(desc="new", roles=["ORG_MEMBER"]))]


def test_post_new_key_in_check_mode_returns_none():
    atlas = FakeAtlas(check_mode=True, write_result=NEW)
    assert create(atlas) is None


def test_post_new_key_fails_when_the_private_key_was_lost():
    atlas = FakeAtlas(write_result=NEW, lose_answer=True)
    with pytest.raises(Failed) as failure:
        create(atlas)
    assert failure.value.msg == (
        "Atlas created API key %s (public key pubkeynn), but the answer that carried its private key was lost on the "
        "way. Atlas shows a private key only once, so it cannot be recovered: delete the key (state=absent, "
        "api_key_id=%s) and run the task again." % (NEW["id"], NEW["id"]))
    assert failure.value.details["api_key"]["id"] == NEW["id"]
    assert "private_key" not in failure.value.details["api_key"]


def test_post_new_key_names_another_way_to_delete():
    atlas = FakeAtlas(write_result=NEW, lose_answer=True)
    with pytest.raises(Failed) as failure:
        create(atlas, delete_with="with the other module, api_key_id=%s")
    assert "delete the key (with the other module, api_key_id=%s)" % NEW["id"] in failure.value.msg


def test_post_new_key_without_a_match_on_reread_returns_what_the_client_returns():
    """reread() finding nothing means the POST was not applied; the client sends it again and its answer counts."""
    atlas = FakeAtlas(write_result=NEW)
    seen = []

    def write(method, path, what, body=None, reread=None):
        seen.append(reread())
        return dict(NEW, privateKey="clear")

    atlas.write = write
    assert create(atlas)["privateKey"] == "clear"
    assert seen == [None]
