# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The three read-only modules: atlas_org_api_key_info, atlas_api_key_accesslist_info, atlas_project_api_key_info.

The modules run for real, with the real client; only requests.Session.request is replaced by a
small in-memory Atlas (FakeAtlas) that answers the GET operations, paginates like Atlas and
records every request, so the tests see exactly what would go on the wire.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote, urlsplit

import pytest

requests = pytest.importorskip("requests")

from ansible.module_utils import basic  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.mongodb_atlas.api_keys.plugins.modules import (  # noqa: E402  pylint: disable=wrong-import-position
    atlas_api_key_accesslist_info,
    atlas_org_api_key_info,
    atlas_project_api_key_info,
)

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    patch_module_args = None

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
OTHER_ORG = "65a1b2c3d4e5f6a7b8c9d0e9"
ALPHA = "65a1b2c3d4e5f6a7b8c9d0f1"
BETA = "65a1b2c3d4e5f6a7b8c9d0f2"
EMPTY_PROJECT = "65a1b2c3d4e5f6a7b8c9d0f3"
MASKED = "********-****-****-6e7f8a9b0c1d"
CONNECTION = dict(api_base_url="https://atlas.example.test", api_public_key="simadmin",
                  api_private_key="4c1f7c2e-9a55-4b8e-a3d2-5e0f6b7a9c11")


def key_id(number):
    return "6570a1b2c3d4e5f6a7%06x" % number


def public_key(number):
    return "pk%06d" % number


def raw_key(number, desc, roles):
    return dict(id=key_id(number), publicKey=public_key(number), desc=desc, privateKey=MASKED, roles=roles,
                links=[dict(rel="self", href="https://atlas.example.test/x")])


class FakeAtlas:
    """The read side of the Atlas API for one organization; request() stands in for requests.Session.request."""

    def __init__(self):
        self.keys = []
        self.access_lists = {}
        self.requests = []

    def add_key(self, number, desc, roles=None, access_list=None):
        self.keys.append(raw_key(number, desc, roles if roles is not None else [dict(orgId=ORG, roleName="ORG_MEMBER")]))
        self.access_lists[key_id(number)] = list(access_list or [])
        return key_id(number)

    def writes(self):
        return [req for req in self.requests if req[0] != "GET"]

    def paths(self):
        return [req[1] for req in self.requests]

    def request(self, method, url, params=None, **kwargs):
        path = unquote(urlsplit(url).path)
        self.requests.append((method, path, dict(params or {})))
        assert path.startswith("/api/atlas/v2/"), path
        path = path[len("/api/atlas/v2"):]
        if method != "GET":
            return response(405, dict(error=405, errorCode="METHOD_NOT_ALLOWED", detail="read-only fake"))
        match = re.match(r"^/orgs/([^/]+)/apiKeys(?:/([^/]+)(/accessList)?)?$", path)
        if match:
            org, key, access = match.groups()
            if org != ORG:
                return response(401, dict(error=401, errorCode="USER_CANNOT_ACCESS_ORG", reason="Unauthorized",
                                          detail="Cannot access organization %s." % org))
            if key is None:
                return self.page(self.keys, params)
            found = [raw for raw in self.keys if raw["id"] == key]
            if not found:
                return response(404, dict(error=404, errorCode="API_KEY_NOT_FOUND", reason="Not Found",
                                          detail="API key %s not found." % key))
            return self.page(self.access_lists[key], params) if access else response(200, found[0])
        match = re.match(r"^/groups/([^/]+)/apiKeys$", path)
        if match:
            project = match.group(1)
            keys = [raw for raw in self.keys if any(role.get("groupId") == project for role in raw["roles"])]
            return self.page(keys, params)
        return response(404, dict(error=404, errorCode="RESOURCE_NOT_FOUND", detail="No route %s" % path))

    @staticmethod
    def page(items, params):
        params = params or {}
        size = int(params.get("itemsPerPage", 100))
        number = int(params.get("pageNum", 1))
        return response(200, dict(results=items[(number - 1) * size:number * size], totalCount=len(items),
                                  links=[]))


def response(status, body):
    answer = requests.Response()
    answer.status_code = status
    answer.reason = "OK" if status < 400 else "Error"
    answer._content = json.dumps(body).encode("utf-8")  # pylint: disable=protected-access
    answer.headers["Content-Type"] = "application/vnd.atlas.2023-01-01+json" if status < 400 else "application/json"
    return answer


class ModuleExit(Exception):
    def __init__(self, result):
        super(ModuleExit, self).__init__(result)
        self.result = result


class ModuleFail(ModuleExit):
    pass


@pytest.fixture
def atlas(monkeypatch):
    fake = FakeAtlas()
    monkeypatch.setattr(requests.Session, "request", lambda session, method, url, **kwargs: fake.request(method, url, **kwargs))

    def exit_json(self, **result):
        raise ModuleExit(result)

    def fail_json(self, msg, **result):
        raise ModuleFail(dict(result, msg=msg, failed=True))

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    return fake


def run(module, args, check_mode=False):
    """Run a module's main() with these options; return its result (failed=True when it failed)."""
    args = dict(CONNECTION, **args)
    if check_mode:
        args["_ansible_check_mode"] = True
    if patch_module_args is not None:
        with patch_module_args(args):
            return _main(module)
    basic._ANSIBLE_ARGS = json.dumps(dict(ANSIBLE_MODULE_ARGS=args)).encode("utf-8")  # pylint: disable=protected-access
    return _main(module)


def _main(module):
    with pytest.raises(ModuleExit) as caught:
        module.main()
    return caught.value.result


def assert_no_secret(result):
    text = json.dumps(result)
    assert "private_key" not in text and "privateKey" not in text
    assert "****" not in text
    assert CONNECTION["api_private_key"] not in text


def seed_org(atlas):
    """Three keys in ORG: two share a description; one is in two projects, one in another org's role too."""
    atlas.add_key(3, "ci-deploy", [dict(orgId=ORG, roleName="ORG_READ_ONLY"), dict(orgId=ORG, roleName="ORG_MEMBER"),
                                   dict(groupId=BETA, roleName="GROUP_READ_ONLY"),
                                   dict(groupId=ALPHA, roleName="GROUP_OWNER"),
                                   dict(groupId=ALPHA, roleName="GROUP_CLUSTER_MANAGER")])
    atlas.add_key(1, "ci-deploy", [dict(orgId=ORG, roleName="ORG_MEMBER")])
    atlas.add_key(2, "monitoring", [dict(orgId=ORG, roleName="ORG_OWNER"), dict(orgId=OTHER_ORG, roleName="ORG_MEMBER")],
                  access_list=[dict(ipAddress="203.0.113.10", cidrBlock="203.0.113.10/32", count=4,
                                    created="2026-11-02T09:14:07Z", lastUsed="2026-11-20T17:02:44Z",
                                    lastUsedAddress="203.0.113.10"),
                               dict(cidrBlock="10.0.0.0/8", count=0, created="2026-11-03T09:14:07Z"),
                               dict(cidrBlock="2001:0db8:0000:0000:0000:0000:0000:0000/48", count=0,
                                    created="2026-11-04T09:14:07Z")])


# atlas_org_api_key_info


def test_org_info_lists_every_key_with_roles_and_assignments(atlas):
    seed_org(atlas)
    result = run(atlas_org_api_key_info, dict(org_id=ORG))
    assert result["changed"] is False
    assert [key["public_key"] for key in result["api_keys"]] == [public_key(1), public_key(2), public_key(3)]
    assert result["api_keys"][2] == dict(
        id=key_id(3), public_key=public_key(3), description="ci-deploy", roles=["ORG_MEMBER", "ORG_READ_ONLY"],
        project_assignments=[dict(project_id=ALPHA, roles=["GROUP_CLUSTER_MANAGER", "GROUP_OWNER"]),
                             dict(project_id=BETA, roles=["GROUP_READ_ONLY"])])
    # roles in another organization are not roles in this one
    assert result["api_keys"][1]["roles"] == ["ORG_OWNER"]
    assert_no_secret(result)
    assert atlas.writes() == []
    assert atlas.paths() == ["/api/atlas/v2/orgs/%s/apiKeys" % ORG]
    assert "diff" not in result


def test_org_info_empty_organization(atlas):
    assert run(atlas_org_api_key_info, dict(org_id=ORG))["api_keys"] == []


def test_org_info_follows_every_page(atlas):
    for number in range(1, 1101):
        atlas.add_key(number, "bulk-%d" % number)
    result = run(atlas_org_api_key_info, dict(org_id=ORG))
    assert len(result["api_keys"]) == 1100
    assert len({key["id"] for key in result["api_keys"]}) == 1100
    assert [req[2]["pageNum"] for req in atlas.requests] == [1, 2, 3]
    assert {req[2]["itemsPerPage"] for req in atlas.requests} == {500}
    assert atlas.writes() == []


def test_org_info_by_id_reads_that_key_only(atlas):
    seed_org(atlas)
    result = run(atlas_org_api_key_info, dict(org_id=ORG, api_key_id=key_id(2)))
    assert [key["id"] for key in result["api_keys"]] == [key_id(2)]
    assert result["api_keys"][0]["description"] == "monitoring"
    assert atlas.paths() == ["/api/atlas/v2/orgs/%s/apiKeys/%s" % (ORG, key_id(2))]
    assert_no_secret(result)


@pytest.mark.parametrize("option, value", [("api_key_id", key_id(99)), ("public_key", "pk000099"),
                                           ("description", "nobody has this")])
def test_org_info_filter_without_match_is_an_empty_list(atlas, option, value):
    seed_org(atlas)
    result = run(atlas_org_api_key_info, {"org_id": ORG, option: value})
    assert result.get("failed") is not True
    assert result["changed"] is False
    assert result["api_keys"] == []


def test_org_info_by_public_key(atlas):
    seed_org(atlas)
    result = run(atlas_org_api_key_info, dict(org_id=ORG, public_key=public_key(3)))
    assert [key["id"] for key in result["api_keys"]] == [key_id(3)]


def test_org_info_by_description_returns_every_match(atlas):
    seed_org(atlas)
    result = run(atlas_org_api_key_info, dict(org_id=ORG, description="ci-deploy"))
    assert result.get("failed") is not True
    assert [key["id"] for key in result["api_keys"]] == [key_id(1), key_id(3)]


def test_org_info_check_mode_gives_the_same_answer(atlas):
    seed_org(atlas)
    normal = run(atlas_org_api_key_info, dict(org_id=ORG))
    checked = run(atlas_org_api_key_info, dict(org_id=ORG), check_mode=True)
    assert checked == normal
    assert checked["changed"] is False
    assert atlas.writes() == []


def test_org_info_atlas_error_fails_with_its_code(atlas):
    result = run(atlas_org_api_key_info, dict(org_id=OTHER_ORG))
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to list the API keys of organization %s: HTTP 401 USER_CANNOT_ACCESS_ORG"
                                    % OTHER_ORG)
    assert result["error"]["code"] == "USER_CANNOT_ACCESS_ORG"
    assert_no_secret(result)


# atlas_api_key_accesslist_info

# In address order: IPv4 first, then by network address.
KEY2_ENTRIES = [
    dict(cidr_block="10.0.0.0/8", created="2026-11-03T09:14:07Z", last_used=None, last_used_address=None, count=0),
    dict(cidr_block="203.0.113.10/32", ip_address="203.0.113.10", created="2026-11-02T09:14:07Z",
         last_used="2026-11-20T17:02:44Z", last_used_address="203.0.113.10", count=4),
    dict(cidr_block="2001:db8::/48", created="2026-11-04T09:14:07Z", last_used=None, last_used_address=None, count=0),
]
KEYS_PATH = "/api/atlas/v2/orgs/%s/apiKeys" % ORG


def access_list_path(number):
    return "%s/%s/accessList" % (KEYS_PATH, key_id(number))


@pytest.mark.parametrize("selector, paths", [
    # Named by id, the key is not read first: its access list is the only request.
    (dict(api_key_id=key_id(2)), [access_list_path(2)]),
    (dict(public_key=public_key(2)), [KEYS_PATH, access_list_path(2)]),
    (dict(description="monitoring"), [KEYS_PATH, access_list_path(2)]),
], ids=["api_key_id", "public_key", "description"])
def test_accesslist_info_reads_the_entries_of_the_named_key(atlas, selector, paths):
    seed_org(atlas)
    result = run(atlas_api_key_accesslist_info, dict(org_id=ORG, **selector))
    assert result["changed"] is False
    assert result["api_key_id"] == key_id(2)
    assert result["entries"] == KEY2_ENTRIES
    assert atlas.paths() == paths
    assert atlas.writes() == []
    assert_no_secret(result)


def test_accesslist_info_entries_are_in_address_order(atlas):
    # Text order would put 10.x before 9.x, a /24 before the /16 that holds it, 2001:db8:: before 203.x and ::/0 last.
    raws = [dict(cidrBlock=block, count=0) for block in (
        "2001:0db8:0000:0000:0000:0000:0000:0000/48", "::/0", "10.0.0.0/24", "203.0.113.0/24", "10.0.0.0/16",
        "9.0.0.0/8", "0.0.0.0/0", "2001:0db8:0000:0000:0000:0000:0000:0000/32")]
    raws.append(dict(ipAddress="10.0.0.0", cidrBlock="10.0.0.0/32", count=0))
    atlas.add_key(5, "ordered", access_list=raws)
    result = run(atlas_api_key_accesslist_info, dict(org_id=ORG, api_key_id=key_id(5)))
    assert [entry["cidr_block"] for entry in result["entries"]] == [
        "0.0.0.0/0", "9.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/32", "203.0.113.0/24",
        "::/0", "2001:db8::/32", "2001:db8::/48"]


def test_accesslist_info_empty_access_list(atlas):
    seed_org(atlas)
    result = run(atlas_api_key_accesslist_info, dict(org_id=ORG, api_key_id=key_id(1)))
    assert result["entries"] == []
    assert result["api_key_id"] == key_id(1)


def test_accesslist_info_follows_every_page(atlas):
    entries = [dict(cidrBlock="10.%d.%d.0/24" % (number // 256, number % 256), count=0) for number in range(700)]
    atlas.add_key(7, "wide", access_list=entries)
    result = run(atlas_api_key_accesslist_info, dict(org_id=ORG, api_key_id=key_id(7)))
    assert len(result["entries"]) == 700
    assert atlas.paths() == [access_list_path(7)] * 2
    assert [req[2].get("pageNum") for req in atlas.requests] == [1, 2]
    assert {req[2].get("itemsPerPage") for req in atlas.requests} == {500}
    # 10.0.255.0/24, then 10.1.0.0/24: address order across the pages.
    blocks = [entry["cidr_block"] for entry in result["entries"]]
    assert blocks[255:257] == ["10.0.255.0/24", "10.1.0.0/24"] and blocks[-1] == "10.2.187.0/24"


def test_accesslist_info_check_mode_gives_the_same_answer(atlas):
    seed_org(atlas)
    normal = run(atlas_api_key_accesslist_info, dict(org_id=ORG, public_key=public_key(2)))
    checked = run(atlas_api_key_accesslist_info, dict(org_id=ORG, public_key=public_key(2)), check_mode=True)
    assert checked == normal
    assert atlas.writes() == []


@pytest.mark.parametrize("selector, label, paths", [
    # By id, the access list is read at once; Atlas answers 404 API_KEY_NOT_FOUND for a key that is not there.
    (dict(api_key_id=key_id(99)), "API key %s" % key_id(99), [access_list_path(99)]),
    (dict(public_key="pk000099"), "API key with public key 'pk000099'", [KEYS_PATH]),
    (dict(description="nobody"), "API key 'nobody'", [KEYS_PATH]),
], ids=["api_key_id", "public_key", "description"])
def test_accesslist_info_missing_key_fails_clearly(atlas, selector, label, paths):
    seed_org(atlas)
    result = run(atlas_api_key_accesslist_info, dict(org_id=ORG, **selector))
    assert result["failed"] is True
    assert result["msg"] == "%s does not exist in organization %s." % (label, ORG)
    assert "error" not in result
    assert atlas.paths() == paths
    assert atlas.writes() == []


def test_accesslist_info_by_id_in_an_organization_out_of_reach_is_not_a_missing_key(atlas):
    seed_org(atlas)
    result = run(atlas_api_key_accesslist_info, dict(org_id=OTHER_ORG, api_key_id=key_id(2)))
    assert result["failed"] is True
    assert result["msg"].startswith("Failed to list the access list of API key %s: HTTP 401 USER_CANNOT_ACCESS_ORG"
                                    % key_id(2))
    assert "does not exist" not in result["msg"]
    assert result["error"]["code"] == "USER_CANNOT_ACCESS_ORG"
    assert atlas.paths() == ["/api/atlas/v2/orgs/%s/apiKeys/%s/accessList" % (OTHER_ORG, key_id(2))]


def test_accesslist_info_ambiguous_description_fails_naming_the_keys(atlas):
    seed_org(atlas)
    result = run(atlas_api_key_accesslist_info, dict(org_id=ORG, description="ci-deploy"))
    assert result["failed"] is True
    assert key_id(1) in result["msg"] and key_id(3) in result["msg"]
    assert sorted(result["matching_ids"]) == [key_id(1), key_id(3)]
    assert not any(path.endswith("/accessList") for path in atlas.paths())


# atlas_project_api_key_info


def test_project_info_lists_the_assigned_keys_with_their_roles_there(atlas):
    seed_org(atlas)
    atlas.add_key(4, "beta-only", [dict(orgId=ORG, roleName="ORG_MEMBER"), dict(groupId=BETA, roleName="GROUP_OWNER")])
    result = run(atlas_project_api_key_info, dict(project_id=ALPHA))
    assert result["changed"] is False
    assert result["api_keys"] == [dict(id=key_id(3), public_key=public_key(3), description="ci-deploy",
                                       roles=["GROUP_CLUSTER_MANAGER", "GROUP_OWNER"])]
    beta = run(atlas_project_api_key_info, dict(project_id=BETA))
    assert [(key["public_key"], key["roles"]) for key in beta["api_keys"]] == [
        (public_key(3), ["GROUP_READ_ONLY"]), (public_key(4), ["GROUP_OWNER"])]
    assert set(atlas.paths()) == {"/api/atlas/v2/groups/%s/apiKeys" % ALPHA, "/api/atlas/v2/groups/%s/apiKeys" % BETA}
    assert atlas.writes() == []
    assert_no_secret(result)
    assert_no_secret(beta)


def test_project_info_empty_project(atlas):
    seed_org(atlas)
    assert run(atlas_project_api_key_info, dict(project_id=EMPTY_PROJECT))["api_keys"] == []


def test_project_info_follows_every_page(atlas):
    for number in range(1, 1101):
        atlas.add_key(number, "bulk-%d" % number, [dict(groupId=ALPHA, roleName="GROUP_READ_ONLY")])
    result = run(atlas_project_api_key_info, dict(project_id=ALPHA))
    assert len({key["id"] for key in result["api_keys"]}) == 1100
    assert [req[2]["pageNum"] for req in atlas.requests] == [1, 2, 3]


def test_project_info_check_mode_gives_the_same_answer(atlas):
    seed_org(atlas)
    normal = run(atlas_project_api_key_info, dict(project_id=ALPHA))
    checked = run(atlas_project_api_key_info, dict(project_id=ALPHA), check_mode=True)
    assert checked == normal
    assert atlas.writes() == []
