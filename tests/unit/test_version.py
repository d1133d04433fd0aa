# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The version the client announces (User-Agent) is the version galaxy.yml releases."""

from __future__ import annotations

import os

import yaml

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_galaxy():
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        return yaml.safe_load(handle)


def test_collection_version_matches_galaxy_yml():
    assert client.COLLECTION_VERSION == str(load_galaxy()["version"])


def test_collection_name_matches_galaxy_yml():
    galaxy = load_galaxy()
    assert client.COLLECTION_NAME == "%s.%s" % (galaxy["namespace"], galaxy["name"])


def test_user_agent_carries_the_version():
    assert client.build_user_agent().startswith("mongodb_atlas.api_keys/%s" % client.COLLECTION_VERSION)
