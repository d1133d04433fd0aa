# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""atlas_service_account_accesslist in-process against the simulator: lifecycle, idempotency, check mode (zero
writes in the request log), diff, purge with the empty-list warning, a 1,000-entry list in POSTs of at most 200,
bad input with no write, v1.0 refused before any request, and the API-key module on the same engine."""

from __future__ import annotations

import ipaddress
import json

import pytest


MODULE = "atlas_service_account_accesslist"


@pytest.fixture
def account(sim):
    return sim.module.SERVICE_ACCOUNT_CLIENT_ID


def task(sim, **options):
    args = dict(sim.connection, org_id=sim.module.ORG_ID)
    args.update(options)
    return args


def listed(sim, client_id):
    account = [item for item in sim.state()["service_accounts"] if item["clientId"] == client_id][0]
    return sorted(entry.get("cidrBlock") or entry.get("ipAddress") for entry in account["accessList"])


def posts(sim):
    return [entry for entry in sim.writes() if entry["method"] == "POST"]


def test_lifecycle_idempotency_and_diff(sim, run_module, account):
    result = run_module(MODULE, task(sim, account_client_id=account, entries=["203.0.113.0/24", "198.51.100.7/32"]))
    assert result["changed"] and not result.get("failed"), result
    assert result["added"] == ["198.51.100.7/32", "203.0.113.0/24"]
    assert result["diff"]["after"]["entries"] == ["198.51.100.7/32", "203.0.113.0/24"]
    assert [entry["cidr_block"] for entry in result["entries"]] == ["198.51.100.7/32", "203.0.113.0/24"]
    assert result["entries"][0]["ip_address"] == "198.51.100.7"
    assert "198.51.100.7" in json.dumps(listed(sim, account))

    sim.clear_log()
    again = run_module(MODULE, task(sim, account_client_id=account, entries=["198.51.100.7", "203.0.113.0/24"]))
    assert not again["changed"] and again["added"] == [] and sim.writes() == []

    removed = run_module(MODULE, task(sim, account_client_id=account, entries=["198.51.100.7"], state="absent"))
    assert removed["changed"] and removed["removed"] == ["198.51.100.7/32"]
    assert [entry["cidr_block"] for entry in removed["entries"]] == ["203.0.113.0/24"]
    deletes = [entry for entry in sim.writes() if entry["method"] == "DELETE"]
    assert len(deletes) == 1


def test_by_name_and_absent_account(sim, run_module, account):
    name = [item for item in sim.state()["service_accounts"] if item["clientId"] == account][0]["name"]
    result = run_module(MODULE, task(sim, name=name, entries=["192.0.2.0/24"]))
    assert result["changed"] and result["client_id"] == account
    gone = run_module(MODULE, task(sim, name="no-such-account", entries=["192.0.2.0/24"], state="absent"))
    assert not gone["changed"] and not gone.get("failed") and gone["account_exists"] is False
    missing = run_module(MODULE, task(sim, name="no-such-account", entries=["192.0.2.0/24"]))
    assert missing["failed"] and "atlas_service_account" in missing["msg"]


def test_check_mode_writes_nothing(sim, run_module, account):
    sim.clear_log()
    result = run_module(MODULE, task(sim, account_client_id=account, entries=["203.0.113.0/24"], purge=True),
                        check_mode=True)
    assert result["changed"] and result["added"] == ["203.0.113.0/24"]
    assert result["diff"]["after"]["entries"] == ["203.0.113.0/24"]
    assert sim.writes() == []
    assert listed(sim, account) == []


def test_purge_and_empty_list_warning(sim, run_module, account):
    run_module(MODULE, task(sim, account_client_id=account, entries=["203.0.113.0/24", "192.0.2.1"]))
    result = run_module(MODULE, task(sim, account_client_id=account, entries=["203.0.113.0/24"], purge=True))
    assert result["removed"] == ["192.0.2.1/32"] and listed(sim, account) == ["203.0.113.0/24"]
    empty = run_module(MODULE, task(sim, account_client_id=account, entries=[], purge=True))
    assert empty["changed"] and listed(sim, account) == []
    assert "is empty" in json.dumps(empty.get("warnings") or [])


def test_thousand_entries_take_five_posts(sim, run_module, account):
    network = ipaddress.ip_network("10.0.0.0/16")
    entries = [str(address) for address in list(network.hosts())[:1000]]
    sim.clear_log()
    result = run_module(MODULE, task(sim, account_client_id=account, entries=entries))
    assert not result.get("failed"), result.get("msg")
    assert len(posts(sim)) == 5
    assert len(result["entries"]) == 1000 and len(listed(sim, account)) == 1000
    sim.clear_log()
    again = run_module(MODULE, task(sim, account_client_id=account, entries=entries))
    assert not again["changed"] and sim.writes() == []


@pytest.mark.parametrize("options, says", [
    (dict(entries=["10.0.0.1/24"]), "host bits"),
    (dict(entries=["not-an-address"]), "not-an-address"),
    (dict(entries=["10.0.0.0/8"], state="absent", purge=True), "purge"),
    (dict(entries=["10.0.0.0/8"], account_client_id="mdb_sa_id_nothex"), "account_client_id"),
    (dict(entries=["10.0.0.0/8"], api_version="v1.0"), "only in the Atlas Administration API v2"),
])
def test_bad_input_sends_no_request_that_writes(sim, run_module, account, options, says):
    args = dict(account_client_id=account)
    args.update(options)
    sim.clear_log()
    result = run_module(MODULE, task(sim, **args))
    assert result["failed"] and says in result["msg"], result["msg"]
    assert sim.writes() == []


def test_v1_refused_before_any_request(sim, run_module, account):
    sim.clear_log()
    result = run_module(MODULE, task(sim, account_client_id=account, entries=["10.0.0.0/8"], api_version="v1.0"))
    assert result["failed"] and sim.log() == []


PROJECT_MODULE = "atlas_service_account_project"


def project_roles_of(sim, client_id, project_id):
    """The account's roles in the project, as the simulator holds them (through the API, like Atlas)."""
    for account in sim.state()["service_accounts"]:
        if account["clientId"] == client_id:
            return sorted(role["roleName"] for role in account["roles"] if role.get("groupId") == project_id)
    return None


def test_project_lifecycle_without_org_id(sim, run_module, account):
    project = sim.module.PROJECT_ALPHA_ID
    args = dict(sim.connection, project_id=project, account_client_id=account)
    sim.clear_log()
    checked = run_module(PROJECT_MODULE, dict(args, roles=["GROUP_READ_ONLY"]), check_mode=True)
    assert checked["changed"] and checked["service_account"]["roles"] == ["GROUP_READ_ONLY"] and sim.writes() == []

    assigned = run_module(PROJECT_MODULE, dict(args, roles=["GROUP_READ_ONLY"]))
    assert assigned["changed"] and assigned["diff"] == dict(before=dict(roles=[]), after=dict(roles=["GROUP_READ_ONLY"]))
    assert [entry["path"].endswith(":invite") for entry in sim.writes()] == [True]
    assert project_roles_of(sim, account, project) == ["GROUP_READ_ONLY"]

    sim.clear_log()
    again = run_module(PROJECT_MODULE, dict(args, roles=["GROUP_READ_ONLY"]))
    assert not again["changed"] and sim.writes() == []

    changed = run_module(PROJECT_MODULE, dict(args, roles=["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"]))
    assert changed["changed"] and [entry["method"] for entry in sim.writes()] == ["PATCH"]
    assert project_roles_of(sim, account, project) == ["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"]

    sim.clear_log()
    removed = run_module(PROJECT_MODULE, dict(args, state="absent"))
    assert removed["changed"] and removed["service_account"]["roles"] == []
    assert [entry["method"] for entry in sim.writes()] == ["DELETE"]
    assert project_roles_of(sim, account, project) == []
    assert account in [item["clientId"] for item in sim.state()["service_accounts"]]  # the account stays
    sim.clear_log()
    gone = run_module(PROJECT_MODULE, dict(args, state="absent"))
    assert not gone["changed"] and sim.writes() == []


def test_project_by_name_needs_org_id(sim, run_module, account):
    name = [item for item in sim.state()["service_accounts"] if item["clientId"] == account][0]["name"]
    args = dict(sim.connection, project_id=sim.module.PROJECT_ALPHA_ID, name=name, roles=["GROUP_READ_ONLY"])
    sim.clear_log()
    refused = run_module(PROJECT_MODULE, args)
    assert refused["failed"] and "org_id is required" in refused["msg"] and sim.log() == []
    done = run_module(PROJECT_MODULE, dict(args, org_id=sim.module.ORG_ID))
    assert done["changed"] and done["service_account"]["client_id"] == account


@pytest.mark.parametrize("options, says", [
    (dict(roles=["ORG_OWNER"]), "organization roles"),
    (dict(roles=[]), "at least one project role"),
    (dict(api_version="v1.0"), "only in the Atlas Administration API v2"),
    (dict(account_client_id="mdb_sa_id_bad"), "account_client_id"),
])
def test_project_bad_input_writes_nothing(sim, run_module, account, options, says):
    args = dict(sim.connection, project_id=sim.module.PROJECT_ALPHA_ID, account_client_id=account,
                roles=["GROUP_READ_ONLY"])
    args.update(options)
    sim.clear_log()
    result = run_module(PROJECT_MODULE, args)
    assert result["failed"] and says in result["msg"], result["msg"]
    assert sim.writes() == []


def test_info_project_and_details(sim, run_module, account):
    project = sim.module.PROJECT_ALPHA_ID
    run_module(PROJECT_MODULE, dict(sim.connection, project_id=project, account_client_id=account,
                                    roles=["GROUP_READ_ONLY"]))
    run_module(MODULE, task(sim, account_client_id=account, entries=["203.0.113.0/24"]))
    members = run_module("atlas_service_account_info", dict(sim.connection, org_id=sim.module.ORG_ID, project_id=project))
    assert [(item["client_id"], item["project_roles"]) for item in members["service_accounts"]] == \
        [(account, ["GROUP_READ_ONLY"])]
    sim.clear_log()
    one = run_module("atlas_service_account_info", dict(sim.connection, org_id=sim.module.ORG_ID,
                                                        account_client_id=account, details=True))
    found = one["service_accounts"][0]
    assert [entry["cidr_block"] for entry in found["access_list"]] == ["203.0.113.0/24"]
    assert found["projects"] == [dict(project_id=project, roles=["GROUP_READ_ONLY"])]
    refused = run_module("atlas_service_account_info", dict(sim.connection, org_id=sim.module.ORG_ID, details=True))
    assert refused["failed"] and "details needs account_client_id" in refused["msg"]
