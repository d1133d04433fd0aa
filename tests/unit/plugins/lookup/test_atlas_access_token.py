# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the atlas_access_token lookup, against the Atlas simulator started in-process:
options and their environment variables, one token request per call, retries on 429, errors that
name the options and never the secret, and documentation that parses."""

from __future__ import annotations


import pytest
import requests
import yaml

# Importing controller code (ansible.constants, a lookup plugin) marks the whole process as the
# controller (ansible-core >= 2.19), and module code then reports warnings to the controller's
# display instead of in the module result. pytest imports every test file of a run into the same
# processes, so the flag is put back after these imports and set only while a test here runs.
try:
    from ansible.module_utils import _internal as module_utils_internal
except ImportError:  # ansible-core 2.18
    module_utils_internal = None
IS_CONTROLLER = getattr(module_utils_internal, "is_controller", None)

from ansible import constants as C  # noqa: E402 pylint: disable=wrong-import-position
from ansible.errors import AnsibleLookupError  # noqa: E402 pylint: disable=wrong-import-position
from ansible.plugins.loader import fragment_loader  # noqa: E402 pylint: disable=wrong-import-position
from ansible.utils.plugin_docs import get_docstring  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.mongodb_atlas.api_keys.plugins.lookup import atlas_access_token  # noqa: E402 pylint: disable=wrong-import-position
from ansible_collections.mongodb_atlas.api_keys.tests.simulator import atlas_simulator  # noqa: E402 pylint: disable=wrong-import-position

if IS_CONTROLLER is not None:
    module_utils_internal.is_controller = IS_CONTROLLER

NAME = "mongodb_atlas.api_keys.atlas_access_token"
ENV_VARS = ("MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_CLIENT_SECRET", "MONGODB_ATLAS_BASE_URL")
# The documentation as Ansible reads it: the options come from the connection doc fragment.
DOC = get_docstring(atlas_access_token.__file__, fragment_loader, collection_name="mongodb_atlas.api_keys")[0]


@pytest.fixture(autouse=True)
def as_the_controller(monkeypatch):
    if IS_CONTROLLER is not None:
        monkeypatch.setattr(module_utils_internal, "is_controller", True)  # undone after the test


def lookup(**kwargs):
    """Run the lookup as Ansible would: its option definitions come from its DOCUMENTATION."""
    C.config.initialize_plugin_configuration_definitions("lookup", NAME, DOC["options"])
    plugin = atlas_access_token.LookupModule()
    plugin._load_name = NAME
    terms = kwargs.pop("_terms", [])
    return plugin.run(terms, variables={}, **kwargs)


def token_requests(sim):
    log = requests.get(sim.url + "/__sim/log", timeout=5).json()["requests"]
    return [e for e in log if e["path"] == "/api/oauth/token"]


def bearer_status(sim, token):
    return requests.get(sim.url + "/api/atlas/v2/orgs/%s/apiKeys" % atlas_simulator.ORG_ID, timeout=5,
                        headers={"Authorization": "Bearer " + token, "Accept": atlas_simulator.V2_MEDIA_TYPE}).status_code


def test_documentation_options_and_env_vars():
    options = DOC["options"]
    assert sorted(options) == ["api_base_url", "client_id", "client_secret", "retries", "timeout", "validate_certs"]
    assert options["client_id"]["env"] == [{"name": "MONGODB_ATLAS_CLIENT_ID"}]
    assert options["client_secret"]["env"] == [{"name": "MONGODB_ATLAS_CLIENT_SECRET"}]
    assert options["api_base_url"]["env"] == [{"name": "MONGODB_ATLAS_BASE_URL"}]
    assert (options["timeout"]["default"], options["retries"]["default"], options["validate_certs"]["default"]) == (30, 4, True)
    assert all(isinstance(text, str) for text in DOC["description"] + DOC["notes"])
    text = " ".join(DOC["description"])
    assert "expires_in" in text and "3600" in text and "no_log: true" in text
    yaml.safe_load(atlas_access_token.EXAMPLES)
    assert yaml.safe_load(atlas_access_token.RETURN)["_raw"]["elements"] == "str"


def test_returns_one_token_that_atlas_accepts(sim):
    result = lookup(client_id=atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID, client_secret=atlas_simulator.SERVICE_ACCOUNT_CLIENT_SECRET,
                    api_base_url=sim.url)
    assert isinstance(result, list) and len(result) == 1 and result[0].startswith("simtok_")
    assert bearer_status(sim, result[0]) == 200
    [entry] = token_requests(sim)
    assert (entry["method"], entry["status"], entry["principal"]) == ("POST", 200, atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID)


def test_options_come_from_the_environment(sim, monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_ID", atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID)
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_SECRET", atlas_simulator.SERVICE_ACCOUNT_CLIENT_SECRET)
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", sim.url)
    [token] = lookup()
    assert bearer_status(sim, token) == 200


def test_keyword_arguments_win_over_the_environment(sim, monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_ID", "mdb_sa_id_from_the_environment")
    monkeypatch.setenv("MONGODB_ATLAS_CLIENT_SECRET", "mdb_sa_sk_from_the_environment")
    monkeypatch.setenv("MONGODB_ATLAS_BASE_URL", "http://127.0.0.1:9")
    lookup(client_id=atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID, client_secret=atlas_simulator.SERVICE_ACCOUNT_CLIENT_SECRET,
           api_base_url=sim.url)
    assert [e["principal"] for e in token_requests(sim)] == [atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID]


def test_wrong_secret_names_the_options_never_the_secret(sim):
    with pytest.raises(AnsibleLookupError) as err:
        lookup(client_id=atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID, client_secret="mdb_sa_sk_wrong-d0-n0t-l3ak",
               api_base_url=sim.url)
    message = str(err.value)
    assert message.startswith("Failed to obtain an Atlas access token: could not obtain an access token from "
                              "%s/api/oauth/token: HTTP 401 invalid_client" % sim.url)
    assert "client_id" in message and "MONGODB_ATLAS_CLIENT_SECRET" in message
    assert "wrong-d0-n0t-l3ak" not in message
    assert len(token_requests(sim)) == 1


def test_rate_limit_is_retried_after_retry_after(sim):
    requests.post(sim.url + "/__sim/config", json={"token_rate_limit": 1, "token_rate_window": 1},
                  timeout=5).raise_for_status()
    args = dict(client_id=atlas_simulator.SERVICE_ACCOUNT_CLIENT_ID, client_secret=atlas_simulator.SERVICE_ACCOUNT_CLIENT_SECRET,
                api_base_url=sim.url)
    lookup(**args)
    [token] = lookup(**args)  # 429 with Retry-After: 1, then a token
    assert bearer_status(sim, token) == 200
    assert [e["status"] for e in token_requests(sim)] == [200, 429, 200]
    with pytest.raises(AnsibleLookupError) as err:
        lookup(retries=0, **args)
    assert "HTTP 429 RATE_LIMITED" in str(err.value) and "atlas_access_token lookup" in str(err.value)


@pytest.mark.parametrize("kwargs, words", [
    (dict(client_secret="mdb_sa_sk_only-d0-n0t-l3ak"), "not set: client_id."),
    (dict(client_id="mdb_sa_id_only"), "not set: client_secret."),
    ({}, "not set: client_id and client_secret."),
    (dict(client_id="  ", client_secret="mdb_sa_sk_only-d0-n0t-l3ak"), "not set: client_id."),
])
def test_missing_credentials(kwargs, words, sim):
    with pytest.raises(AnsibleLookupError) as err:
        lookup(api_base_url=sim.url, **kwargs)
    message = str(err.value)
    assert words in message and "MONGODB_ATLAS_CLIENT_ID" in message and "MONGODB_ATLAS_CLIENT_SECRET" in message
    assert "d0-n0t-l3ak" not in message
    assert token_requests(sim) == []


@pytest.mark.parametrize("kwargs, words", [
    (dict(api_base_url="https://user:hunter2-d0-n0t-l3ak@cloud.mongodb.com"), "must not hold credentials"),
    (dict(api_base_url="https://cloud.mongodb.com/api/atlas/v2"), "drop '/api/atlas/v2'"),
    (dict(api_base_url="https://cloud.mongodb.com/?region=eu"), "drop '?region=eu'"),
    (dict(api_base_url="ftp://cloud.mongodb.com"), "api_base_url must be an http"),
    (dict(timeout=0), "timeout must be a positive number of seconds; got 0."),
    (dict(retries=-1), "retries must be 0 or more; got -1."),
    (dict(_terms=["something"]), "takes no terms"),
])
def test_bad_input_fails_before_any_request(kwargs, words, sim):
    with pytest.raises(AnsibleLookupError) as err:
        lookup(client_id="mdb_sa_id_x", client_secret="mdb_sa_sk_x", **kwargs)
    assert words in str(err.value) and "hunter2" not in str(err.value)
    assert token_requests(sim) == []


def test_connection_refused():
    with pytest.raises(AnsibleLookupError) as err:
        lookup(client_id="mdb_sa_id_x", client_secret="mdb_sa_sk_secret-d0-n0t-l3ak", api_base_url="http://127.0.0.1:9",
               retries=0)
    assert "could not connect to http://127.0.0.1:9" in str(err.value) and "d0-n0t-l3ak" not in str(err.value)
