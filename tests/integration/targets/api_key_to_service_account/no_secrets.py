# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets of the simulator, kept out of the shell's trace.

    no_secrets.py snapshot CONFIG FILE          save the secrets the simulator holds now to FILE
    no_secrets.py check CONFIG SNAPSHOT OUTPUT...  fail when an output holds a secret the simulator
                                                 holds now or held in SNAPSHOT

The secrets are every service account's secret values and every API key's private key in
/__sim/state. Findings name the secret's owner and the file, never the value.
"""

from __future__ import annotations

import json
import sys
import urllib.request

import yaml


def read_secrets(config_path):
    """{secret value: its owner} for the simulator's state now, and whether a migrated account exists."""
    with open(config_path, encoding="utf-8") as handle:
        url = yaml.safe_load(handle)["atlas_sim_url"]
    with urllib.request.urlopen(url + "/__sim/state") as answer:
        state = json.load(answer)
    secrets = {}
    for account in state["service_accounts"]:
        for secret in account["secrets"]:
            secrets[secret["secret"]] = "a secret of service account %s" % account["clientId"]
    for key in state["api_keys"]:
        secrets[key["privateKey"]] = "the private key of API key %s" % key["publicKey"]
    migrated = any(account["name"].startswith("migrate") for account in state["service_accounts"])
    return secrets, migrated


def snapshot(config_path, path):
    secrets = read_secrets(config_path)[0]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(secrets, handle)


def check(config_path, snapshot_path, outputs):
    secrets, migrated = read_secrets(config_path)
    if not migrated:
        sys.exit("no_secrets.py: the runs left no migrated service account to look for")
    with open(snapshot_path, encoding="utf-8") as handle:
        secrets.update(json.load(handle))
    findings = []
    for path in outputs:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        findings += ["%s: %s" % (path, owner) for value, owner in secrets.items() if value and value in text]
    if findings:
        sys.exit("no_secrets.py: secrets in the output:\n  " + "\n  ".join(findings))
    print("no_secrets.py: %d secrets looked for in %d files, none found" % (len(secrets), len(outputs)))


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        snapshot(sys.argv[2], sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4:])
