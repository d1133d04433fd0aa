# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""System tests: the modules run in-process against the Atlas simulator, through the real client.

Run from a tree at ``.../ansible_collections/mongodb_atlas/api_keys`` (``nox -e system-2.21`` does)::

    python -m pytest tests/system -q -p no:cacheprovider

Fixtures and helpers: ``sim`` (the simulator in-process, reset before every test) and ``run_module`` (one
module run, its result as Ansible reads it) are those of the unit tests, from tests/unit/conftest.py; and here:

* ``scaled_sleep``: every module run's client sleeps a tenth of the backoff it decides on (the decisions are
  under test, not the waiting); the delays asked for are recorded.
"""

from __future__ import annotations

import os
import sys
import time

import pytest

_COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_COLLECTIONS_DIR = os.path.dirname(os.path.dirname(_COLLECTION_ROOT))
if os.path.basename(_COLLECTIONS_DIR) == "ansible_collections" and os.path.dirname(_COLLECTIONS_DIR) not in sys.path:
    sys.path.insert(0, os.path.dirname(_COLLECTIONS_DIR))

# The simulator, the module runner and the credential clean-up are the unit tests' (tests/unit/conftest.py).
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils import module_base  # noqa: E402  (after the path is set up)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import AtlasClient  # noqa: E402
from ansible_collections.mongodb_atlas.api_keys.tests.unit.conftest import (  # noqa: E402 F401  pylint: disable=unused-import
    SEEDED_SECRETS, Simulator, _no_credentials_from_the_shell, _run_module_fixture, key_view, run_module, sim, sim_server)

SLEEP_SCALE = 0.1

#: One-line figures tests want in the CI log (printed at the end of the session, also under -q).
SUMMARY_LINES = []


class SleepRecorder:
    """The client's sleep: records the delay asked for, sleeps ``scale`` of it."""

    def __init__(self, scale):
        self.scale = scale
        self.asked = []
        self.slept = 0.0

    def __call__(self, seconds):
        self.asked.append(seconds)
        started = time.monotonic()
        time.sleep(seconds * self.scale)
        self.slept += time.monotonic() - started


@pytest.fixture
def scaled_sleep(monkeypatch):
    """Every AtlasClient a module builds sleeps SLEEP_SCALE of the backoff its retry logic chose."""
    recorder = SleepRecorder(SLEEP_SCALE)

    class ScaledSleepClient(AtlasClient):
        def __init__(self, *args, **kwargs):
            kwargs["sleep"] = recorder
            super(ScaledSleepClient, self).__init__(*args, **kwargs)

    monkeypatch.setattr(module_base, "AtlasClient", ScaledSleepClient)
    return recorder


@pytest.fixture
def summary_lines():
    """Append a line here to have it printed at the end of the run (the CI log shows it under -q too)."""
    return SUMMARY_LINES


def pytest_terminal_summary(terminalreporter):
    for line in SUMMARY_LINES:
        terminalreporter.write_line(line)
