# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the simulator's own tests share: the session's simulator as ``server`` (the fixture ``sim`` of
tests/unit/conftest.py, reset to its seed for each test), ``control()`` for its control API, and ``admin``,
``reader`` and ``project_owner``: the test module's own ``Client`` class signed in with each seeded key."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.mongodb_atlas.api_keys.tests.simulator import atlas_simulator as sim


@pytest.fixture(autouse=True)
def server(request):
    """The session's simulator (the fixture ``sim`` of tests/unit/conftest.py), reset to its seed."""
    return request.getfixturevalue("sim").server


def control(server, method, name, body=None, status=200):  # pylint: disable=redefined-outer-name
    """A call of the control API (/__sim/NAME) that must answer ``status``; its JSON answer."""
    response = requests.request(method, server.url + "/__sim/" + name, json=body, timeout=5)
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def admin(request, server):  # pylint: disable=redefined-outer-name
    return request.module.Client(server.url, sim.ADMIN_PUBLIC_KEY, sim.ADMIN_PRIVATE_KEY)


@pytest.fixture
def reader(request, server):  # pylint: disable=redefined-outer-name
    return request.module.Client(server.url, sim.READ_ONLY_PUBLIC_KEY, sim.READ_ONLY_PRIVATE_KEY)


@pytest.fixture
def project_owner(request, server):  # pylint: disable=redefined-outer-name
    return request.module.Client(server.url, sim.PROJECT_OWNER_PUBLIC_KEY, sim.PROJECT_OWNER_PRIVATE_KEY)
