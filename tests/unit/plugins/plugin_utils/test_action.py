# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugin of the modules runs a module in the controller's process only where that gives what the
module would: on the controller's local connection, without become, async or the environment keyword, with
requests at hand."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.mongodb_atlas.api_keys.plugins.plugin_utils import action


def action_plugin(transport="local", become=False, async_val=0, environment=None):
    task = SimpleNamespace(async_val=async_val, environment=environment)
    return action.AtlasActionModule(task=task, connection=SimpleNamespace(transport=transport),
                                    play_context=SimpleNamespace(become=become), loader=None, templar=None,
                                    shared_loader_obj=None)


@pytest.mark.parametrize("settings", [{}, {"environment": [{}]}, {"environment": []}])
def test_a_task_on_the_controller_runs_in_its_process(settings):
    assert action_plugin(**settings)._reason_to_run_as_module() is None  # pylint: disable=protected-access


@pytest.mark.parametrize("settings, reason", [
    ({"transport": "ssh"}, "another host or connection"),
    ({"transport": "ansible.netcommon.network_cli"}, "another host or connection"),
    ({"become": True}, "become"),
    ({"async_val": 30}, "async"),
    ({"environment": [{}, {"HTTPS_PROXY": "http://proxy:3128"}]}, "environment keyword"),
    ({"environment": ["{{ atlas_environment }}"]}, "environment keyword"),
])
def test_other_tasks_run_as_modules(settings, reason):
    assert reason in action_plugin(**settings)._reason_to_run_as_module()  # pylint: disable=protected-access


def test_without_requests_on_the_controller_the_module_runs(monkeypatch):
    monkeypatch.setattr(action, "HAS_REQUESTS", False)
    assert "requests" in action_plugin()._reason_to_run_as_module()  # pylint: disable=protected-access
