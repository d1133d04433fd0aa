# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""meta/runtime.yml's action group `atlas` must list exactly the modules of plugins/modules/.

A module missing from the group silently ignores `module_defaults: group/mongodb_atlas.api_keys.atlas`
(its credentials are not set); a group entry without a module breaks the group for everyone.
"""

from __future__ import annotations

import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODULES_DIR = os.path.join(ROOT, "plugins", "modules")


def load_runtime():
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as handle:
        return yaml.safe_load(handle)


def module_names():
    return sorted(name[:-3] for name in os.listdir(MODULES_DIR)
                  if name.endswith(".py") and not name.startswith("_") and name != "__init__.py")


def test_there_are_modules():
    assert "atlas_org_api_key" in module_names()


def test_action_group_atlas_exists_and_is_a_plain_list():
    group = load_runtime()["action_groups"]["atlas"]
    assert isinstance(group, list)
    assert all(isinstance(entry, str) for entry in group), "metadata entries or FQCNs are not expected here"
    assert len(group) == len(set(group)), "duplicates in action group atlas"


def test_every_module_is_in_the_action_group():
    group = set(load_runtime()["action_groups"]["atlas"])
    missing = [name for name in module_names() if name not in group]
    assert not missing, "modules missing from action group atlas in meta/runtime.yml: %s" % ", ".join(missing)


def test_every_action_group_entry_is_a_module():
    modules = set(module_names())
    extra = [name for name in load_runtime()["action_groups"]["atlas"] if name not in modules]
    assert not extra, "action group atlas names modules that plugins/modules/ lacks: %s" % ", ".join(extra)


@pytest.mark.parametrize("name", module_names())
def test_module_docs_claim_the_action_group(name):
    """Each module's attributes say it belongs to the group (the doc fragment does that)."""
    with open(os.path.join(MODULES_DIR, name + ".py")) as handle:
        source = handle.read()
    assert "mongodb_atlas.api_keys.atlas.ATTRIBUTES" in source or "mongodb_atlas.api_keys.atlas.INFO_ATTRIBUTES" in source


def test_requires_ansible():
    assert load_runtime()["requires_ansible"].startswith(">=")
