# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A whole credential in one task (module_utils/credential.py): atlas_org_api_key and atlas_service_account with
access_list, project_roles and purge_projects, in-process against the simulator, for both kinds of credential.

What users rely on: one task makes a complete credential and returns its secret once; a run that finds everything
as declared sends no write and the fewest reads the API allows; a change to one part writes to that part only; a
part left out is neither read nor touched; purge_projects takes the credential out of the projects not listed and
never deletes it; check mode writes nothing and shows the same diff as the real run; a failure half way says what
was done and what was not, hands over the new secret, and the next run finishes the job with the same credential.
"""

from __future__ import annotations

import ipaddress
import json
import re

import pytest

API_KEY = "API key"
SERVICE_ACCOUNT = "service account"
KINDS = (API_KEY, SERVICE_ACCOUNT)
NAME = "ci-deploy"
# module, result key, the field of the secret a new credential returns once
MODULES = {API_KEY: ("atlas_org_api_key", "api_key", "private_key"),
           SERVICE_ACCOUNT: ("atlas_service_account", "service_account", "secret")}
ENTRIES = ["192.0.2.10", "198.51.100.0/24"]
CIDRS = ["192.0.2.10/32", "198.51.100.0/24"]
# The path (after the API root) of the request that assigns a credential to a project.
ASSIGN_PATH = {API_KEY: r"^/groups/[0-9a-f]+/apiKeys/", SERVICE_ACCOUNT: r":invite$"}


@pytest.fixture(name="ids")
def _ids(sim):
    return dict(org=sim.module.ORG_ID, alpha=sim.module.PROJECT_ALPHA_ID, beta=sim.module.PROJECT_BETA_ID)


def projects(*items):
    """project_roles items from (project id, roles) pairs."""
    return [dict(project_id=project, roles=list(roles)) for project, roles in items]


def task(sim, kind, **options):
    """The task of the kind: the API key with the admin key pair, the service account with the seeded service account
    (token authentication), as the benchmark and most CI setups do."""
    if kind == API_KEY:
        args = dict(sim.connection, org_id=sim.module.ORG_ID, description=NAME, roles=["ORG_MEMBER"])
    else:
        args = dict(api_base_url=sim.url, client_id=sim.module.SERVICE_ACCOUNT_CLIENT_ID,
                    client_secret=sim.module.SERVICE_ACCOUNT_CLIENT_SECRET, org_id=sim.module.ORG_ID, name=NAME,
                    description="Deploys from CI", roles=["ORG_MEMBER"], secret_expires_after_hours=720)
    args.update(options)
    return args


def run(sim, run_module, kind, check_mode=False, **options):
    return run_module(MODULES[kind][0], task(sim, kind, **options), check_mode=check_mode)


def credential(result, kind):
    return result[MODULES[kind][1]]


def held(sim, kind):
    """The credentials named NAME as the simulator holds them: roles, projects, access list, secret and id."""
    state = sim.state()
    if kind == API_KEY:
        raws = [(raw["id"], raw["roles"], raw["accessList"], raw["privateKey"])
                for raw in state["api_keys"] if raw["desc"] == NAME]
    else:
        raws = [(raw["clientId"], raw["roles"], raw["accessList"], raw["clientSecret"])
                for raw in state["service_accounts"] if raw["name"] == NAME]
    found = []
    for credential_id, roles, entries, secret in raws:
        in_projects = {}
        for role in roles:
            if "groupId" in role:
                in_projects.setdefault(role["groupId"], []).append(role["roleName"])
        found.append(dict(
            id=credential_id, secret=secret,
            roles=sorted(role["roleName"] for role in roles if "orgId" in role),
            projects=dict((project, sorted(names)) for project, names in in_projects.items()),
            access_list=sorted(str(ipaddress.ip_network(entry.get("cidrBlock") or entry["ipAddress"]))
                               for entry in entries)))
    return found


def the_one(sim, kind):
    found = held(sim, kind)
    assert len(found) == 1, found
    return found[0]


def what(sim, entry):
    """A request of the log in words: what it reads or writes."""
    if entry["challenge"]:
        return "challenge"
    path = re.sub(r"^/api/atlas/v[0-9.]+", "", entry["path"])
    names = {sim.module.PROJECT_ALPHA_ID: "alpha", sim.module.PROJECT_BETA_ID: "beta"}
    if path == sim.module.TOKEN_PATH:
        return "token"
    if "/accessList" in path:
        return "access list"
    if re.match(r"^/orgs/[^/]+/(apiKeys|serviceAccounts)$", path):
        return "credentials"
    if re.match(r"^/orgs/[^/]+/(apiKeys|serviceAccounts)/[^/]+$", path):
        return "credential"
    if re.match(r"^/orgs/[^/]+/serviceAccounts/[^/]+/groups$", path):
        return "projects"
    match = re.match(r"^/groups/([0-9a-f]+)(/.*)?$", path)
    if match:
        return "%s %s" % (names.get(match.group(1), match.group(1)), "membership" if match.group(2) else "project")
    return path


def requests(sim):
    return [(entry["method"], what(sim, entry)) for entry in sim.log()]


def writes(sim):
    return [(entry["method"], what(sim, entry)) for entry in sim.writes()]


def create(sim, run_module, kind, *pairs, **options):
    """Create the credential complete (its access list ENTRIES and the projects given), then clear the log."""
    result = run(sim, run_module, kind, access_list=ENTRIES, project_roles=projects(*pairs), **options)
    assert result["changed"] and not result.get("failed"), result
    sim.clear_log()
    return result


@pytest.mark.parametrize("kind", KINDS)
def test_one_task_creates_the_whole_credential_and_returns_its_secret_once(sim, run_module, ids, kind):
    sim.clear_log()
    result = run(sim, run_module, kind, access_list=ENTRIES, project_roles=projects((ids["alpha"], ["GROUP_READ_ONLY"])))

    assert result["changed"] and not result.get("failed"), result
    made = the_one(sim, kind)
    assert made["roles"] == ["ORG_MEMBER"]
    assert made["access_list"] == CIDRS
    assert made["projects"] == {ids["alpha"]: ["GROUP_READ_ONLY"]}
    returned = credential(result, kind)
    assert returned[MODULES[kind][2]] == made["secret"]
    assert returned["access_list"] == CIDRS
    assert returned["project_assignments"] == projects((ids["alpha"], ["GROUP_READ_ONLY"]))
    # The project is checked (a read) before the credential is written; then one write per part.
    assert writes(sim) == [("POST", "credentials"), ("POST", "access list"), ("POST", "alpha membership")]
    assert requests(sim).index(("GET", "alpha project")) < requests(sim).index(("POST", "credentials"))
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["access_list"] == CIDRS
    assert result["diff"]["after"]["project_roles"] == projects((ids["alpha"], ["GROUP_READ_ONLY"]))
    assert made["secret"] not in json.dumps(result["diff"])


@pytest.mark.parametrize("kind, fewest", [
    (API_KEY, [("GET", "challenge"), ("GET", "credentials"), ("GET", "access list")]),
    # its projects are read first: a project it is to join is checked before any write
    (SERVICE_ACCOUNT, [("POST", "token"), ("GET", "credentials"), ("GET", "projects"), ("GET", "access list")]),
])
def test_a_run_that_changes_nothing_sends_no_write_and_the_fewest_reads(sim, run_module, ids, kind, fewest):
    created = create(sim, run_module, kind, (ids["alpha"], ["GROUP_READ_ONLY"]))
    secret = credential(created, kind)[MODULES[kind][2]]

    again = run(sim, run_module, kind, access_list=list(reversed(CIDRS)),
                project_roles=projects((ids["alpha"], ["GROUP_READ_ONLY"])))

    assert not again["changed"] and not again.get("failed"), again
    assert requests(sim) == fewest
    assert MODULES[kind][2] not in credential(again, kind)
    assert not sim.secrets_in(again, [secret])
    assert again["diff"]["before"] == again["diff"]["after"]
    assert credential(again, kind)["access_list"] == CIDRS


@pytest.mark.parametrize("kind, reads", [
    (API_KEY, [("GET", "challenge"), ("GET", "credentials")]),
    (SERVICE_ACCOUNT, [("POST", "token"), ("GET", "credentials")]),
])
def test_parts_left_out_are_neither_read_nor_changed(sim, run_module, ids, kind, reads):
    create(sim, run_module, kind, (ids["alpha"], ["GROUP_READ_ONLY"]))
    before = the_one(sim, kind)

    result = run(sim, run_module, kind)

    assert not result["changed"] and requests(sim) == reads
    assert the_one(sim, kind) == before
    assert "access_list" not in result["diff"]["after"] and "project_roles" not in result["diff"]["after"]


@pytest.mark.parametrize("kind", KINDS)
def test_changing_only_the_organization_roles_writes_only_the_credential(sim, run_module, ids, kind):
    create(sim, run_module, kind, (ids["alpha"], ["GROUP_READ_ONLY"]))
    before = the_one(sim, kind)

    result = run(sim, run_module, kind, roles=["ORG_READ_ONLY"], access_list=ENTRIES,
                 project_roles=projects((ids["alpha"], ["GROUP_READ_ONLY"])))

    assert result["changed"] and writes(sim) == [("PATCH", "credential")]
    assert the_one(sim, kind) == dict(before, roles=["ORG_READ_ONLY"])
    assert (result["diff"]["before"]["roles"], result["diff"]["after"]["roles"]) == (["ORG_MEMBER"], ["ORG_READ_ONLY"])
    assert result["diff"]["before"]["access_list"] == result["diff"]["after"]["access_list"] == CIDRS


@pytest.mark.parametrize("kind", KINDS)
def test_changing_only_the_access_list_adds_before_it_removes(sim, run_module, ids, kind):
    create(sim, run_module, kind, (ids["alpha"], ["GROUP_READ_ONLY"]))
    before = the_one(sim, kind)

    result = run(sim, run_module, kind, access_list=["192.0.2.10/32", "203.0.113.0/24"],
                 project_roles=projects((ids["alpha"], ["GROUP_READ_ONLY"])))

    assert result["changed"]
    assert writes(sim) == [("POST", "access list"), ("DELETE", "access list")]
    assert the_one(sim, kind) == dict(before, access_list=["192.0.2.10/32", "203.0.113.0/24"])
    assert result["diff"]["before"]["access_list"] == CIDRS
    assert result["diff"]["after"]["access_list"] == ["192.0.2.10/32", "203.0.113.0/24"]
    assert result["diff"]["before"]["project_roles"] == result["diff"]["after"]["project_roles"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_access_list_empties_it_with_a_warning(sim, run_module, kind):
    create(sim, run_module, kind)

    result = run(sim, run_module, kind, access_list=[])

    assert result["changed"] and writes(sim) == [("DELETE", "access list")] * 2
    assert the_one(sim, kind)["access_list"] == []
    assert "is empty" in json.dumps(result.get("warnings")), result.get("warnings")


@pytest.mark.parametrize("kind", KINDS)
def test_changing_the_roles_in_one_project_writes_only_to_that_project(sim, run_module, ids, kind):
    create(sim, run_module, kind, (ids["alpha"], ["GROUP_READ_ONLY"]), (ids["beta"], ["GROUP_READ_ONLY"]))
    before = the_one(sim, kind)

    result = run(sim, run_module, kind, access_list=ENTRIES,
                 project_roles=projects((ids["alpha"], ["GROUP_READ_ONLY"]),
                                        (ids["beta"], ["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"])))

    assert result["changed"] and writes(sim) == [("PATCH", "beta membership")]
    assert the_one(sim, kind) == dict(before, projects={ids["alpha"]: ["GROUP_READ_ONLY"],
                                                        ids["beta"]: ["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"]})
    assert result["diff"]["after"]["project_roles"] == credential(result, kind)["project_assignments"] == projects(
        (ids["alpha"], ["GROUP_READ_ONLY"]), (ids["beta"], ["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"]))


@pytest.mark.parametrize("kind", KINDS)
def test_purge_projects_takes_the_credential_out_of_the_projects_not_listed_and_keeps_it(sim, run_module, ids, kind):
    create(sim, run_module, kind, (ids["alpha"], ["GROUP_READ_ONLY"]), (ids["beta"], ["GROUP_OWNER"]))
    only_alpha = projects((ids["alpha"], ["GROUP_READ_ONLY"]))

    kept = run(sim, run_module, kind, project_roles=only_alpha)
    assert not kept["changed"] and writes(sim) == []  # without purge_projects, beta is left alone
    assert set(the_one(sim, kind)["projects"]) == {ids["alpha"], ids["beta"]}

    purged = run(sim, run_module, kind, project_roles=only_alpha, purge_projects=True)
    assert purged["changed"] and writes(sim) == [("DELETE", "beta membership")]
    assert the_one(sim, kind)["projects"] == {ids["alpha"]: ["GROUP_READ_ONLY"]}
    assert credential(purged, kind)["project_assignments"] == only_alpha
    assert purged["diff"]["before"]["project_roles"] == projects((ids["alpha"], ["GROUP_READ_ONLY"]),
                                                                 (ids["beta"], ["GROUP_OWNER"]))
    sim.clear_log()

    emptied = run(sim, run_module, kind, project_roles=[], purge_projects=True)
    assert emptied["changed"] and writes(sim) == [("DELETE", "alpha membership")]
    left = the_one(sim, kind)
    assert left["projects"] == {} and left["access_list"] == CIDRS  # in no project, still there


@pytest.mark.parametrize("kind", KINDS)
def test_check_mode_writes_nothing_and_shows_the_whole_credential_it_would_create(sim, run_module, ids, kind):
    sim.clear_log()
    result = run(sim, run_module, kind, check_mode=True, access_list=ENTRIES,
                 project_roles=projects((ids["alpha"], ["GROUP_READ_ONLY"])))

    assert result["changed"] and not result.get("failed"), result
    assert sim.writes() == [] and held(sim, kind) == []
    would = credential(result, kind)
    assert would["access_list"] == CIDRS
    assert would["project_assignments"] == projects((ids["alpha"], ["GROUP_READ_ONLY"]))
    assert MODULES[kind][2] not in would and "id" not in would and "client_id" not in would
    assert result["diff"]["after"]["access_list"] == CIDRS


@pytest.mark.parametrize("kind", KINDS)
def test_check_mode_writes_nothing_and_its_diff_is_the_real_run_s(sim, run_module, ids, kind):
    create(sim, run_module, kind, (ids["alpha"], ["GROUP_READ_ONLY"]), (ids["beta"], ["GROUP_OWNER"]))
    before = the_one(sim, kind)
    change = dict(roles=["ORG_READ_ONLY"], access_list=["203.0.113.0/24"], purge_projects=True,
                  project_roles=projects((ids["alpha"], ["GROUP_CLUSTER_MANAGER"])))

    checked = run(sim, run_module, kind, check_mode=True, **change)
    assert checked["changed"] and sim.writes() == []
    assert the_one(sim, kind) == before

    done = run(sim, run_module, kind, **change)
    assert done["changed"] and done["diff"] == checked["diff"]
    assert credential(done, kind)["access_list"] == credential(checked, kind)["access_list"] == ["203.0.113.0/24"]
    assert the_one(sim, kind) == dict(before, roles=["ORG_READ_ONLY"], access_list=["203.0.113.0/24"],
                                      projects={ids["alpha"]: ["GROUP_CLUSTER_MANAGER"]})


def fail_every(sim, method, path):
    sim.control("POST", "faults", {"rules": [{"method": method, "path": path, "kind": "503", "when": "before",
                                              "times": None}]})


@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_after_the_create_says_what_was_done_hands_over_the_secret_and_the_rerun_finishes(
        sim, run_module, ids, kind):
    alpha = projects((ids["alpha"], ["GROUP_READ_ONLY"]))
    fail_every(sim, "POST", r"/accessList$")

    failed = run(sim, run_module, kind, access_list=ENTRIES, project_roles=alpha, retries=0)

    made = the_one(sim, kind)
    assert failed["failed"] and failed["changed"]
    message = failed["msg"]
    assert "HTTP 503" in message
    assert "Done before this failure: created %s %s." % (kind, made["id"]) in message
    assert "Not done: its access list (this step failed, perhaps part way), its project roles." in message
    assert "Run the task again to finish the job" in message and "creates no second one" in message
    # Atlas shows the secret only once: the failed result hands it over (no_log keeps it out of the output).
    assert credential(failed, kind)[MODULES[kind][2]] == made["secret"]
    assert made["secret"] not in message
    assert made["access_list"] == [] and made["projects"] == {}

    sim.control("DELETE", "faults")
    sim.clear_log()
    rerun = run(sim, run_module, kind, access_list=ENTRIES, project_roles=alpha, retries=0)

    assert rerun["changed"] and not rerun.get("failed"), rerun
    finished = the_one(sim, kind)  # the same credential, no second one
    assert finished["id"] == made["id"]
    assert finished["access_list"] == CIDRS and finished["projects"] == {ids["alpha"]: ["GROUP_READ_ONLY"]}
    assert writes(sim) == [("POST", "access list"), ("POST", "alpha membership")]
    assert not sim.secrets_in(rerun, [made["secret"]])


@pytest.mark.parametrize("kind", KINDS)
def test_a_failure_at_the_projects_of_an_existing_credential_names_the_access_list_it_changed(
        sim, run_module, ids, kind):
    create(sim, run_module, kind)
    before = the_one(sim, kind)
    alpha = projects((ids["alpha"], ["GROUP_READ_ONLY"]))
    fail_every(sim, "POST", ASSIGN_PATH[kind])

    failed = run(sim, run_module, kind, access_list=["192.0.2.10", "203.0.113.0/24"], project_roles=alpha, retries=0)

    assert failed["failed"] and failed["changed"]
    assert ("Done before this failure: brought its access list to the entries asked (added 203.0.113.0/24; "
            "removed 198.51.100.0/24). Not done: its project roles (this step failed, perhaps part way)."
            in failed["msg"]), failed["msg"]
    assert "creates no second one" not in failed["msg"]  # nothing was created: no secret to hand over
    assert MODULES[kind][2] not in credential(failed, kind)
    assert not sim.secrets_in(failed, [before["secret"]])
    assert the_one(sim, kind) == dict(before, access_list=["192.0.2.10/32", "203.0.113.0/24"])

    sim.control("DELETE", "faults")
    sim.clear_log()
    rerun = run(sim, run_module, kind, access_list=["192.0.2.10", "203.0.113.0/24"], project_roles=alpha)

    assert rerun["changed"] and writes(sim) == [("POST", "alpha membership")]
    assert the_one(sim, kind)["projects"] == {ids["alpha"]: ["GROUP_READ_ONLY"]}


@pytest.mark.parametrize("kind", KINDS)
def test_state_absent_deletes_the_credential_with_its_access_list_and_projects(sim, run_module, ids, kind):
    create(sim, run_module, kind, (ids["alpha"], ["GROUP_READ_ONLY"]))

    result = run(sim, run_module, kind, state="absent", access_list=ENTRIES,
                 project_roles=projects((ids["alpha"], ["GROUP_READ_ONLY"])))

    assert result["changed"] and writes(sim) == [("DELETE", "credential")]
    assert held(sim, kind) == []
