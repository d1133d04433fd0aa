# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of plugins/module_utils/service_accounts.py: the secret policy (pure functions of the secrets and
Atlas's time), Atlas's rule for names and descriptions, result shaping; and the client's media type per
operation and its reading of Atlas's clock, which the policy depends on."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from requests.auth import HTTPDigestAuth

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    MEDIA_TYPE_2024_08_05,
    AtlasApiError,
    AtlasClient,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.service_accounts import (
    account_result,
    after_new_secret,
    created_since,
    expired,
    expired_to_delete,
    format_time,
    longest_valid,
    needs_new_secret,
    parse_time,
    secrets_diff,
    text_problem,
    valid_for,
)

NOW = datetime(2026, 12, 4, 18, 0, 0, tzinfo=timezone.utc)


def secret(secret_id, expires_in_hours, created_hours_ago=24):
    return {"id": secret_id, "createdAt": format_time(NOW - timedelta(hours=created_hours_ago)),
            "expiresAt": format_time(NOW + timedelta(hours=expires_in_hours)),
            "maskedSecretValue": "mdb_sa_sk_...%s" % secret_id[-4:]}


OLD = secret("a" * 24, -1)         # expired an hour ago
DYING = secret("b" * 24, 100)      # valid, 100 hours left
FRESH = secret("c" * 24, 700)      # valid, 700 hours left
EDGE = secret("d" * 24, 0)         # expires right now: no longer valid


def ids(secrets):
    return [item["id"] for item in secrets]


def test_parse_time_reads_atlas_timestamps_with_and_without_z():
    assert parse_time("2026-12-04T18:00:00Z") == NOW
    assert parse_time("2026-12-04T18:00:00.000+00:00") == NOW
    assert parse_time("2026-12-04T18:00:00") == NOW
    assert format_time(NOW) == "2026-12-04T18:00:00Z"


def test_expired_includes_a_secret_that_expires_at_this_very_second():
    assert ids(expired([OLD, DYING, EDGE], NOW)) == [OLD["id"], EDGE["id"]]


@pytest.mark.parametrize("hours,expected", [
    (0, [DYING["id"], FRESH["id"]]),
    (100, [DYING["id"], FRESH["id"]]),  # exactly 100 hours left counts
    (101, [FRESH["id"]]),
    (700, [FRESH["id"]]),
    (701, []),
])
def test_valid_for_keeps_secrets_that_last_the_horizon(hours, expected):
    assert ids(valid_for([OLD, DYING, FRESH, EDGE], NOW, hours)) == expected


@pytest.mark.parametrize("secrets,min_valid_hours,force,create", [
    ([DYING], 168, False, True),          # 100 hours left, 168 wanted
    ([DYING, FRESH], 168, False, False),  # one secret lasts
    ([FRESH], 168, False, False),
    ([FRESH], 168, True, True),           # force: whatever the policy says
    ([], 0, False, True),                 # no secret at all
    ([OLD, EDGE], 0, False, True),        # none valid any more
    ([DYING], 0, False, False),
])
def test_needs_new_secret(secrets, min_valid_hours, force, create):
    assert needs_new_secret(secrets, NOW, min_valid_hours, force) is create


def test_purge_deletes_expired_secrets_only_and_only_when_asked():
    everything = [OLD, DYING, FRESH, EDGE]
    assert ids(expired_to_delete(everything, NOW, True)) == [OLD["id"], EDGE["id"]]
    assert expired_to_delete(everything, NOW, False) == []
    # the only valid secret is never among them
    assert expired_to_delete([DYING], NOW, True) == []


def test_longest_valid_is_the_secret_that_expires_last():
    assert longest_valid([OLD, FRESH, DYING], NOW)["id"] == FRESH["id"]
    assert longest_valid([OLD, EDGE], NOW) is None


def test_after_new_secret_caps_older_expiries_at_seven_days_after_the_creation():
    shortened = after_new_secret([FRESH, DYING], NOW)
    assert shortened[0]["expiresAt"] == format_time(NOW + timedelta(days=7))
    assert shortened[1]["expiresAt"] == DYING["expiresAt"]  # expires sooner: keeps its date
    assert FRESH["expiresAt"] == format_time(NOW + timedelta(hours=700))  # inputs untouched


def test_created_since_finds_the_secret_a_lost_post_made():
    made = secret("e" * 24, 720, created_hours_ago=0)
    assert ids(created_since([DYING, made], {DYING["id"]}, NOW)) == [made["id"]]
    assert created_since([DYING], {DYING["id"]}, NOW) == []
    # a secret someone created before the request started is not the POST's
    assert created_since([DYING, FRESH], {DYING["id"]}, NOW) == []


@pytest.mark.parametrize("value,problem", [
    ("ci-deploy", None),
    ("Déploiement CI, équipe 2", None),
    ("デプロイ", None),
    ("o'brien_v1.2", None),
    ("", "name must hold 1 to 64 characters; got 0"),
    ("n" * 65, "name must hold 1 to 64 characters; got 65"),
    ("ci/deploy", "holds '/'"),
    ("a;b:c", "holds ':' ';'"),
    ("tab\there", "holds '\t'"),
])
def test_text_problem_follows_the_spec_pattern(value, problem):
    found = text_problem("name", value, 64)
    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_results_never_carry_a_secret_value():
    raw = {"clientId": "mdb_sa_id_" + "0" * 24, "name": "n", "description": "d", "roles": ["ORG_READ_ONLY", "ORG_MEMBER"],
           "createdAt": "2026-12-01T00:00:00Z",
           "secrets": [dict(FRESH, secret="mdb_sa_sk_clear"), dict(OLD, createdAt="2026-11-01T00:00:00Z")]}
    result = account_result(raw)
    assert "mdb_sa_sk_clear" not in json.dumps(result)
    assert result["roles"] == ["ORG_MEMBER", "ORG_READ_ONLY"]
    assert ids(result["secrets"]) == [OLD["id"], FRESH["id"]]  # oldest first
    assert secrets_diff(result["secrets"]) == [dict(id=OLD["id"], expires_at=OLD["expiresAt"]),
                                               dict(id=FRESH["id"], expires_at=FRESH["expiresAt"])]


ORG_PATH = "/orgs/65a1b2c3d4e5f6a7b8c9d0e1"


def admin_client(sim):
    return AtlasClient(sim.url, HTTPDigestAuth(sim.module.ADMIN_PUBLIC_KEY, sim.module.ADMIN_PRIVATE_KEY), retries=0)


def test_the_media_type_is_chosen_per_operation_and_defaults_to_2023_01_01(sim):
    # The simulator, as Atlas, answers 406 to an Accept and 415 to a Content-Type the operation does not take.
    client = admin_client(sim)
    client.get(ORG_PATH + "/apiKeys")
    client.get(ORG_PATH + "/serviceAccounts", media_type=MEDIA_TYPE_2024_08_05)
    client.request("PATCH", "%s/serviceAccounts/%s" % (ORG_PATH, sim.module.SERVICE_ACCOUNT_CLIENT_ID),
                   body={"description": "d"}, media_type=MEDIA_TYPE_2024_08_05)
    client.post(ORG_PATH + "/apiKeys", {"desc": "d", "roles": ["ORG_MEMBER"]})
    with pytest.raises(AtlasApiError) as refused:
        client.get(ORG_PATH + "/serviceAccounts")  # the default, 2023-01-01: not a version of this operation
    assert refused.value.status == 406
    assert [(entry["method"], entry["status"]) for entry in sim.log() if not entry["challenge"]] == [
        ("GET", 200), ("GET", 200), ("PATCH", 200), ("POST", 200), ("GET", 406)]


def test_now_is_atlas_time_from_the_date_of_its_latest_answer(sim, monkeypatch):
    client = admin_client(sim)
    before = datetime.now(timezone.utc)
    assert client.now() >= before  # no answer yet: the local clock
    dates = ["Mon, 04 Jan 2027 06:30:00 GMT"]
    monkeypatch.setattr(sim.module.SimRequestHandler, "date_time_string", lambda handler, timestamp=None: dates[0])
    client.get(ORG_PATH + "/serviceAccounts", media_type=MEDIA_TYPE_2024_08_05)
    assert client.now() == datetime(2027, 1, 4, 6, 30, tzinfo=timezone.utc)
    dates[0] = "not a date"
    client.get(ORG_PATH + "/serviceAccounts", media_type=MEDIA_TYPE_2024_08_05)
    assert client.now() == datetime(2027, 1, 4, 6, 30, tzinfo=timezone.utc)  # an unreadable Date changes nothing
