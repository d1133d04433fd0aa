# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the module base: options and their environment fallbacks, input checks, the
single write path and its check-mode guard, error messages, diffs and results."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import module_base
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    AtlasApiError,
    AtlasClient,
    AtlasOutcomeUnknown,
    AtlasTransportError,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import (
    AtlasModule,
    describe_error,
    is_not_found,
    set_changes,
)

PUBLIC = "abcdefgh"
PRIVATE = "0b5e2d4c-1f3a-4e6b-9c8d-7a6f5e4d3c2b"
ENV_VARS = (
    "MONGODB_ATLAS_BASE_URL",
    "MONGODB_ATLAS_PUBLIC_API_KEY",
    "MONGODB_ATLAS_PUBLIC_KEY",
    "MONGODB_ATLAS_PRIVATE_API_KEY",
    "MONGODB_ATLAS_PRIVATE_KEY",
)


class ExitJson(Exception):
    def __init__(self, result):
        super(ExitJson, self).__init__(result)
        self.result = result


class FailJson(Exception):
    def __init__(self, result):
        super(FailJson, self).__init__(result.get("msg"))
        self.result = result


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """No Atlas variable of the machine running the tests leaks in."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def exits(monkeypatch):
    def exit_json(self, **kwargs):
        raise ExitJson(kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs.update(msg=msg, failed=True)
        raise FailJson(kwargs)

    monkeypatch.setattr(AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(AnsibleModule, "fail_json", fail_json)


@pytest.fixture
def requests_sent():
    """Every AtlasClient.request call (the one place every client method ends in), answered by a side effect."""
    with mock.patch.object(AtlasClient, "request", autospec=True, return_value=None) as request:
        yield request


def make(args=None, credentials=True, argument_spec=None, **kwargs):
    args = dict(args or {})
    if credentials:
        args.setdefault("api_public_key", PUBLIC)
        args.setdefault("api_private_key", PRIVATE)
    with patch_module_args(args):
        return AtlasModule(argument_spec=argument_spec or {}, **kwargs)


def fail_of(args=None, **kwargs):
    with pytest.raises(FailJson) as failure:
        make(args, **kwargs)
    return failure.value.result


def api_error(status, code=None, detail=None, reason=None, method="GET", path="/orgs/x/apiKeys"):
    return AtlasApiError(status, error_code=code, detail=detail, reason=reason, method=method, path=path)


# --- describe_error ----------------------------------------------------------------------------------


def test_describe_error_401_without_code_says_the_credentials_were_rejected():
    text = describe_error(api_error(401, reason="Unauthorized", detail="You are not authorized for this resource."))
    assert text.startswith("HTTP 401 Unauthorized: You are not authorized for this resource.")
    assert "api_public_key" in text and "api_private_key" in text
    assert "MONGODB_ATLAS_PUBLIC_API_KEY" in text and "MONGODB_ATLAS_PRIVATE_API_KEY" in text
    assert ".." not in text


def test_describe_error_hint_after_a_detail_ending_in_a_full_stop():
    text = describe_error(api_error(400, "PATH_PARAM_PARSE_ERROR", "One or more path parameters could not be parsed."))
    assert text.startswith("HTTP 400 PATH_PARAM_PARSE_ERROR: One or more path parameters could not be parsed. An id")


def test_describe_error_401_user_unauthorized_is_about_roles_not_credentials():
    text = describe_error(api_error(401, "USER_UNAUTHORIZED", "Current user is not authorized to perform this action."))
    assert "Organization Owner" in text
    assert "rejected the credentials" not in text


@pytest.mark.parametrize("code, words", [
    ("PATH_PARAM_PARSE_ERROR", "public key (pass that as public_key)"),
    ("IP_ADDRESS_NOT_ON_ACCESS_LIST", "not on the access list"),
    ("ORG_REQUIRES_ACCESS_LIST", "requires an API access list"),
    ("API_KEY_ACCESS_LIST_ACCESS_DENIED", "may not be used from this address"),
    ("RATE_LIMITED", "raise retries"),
    ("RATE_LIMITED_TOKEN_BUCKET", "raise retries"),
])
def test_describe_error_adds_a_hint_for_known_codes(code, words):
    text = describe_error(api_error(400, code, "detail from Atlas"))
    assert text.startswith("HTTP 400 %s: detail from Atlas. " % code)
    assert words in text


def test_describe_error_leaves_other_errors_as_atlas_said_them():
    assert describe_error(api_error(400, "INVALID_ATTRIBUTE", "Invalid attribute desc specified.")) == \
        "HTTP 400 INVALID_ATTRIBUTE: Invalid attribute desc specified."
    transport = AtlasTransportError("could not connect to http://127.0.0.1:1: connection refused", "connection",
                                    maybe_sent=False)
    assert describe_error(transport) == ("could not connect to http://127.0.0.1:1: connection refused. Check "
                                         "api_base_url (scheme, host and port) and that it can be reached from where "
                                         "the task runs: a firewall or a proxy (HTTPS_PROXY) may be in the way.")


# --- is_not_found ------------------------------------------------------------------------------------


@pytest.mark.parametrize("err, expected", [
    (api_error(404, "API_KEY_NOT_FOUND"), True),
    (api_error(404, "RESOURCE_NOT_FOUND"), True),
    (api_error(400, "API_KEY_NOT_FOUND"), True),
    (api_error(404, "API_KEY_ACCESS_LIST_ENTRY_NOT_FOUND"), True),
    (api_error(400, "PATH_PARAM_PARSE_ERROR"), False),
    (api_error(404, "ORG_NOT_FOUND"), False),
    (api_error(404, "GROUP_NOT_FOUND"), False),
    (api_error(404, None, "<html>Not Found</html>", reason="Not Found"), False),
    (api_error(401, None, reason="Unauthorized"), False),
    (api_error(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST"), False),
    (api_error(500, "UNEXPECTED_ERROR"), False),
    (AtlasTransportError("timed out", "timeout"), False),
])
def test_is_not_found(err, expected):
    assert is_not_found(err) is expected


# --- set_changes -------------------------------------------------------------------------------------


def test_set_changes_ignores_order_and_duplicates():
    assert set_changes(["B", "A", "A"], ["A", "B"]) == ([], [])


def test_set_changes_returns_missing_then_extra_sorted():
    assert set_changes(["C", "A", "D"], ["B", "A", "E"]) == (["B", "E"], ["C", "D"])
    assert set_changes([], ["Z", "Y"]) == (["Y", "Z"], [])
    assert set_changes(("Y", "Z"), ()) == ([], ["Y", "Z"])


# --- options and environment fallbacks ---------------------------------------------------------------


def test_defaults():
    atlas = make()
    assert atlas.base_url == "https://cloud.mongodb.com"
    assert atlas.client.base_url == "https://cloud.mongodb.com"
    assert atlas.client.api_root == "/api/atlas/v2"
    assert atlas.client.media_type == "application/vnd.atlas.2023-01-01+json"
    assert atlas.client.timeout == 30
    assert atlas.client.retries == 4
    assert atlas.client.validate_certs is True
    assert atlas.changed is False


def test_options_reach_the_client():
    atlas = make(dict(api_base_url="http://127.0.0.1:8080/", api_version="v1.0", timeout=5, retries=0,
                      validate_certs=False))
    assert atlas.client.base_url == "http://127.0.0.1:8080"
    assert atlas.client.url("/orgs/x/apiKeys") == "http://127.0.0.1:8080/api/atlas/v1.0/orgs/x/apiKeys"
    assert atlas.client.media_type == "application/json"
    assert (atlas.client.timeout, atlas.client.retries, atlas.client.validate_certs) == (5, 0, False)


def test_user_agent_names_collection_and_ansible_core():
    atlas = make()
    user_agent = atlas.client.session.headers["User-Agent"]
    assert user_agent.startswith("mongodb_atlas.api_keys/")
    assert "ansible-core/%s" % module_base.ANSIBLE_CORE_VERSION in user_agent


def test_credentials_reach_the_digest_auth():
    atlas = make()
    assert (atlas.client.session.auth.username, atlas.client.session.auth.password) == (PUBLIC, PRIVATE)


def test_env_fallbacks(monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", "https://atlas.example.test")
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", "newpubky")
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_KEY", "oldpubky")
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", "new-private")
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_KEY", "old-private")
    atlas = make(credentials=False)
    assert atlas.params["api_base_url"] == "https://atlas.example.test"
    assert atlas.client.base_url == "https://atlas.example.test"
    # The *_API_KEY names (those of the Atlas CLI and Terraform) come first.
    assert atlas.params["api_public_key"] == "newpubky"
    assert atlas.params["api_private_key"] == "new-private"
    assert (atlas.client.session.auth.username, atlas.client.session.auth.password) == ("newpubky", "new-private")
    # A private key read from the environment is masked in output like the no_log option.
    assert "new-private" in atlas.module.no_log_values


def test_env_fallbacks_older_names(monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_KEY", "oldpubky")
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_KEY", "old-private")
    atlas = make(credentials=False)
    assert (atlas.params["api_public_key"], atlas.params["api_private_key"]) == ("oldpubky", "old-private")


def test_options_win_over_env(monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", "https://atlas.example.test")
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", "envpubky")
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", "env-private")
    atlas = make(dict(api_base_url="https://other.example.test"))
    assert atlas.client.base_url == "https://other.example.test"
    assert (atlas.params["api_public_key"], atlas.params["api_private_key"]) == (PUBLIC, PRIVATE)


def test_private_key_is_no_log():
    spec = module_base.atlas_argument_spec()
    assert spec["api_private_key"]["no_log"] is True
    assert not spec["api_public_key"].get("no_log")


def test_common_options_match_the_doc_fragment():
    from ansible_collections.mongodb_atlas.api_keys.plugins.doc_fragments.atlas import ModuleDocFragment
    import yaml
    documented = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    spec = module_base.atlas_argument_spec()
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        assert documented[name]["type"] == option["type"], name
        assert documented[name].get("default") == option.get("default"), name
        assert documented[name].get("choices") == option.get("choices"), name


# --- credentials and connection checks (before any request) -------------------------------------------


def test_missing_credentials_names_options_and_env_vars(requests_sent):
    msg = fail_of(credentials=False)["msg"]
    for word in ("api_public_key", "api_private_key", "MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PRIVATE_API_KEY"):
        assert word in msg
    assert requests_sent.call_count == 0


def test_incomplete_credentials_name_the_missing_one(requests_sent):
    result = fail_of(dict(api_public_key=PUBLIC), credentials=False)
    assert "api_private_key" in result["msg"]
    assert result["changed"] is False
    assert requests_sent.call_count == 0


@pytest.mark.parametrize("url, words", [
    ("ftp://cloud.mongodb.com", "must be an http or https URL"),
    ("cloud.mongodb.com", "must be an http or https URL"),
    ("https://", "must be an http or https URL"),
    ("https://cloud.mongodb.com/api/atlas/v2", "drop '/api/atlas/v2'"),
    ("https://cloud.mongodb.com/api/atlas/v1.0/", "drop '/api/atlas/v1.0/'"),
])
def test_bad_api_base_url(url, words, requests_sent):
    result = fail_of(dict(api_base_url=url))
    assert words in result["msg"]
    assert requests_sent.call_count == 0


@pytest.mark.parametrize("url", [
    "https://someone:hunter2secret@cloud.mongodb.com",
    "ftp://someone:hunter2secret@cloud.mongodb.com",
    "https://someone:hunter2secret@cloud.mongodb.com/api/atlas/v2",
])
def test_api_base_url_with_credentials_is_refused_without_echoing_them(url, requests_sent):
    result = fail_of(dict(api_base_url=url))
    assert "must not hold credentials" in result["msg"]
    assert "hunter2secret" not in json.dumps(result)
    assert requests_sent.call_count == 0


def test_unparsable_api_base_url_fails_cleanly():
    result = fail_of(dict(api_base_url="https://[::1"))
    assert "api_base_url" in result["msg"]


def test_api_base_url_may_carry_a_proxy_path():
    atlas = make(dict(api_base_url="https://proxy.example.test/atlas/"))
    assert atlas.client.url("/orgs") == "https://proxy.example.test/atlas/api/atlas/v2/orgs"


@pytest.mark.parametrize("args, words", [
    (dict(timeout=0), "timeout must be a positive number"),
    (dict(timeout=-3), "timeout must be a positive number"),
    (dict(retries=-1), "retries must be 0 or more"),
])
def test_bad_timeout_and_retries(args, words):
    assert words in fail_of(args)["msg"]


def test_without_requests_the_module_says_so_before_anything_else(monkeypatch, requests_sent):
    monkeypatch.setattr(module_base, "HAS_REQUESTS", False)
    result = fail_of(credentials=False)  # no credentials: that message would come later
    assert "requests" in result["msg"] and "Credentials" not in result["msg"]
    assert requests_sent.call_count == 0


def test_bad_api_version_is_refused_by_the_argument_spec():
    assert "api_version" in fail_of(dict(api_version="v3"))["msg"]


# --- input checks ---------------------------------------------------------------------------------------


SPEC = dict(org_id=dict(type="str"), api_key_id=dict(type="str"), public_key=dict(type="str"),
            description=dict(type="str"))


def checked(method, option, value, *args):
    atlas = make({option: value}, argument_spec=SPEC)
    getattr(atlas, method)(*args)
    return atlas


def check_fails(method, option, value, *args):
    atlas = make({option: value}, argument_spec=SPEC)
    with pytest.raises(FailJson) as failure:
        getattr(atlas, method)(*args)
    return failure.value.result["msg"]


def test_check_hex_id():
    checked("check_hex_id", "org_id", "65a1b2c3d4e5f6a7b8c9d0e1", "org_id")
    checked("check_hex_id", "org_id", None, "org_id")
    msg = check_fails("check_hex_id", "org_id", "65a1b2c3d4e5f6a7b8c9d0e", "org_id")
    assert msg == ("org_id must be a 24-character hexadecimal Atlas id such as 5f4e3d2c1b0a998877665544; "
                   "got '65a1b2c3d4e5f6a7b8c9d0e'.")
    assert "org_id must be" in check_fails("check_hex_id", "org_id", "65A1B2C3D4E5F6A7B8C9D0E1", "org_id")
    assert "org_id must be" in check_fails("check_hex_id", "org_id", "my-org", "org_id")


def test_check_hex_id_recognises_a_public_key_given_as_api_key_id():
    msg = check_fails("check_hex_id", "api_key_id", "zmmrboas", "api_key_id")
    assert "looks like a public key" in msg and "public_key" in msg


def test_check_public_key():
    checked("check_public_key", "public_key", "zmmrboas")
    assert "8-character public key" in check_fails("check_public_key", "public_key", "zmmrboa")
    assert "8-character public key" in check_fails("check_public_key", "public_key", "65a1b2c3d4e5f6a7b8c9d0e1")


@pytest.mark.parametrize("value", ["x", "x" * 250, "a key with spaces"])
def test_check_description_accepts(value):
    checked("check_description", "description", value)


@pytest.mark.parametrize("value, length", [("", 0), ("   ", 0), ("x" * 251, 251)])
def test_check_description_refuses(value, length):
    assert check_fails("check_description", "description", value) == \
        "description must hold 1 to 250 characters; got %d." % length


# --- reads -----------------------------------------------------------------------------------------------


def test_get_returns_the_answer(requests_sent):
    requests_sent.return_value = {"id": "k"}
    atlas = make()
    assert atlas.get("/orgs/o/apiKeys/k", "read it") == {"id": "k"}
    requests_sent.assert_called_once_with(atlas.client, "GET", "/orgs/o/apiKeys/k", params=None, media_type=None)


def test_reads_and_writes_pass_the_operation_media_type_on():
    with mock.patch.object(AtlasClient, "request", autospec=True, return_value={"results": []}) as request:
        atlas = make()
        atlas.get("/orgs/o/serviceAccounts/x", "read it", media_type="application/vnd.atlas.2024-08-05+json")
        atlas.list_all("/orgs/o/serviceAccounts", "list them", media_type="application/vnd.atlas.2024-08-05+json")
        atlas.write("PATCH", "/orgs/o/serviceAccounts/x", "update it", body={"name": "n"},
                    media_type="application/vnd.atlas.2024-08-05+json")
    assert [call.kwargs["media_type"] for call in request.call_args_list] == \
        ["application/vnd.atlas.2024-08-05+json"] * 3


def test_get_missing_ok_turns_not_found_into_none(requests_sent):
    requests_sent.side_effect = api_error(404, "API_KEY_NOT_FOUND", "No API key with ID k exists.")
    assert make().get("/orgs/o/apiKeys/k", "read it", missing_ok=True) is None


def test_get_fails_with_what_it_did_and_a_structured_error(requests_sent):
    requests_sent.side_effect = api_error(404, "API_KEY_NOT_FOUND", "No API key with ID k exists.",
                                          path="/orgs/o/apiKeys/k")
    with pytest.raises(FailJson) as failure:
        make().get("/orgs/o/apiKeys/k", "read API key k")
    result = failure.value.result
    assert result["msg"] == "Failed to read API key k: HTTP 404 API_KEY_NOT_FOUND: No API key with ID k exists."
    assert result["changed"] is False
    assert result["error"] == dict(status=404, code="API_KEY_NOT_FOUND", detail="No API key with ID k exists.",
                                   method="GET", path="/orgs/o/apiKeys/k")


def test_get_missing_ok_still_fails_on_other_errors(requests_sent):
    requests_sent.side_effect = api_error(401, reason="Unauthorized", detail="You are not authorized.")
    with pytest.raises(FailJson) as failure:
        make().get("/orgs/o/apiKeys/k", "read API key k", missing_ok=True)
    assert "Atlas rejected the credentials" in failure.value.result["msg"]
    assert PRIVATE not in json.dumps(failure.value.result)


def test_list_all_fails_on_transport_errors(requests_sent):
    requests_sent.side_effect = AtlasTransportError("could not connect to http://127.0.0.1:9: connection refused",
                                                    "connection", method="GET", path="/orgs/o/apiKeys",
                                                    maybe_sent=False)
    with pytest.raises(FailJson) as failure:
        make().list_all("/orgs/o/apiKeys", "list keys")
    assert failure.value.result["msg"].startswith(
        "Failed to list keys: could not connect to http://127.0.0.1:9: connection refused. Check api_base_url")


def test_list_all_follows_pages(requests_sent):
    pages = {1: {"results": [{"id": str(n)} for n in range(500)], "totalCount": 501},
             2: {"results": [{"id": "500"}], "totalCount": 501}}
    requests_sent.side_effect = lambda client, method, path, params=None, body=None, reread=None, media_type=None: \
        pages[params["pageNum"]]
    assert len(make().list_all("/orgs/o/apiKeys", "list keys")) == 501
    assert [c.kwargs["params"] for c in requests_sent.call_args_list] == [
        {"itemsPerPage": 500, "pageNum": 1}, {"itemsPerPage": 500, "pageNum": 2}]


# --- writes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, body", [("POST", {"desc": "d", "roles": ["ORG_MEMBER"]}),
                                          ("PATCH", {"desc": "d"}), ("DELETE", None)])
def test_write_in_check_mode_sends_nothing(method, body, requests_sent):
    atlas = make(dict(_ansible_check_mode=True))
    assert atlas.write(method, "/orgs/o/apiKeys", "do it", body=body) is None
    assert atlas.changed is True
    assert requests_sent.call_count == 0


def test_write_post_carries_body_and_reread(requests_sent):
    requests_sent.return_value = {"id": "new"}
    atlas = make()

    def reread():
        return None

    assert atlas.write("POST", "/orgs/o/apiKeys", "create", body={"desc": "d"}, reread=reread) == {"id": "new"}
    requests_sent.assert_called_once_with(atlas.client, "POST", "/orgs/o/apiKeys", params=None,
                                          body={"desc": "d"}, reread=reread, media_type=None)
    assert atlas.changed is True


def test_write_patch_and_delete(requests_sent):
    atlas = make()
    requests_sent.return_value = {"id": "k", "desc": "d"}
    assert atlas.write("PATCH", "/orgs/o/apiKeys/k", "update", body={"desc": "d"}) == {"id": "k", "desc": "d"}
    requests_sent.return_value = None
    assert atlas.write("DELETE", "/orgs/o/apiKeys/k", "delete") is None
    sent = [(c.args[1], c.args[2], c.kwargs.get("body")) for c in requests_sent.call_args_list]
    assert sent == [("PATCH", "/orgs/o/apiKeys/k", {"desc": "d"}), ("DELETE", "/orgs/o/apiKeys/k", None)]


def test_write_refused_by_atlas_changed_nothing(requests_sent):
    requests_sent.side_effect = api_error(400, "INVALID_ATTRIBUTE", "Invalid attribute desc.", method="PATCH",
                                          path="/orgs/o/apiKeys/k")
    with pytest.raises(FailJson) as failure:
        make().write("PATCH", "/orgs/o/apiKeys/k", "update API key k", body={"desc": "d"})
    result = failure.value.result
    assert result["msg"] == "Failed to update API key k: HTTP 400 INVALID_ATTRIBUTE: Invalid attribute desc."
    assert result["changed"] is False
    assert result["error"]["method"] == "PATCH"


def test_write_refused_after_an_earlier_write_keeps_changed(requests_sent):
    atlas = make()
    atlas.write("DELETE", "/orgs/o/apiKeys/k/accessList/10.0.0.1", "remove entry")
    requests_sent.side_effect = api_error(400, "INVALID_ATTRIBUTE", "bad", method="DELETE")
    with pytest.raises(FailJson) as failure:
        atlas.write("DELETE", "/orgs/o/apiKeys/k/accessList/10.0.0.2", "remove entry")
    assert failure.value.result["changed"] is True


def test_delete_whose_first_answer_was_lost_is_done(requests_sent):
    """A retried DELETE that finds the object gone: the lost first attempt deleted it."""
    err = api_error(404, "API_KEY_NOT_FOUND", "No API key with ID k exists.", method="DELETE")
    err.attempts = 2
    requests_sent.side_effect = err
    atlas = make()
    assert atlas.write("DELETE", "/orgs/o/apiKeys/k", "delete API key k") is None
    assert atlas.changed is True


def test_delete_of_a_missing_object_on_the_first_attempt_fails(requests_sent):
    requests_sent.side_effect = api_error(404, "API_KEY_NOT_FOUND", "No API key with ID k exists.", method="DELETE")
    with pytest.raises(FailJson) as failure:
        make().write("DELETE", "/orgs/o/apiKeys/k", "delete API key k")
    assert failure.value.result["msg"].startswith("Failed to delete API key k: HTTP 404 API_KEY_NOT_FOUND")
    assert failure.value.result["changed"] is False


def test_write_with_unknown_outcome_reports_changed(requests_sent):
    cause = api_error(503, "SERVICE_UNAVAILABLE", method="POST")
    requests_sent.side_effect = AtlasOutcomeUnknown(cause, "POST", "/orgs/o/apiKeys")
    with pytest.raises(FailJson) as failure:
        make().write("POST", "/orgs/o/apiKeys", "create API key 'd'", body={"desc": "d"})
    result = failure.value.result
    assert result["msg"].startswith("Failed to create API key 'd': the outcome of POST /orgs/o/apiKeys is unknown")
    assert result["changed"] is True


# --- results -----------------------------------------------------------------------------------------------


def exit_of(atlas, **result):
    with pytest.raises(ExitJson) as done:
        atlas.exit(**result)
    return done.value.result


def test_exit_without_diff_mode_has_no_diff():
    atlas = make()
    atlas.set_diff({"roles": ["ORG_MEMBER"]}, {"roles": ["ORG_OWNER"]})
    assert exit_of(atlas, api_key={"id": "k"}) == dict(changed=False, api_key={"id": "k"})


def test_exit_in_diff_mode_carries_the_diff():
    atlas = make(dict(_ansible_diff=True))
    atlas.set_diff({"roles": ["ORG_MEMBER"]}, {"roles": ["ORG_OWNER"]})
    assert exit_of(atlas, api_key={}) == dict(changed=False, api_key={},
                                              diff=dict(before={"roles": ["ORG_MEMBER"]}, after={"roles": ["ORG_OWNER"]}))


def test_exit_reports_changed_after_a_write(requests_sent):
    atlas = make()
    atlas.write("DELETE", "/orgs/o/apiKeys/k", "delete")
    assert exit_of(atlas)["changed"] is True


def test_results_never_echo_connection_settings():
    result = exit_of(make(dict(_ansible_diff=True)), api_key={})
    text = json.dumps(result)
    assert PRIVATE not in text and PUBLIC not in text and "cloud.mongodb.com" not in text


def test_fail_carries_details_and_changed():
    with pytest.raises(FailJson) as failure:
        make().fail("Nope.", matching_ids=["a", "b"])
    assert failure.value.result == dict(msg="Nope.", failed=True, changed=False, matching_ids=["a", "b"])
