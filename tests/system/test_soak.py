# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Soak: the whole lifecycle of the three managing modules, many times, with faults on.

Each cycle creates an organization key, changes it, builds and trims its access list, assigns it to two
projects, changes and removes an assignment, removes an entry and deletes the key: ten steps, each a module
run (in-process, through the real client, against the simulator) followed by a second, identical run that
must change nothing. About 20% of the requests fail (429 with Retry-After, 503 with Retry-After, or a
dropped connection) and a fault on a write falls before or after the write is applied.

After every run the simulator's state is compared with exactly what the step asked for, over every key of
the organization: no duplicate key, no missing or extra entry, no lost assignment, the seeded keys and the
bystander keys (in project beta, one with an access list) untouched. A run either converges or fails with a
clear message, after which the same step, faults still on, is run again and must converge. ``changed`` must
be true exactly when the state changed: for a successful run, exactly; for a failed run, at least when the
state changed (its outcome may be unknown); for a failed run and its rerun together, exactly.

The lost private key: when the answer to the POST that creates a key is lost after Atlas applied it, the
key exists but its private key, which Atlas shows once, is gone. The module must fail saying so, and leave
exactly one key. The test then does what the message tells the user: delete that key and run the task
again. The first create of the soak is made to lose its answer (a scripted fault rule), so the path is taken
on every run; random faults take it again now and then.

Two scripted faults outlast the retries, so that "fails, then the rerun converges" is taken on every run
too: the first PATCH of a key is applied each time but never answered, the first removal of an access-list
entry never reaches Atlas.

Deterministic: the faults come from the simulator's seeded random plan (ATLAS_SOAK_SEED) and the request
sequence does not depend on timing. Bounded: the client's sleeps are scaled to a tenth (the retry decisions
are under test, not the waiting; the delays asked for are reported), Retry-After is 1 s.

Why 429 never falls "after": Atlas rate limits a request before it processes it, so a 429 means "not
applied" and the client sends any request again, a POST included. The simulator draws ``when`` independently
of the kind, so this test's fault plan turns a drawn 429/after into 429/before.
"""

from __future__ import annotations

import collections
import ipaddress
import os
import time

import pytest

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
ALPHA = "65a1b2c3d4e5f6a7b8c9d0f1"
BETA = "65a1b2c3d4e5f6a7b8c9d0f2"

SEED = int(os.environ.get("ATLAS_SOAK_SEED", "20240611"))
CYCLES = int(os.environ.get("ATLAS_SOAK_CYCLES", "15"))
FAULT_RATE = 0.2
RETRIES = 6
MAX_RERUNS = 3
LOST_KEY_WORDS = ("private key was lost", "cannot be recovered", "delete the key")


def fault_plan(sim, spec, counts):
    """The simulator's FaultPlan, with 429 always before the request is applied, counting what it injects."""

    class SoakFaultPlan(sim.module.FaultPlan):
        def pick(self, method, path, stage):
            fault = super(SoakFaultPlan, self).pick(method, path, stage)
            if fault is not None:
                if fault["kind"] == "429":
                    fault["when"] = "before"
                counts["faults"] += 1
                counts["fault " + fault["kind"]] += 1
                if method != "GET":
                    counts["write faults " + fault["when"]] += 1
            return fault

    return SoakFaultPlan(spec)


def canonical(entry):
    """An access-list entry as the simulator's state lists it (cidrBlock)."""
    return str(ipaddress.ip_network(entry))


def replace_key(model, key_id, desc=None, roles=None, projects=None, entries=None):
    """A copy of the model with one key's fields replaced (projects: {group: roles})."""
    old_desc, old_roles, old_projects, old_entries = model[key_id]
    new = dict(model)
    new[key_id] = (
        old_desc if desc is None else desc,
        old_roles if roles is None else frozenset(roles),
        old_projects if projects is None else frozenset((g, frozenset(r)) for g, r in projects.items()),
        old_entries if entries is None else frozenset(entries),
    )
    return new


def projects_of(model, key_id):
    return {group: set(roles) for group, roles in model[key_id][2]}


def describe_difference(wanted, actual):
    lines = []
    for key_id in sorted(set(wanted) | set(actual)):
        if wanted.get(key_id) != actual.get(key_id):
            lines.append("%s: wanted %r, found %r" % (key_id, wanted.get(key_id), actual.get(key_id)))
    return "\n".join(lines)


class Soak(object):
    def __init__(self, sim, run_module, counts):
        self.sim = sim
        self.run_module = run_module
        self.counts = counts
        self.model = sim.view()

    # -- one module run, one step ---------------------------------------------------------------------------

    def run(self, module, args, api_version):
        args = dict(self.sim.connection, api_version=api_version, retries=RETRIES, **args)
        result = self.run_module(module, args)
        self.counts["module runs"] += 1
        # No private key in any result, but the new key's in the result of the run that created it
        # (create() checks that one is the new key's).
        shown = None if result.get("failed") else (result.get("api_key") or {}).get("private_key")
        private_keys = [key["privateKey"] for key in self.sim.state()["api_keys"] if key["privateKey"] != shown]
        assert not self.sim.secrets_in(result, private_keys), result
        return result

    def check_failure(self, name, result):
        msg = result.get("msg") or ""
        assert msg and "Traceback" not in msg and "exception" not in result, (name, result)
        if not any(word in msg for word in LOST_KEY_WORDS):
            # What failed, and what to do: with faults only, that is running again or raising retries.
            assert msg.startswith("Failed to ") and "(gave up after %d attempts)" % (RETRIES + 1) in msg, msg
            assert msg.lower().endswith(("run the task again later, or raise retries.",
                                         "run the task again, or raise retries.")), msg
        self.counts["failed runs"] += 1

    def converge(self, name, module, args, api_version, expect, noop=False):
        """Run until the step succeeds (at most MAX_RERUNS reruns); check state and changed after every run.

        expect(model, found) -> the model the step asks for (found: the state after the run, to learn a new id).
        Returns the successful result.
        """
        start = self.sim.view()
        assert start == self.model, describe_difference(self.model, start)
        results = []
        while True:
            before = self.sim.view()
            result = self.run(module, dict(args), api_version)
            after = self.sim.view()
            results.append(result)
            if result.get("failed"):
                self.check_failure(name, result)
                if after != before:  # a failed run that changed something must say so
                    assert result["changed"], (name, result, describe_difference(before, after))
                if any(word in result["msg"] for word in LOST_KEY_WORDS):
                    return result  # the caller deals with it
                assert len(results) <= MAX_RERUNS, "%s did not converge: %r" % (name, [r.get("msg") for r in results])
                continue
            assert result["changed"] == (after != before), (name, result, describe_difference(before, after))
            break
        if len(results) > 1:
            self.counts["failed then converged"] += 1
        wanted = expect(self.model, after)
        assert after == wanted, "%s: %s" % (name, describe_difference(wanted, after))
        assert any(r["changed"] for r in results) == (after != start), (name, results)
        if noop:
            assert not any(r["changed"] for r in results), (name, results)
        self.model = after
        self.counts["steps" if not noop else "no-op reruns"] += 1
        return result

    def step(self, name, module, args, api_version, expect):
        """A step, then the same step again, which must change nothing."""
        result = self.converge(name, module, args, api_version, expect)
        self.converge(name + " (again)", module, args, api_version, lambda model, found: model, noop=True)
        return result

    # -- the create step, with the lost private key ---------------------------------------------------------

    def create(self, description, roles, api_version):
        args = dict(org_id=ORG, description=description, roles=roles)

        def expect(model, found):
            new = [key_id for key_id in found if key_id not in model]
            assert len(new) == 1, "expected one new key, found %r" % new
            wanted = dict(model)
            wanted[new[0]] = (description, frozenset(roles), frozenset(), frozenset())
            return wanted

        for _attempt in range(5):
            result = self.converge("create", "atlas_org_api_key", args, api_version, expect)
            if not result.get("failed"):
                break
            self.lost_private_key(result, description, api_version)
        else:
            pytest.fail("five creates in a row lost their answer")
        key = result["api_key"]
        stored = [k for k in self.sim.state()["api_keys"] if k["id"] == key["id"]][0]
        assert key["private_key"] == stored["privateKey"] and key["public_key"] == stored["publicKey"]
        assert sorted(key["roles"]) == sorted(roles) and key["description"] == description
        self.converge("create (again)", "atlas_org_api_key", args, api_version, lambda model, found: model, noop=True)
        return key

    def lost_private_key(self, result, description, api_version):
        """The create's answer was lost after Atlas applied it: exactly one key, a message that says what to do.

        The private key cannot be recovered (Atlas shows it only in that answer), so the only way to a usable
        key is the one the message gives: delete the key, run the task again.
        """
        self.counts["lost private keys"] += 1
        assert all(word in result["msg"] for word in LOST_KEY_WORDS), result["msg"]
        state = self.sim.state()
        matching = [key for key in state["api_keys"] if key["desc"] == description]
        assert len(matching) == 1, matching
        lost = matching[0]
        assert result["changed"], result
        assert result["api_key"]["id"] == lost["id"] and result["api_key"]["public_key"] == lost["publicKey"]
        assert lost["id"] in result["msg"] and "state=absent, api_key_id=%s" % lost["id"] in result["msg"]
        assert lost["privateKey"] not in str(result)
        self.model = self.sim.view()
        deleted = self.converge("delete the key whose private key was lost", "atlas_org_api_key",
                                dict(org_id=ORG, api_key_id=lost["id"], state="absent"), api_version,
                                lambda model, found: dict((k, v) for k, v in model.items() if k != lost["id"]))
        assert deleted["changed"]

    # -- a whole cycle --------------------------------------------------------------------------------------

    def cycle(self, index):
        api_version = "v1.0" if index % 3 == 2 else "v2"
        description = "soak %d cycle %02d" % (SEED, index)
        renamed = description + " renamed"
        address = "198.51.100.%d" % (10 + index)
        ipv6 = "2001:DB8:%X:0:0:0:0:5" % (index + 1)  # spelled loosely: the module compares canonical forms
        block = "203.0.%d.0/24" % (100 + index)
        v4, v6, cidr = canonical(address), canonical(ipv6), canonical(block)

        key = self.create(description, ["ORG_MEMBER", "ORG_BILLING_READ_ONLY"], api_version)
        kid, public = key["id"], key["public_key"]

        self.step("update roles and description", "atlas_org_api_key",
                  dict(org_id=ORG, api_key_id=kid, description=renamed, roles=["ORG_READ_ONLY"]), api_version,
                  lambda model, found: replace_key(model, kid, desc=renamed, roles=["ORG_READ_ONLY"]))
        self.step("access list: add three", "atlas_api_key_accesslist",
                  dict(org_id=ORG, public_key=public, entries=[address, ipv6, block]), api_version,
                  lambda model, found: replace_key(model, kid, entries=[v4, v6, cidr]))
        self.step("access list: purge to two", "atlas_api_key_accesslist",
                  dict(org_id=ORG, description=renamed, entries=[block, ipv6], purge=True), api_version,
                  lambda model, found: replace_key(model, kid, entries=[v6, cidr]))
        self.step("assign to alpha", "atlas_project_api_key",
                  dict(project_id=ALPHA, org_id=ORG, api_key_id=kid, roles=["GROUP_READ_ONLY"]), api_version,
                  lambda model, found: replace_key(model, kid, projects={ALPHA: ["GROUP_READ_ONLY"]}))
        beta_roles = ["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"]
        self.step("assign to beta", "atlas_project_api_key",
                  dict(project_id=BETA, org_id=ORG, description=renamed, roles=beta_roles), api_version,
                  lambda model, found: replace_key(model, kid, projects=dict(projects_of(model, kid), **{BETA: beta_roles})))
        alpha_roles = ["GROUP_READ_ONLY", "GROUP_OWNER"]
        self.step("change roles in alpha", "atlas_project_api_key",
                  dict(project_id=ALPHA, api_key_id=kid, roles=alpha_roles), api_version,  # no org_id: project keys only
                  lambda model, found: replace_key(model, kid, projects=dict(projects_of(model, kid), **{ALPHA: alpha_roles})))
        self.step("unassign from beta", "atlas_project_api_key",
                  dict(project_id=BETA, org_id=ORG, public_key=public, state="absent"), api_version,
                  lambda model, found: replace_key(model, kid, projects={ALPHA: alpha_roles}))
        self.step("access list: remove one", "atlas_api_key_accesslist",
                  dict(org_id=ORG, api_key_id=kid, entries=[block], state="absent"), api_version,
                  lambda model, found: replace_key(model, kid, entries=[v6]))
        self.step("delete the key", "atlas_org_api_key",
                  dict(org_id=ORG, api_key_id=kid, state="absent"), api_version,
                  lambda model, found: dict((k, v) for k, v in model.items() if k != kid))
        assert not [k for k in self.sim.state()["api_keys"] if k["desc"] in (description, renamed)]


def test_soak_lifecycle_with_faults(sim, run_module, scaled_sleep, summary_lines):
    started = time.monotonic()
    bystanders = sim.control("POST", "seed", {"api_keys": 2, "description_prefix": "bystander-", "project_id": BETA,
                                              "project_roles": ["GROUP_READ_ONLY"]})["api_key_ids"]
    sim.control("POST", "seed", {"access_list": {"api_key_id": bystanders[0], "count": 3}})
    initial = sim.view()
    counts = collections.Counter()
    sim.set_faults(fault_plan(sim, {
        # The first create of the soak loses its answer after Atlas applied it: the lost private key path.
        "rules": [
            {"method": "POST", "path": "^/orgs/%s/apiKeys$" % ORG, "kind": "drop", "when": "after", "times": 1},
            # More faults in a row than retries: the step fails, then its rerun must converge. The first PATCH of
            # a key is applied every time but its answer never comes back (the failed run changed the state and
            # must say so); the first removal of an access-list entry never reaches Atlas.
            {"method": "PATCH", "path": "^/orgs/%s/apiKeys/[0-9a-f]{24}$" % ORG, "kind": "503", "when": "after",
             "times": RETRIES + 1, "retry_after": 1},
            {"method": "DELETE", "path": "/accessList/", "kind": "drop", "when": "before", "times": RETRIES + 1},
        ],
        "random": {"rate": FAULT_RATE, "seed": SEED, "kinds": ["429", "503", "drop"], "when": "either",
                   "retry_after": 1},
    }, counts))
    sim.clear_log()
    soak = Soak(sim, run_module, counts)
    for index in range(CYCLES):
        soak.cycle(index)
    sim.control("DELETE", "faults")

    assert sim.view() == initial  # every soak key gone, seeded and bystander keys as they were
    log = sim.log()
    wall = time.monotonic() - started
    line = ("soak: seed=%d cycles=%d steps=%d no-op-reruns=%d module-runs=%d requests=%d (writes %d) faults=%d "
            "(429: %d, 503: %d, drop: %d; on writes before %d / after %d) failed-runs=%d failed-then-converged=%d "
            "lost-private-keys=%d backoff-asked=%.1fs slept=%.1fs wall=%.1fs" % (
                SEED, CYCLES, counts["steps"], counts["no-op reruns"], counts["module runs"], len(log),
                sum(1 for entry in log if entry["write"]), counts["faults"], counts["fault 429"], counts["fault 503"],
                counts["fault drop"], counts["write faults before"], counts["write faults after"], counts["failed runs"],
                counts["failed then converged"], counts["lost private keys"], sum(scaled_sleep.asked), scaled_sleep.slept,
                wall))
    summary_lines.append(line)
    print(line)
    # The plan did what it says: faults at about the rate asked, of every kind, on writes before and after.
    assert counts["lost private keys"] >= 1 and counts["failed then converged"] >= 2
    assert 0.1 < counts["faults"] / float(sum(1 for entry in log if entry["authenticated"] or entry["fault"])) < 0.3
    assert min(counts["fault 429"], counts["fault 503"], counts["fault drop"]) > 0
    assert min(counts["write faults before"], counts["write faults after"]) > 0
    assert counts["steps"] == CYCLES * 10 + counts["lost private keys"]
