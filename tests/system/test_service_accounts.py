# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service accounts in-process against the simulator: atlas_service_account, atlas_service_account_secret and
atlas_service_account_info. Lifecycle, idempotency, check mode (zero writes in the request log), diffs, PATCH of only
the fields that differ, the media type of each operation, the rotation policy on the simulator's clock, force,
purge_expired, lost answers that must not leave a second account or an unusable secret, input only Atlas can judge,
an account that rotates its own secret, and the requests a no-op costs.

The simulator's ``Date`` header carries the real time while its clock can be moved forward; Atlas's ``Date`` is
Atlas's own clock, which the modules judge expiry by. ``atlas_clock`` makes the in-process simulator send its
simulated time as ``Date``, so that aging the clock ages the secrets as the modules see them.
"""

from __future__ import annotations

import base64
import email.utils
import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest


from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import module_base
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import AtlasClient
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.service_accounts import parse_time

SA_MEDIA = "application/vnd.atlas.2024-08-05+json"
KEY_MEDIA = "application/vnd.atlas.2023-01-01+json"
SA_MODULES = ("atlas_service_account", "atlas_service_account_secret", "atlas_service_account_info")


@pytest.fixture
def org(sim):
    return sim.module.ORG_ID


@pytest.fixture
def seeded(sim):
    return sim.module.SERVICE_ACCOUNT_CLIENT_ID


@pytest.fixture
def atlas_clock(sim, monkeypatch):
    """The simulator answers with its simulated time as Date; returns a function that ages it by hours."""
    handler = sim.module.SimRequestHandler
    real = handler.date_time_string

    def date_time_string(self, timestamp=None):
        if timestamp is not None:
            return real(self, timestamp)
        return email.utils.format_datetime(self.server.state.now(), usegmt=True)

    monkeypatch.setattr(handler, "date_time_string", date_time_string)

    def advance(hours):
        sim.control("POST", "clock", {"advance_hours": hours})
    return advance


@pytest.fixture
def sent(monkeypatch):
    """Every API request the modules' clients send: method, path, body and media type."""
    records = []

    class RecordingClient(AtlasClient):
        def request(self, method, path, params=None, body=None, reread=None, media_type=None):
            records.append(dict(method=method, path=path, body=body, media_type=media_type or self.media_type))
            return super(RecordingClient, self).request(method, path, params=params, body=body, reread=reread,
                                                        media_type=media_type)

    monkeypatch.setattr(module_base, "AtlasClient", RecordingClient)
    return records


def accounts(sim):
    return {account["clientId"]: account for account in sim.state()["service_accounts"]}


def named(sim, name):
    return [account for account in sim.state()["service_accounts"] if account["name"] == name]


def token_status(sim, client_id, secret):
    """The HTTP status of a token request with this client id and secret."""
    basic = base64.b64encode(("%s:%s" % (client_id, secret)).encode()).decode()
    request = urllib.request.Request(sim.url + "/api/oauth/token", data=b"grant_type=client_credentials", method="POST",
                                     headers={"Authorization": "Basic " + basic, "Accept": "application/json",
                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code


def warned(result, text):
    """Whether a warning of the result says text (a string, or an event on ansible-core 2.19+)."""
    return text in json.dumps(result.get("warnings") or [])


def requests_of(sim):
    return [(entry["method"], entry["status"]) for entry in sim.log()]


def writes_of(sim):
    return [(entry["method"], entry["path"].split("/api/atlas/v2", 1)[-1]) for entry in sim.writes()]


def account_task(sim, org, **options):
    task = dict(sim.connection, org_id=org, name="ci-deploy", description="Deploys from CI",
                roles=["ORG_READ_ONLY", "ORG_MEMBER"], secret_expires_after_hours=720)
    task.update(options)
    return {name: value for name, value in task.items() if value is not None}


def create_account(sim, run_module, org, **options):
    result = run_module("atlas_service_account", account_task(sim, org, **options))
    assert result["changed"] and not result.get("failed"), result
    return result["service_account"]


def policy_task(sim, org, client_id, **options):
    task = dict(sim.connection, org_id=org, account_client_id=client_id, min_valid_hours=168, expires_after_hours=720)
    task.update(options)
    return task


# ------------------------------------------------------------------------------------------------ the account

def test_account_lifecycle_check_mode_diff_and_idempotency(sim, run_module, org, sent):
    sim.clear_log()
    check = run_module("atlas_service_account", account_task(sim, org), check_mode=True)
    assert check["changed"] and not sim.writes()
    wanted = dict(name="ci-deploy", description="Deploys from CI", roles=["ORG_MEMBER", "ORG_READ_ONLY"])
    assert check["service_account"] == dict(wanted, secrets=[])
    assert check["diff"] == dict(before={}, after=wanted)
    assert named(sim, "ci-deploy") == []

    sim.clear_log()
    created = run_module("atlas_service_account", account_task(sim, org))
    account = created["service_account"]
    stored = accounts(sim)[account["client_id"]]
    assert created["changed"] and writes_of(sim) == [("POST", "/orgs/%s/serviceAccounts" % org)]
    assert account["secret"] == stored["secrets"][0]["secret"] and account["secret"].startswith("mdb_sa_sk_")
    assert account["secret"] not in json.dumps(created["diff"])
    assert created["diff"] == dict(before={}, after=wanted)
    assert [secret["id"] for secret in account["secrets"]] == [stored["secrets"][0]["id"]]
    assert set(account["secrets"][0]) == {"id", "created_at", "expires_at", "last_used_at", "masked_secret_value"}
    assert account["secrets"][0]["masked_secret_value"].endswith(account["secret"][-4:])
    assert token_status(sim, account["client_id"], account["secret"]) == 200
    assert sorted(role["roleName"] for role in stored["roles"]) == ["ORG_MEMBER", "ORG_READ_ONLY"]

    sim.clear_log()
    again = run_module("atlas_service_account", account_task(sim, org, roles=["ORG_MEMBER", "ORG_READ_ONLY"]))
    again_check = run_module("atlas_service_account", account_task(sim, org), check_mode=True)
    assert not again["changed"] and not again_check["changed"] and not sim.writes()
    assert "secret" not in again["service_account"] and account["secret"] not in json.dumps(again)
    assert again["diff"]["before"] == again["diff"]["after"] == wanted
    assert len(named(sim, "ci-deploy")) == 1

    client_id = account["client_id"]
    for options, body in ((dict(description="Deploys from CI, EU"), {"description": "Deploys from CI, EU"}),
                          (dict(name="ci-deploy-eu", description=None, roles=None), {"name": "ci-deploy-eu"}),
                          (dict(roles=["ORG_GROUP_CREATOR"], name=None, description=None), {"roles": ["ORG_GROUP_CREATOR"]})):
        task = account_task(sim, org, account_client_id=client_id, secret_expires_after_hours=None, **options)
        sim.clear_log()
        check = run_module("atlas_service_account", task, check_mode=True)
        assert check["changed"] and not sim.writes(), options
        del sent[:]
        changed = run_module("atlas_service_account", task)
        patches = [request for request in sent if request["method"] == "PATCH"]
        assert changed["changed"] and [patch["body"] for patch in patches] == [body], (options, patches)
        assert changed["diff"]["after"] == check["diff"]["after"] == dict(changed["diff"]["before"], **body)
        assert not run_module("atlas_service_account", task)["changed"]
    stored = accounts(sim)[client_id]
    assert (stored["name"], stored["description"]) == ("ci-deploy-eu", "Deploys from CI, EU")

    sim.clear_log()
    gone_check = run_module("atlas_service_account", dict(sim.connection, org_id=org, account_client_id=client_id,
                                                          state="absent"), check_mode=True)
    assert gone_check["changed"] and not sim.writes() and client_id in accounts(sim)
    gone = run_module("atlas_service_account", dict(sim.connection, org_id=org, account_client_id=client_id,
                                                    state="absent"))
    assert gone["changed"] and writes_of(sim) == [("DELETE", "/orgs/%s/serviceAccounts/%s" % (org, client_id))]
    assert gone["diff"]["after"] == {} and gone["service_account"]["client_id"] == client_id
    assert client_id not in accounts(sim)
    assert token_status(sim, client_id, account["secret"]) == 401
    sim.clear_log()
    assert not run_module("atlas_service_account", dict(sim.connection, org_id=org, account_client_id=client_id,
                                                        state="absent"))["changed"]
    assert not sim.writes()


def test_each_operation_sends_its_own_media_type(sim, run_module, org, seeded, sent):
    """One client per module run; the service-account operations say 2024-08-05, the key operations 2023-01-01."""
    assert not run_module("atlas_service_account_info", dict(sim.connection, org_id=org)).get("failed")
    assert not run_module("atlas_org_api_key_info", dict(sim.connection, org_id=org)).get("failed")
    create_account(sim, run_module, org)
    assert run_module("atlas_service_account_secret", policy_task(sim, org, seeded, force=True))["changed"]
    by_kind = {}
    for request in sent:
        by_kind.setdefault("serviceAccounts" in request["path"], set()).add(request["media_type"])
    assert by_kind == {True: {SA_MEDIA}, False: {KEY_MEDIA}}


@pytest.mark.parametrize("module", SA_MODULES)
def test_api_version_v1_is_refused_before_any_request(sim, run_module, org, seeded, module):
    sim.clear_log()
    task = dict(sim.connection, org_id=org, api_version="v1.0", account_client_id=seeded)
    if module == "atlas_service_account_secret":
        task.update(expires_after_hours=720)
    result = run_module(module, task)
    assert result["failed"] and "Service accounts exist only in the Atlas Administration API v2" in result["msg"]
    assert sim.log() == []


def test_a_name_two_accounts_share_fails_naming_their_client_ids(sim, run_module, org):
    ids = [sim.control("POST", "seed", {"service_accounts": 1, "name_prefix": "twin-"})["client_ids"][0] for _copy in range(2)]
    sim.clear_log()
    for module, task in (("atlas_service_account", account_task(sim, org, name="twin-00001")),
                         ("atlas_service_account_secret", dict(sim.connection, org_id=org, name="twin-00001",
                                                               expires_after_hours=720, force=True))):
        result = run_module(module, task)
        assert result["failed"] and "The name 'twin-00001' matches 2 service accounts in organization %s" % org \
            in result["msg"], result
        assert all(client_id in result["msg"] for client_id in ids) and result["matching_ids"] == ids
        assert "Name the account with account_client_id instead" in result["msg"]
    assert sim.log() and not sim.writes()


def test_input_only_atlas_can_judge_costs_reads_never_a_write(sim, run_module, org, seeded):
    missing = "mdb_sa_id_65a1b2c3d4e5f6a7b8c9dfff"
    other = create_account(sim, run_module, org, name="other-account")
    sim.clear_log()
    cases = [
        ("atlas_service_account", account_task(sim, org, account_client_id=missing),
         "service account %s does not exist in organization %s. An account cannot be created with a chosen client id"
         % (missing, org)),
        ("atlas_service_account", account_task(sim, org, name="new-account", secret_expires_after_hours=None,
                                               description=None),
         "description, secret_expires_after_hours are required to create service account 'new-account'"),
        ("atlas_service_account_secret", policy_task(sim, org, missing),
         "service account %s does not exist in organization %s: create it with "
         "mongodb_atlas.api_keys.atlas_service_account" % (missing, org)),
        ("atlas_service_account_secret", dict(sim.connection, org_id=org, account_client_id=seeded, state="absent",
                                              secret_id=other["secrets"][0]["id"]),
         "Secret %s belongs to service account %s, not to service account %s: name that account to delete it"
         % (other["secrets"][0]["id"], other["client_id"], seeded)),
    ]
    for module, task, text in cases:
        result = run_module(module, task)
        assert result["failed"] and text in result["msg"], result
        assert not sim.secrets_in(result, [other["secret"]])
    assert sim.log() and not sim.writes()
    assert len(accounts(sim)[other["client_id"]]["secrets"]) == 1


# ------------------------------------------------------------------------------------------------ the secret policy

def test_rotation_on_a_schedule(sim, run_module, org, atlas_clock, summary_lines):
    account = create_account(sim, run_module, org, secret_expires_after_hours=720)
    client_id, first = account["client_id"], account["secret"]
    first_id = account["secrets"][0]["id"]
    task = policy_task(sim, org, client_id, purge_expired=True)

    sim.clear_log()
    fresh = run_module("atlas_service_account_secret", task)
    assert not fresh["changed"] and not fresh["rotated"] and "secret" not in fresh
    assert (fresh["secret_id"], fresh["deleted"]) == (first_id, []) and requests_of(sim) == [("GET", 401), ("GET", 200)]

    atlas_clock(720 - 168 + 1)  # 167 hours left: fewer than min_valid_hours
    sim.clear_log()
    check = run_module("atlas_service_account_secret", task, check_mode=True)
    assert check["changed"] and check["rotated"] and not sim.writes() and "secret" not in check
    assert check["diff"]["after"]["secrets"][-1]["id"] == "(new secret)"
    assert len(accounts(sim)[client_id]["secrets"]) == 1

    sim.clear_log()
    rotated = run_module("atlas_service_account_secret", task)
    stored = accounts(sim)[client_id]["secrets"]
    assert rotated["changed"] and rotated["rotated"] and rotated["deleted"] == []
    assert writes_of(sim) == [("POST", "/orgs/%s/serviceAccounts/%s/secrets" % (org, client_id))]
    summary_lines.append("service accounts: a rotation costs %d requests (%s)"
                         % (len(sim.log()), ", ".join("%s %s" % request for request in requests_of(sim))))
    assert [secret["id"] for secret in rotated["secrets"]] == [secret["id"] for secret in stored] == \
        [first_id, rotated["secret_id"]]
    assert rotated["secret"] == stored[1]["secret"] and rotated["expires_at"] == stored[1]["expiresAt"]
    assert rotated["secret"] not in json.dumps(rotated["diff"])
    assert rotated["diff"]["after"]["secrets"] == [dict(id=secret["id"], expires_at=secret["expiresAt"])
                                                   for secret in stored]
    # The old secret had less than 7 days left: the shortening leaves its date alone.
    assert rotated["secrets"][0]["expires_at"] == account["secrets"][0]["expires_at"]

    sim.clear_log()
    again = run_module("atlas_service_account_secret", task)
    assert not again["changed"] and again["secret_id"] == rotated["secret_id"] and not sim.writes()

    # The old secret works until it expires; then purge_expired deletes it, and only it.
    assert token_status(sim, client_id, first) == 200 and token_status(sim, client_id, rotated["secret"]) == 200
    atlas_clock(168)
    assert token_status(sim, client_id, first) == 401 and token_status(sim, client_id, rotated["secret"]) == 200
    sim.clear_log()
    purge_check = run_module("atlas_service_account_secret", task, check_mode=True)
    assert purge_check["changed"] and purge_check["deleted"] == [first_id] and not purge_check["rotated"]
    assert not sim.writes()
    purged = run_module("atlas_service_account_secret", task)
    assert purged["changed"] and purged["deleted"] == [first_id] and not purged["rotated"]
    assert writes_of(sim) == [("DELETE", "/orgs/%s/serviceAccounts/%s/secrets/%s" % (org, client_id, first_id))]
    assert [secret["id"] for secret in accounts(sim)[client_id]["secrets"]] == [rotated["secret_id"]]
    assert not run_module("atlas_service_account_secret", task)["changed"]


def test_force_rotates_now_and_atlas_shortens_the_older_secret(sim, run_module, org, seeded, atlas_clock):
    secret = sim.module.SERVICE_ACCOUNT_CLIENT_SECRET
    old_id = accounts(sim)[seeded]["secrets"][0]["id"]
    task = policy_task(sim, org, seeded, force=True, min_valid_hours=0)
    sim.clear_log()
    check = run_module("atlas_service_account_secret", task, check_mode=True)
    assert check["rotated"] and not sim.writes()
    forced = run_module("atlas_service_account_secret", task)
    assert forced["rotated"] and len(sim.writes()) == 1
    new = next(item for item in forced["secrets"] if item["id"] == forced["secret_id"])
    old = next(item for item in forced["secrets"] if item["id"] == old_id)
    week_after = parse_time(new["created_at"]) + timedelta(days=7)
    assert parse_time(old["expires_at"]) == week_after
    assert check["secrets"][0]["expires_at"][:13] == old["expires_at"][:13]  # check mode predicted it
    atlas_clock(7 * 24 - 1)
    assert token_status(sim, seeded, secret) == 200
    atlas_clock(2)
    assert token_status(sim, seeded, secret) == 401 and token_status(sim, seeded, forced["secret"]) == 200


def test_a_valid_secret_is_deleted_only_when_named(sim, run_module, org, atlas_clock):
    account = create_account(sim, run_module, org, secret_expires_after_hours=8)
    client_id, first_id = account["client_id"], account["secrets"][0]["id"]
    atlas_clock(9)
    task = policy_task(sim, org, client_id, min_valid_hours=0, purge_expired=True)
    renewed = run_module("atlas_service_account_secret", task)
    assert renewed["rotated"] and renewed["deleted"] == [first_id]
    assert [secret["id"] for secret in renewed["secrets"]] == [renewed["secret_id"]]
    sim.clear_log()
    kept = run_module("atlas_service_account_secret", dict(task, min_valid_hours=24))
    assert not kept["changed"] and not sim.writes() and kept["secret_id"] == renewed["secret_id"]

    named_task = dict(sim.connection, org_id=org, account_client_id=client_id, state="absent",
                      secret_id=renewed["secret_id"])
    deleted = run_module("atlas_service_account_secret", named_task)
    assert deleted["changed"] and deleted["deleted"] == [renewed["secret_id"]] and deleted["secrets"] == []
    assert warned(deleted, "has no valid secret left")
    assert accounts(sim)[client_id]["secrets"] == []
    sim.clear_log()
    assert not run_module("atlas_service_account_secret", named_task)["changed"]
    assert not sim.writes()


def test_an_account_rotates_its_own_secret_with_its_own_credentials(sim, run_module, org):
    account = create_account(sim, run_module, org, name="self-rotating", roles=["ORG_OWNER"])
    client_id = account["client_id"]
    own = dict(api_base_url=sim.url, client_id=client_id, client_secret=account["secret"])
    task = dict(own, org_id=org, account_client_id=client_id, expires_after_hours=720, min_valid_hours=168)
    sim.clear_log()
    assert not run_module("atlas_service_account_secret", task)["changed"]
    assert [(entry["method"], entry["path"]) for entry in sim.log()] == [
        ("POST", "/api/oauth/token"), ("GET", "/api/atlas/v2/orgs/%s/serviceAccounts/%s" % (org, client_id))]
    forced = run_module("atlas_service_account_secret", dict(task, force=True))
    assert forced["rotated"] and not sim.secrets_in(forced) and account["secret"] not in json.dumps(forced)
    assert {entry["principal"] for entry in sim.writes()} == {client_id}
    renewed = dict(task, client_secret=forced["secret"])
    assert not run_module("atlas_service_account_secret", renewed)["changed"]


# ------------------------------------------------------------------------------------------------ lost answers

def test_a_lost_answer_to_creating_an_account_leaves_one_account_named(sim, run_module, org):
    sim.control("POST", "faults", {"rules": [{"method": "POST", "path": "serviceAccounts$", "kind": "drop",
                                              "when": "after", "times": 1}]})
    result = run_module("atlas_service_account", account_task(sim, org))
    made = named(sim, "ci-deploy")
    assert len(made) == 1 and result["failed"], result
    assert "Atlas created service account %s, but the answer that carried its first secret was lost" \
        % made[0]["clientId"] in result["msg"]
    assert "atlas_service_account_secret (force=true)" in result["msg"]
    assert made[0]["secrets"][0]["secret"] not in json.dumps(result)
    sim.control("DELETE", "faults")
    assert not run_module("atlas_service_account", account_task(sim, org))["changed"]
    assert len(named(sim, "ci-deploy")) == 1


def test_a_lost_answer_to_creating_a_secret_leaves_no_unusable_secret(sim, run_module, org, seeded, scaled_sleep):
    before = [secret["id"] for secret in accounts(sim)[seeded]["secrets"]]
    sim.control("POST", "faults", {"rules": [{"method": "POST", "path": "secrets$", "kind": "drop",
                                              "when": "after", "times": 1}]})
    result = run_module("atlas_service_account_secret", policy_task(sim, org, seeded, force=True))
    stored = accounts(sim)[seeded]["secrets"]
    assert result["changed"] and result["rotated"] and not result.get("failed"), result
    assert [secret["id"] for secret in stored] == before + [result["secret_id"]]
    assert result["secret"] == stored[-1]["secret"]
    assert [writes for writes in writes_of(sim) if writes[0] == "POST"] == [
        ("POST", "/orgs/%s/serviceAccounts/%s/secrets" % (org, seeded))] * 2
    assert warned(result, "the answer that carried its value was lost")
    assert token_status(sim, seeded, result["secret"]) == 200


# ------------------------------------------------------------------------------------------------ info and costs

def test_info_lists_filters_and_audits_expiry(sim, run_module, org, seeded, atlas_clock):
    short = create_account(sim, run_module, org, name="short-lived", secret_expires_after_hours=48)
    everything = run_module("atlas_service_account_info", dict(sim.connection, org_id=org))
    assert [account["client_id"] for account in everything["service_accounts"]] == [seeded, short["client_id"]]
    assert all("secret" not in secret for account in everything["service_accounts"] for secret in account["secrets"])
    by_name = run_module("atlas_service_account_info", dict(sim.connection, org_id=org, name="short-lived"))
    assert [account["client_id"] for account in by_name["service_accounts"]] == [short["client_id"]]
    sim.clear_log()
    by_id = run_module("atlas_service_account_info", dict(sim.connection, org_id=org, account_client_id=seeded))
    assert [account["client_id"] for account in by_id["service_accounts"]] == [seeded]
    assert requests_of(sim) == [("GET", 401), ("GET", 200)]
    nobody = run_module("atlas_service_account_info", dict(sim.connection, org_id=org,
                                                           account_client_id="mdb_sa_id_65a1b2c3d4e5f6a7b8c9dfff"))
    assert nobody["service_accounts"] == [] and not nobody.get("failed")

    audit = dict(sim.connection, org_id=org, expiring_within_hours=72)
    assert [account["client_id"] for account in run_module("atlas_service_account_info", audit)["service_accounts"]] \
        == [short["client_id"]]
    assert run_module("atlas_service_account_info", dict(audit, expiring_within_hours=24))["service_accounts"] == []
    atlas_clock(30)
    assert [account["client_id"] for account in run_module("atlas_service_account_info", dict(
        audit, expiring_within_hours=24))["service_accounts"]] == [short["client_id"]]


@pytest.mark.parametrize("selector", ["account_client_id", "name"])
def test_a_no_op_costs_the_challenge_and_one_read(sim, run_module, org, seeded, selector, summary_lines):
    value = seeded if selector == "account_client_id" else sim.module.SERVICE_ACCOUNT_NAME
    tasks = {
        "atlas_service_account": dict(sim.connection, org_id=org, roles=["ORG_OWNER"], **{selector: value}),
        "atlas_service_account_secret": dict(sim.connection, org_id=org, expires_after_hours=720, min_valid_hours=168,
                                             **{selector: value}),
    }
    for module, task in tasks.items():
        sim.clear_log()
        result = run_module(module, task)
        assert not result["changed"] and not result.get("failed"), result
        log = sim.log()
        assert [(entry["method"], entry["status"]) for entry in log] == [("GET", 401), ("GET", 200)]
        assert log[1]["path"].endswith("/serviceAccounts/%s" % seeded if selector == "account_client_id"
                                       else "/serviceAccounts") and not sim.writes()
        if selector == "name":
            assert log[1]["query"]["itemsPerPage"] == "500"
        summary_lines.append("service accounts: a no-op of %s by %s costs %d requests" % (module, selector, len(log)))
