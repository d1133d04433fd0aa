# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of atlas_api_key_accesslist: the module runs against the simulator (the ``sim`` fixture)."""

from __future__ import annotations

import ipaddress

import pytest

from ansible_collections.mongodb_atlas.api_keys.tests.simulator import atlas_simulator

try:
    # When plain pytest collects the whole unit suite in one process, the lookup plugin tests import the controller
    # (ansible.utils.display); import it here too, so that these tests always run as they do in the suite and
    # module_process() must keep module warnings in module results. ansible-test units runs module tests where
    # only module_utils can be imported: there the controller is never in the process.
    import ansible.utils.display  # noqa: F401  pylint: disable=unused-import
except ImportError:
    pass

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
MISSING_KEY = "65a1b2c3d4e5f6a7b8c9d0ff"
KEYS_PATH = "/orgs/%s/apiKeys" % ORG
CREATED = "2026-11-02T10:15:00Z"


def address_order(network):
    """The order results list entries in, written out independently of the module's own sort key."""
    return network.version, int(network.network_address), network.prefixlen


@pytest.fixture
def atlas(sim):
    """The simulator with two more keys, ci-key-a (``atlas.key``) and ci-key-b (``atlas.other``), empty access
    lists; ``atlas.path`` is key A's access list path; the log is cleared by ``seed`` and before each test."""
    sim.key = sim.add_key("ci-key-a", ["ORG_MEMBER"])
    sim.other = sim.add_key("ci-key-b", ["ORG_MEMBER"])
    sim.path = "/orgs/%s/apiKeys/%s/accessList" % (ORG, sim.key["id"])
    sim.clear_log()
    return sim


def seed(sim, *texts, key=None):
    """Entries (addresses or CIDR blocks) on key A (or ``key``), created at CREATED; the log is cleared."""
    sim.add_entries((key or sim.key)["id"], [dict(cidrBlock=str(ipaddress.ip_network(text)), created=CREATED)
                                             for text in texts])
    sim.clear_log()


def listed(sim, key=None):
    """A key's entries (key A by default) as CIDR blocks, in address order (IPv4 first, wider blocks first)."""
    key_id = (key or sim.key)["id"]
    (raw,) = [raw for raw in sim.state()["api_keys"] if raw["id"] == key_id]
    return [str(network) for network in sorted((ipaddress.ip_network(entry["cidrBlock"]) for entry in raw["accessList"]),
                                               key=address_order)]


def methods(sim):
    return [request[0] for request in sim.sent()]


def post_queries(sim):
    return [entry["query"] for entry in sim.log() if entry["method"] == "POST" and not entry["challenge"]]


def run(sim, check_mode=False, diff=True, **args):
    """Run the module with the admin key; return (failed, result)."""
    result = sim.run("atlas_api_key_accesslist", check_mode=check_mode, diff=diff, **dict(dict(org_id=ORG), **args))
    assert sim.secrets_in(result) == []
    return bool(result.get("failed")), result


def warnings(result):
    """The warning texts (ansible-core 2.19+ returns each warning as a structured event)."""
    return [item if isinstance(item, str) else item["event"]["msg"] for item in result.get("warnings", [])]


def cidrs(result):
    return [entry["cidr_block"] for entry in result["entries"]]


# Adding.

def test_present_adds_every_missing_entry_in_one_post(atlas):
    seed(atlas, "198.51.100.7")
    failed, result = run(atlas, api_key_id=atlas.key["id"],
                         entries=["203.0.113.0/24", "198.51.100.7", "2001:db8::1", "2001:db8:aa::/48"])
    assert not failed and result["changed"]
    assert atlas.sent(writes_only=True) == [("POST", atlas.path, [  # in address order, as results list them
        {"cidrBlock": "203.0.113.0/24"},
        {"ipAddress": "2001:0db8:0000:0000:0000:0000:0000:0001"},
        {"cidrBlock": "2001:0db8:00aa:0000:0000:0000:0000:0000/48"},
    ])]
    # The key named by id is not read first; the POST asks for Atlas's largest page, so its answer is the list.
    assert atlas.sent()[0] == ("GET", atlas.path, None) and methods(atlas) == ["GET", "POST"]
    assert [query.get("itemsPerPage") for query in post_queries(atlas)] == ["500"]
    assert result["added"] == ["203.0.113.0/24", "2001:db8::1/128", "2001:db8:aa::/48"]
    assert result["removed"] == []
    assert result["api_key_id"] == atlas.key["id"]
    assert cidrs(result) == listed(atlas) == [
        "198.51.100.7/32", "203.0.113.0/24", "2001:db8::1/128", "2001:db8:aa::/48"]
    single = [entry for entry in result["entries"] if entry["cidr_block"] == "198.51.100.7/32"][0]
    assert single == dict(cidr_block="198.51.100.7/32", ip_address="198.51.100.7", created=CREATED, count=0,
                          last_used=None, last_used_address=None)
    assert "ip_address" not in [entry for entry in result["entries"] if entry["cidr_block"] == "203.0.113.0/24"][0]
    assert result["diff"] == dict(before=dict(entries=["198.51.100.7/32"]), after=dict(
        entries=["198.51.100.7/32", "203.0.113.0/24", "2001:db8::1/128", "2001:db8:aa::/48"]))
    assert "warnings" not in result


def test_present_with_nothing_missing_only_reads(atlas):
    seed(atlas, "203.0.113.0/24", "198.51.100.7", "2001:db8::1/128")
    # Other spellings and another order of the same networks.
    failed, result = run(atlas, public_key=atlas.key["publicKey"],
                         entries=["2001:0DB8:0000:0000:0000:0000:0000:0001", "198.51.100.7/32", "203.0.113.0/24",
                                  "198.51.100.7"])
    assert not failed and not result["changed"]
    assert atlas.writes() == []
    # Named by public key, the key is found in the key list first.
    assert atlas.sent() == [("GET", KEYS_PATH, None), ("GET", atlas.path, None)]
    assert result["added"] == result["removed"] == []
    assert result["diff"]["before"] == result["diff"]["after"]
    assert cidrs(result) == ["198.51.100.7/32", "203.0.113.0/24", "2001:db8::1/128"]


def test_two_spellings_of_one_entry_are_posted_once(atlas):
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["10.1.2.3", "10.1.2.3/32", " 10.1.2.3 "])
    assert not failed and result["changed"]
    assert atlas.sent(writes_only=True) == [("POST", atlas.path, [{"ipAddress": "10.1.2.3"}])]
    assert result["added"] == ["10.1.2.3/32"]


def test_present_without_purge_keeps_other_entries(atlas):
    seed(atlas, "192.0.2.0/24")
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["203.0.113.0/24"])
    assert not failed and result["changed"]
    assert [request[0] for request in atlas.sent(writes_only=True)] == ["POST"]
    assert listed(atlas) == ["192.0.2.0/24", "203.0.113.0/24"]
    assert result["removed"] == []


# Order: results list entries by address (IPv4 first, then by network address, a wider block first), not by text.

ORDER_SEEDED = ["203.0.113.0/24", "9.9.9.9", "2001:db8::/32", "10.0.0.0/24"]
ORDER_WANTED = ["10.0.0.0/16", "10.0.0.0/24", "2001:db8::/48", "2001:db8::/32", "::1", "2.0.0.0/8", "100.64.0.0/10"]
# In text order, 10.x would come before 2.x and 9.x, 203.x after 2001:db8::, and ::1 last.
ORDER_ADDED = ["2.0.0.0/8", "10.0.0.0/16", "100.64.0.0/10", "::1/128", "2001:db8::/48"]
ORDER_REMOVED = ["9.9.9.9/32", "203.0.113.0/24"]
ORDER_BEFORE = ["9.9.9.9/32", "10.0.0.0/24", "203.0.113.0/24", "2001:db8::/32"]
ORDER_AFTER = ["2.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24", "100.64.0.0/10", "::1/128", "2001:db8::/32", "2001:db8::/48"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_entries_added_removed_and_diff_are_in_address_order(atlas, check_mode):
    seed(atlas, *ORDER_SEEDED)
    failed, result = run(atlas, check_mode=check_mode, api_key_id=atlas.key["id"], entries=ORDER_WANTED, purge=True)
    assert not failed and result["changed"]
    assert result["added"] == ORDER_ADDED
    assert result["removed"] == ORDER_REMOVED
    assert cidrs(result) == ORDER_AFTER
    assert result["diff"] == dict(before=dict(entries=ORDER_BEFORE), after=dict(entries=ORDER_AFTER))
    assert listed(atlas) == (ORDER_BEFORE if check_mode else ORDER_AFTER)
    assert sorted(call[1] for call in atlas.sent(writes_only=True) if call[0] == "DELETE") == (
        [] if check_mode else [atlas.path + "/203.0.113.0%2F24", atlas.path + "/9.9.9.9"])


def test_absent_lists_what_is_left_in_address_order(atlas):
    seed(atlas, *ORDER_SEEDED)
    failed, result = run(atlas, api_key_id=atlas.key["id"], state="absent", entries=["2001:db8::/32", "9.9.9.9", "10.0.0.0/24"])
    assert not failed and result["changed"]
    assert result["removed"] == ["9.9.9.9/32", "10.0.0.0/24", "2001:db8::/32"]
    assert cidrs(result) == ["203.0.113.0/24"]


# The answer of the POST is the whole list, paginated: with itemsPerPage=500, one page holds up to 500 entries.

def many(count):
    """count distinct /24 blocks, 10.0.0.0/24 onwards; their text order is not their address order."""
    return ["10.%d.%d.0/24" % (number // 256, number % 256) for number in range(count)]


@pytest.mark.parametrize("seeded, rereads", [(0, 0), (399, 0), (499, 0), (500, 1), (599, 1)],
                         ids=["1-entry", "400-entries", "500-entries", "501-entries", "600-entries"])
def test_only_a_post_answer_longer_than_one_page_of_500_is_read_again(atlas, seeded, rereads):
    seed(atlas, *many(seeded))
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["203.0.113.0/24"])
    assert not failed and result["changed"]
    assert [query.get("itemsPerPage") for query in post_queries(atlas)] == ["500"]
    pages_before = 1 if seeded <= 500 else 2
    assert methods(atlas) == ["GET"] * pages_before + ["POST"] + ["GET"] * rereads
    assert len(result["entries"]) == seeded + 1
    assert cidrs(result) == listed(atlas)
    created = {entry["cidr_block"]: entry["created"] for entry in result["entries"]}
    assert created.pop("203.0.113.0/24") and set(created.values()) <= {CREATED}


def test_a_paginated_post_answer_is_read_once_after_the_removals(atlas):
    seeded = many(600)
    seed(atlas, *seeded)
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["203.0.113.0/24", "10.0.7.0/24"], purge=True)
    assert not failed and result["changed"]
    assert methods(atlas) == ["GET", "GET", "POST"] + ["DELETE"] * 599 + ["GET"]
    assert [query.get("itemsPerPage") for query in post_queries(atlas)] == ["500"]
    assert cidrs(result) == listed(atlas) == ["10.0.7.0/24", "203.0.113.0/24"]
    assert result["entries"][0]["created"] == CREATED and result["entries"][1]["created"]
    assert result["added"] == ["203.0.113.0/24"]
    # 10.0.10.0/24 comes after 10.0.9.0/24, not before 10.0.2.0/24 as in text order.
    expected = [text for text in seeded if text != "10.0.7.0/24"]
    assert result["removed"] == expected
    assert result["removed"].index("10.0.9.0/24") + 1 == result["removed"].index("10.0.10.0/24")


def test_a_post_answer_without_total_count_is_complete_when_shorter_than_a_page(atlas):
    seed(atlas, "192.0.2.0/24")
    atlas.rewrite_answer("add_access_list", lambda body: body.pop("totalCount"))
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["203.0.113.0/24"])
    assert not failed
    assert methods(atlas) == ["GET", "POST"]
    assert cidrs(result) == listed(atlas) == ["192.0.2.0/24", "203.0.113.0/24"]


def test_a_full_post_answer_without_total_count_is_read_on(atlas):
    seed(atlas, *many(500))
    atlas.rewrite_answer("add_access_list", lambda body: body.pop("totalCount"))
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["203.0.113.0/24"])
    assert not failed
    assert methods(atlas) == ["GET", "POST", "GET"]
    assert cidrs(result) == listed(atlas) and len(result["entries"]) == 501


def drop_post(sim, when):
    """The next POST of access-list entries loses its connection, ``when`` "before" Atlas applies it or "after"."""
    sim.control("POST", "faults", {"rules": [{"method": "POST", "path": "accessList$", "kind": "drop", "when": when}]})


def test_a_lost_post_answer_is_recovered_by_reading_the_list(atlas):
    seed(atlas, "192.0.2.0/24")
    drop_post(atlas, "after")
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["203.0.113.0/24", "10.1.2.3"])
    assert not failed and result["changed"]
    assert methods(atlas) == ["GET", "POST", "GET"]  # sent once, not again
    assert listed(atlas) == ["10.1.2.3/32", "192.0.2.0/24", "203.0.113.0/24"]
    assert cidrs(result) == ["10.1.2.3/32", "192.0.2.0/24", "203.0.113.0/24"]
    assert result["added"] == ["10.1.2.3/32", "203.0.113.0/24"]


def test_a_post_that_was_not_applied_is_sent_again(atlas):
    drop_post(atlas, "before")
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["203.0.113.0/24"])
    assert not failed and result["changed"]
    assert methods(atlas) == ["GET", "POST", "GET", "POST"]
    assert [query.get("itemsPerPage") for query in post_queries(atlas)] == ["500", "500"]
    assert listed(atlas) == ["203.0.113.0/24"]


def test_a_list_holding_only_some_posted_entries_means_the_post_was_not_applied(atlas):
    seed(atlas, "10.1.2.3")
    drop_post(atlas, "before")
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["10.1.2.3", "203.0.113.0/24", "192.0.2.1"])
    assert not failed and result["changed"]
    assert methods(atlas) == ["GET", "POST", "GET", "POST"]
    assert listed(atlas) == ["10.1.2.3/32", "192.0.2.1/32", "203.0.113.0/24"]


# Removing.

def test_purge_removes_every_other_entry_one_delete_each(atlas):
    seed(atlas, "192.0.2.0/24", "198.51.100.7", "2001:db8::/48", "203.0.113.0/24")
    failed, result = run(atlas, description="ci-key-a", entries=["203.0.113.0/24"], purge=True)
    assert not failed and result["changed"]
    assert atlas.sent(writes_only=True) == [
        ("DELETE", atlas.path + "/192.0.2.0%2F24", None),
        ("DELETE", atlas.path + "/198.51.100.7", None),
        ("DELETE", atlas.path + "/2001:0db8:0000:0000:0000:0000:0000:0000%2F48", None),
    ]
    assert listed(atlas) == ["203.0.113.0/24"]
    assert result["removed"] == ["192.0.2.0/24", "198.51.100.7/32", "2001:db8::/48"]
    assert result["added"] == []
    # The key list, then the access list; the list after the DELETEs is known from their success: no second read.
    assert [call[:2] for call in atlas.sent() if call[0] in ("GET", "GET")] == [("GET", KEYS_PATH), ("GET", atlas.path)]
    assert cidrs(result) == ["203.0.113.0/24"]
    assert result["diff"] == dict(
        before=dict(entries=["192.0.2.0/24", "198.51.100.7/32", "203.0.113.0/24", "2001:db8::/48"]),
        after=dict(entries=["203.0.113.0/24"]))


def test_purge_adds_before_it_removes(atlas):
    seed(atlas, "10.0.0.0/24")
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["10.0.0.0/16"], purge=True)
    assert not failed and result["changed"]
    assert [request[:2] for request in atlas.sent(writes_only=True)] == [("POST", atlas.path), ("DELETE", atlas.path + "/10.0.0.0%2F24")]
    assert cidrs(result) == ["10.0.0.0/16"]
    assert methods(atlas) == ["GET", "POST", "DELETE"]


def test_purge_with_the_same_list_in_other_spellings_changes_nothing(atlas):
    seed(atlas, "10.1.2.3", "2001:db8::/48")
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["2001:0db8::/48", "10.1.2.3/32"], purge=True)
    assert not failed and not result["changed"]
    assert atlas.writes() == []


def test_absent_removes_only_listed_entries_that_exist(atlas):
    seed(atlas, "192.0.2.0/24", "198.51.100.7", "2001:db8::1")
    failed, result = run(atlas, api_key_id=atlas.key["id"], state="absent",
                         entries=["198.51.100.7/32", "2001:0db8:0:0:0:0:0:1", "203.0.113.0/24"])
    assert not failed and result["changed"]
    assert atlas.sent(writes_only=True) == [
        ("DELETE", atlas.path + "/198.51.100.7", None),
        ("DELETE", atlas.path + "/2001:0db8:0000:0000:0000:0000:0000:0001", None),
    ]
    assert result["removed"] == ["198.51.100.7/32", "2001:db8::1/128"]
    assert cidrs(result) == listed(atlas) == ["192.0.2.0/24"]
    assert "warnings" not in result


def test_absent_with_nothing_to_remove_only_reads(atlas):
    seed(atlas, "192.0.2.0/24")
    failed, result = run(atlas, api_key_id=atlas.key["id"], state="absent", entries=["203.0.113.0/24", "192.0.2.1"])
    assert not failed and not result["changed"]
    assert atlas.sent() == [("GET", atlas.path, None)]
    assert result["removed"] == []


# The empty list.

def empty_warning(sim):
    return ("The access list of API key %s is empty: the key can be used from any address unless the organization "
            "requires an API access list. Add entries to restrict where it can be used from." % sim.key["id"])


def test_removing_the_last_entry_warns(atlas):
    seed(atlas, "192.0.2.0/24")
    failed, result = run(atlas, api_key_id=atlas.key["id"], state="absent", entries=["192.0.2.0/24"])
    assert not failed and result["changed"]
    assert result["entries"] == []
    assert warnings(result) == [empty_warning(atlas)]


def test_purge_to_an_empty_list_warns_in_check_mode_too(atlas):
    seed(atlas, "192.0.2.0/24", "10.1.2.3")
    failed, result = run(atlas, check_mode=True, api_key_id=atlas.key["id"], entries=[], purge=True)
    assert not failed and result["changed"]
    assert atlas.writes() == []
    assert result["entries"] == []
    assert warnings(result) == [empty_warning(atlas)]


def test_an_empty_list_left_empty_warns_again(atlas):
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=[])
    assert not failed and not result["changed"]
    assert warnings(result) == [empty_warning(atlas)]


def test_each_run_returns_its_own_warnings_only(atlas):
    # The warning is in the module's result (also with the controller imported, see the imports), and a run
    # without a warning after a run with one has none.
    seed(atlas, "192.0.2.0/24")
    failed, result = run(atlas, api_key_id=atlas.key["id"], state="absent", entries=["192.0.2.0/24"])
    assert not failed and warnings(result) == [empty_warning(atlas)]
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=["203.0.113.0/24"])
    assert not failed and "warnings" not in result


# Check mode.

def test_check_mode_sends_no_write_and_shows_the_list_as_it_would_be(atlas):
    seed(atlas, "192.0.2.0/24", "198.51.100.7")
    failed, result = run(atlas, check_mode=True, api_key_id=atlas.key["id"],
                         entries=["203.0.113.0/24", "2001:db8::1", "198.51.100.7"], purge=True)
    assert not failed and result["changed"]
    assert atlas.sent() == [("GET", atlas.path, None)]
    assert listed(atlas) == ["192.0.2.0/24", "198.51.100.7/32"]
    assert result["added"] == ["203.0.113.0/24", "2001:db8::1/128"]
    assert result["removed"] == ["192.0.2.0/24"]
    assert result["entries"] == [
        dict(cidr_block="198.51.100.7/32", ip_address="198.51.100.7", created=CREATED, count=0, last_used=None,
             last_used_address=None),
        dict(cidr_block="203.0.113.0/24", created=None, count=None, last_used=None, last_used_address=None),
        dict(cidr_block="2001:db8::1/128", ip_address="2001:db8::1", created=None, count=None, last_used=None,
             last_used_address=None),
    ]
    assert result["diff"]["after"] == dict(entries=["198.51.100.7/32", "203.0.113.0/24", "2001:db8::1/128"])


def test_check_mode_then_real_run_agree(atlas):
    seed(atlas, "192.0.2.0/24")
    args = dict(api_key_id=atlas.key["id"], entries=["203.0.113.0/24"], purge=True)
    checked = run(atlas, check_mode=True, **args)[1]
    applied = run(atlas, **args)[1]
    assert checked["changed"] and applied["changed"]
    for field in ("added", "removed", "diff"):
        assert checked[field] == applied[field]
    assert cidrs(checked) == cidrs(applied)
    again = run(atlas, **args)[1]
    assert not again["changed"]


def test_no_diff_without_diff_mode(atlas):
    failed, result = run(atlas, diff=False, api_key_id=atlas.key["id"], entries=["203.0.113.0/24"])
    assert not failed and result["changed"] and "diff" not in result


# Finding the key: by id, its access list is read at once (Atlas answers API_KEY_NOT_FOUND there for a missing
# key); by public key or description, the key list is read first.

@pytest.mark.parametrize("how, reads_the_keys", [("api_key_id", False), ("public_key", True), ("description", True)])
@pytest.mark.parametrize("check_mode", [False, True])
def test_the_key_is_read_first_only_when_not_named_by_id(atlas, how, reads_the_keys, check_mode):
    seed(atlas, "192.0.2.0/24")
    selector = {how: dict(api_key_id=atlas.key["id"], public_key=atlas.key["publicKey"], description="ci-key-a")[how]}
    failed, result = run(atlas, check_mode=check_mode, entries=["192.0.2.0/24"], **selector)
    assert not failed and not result["changed"] and result["api_key_id"] == atlas.key["id"]
    # never GET /orgs/{org}/apiKeys/{id}
    assert atlas.sent() == [("GET", KEYS_PATH, None)] * reads_the_keys + [("GET", atlas.path, None)]


# The key must exist.

MISSING_KEY_PATH = "/orgs/%s/apiKeys/%s/accessList" % (ORG, MISSING_KEY)


@pytest.mark.parametrize("selector, label, reads", [
    (dict(api_key_id=MISSING_KEY), "API key %s" % MISSING_KEY, [("GET", MISSING_KEY_PATH, None)]),
    (dict(public_key="nosuchky"), "API key with public key 'nosuchky'", [("GET", KEYS_PATH, None)]),
    (dict(description="no such key"), "API key 'no such key'", [("GET", KEYS_PATH, None)]),
], ids=["api_key_id", "public_key", "description"])
@pytest.mark.parametrize("check_mode", [False, True])
def test_a_missing_key_fails_without_writing(atlas, selector, label, reads, check_mode):
    failed, result = run(atlas, check_mode=check_mode, entries=["203.0.113.0/24"], **selector)
    assert failed and not result["changed"]
    assert atlas.sent() == reads  # one read: the access list by id (answered 404), or the key list
    assert result["msg"] == ("%s does not exist in organization %s. This module manages the access list of an "
                             "existing key and never creates keys: create it with "
                             "mongodb_atlas.api_keys.atlas_org_api_key." % (label, ORG))
    assert "error" not in result


@pytest.mark.parametrize("status, code, shown", [
    (404, "ORG_NOT_FOUND", "HTTP 404 ORG_NOT_FOUND"),  # the organization is missing, not the key
    (404, None, "HTTP 404"),  # not Atlas at all, such as a wrong api_base_url
    (400, "API_KEY_NOT_FOUND", None),  # Atlas's other answer for a missing key
])
def test_only_a_missing_key_reads_as_a_missing_key(atlas, status, code, shown):
    atlas.fail_operation("list_access_list", status, code, "Nothing there.")
    key_id = atlas.key["id"]
    failed, result = run(atlas, api_key_id=key_id, entries=["203.0.113.0/24"])
    assert failed and not result["changed"] and atlas.writes() == []
    assert atlas.sent() == [("GET", atlas.path, None)]
    if shown is None:
        assert result["msg"].startswith("API key %s does not exist in organization %s." % (key_id, ORG))
    else:
        assert result["msg"].startswith("Failed to list the access list of API key %s: %s" % (key_id, shown))
        assert "does not exist" not in result["msg"]
        assert result["error"]["code"] == code


def test_a_description_that_matches_two_keys_fails(atlas):
    twin = atlas.add_key("ci-key-a", ["ORG_MEMBER"])
    failed, result = run(atlas, description="ci-key-a", entries=["203.0.113.0/24"])
    assert failed and atlas.writes() == []
    assert "matches 2 API keys" in result["msg"] and atlas.key["id"] in result["msg"] and twin["id"] in result["msg"]


@pytest.mark.parametrize("how", ["api_key_id", "public_key", "description"])
def test_each_selector_names_its_key(atlas, how):
    other = atlas.other
    selector = {how: dict(api_key_id=other["id"], public_key=other["publicKey"], description="ci-key-b")[how]}
    failed, result = run(atlas, entries=["203.0.113.0/24"], **selector)
    assert not failed and result["api_key_id"] == other["id"]
    assert atlas.sent(writes_only=True) == [("POST", "/orgs/%s/apiKeys/%s/accessList" % (ORG, other["id"]),
                                             [{"cidrBlock": "203.0.113.0/24"}])]
    assert listed(atlas) == []


# Atlas errors (the refusal to remove the caller's own address: test_simulator_refuses_to_remove_the_callers_address).

@pytest.mark.parametrize("entries, named", [
    (["2001:db8::/48", "203.0.113.0/24", "9.1.2.3"], "9.1.2.3/32, 203.0.113.0/24, 2001:db8::/48"),
    (["10.0.%d.0/24" % n for n in range(11)], "11 entries"),
])
def test_a_refused_post_names_what_it_added(atlas, entries, named):
    atlas.fail_operation("add_access_list", 403, "IP_ADDRESS_NOT_ON_ACCESS_LIST",
                         "IP address 192.0.2.1 is not allowed to access this resource.")
    failed, result = run(atlas, api_key_id=atlas.key["id"], entries=entries)
    assert failed and not result["changed"]  # Atlas refused it: nothing changed
    assert result["msg"] == (
        "Failed to add %s to the access list of API key %s: HTTP 403 IP_ADDRESS_NOT_ON_ACCESS_LIST: IP address "
        "192.0.2.1 is not allowed to access this resource. The address this task runs from is not on the access "
        "list of the credentials in use (the API key or service account): add it there, or run the task from a "
        "listed address." % (named, atlas.key["id"]))
    assert listed(atlas) == []


def test_a_failure_after_a_write_reports_changed(atlas):
    admin = {"id": atlas_simulator.ADMIN_KEY_ID}
    seed(atlas, "127.0.0.1", key=admin)  # the address the admin key calls from: Atlas will not remove it
    failed, result = run(atlas, api_key_id=admin["id"], entries=["192.0.2.0/24"], purge=True)
    assert failed and result["changed"]
    assert listed(atlas, admin) == ["127.0.0.1/32", "192.0.2.0/24"]


# Against the in-process Atlas simulator, through the real client: the wire forms Atlas sees.

def run_sim(sim, check_mode=False, **args):
    return sim.run("atlas_api_key_accesslist", check_mode=check_mode, org_id=atlas_simulator.ORG_ID, **args)


def sim_requests(sim, root="/api/atlas/v2", query=False):
    """The authenticated API requests since the last call: (method, path after the key's access list path),
    and with query=True their query parameters too.

    Every request must be on the API root of the api_version in use.
    """
    requests = sim.control("GET", "log")["requests"]
    sim.control("DELETE", "log")
    assert all(item["path"].startswith(root + "/") for item in requests)
    return [(item["method"], item["path"][len(root):].split("/accessList", 1)[-1]) + ((item["query"],) if query else ())
            for item in requests if item["status"] != 401]


def sim_entries(sim, key_id):
    state = sim.control("GET", "state")
    return [entry["cidrBlock"] for key in state["api_keys"] if key["id"] == key_id for entry in key["accessList"]]


@pytest.mark.parametrize("api_version", ["v2", "v1.0"])
def test_simulator_converges_with_the_wire_forms_atlas_takes(sim, api_version):
    key_id = atlas_simulator.READ_ONLY_KEY_ID
    wanted = ["203.0.113.0/24", "2001:db8::1", "2001:db8:aa::/48", "198.51.100.7/32"]
    result = run_sim(sim, api_version=api_version, api_key_id=key_id, entries=wanted)
    assert result["changed"] and not result.get("failed"), result
    root = "/api/atlas/" + api_version
    # Named by id, the key is not read first; the POST asks for a page of 500, and its answer is the whole list.
    calls = sim_requests(sim, root, query=True)
    assert [call[:2] for call in calls] == [("GET", ""), ("POST", "")]
    assert calls[1][2].get("itemsPerPage") == "500"
    assert sim_entries(sim, key_id) == result["diff"]["after"]["entries"] == [
        entry["cidr_block"] for entry in result["entries"]] == [
        "198.51.100.7/32", "203.0.113.0/24", "2001:db8::1/128", "2001:db8:aa::/48"]
    assert [entry["created"] is not None for entry in result["entries"]] == [True] * 4

    again = run_sim(sim, api_version=api_version, api_key_id=key_id,
                    entries=["2001:0db8:0000:0000:0000:0000:0000:0001/128", "198.51.100.7", "203.0.113.0/24",
                             "2001:DB8:AA::/48"])
    assert not again["changed"] and again["entries"] == result["entries"]
    assert sim_requests(sim, root) == [("GET", "")]

    removed = run_sim(sim, api_version=api_version, api_key_id=key_id, state="absent",
                      entries=["2001:db8:aa::/48", "198.51.100.7", "192.0.2.0/24"])
    assert removed["changed"] and removed["removed"] == ["198.51.100.7/32", "2001:db8:aa::/48"]
    assert sim_requests(sim, root) == [("GET", ""), ("DELETE", "/198.51.100.7"),
                                       ("DELETE", "/2001:0db8:00aa:0000:0000:0000:0000:0000%2F48")]
    assert sim_entries(sim, key_id) == [entry["cidr_block"] for entry in removed["entries"]] == [
        "203.0.113.0/24", "2001:db8::1/128"]


def test_simulator_a_missing_key_by_id_fails_after_one_read(sim):
    missing = "65a1b2c3d4e5f6a7b8c9dfff"
    result = run_sim(sim, api_key_id=missing, entries=["203.0.113.0/24"])
    assert result["failed"] and not result["changed"]
    assert result["msg"].startswith("API key %s does not exist in organization %s. This module manages the access "
                                    "list of an existing key and never creates keys" % (missing, atlas_simulator.ORG_ID))
    assert sim_requests(sim) == [("GET", "")]  # the access list, answered 404 API_KEY_NOT_FOUND; no write


# The POST's answer is page 1 of the new list, so a longer list is read on from page 2 only.
@pytest.mark.parametrize("seeded, after_post", [(399, []), (599, ["2"])], ids=["400-entries", "600-entries"])
def test_simulator_only_a_list_longer_than_500_is_read_again_after_the_post(sim, seeded, after_post):
    key_id = atlas_simulator.READ_ONLY_KEY_ID
    sim.control("POST", "seed", {"access_list": {"api_key_id": key_id, "count": seeded}})
    sim.control("DELETE", "log")
    result = run_sim(sim, api_key_id=key_id, entries=["203.0.113.0/24"])
    assert result["changed"] and not result.get("failed"), result
    calls = sim_requests(sim, query=True)
    methods = [call[0] for call in calls]
    assert methods.count("POST") == 1 and calls[methods.index("POST")][2].get("itemsPerPage") == "500"
    # Before the POST every page of the list is read; after it, only when its answer (500 entries) was not all.
    pages_before = ["1"] if seeded < 500 else ["1", "2"]
    assert [call[2]["pageNum"] for call in calls[:methods.index("POST")]] == pages_before
    assert [call[2]["pageNum"] for call in calls[methods.index("POST") + 1:]] == after_post
    assert len(result["entries"]) == seeded + 1
    assert [entry["cidr_block"] for entry in result["entries"]] == sim_entries(sim, key_id)


def test_simulator_long_list_is_read_per_page(sim):
    key_id = atlas_simulator.READ_ONLY_KEY_ID
    seeded = sim.control("POST", "seed", {"access_list": {"api_key_id": key_id, "count": 600}})["access_list_entries"]
    sim.control("DELETE", "log")
    kept = [seeded[0], "203.0.113.0/24"]
    result = run_sim(sim, public_key=atlas_simulator.READ_ONLY_PUBLIC_KEY, entries=kept, purge=True)
    assert result["changed"] and len(result["removed"]) == 599 and result["added"] == ["203.0.113.0/24"]
    calls = sim_requests(sim)
    # The key list; two pages of the access list; the POST, whose answer is one page of 500 out of 601; the
    # removals; then the list is read once more, after them (one page).
    assert calls[:4] == [("GET", "/orgs/%s/apiKeys" % atlas_simulator.ORG_ID), ("GET", ""), ("GET", ""), ("POST", "")]
    assert sorted(calls[4:-1]) == sorted(("DELETE", "/" + entry[:-len("/32")]) for entry in seeded[1:])
    assert calls[-1] == ("GET", "")
    assert sim_entries(sim, key_id) == [entry["cidr_block"] for entry in result["entries"]] == kept

    again = run_sim(sim, public_key=atlas_simulator.READ_ONLY_PUBLIC_KEY, entries=kept, purge=True)
    assert not again["changed"]
    assert [call[0] for call in sim_requests(sim)] == ["GET", "GET"]  # key list, one access-list page


def test_simulator_a_dropped_post_answer_is_not_posted_twice(sim):
    key_id = atlas_simulator.READ_ONLY_KEY_ID
    sim.control("POST", "faults", {"rules": [{"method": "POST", "path": "accessList$", "kind": "drop",
                                              "when": "after", "times": 1}]})
    sim.control("DELETE", "log")
    result = run_sim(sim, api_key_id=key_id, entries=["203.0.113.0/24"], retries=2)
    assert result["changed"] and not result.get("failed"), result
    assert [call[0] for call in sim_requests(sim)] == ["GET", "POST", "GET"]
    assert sim_entries(sim, key_id) == ["203.0.113.0/24"]
    assert [entry["cidr_block"] for entry in result["entries"]] == ["203.0.113.0/24"]


def test_simulator_a_dropped_delete_answer_is_retried_and_done(sim):
    key_id = atlas_simulator.READ_ONLY_KEY_ID
    run_sim(sim, api_key_id=key_id, entries=["203.0.113.0/24", "10.0.0.0/8"])
    sim.control("POST", "faults", {"rules": [{"method": "DELETE", "path": "accessList", "kind": "drop",
                                              "when": "after", "times": 1}]})
    sim.control("DELETE", "log")
    result = run_sim(sim, api_key_id=key_id, entries=["203.0.113.0/24"], state="absent", retries=2)
    assert result["changed"] and not result.get("failed"), result
    # The first DELETE was applied but its answer lost; the second finds the entry gone, which is what was asked.
    assert [call for call in sim_requests(sim) if call[0] == "DELETE"] == [("DELETE", "/203.0.113.0%2F24")] * 2
    assert sim_entries(sim, key_id) == ["10.0.0.0/8"]
    assert [entry["cidr_block"] for entry in result["entries"]] == ["10.0.0.0/8"]


def test_simulator_refuses_to_remove_the_callers_address(sim):
    # The admin key manages its own list: Atlas lets it add entries, but not remove the address it calls from.
    admin = dict(api_key_id=atlas_simulator.ADMIN_KEY_ID)
    added = run_sim(sim, entries=["127.0.0.1", "192.0.2.0/24"], **admin)
    assert added["changed"] and not added.get("failed"), added
    result = run_sim(sim, entries=["192.0.2.0/24"], purge=True, **admin)
    assert result["failed"] and not result["changed"]
    assert result["msg"].startswith(
        "Failed to remove 127.0.0.1/32 from the access list of API key %s: HTTP 400 "
        "CANNOT_REMOVE_CALLER_ACCESS_LIST_ENTRY: Cannot remove the requesting IP address from the requesting "
        "API key's access list." % atlas_simulator.ADMIN_KEY_ID)
    assert "Atlas does not let a key remove the address it is calling from" in result["msg"]
    assert sorted(sim_entries(sim, atlas_simulator.ADMIN_KEY_ID)) == ["127.0.0.1/32", "192.0.2.0/24"]
