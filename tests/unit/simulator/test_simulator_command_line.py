# -*- coding: utf-8 -*-
"""The simulator as users start it: ``python -m ansible_collections.mongodb_atlas.api_keys.tests.simulator``.

Each test starts the entry point as a subprocess, reads its start-up lines (the URL line first, the lines end
with an empty line) and uses what they print against the URL they print."""
from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

import requests
from requests.auth import HTTPDigestAuth

ENTRY_POINT = "ansible_collections.mongodb_atlas.api_keys.tests.simulator"
COLLECTIONS_ROOT = Path(__file__).parents[6]  # the directory that holds ansible_collections/
V2 = "application/vnd.atlas.2023-01-01+json"
DEFAULT_ORG_ID = "65a1b2c3d4e5f6a7b8c9d0e1"
DEFAULT_PROJECT_IDS = ["65a1b2c3d4e5f6a7b8c9d0f1", "65a1b2c3d4e5f6a7b8c9d0f2"]
USER_ORG_ID = "5f4e3d2c1b0a998877665544"
USER_PROJECT_IDS = ["6570a1b2c3d4e5f6a7b8c9ff", "6570a1b2c3d4e5f6a7b8c9fe", "6570a1b2c3d4e5f6a7b8c9fd"]


def command(*args):
    assert (COLLECTIONS_ROOT / "ansible_collections" / "mongodb_atlas" / "api_keys" / "tests" / "simulator").is_dir()
    return [sys.executable, "-m", ENTRY_POINT] + list(args)


def environment():
    env = dict(os.environ, PYTHONPATH=str(COLLECTIONS_ROOT))
    env.pop("PYTHONSTARTUP", None)
    return env


@contextlib.contextmanager
def running(*args):
    """The simulator started with args: yields (start-up lines, the exported variables); stops it afterwards."""
    process = subprocess.Popen(command("--port", "0", *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=environment())
    watchdog = threading.Timer(60, process.kill)  # a simulator that never finishes starting fails the test, not hangs it
    watchdog.start()
    try:
        lines = []
        for line in process.stdout:
            if line == "\n":
                break
            lines.append(line.rstrip("\n"))
        else:
            raise AssertionError("the simulator exited before its start-up lines ended: %r %s"
                                 % (lines, process.stderr.read()))
        exports = dict(shlex.split(line[len("export "):])[0].split("=", 1) for line in lines if line.startswith("export "))
        yield lines, exports
    finally:
        watchdog.cancel()
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        process.stdout.close()
        process.stderr.close()


def api(exports, path):
    """GET an Atlas API path with the printed key pair, against the printed URL."""
    return requests.get(exports["MONGODB_ATLAS_BASE_URL"] + "/api/atlas/v2" + path, headers={"Accept": V2}, timeout=10,
                        auth=HTTPDigestAuth(exports["MONGODB_ATLAS_PUBLIC_API_KEY"], exports["MONGODB_ATLAS_PRIVATE_API_KEY"]))


def control(exports, method, name):
    answer = requests.request(method, exports["MONGODB_ATLAS_BASE_URL"] + "/__sim/" + name, timeout=10)
    answer.raise_for_status()
    return answer.json()


def test_help_lists_every_option():
    result = subprocess.run(command("--help"), capture_output=True, text=True, env=environment(), timeout=60, check=True)
    assert result.stdout.startswith("usage: python -m %s" % ENTRY_POINT)
    for option in ("--host", "--port", "--org-id", "--project-id", "--url-file", "--tls-cert", "--tls-key",
                   "--nonce-ttl", "--verbose"):
        assert "\n  %s " % option in result.stdout, option


def test_start_up_lines_give_a_url_and_credentials_that_work():
    with running() as (lines, exports):
        url = exports["MONGODB_ATLAS_BASE_URL"]
        assert lines[0] == "ATLAS_SIMULATOR_URL=%s" % url  # tools read the first line
        assert url.startswith("http://127.0.0.1:")
        assert exports["MONGODB_ATLAS_ORG_ID"] == DEFAULT_ORG_ID
        assert exports["MONGODB_ATLAS_PROJECT_ID"] == DEFAULT_PROJECT_IDS[0]
        assert all(any(project_id in line for line in lines if line.startswith("#")) for project_id in DEFAULT_PROJECT_IDS)
        keys = api(exports, "/orgs/%s/apiKeys" % DEFAULT_ORG_ID)
        assert keys.status_code == 200, keys.text
        assert exports["MONGODB_ATLAS_PUBLIC_API_KEY"] in [key["publicKey"] for key in keys.json()["results"]]
        assert api(exports, "/groups/%s/apiKeys" % DEFAULT_PROJECT_IDS[1]).status_code == 200


def test_org_id_and_project_ids_seed_the_users_ids_and_survive_a_reset():
    args = ["--org-id", USER_ORG_ID]
    for project_id in USER_PROJECT_IDS:
        args += ["--project-id", project_id]
    with running(*args) as (lines, exports):
        assert exports["MONGODB_ATLAS_ORG_ID"] == USER_ORG_ID
        assert exports["MONGODB_ATLAS_PROJECT_ID"] == USER_PROJECT_IDS[0]
        assert any(line.startswith("#") and all(p in line for p in USER_PROJECT_IDS) for line in lines), lines
        for _attempt in ("as started", "after a reset"):
            assert api(exports, "/orgs/%s/apiKeys" % USER_ORG_ID).status_code == 200
            for project_id in USER_PROJECT_IDS:
                assert api(exports, "/groups/%s/apiKeys" % project_id).status_code == 200, project_id
            assert api(exports, "/orgs/%s/apiKeys" % DEFAULT_ORG_ID).status_code == 404
            assert api(exports, "/groups/%s/apiKeys" % DEFAULT_PROJECT_IDS[0]).status_code == 404
            state = control(exports, "GET", "state")
            assert sorted(p["id"] for p in state["projects"] if p["orgId"] == USER_ORG_ID) == sorted(USER_PROJECT_IDS)
            control(exports, "POST", "reset")


def test_an_id_atlas_would_refuse_is_refused_naming_the_option():
    for args, option, value in ((["--org-id", "5F4E3D2C1B0A998877665544"], "--org-id", "5F4E3D2C1B0A998877665544"),
                                (["--project-id", "6570a1b2c3d4", "--project-id", "6570a1b2c3d4"], "--project-id", "6570a1b2c3d4"),
                                (["--project-id", USER_PROJECT_IDS[0], "--project-id", USER_PROJECT_IDS[0]], "--project-id",
                                 USER_PROJECT_IDS[0])):
        result = subprocess.run(command(*args), capture_output=True, text=True, env=environment(), timeout=60, check=False)
        assert result.returncode == 2, result
        assert "error: %s: " % option in result.stderr and "'%s'" % value in result.stderr, result.stderr
        assert result.stdout == ""
