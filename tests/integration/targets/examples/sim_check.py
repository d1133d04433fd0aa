# -*- coding: utf-8 -*-
"""Checks runme.sh makes against an Atlas simulator (its control API needs no credentials).

    sim_check.py clear-log URL                    forget the requests logged so far
    sim_check.py no-writes URL                    fail unless requests were logged and none was a write
    sim_check.py quick-start README OUT           write the README's quick-start playbook to OUT; print its org_id
                                                  and project_id
    sim_check.py key URL DESCRIPTION [--absent] [--private-key-file F] [--credentials F] [--project ID]
                                                  the key with that description exists once (or not at all), with
                                                  the two access-list entries of the examples, GROUP_READ_ONLY in
                                                  --project, and the private key stored in F (mode 0600)
"""
from __future__ import annotations

import argparse
import json
import os
import re
import stat
import sys
import urllib.request

import yaml

# The control API is on 127.0.0.1: never send it through a proxy from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
EXAMPLE_ACCESS_LIST = ["198.51.100.7/32", "203.0.113.0/24"]


def control(url, path, method="GET"):
    with OPENER.open(urllib.request.Request(url + "/__sim/" + path, method=method), timeout=30) as answer:
        return json.load(answer)


def no_writes(url):
    requests = control(url, "log")["requests"]
    if not requests:
        sys.exit("no request reached the simulator: the check-mode run did not read Atlas")
    writes = ["%s %s" % (entry["method"], entry["path"]) for entry in requests if entry["write"]]
    if writes:
        sys.exit("check mode sent %d write(s): %s" % (len(writes), ", ".join(writes)))
    print("check mode: %d requests, no write" % len(requests))


def quick_start(readme, out):
    with open(readme, encoding="utf-8") as handle:
        section = handle.read().split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    playbook = re.search(r"```yaml\n(- name: .*?)```", section, re.S).group(1)
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(playbook)
    play_vars = yaml.safe_load(playbook)[0]["vars"]
    print(play_vars["org_id"], play_vars["project_id"])


def key(args):
    keys = [k for k in control(args.url, "state")["api_keys"] if k["desc"] == args.description]
    if args.absent:
        if keys:
            sys.exit("the key %r still exists" % args.description)
        return
    if len(keys) != 1:
        sys.exit("%d keys are described as %r, not one" % (len(keys), args.description))
    found = keys[0]
    entries = sorted(entry["cidrBlock"] for entry in found["accessList"])
    if entries != EXAMPLE_ACCESS_LIST:
        sys.exit("the access list of %r is %s, not %s" % (args.description, entries, EXAMPLE_ACCESS_LIST))
    if args.project:
        roles = [r["roleName"] for r in found["roles"] if r.get("groupId") == args.project]
        if roles != ["GROUP_READ_ONLY"]:
            sys.exit("the roles of %r in project %s are %s, not GROUP_READ_ONLY" % (args.description, args.project, roles))
    if args.private_key_file:
        if stat.S_IMODE(os.stat(args.private_key_file).st_mode) != 0o600:
            sys.exit("%s is not mode 0600" % args.private_key_file)
        with open(args.private_key_file, encoding="utf-8") as handle:
            if handle.read() != found["privateKey"]:
                sys.exit("%s does not hold the private key of %r" % (args.private_key_file, args.description))
    if args.credentials:
        with open(args.credentials, encoding="utf-8") as handle:
            if json.load(handle).get("api_key_id") != found["id"]:
                sys.exit("%s does not hold the credentials of %r" % (args.credentials, args.description))


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("clear-log").add_argument("url")
    commands.add_parser("no-writes").add_argument("url")
    start = commands.add_parser("quick-start")
    start.add_argument("readme")
    start.add_argument("out")
    check = commands.add_parser("key")
    check.add_argument("url")
    check.add_argument("description")
    check.add_argument("--absent", action="store_true")
    check.add_argument("--private-key-file")
    check.add_argument("--credentials")
    check.add_argument("--project")
    args = parser.parse_args()
    if args.command == "clear-log":
        control(args.url, "log", "DELETE")
    elif args.command == "no-writes":
        no_writes(args.url)
    elif args.command == "quick-start":
        quick_start(args.readme, args.out)
    else:
        key(args)


if __name__ == "__main__":
    main()
