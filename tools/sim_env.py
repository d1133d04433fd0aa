#!/usr/bin/env python
"""Turn the Atlas simulator's seeded constants into what our tools consume.

    sim_env.py exports URL                  shell `export` lines (sourced by with_simulator.sh)
    sim_env.py integration-config URL OUT   tests/integration/integration_config.yml for ansible-test

The values (org id, project ids, admin key pair) are read from tests/simulator/atlas_simulator.py
itself (ORG_ID, PROJECT_IDS, ADMIN_PUBLIC_KEY, ADMIN_PRIVATE_KEY), so they cannot drift from it.
"""
import importlib.util
import json
import os
import shlex
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIMULATOR = os.path.join(ROOT, 'tests', 'simulator', 'atlas_simulator.py')


def load_simulator():
    spec = importlib.util.spec_from_file_location('atlas_simulator', SIMULATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# integration_config.yml variable <- simulator constant, for the constants the simulator defines
OPTIONAL = {
    'atlas_admin_key_id': 'ADMIN_KEY_ID',
    'atlas_other_org_id': 'OTHER_ORG_ID',
    'atlas_read_only_key_id': 'READ_ONLY_KEY_ID',
    'atlas_read_only_public_key': 'READ_ONLY_PUBLIC_KEY',
    'atlas_read_only_private_key': 'READ_ONLY_PRIVATE_KEY',
    'atlas_project_key_id': 'PROJECT_KEY_ID',
    'atlas_project_public_key': 'PROJECT_PUBLIC_KEY',
    'atlas_project_private_key': 'PROJECT_PRIVATE_KEY',
    'atlas_sa_client_id': 'SERVICE_ACCOUNT_CLIENT_ID',
    'atlas_sa_client_secret': 'SERVICE_ACCOUNT_CLIENT_SECRET',
}


def facts(url):
    """The integration_config.yml variables: atlas_sim_url, atlas_org_id, atlas_project_<name>
    for each of PROJECT_IDS (atlas_project_alpha, atlas_project_beta), atlas_project_ids,
    atlas_admin_public_key, atlas_admin_private_key, and those of OPTIONAL."""
    sim = load_simulator()
    project_ids = dict(sim.PROJECT_IDS)
    result = {
        'atlas_sim_url': url,
        'atlas_org_id': sim.ORG_ID,
        'atlas_project_ids': project_ids,
        'atlas_admin_public_key': sim.ADMIN_PUBLIC_KEY,
        'atlas_admin_private_key': sim.ADMIN_PRIVATE_KEY,
    }
    for name, project_id in sorted(project_ids.items()):
        result['atlas_project_%s' % name] = project_id
    for variable, constant in OPTIONAL.items():
        if hasattr(sim, constant):
            result[variable] = getattr(sim, constant)
    return result


def first_project(project_ids):
    name = 'alpha' if 'alpha' in project_ids else sorted(project_ids)[0]
    return project_ids[name]


def exports(url):
    f = facts(url)
    env = {
        'ATLAS_SIM_URL': url,
        # what the modules' environment fallbacks and examples/demo.yml read
        'MONGODB_ATLAS_BASE_URL': url,
        'MONGODB_ATLAS_PUBLIC_API_KEY': f['atlas_admin_public_key'],
        'MONGODB_ATLAS_PRIVATE_API_KEY': f['atlas_admin_private_key'],
        'MONGODB_ATLAS_ORG_ID': f['atlas_org_id'],
        # examples/ read the project from here; the simulator's first project ("alpha")
        'MONGODB_ATLAS_PROJECT_ID': first_project(f['atlas_project_ids']),
    }
    for name, project_id in sorted(f['atlas_project_ids'].items()):
        env['ATLAS_SIM_PROJECT_ID_%s' % name.upper()] = project_id
    return ''.join('export %s=%s\n' % (key, shlex.quote(value)) for key, value in env.items())


def main(argv):
    if len(argv) == 2 and argv[0] == 'exports':
        sys.stdout.write(exports(argv[1]))
    elif len(argv) == 3 and argv[0] == 'integration-config':
        with open(argv[2], 'w') as out:
            out.write('# Written by the Makefile (tools/sim_env.py) for one run against the simulator.\n')
            # JSON is YAML; key order as above
            out.write(json.dumps(facts(argv[1]), indent=2) + '\n')
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
