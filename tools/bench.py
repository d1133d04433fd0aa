#!/usr/bin/env python
"""`make bench`: what the collection costs, measured against the Atlas simulator.

    bench.py [--out docs/performance.md] [--rounds 7] [--quick] [--strict]

Needs the collection under --collections-path (`nox -e bench` lays it out) and ansible-core in the Python
that runs this script. Uses the simulator at ATLAS_SIM_URL or starts its own.

It measures, and writes to --out between the two bench markers (the text around them is kept):

  requests   every scenario (no-op, create, update, delete; key found by id and by description)
             of the modules: one module run each, HTTP requests counted from the simulator's log
             (GET /__sim/log), digest challenges included, next to the least the API allows;
             among them a whole credential in one task (atlas_org_api_key and atlas_service_account
             with access_list and project_roles). Each changing run is run again and must then
             change nothing.
  wall time  bench/noop_timing.yml: a no-op task of each module and an ansible.builtin.uri task
             doing one digest-authenticated GET, interleaved, --rounds times after one warm-up
             round; per-task times from the ansible.builtin.junit callback; medians and ratios.
  scale      a key found by description among 200 / 2,000 / 10,000 keys; an access list
             converged from empty to 100 and 1,000 entries and back; bench/loop_keys.yml
             converging 100 keys with one looping task, twice.
  one task   a whole credential (roles, three access-list entries, roles in a project) declared
             in one task next to the same job written with ansible.builtin.uri, first and second
             run on a reset simulator, --job-runs times: for an API key bench/job_one_task.yml,
             bench/job_uri.yml and bench/job_collection.yml (the granular modules); for a service
             account bench/job_sa_one_task.yml and bench/job_sa_uri.yml; and bench/task_floor.yml
             (one ansible.builtin.ping task, what any module task costs). Task time (the sum of the
             tasks' durations from the junit callback, without ansible-playbook's start-up) and
             whole-playbook time, medians; ratios uri / one task taken within each repetition (the
             two playbooks run one after the other, under the same load), their median.

Module runs are a module run alone: `python -m ansible_collections...<module> args.json` (what
AnsiballZ runs on the target, without Ansible around it), so its peak memory (ru_maxrss from
os.wait4) is that of the module process only.

Exits non-zero when anything it measures fails to run, does not do what it should, or (with
--strict) when a target is not met.
"""
import argparse
import importlib.util
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from xml.etree import ElementTree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')
SIMULATOR = os.path.join(ROOT, 'tests', 'simulator', 'atlas_simulator.py')
DEFAULT_OUT = os.path.join(ROOT, 'docs', 'performance.md')
MODULES = 'ansible_collections.mongodb_atlas.api_keys.plugins.modules.'
PAGE = 500  # itemsPerPage of the client's list_all
BEGIN = '<!-- BEGIN tools/bench.py output: `make bench` rewrites everything up to the END marker -->'
END = '<!-- END tools/bench.py output -->'
RATIO_TARGET = 1.3

ORG_MEMBER = ['ORG_MEMBER']
READ_ONLY = ['GROUP_READ_ONLY']
ROUTES = {
    '/orgs/{id}/apiKeys': 'keys',
    '/orgs/{id}/apiKeys/{id}': 'key',
    '/orgs/{id}/apiKeys/{id}/accessList': 'access list',
    '/orgs/{id}/apiKeys/{id}/accessList/{entry}': 'entry',
    '/groups/{id}/apiKeys': 'project keys',
    '/groups/{id}/apiKeys/{id}': 'project key',
    '/groups/{id}': 'project',
    '/api/oauth/token': 'token',
    '/orgs/{id}/serviceAccounts': 'accounts',
    '/orgs/{id}/serviceAccounts/{client}': 'account',
    '/orgs/{id}/serviceAccounts/{client}/accessList': 'account access list',
    '/orgs/{id}/serviceAccounts/{client}/accessList/{entry}': 'account entry',
    '/orgs/{id}/serviceAccounts/{client}/groups': 'account projects',
    '/groups/{id}/serviceAccounts/{client}': 'account in project',
    '/groups/{id}/serviceAccounts/{client}:invite': 'invite to project',
}


class BenchError(Exception):
    """Something the benchmark measures did not run, or did not do what it should."""


def load_simulator():
    spec = importlib.util.spec_from_file_location('atlas_simulator', SIMULATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SIM = load_simulator()


def pages(count):
    """List pages needed to read count items (an empty list still takes one)."""
    return max(1, math.ceil(count / PAGE))


# --------------------------------------------------------------------------- the simulator

class Simulator:
    """The simulator at url, or one started here (stopped by close())."""

    def __init__(self, url=None):
        self.process = None
        if not url:
            self.process = subprocess.Popen([sys.executable, SIMULATOR, '--port', '0'], stdout=subprocess.PIPE, text=True)
            line = self.process.stdout.readline().strip()
            if not line.startswith('ATLAS_SIMULATOR_URL='):
                self.close()
                raise BenchError('the simulator did not start: %r' % line)
            url = line.split('=', 1)[1]
        self.url = url.rstrip('/')

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode('utf-8')
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def reset(self, max_keys=20000):
        self.call('POST', '/__sim/reset')
        self.call('POST', '/__sim/config', {'max_keys_per_org': max_keys})

    def seed(self, **spec):
        return self.call('POST', '/__sim/seed', spec)

    def clear_log(self):
        self.call('DELETE', '/__sim/log')

    def log(self):
        return [entry for entry in self.call('GET', '/__sim/log')['requests'] if entry['path'].startswith('/api/')]

    def key(self, key_id):
        return next((key for key in self.call('GET', '/__sim/state')['api_keys'] if key['id'] == key_id), None)

    def close(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


# --------------------------------------------------------------------------- counting requests

def describe(entry):
    """One request of the log, short: 'GET keys p1', '401 GET key' (a digest challenge)."""
    path = re.sub(r'^/api/atlas/v[^/]+', '', entry['path'])
    path = re.sub(r'mdb_sa_id_[0-9a-fA-F]{24}', '{client}', path)
    path = re.sub(r'/accessList/[^/]+$', '/accessList/{entry}', re.sub(r'[0-9a-f]{24}', '{id}', path))
    text = '%s %s' % (entry['method'], ROUTES.get(path, path))
    if 'pageNum' in (entry.get('query') or {}):
        text += ' p%s' % entry['query']['pageNum']
    return '401 ' + text if entry['challenge'] else text


def squeeze(items):
    """Runs of the same item as 'item x N'."""
    out = []
    for item in items:
        if out and out[-1][0] == item:
            out[-1][1] += 1
        else:
            out.append([item, 1])
    return ', '.join(item if n == 1 else '%s x%d' % (item, n) for item, n in out)


class Counts:
    """The API requests of one run, from the simulator's log."""

    def __init__(self, log):
        self.log = log
        self.total = len(log)
        self.challenges = sum(1 for e in log if e['challenge'])
        self.writes = sum(1 for e in log if e['write'] and not e['challenge'])
        self.tokens = sum(1 for e in log if e['path'] == SIM.TOKEN_PATH)
        self.reads = self.total - self.challenges - self.tokens - self.writes
        self.posts = sum(1 for e in log if e['method'] == 'POST' and not e['challenge'])
        self.sequence = squeeze(describe(e) for e in log)
        failed = [e for e in log if not e['challenge'] and (e['status'] is None or e['status'] >= 400)]
        self.failed = squeeze(describe(e) + ' -> %s' % e['status'] for e in failed)


# --------------------------------------------------------------------------- running modules and playbooks

class Result:
    def __init__(self, **fields):
        self.__dict__.update(fields)


class Runner:
    def __init__(self, sim, collections_path, work):
        self.sim, self.work = sim, work
        self.connection = dict(api_base_url=sim.url, api_public_key=SIM.ADMIN_PUBLIC_KEY, api_private_key=SIM.ADMIN_PRIVATE_KEY)
        self.module_env = dict(os.environ, PYTHONPATH=collections_path)
        self.ansible_env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
                                ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
                                ANSIBLE_RETRY_FILES_ENABLED='false', ANSIBLE_STDOUT_CALLBACK='ansible.builtin.default')
        for env in (self.module_env, self.ansible_env):
            for name in list(env):
                if name.startswith('MONGODB_ATLAS_'):  # every run names its connection; nothing comes from the environment
                    del env[name]
        self.playbook_command = shutil.which('ansible-playbook', path=os.path.dirname(sys.executable)) or shutil.which('ansible-playbook')
        if not self.playbook_command:
            raise BenchError('ansible-playbook not found next to %s nor on PATH' % sys.executable)
        self.vars = dict(bench_url=sim.url, bench_public_key=SIM.ADMIN_PUBLIC_KEY, bench_private_key=SIM.ADMIN_PRIVATE_KEY,
                         bench_org_id=SIM.ORG_ID, bench_project_id=SIM.PROJECT_ALPHA_ID, bench_org_roles=ORG_MEMBER,
                         bench_project_roles=READ_ONLY)

    def module(self, name, args, label):
        """One module run, alone in a fresh process: result, requests, seconds, peak RSS (KiB)."""
        path = os.path.join(self.work, 'args.json')
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': dict(self.connection, **args)}, handle)
        out_path, err_path = os.path.join(self.work, 'module.out'), os.path.join(self.work, 'module.err')
        self.sim.clear_log()
        with open(out_path, 'w', encoding='utf-8') as out, open(err_path, 'w', encoding='utf-8') as err:
            start = time.perf_counter()
            process = subprocess.Popen([sys.executable, '-m', MODULES + name, path], stdout=out, stderr=err, cwd=self.work,
                                       env=self.module_env)
            dummy, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        os.unlink(path)
        with open(out_path, encoding='utf-8') as out, open(err_path, encoding='utf-8') as err:
            stdout, stderr = out.read(), err.read()
        try:
            result = json.loads(stdout)
        except ValueError:
            result = {'failed': True, 'msg': 'no JSON on stdout: %s %s' % (stdout[-500:], stderr[-1500:])}
        if process.returncode or result.get('failed'):
            raise BenchError('%s (%s) failed, exit %d: %s' % (name, label, process.returncode, result.get('msg')))
        return Result(result=result, counts=Counts(self.sim.log()), seconds=seconds, rss_kib=usage.ru_maxrss)

    def playbook(self, name, junit=False, **extra):
        """ansible-playbook bench/<name>: seconds, requests, changed count, per-task times (with junit)."""
        vars_path = os.path.join(self.work, 'vars.json')
        with open(vars_path, 'w', encoding='utf-8') as handle:
            json.dump(dict(self.vars, **extra), handle)
        env = dict(self.ansible_env)
        junit_dir = os.path.join(self.work, 'junit')
        if junit:
            shutil.rmtree(junit_dir, ignore_errors=True)
            env.update(ANSIBLE_CALLBACKS_ENABLED='ansible.builtin.junit', JUNIT_OUTPUT_DIR=junit_dir, JUNIT_HIDE_TASK_ARGUMENTS='true')
        self.sim.clear_log()
        start = time.perf_counter()
        proc = subprocess.run([self.playbook_command, os.path.join(BENCH, name), '-e', '@' + vars_path], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=env, cwd=self.work, check=False)
        seconds = time.perf_counter() - start
        os.unlink(vars_path)
        if proc.returncode:
            raise BenchError('ansible-playbook bench/%s failed, exit %d:\n%s' % (name, proc.returncode, '\n'.join(proc.stdout.splitlines()[-40:])))
        recap = re.findall(r' ok=(\d+)\s+changed=(\d+)', proc.stdout.split('PLAY RECAP')[-1])
        if not recap:
            raise BenchError('no PLAY RECAP in the output of bench/%s' % name)
        cases = []
        if junit:
            for report in sorted(os.listdir(junit_dir)):
                for case in ElementTree.parse(os.path.join(junit_dir, report)).iter('testcase'):
                    cases.append((case.get('name'), float(case.get('time'))))
        return Result(seconds=seconds, counts=Counts(self.sim.log()), ok=sum(int(ok) for ok, dummy in recap),
                      changed=sum(int(changed) for dummy, changed in recap), cases=cases)


# --------------------------------------------------------------------------- scenarios: requests per task

def target(sim, entries=0, project_roles=None, org_roles=None):
    """Reset, then one key to work on ('bench-target-00001'), with entries and project roles if asked."""
    sim.reset()
    spec = dict(api_keys=1, description_prefix='bench-target-', org_roles=org_roles or ORG_MEMBER)
    if project_roles:
        spec.update(project_id=SIM.PROJECT_ALPHA_ID, project_roles=project_roles)
    key_id = sim.seed(**spec)['api_key_ids'][0]
    listed = sim.seed(access_list=dict(api_key_id=key_id, count=entries))['access_list_entries'] if entries else []
    return dict(id=key_id, description='bench-target-00001', entries=listed)


def by(found_by, key):
    """The options that name the key."""
    return dict(api_key_id=key['id']) if found_by == 'id' else dict(description=key['description'])


ORG, ACCESS, PROJECT = 'atlas_org_api_key', 'atlas_api_key_accesslist', 'atlas_project_api_key'
ONE_PAGE_KEYS = '1 page of the org\'s keys'
# A credential about to join a project of org_id: the project is read first, so that one of another organization
# fails before any write (a credential already in the project is in its organization: no read then).
JOIN_CHECK = 'GET the project (a project of another organization must fail before any write)'
NEW_ENTRIES = ['203.0.113.0/24', '198.51.100.7', '2001:db8::/48']


def org_scenarios():
    org = dict(org_id=SIM.ORG_ID)
    rows = []
    for found_by in ('id', 'description'):
        find = 'GET the key' if found_by == 'id' else ONE_PAGE_KEYS
        rows += [
            (ORG, 'no-op', found_by, target, lambda k, f=found_by: dict(org, roles=ORG_MEMBER, **by(f, k)), False,
             2, '1 challenge + %s' % find),
            (ORG, 'update roles', found_by, target, lambda k, f=found_by: dict(org, roles=['ORG_READ_ONLY'], **by(f, k)),
             True, 3, '1 challenge + %s + 1 PATCH' % find),
            (ORG, 'delete', found_by, target, lambda k, f=found_by: dict(org, state='absent', **by(f, k)), True,
             3, '1 challenge + %s + 1 DELETE (the key is read first: the result and the diff show it, check mode needs it)' % find),
        ]
    rows.insert(1, (ORG, 'create', 'description', empty, lambda k: dict(org, description='bench-new', roles=ORG_MEMBER),
                    True, 3, '1 challenge + %s to prove it is missing + 1 POST' % ONE_PAGE_KEYS))
    return rows


def access_scenarios():
    org = dict(org_id=SIM.ORG_ID)
    rows = []
    for found_by in ('id', 'description'):
        find, least = ('', 0) if found_by == 'id' else (ONE_PAGE_KEYS + ' + ', 1)
        rows += [
            (ACCESS, 'no-op', found_by, with_entries, lambda k, f=found_by: dict(org, entries=k['entries'], **by(f, k)),
             False, 2 + least, '1 challenge + %s1 page of the access list%s' % (
                 find, ' (a missing key answers 404 there: no need to read the key first)' if found_by == 'id' else '')),
            (ACCESS, 'create: add 3 entries', found_by, target, lambda k, f=found_by: dict(org, entries=NEW_ENTRIES, **by(f, k)),
             True, 3 + least, '1 challenge + %s1 page of the access list + 1 POST (all entries)' % find),
            (ACCESS, 'update: purge, replace 1 of 3', found_by, with_entries,
             lambda k, f=found_by: dict(org, entries=k['entries'][:2] + ['192.0.2.0/24'], purge=True, **by(f, k)),
             True, 4 + least, '1 challenge + %s1 page + 1 POST + 1 DELETE (the API deletes one entry per request)' % find),
            (ACCESS, 'delete 2 entries', found_by, with_entries,
             lambda k, f=found_by: dict(org, entries=k['entries'][:2], state='absent', **by(f, k)),
             True, 4 + least, '1 challenge + %s1 page + 2 DELETEs (one per entry)' % find),
        ]
    return rows


def empty(sim):
    sim.reset()


def with_entries(sim):
    return target(sim, entries=3)


def assigned(sim):
    return target(sim, project_roles=READ_ONLY)


def project_scenarios():
    alpha = dict(project_id=SIM.PROJECT_ALPHA_ID, org_id=SIM.ORG_ID)
    rows = [
        (PROJECT, 'no-op', 'id, no org_id', assigned, lambda k: dict(project_id=SIM.PROJECT_ALPHA_ID, api_key_id=k['id'], roles=READ_ONLY),
         False, 2, '1 challenge + 1 page of the project\'s keys'),
        (PROJECT, 'create: new key in project', 'description', empty,
         lambda k: dict(alpha, description='bench-new', roles=READ_ONLY), True, 4,
         '1 challenge + %s to prove it is missing + %s + 1 POST (creates and assigns)' % (ONE_PAGE_KEYS, JOIN_CHECK)),
        (PROJECT, 'create: assign', 'id', target, lambda k: dict(alpha, api_key_id=k['id'], roles=READ_ONLY), True, 4,
         '1 challenge + GET the key + %s + 1 POST' % JOIN_CHECK),
    ]
    for found_by in ('id', 'description'):
        find = 'GET the key (its roles name every project)' if found_by == 'id' else ONE_PAGE_KEYS
        rows += [
            (PROJECT, 'no-op', found_by, assigned, lambda k, f=found_by: dict(alpha, roles=READ_ONLY, **by(f, k)), False,
             2, '1 challenge + %s' % find),
            (PROJECT, 'update roles', found_by, assigned, lambda k, f=found_by: dict(alpha, roles=['GROUP_OWNER'], **by(f, k)), True,
             3, '1 challenge + %s + 1 PATCH' % find),
            (PROJECT, 'delete: unassign', found_by, assigned, lambda k, f=found_by: dict(alpha, state='absent', **by(f, k)), True,
             3, '1 challenge + %s + 1 DELETE' % find),
        ]
    return rows


def service_account_scenarios():
    """No-ops and a rotation of the service-account modules (v2, media type 2024-08-05), by client id and by name."""
    account, secret = 'atlas_service_account', 'atlas_service_account_secret'

    def seeded(sim, hours=None):
        sim.reset()
        spec = dict(service_accounts=1, name_prefix='bench-sa-', org_roles=ORG_MEMBER)
        if hours:
            spec.update(secret_expires_after_hours=hours)
        return dict(id=sim.seed(**spec)['client_ids'][0], name='bench-sa-00001')

    def named(found_by, k):
        return dict(org_id=SIM.ORG_ID, **({'account_client_id': k['id']} if found_by == 'client id' else {'name': k['name']}))

    policy = dict(min_valid_hours=168, expires_after_hours=720)
    rows = []
    for found_by in ('client id', 'name'):
        find = 'GET the account' if found_by == 'client id' else '1 page of the org\'s accounts'
        rows += [
            (account, 'no-op', found_by, seeded, lambda k, f=found_by: dict(named(f, k), roles=ORG_MEMBER), False, 2,
             '1 challenge + %s' % find),
            (secret, 'no-op: a secret lasts', found_by, seeded, lambda k, f=found_by: dict(named(f, k), **policy), False, 2,
             '1 challenge + %s (its secrets come with it)' % find),
            (secret, 'rotate: 8 h left, 168 h wanted', found_by, lambda sim: seeded(sim, hours=8),
             lambda k, f=found_by: dict(named(f, k), **policy), True, 4,
             '1 challenge + %s + 1 POST + GET the account (the result lists the secrets with the dates Atlas gave them)' % find),
        ]
    return rows


def service_account_grant_scenarios():
    """The access list of a service account (empty -> 1,000 entries -> empty) and its roles in a project, by client id
    and by name: atlas_service_account_accesslist and atlas_service_account_project."""
    access, project = 'atlas_service_account_accesslist', 'atlas_service_account_project'
    count, post_limit = 1000, 200  # the API takes at most 200 entries per POST
    entries = ['172.%d.%d.%d' % (16 + n // 65536, n // 256 % 256, n % 256) for n in range(1, count + 1)]

    def seeded(sim, listed=0, project_roles=None):
        sim.reset()
        spec = dict(service_accounts=1, name_prefix='bench-sa-', org_roles=ORG_MEMBER)
        if project_roles:
            spec.update(project_id=SIM.PROJECT_ALPHA_ID, project_roles=project_roles)
        client_id = sim.seed(**spec)['client_ids'][0]
        held = sim.seed(service_account_access_list=dict(client_id=client_id, count=listed)) if listed else {}
        return dict(id=client_id, name='bench-sa-00001', entries=held.get('service_account_access_list_entries', []))

    def named(found_by, k):
        return dict(account_client_id=k['id']) if found_by == 'client id' else dict(org_id=SIM.ORG_ID, name=k['name'])

    posts, list_pages = count // post_limit, pages(count)
    rows = []
    for found_by in ('client id', 'name'):
        find, least = ('', 0) if found_by == 'client id' else ('1 page of the org\'s accounts + ', 1)
        org = dict(org_id=SIM.ORG_ID)
        rows += [
            (access, 'empty -> 1,000 entries', found_by, seeded, lambda k, f=found_by: dict(org, entries=entries, **named(f, k)),
             True, 1 + posts + list_pages + least,
             '1 challenge + %s1 page (empty; a missing account answers 404 there) + %d POSTs (%d entries each, the most the '
             'API takes) + %d more page(s) for the result (the last answer is page 1 of the new list)'
             % (find, posts, post_limit, list_pages - 1)),
            (access, '1,000 entries, no-op', found_by, lambda sim: seeded(sim, listed=count),
             lambda k, f=found_by: dict(org, entries=k['entries'], **named(f, k)), False, 1 + list_pages + least,
             '1 challenge + %s%d pages of the access list' % (find, list_pages)),
            (access, '1,000 entries -> empty (purge)', found_by, lambda sim: seeded(sim, listed=count),
             lambda k, f=found_by: dict(org, entries=[], purge=True, **named(f, k)), True, 1 + list_pages + count + least,
             '1 challenge + %s%d pages + %d DELETEs (one per entry)' % (find, list_pages, count)),
        ]
    alpha = dict(project_id=SIM.PROJECT_ALPHA_ID)
    for found_by in ('client id', 'name'):
        find, least = ('', 0) if found_by == 'client id' else ('1 page of the org\'s accounts + ', 1)
        member = '1 challenge + %sGET the account in the project (its roles there)' % find
        rows += [
            (project, 'assign', found_by, seeded, lambda k, f=found_by: dict(alpha, roles=READ_ONLY, **named(f, k)), True,
             4 + least + (1 if found_by == 'client id' else 0),
             member + (' (404: not there) + GET the project (its organization: no org_id given) + GET the account there '
                       '(the project answers 404 for a missing account too; check mode must tell them apart)'
                       if found_by == 'client id' else ' (404: not there) + ' + JOIN_CHECK) + ' + 1 POST',
             'GET account in project -> 404'),
            (project, 'no-op', found_by, lambda sim: seeded(sim, project_roles=READ_ONLY),
             lambda k, f=found_by: dict(alpha, roles=READ_ONLY, **named(f, k)), False, 2 + least, member),
            (project, 'change roles', found_by, lambda sim: seeded(sim, project_roles=READ_ONLY),
             lambda k, f=found_by: dict(alpha, roles=['GROUP_OWNER'], **named(f, k)), True, 3 + least, member + ' + 1 PATCH'),
            (project, 'unassign', found_by, lambda sim: seeded(sim, project_roles=READ_ONLY),
             lambda k, f=found_by: dict(alpha, state='absent', **named(f, k)), True, 3 + least, member + ' + 1 DELETE'),
        ]
    return rows


def one_task_scenarios():
    """A whole credential in one task (roles, access list, project roles) of atlas_org_api_key and atlas_service_account:
    create it complete, a no-op, one part changed at a time, and a move to another project with purge_projects."""
    alpha, beta = SIM.PROJECT_ALPHA_ID, SIM.PROJECT_BETA_ID

    def declared(names, listed, roles=None, project=alpha, project_roles=None, **more):
        return dict(names, org_id=SIM.ORG_ID, roles=roles or ORG_MEMBER, access_list=listed,
                    project_roles=[dict(project_id=project, roles=project_roles or READ_ONLY)], **more)

    def seeded_key(sim):
        key = target(sim, entries=3, project_roles=READ_ONLY)
        return dict(names=dict(description=key['description']), entries=key['entries'])

    def seeded_account(sim):
        sim.reset()
        client_id = sim.seed(service_accounts=1, name_prefix='bench-sa-', org_roles=ORG_MEMBER, project_id=alpha,
                             project_roles=READ_ONLY)['client_ids'][0]
        held = sim.seed(service_account_access_list=dict(client_id=client_id, count=3))['service_account_access_list_entries']
        return dict(names=dict(name='bench-sa-00001'), entries=held)

    kinds = [  # module, found by, setup, what a new one needs, how it is found, what its creation and its project cost
        (ORG, 'description', seeded_key, dict(description='bench-new'), ONE_PAGE_KEYS, 'the key', 'its project roles'),
        ('atlas_service_account', 'name', seeded_account, dict(name='bench-new', description='bench', secret_expires_after_hours=720),
         '1 page of the org\'s accounts', 'the account with its first secret', 'the invitation to its project'),
    ]
    rows = []
    for module, found_by, seeded, new, find, credential, assign in kinds:
        reads = '1 challenge + %s + 1 page of the access list' % find
        least = 3
        if module != ORG:  # a key's roles name its projects; an account's projects are one more read
            reads, least = reads + ' + 1 read of its projects', 4
        rows += [
            (module, 'one task: create complete', found_by, empty, lambda k, n=new: declared(n, NEW_ENTRIES), True, 6,
             '1 challenge + %s to prove it is missing + %s + 3 POSTs (%s, all its entries, %s)' % (
                 find, JOIN_CHECK, credential, assign)),
            (module, 'one task: no-op', found_by, seeded, lambda k: declared(k['names'], k['entries']), False, least, reads),
            (module, 'one task: org roles only', found_by, seeded,
             lambda k: declared(k['names'], k['entries'], roles=['ORG_READ_ONLY']), True, least + 1, reads + ' + 1 PATCH'),
            (module, 'one task: access list only, replace 1 of 3', found_by, seeded,
             lambda k: declared(k['names'], k['entries'][:2] + ['192.0.2.0/24']), True, least + 2,
             reads + ' + 1 POST + 1 DELETE (the API deletes one entry per request)'),
            (module, 'one task: project roles only', found_by, seeded,
             lambda k: declared(k['names'], k['entries'], project_roles=['GROUP_OWNER']), True, least + 1, reads + ' + 1 PATCH'),
            (module, 'one task: move to another project (purge_projects)', found_by, seeded,
             lambda k: declared(k['names'], k['entries'], project=beta, purge_projects=True), True, least + 3,
             reads + ' + %s + 1 POST (%s) + 1 DELETE (out of the other project)' % (JOIN_CHECK, assign)),
        ]
    return rows


def measure_scenarios(runner, log):
    rows = []
    every = (org_scenarios() + access_scenarios() + project_scenarios() + service_account_scenarios() + service_account_grant_scenarios()
             + one_task_scenarios())
    for module, action, found_by, setup, args_of, expect_changed, least, why, *expected_failures in every:
        label = '%s, found by %s' % (action, found_by)
        key = setup(runner.sim) or {}
        args = args_of(key)
        run = runner.module(module, args, label)
        if run.result.get('changed') != expect_changed:
            raise BenchError('%s (%s): changed=%s, expected %s' % (module, label, run.result.get('changed'), expect_changed))
        if run.counts.failed and run.counts.failed not in expected_failures:
            raise BenchError('%s (%s): requests failed: %s' % (module, label, run.counts.failed))
        if expect_changed:  # it did what it reported: a second run finds nothing to do
            again = runner.module(module, args, label + ', again')
            if again.result.get('changed') or again.counts.writes:
                raise BenchError('%s (%s): the second run changed something (%d writes)' % (module, label, again.counts.writes))
        c = run.counts
        rows.append(Result(module=module, action=action, found_by=found_by, counts=c, least=least, why=why, seconds=run.seconds,
                           rss_kib=run.rss_kib))
        log('  %-26s %-32s %-16s %2d requests (least %d)  %s' % (module, action, found_by, c.total, least, c.sequence))
    return rows


# --------------------------------------------------------------------------- wall time against ansible.builtin.uri

TIMED = [('uri', 'ansible.builtin.uri GET (digest)'), (ORG, ORG), (ACCESS, ACCESS), (PROJECT, PROJECT)]


def measure_wall_time(runner, rounds, log):
    key = target(runner.sim, entries=3, project_roles=READ_ONLY)
    run = runner.playbook('noop_timing.yml', junit=True, bench_rounds=rounds + 1, bench_key_id=key['id'], bench_entries=key['entries'])
    if run.changed:
        raise BenchError('bench/noop_timing.yml changed something (changed=%d): the tasks are not no-ops' % run.changed)
    if run.counts.failed:
        raise BenchError('bench/noop_timing.yml: requests failed: %s' % run.counts.failed)
    times = {name: [] for name, dummy in TIMED}
    for case, seconds in run.cases:
        match = re.search(r'bench (\S+)$', case)
        if match and match.group(1) in times:
            times[match.group(1)].append(seconds)
    rows = []
    for name, title in TIMED:
        if len(times[name]) != rounds + 1:
            raise BenchError('bench/noop_timing.yml: %d timings of task "bench %s", expected %d' % (len(times[name]), name, rounds + 1))
        samples = times[name][1:]  # round 1 warms up
        rows.append(Result(name=name, title=title, median=statistics.median(samples), low=min(samples), high=max(samples)))
    uri = rows[0].median
    for row in rows:
        row.ratio = row.median / uri
        log('  %-34s median %.3f s (%.3f-%.3f)  ratio %.2f' % (row.title, row.median, row.low, row.high, row.ratio))
    return rows, run.counts


# --------------------------------------------------------------------------- scale

def measure_scale(runner, quick, log):
    rows = []
    key_counts = (200, 2000) if quick else (200, 2000, 10000)
    for total in key_counts:
        runner.sim.reset()
        runner.sim.seed(api_keys=total - len(SIM.SEED['api_keys']))
        description = 'bulk-%05d' % (total // 2)
        runs = [runner.module(ORG, dict(org_id=SIM.ORG_ID, description=description, roles=ORG_MEMBER), 'scale') for dummy in range(3)]
        if any(r.result['changed'] or r.result['api_key']['description'] != description for r in runs):
            raise BenchError('finding %s among %d keys did not find it unchanged' % (description, total))
        rows.append(scale_row('find a key by description among %s keys (no-op)' % format(total, ','), runs, 1 + pages(total),
                              '1 challenge + %d page(s) of keys' % pages(total)))
        log('  %s' % rows[-1].case)

    entry_counts = (100, 1000)
    for count in entry_counts:
        key = target(runner.sim)
        entries = ['172.%d.%d.%d' % (16 + n // 65536, n // 256 % 256, n % 256) for n in range(1, count + 1)]
        args = dict(org_id=SIM.ORG_ID, api_key_id=key['id'], entries=entries)
        steps = [
            ('access list: empty -> %s entries' % format(count, ','), args, True, 2 + pages(count),
             '1 challenge + 1 page (empty) + 1 POST with itemsPerPage=500 (its answer is page 1 of the new list)%s' % (
                 ' + %d more page(s) for the result' % (pages(count) - 1) if pages(count) > 1 else '')),
            ('access list: %s entries, no-op' % format(count, ','), args, False, 1 + pages(count),
             '1 challenge + %d page(s)' % pages(count)),
            ('access list: %s entries -> empty (purge)' % format(count, ','), dict(args, entries=[], purge=True), True,
             1 + pages(count) + count, '1 challenge + %d page(s) + %d DELETEs (one per entry)' % (pages(count), count)),
        ]
        for case, step_args, changed, least, why in steps:
            run = runner.module(ACCESS, step_args, case)
            if run.result['changed'] != changed or run.counts.failed:
                raise BenchError('%s: changed=%s, failed requests: %s' % (case, run.result['changed'], run.counts.failed or 'none'))
            held = len(runner.sim.key(key['id'])['accessList'])
            if held != (0 if step_args['entries'] == [] else count):
                raise BenchError('%s: the key holds %d entries afterwards' % (case, held))
            rows.append(scale_row(case, [run], least, why))
            log('  %s' % case)

    count = 20 if quick else 100
    runner.sim.reset()
    for attempt in ('first run: creates', 'second run: no-op'):
        run = runner.playbook('loop_keys.yml', bench_key_count=count)
        created = [k for k in runner.sim.call('GET', '/__sim/state')['api_keys'] if k['desc'].startswith('bench-loop-')]
        if len(created) != count or run.changed != (1 if attempt.startswith('first') else 0):
            raise BenchError('bench/loop_keys.yml (%s): %d keys, changed=%d' % (attempt, len(created), run.changed))
        first = attempt.startswith('first')
        least = count * (3 if first else 2)
        why = '%d x (1 challenge + 1 page of keys%s)' % (count, ' + 1 POST' if first else '')
        rows.append(Result(case='%d keys, one looping task, %s' % (count, attempt), counts=run.counts, least=least, why=why,
                           seconds=run.seconds, rss_kib=None, per_item=run.seconds / count))
        log('  %s' % rows[-1].case)
    one = runner.module(ORG, dict(org_id=SIM.ORG_ID, description='bench-loop-0001', roles=ORG_MEMBER), 'one loop item')
    rows[-1].rss_kib = rows[-2].rss_kib = one.rss_kib
    return rows


def scale_row(case, runs, least, why):
    return Result(case=case, counts=runs[0].counts, least=least, why=why, seconds=statistics.median(r.seconds for r in runs),
                  rss_kib=max(r.rss_kib for r in runs), per_item=None)


# --------------------------------------------------------------------------- the job in one task, next to ansible.builtin.uri

JOB_ENTRIES = ['203.0.113.0/24', '198.51.100.7/32', '192.0.2.0/28']
SPEED_TARGET = 2.5  # issue 13: the one-task job's tasks take at most 1/2.5 of the time of the uri playbook's tasks


def key_job_done(state):
    """What is wrong with the key of the job (None when it is done)."""
    return credential_done('keys described bench-job', [k for k in state['api_keys'] if k['desc'] == 'bench-job'])


def account_job_done(state):
    """What is wrong with the service account of the job (None when it is done)."""
    return credential_done('service accounts named bench-sa-job', [a for a in state['service_accounts'] if a['name'] == 'bench-sa-job'])


def credential_done(what, found):
    if len(found) != 1:
        return '%d %s' % (len(found), what)
    roles = found[0]['roles']
    held = (sorted(r['roleName'] for r in roles if 'orgId' in r), sorted(r['roleName'] for r in roles if r.get('groupId') == SIM.PROJECT_ALPHA_ID),
            sorted(e['cidrBlock'] for e in found[0]['accessList']))
    if held != (ORG_MEMBER, READ_ONLY, sorted(JOB_ENTRIES)):
        return 'org roles %s, project roles %s, entries %s' % held
    return None


class Job:
    """One job, done by several playbooks that must leave the same state: the one-task playbook, the
    ansible.builtin.uri playbook, and others shown beside them; the least requests of the one-task playbook's first and
    second run."""

    def __init__(self, name, one_task, uri, others, extra_vars, done, least):
        self.name, self.one_task, self.uri, self.extra_vars, self.done, self.least = name, one_task, uri, extra_vars, done, least
        self.playbooks = (one_task, uri) + others  # the compared pair first, one after the other: the same spell of load


JOBS = [
    Job('API key', 'job_one_task.yml', 'job_uri.yml', ('job_collection.yml',),
        dict(bench_job_description='bench-job', bench_job_entries=JOB_ENTRIES), key_job_done,
        {'first run': (6, '1 challenge + 1 page of the org\'s keys (it is missing) + ' + JOIN_CHECK + ' + 3 POSTs (the key, '
                          'its 3 entries, its project roles)'),
         'second run': (3, '1 challenge + 1 page of the org\'s keys (by description) + 1 page of its access list')}),
    Job('service account', 'job_sa_one_task.yml', 'job_sa_uri.yml', (),
        dict(bench_job_name='bench-sa-job', bench_job_entries=JOB_ENTRIES, bench_client_id=SIM.SERVICE_ACCOUNT_CLIENT_ID,
             bench_client_secret=SIM.SERVICE_ACCOUNT_CLIENT_SECRET), account_job_done,
        {'first run': (6, '1 token + 1 page of the org\'s accounts (it is missing) + ' + JOIN_CHECK + ' + 3 POSTs (the '
                          'account, its 3 entries, the invitation to its project)'),
         'second run': (4, '1 token + 1 read of the account (1 page of the org\'s accounts, by name) + 1 page of its '
                           'access list + 1 read of its projects')}),
]
ATTEMPTS = ('first run', 'second run')
FLOOR = 'task_floor.yml'


def measure_jobs(runner, repeats, log):
    """Every playbook of every job, first and second run from a reset simulator, repeats times; task times from the junit
    callback. In each repetition the one-task playbook and the uri playbook run one after the other, so that their ratio
    is taken under the same load; then bench/task_floor.yml (one ansible.builtin.ping task: what any module task costs).
    Returns one Result per job with its rows (medians) and ratios (medians of the repetitions' ratios), and the floor."""
    runs, floor = {}, []
    for repetition in range(repeats):
        for job in JOBS:
            for playbook in job.playbooks:
                runner.sim.reset()
                for attempt in ATTEMPTS:
                    run = runner.playbook(playbook, junit=True, **job.extra_vars)
                    problem = run.counts.failed and 'requests failed: %s' % run.counts.failed
                    problem = problem or job.done(runner.sim.call('GET', '/__sim/state'))
                    if not problem and attempt == 'second run' and run.counts.writes:
                        problem = 'it wrote %d times' % run.counts.writes
                    if problem:
                        raise BenchError('bench/%s (%s): %s' % (playbook, attempt, problem))
                    runs.setdefault((playbook, attempt), []).append(run)
        floor.append(task_time(runner.playbook(FLOOR, junit=True)))
        log('  repetition %d of %d done' % (repetition + 1, repeats))
    return [job_result(job, runs, log) for job in JOBS], Result(tasks=statistics.median(floor), low=min(floor), high=max(floor))


def task_time(run):
    """The sum of the durations of a playbook run's tasks (junit), skipped ones included."""
    return sum(seconds for dummy, seconds in run.cases)


def job_result(job, runs, log):
    rows = {}
    for playbook in job.playbooks:
        for attempt in ATTEMPTS:
            done = runs[(playbook, attempt)]
            if len({r.counts.sequence for r in done}) != 1:
                raise BenchError('bench/%s (%s) sent different requests from one repetition to the next' % (playbook, attempt))
            tasks = [task_time(r) for r in done]
            per_task = [(name.split(': ', 1)[-1], statistics.median(r.cases[i][1] for r in done))
                        for i, (name, dummy) in enumerate(done[0].cases)]
            row = rows[(playbook, attempt)] = Result(
                playbook=playbook, attempt=attempt, counts=done[0].counts, changed=done[0].changed, ok=done[0].ok,
                tasks=statistics.median(tasks), tasks_low=min(tasks), tasks_high=max(tasks), per_task=per_task,
                whole=statistics.median(r.seconds for r in done), least=job.least[attempt] if playbook == job.one_task else None)
            log('  %-22s %-10s tasks %.2f s, whole %.2f s, %d requests' % (playbook, attempt, row.tasks, row.whole, row.counts.total))
    ratios = []
    for attempt in ATTEMPTS:
        pairs = list(zip(runs[(job.one_task, attempt)], runs[(job.uri, attempt)]))
        task_ratios = sorted(task_time(uri) / task_time(one) for one, uri in pairs)
        whole_ratios = sorted(uri.seconds / one.seconds for one, uri in pairs)
        ratios.append(Result(attempt=attempt, tasks=statistics.median(task_ratios), tasks_low=task_ratios[0],
                             tasks_high=task_ratios[-1], whole=statistics.median(whole_ratios)))
        log('  %s, %s: uri / one task = %.2fx on task time (%.2f-%.2f), %.2fx whole playbook' % (
            job.name, attempt, ratios[-1].tasks, task_ratios[0], task_ratios[-1], ratios[-1].whole))
    return Result(job=job, rows=[rows[(p, a)] for p in job.playbooks for a in ATTEMPTS], ratios=ratios)


# --------------------------------------------------------------------------- the report

def mib(kib):
    return '%.1f' % (kib / 1024.0) if kib else 'n/a'


def yes(flag):
    return 'yes' if flag else '**no**'


def evaluate(scenarios, wall, scale, jobs):
    """The targets of issues 5 and 13: (target, what was measured, met)."""
    module_runs = scenarios + [s for s in scale if s.per_item is None]
    targets = []
    odd = [r for r in module_runs if r.counts.challenges != 1]
    targets.append(('exactly one digest challenge per module run', '%d of %d module runs had exactly one' % (
        len(module_runs) - len(odd), len(module_runs)), not odd))
    extra = [r for r in module_runs if r.counts.reads + r.counts.challenges > r.least - least_writes(r)]
    targets.append(('no extra reads beyond one per page of what must be searched', 'every run read the least' if not extra else
                    '%d of %d module runs read more than the least: %s' % (len(extra), len(module_runs), '; '.join(
                        '%s: +%d' % (row_name(r), r.counts.reads + r.counts.challenges - r.least + least_writes(r)) for r in extra)),
                    not extra))
    wrong = [r for r in module_runs if r.counts.writes != least_writes(r)]
    targets.append(('one request per write', '%d of %d module runs sent exactly one request per change%s' % (
        len(module_runs) - len(wrong), len(module_runs), '' if not wrong else ': ' + '; '.join(row_name(r) for r in wrong)), not wrong))
    adds = [r for r in module_runs if (getattr(r, 'module', None) == ACCESS and r.action.startswith('create')) or 'empty ->' in getattr(r, 'case', '')]
    targets.append(('adding any number of access-list entries takes one POST', '; '.join(
        '%s: %d POST' % (row_name(r), r.counts.posts) for r in adds), all(r.counts.posts == 1 for r in adds)))
    timed = wall[1:]
    targets.append(('wall time of a no-op task <= %.1f x an `ansible.builtin.uri` GET' % RATIO_TARGET, ', '.join(
        '`%s` %.2f' % (r.name, r.ratio) for r in timed), all(r.ratio <= RATIO_TARGET for r in timed)))
    finds = [s for s in scale if s.case.startswith('find a key')]
    targets.append(('requests grow with pages, not objects', ', '.join(
        '%s keys: %d requests' % (s.case.split(' among ')[1].split(' keys')[0], s.counts.total) for s in finds),
        all(s.counts.total == s.least for s in finds)))
    one_task = [r for j in jobs for r in j.rows if r.least is not None]
    targets.append(('a one-task job costs the least requests (API key: 3 when nothing changes; service account: 4)', '; '.join(
        '%s %s: %d (least %d)' % (r.playbook, r.attempt, r.counts.total, r.least[0]) for r in one_task),
        all(r.counts.total <= r.least[0] for r in one_task)))
    targets.append(('task time of the one-task job: %.1fx faster than the `uri` playbook or more, first and second run' % SPEED_TARGET,
                    '; '.join('%s, %s: %.2fx' % (j.job.name, r.attempt, r.tasks) for j in jobs for r in j.ratios),
                    all(r.tasks >= SPEED_TARGET for j in jobs for r in j.ratios)))
    return targets


def row_name(row):
    if hasattr(row, 'module'):
        return '`%s` %s (by %s)' % (row.module, row.action, row.found_by)
    return row.case


def least_writes(row):
    """Writes the least count of a scenario holds (its reason names them)."""
    why = row.why
    writes = 0
    for word in ('POST', 'PATCH', 'DELETE'):
        match = re.search(r'(\d+) %ss?\b' % word, why)
        writes += int(match.group(1)) if match else 0
    return writes


def report(args, scenarios, wall, wall_counts, scale, jobs, floor, elapsed):
    lines = []
    add = lines.append
    facts = (time.strftime('%Y-%m-%d'), elapsed, os.cpu_count() or 1, args.load_at_start, load_average(), platform.python_version(),
             ansible_version())
    add('Measured %s by `tools/bench.py` in %.0f s on %d CPU(s), 1-minute load average %s at the start and %s at the end: Python %s, '
        'ansible-core %s, the simulator on 127.0.0.1 (HTTP).' % facts)
    add('')
    add('### Targets')
    add('')
    add('| target | measured | met |')
    add('|---|---|---|')
    targets = evaluate(scenarios, wall, scale, jobs)
    for name, measured, met in targets:
        add('| %s | %s | %s |' % (name, measured, yes(met)))
    add('')
    add('### Requests per task')
    add('')
    add('One module run per row, on a reset simulator: an organization of 3 or 4 keys and access lists of 3 entries, one page each. '
        'Requests are the API requests in the simulator\'s log; a challenge is a `401` digest challenge. "Least" is the fewest requests '
        'the Atlas API allows for what the module reports (result, diff, check mode): a key named by description can only be found by '
        'listing the organization\'s keys (500 a page), and writes are one request per change the API can express. Every changing '
        'row was run a second time and changed nothing.')
    add('')
    add('| module | scenario | key found by | requests | challenges | reads | writes | least | why that is the least | at the least |')
    add('|---|---|---|---:|---:|---:|---:|---:|---|---|')
    for r in scenarios:
        c = r.counts
        add('| `%s` | %s | %s | %d | %d | %d | %d | %d | %s | %s |' % (
            r.module, r.action, r.found_by, c.total, c.challenges, c.reads, c.writes, r.least, r.why, yes(c.total <= r.least)))
    add_over_least(add, scenarios, lambda r: '`%s` %s, found by %s' % (r.module, r.action, r.found_by))
    add('')
    add('### Wall time of a no-op task next to an `ansible.builtin.uri` GET')
    add('')
    add('`bench/noop_timing.yml`: the four tasks interleaved, %d rounds after one warm-up round, each task timed by the '
        '`ansible.builtin.junit` callback (from the start of the task to its result, so Ansible\'s per-task work is included). '
        'Every module task is a no-op found by id; the `uri` task is one digest-authenticated GET of the same key '
        '(2 requests: the challenge and the GET). The playbook sent %d requests, %d of them challenges.'
        % (args.rounds, wall_counts.total, wall_counts.challenges))
    add('')
    add('| task | requests | median s | fastest s | slowest s | ratio to `uri`: medians | ratio: fastest | median <= %.1f x `uri` |' % RATIO_TARGET)
    add('|---|---:|---:|---:|---:|---:|---:|---|')
    noop_by_id = dict((r.module, r.counts.total) for r in scenarios if r.action == 'no-op' and r.found_by == 'id')
    for r in wall:
        add('| %s | %d | %.3f | %.3f | %.3f | %.2f | %.2f | %s |' % (
            r.title if r.name == 'uri' else '`%s`' % r.title, noop_by_id.get(r.name, 2), r.median, r.low, r.high, r.ratio, r.low / wall[0].low,
            '' if r.name == 'uri' else yes(r.ratio <= RATIO_TARGET)))
    add('')
    add('### Scale')
    add('')
    add('Module runs alone (`python -m ansible_collections.mongodb_atlas.api_keys.plugins.modules.<module> args.json`, what '
        'AnsiballZ runs, without Ansible around it); time is that process\'s wall time (median of 3 runs for the searches), '
        'peak RSS its `ru_maxrss` from `os.wait4`. The looping task is `bench/loop_keys.yml` under `ansible-playbook` (time: the '
        'whole playbook; peak RSS: one module run of the same task, alone).')
    add('')
    add('| case | requests | challenges | reads | writes | least | why that is the least | time s | peak RSS MiB |')
    add('|---|---:|---:|---:|---:|---:|---|---:|---:|')
    for r in scale:
        c = r.counts
        seconds = '%.2f' % r.seconds if r.per_item is None else '%.1f (%.2f per key)' % (r.seconds, r.per_item)
        add('| %s | %d | %d | %d | %d | %d | %s | %s | %s |' % (
            r.case, c.total, c.challenges, c.reads, c.writes, r.least, r.why, seconds, mib(r.rss_kib)))
    add_over_least(add, scale, lambda r: r.case)
    add('')
    add_jobs(add, jobs, floor, args.job_runs, scenarios)
    return lines, targets


def add_over_least(add, rows, name):
    """The requests of the rows that sent more than the least."""
    over = [r for r in rows if r.counts.total > r.least]
    if over:
        add('')
        add('Where the requests go in the rows above the least:')
        add('')
        for r in over:
            add('- %s: %s' % (name(r), r.counts.sequence))


def add_jobs(add, jobs, floor, repeats, scenarios):
    add('')
    add('### A whole credential in one task, next to `ansible.builtin.uri`')
    add('')
    add('The job: a credential with the organization role ORG_MEMBER, three access-list entries and GROUP_READ_ONLY in a '
        'project. For an API key (described `bench-job`; the playbooks connect with a key pair, digest authentication), '
        '`bench/job_one_task.yml` does it in one task of `atlas_org_api_key`, `bench/job_collection.yml` with the three '
        'granular modules and `bench/job_uri.yml` with `ansible.builtin.uri` tasks (list, compare with Jinja, POST/PATCH when '
        'needed). For a service account (named `bench-sa-job`; the playbooks connect with a service account: one access '
        'token per task of the collection, one token request in the `uri` playbook), `bench/job_sa_one_task.yml` does it in '
        'one task of `atlas_service_account` and `bench/job_sa_uri.yml` with `ansible.builtin.uri`. Each playbook runs from a '
        'reset simulator, twice (the second run must write nothing); after every run the credential is checked to be as '
        'asked. **Task time** is the sum of the durations of the playbook\'s tasks (skipped ones included) as the '
        '`ansible.builtin.junit` callback reports them, which leaves out `ansible-playbook`\'s own start-up, the same for '
        'every playbook; **whole playbook** is the whole `ansible-playbook` run. All of it is repeated %d times. In each '
        'repetition the one-task playbook and the `uri` playbook run one after the other, so that both meet the same load '
        'of the machine; a ratio below is the median of the %d repetitions\' ratios (the range gives the lowest and the '
        'highest), and times are medians.' % (repeats, repeats))
    add('')
    add('| credential | run | task time: `uri` / one task | range | >= %.1fx | whole playbook: `uri` / one task |' % SPEED_TARGET)
    add('|---|---|---:|---|---|---:|')
    for job in jobs:
        for r in job.ratios:
            add('| %s | %s | %.2fx | %.2f-%.2f | %s | %.2fx |' % (
                job.job.name, r.attempt, r.tasks, r.tasks_low, r.tasks_high, yes(r.tasks >= SPEED_TARGET), r.whole))
    add('')
    add('| playbook | run | task time s | fastest | slowest | whole playbook s | requests | challenges | tokens | reads | '
        'writes | least | tasks ok | changed |')
    add('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for job in jobs:
        for r in job.rows:
            c = r.counts
            add('| `bench/%s` | %s | %.2f | %.2f | %.2f | %.2f | %d | %d | %d | %d | %d | %s | %d | %d |' % (
                r.playbook, r.attempt, r.tasks, r.tasks_low, r.tasks_high, r.whole, c.total, c.challenges, c.tokens, c.reads,
                c.writes, '' if r.least is None else r.least[0], r.ok, r.changed))
    add('')
    add('The least for the one-task playbooks:')
    add('')
    for job in jobs:
        for r in job.rows:
            if r.least is not None:
                add('- `bench/%s`, %s: %d, %s; sent: %s' % (r.playbook, r.attempt, r.least[0], r.least[1], r.counts.sequence))
    add('')
    alone = ', '.join('`%s` %.2f s' % (r.module, r.seconds) for r in scenarios if r.action == 'one task: no-op')
    add('Where the time goes: each task\'s median seconds. For comparison, the module process alone (no Ansible around it), '
        'in the no-op rows of the requests table: %s. And what any module task costs before it does any work of its own, '
        '`bench/task_floor.yml` (one `ansible.builtin.ping` task: a worker, the AnsiballZ payload built and run, a Python '
        'start-up, the import of `AnsibleModule`), in the same repetitions: %.2f s (%.2f-%.2f); the `uri` playbooks\' task '
        'times are %s times that.' % (alone, floor.tasks, floor.low, floor.high, ', '.join(
            '%.1f (%s, %s)' % (r.tasks / floor.tasks, job.job.name, r.attempt) for job in jobs for r in job.rows if r.playbook == job.job.uri)))
    add('')
    for job in jobs:
        for r in job.rows:
            add('- `bench/%s`, %s: %s' % (r.playbook, r.attempt, ', '.join('%s %.2f' % task for task in r.per_task)))


def load_average():
    try:
        return '%.1f' % os.getloadavg()[0]
    except OSError:
        return 'unknown'


def ansible_version():
    try:
        from ansible.release import __version__  # pylint: disable=import-outside-toplevel
    except ImportError:
        return 'unknown'
    return __version__


def write_doc(path, lines):
    """Replace what lies between the markers; keep the hand-written text around them."""
    generated = '\n'.join([BEGIN] + lines + [END]) + '\n'
    text = ''
    if os.path.exists(path):
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + generated.rstrip('\n') + rest.split(END, 1)[1]
    elif text:  # no markers yet: keep the text, add the figures after it
        text = text.rstrip('\n') + '\n\n' + generated
    else:
        text = '# Performance\n\nWritten by `make bench` (tools/bench.py).\n\n' + generated
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)


# --------------------------------------------------------------------------- main

def find_collections_path(given):
    candidates = [given] if given else [p for p in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep) if p]
    for path in candidates:
        if os.path.isfile(os.path.join(path, 'ansible_collections', 'mongodb_atlas', 'api_keys', 'plugins', 'modules', ORG + '.py')):
            return os.path.abspath(path)
    raise BenchError('no mongodb_atlas.api_keys collection under %s: run it through `nox -e bench` (or `make bench`)' % ', '.join(candidates))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--out', default=DEFAULT_OUT, help='the Markdown file to write (default: docs/performance.md)')
    parser.add_argument('--rounds', type=int, default=7, help='timed rounds of bench/noop_timing.yml (default 7)')
    parser.add_argument('--collections-path', help='the directory above ansible_collections/ (default: ANSIBLE_COLLECTIONS_PATH)')
    parser.add_argument('--job-runs', type=int, help='repetitions of the job playbooks (default 7, with --quick 3)')
    parser.add_argument('--quick', action='store_true', help='smaller scale cases, for trying the script out; does not write --out')
    parser.add_argument('--strict', action='store_true', help='exit 1 when a target is not met')
    args = parser.parse_args(argv)
    if args.job_runs is None:
        args.job_runs = 3 if args.quick else 7
    started, args.load_at_start = time.perf_counter(), load_average()

    def log(text):
        print(text, flush=True)

    sim = None
    try:
        collections_path = find_collections_path(args.collections_path)
        sim = Simulator(os.environ.get('ATLAS_SIM_URL'))
        with tempfile.TemporaryDirectory(prefix='atlas-bench-') as work:
            runner = Runner(sim, collections_path, work)
            log('>>> requests per task (%s)' % collections_path)
            scenarios = measure_scenarios(runner, log)
            log('>>> wall time of no-op tasks against ansible.builtin.uri')
            wall, wall_counts = measure_wall_time(runner, args.rounds, log)
            log('>>> scale')
            scale = measure_scale(runner, args.quick, log)
            log('>>> a whole credential in one task, next to ansible.builtin.uri')
            jobs, floor = measure_jobs(runner, args.job_runs, log)
    except BenchError as err:
        sys.exit('bench.py: error: %s' % err)
    finally:
        if sim is not None:
            sim.close()

    lines, targets = report(args, scenarios, wall, wall_counts, scale, jobs, floor, time.perf_counter() - started)
    print('\n' + '\n'.join(lines))
    if not args.quick:
        write_doc(args.out, lines)
        print('\nwritten: %s' % args.out)
    missed = [name for name, dummy, met in targets if not met]
    if missed:
        print('\ntargets not met: %s' % '; '.join(missed))
        if args.strict:
            sys.exit(1)


if __name__ == '__main__':
    main(sys.argv[1:])
