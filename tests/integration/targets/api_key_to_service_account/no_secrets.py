# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""no_secrets.py CONFIG OUTPUT...: fail when any output holds a secret value the simulator knows.

The secrets are every service account's secret values and every API key's private key in
/__sim/state, read here so that they never pass through the shell's trace. Findings name the
secret's owner and the file, never the value.
"""

from __future__ import annotations

import json
import sys
import urllib.request

import yaml


def main(config_path, outputs):
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
    migrated = [a for a in state["service_accounts"] if a["name"].startswith("migrate")]
    if not migrated:
        sys.exit("no_secrets.py: the runs left no migrated service account to look for")
    findings = []
    for path in outputs:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        findings += ["%s: %s" % (path, owner) for value, owner in secrets.items() if value and value in text]
    if findings:
        sys.exit("no_secrets.py: secrets in the output:\n  " + "\n  ".join(findings))
    print("no_secrets.py: %d secrets looked for in %d files, none found" % (len(secrets), len(outputs)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
