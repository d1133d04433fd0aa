# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module run in the controller's process (plugin_utils/task_module.py, for the action plugin) gives the
result the same module gives when it runs as a module: the same checks of the options, messages, requests, warnings,
diff and masking of secrets. Each case runs both ways against the simulator, reset in between."""

from __future__ import annotations

import pytest

from ansible_collections.mongodb_atlas.api_keys.plugins.plugin_utils import task_module
from ansible_collections.mongodb_atlas.api_keys.tests.simulator import atlas_simulator as sim_module

ORG = sim_module.ORG_ID
ALPHA = sim_module.PROJECT_ALPHA_ID
READ_ONLY_KEY = sim_module.READ_ONLY_KEY_ID
COLLECTION = "mongodb_atlas.api_keys."

CASES = {
    "create in check mode, with diff": (
        "atlas_org_api_key", dict(org_id=ORG, description="ci", roles=["ORG_MEMBER"], access_list=["192.0.2.1"],
                                  project_roles=[dict(project_id=ALPHA, roles=["GROUP_READ_ONLY"])]), True, True),
    "a change of roles, without diff": (
        "atlas_org_api_key", dict(org_id=ORG, api_key_id=READ_ONLY_KEY, roles=["ORG_MEMBER"]), False, False),
    "a no-op": ("atlas_org_api_key", dict(org_id=ORG, api_key_id=READ_ONLY_KEY, roles=["ORG_READ_ONLY"]), False, True),
    "an info module": ("atlas_org_api_key_info", dict(org_id=ORG), False, False),
    "a warning (an empty access list)": (
        "atlas_api_key_accesslist", dict(org_id=ORG, api_key_id=READ_ONLY_KEY, entries=[], purge=True), True, True),
    "an unknown option": ("atlas_org_api_key", dict(org_id=ORG, description="ci", role=["ORG_MEMBER"]), False, True),
    "options that exclude each other": (
        "atlas_org_api_key", dict(org_id=ORG, api_key_id=READ_ONLY_KEY, public_key="simreadr"), False, True),
    "a wrong type": ("atlas_org_api_key", dict(org_id=ORG, description="ci", roles=["ORG_MEMBER"], timeout="soon"),
                     False, True),
    "a message of the collection": ("atlas_org_api_key", dict(org_id="not-an-id", description="ci"), False, True),
    "an error of Atlas": ("atlas_org_api_key_info", dict(org_id=ORG, api_private_key="wrong"), False, False),
    "a secret in a value that Atlas returns (masked)": (
        "atlas_org_api_key", dict(org_id=ORG, description=sim_module.ADMIN_PRIVATE_KEY, roles=["ORG_MEMBER"]),
        True, True),
}


def warning_texts(result):
    """The result with its warnings as text: a module on ansible-core 2.19+ sends them as structures that the
    controller turns back into warnings, an action plugin hands over text, which the controller takes as well."""
    texts = [warning if isinstance(warning, str) else warning["event"]["msg"] for warning in result.get("warnings", ())]
    return dict(result, warnings=texts) if texts else result


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_module_gives_the_same_result_in_the_controllers_process(sim, run_module, name):
    module, args, check_mode, diff = CASES[name]
    args = dict(sim.connection, **args)
    as_module = run_module(module, dict(args, _ansible_module_name=COLLECTION + module), check_mode=check_mode,
                           diff=diff)
    sent_as_module = sim.sent()
    sim.control("POST", "reset")
    in_process = task_module.run_module(COLLECTION + module, args, check_mode=check_mode, diff=diff,
                                        invocation="invocation" in as_module)
    assert warning_texts(in_process) == warning_texts(as_module)
    assert sim.sent() == sent_as_module
    assert sim.secrets_in(in_process) == []


def test_the_result_holds_the_options_only_when_asked(sim):
    args = dict(sim.connection, org_id=ORG)
    without = task_module.run_module(COLLECTION + "atlas_org_api_key_info", args, False, False, invocation=False)
    with_options = task_module.run_module(COLLECTION + "atlas_org_api_key_info", args, False, False, invocation=True)
    assert "invocation" not in without
    assert with_options.pop("invocation")["module_args"]["api_private_key"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert with_options == without


def test_a_secret_from_the_environment_is_masked_too(sim, monkeypatch):
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", sim_module.ADMIN_PUBLIC_KEY)
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", sim_module.ADMIN_PRIVATE_KEY)
    result = task_module.run_module(
        COLLECTION + "atlas_org_api_key", dict(api_base_url=sim.url, org_id=ORG, roles=["ORG_MEMBER"],
                                               description="key %s" % sim_module.ADMIN_PRIVATE_KEY),
        check_mode=True, diff=True, invocation=True)
    assert result["changed"] and sim.writes() == []
    assert result["api_key"]["description"] == "key ********"
    assert sim.secrets_in(result) == []


def test_the_module_base_is_left_as_it_was(sim):
    before = task_module.AtlasModule.ansible_module_class
    task_module.run_module(COLLECTION + "atlas_org_api_key_info", dict(sim.connection, org_id="bad"), False, False,
                           invocation=False)
    assert task_module.AtlasModule.ansible_module_class is before
