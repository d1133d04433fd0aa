#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_project_api_key
short_description: Assign MongoDB Atlas API keys to a project and set their project roles
version_added: 0.1.0
description:
  - Assign an organization API key to one Atlas project with a set of project roles, change its
    roles in that project, or remove it from the project.
  - >-
    When the key is named by O(description) and no key of the organization has that description,
    the key is created and assigned to the project in one request. Its private key is returned
    once, by the task that created it. Atlas shows it only then; it cannot be read again, so store
    it at once (Ansible Vault, a secrets manager) and put C(no_log: true) on that task.
  - Naming an existing key never recovers its private key.
  - This module works on one project only. It never changes the key's assignments to other
    projects, its organization roles or its description, and O(state=absent) never deletes the
    key itself; use M(mongodb_atlas.api_keys.atlas_org_api_key) for those.
author:
  - mongodb_atlas.api_keys developers (@mongodb-atlas-ansible)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - mongodb_atlas.api_keys.atlas
  - mongodb_atlas.api_keys.atlas.CONNECTION
  - mongodb_atlas.api_keys.atlas.ATTRIBUTES
options:
  project_id:
    description:
      - Id of the Atlas project (group) to assign the key to (24 hexadecimal characters).
      - When not set, the environment variable E(MONGODB_ATLAS_PROJECT_ID) is used (the name the Atlas CLI uses).
    type: str
    required: true
  org_id:
    description:
      - Id of the Atlas organization that owns the key and the project (24 hexadecimal characters).
      - Required when the key is named by O(public_key) or O(description), because the key is looked
        for among all the keys of the organization, not only those of the project.
      - With O(api_key_id) it may be left out. The module then reads the keys of the project; when
        O(state=present) and the key is not among them, it reads the project once to learn its
        organization and assigns the key from there.
      - When given and the key is about to join the project, the project is read once first, so that a
        project of another organization fails the task before any change. A key of O(org_id) that is in the project
        already needs no such read.
      - When not set, the environment variable E(MONGODB_ATLAS_ORG_ID) is used (the name the Atlas CLI uses).
    type: str
  api_key_id:
    description:
      - Id of an existing key (24 hexadecimal characters), as returned in RV(api_key.id).
      - Not the 8-character public key; use O(public_key) for that.
      - With O(state=present) the key must exist.
      - Exactly one of O(api_key_id), O(public_key) and O(description) names the key.
    type: str
  public_key:
    description:
      - Public key of an existing key (8 characters), the user name of the key. Needs O(org_id).
      - With O(state=present) the key must exist.
    type: str
  description:
    description:
      - Description of the key, 1 to 250 characters. Needs O(org_id).
      - It must match at most one key of the organization. When none matches and O(state=present),
        a key with this description and O(roles) is created in the organization and assigned to
        the project.
    type: str
  roles:
    description:
      - The roles the key should have in this project, compared as a set (order does not matter).
        They replace the key's roles in the project.
      - Required with O(state=present), at least one. Ignored with O(state=absent).
      - Project roles are C(GROUP_*) names. Atlas keeps adding finer project roles, so any
        C(GROUP_*) name is accepted and Atlas has the last word. Known roles are V(GROUP_BACKUP_MANAGER),
        V(GROUP_CLUSTER_MANAGER), V(GROUP_DATA_ACCESS_ADMIN), V(GROUP_DATA_ACCESS_READ_ONLY),
        V(GROUP_DATA_ACCESS_READ_WRITE), V(GROUP_DATABASE_ACCESS_ADMIN), V(GROUP_OBSERVABILITY_VIEWER),
        V(GROUP_OWNER), V(GROUP_READ_ONLY), V(GROUP_SEARCH_INDEX_EDITOR) and V(GROUP_STREAM_PROCESSING_OWNER).
      - Organization (C(ORG_*)) roles are set with M(mongodb_atlas.api_keys.atlas_org_api_key).
    type: list
    elements: str
  state:
    description:
      - V(present) assigns the key to the project with O(roles), or changes its roles there.
      - V(absent) removes the key from the project. The key itself and its other projects stay
        as they are. It is not an error when the key is not assigned or does not exist.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Assigning a key needs the Project Owner role; changing its roles in the project or removing it
    needs Project Owner (Project Access Manager on the v2 API). Creating a key needs Organization Owner.
seealso:
  - module: mongodb_atlas.api_keys.atlas_project_api_key_info
  - module: mongodb_atlas.api_keys.atlas_org_api_key
  - module: mongodb_atlas.api_keys.atlas_api_key_accesslist
  - name: Atlas user roles
    description: What each project role allows.
    link: https://www.mongodb.com/docs/atlas/reference/user-roles/
"""

EXAMPLES = r"""
- name: Let an existing key read one project
  mongodb_atlas.api_keys.atlas_project_api_key:
    org_id: 5f4e3d2c1b0a998877665544
    project_id: 6570a1b2c3d4e5f6a7b8c9ff
    public_key: zmmrboas
    roles:
      - GROUP_READ_ONLY

- name: Create a key for a project's deployments, or bring an existing one to these roles
  mongodb_atlas.api_keys.atlas_project_api_key:
    org_id: 5f4e3d2c1b0a998877665544
    project_id: 6570a1b2c3d4e5f6a7b8c9ff
    description: deploy-shop
    roles:
      - GROUP_CLUSTER_MANAGER
      - GROUP_DATA_ACCESS_READ_WRITE
  register: deploy_key
  no_log: true  # the result holds the new key's private key

- name: Store the private key of the new key (it is shown only once)
  ansible.builtin.copy:
    content: "{{ deploy_key.api_key.private_key }}"
    dest: /etc/ci/atlas-private-key
    mode: "0600"
  when: deploy_key.api_key.private_key is defined
  no_log: true

- name: Remove a key from a project (the key itself is kept)
  mongodb_atlas.api_keys.atlas_project_api_key:
    project_id: 6570a1b2c3d4e5f6a7b8c9ff
    api_key_id: 6570a1b2c3d4e5f6a7b8c9d0
    state: absent
"""

RETURN = r"""
api_key:
  description:
    - The key after the task, with its roles in this project. With O(state=absent), RV(api_key.roles)
      is empty; when the key does not exist (or, without O(org_id), is not in the project), this is empty.
    - In check mode, the key as it would be; a key that would be created has no id or public key yet.
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
      sample: deploy-shop
    roles:
      description: Roles of the key in this project, sorted; empty when it is not assigned to it.
      type: list
      elements: str
      returned: when the key exists
      sample: [GROUP_CLUSTER_MANAGER, GROUP_DATA_ACCESS_READ_WRITE]
    private_key:
      description:
        - >-
          The private key of the new key, in clear. Only the task that created the key returns it;
          Atlas never shows it again. Use C(no_log: true) on that task and store it.
      type: str
      returned: when the key was created by this task (not in check mode)
      sample: 55c3bbb6-b4bb-4be1-8e6d-20841f3e0000
"""

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import (
    API_KEY_PROJECT_ROLES,
    KEY_SELECTORS,
    check_key_selector,
    clean_roles,
    find_org_key,
    key_label,
    key_selector,
    post_new_key,
    project_key_result,
    project_keys_path,
    project_role_problem,
    project_roles,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule, org_id_option, project_id_option
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.project_roles import converge_project_roles
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.projects import check_project_org, project_org_id


def project_key(raw, project_id, roles=None):
    """A key as this module returns it (roles in this project only, no private key); {} for no key."""
    if not raw:
        return {}
    result = project_key_result(raw, project_id)
    if roles is not None:
        result["roles"] = roles
    return result


def find_key(atlas, project_id, org_id, params):
    """(The raw key (all its roles) or None, the organization id or None).

    Without org_id the project's (assigned) keys are read; a key that is not among them is looked
    for, with state=present, in the project's organization (one more read, of the project).
    """
    if org_id:
        return find_org_key(atlas, org_id, **key_selector(params)), org_id
    keys = atlas.list_all(project_keys_path(project_id), "list the API keys of project %s" % project_id)
    key = next((key for key in keys if key.get("id") == params["api_key_id"] and project_roles(key, project_id)), None)
    if key or params["state"] == "absent":
        return key, None
    org_id = project_org_id(atlas, project_id)
    return find_org_key(atlas, org_id, api_key_id=params["api_key_id"]), org_id


def create_and_assign(atlas, project_id, org_id, description, roles):
    created = post_new_key(atlas, project_keys_path(project_id),
                           "create API key '%s' in project %s" % (description, project_id),
                           body=dict(desc=description, roles=roles),
                           find_again=lambda: find_org_key(atlas, org_id, description=description),
                           shape=lambda key: project_key(key, project_id),
                           delete_with="mongodb_atlas.api_keys.atlas_org_api_key with org_id=%s, api_key_id=%%s, "
                                       "state=absent" % org_id)
    if created is None:  # check mode
        return dict(description=description, roles=roles)
    return dict(project_key(created, project_id), private_key=created.get("privateKey"))


def main():
    atlas = AtlasModule(
        argument_spec=dict(
            project_id=project_id_option(),
            org_id=org_id_option(required=False),
            api_key_id=dict(type="str"),
            public_key=dict(type="str"),
            description=dict(type="str"),
            roles=dict(type="list", elements="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        mutually_exclusive=[KEY_SELECTORS],
        required_one_of=[KEY_SELECTORS],
        required_if=[("state", "present", ["roles"])],
    )
    params = atlas.params
    project_id, org_id, description, state = params["project_id"], params["org_id"], params["description"], params["state"]
    atlas.check_hex_id("project_id")
    atlas.check_hex_id("org_id")
    check_key_selector(atlas)
    if not org_id and not params["api_key_id"]:
        atlas.fail("org_id is required when the key is named by %s: the key is looked for among all the keys of the "
                   "organization, not only those of project %s." % ("public_key" if params["public_key"] else "description",
                                                                    project_id))
    roles = sorted(set(clean_roles(atlas) or []))
    if state == "present":
        problem = project_role_problem(roles)
        if problem:
            atlas.fail(problem)

    given_org_id = org_id
    key, org_id = find_key(atlas, project_id, org_id, params)
    before = project_key(key, project_id)
    current = before.get("roles")
    if given_org_id and state == "present" and not current:
        # The key is about to join the project: one of another organization must fail before any write. A key of
        # org_id that is in the project already proves the project is of org_id.
        check_project_org(atlas, project_id, given_org_id)

    if key is None:
        if state == "present":
            if description is None:
                atlas.fail("%s does not exist in organization %s. A key cannot be created with a chosen id: name it "
                           "by description to create it." % (key_label(params["api_key_id"], params["public_key"]), org_id))
            after = create_and_assign(atlas, project_id, org_id, description, roles)
        else:
            after = before
    else:
        def assigned_again():
            # The POST may have been applied: if the key is now in the project, it was this POST.
            again = find_org_key(atlas, org_id, api_key_id=key["id"])
            return again if again and project_roles(again, project_id) else None

        outcome = converge_project_roles(atlas, API_KEY_PROJECT_ROLES, project_id, key["id"], current, roles, state,
                                         assigned_again=assigned_again)
        after = dict(before, roles=outcome["after"])
    atlas.set_diff(dict(roles=current) if key else {}, dict(roles=after["roles"]) if after else {})
    atlas.exit(api_key=after)


if __name__ == "__main__":
    main()
