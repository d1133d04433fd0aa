#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_org_api_key
short_description: Manage MongoDB Atlas organization API keys
version_added: 0.1.0
description:
  - Create, update and delete a programmatic API key of a MongoDB Atlas organization, with
    its description and its organization roles.
  - "A new key's private key is returned once, by the task that created it. Atlas shows it only
    then; it cannot be read again, so store it at once (Ansible Vault, a secrets manager) and
    put C(no_log: true) on that task."
  - Adopting an existing key (naming it by O(api_key_id) or O(public_key)) never recovers its
    private key.
  - The same task can also declare the key's access list (O(access_list)) and its roles in projects
    (O(project_roles), O(purge_projects)), so that one task makes a complete, usable key. Playbooks that
    split these parts between owners use M(mongodb_atlas.api_keys.atlas_api_key_accesslist) and
    M(mongodb_atlas.api_keys.atlas_project_api_key) instead; both forms share the same code.
author:
  - mongodb_atlas.api_keys developers (@mongodb-atlas-ansible)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - mongodb_atlas.api_keys.atlas
  - mongodb_atlas.api_keys.atlas.CONNECTION
  - mongodb_atlas.api_keys.atlas.CREDENTIAL
  - mongodb_atlas.api_keys.atlas.ATTRIBUTES
options:
  org_id:
    description:
      - Id of the Atlas organization that owns the key (24 hexadecimal characters).
      - When not set, the environment variable E(MONGODB_ATLAS_ORG_ID) is used (the name the Atlas CLI uses).
    type: str
    required: true
  api_key_id:
    description:
      - Id of an existing key (24 hexadecimal characters), as returned in RV(api_key.id).
      - Not the 8-character public key; use O(public_key) for that.
      - A key cannot be created with a chosen id, so with O(state=present) the key must exist.
      - Mutually exclusive with O(public_key).
    type: str
  public_key:
    description:
      - Public key of an existing key (8 characters), the user name of the key.
      - With O(state=present) the key must exist.
      - Mutually exclusive with O(api_key_id).
    type: str
  description:
    description:
      - The key's description, 1 to 250 characters.
      - When neither O(api_key_id) nor O(public_key) is given, the description names the key; it
        must match at most one key of the organization, and a key is created when none matches.
      - When the key is named by O(api_key_id) or O(public_key), this is the description it should have.
    type: str
  roles:
    description:
      - The organization roles the key should have, compared as a set (order does not matter).
      - Required to create a key. When omitted for an existing key, its roles are left alone.
      - One or more of V(ORG_OWNER), V(ORG_MEMBER), V(ORG_GROUP_CREATOR), V(ORG_BILLING_ADMIN),
        V(ORG_BILLING_READ_ONLY), V(ORG_STREAM_PROCESSING_ADMIN), V(ORG_READ_ONLY).
      - Project (C(GROUP_*)) roles are set per project, with O(project_roles) or
        M(mongodb_atlas.api_keys.atlas_project_api_key).
    type: list
    elements: str
  state:
    description:
      - V(present) creates the key or brings its description and roles to what is asked, and its access list
        and projects when O(access_list) and O(project_roles) are given.
      - V(absent) deletes the key, which also removes it from every project. It is not an error
        when the key does not exist.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: mongodb_atlas.api_keys.atlas_org_api_key_info
  - module: mongodb_atlas.api_keys.atlas_api_key_accesslist
  - module: mongodb_atlas.api_keys.atlas_project_api_key
  - name: Atlas programmatic access
    description: How Atlas API keys, roles and access lists work.
    link: https://www.mongodb.com/docs/atlas/configure-api-access/
"""

EXAMPLES = r"""
- name: Create a key for CI, or bring an existing one to these roles
  mongodb_atlas.api_keys.atlas_org_api_key:
    org_id: 5f4e3d2c1b0a998877665544
    description: ci-deploy
    roles:
      - ORG_MEMBER
  register: ci_key
  no_log: true  # the result holds the new key's private key

- name: Store the private key of the new key (it is shown only once)
  ansible.builtin.copy:
    content: "{{ ci_key.api_key.private_key }}"
    dest: /etc/ci/atlas-private-key
    mode: "0600"
  when: ci_key.api_key.private_key is defined
  no_log: true

- name: A complete CI key in one task - its roles, where it may call from, and its role in one project
  mongodb_atlas.api_keys.atlas_org_api_key:
    org_id: 5f4e3d2c1b0a998877665544
    description: ci-deploy
    roles: [ORG_MEMBER]
    access_list:
      - 192.0.2.10
      - 198.51.100.0/24
    project_roles:
      - project_id: 6570a1b2c3d4e5f6a7b8c9ff
        roles: [GROUP_READ_ONLY]
  register: ci_key
  no_log: true  # the run that creates the key returns its private key

- name: Keep the key in exactly these projects, with these roles; take it out of every other project
  mongodb_atlas.api_keys.atlas_org_api_key:
    org_id: 5f4e3d2c1b0a998877665544
    description: ci-deploy
    project_roles:
      - project_id: 6570a1b2c3d4e5f6a7b8c9ff
        roles: [GROUP_READ_ONLY]
      - project_id: 6570a1b2c3d4e5f6a7b8c9fe
        roles: [GROUP_DATA_ACCESS_READ_WRITE, GROUP_READ_ONLY]
    purge_projects: true

- name: Change the description of a key named by its public key
  mongodb_atlas.api_keys.atlas_org_api_key:
    org_id: 5f4e3d2c1b0a998877665544
    public_key: zmmrboas
    description: ci-deploy (rotated 2026-11)

- name: Set credentials once for every task of the collection
  module_defaults:
    group/mongodb_atlas.api_keys.atlas:
      api_public_key: "{{ vault_atlas_public_key }}"
      api_private_key: "{{ vault_atlas_private_key }}"
  block:
    - name: Delete a key
      mongodb_atlas.api_keys.atlas_org_api_key:
        org_id: 5f4e3d2c1b0a998877665544
        api_key_id: 6570a1b2c3d4e5f6a7b8c9d0
        state: absent
"""

RETURN = r"""
api_key:
  description:
    - The key after the task; with O(state=absent), the key that was deleted (empty when there was none).
    - In check mode, the key as it would be; a key that would be created has no id or public key yet.
    - "Also in the result of a task that failed half way, after it had created or changed the key (its access
      list or a project failed): the key as written, with RV(api_key.private_key) when the task created it. The
      message says what was done and what was not; run the task again to finish the job."
  returned: always
  type: dict
  contains:
    id:
      description: Id of the key, the C(api_key_id) of the other modules.
      type: str
      returned: when the key exists
      sample: 6570a1b2c3d4e5f6a7b8c9d0
    public_key:
      description: Public key of the key (its user name).
      type: str
      returned: when the key exists
      sample: zmmrboas
    description:
      description: Description of the key.
      type: str
      returned: when the key exists
      sample: ci-deploy
    roles:
      description: Organization roles of the key, sorted.
      type: list
      elements: str
      returned: when the key exists
      sample: [ORG_MEMBER]
    access_list:
      description:
        - The key's access list after the task (as it would be, in check mode), as CIDR blocks in address order.
      type: list
      elements: str
      returned: when O(access_list) is given and O(state=present)
      sample: [192.0.2.10/32, 198.51.100.0/24]
    project_assignments:
      description:
        - Projects the key is assigned to, with its roles in each, by project id.
        - With O(project_roles), after the task (as they would be, in check mode).
      type: list
      elements: dict
      returned: when the key exists
      sample: [{project_id: 6570a1b2c3d4e5f6a7b8c9ff, roles: [GROUP_READ_ONLY]}]
      contains:
        project_id:
          description: Id of the project.
          type: str
        roles:
          description: Roles of the key in that project, sorted.
          type: list
          elements: str
    private_key:
      description:
        - "The private key of the new key, in clear. Only the task that created the key returns it;
          Atlas never shows it again. Use C(no_log: true) on that task and store it."
      type: str
      returned: when the key was created by this task (not in check mode)
      sample: 55c3bbb6-b4bb-4be1-8e6d-20841f3e0000
"""

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import (
    check_key_selector,
    clean_roles,
    find_org_key,
    key_label,
    key_result,
    org_keys_path,
    org_role_problem,
    org_roles,
    post_new_key,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.credential import (
    API_KEY,
    CredentialModule,
    converge_credential,
    credential_options,
    wanted_parts,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import org_id_option


def managed_fields(key):
    """The fields this module manages, for the diff."""
    return dict(description=key["description"], roles=key["roles"]) if key else {}


def create_key(atlas, org_id, description, roles):
    created = post_new_key(atlas, org_keys_path(org_id), "create API key '%s' in organization %s" % (description, org_id),
                           body=dict(desc=description, roles=sorted(set(roles))),
                           find_again=lambda: find_org_key(atlas, org_id, description=description),
                           shape=lambda key: key_result(key, org_id))
    if created is None:  # check mode
        return dict(description=description, roles=sorted(set(roles)), project_assignments=[])
    result = key_result(created, org_id)
    result["private_key"] = created.get("privateKey")
    return result


def update_key(atlas, org_id, key, description, roles):
    changes = {}
    if description is not None and description != key.get("desc"):
        changes["desc"] = description
    if roles is not None and set(roles) != set(org_roles(key, org_id)):
        changes["roles"] = sorted(set(roles))
    if not changes:
        return key_result(key, org_id)
    updated = atlas.write("PATCH", org_keys_path(org_id, key["id"]),
                          "update %s in organization %s" % (key_label(key["id"]), org_id), body=changes)
    result = key_result(updated if updated is not None else key, org_id)
    if updated is None:  # check mode: show the key as it would be
        result.update(description=changes.get("desc", result["description"]), roles=changes.get("roles", result["roles"]))
    return result


def main():
    atlas = CredentialModule(
        argument_spec=dict(
            org_id=org_id_option(),
            api_key_id=dict(type="str"),
            public_key=dict(type="str"),
            description=dict(type="str"),
            roles=dict(type="list", elements="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            **credential_options()
        ),
        mutually_exclusive=[("api_key_id", "public_key")],
    )
    params = atlas.params
    org_id, description, roles = params["org_id"], params["description"], clean_roles(atlas)
    atlas.check_hex_id("org_id")
    check_key_selector(atlas)
    wanted = None
    if params["state"] == "present":
        problem = org_role_problem(roles) if roles is not None else None
        if problem:
            atlas.fail(problem)
        wanted = wanted_parts(atlas, org_roles_with="roles")

    named_by_id = params["api_key_id"] or params["public_key"]
    key = find_org_key(atlas, org_id, api_key_id=params["api_key_id"], public_key=params["public_key"],
                       description=None if named_by_id else description)
    before = key_result(key, org_id) if key else {}

    if params["state"] == "absent":
        if key:
            atlas.write("DELETE", org_keys_path(org_id, key["id"]),
                        "delete %s in organization %s" % (key_label(key["id"]), org_id))
        atlas.set_diff(managed_fields(before), {})
        atlas.exit(api_key=before)

    if key is None:
        if named_by_id:
            atlas.fail("%s does not exist in organization %s. A key cannot be created with a chosen id: give a "
                       "description and roles without api_key_id and public_key to create one."
                       % (key_label(params["api_key_id"], params["public_key"]), org_id))
        if roles is None:
            atlas.fail("roles is required to create %s; no key with this description exists in organization %s."
                       % (key_label(description=description), org_id))

    def write():
        if key is None:
            return create_key(atlas, org_id, description, roles)
        return update_key(atlas, org_id, key, description, roles)

    atlas.exit(api_key=converge_credential(atlas, API_KEY, org_id, before, wanted, write, managed_fields))


if __name__ == "__main__":
    main()
