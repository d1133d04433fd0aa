# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure functions behind the first users' fixes: the wire form of IPv4-mapped IPv6 entries (the same on every
Python, although ``ipaddress`` spells them differently from 3.13 on), role lists with stray whitespace or an
empty item, quoted values in role messages, and the hints for errors whose cause is not certain."""

from __future__ import annotations

import re

import pytest

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.access_list import (
    normalize_entry,
    path_segment,
    request_item,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import (
    clean_roles,
    org_role_problem,
    project_role_problem,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import AtlasApiError
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import describe_error

# The spec's pattern for an IPv6 ipAddress / cidrBlock: eight groups of hex digits, nothing else.
ALL_HEX_IPV6 = re.compile(r"^([0-9a-f]{4}:){7}[0-9a-f]{4}(/\d{1,3})?$")


@pytest.mark.parametrize("text, wire", [
    ("::ffff:192.0.2.1", "0000:0000:0000:0000:0000:ffff:c000:0201"),
    ("::ffff:c000:201", "0000:0000:0000:0000:0000:ffff:c000:0201"),
    ("::ffff:192.0.2.1/128", "0000:0000:0000:0000:0000:ffff:c000:0201"),
    ("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"),
])
def test_ipv6_addresses_go_out_in_all_hex_form(text, wire):
    item = request_item(normalize_entry(text))
    assert item == {"ipAddress": wire}
    assert ALL_HEX_IPV6.match(item["ipAddress"])
    assert path_segment(normalize_entry(text)) == wire


@pytest.mark.parametrize("text, wire", [
    ("::ffff:192.0.2.0/120", "0000:0000:0000:0000:0000:ffff:c000:0200/120"),
    ("2001:db8::/48", "2001:0db8:0000:0000:0000:0000:0000:0000/48"),
])
def test_ipv6_blocks_go_out_in_all_hex_form(text, wire):
    assert request_item(normalize_entry(text)) == {"cidrBlock": wire}
    assert path_segment(normalize_entry(text)) == wire.replace("/", "%2F")


def test_ipv4_entries_go_out_as_given():
    assert request_item(normalize_entry("192.0.2.1")) == {"ipAddress": "192.0.2.1"}
    assert request_item(normalize_entry("192.0.2.0/24")) == {"cidrBlock": "192.0.2.0/24"}


@pytest.fixture
def cleaned(run_atlas_module):
    """``cleaned(roles)``: the result of a module run whose roles option is ``roles``; clean_roles' answer in
    ``roles``, or its failure."""
    def run(roles):
        return run_atlas_module(dict(api_public_key="abcdefgh", api_private_key="not-used", roles=roles),
                                then=lambda atlas: dict(roles=clean_roles(atlas)),
                                argument_spec=dict(roles=dict(type="list", elements="str")))
    return run


def test_roles_are_stripped_like_entries(cleaned):
    assert cleaned(["ORG_MEMBER", " ORG_READ_ONLY", "ORG_OWNER\t"])["roles"] == ["ORG_MEMBER", "ORG_READ_ONLY", "ORG_OWNER"]


def test_roles_not_given_stay_none(cleaned):
    assert cleaned(None)["roles"] is None


@pytest.mark.parametrize("roles", [["ORG_MEMBER", ""], ["ORG_MEMBER", "  "]])
def test_an_empty_role_item_is_rejected(cleaned, roles):
    # Ansible hands a null item of a list of strings to the module as ''.
    result = cleaned(roles)
    assert result["failed"] and re.match(r"^roles holds an empty item \(null or blank\) at position 2", result["msg"])


def test_role_messages_quote_every_value():
    message = org_role_problem(["ORG_READ_ONLY\u200b"])
    assert "'ORG_READ_ONLY\u200b'" in message and "'ORG_OWNER'" in message
    message = project_role_problem(["ORG_OWNER"])
    assert "'ORG_OWNER' are organization roles" in message and "'GROUP_READ_ONLY'" in message
    assert "'group_owner'" in project_role_problem(["group_owner"])


def test_access_list_denied_names_the_role_first_then_the_address():
    hint = describe_error(AtlasApiError(401, error_code="API_KEY_ACCESS_LIST_ACCESS_DENIED", detail="Denied."))
    role, address = hint.find("role"), hint.find("address")
    assert 0 <= role < address, hint


def test_a_bare_404_says_to_check_api_base_url():
    message = describe_error(AtlasApiError(404, reason="Not Found", detail="<html>nothing here</html>"))
    assert "api_base_url" in message
    atlas_404 = describe_error(AtlasApiError(404, error_code="API_KEY_NOT_FOUND", detail="No API key."))
    assert "api_base_url" not in atlas_404
