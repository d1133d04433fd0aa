# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the module base: options and their environment fallbacks, input checks, the
single write path and its check-mode guard, error messages, diffs and results."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import module_base
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    AtlasApiError,
    AtlasClient,
    AtlasOutcomeUnknown,
    AtlasTransportError,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import (
    describe_error,
    is_not_found,
    set_changes,
)

PUBLIC = "abcdefgh"
PRIVATE = "0b5e2d4c-1f3a-4e6b-9c8d-7a6f5e4d3c2b"


class Base:
    """Runs of the module base (the run_atlas_module fixture) with test credentials unless told otherwise."""

    def __init__(self, run_atlas_module):
        self._run = run_atlas_module

    def run(self, args=None, then=None, credentials=True, diff=False, **kwargs):
        args = dict(args or {})
        if credentials:
            args.setdefault("api_public_key", PUBLIC)
            args.setdefault("api_private_key", PRIVATE)
        return self._run(args, then=then, diff=diff, **kwargs)

    def built(self, args=None, **kwargs):
        """The AtlasModule a run built (its run ended, so its methods may be called, answered by requests_sent)."""
        seen = []
        result = self.run(args, then=seen.append, **kwargs)
        assert not result.get("failed"), result["msg"]
        return seen[0]

    def fails(self, args=None, then=None, **kwargs):
        result = self.run(args, then=then, **kwargs)
        assert result.get("failed"), result
        return result


@pytest.fixture
def base(run_atlas_module):
    return Base(run_atlas_module)


@pytest.fixture
def requests_sent():
    """Every AtlasClient.request call (the one place every client method ends in), answered by a side effect."""
    with mock.patch.object(AtlasClient, "request", autospec=True, return_value=None) as request:
        yield request


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


def test_describe_error_leaves_other_errors_as_atlas_said_them(base):
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


def test_defaults(base):
    atlas = base.built()
    assert atlas.base_url == "https://cloud.mongodb.com"
    assert atlas.client.base_url == "https://cloud.mongodb.com"
    assert atlas.client.api_root == "/api/atlas/v2"
    assert atlas.client.media_type == "application/vnd.atlas.2023-01-01+json"
    assert atlas.client.timeout == 30
    assert atlas.client.retries == 4
    assert atlas.client.validate_certs is True
    assert atlas.changed is False


def test_options_reach_the_client(base):
    atlas = base.built(dict(api_base_url="http://127.0.0.1:8080/", api_version="v1.0", timeout=5, retries=0,
                      validate_certs=False))
    assert atlas.client.base_url == "http://127.0.0.1:8080"
    assert atlas.client.url("/orgs/x/apiKeys") == "http://127.0.0.1:8080/api/atlas/v1.0/orgs/x/apiKeys"
    assert atlas.client.media_type == "application/json"
    assert (atlas.client.timeout, atlas.client.retries, atlas.client.validate_certs) == (5, 0, False)


def test_user_agent_names_collection_and_ansible_core(base):
    atlas = base.built()
    user_agent = atlas.client.session.headers["User-Agent"]
    assert user_agent.startswith("mongodb_atlas.api_keys/")
    assert "ansible-core/%s" % module_base.ANSIBLE_CORE_VERSION in user_agent


def test_credentials_reach_the_digest_auth(base):
    atlas = base.built()
    assert (atlas.client.session.auth.username, atlas.client.session.auth.password) == (PUBLIC, PRIVATE)


def test_env_fallbacks(monkeypatch, base):
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", "https://atlas.example.test")
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", "newpubky")
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_KEY", "oldpubky")
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", "new-private")
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_KEY", "old-private")
    atlas = base.built(credentials=False)
    assert atlas.params["api_base_url"] == "https://atlas.example.test"
    assert atlas.client.base_url == "https://atlas.example.test"
    # The *_API_KEY names (those of the Atlas CLI and Terraform) come first.
    assert atlas.params["api_public_key"] == "newpubky"
    assert atlas.params["api_private_key"] == "new-private"
    assert (atlas.client.session.auth.username, atlas.client.session.auth.password) == ("newpubky", "new-private")
    # A private key read from the environment is masked in output like the no_log option.
    assert "new-private" in atlas.module.no_log_values


def test_env_fallbacks_older_names(monkeypatch, base):
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_KEY", "oldpubky")
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_KEY", "old-private")
    atlas = base.built(credentials=False)
    assert (atlas.params["api_public_key"], atlas.params["api_private_key"]) == ("oldpubky", "old-private")


def test_options_win_over_env(monkeypatch, base):
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", "https://atlas.example.test")
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", "envpubky")
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", "env-private")
    atlas = base.built(dict(api_base_url="https://other.example.test"))
    assert atlas.client.base_url == "https://other.example.test"
    assert (atlas.params["api_public_key"], atlas.params["api_private_key"]) == (PUBLIC, PRIVATE)


def test_private_key_is_no_log(base):
    spec = module_base.atlas_argument_spec()
    assert spec["api_private_key"]["no_log"] is True
    assert not spec["api_public_key"].get("no_log")


def test_common_options_match_the_doc_fragment(base):
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


def test_missing_credentials_names_options_and_env_vars(requests_sent, base):
    msg = base.fails(credentials=False)["msg"]
    for word in ("api_public_key", "api_private_key", "MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PRIVATE_API_KEY"):
        assert word in msg
    assert requests_sent.call_count == 0


def test_incomplete_credentials_name_the_missing_one(requests_sent, base):
    result = base.fails(dict(api_public_key=PUBLIC), credentials=False)
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
def test_bad_api_base_url(url, words, requests_sent, base):
    result = base.fails(dict(api_base_url=url))
    assert words in result["msg"]
    assert requests_sent.call_count == 0


@pytest.mark.parametrize("url", [
    "https://someone:hunter2secret@cloud.mongodb.com",
    "ftp://someone:hunter2secret@cloud.mongodb.com",
    "https://someone:hunter2secret@cloud.mongodb.com/api/atlas/v2",
])
def test_api_base_url_with_credentials_is_refused_without_echoing_them(url, requests_sent, base):
    result = base.fails(dict(api_base_url=url))
    assert "must not hold credentials" in result["msg"]
    assert "hunter2secret" not in json.dumps(result)
    assert requests_sent.call_count == 0


def test_unparsable_api_base_url_fails_cleanly(base):
    result = base.fails(dict(api_base_url="https://[::1"))
    assert "api_base_url" in result["msg"]


def test_api_base_url_may_carry_a_proxy_path(base):
    atlas = base.built(dict(api_base_url="https://proxy.example.test/atlas/"))
    assert atlas.client.url("/orgs") == "https://proxy.example.test/atlas/api/atlas/v2/orgs"


@pytest.mark.parametrize("args, words", [
    (dict(timeout=0), "timeout must be a positive number"),
    (dict(timeout=-3), "timeout must be a positive number"),
    (dict(retries=-1), "retries must be 0 or more"),
])
def test_bad_timeout_and_retries(args, words, base):
    assert words in base.fails(args)["msg"]


def test_without_requests_the_module_says_so_before_anything_else(monkeypatch, requests_sent, base):
    monkeypatch.setattr(module_base, "HAS_REQUESTS", False)
    result = base.fails(credentials=False)  # no credentials: that message would come later
    assert "requests" in result["msg"] and "Credentials" not in result["msg"]
    assert requests_sent.call_count == 0


def test_bad_api_version_is_refused_by_the_argument_spec(base):
    assert "api_version" in base.fails(dict(api_version="v3"))["msg"]


# --- input checks ---------------------------------------------------------------------------------------


SPEC = dict(org_id=dict(type="str"), api_key_id=dict(type="str"), public_key=dict(type="str"),
            description=dict(type="str"))


def checked(base, method, option, value, *args):
    result = base.run({option: value}, then=lambda atlas: getattr(atlas, method)(*args), argument_spec=SPEC)
    assert not result.get("failed"), result["msg"]


def check_fails(base, method, option, value, *args):
    return base.fails({option: value}, then=lambda atlas: getattr(atlas, method)(*args), argument_spec=SPEC)["msg"]


def test_check_hex_id(base):
    checked(base, "check_hex_id", "org_id", "65a1b2c3d4e5f6a7b8c9d0e1", "org_id")
    checked(base, "check_hex_id", "org_id", None, "org_id")
    msg = check_fails(base, "check_hex_id", "org_id", "65a1b2c3d4e5f6a7b8c9d0e", "org_id")
    assert msg == ("org_id must be a 24-character hexadecimal Atlas id such as 5f4e3d2c1b0a998877665544; "
                   "got '65a1b2c3d4e5f6a7b8c9d0e'.")
    assert "org_id must be" in check_fails(base, "check_hex_id", "org_id", "65A1B2C3D4E5F6A7B8C9D0E1", "org_id")
    assert "org_id must be" in check_fails(base, "check_hex_id", "org_id", "my-org", "org_id")


def test_check_hex_id_recognises_a_public_key_given_as_api_key_id(base):
    msg = check_fails(base, "check_hex_id", "api_key_id", "zmmrboas", "api_key_id")
    assert "looks like a public key" in msg and "public_key" in msg


def test_check_public_key(base):
    checked(base, "check_public_key", "public_key", "zmmrboas")
    assert "8-character public key" in check_fails(base, "check_public_key", "public_key", "zmmrboa")
    assert "8-character public key" in check_fails(base, "check_public_key", "public_key", "65a1b2c3d4e5f6a7b8c9d0e1")


@pytest.mark.parametrize("value", ["x", "x" * 250, "a key with spaces"])
def test_check_description_accepts(value, base):
    checked(base, "check_description", "description", value)


@pytest.mark.parametrize("value, length", [("", 0), ("   ", 0), ("x" * 251, 251)])
def test_check_description_refuses(value, length, base):
    assert check_fails(base, "check_description", "description", value) == \
        "description must hold 1 to 250 characters; got %d." % length


# --- reads -----------------------------------------------------------------------------------------------


def test_get_returns_the_answer(requests_sent, base):
    requests_sent.return_value = {"id": "k"}
    atlas = base.built()
    assert atlas.get("/orgs/o/apiKeys/k", "read it") == {"id": "k"}
    requests_sent.assert_called_once_with(atlas.client, "GET", "/orgs/o/apiKeys/k", params=None, media_type=None)


def test_reads_and_writes_pass_the_operation_media_type_on(base):
    with mock.patch.object(AtlasClient, "request", autospec=True, return_value={"results": []}) as request:
        atlas = base.built()
        atlas.get("/orgs/o/serviceAccounts/x", "read it", media_type="application/vnd.atlas.2024-08-05+json")
        atlas.list_all("/orgs/o/serviceAccounts", "list them", media_type="application/vnd.atlas.2024-08-05+json")
        atlas.write("PATCH", "/orgs/o/serviceAccounts/x", "update it", body={"name": "n"},
                    media_type="application/vnd.atlas.2024-08-05+json")
    assert [call.kwargs["media_type"] for call in request.call_args_list] == \
        ["application/vnd.atlas.2024-08-05+json"] * 3


def test_get_missing_ok_turns_not_found_into_none(requests_sent, base):
    requests_sent.side_effect = api_error(404, "API_KEY_NOT_FOUND", "No API key with ID k exists.")
    assert base.built().get("/orgs/o/apiKeys/k", "read it", missing_ok=True) is None


def test_get_fails_with_what_it_did_and_a_structured_error(requests_sent, base):
    requests_sent.side_effect = api_error(404, "API_KEY_NOT_FOUND", "No API key with ID k exists.",
                                          path="/orgs/o/apiKeys/k")
    failure = base.fails(then=lambda atlas: atlas.get("/orgs/o/apiKeys/k", "read API key k"))
    result = failure
    assert result["msg"] == "Failed to read API key k: HTTP 404 API_KEY_NOT_FOUND: No API key with ID k exists."
    assert result["changed"] is False
    assert result["error"] == dict(status=404, code="API_KEY_NOT_FOUND", detail="No API key with ID k exists.",
                                   method="GET", path="/orgs/o/apiKeys/k")


def test_get_missing_ok_still_fails_on_other_errors(requests_sent, base):
    requests_sent.side_effect = api_error(401, reason="Unauthorized", detail="You are not authorized.")
    failure = base.fails(then=lambda atlas: atlas.get("/orgs/o/apiKeys/k", "read API key k", missing_ok=True))
    assert "Atlas rejected the credentials" in failure["msg"]
    assert PRIVATE not in json.dumps(failure)


def test_list_all_fails_on_transport_errors(requests_sent, base):
    requests_sent.side_effect = AtlasTransportError("could not connect to http://127.0.0.1:9: connection refused",
                                                    "connection", method="GET", path="/orgs/o/apiKeys",
                                                    maybe_sent=False)
    failure = base.fails(then=lambda atlas: atlas.list_all("/orgs/o/apiKeys", "list keys"))
    assert failure["msg"].startswith(
        "Failed to list keys: could not connect to http://127.0.0.1:9: connection refused. Check api_base_url")


def test_list_all_follows_pages(requests_sent, base):
    pages = {1: {"results": [{"id": str(n)} for n in range(500)], "totalCount": 501},
             2: {"results": [{"id": "500"}], "totalCount": 501}}
    requests_sent.side_effect = lambda client, method, path, params=None, body=None, reread=None, media_type=None: \
        pages[params["pageNum"]]
    assert len(base.built().list_all("/orgs/o/apiKeys", "list keys")) == 501
    assert [c.kwargs["params"] for c in requests_sent.call_args_list] == [
        {"itemsPerPage": 500, "pageNum": 1}, {"itemsPerPage": 500, "pageNum": 2}]


# --- writes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, body", [("POST", {"desc": "d", "roles": ["ORG_MEMBER"]}),
                                          ("PATCH", {"desc": "d"}), ("DELETE", None)])
def test_write_in_check_mode_sends_nothing(method, body, requests_sent, base):
    atlas = base.built(check_mode=True)
    assert atlas.write(method, "/orgs/o/apiKeys", "do it", body=body) is None
    assert atlas.changed is True
    assert requests_sent.call_count == 0


def test_write_post_carries_body_and_reread(requests_sent, base):
    requests_sent.return_value = {"id": "new"}
    atlas = base.built()

    def reread():
        return None

    assert atlas.write("POST", "/orgs/o/apiKeys", "create", body={"desc": "d"}, reread=reread) == {"id": "new"}
    requests_sent.assert_called_once_with(atlas.client, "POST", "/orgs/o/apiKeys", params=None,
                                          body={"desc": "d"}, reread=reread, media_type=None)
    assert atlas.changed is True


def test_write_patch_and_delete(requests_sent, base):
    atlas = base.built()
    requests_sent.return_value = {"id": "k", "desc": "d"}
    assert atlas.write("PATCH", "/orgs/o/apiKeys/k", "update", body={"desc": "d"}) == {"id": "k", "desc": "d"}
    requests_sent.return_value = None
    assert atlas.write("DELETE", "/orgs/o/apiKeys/k", "delete") is None
    sent = [(c.args[1], c.args[2], c.kwargs.get("body")) for c in requests_sent.call_args_list]
    assert sent == [("PATCH", "/orgs/o/apiKeys/k", {"desc": "d"}), ("DELETE", "/orgs/o/apiKeys/k", None)]


def test_write_refused_by_atlas_changed_nothing(requests_sent, base):
    requests_sent.side_effect = api_error(400, "INVALID_ATTRIBUTE", "Invalid attribute desc.", method="PATCH",
                                          path="/orgs/o/apiKeys/k")
    failure = base.fails(then=lambda atlas: atlas.write("PATCH", "/orgs/o/apiKeys/k", "update API key k", body={"desc": "d"}))
    result = failure
    assert result["msg"] == "Failed to update API key k: HTTP 400 INVALID_ATTRIBUTE: Invalid attribute desc."
    assert result["changed"] is False
    assert result["error"]["method"] == "PATCH"


def test_write_refused_after_an_earlier_write_keeps_changed(requests_sent, base):
    requests_sent.side_effect = [None, api_error(400, "INVALID_ATTRIBUTE", "bad", method="DELETE")]

    def two_deletes(atlas):
        atlas.write("DELETE", "/orgs/o/apiKeys/k/accessList/10.0.0.1", "remove entry")
        atlas.write("DELETE", "/orgs/o/apiKeys/k/accessList/10.0.0.2", "remove entry")

    assert base.fails(then=two_deletes)["changed"] is True


def test_delete_whose_first_answer_was_lost_is_done(requests_sent, base):
    """A retried DELETE that finds the object gone: the lost first attempt deleted it."""
    err = api_error(404, "API_KEY_NOT_FOUND", "No API key with ID k exists.", method="DELETE")
    err.attempts = 2
    requests_sent.side_effect = err
    atlas = base.built()
    assert atlas.write("DELETE", "/orgs/o/apiKeys/k", "delete API key k") is None
    assert atlas.changed is True


def test_delete_of_a_missing_object_on_the_first_attempt_fails(requests_sent, base):
    requests_sent.side_effect = api_error(404, "API_KEY_NOT_FOUND", "No API key with ID k exists.", method="DELETE")
    failure = base.fails(then=lambda atlas: atlas.write("DELETE", "/orgs/o/apiKeys/k", "delete API key k"))
    assert failure["msg"].startswith("Failed to delete API key k: HTTP 404 API_KEY_NOT_FOUND")
    assert failure["changed"] is False


def test_write_with_unknown_outcome_reports_changed(requests_sent, base):
    cause = api_error(503, "SERVICE_UNAVAILABLE", method="POST")
    requests_sent.side_effect = AtlasOutcomeUnknown(cause, "POST", "/orgs/o/apiKeys")
    failure = base.fails(then=lambda atlas: atlas.write("POST", "/orgs/o/apiKeys", "create API key 'd'", body={"desc": "d"}))
    result = failure
    assert result["msg"].startswith("Failed to create API key 'd': the outcome of POST /orgs/o/apiKeys is unknown")
    assert result["changed"] is True


# --- results -----------------------------------------------------------------------------------------------


def diff_then(result):
    """A ``then`` that records a diff of roles and exits with ``result``."""
    def then(atlas):
        atlas.set_diff({"roles": ["ORG_MEMBER"]}, {"roles": ["ORG_OWNER"]})
        return result
    return then


def test_exit_without_diff_mode_has_no_diff(base):
    assert base.run(then=diff_then(dict(api_key={"id": "k"}))) == dict(changed=False, api_key={"id": "k"})


def test_exit_in_diff_mode_carries_the_diff(base):
    assert base.run(then=diff_then(dict(api_key={})), diff=True) == dict(
        changed=False, api_key={}, diff=dict(before={"roles": ["ORG_MEMBER"]}, after={"roles": ["ORG_OWNER"]}))


def test_exit_reports_changed_after_a_write(requests_sent, base):
    assert base.run(then=lambda atlas: atlas.write("DELETE", "/orgs/o/apiKeys/k", "delete") or {})["changed"] is True


def test_results_never_echo_connection_settings(base):
    result = base.run(then=diff_then(dict(api_key={})), diff=True)
    text = json.dumps(result)
    assert PRIVATE not in text and PUBLIC not in text and "cloud.mongodb.com" not in text


def test_fail_carries_details_and_changed(base):
    failure = base.fails(then=lambda atlas: atlas.fail("Nope.", matching_ids=["a", "b"]))
    assert failure == dict(msg="Nope.", failed=True, changed=False, matching_ids=["a", "b"])
