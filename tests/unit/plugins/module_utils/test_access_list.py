# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Access-list entries: one canonical spelling per network, error texts, and the Atlas wire forms."""

from __future__ import annotations

import re

import pytest

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.access_list import (
    API_KEY_ACCESS_LIST,
    access_list_path,
    as_cidr,
    entries_result,
    entry_of,
    entry_result,
    network_order,
    normalize_entry,
    path_segment,
    read_access_list,
    request_item,
    sorted_cidrs,
)

# The patterns the Atlas Administration API's OpenAPI spec gives for access-list entries: what Atlas accepts on the wire.
SPEC_IP_ADDRESS = re.compile(r"^((25[0-5]|(2[0-4]|1\d|[1-9]|)\d)(\.(?!$)|$)){4}|([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}$")
SPEC_CIDR_BLOCK = re.compile(r"^((([0-9]{1,3}\.){3}[0-9]{1,3})|(:{0,2}([0-9a-f]{1,4}:){0,7}[0-9a-f]{1,4}[:]{0,2}))"
                             r"((%2[fF]|/)[0-9]{1,3})+$")
SPEC_PATH_SEGMENT = re.compile(r"^([0-9]{1,3}\.){3}[0-9]{1,3}(%2[fF][0-9]{1,3})?|([0-9a-f]{1,4}\:){7}[0-9a-f]{1,4}"
                               r"(%2[fF][0-9]{1,3})?|([0-9a-f]{1,4}\:){1,6}\:(%2[fF][0-9]{1,3})?$")


@pytest.mark.parametrize("text, canonical", [
    ("203.0.113.10", "203.0.113.10"),
    (" 203.0.113.10 ", "203.0.113.10"),
    ("203.0.113.0/24", "203.0.113.0/24"),
    ("0.0.0.0/0", "0.0.0.0/0"),
    ("2001:db8::1", "2001:db8::1"),
    ("2001:DB8::1", "2001:db8::1"),
    ("2001:db8::/48", "2001:db8::/48"),
    ("::/0", "::/0"),
])
def test_valid_entries_have_one_canonical_spelling(text, canonical):
    assert normalize_entry(text) == canonical


@pytest.mark.parametrize("spellings", [
    ("203.0.113.10", "203.0.113.10/32", " 203.0.113.10/32"),
    ("2001:db8::1", "2001:db8::1/128", "2001:0db8:0000:0000:0000:0000:0000:0001",
     "2001:0db8:0000:0000:0000:0000:0000:0001/128", "2001:DB8:0:0:0:0:0:1"),
    ("2001:db8:aa::/48", "2001:0db8:00aa:0000:0000:0000:0000:0000/48", "2001:DB8:AA::/48"),
])
def test_spellings_of_one_network_are_one_entry(spellings):
    assert len({normalize_entry(text) for text in spellings}) == 1


def test_different_networks_stay_different():
    entries = ["10.0.0.0/24", "10.0.0.0/16", "10.0.0.0", "10.0.0.0/32", "2001:db8::", "2001:db8::/64"]
    assert sorted({normalize_entry(text) for text in entries}) == [
        "10.0.0.0", "10.0.0.0/16", "10.0.0.0/24", "2001:db8::", "2001:db8::/64"]


@pytest.mark.parametrize("text, holding_block", [
    ("10.0.0.1/24", "10.0.0.0/24"),
    ("203.0.113.77/16", "203.0.0.0/16"),
    ("2001:db8::1/64", "2001:db8::/64"),
])
def test_host_bits_error_names_the_block_that_holds_the_address(text, holding_block):
    with pytest.raises(ValueError) as exc:
        normalize_entry(text)
    message = str(exc.value)
    assert "'%s' has host bits set" % text in message
    assert message.endswith("the CIDR block that holds it is %s." % holding_block)


@pytest.mark.parametrize("text", [
    "garbage", "", "10.0.0", "10.0.0.256", "10.0.0.0/33", "2001:db8::/129", "2001:db8:::1",
    "10.0.0.0/24/8", "http://10.0.0.1", "010.0.0.1", "10.0.0.0/-1", "10.0.0.0/",
])
def test_garbage_error_shows_the_valid_forms(text):
    with pytest.raises(ValueError) as exc:
        normalize_entry(text)
    message = str(exc.value)
    assert message.startswith("'%s' is not an IPv4 or IPv6 address or CIDR block" % text)
    assert "203.0.113.10, 203.0.113.0/24, 2001:db8::1 or 2001:db8::/48" in message


def test_ipv6_zone_is_refused_with_the_valid_forms():
    with pytest.raises(ValueError) as exc:
        normalize_entry("fe80::1%eth0")
    assert "IPv6 zone" in str(exc.value)
    assert "2001:db8::/48" in str(exc.value)


@pytest.mark.parametrize("entry, item", [
    ("203.0.113.10", {"ipAddress": "203.0.113.10"}),
    ("203.0.113.0/24", {"cidrBlock": "203.0.113.0/24"}),
    ("2001:db8::1", {"ipAddress": "2001:0db8:0000:0000:0000:0000:0000:0001"}),
    ("2001:db8::/48", {"cidrBlock": "2001:0db8:0000:0000:0000:0000:0000:0000/48"}),
])
def test_request_items_are_what_the_spec_accepts(entry, item):
    assert request_item(entry) == item
    (field, value), = item.items()
    pattern = SPEC_IP_ADDRESS if field == "ipAddress" else SPEC_CIDR_BLOCK
    assert pattern.match(value)


@pytest.mark.parametrize("entry, segment", [
    ("203.0.113.10", "203.0.113.10"),
    ("203.0.113.0/24", "203.0.113.0%2F24"),
    ("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"),
    ("2001:db8::/48", "2001:0db8:0000:0000:0000:0000:0000:0000%2F48"),
])
def test_path_segments_encode_the_slash(entry, segment):
    assert path_segment(entry) == segment
    assert "/" not in path_segment(entry)
    assert SPEC_PATH_SEGMENT.match(segment)


@pytest.mark.parametrize("entry, cidr", [
    ("203.0.113.10", "203.0.113.10/32"),
    ("203.0.113.0/24", "203.0.113.0/24"),
    ("2001:db8::1", "2001:db8::1/128"),
    ("2001:db8::/48", "2001:db8::/48"),
])
def test_as_cidr(entry, cidr):
    assert as_cidr(entry) == cidr


@pytest.mark.parametrize("raw, entry", [
    ({"ipAddress": "203.0.113.10", "cidrBlock": "203.0.113.10/32"}, "203.0.113.10"),
    ({"ipAddress": "203.0.113.10"}, "203.0.113.10"),
    ({"cidrBlock": "203.0.113.0/24"}, "203.0.113.0/24"),
    ({"ipAddress": "2001:0db8:0000:0000:0000:0000:0000:0001",
      "cidrBlock": "2001:0db8:0000:0000:0000:0000:0000:0001/128"}, "2001:db8::1"),
    ({"cidrBlock": "2001:0db8:0000:0000:0000:0000:0000:0000/48"}, "2001:db8::/48"),
])
def test_entries_as_atlas_returns_them(raw, entry):
    assert entry_of(raw) == entry


def test_entry_result_of_a_single_address():
    raw = {"ipAddress": "203.0.113.10", "cidrBlock": "203.0.113.10/32", "created": "2026-11-02T10:15:00Z",
           "lastUsed": "2026-11-03T08:01:12Z", "lastUsedAddress": "203.0.113.10", "count": 42, "links": []}
    assert entry_result(raw) == dict(cidr_block="203.0.113.10/32", ip_address="203.0.113.10",
                                     created="2026-11-02T10:15:00Z", last_used="2026-11-03T08:01:12Z",
                                     last_used_address="203.0.113.10", count=42)


def test_entry_result_of_a_block_has_no_ip_address():
    raw = {"cidrBlock": "2001:0db8:0000:0000:0000:0000:0000:0000/48", "created": "2026-11-02T10:15:00Z", "count": 0}
    assert entry_result(raw) == dict(cidr_block="2001:db8::/48", created="2026-11-02T10:15:00Z", last_used=None,
                                     last_used_address=None, count=0)


def test_entries_result_is_sorted_and_snake_case():
    raws = [{"cidrBlock": "203.0.113.0/24"}, {"ipAddress": "10.1.2.3", "cidrBlock": "10.1.2.3/32"}]
    assert [entry["cidr_block"] for entry in entries_result(raws)] == ["10.1.2.3/32", "203.0.113.0/24"]


# Address order: IPv4 before IPv6, then by network address, a wider block before the blocks inside it.

@pytest.mark.parametrize("first, second", [
    ("9.0.0.0/8", "10.0.0.0/8"),  # by number, not by text ("10" < "9")
    ("10.0.0.2", "10.0.0.10"),
    ("10.0.0.0/8", "10.0.0.0/16"),  # a wider block first
    ("10.0.0.0/24", "10.0.0.0"),  # a block before the single address at its start
    ("10.0.0.0/8", "10.0.0.1"),
    ("203.0.113.0/24", "2001:db8::/32"),  # IPv4 first ("2001" < "203" as text)
    ("255.255.255.255", "::/0"),
    ("::/0", "::1"),
    ("2001:db8::/32", "2001:db8::/48"),
    ("2001:db8::/48", "2001:db8:aa::/48"),
    ("2001:db8::1", "2001:db8::a"),
])
def test_network_order(first, second):
    assert network_order(first) < network_order(second)
    assert sorted([second, first], key=network_order) == [first, second]


@pytest.mark.parametrize("spellings", [("10.0.0.1", "10.0.0.1/32"), ("2001:db8::1", "2001:db8::1/128"),
                                       ("2001:db8::/48", "2001:0db8:0000:0000:0000:0000:0000:0000/48")])
def test_network_order_is_the_same_for_every_spelling_of_one_network(spellings):
    assert len({network_order(text) for text in spellings}) == 1


def test_sorted_cidrs_lists_canonical_entries_as_blocks_in_address_order():
    entries = {"2001:db8::1", "203.0.113.0/24", "::/0", "10.0.0.0/16", "9.9.9.9", "10.0.0.0/8", "0.0.0.0/0"}
    assert sorted_cidrs(entries) == ["0.0.0.0/0", "9.9.9.9/32", "10.0.0.0/8", "10.0.0.0/16", "203.0.113.0/24",
                                     "::/0", "2001:db8::1/128"]
    assert sorted_cidrs([]) == []


def test_entries_result_is_in_address_order():
    raws = [{"cidrBlock": "2001:0db8:0000:0000:0000:0000:0000:0000/48"},
            {"ipAddress": "203.0.113.10", "cidrBlock": "203.0.113.10/32"},
            {"cidrBlock": "10.0.0.0/8"}, {"cidrBlock": "::/0"}, {"ipAddress": "9.9.9.9"}, {"cidrBlock": "0.0.0.0/0"},
            {"cidrBlock": "10.0.0.0/24"}]
    assert [entry["cidr_block"] for entry in entries_result(raws)] == [
        "0.0.0.0/0", "9.9.9.9/32", "10.0.0.0/8", "10.0.0.0/24", "203.0.113.10/32", "::/0", "2001:db8::/48"]
    assert entries_result([]) == []


def test_access_list_path():
    assert access_list_path("65a1b2c3d4e5f6a7b8c9d0e1", "65a1b2c3d4e5f6a7b8c9d0a1") == (
        "/orgs/65a1b2c3d4e5f6a7b8c9d0e1/apiKeys/65a1b2c3d4e5f6a7b8c9d0a1/accessList")


# read_access_list of an API key: the key by id is not read first; by public key or description it is found in the key list.

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
KEYS_PATH = "/orgs/%s/apiKeys" % ORG
MISSING_KEY = "65a1b2c3d4e5f6a7b8c9d0ff"


@pytest.fixture
def read(sim, run_atlas_module):
    """``read(when_missing="", **named)``: the result of read_access_list for the key named so, on a real AtlasModule
    against the simulator (log cleared first): (key id, the CIDR blocks read) in ``found``, or the failure."""
    def run(when_missing="", **named):
        sim.clear_log()
        named = dict(dict(api_key_id=None, public_key=None, description=None), **named)

        def then(atlas):
            key_id, raws = read_access_list(atlas, API_KEY_ACCESS_LIST, ORG, named, when_missing=when_missing)
            return dict(found=[key_id, sorted(raw["cidrBlock"] for raw in raws)])
        return run_atlas_module(sim.connection, then=then)
    return run


@pytest.fixture
def key(sim):
    """ci-key-a, with 203.0.113.0/24 on its access list, and ci-key-b next to it."""
    sim.add_key("ci-key-b", ["ORG_MEMBER"])
    key = sim.add_key("ci-key-a", ["ORG_MEMBER"], access_list=["203.0.113.0/24"])
    key["path"] = "%s/%s/accessList" % (KEYS_PATH, key["id"])
    return key


def test_read_by_id_reads_the_access_list_only(sim, read, key):
    assert read(api_key_id=key["id"])["found"] == [key["id"], ["203.0.113.0/24"]]
    assert sim.sent() == [("GET", key["path"], None)]


def test_read_by_id_of_an_empty_list_is_not_a_missing_key(sim, read):
    key = sim.add_key("empty", ["ORG_MEMBER"])
    assert read(api_key_id=key["id"])["found"] == [key["id"], []]


@pytest.mark.parametrize("how", ["public_key", "description"])
def test_read_by_public_key_or_description_finds_the_key_first(sim, read, key, how):
    assert read(**{how: dict(public_key=key["publicKey"], description="ci-key-a")[how]})["found"] == \
        [key["id"], ["203.0.113.0/24"]]
    assert sim.sent() == [("GET", KEYS_PATH, None), ("GET", key["path"], None)]


@pytest.mark.parametrize("named, label, reads", [
    (dict(api_key_id=MISSING_KEY), "API key %s" % MISSING_KEY, ["%s/%s/accessList" % (KEYS_PATH, MISSING_KEY)]),
    (dict(public_key="nosuchky"), "API key with public key 'nosuchky'", [KEYS_PATH]),
    (dict(description="no such key"), "API key 'no such key'", [KEYS_PATH]),
], ids=["api_key_id", "public_key", "description"])
@pytest.mark.parametrize("when_missing", ["", " Create it first."])
def test_a_missing_key_fails_naming_it(sim, read, key, named, label, reads, when_missing):
    failure = read(when_missing=when_missing, **named)
    assert failure["msg"] == "%s does not exist in organization %s.%s" % (label, ORG, when_missing)
    assert [request[1] for request in sim.sent()] == reads
