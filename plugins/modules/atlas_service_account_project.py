#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_service_account_project
short_description: Assign a MongoDB Atlas service account to a project and set its project roles
version_added: 0.2.0
description:
  - Assign an organization service account to one Atlas project with a set of project roles, change
    its roles in that project, or remove it from the project. The same as
    M(mongodb_atlas.api_keys.atlas_project_api_key), for a service account.
  - The account must exist; this module never creates or deletes accounts, and O(state=absent) removes
    the account from the project only (the account and its secrets stay). Create accounts with
    M(mongodb_atlas.api_keys.atlas_service_account).
  - This module works on one project only. It never changes the account's other projects or its
    organization roles.
  - Service accounts exist only in the v2 API; O(api_version=v1.0) fails before any request.
  - "Reads: by O(account_client_id), one read of the account in the project; when it is not there and
    O(state=present), one read of the account in the organization (and one of the project when O(org_id) is
    left out). By O(name), every page of the organization's accounts first. With O(org_id), one read of the
    project before a write, to fail before any change when it belongs to another organization; not made for an
    account found by O(name) that is in the project already."
author:
  - mongodb_atlas.api_keys developers (@mongodb-atlas-ansible)
extends_documentation_fragment:
  - mongodb_atlas.api_keys.atlas.ACCOUNT_SELECTOR
  - ansible.builtin.action_common_attributes
  - mongodb_atlas.api_keys.atlas
  - mongodb_atlas.api_keys.atlas.CONNECTION
  - mongodb_atlas.api_keys.atlas.ATTRIBUTES
options:
  project_id:
    description:
      - Id of the Atlas project (group) to assign the account to (24 hexadecimal characters).
      - When not set, the environment variable E(MONGODB_ATLAS_PROJECT_ID) is used (the name the Atlas CLI uses).
    type: str
    required: true
  org_id:
    description:
      - Id of the Atlas organization that owns the account and the project (24 hexadecimal characters).
      - Required when the account is named by O(name). With O(account_client_id) it may be left out; the
        organization of the project is then read when needed.
      - When given and the project belongs to another organization, the task fails before any change.
      - When not set, the environment variable E(MONGODB_ATLAS_ORG_ID) is used (the name the Atlas CLI uses).
    type: str
    required: false
  name:
    description:
      - Name of the account; needs O(org_id). It must match exactly one account of the organization.
      - Exactly one of O(account_client_id) and O(name) names the account.
    type: str
  roles:
    description:
      - The roles the account should have in this project, compared as a set. They replace its roles there.
      - Required with O(state=present), at least one C(GROUP_*) role. Ignored with O(state=absent).
    type: list
    elements: str
  state:
    description:
      - V(present) assigns the account to the project with O(roles), or changes its roles there.
      - V(absent) removes the account from the project; it is not an error when it is not there.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Assigning an account to a project needs the Organization Owner role; changing its roles there or
    removing it needs Project Owner.
seealso:
  - module: mongodb_atlas.api_keys.atlas_service_account
  - module: mongodb_atlas.api_keys.atlas_service_account_accesslist
  - module: mongodb_atlas.api_keys.atlas_service_account_info
  - module: mongodb_atlas.api_keys.atlas_project_api_key
  - name: Atlas user roles
    description: What each project role allows.
    link: https://www.mongodb.com/docs/atlas/reference/user-roles/
"""

EXAMPLES = r"""
- name: Let the CI service account manage the clusters of one project
  mongodb_atlas.api_keys.atlas_service_account_project:
    project_id: 6570a1b2c3d4e5f6a7b8c9ff
    account_client_id: mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa
    roles:
      - GROUP_CLUSTER_MANAGER

- name: Remove the account named ci-deploy from a project (the account stays)
  mongodb_atlas.api_keys.atlas_service_account_project:
    org_id: 5f4e3d2c1b0a998877665544
    project_id: 6570a1b2c3d4e5f6a7b8c9ff
    name: ci-deploy
    state: absent
"""

RETURN = r"""
service_account:
  description:
    - The account after the task, with its roles in this project (empty when it is not assigned).
    - Empty when the account does not exist (only with O(state=absent)).
  returned: always
  type: dict
  contains:
    client_id:
      description: Client id of the account.
      type: str
      returned: when the account exists
      sample: mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa
    name:
      description: Name of the account.
      type: str
      returned: when the account exists
      sample: ci-deploy
    roles:
      description: Roles of the account in this project, sorted; empty when it is not assigned to it.
      type: list
      elements: str
      returned: when the account exists
      sample: [GROUP_CLUSTER_MANAGER]
"""

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import clean_roles, project_role_problem
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule, org_id_option, project_id_option
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.project_roles import converge_project_roles
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.projects import check_project_org, project_org_id
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.service_accounts import (
    SERVICE_ACCOUNT_PROJECT_ROLES,
    account_label,
    account_selector,
    account_selector_options,
    check_account_selector,
    find_account,
    read_project_account,
)


def find_member(atlas, project_id, org_id, params):
    """(The raw account or None, its roles in the project, the organization id or None)."""
    client_id = params["account_client_id"]
    if client_id:
        member = read_project_account(atlas, project_id, client_id)
        if member or params["state"] == "absent":
            return member, (member or {}).get("roles") or [], org_id
        org_id = org_id or project_org_id(atlas, project_id)
        return find_account(atlas, org_id, client_id=client_id), [], org_id
    account = find_account(atlas, org_id, name=params["name"])
    member = account and read_project_account(atlas, project_id, account["clientId"])
    return account, (member or {}).get("roles") or [], org_id


def main():
    atlas = AtlasModule(
        argument_spec=dict(
            account_selector_options(),
            project_id=project_id_option(),
            org_id=org_id_option(required=False),  # the project's organization is read when needed
            roles=dict(type="list", elements="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        mutually_exclusive=[("account_client_id", "name")],
        required_one_of=[("account_client_id", "name")],
        required_if=[("state", "present", ["roles"])],
    )
    params = atlas.params
    project_id, org_id, state = params["project_id"], params["org_id"], params["state"]
    check_account_selector(atlas)
    atlas.check_hex_id("project_id")
    if params["name"] is not None and not org_id:
        atlas.fail("org_id is required when the account is named by name: the account is looked for among the "
                   "service accounts of the organization, not only those of project %s." % project_id)
    roles = sorted(set(clean_roles(atlas) or []))
    if state == "present":
        problem = project_role_problem(roles)
        if problem:
            atlas.fail(problem)

    given_org_id = org_id
    account, current, org_id = find_member(atlas, project_id, org_id, params)
    selector = account_selector(params)
    if account is None:
        if state == "present":
            atlas.fail("%s does not exist in organization %s. This module never creates accounts: create it with "
                       "mongodb_atlas.api_keys.atlas_service_account." % (account_label(**selector), org_id))
        atlas.set_diff({}, {})
        atlas.exit(service_account={})
    client_id = account["clientId"]
    write_follows = sorted(set(current)) != roles if state == "present" else current
    # A write must not reach a project of another organization. An account found among org_id's accounts (by name)
    # that is in the project already proves the project is of org_id; one found in the project by client id does not.
    if given_org_id and write_follows and not (current and params["name"] is not None):
        check_project_org(atlas, project_id, given_org_id)
    outcome = converge_project_roles(
        atlas, SERVICE_ACCOUNT_PROJECT_ROLES, project_id, client_id, current, roles, state,
        assigned_again=lambda: read_project_account(atlas, project_id, client_id))
    atlas.set_diff(dict(roles=outcome["before"]), dict(roles=outcome["after"]))
    atlas.exit(service_account=dict(client_id=client_id, name=account.get("name"), roles=outcome["after"]))


if __name__ == "__main__":
    main()
