# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the module base: options and their environment fallbacks, input checks, the
single write path and its check-mode guard, error messages, diffs and results."""

from __future__ import annotations

import json

import pytest

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import module_base
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    AtlasApiError,
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
        """The AtlasModule a run built (its run over; methods that change nothing may still be called)."""
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
def on_sim(sim, base):
    """``on_sim(then, check_mode=False, **args)``: a run of the module base connected to the simulator with its
    admin key (the log cleared first), ``then(atlas)`` doing the reads and writes; its result."""
    def run(then, check_mode=False, **args):
        sim.clear_log()
        return base.run(dict(sim.connection, **args), then=then, check_mode=check_mode)
    return run


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
    # Every module extends both the fragment's DOCUMENTATION and its CONNECTION section.
    documented = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"],
                      **yaml.safe_load(ModuleDocFragment.CONNECTION)["options"])
    spec = module_base.atlas_argument_spec()
    assert sorted(documented) == sorted(spec)
    for name, option in spec.items():
        assert documented[name]["type"] == option["type"], name
        assert documented[name].get("default") == option.get("default"), name
        assert documented[name].get("choices") == option.get("choices"), name


# --- credentials and connection checks (before any request) -------------------------------------------


def test_missing_credentials_names_options_and_env_vars(sim, base):
    msg = base.fails(dict(api_base_url=sim.url), credentials=False, then=lambda atlas: atlas.get("/orgs", "read"))["msg"]
    for word in ("api_public_key", "api_private_key", "MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PRIVATE_API_KEY"):
        assert word in msg
    assert sim.log() == []


def test_incomplete_credentials_name_the_missing_one(sim, base):
    result = base.fails(dict(api_base_url=sim.url, api_public_key=PUBLIC), credentials=False,
                        then=lambda atlas: atlas.get("/orgs", "read"))
    assert "api_private_key" in result["msg"]
    assert result["changed"] is False
    assert sim.log() == []


@pytest.mark.parametrize("url, words", [
    ("ftp://cloud.mongodb.com", "must be an http or https URL"),
    ("cloud.mongodb.com", "must be an http or https URL"),
    ("https://", "must be an http or https URL"),
    ("https://cloud.mongodb.com/api/atlas/v2", "drop '/api/atlas/v2'"),
    ("https://cloud.mongodb.com/api/atlas/v1.0/", "drop '/api/atlas/v1.0/'"),
])
def test_bad_api_base_url(url, words, base):
    result = base.fails(dict(api_base_url=url))
    assert words in result["msg"]


@pytest.mark.parametrize("url", [
    "https://someone:hunter2secret@cloud.mongodb.com",
    "ftp://someone:hunter2secret@cloud.mongodb.com",
    "https://someone:hunter2secret@cloud.mongodb.com/api/atlas/v2",
])
def test_api_base_url_with_credentials_is_refused_without_echoing_them(url, base):
    result = base.fails(dict(api_base_url=url))
    assert "must not hold credentials" in result["msg"]
    assert "hunter2secret" not in json.dumps(result)


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


def test_without_requests_the_module_says_so_before_anything_else(monkeypatch, base):
    monkeypatch.setattr(module_base, "HAS_REQUESTS", False)
    result = base.fails(credentials=False)  # no credentials: that message would come later
    assert "requests" in result["msg"] and "Credentials" not in result["msg"]


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


# --- reads ---------------------------------------------------------------------------------------------------

ORG_PATH = "/orgs/65a1b2c3d4e5f6a7b8c9d0e1"
MISSING_KEY_PATH = ORG_PATH + "/apiKeys/65a1b2c3d4e5f6a7b8c9dfff"
SA_MEDIA_TYPE = "application/vnd.atlas.2024-08-05+json"


def test_get_returns_the_answer(sim, on_sim):
    key = sim.add_key("k", ["ORG_MEMBER"])
    path = "%s/apiKeys/%s" % (ORG_PATH, key["id"])
    result = on_sim(lambda atlas: dict(answer=atlas.get(path, "read it")))
    assert (result["answer"]["id"], result["answer"]["desc"]) == (key["id"], "k")
    assert sim.sent() == [("GET", path, None)]


def test_reads_and_writes_pass_the_operation_media_type_on(sim, on_sim):
    # The simulator, as Atlas, answers 406 to a service-account operation asked for with the default 2023-01-01.
    account = "%s/serviceAccounts/%s" % (ORG_PATH, sim.module.SERVICE_ACCOUNT_CLIENT_ID)

    def then(atlas):
        atlas.get(account, "read it", media_type=SA_MEDIA_TYPE)
        atlas.list_all(ORG_PATH + "/serviceAccounts", "list them", media_type=SA_MEDIA_TYPE)
        atlas.write("PATCH", account, "update it", body={"description": "d"}, media_type=SA_MEDIA_TYPE)

    assert not on_sim(then).get("failed")
    assert [(entry["method"], entry["status"]) for entry in sim.log() if not entry["challenge"]] == [
        ("GET", 200), ("GET", 200), ("PATCH", 200)]


def test_get_missing_ok_turns_not_found_into_none(on_sim):
    assert on_sim(lambda atlas: dict(answer=atlas.get(MISSING_KEY_PATH, "read it", missing_ok=True)))["answer"] is None


def test_get_fails_with_what_it_did_and_a_structured_error(on_sim):
    result = on_sim(lambda atlas: atlas.get(MISSING_KEY_PATH, "read API key k"))
    assert result["msg"].startswith("Failed to read API key k: HTTP 404 API_KEY_NOT_FOUND: ")
    assert result["changed"] is False
    assert {name: result["error"][name] for name in ("status", "code", "method", "path")} == dict(
        status=404, code="API_KEY_NOT_FOUND", method="GET", path=MISSING_KEY_PATH)
    assert result["error"]["detail"] in result["msg"]


def test_get_missing_ok_still_fails_on_other_errors(on_sim):
    result = on_sim(lambda atlas: atlas.get(MISSING_KEY_PATH, "read API key k", missing_ok=True),
                    api_private_key=PRIVATE)
    assert "Atlas rejected the credentials" in result["msg"]
    assert PRIVATE not in json.dumps(result)


def test_list_all_fails_on_transport_errors(base):
    result = base.fails(dict(api_base_url="http://127.0.0.1:9", retries=0),
                        then=lambda atlas: atlas.list_all("/orgs/o/apiKeys", "list keys"))
    assert result["msg"].startswith("Failed to list keys: could not connect to http://127.0.0.1:9")
    assert "Check api_base_url" in result["msg"]


def test_list_all_follows_pages(sim, on_sim):
    sim.control("POST", "seed", {"api_keys": 498})  # with the 3 seeded keys: 501
    result = on_sim(lambda atlas: dict(count=len(atlas.list_all(ORG_PATH + "/apiKeys", "list keys"))))
    assert result["count"] == 501
    assert [(entry["query"]["itemsPerPage"], entry["query"]["pageNum"]) for entry in sim.log()
            if not entry["challenge"]] == [("500", "1"), ("500", "2")]


# --- writes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, body", [("POST", {"desc": "d", "roles": ["ORG_MEMBER"]}),
                                          ("PATCH", {"desc": "d"}), ("DELETE", None)])
def test_write_in_check_mode_sends_nothing(sim, on_sim, method, body):
    path = ORG_PATH + "/apiKeys" + ("" if method == "POST" else "/" + sim.module.READ_ONLY_KEY_ID)
    result = on_sim(lambda atlas: dict(answer=atlas.write(method, path, "do it", body=body)), check_mode=True)
    assert result["answer"] is None
    assert result["changed"] is True
    assert sim.log() == []


def test_write_post_carries_body(sim, on_sim):
    body = {"desc": "d", "roles": ["ORG_MEMBER"]}
    result = on_sim(lambda atlas: dict(answer=atlas.write("POST", ORG_PATH + "/apiKeys", "create", body=body,
                                                          reread=lambda: None)))
    assert result["answer"]["desc"] == "d" and result["answer"]["id"] in sim.view()
    assert sim.sent() == [("POST", ORG_PATH + "/apiKeys", body)]
    assert result["changed"] is True


def test_write_patch_and_delete(sim, on_sim):
    path = "%s/apiKeys/%s" % (ORG_PATH, sim.add_key("k", ["ORG_MEMBER"])["id"])

    def then(atlas):
        return dict(patched=atlas.write("PATCH", path, "update", body={"desc": "d"})["desc"],
                    deleted=atlas.write("DELETE", path, "delete"))

    result = on_sim(then)
    assert (result["patched"], result["deleted"]) == ("d", None)
    assert sim.sent() == [("PATCH", path, {"desc": "d"}), ("DELETE", path, None)]


def bad_roles(atlas, path):
    atlas.write("PATCH", path, "update API key k", body={"roles": ["ORG_NOBODY"]})


def test_write_refused_by_atlas_changed_nothing(sim, on_sim):
    path = "%s/apiKeys/%s" % (ORG_PATH, sim.module.READ_ONLY_KEY_ID)
    result = on_sim(lambda atlas: bad_roles(atlas, path))
    assert result["msg"].startswith("Failed to update API key k: HTTP 400 INVALID_ENUM_VALUE: Invalid role ORG_NOBODY")
    assert result["changed"] is False
    assert result["error"]["method"] == "PATCH"


def test_write_refused_after_an_earlier_write_keeps_changed(sim, on_sim):
    deleted = "%s/apiKeys/%s" % (ORG_PATH, sim.add_key("k", ["ORG_MEMBER"])["id"])
    refused = "%s/apiKeys/%s" % (ORG_PATH, sim.module.READ_ONLY_KEY_ID)

    def then(atlas):
        atlas.write("DELETE", deleted, "delete API key k")
        bad_roles(atlas, refused)

    result = on_sim(then)
    assert result["failed"] and result["changed"] is True


def test_delete_whose_first_answer_was_lost_is_done(sim, on_sim):
    """A retried DELETE that finds the object gone: the lost first attempt deleted it."""
    key = sim.add_key("k", ["ORG_MEMBER"])
    path = "%s/apiKeys/%s" % (ORG_PATH, key["id"])
    sim.control("POST", "faults", {"rules": [{"method": "DELETE", "path": "/apiKeys/", "kind": "drop", "when": "after"}]})
    result = on_sim(lambda atlas: dict(answer=atlas.write("DELETE", path, "delete API key k")))
    assert result["answer"] is None and result["changed"] is True
    assert [request[0] for request in sim.sent()] == ["DELETE", "DELETE"]
    assert key["id"] not in sim.view()


def test_delete_of_a_missing_object_on_the_first_attempt_fails(on_sim):
    result = on_sim(lambda atlas: atlas.write("DELETE", MISSING_KEY_PATH, "delete API key k"))
    assert result["msg"].startswith("Failed to delete API key k: HTTP 404 API_KEY_NOT_FOUND")
    assert result["changed"] is False


def test_write_with_unknown_outcome_reports_changed(sim, on_sim):
    sim.control("POST", "faults", {"rules": [{"method": "POST", "path": "/apiKeys$", "kind": "503"}]})
    result = on_sim(lambda atlas: atlas.write("POST", ORG_PATH + "/apiKeys", "create API key 'd'",
                                              body={"desc": "d", "roles": ["ORG_MEMBER"]}))
    assert result["msg"].startswith("Failed to create API key 'd': the outcome of POST %s/apiKeys is unknown" % ORG_PATH)
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


def test_exit_reports_changed_after_a_write(sim, on_sim):
    path = "%s/apiKeys/%s" % (ORG_PATH, sim.add_key("k", ["ORG_MEMBER"])["id"])
    assert on_sim(lambda atlas: atlas.write("DELETE", path, "delete") or {})["changed"] is True


def test_results_never_echo_connection_settings(base):
    result = base.run(then=diff_then(dict(api_key={})), diff=True)
    text = json.dumps(result)
    assert PRIVATE not in text and PUBLIC not in text and "cloud.mongodb.com" not in text


def test_fail_carries_details_and_changed(base):
    failure = base.fails(then=lambda atlas: atlas.fail("Nope.", matching_ids=["a", "b"]))
    assert failure == dict(msg="Nope.", failed=True, changed=False, matching_ids=["a", "b"])
