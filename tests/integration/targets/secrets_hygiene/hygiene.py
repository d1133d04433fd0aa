# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of runme.sh that handle secrets, so that none of them passes through the shell's trace.

    hygiene.py control CONFIG METHOD PATH [JSON]   call the simulator's control API
    hygiene.py snapshot CONFIG FILE                 save /__sim/state (clear private keys) to FILE
    hygiene.py vars CONFIG FILE                     write the extra vars of the playbooks (secrets)
    hygiene.py env CONFIG VARS KIND FILE            write a shell file exporting credentials of KIND
                                                    (digest, client_credentials, access_token, wrong)
    hygiene.py check CONFIG VARS --state F... --expect NAME=N... OUTPUT...

``check`` looks for every secret the runs knew in every output file (stdout+stderr of
ansible-playbook and its ANSIBLE_LOG_PATH file): the admin private key, the clear private key of
every key the snapshots hold and its masked form, the service account's client secret, the wrong
credentials and tokens of the vars file, any simulator access token (``simtok_...``), and any trace
of an Authorization header or a digest response. A task whose name ends with ``(shows the new
private key)`` must show the private key of the key it created, exactly once in the file, in its
own result as ``api_key.private_key``; every other secret must not occur at all. No secret is
printed: findings name the secret, not its value.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import shlex
import sys
import urllib.request
import uuid

import yaml

MARKER = "(shows the new private key)"
TASK_LINE = re.compile(r"^(?:[^\n]*?\| ?)?TASK \[(?P<name>.*)\] \*+$", re.M)
RESULT_START = re.compile(r"^(?:[^\n]*?\| ?)?(?:changed|ok): \[[^\]]+\] => ", re.M)
TOKEN = re.compile(r"simtok_[0-9a-f]{16,}")
# Header names and digest fields that must never reach a message, case-insensitive.
FORBIDDEN = ("authorization", "digest username", "response=", "www-authenticate", "bearer ", "basic ")


def load_config(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def control(config, method, path, body=None):
    data = None
    headers = {}
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif method in ("POST", "PUT"):
        data = b""
    request = urllib.request.Request(config["atlas_sim_url"] + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as answer:
        text = answer.read().decode()
    return json.loads(text) if text else {}


def fetch_token(config, client_id, client_secret):
    basic = base64.b64encode(("%s:%s" % (client_id, client_secret)).encode()).decode()
    request = urllib.request.Request(config["atlas_sim_url"] + "/api/oauth/token", method="POST",
                                     data=b"grant_type=client_credentials",
                                     headers={"Authorization": "Basic " + basic,
                                              "Content-Type": "application/x-www-form-urlencoded",
                                              "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read().decode())["access_token"]


def write_vars(config, path):
    state = control(config, "GET", "/__sim/state")
    read_only = next(key for key in state["api_keys"] if key["publicKey"] == "simreadr")
    account = state["service_accounts"][0]
    values = {
        "secrets_read_only_public_key": read_only["publicKey"],
        "secrets_read_only_private_key": read_only["privateKey"],
        "secrets_client_id": account["clientId"],
        "secrets_client_secret": account["clientSecret"],
        # Fresh for every run, so that nothing else can hold them by chance.
        "secrets_wrong_private_key": str(uuid.uuid4()),
        "secrets_wrong_client_secret": "mdb_sa_sk_WRONG-" + uuid.uuid4().hex,
        "secrets_bogus_token": "simtok_" + uuid.uuid4().hex + uuid.uuid4().hex[:16],
    }
    with open(path, "w") as handle:
        yaml.safe_dump(values, handle)


def write_env(config, vars_path, kind, path):
    values = load_config(vars_path)
    exports = {"MONGODB_ATLAS_BASE_URL": config["atlas_sim_url"]}
    if kind == "digest":
        exports.update(MONGODB_ATLAS_PUBLIC_API_KEY=config["atlas_admin_public_key"],
                       MONGODB_ATLAS_PRIVATE_API_KEY=config["atlas_admin_private_key"])
    elif kind == "wrong":
        exports.update(MONGODB_ATLAS_PUBLIC_API_KEY=config["atlas_admin_public_key"],
                       MONGODB_ATLAS_PRIVATE_API_KEY=values["secrets_wrong_private_key"])
    elif kind == "client_credentials":
        exports.update(MONGODB_ATLAS_CLIENT_ID=values["secrets_client_id"],
                       MONGODB_ATLAS_CLIENT_SECRET=values["secrets_client_secret"])
    elif kind == "access_token":
        exports.update(MONGODB_ATLAS_ACCESS_TOKEN=fetch_token(config, values["secrets_client_id"],
                                                              values["secrets_client_secret"]))
    else:
        raise SystemExit("unknown kind %s" % kind)
    with open(path, "w") as handle:
        for name, value in sorted(exports.items()):
            handle.write("export %s=%s\n" % (name, shlex.quote(value)))


# ---------------------------------------------------------------------------------------- check


def task_sections(text):
    """[(task name or None, start, end)] covering the whole text."""
    marks = [(m.group("name"), m.start()) for m in TASK_LINE.finditer(text)]
    sections, start, name = [], 0, None
    for next_name, next_start in marks:
        sections.append((name, start, next_start))
        name, start = next_name, next_start
    sections.append((name, start, len(text)))
    return sections


def shown_key(text, start, end):
    """The api_key of the task result printed in text[start:end], or None."""
    match = RESULT_START.search(text, start, end)
    if not match:
        return None
    brace = text.index("{", match.end() - 1)
    try:
        result = json.JSONDecoder().raw_decode(text, brace)[0]
    except ValueError:
        return None
    return result.get("api_key") if isinstance(result, dict) else None


def collect_secrets(config, values, snapshots):
    """[(label, value)] of every secret; keys maps a key id to its clear private key."""
    secrets = [("the admin private key (api_private_key)", config["atlas_admin_private_key"])]
    for name, value in sorted(values.items()):
        if name.endswith(("private_key", "secret", "token")):
            secrets.append((name, value))
    keys = {}
    for snapshot in snapshots:
        for key in snapshot["api_keys"]:
            keys[key["id"]] = key
        for account in snapshot.get("service_accounts", []):
            secrets.append(("the client secret of %s" % account["clientId"], account["clientSecret"]))
            for secret in account.get("secrets", []):
                secrets.append(("secret %s of %s" % (secret["id"], account["clientId"]), secret.get("secret")))
    unique = {}
    for label, value in secrets:
        unique.setdefault(value, label)
    return [(label, value) for value, label in unique.items()], keys


def check_file(path, secrets, keys, expected_shown):
    problems = []
    with open(path, errors="replace") as handle:
        text = handle.read()
    lowered = text.lower()
    sections = task_sections(text)

    allowed = {}  # private key -> (task name, start, end)
    shown = 0
    for name, start, end in sections:
        if not name or not name.endswith(MARKER):
            continue
        shown += 1
        api_key = shown_key(text, start, end)
        if not api_key or not api_key.get("private_key"):
            problems.append("task '%s' shows no api_key.private_key in its result" % name)
            continue
        key = keys.get(api_key.get("id"))
        if key is None:
            problems.append("task '%s' created key %s, which no state snapshot holds" % (name, api_key.get("id")))
        elif key["privateKey"] != api_key["private_key"]:
            problems.append("task '%s' shows a private key that is not the one Atlas holds for key %s"
                            % (name, api_key.get("id")))
        allowed[api_key["private_key"]] = (name, start, end)
    if expected_shown is not None and shown != expected_shown:
        problems.append("%d tasks marked %r ran, expected %d" % (shown, MARKER, expected_shown))

    everything = list(secrets)
    for key in keys.values():
        label = "the private key of key %s ('%s')" % (key["id"], key["desc"])
        everything.append((label, key["privateKey"]))
        masked = "********-****-****-" + key["privateKey"][-12:]
        if masked in text:
            problems.append("the masked form of %s occurs" % label)
        tail, clear = text.count(key["privateKey"][-12:]), text.count(key["privateKey"])
        if tail != clear:
            problems.append("the last 12 characters of %s occur %d times outside the key itself" % (label, tail - clear))

    for label, value in everything:
        if not value:
            continue
        positions = [m.start() for m in re.finditer(re.escape(value), text)]
        if value in allowed:
            name, start, end = allowed[value]
            if len(positions) != 1:
                problems.append("%s occurs %d times; only once, in the result of task '%s', is allowed"
                                % (label, len(positions), name))
            elif not start <= positions[0] < end:
                problems.append("%s occurs outside the result of task '%s'" % (label, name))
        elif positions:
            where = [section[0] for section in sections for p in positions if section[1] <= p < section[2]]
            problems.append("%s occurs %d times (tasks: %s)" % (label, len(positions), sorted(set(map(str, where)))))

    for match in TOKEN.finditer(text):
        name = next((s[0] for s in sections if s[1] <= match.start() < s[2]), None)
        problems.append("an access token occurs (task '%s')" % name)
    for word in FORBIDDEN:
        index = lowered.find(word)
        if index >= 0:
            name = next((s[0] for s in sections if s[1] <= index < s[2]), None)
            problems.append("%r occurs (task '%s')" % (word, name))
    return shown, problems


def check(args):
    config = load_config(args.config)
    values = load_config(args.vars)
    snapshots = []
    for path in args.state:
        with open(path) as handle:
            snapshots.append(json.load(handle))
    secrets, keys = collect_secrets(config, values, snapshots)
    for description in args.require_desc:
        if not any(key["desc"] == description for key in keys.values()):
            print("FAIL: no state snapshot holds a key described '%s': the run did not create it" % description)
            return 1
    expected = dict(item.split("=", 1) for item in args.expect)
    failed = False
    for path in args.outputs:
        base = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        want = int(expected[base]) if base in expected else None
        shown, problems = check_file(path, secrets, keys, want)
        status = "FAIL" if problems else "ok"
        print("%s: %s: %d secrets and %d key private keys looked for, %d shown where allowed"
              % (status, path.rsplit("/", 1)[-1], len(secrets), len(keys), shown))
        for problem in problems:
            print("    " + problem)
        failed = failed or bool(problems)
    return 1 if failed else 0


def main(argv=None):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("control")
    p.add_argument("config")
    p.add_argument("method")
    p.add_argument("path")
    p.add_argument("body", nargs="?")
    p = sub.add_parser("snapshot")
    p.add_argument("config")
    p.add_argument("file")
    p = sub.add_parser("vars")
    p.add_argument("config")
    p.add_argument("file")
    p = sub.add_parser("env")
    p.add_argument("config")
    p.add_argument("vars")
    p.add_argument("kind")
    p.add_argument("file")
    p = sub.add_parser("check")
    p.add_argument("config")
    p.add_argument("vars")
    p.add_argument("--state", action="append", default=[])
    p.add_argument("--expect", action="append", default=[], help="NAME=N: the run NAME shows N new private keys")
    p.add_argument("--require-desc", action="append", default=[])
    p.add_argument("outputs", nargs="+")
    args = parser.parse_args(argv)

    if args.command == "check":
        return check(args)
    config = load_config(args.config)
    if args.command == "control":
        answer = control(config, args.method, args.path, args.body)
        if args.path != "/__sim/state":
            print(json.dumps(answer))
    elif args.command == "snapshot":
        with open(args.file, "w") as handle:
            json.dump(control(config, "GET", "/__sim/state"), handle)
    elif args.command == "vars":
        write_vars(config, args.file)
    elif args.command == "env":
        write_env(config, args.vars, args.kind, args.file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
