#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_org_api_key_info
short_description: List the API keys of a MongoDB Atlas organization
version_added: 0.1.0
description:
  - List the programmatic API keys of a MongoDB Atlas organization, with their organization
    roles and project assignments, or find keys by id, public key or description.
  - Every page of the organization's keys is read.
  - Private keys are never returned; Atlas shows a private key only once, to the task that
    created the key (M(mongodb_atlas.api_keys.atlas_org_api_key)).
  - A filter that matches no key returns an empty list; it is not an error.
author:
  - mongodb_atlas.api_keys developers (@mongodb-atlas-ansible)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - mongodb_atlas.api_keys.atlas
  - mongodb_atlas.api_keys.atlas.CONNECTION
  - mongodb_atlas.api_keys.atlas.INFO_ATTRIBUTES
options:
  org_id:
    description:
      - Id of the Atlas organization (24 hexadecimal characters).
      - When not set, the environment variable E(MONGODB_ATLAS_ORG_ID) is used (the name the Atlas CLI uses).
    type: str
    required: true
  api_key_id:
    description:
      - Return only the key with this id (24 hexadecimal characters), as returned in RV(api_keys[].id).
      - Not the 8-character public key; use O(public_key) for that.
      - Mutually exclusive with O(public_key) and O(description).
    type: str
  public_key:
    description:
      - Return only the key with this public key (8 characters).
      - Mutually exclusive with O(api_key_id) and O(description).
    type: str
  description:
    description:
      - Return every key with exactly this description (descriptions need not be unique).
      - Mutually exclusive with O(api_key_id) and O(public_key).
    type: str
seealso:
  - module: mongodb_atlas.api_keys.atlas_org_api_key
  - module: mongodb_atlas.api_keys.atlas_api_key_accesslist_info
  - module: mongodb_atlas.api_keys.atlas_project_api_key_info
"""

EXAMPLES = r"""
- name: List every API key of the organization
  mongodb_atlas.api_keys.atlas_org_api_key_info:
    org_id: 5f4e3d2c1b0a998877665544
  register: org_keys

- name: Show the public keys of the organization owners
  ansible.builtin.debug:
    msg: "{{ org_keys.api_keys | selectattr('roles', 'contains', 'ORG_OWNER') | map(attribute='public_key') | list }}"

- name: Find the keys with a description
  mongodb_atlas.api_keys.atlas_org_api_key_info:
    org_id: 5f4e3d2c1b0a998877665544
    description: ci-deploy
  register: ci_keys

- name: Read one key by its public key
  mongodb_atlas.api_keys.atlas_org_api_key_info:
    org_id: 5f4e3d2c1b0a998877665544
    public_key: zmmrboas
  register: one_key
"""

RETURN = r"""
api_keys:
  description:
    - The keys of the organization that match the filter (all of them without a filter), sorted by public key.
    - Empty when no key matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Id of the key, the C(api_key_id) of the other modules.
      type: str
      returned: always
      sample: 6570a1b2c3d4e5f6a7b8c9d0
    public_key:
      description: Public key of the key (its user name).
      type: str
      returned: always
      sample: zmmrboas
    description:
      description: Description of the key.
      type: str
      returned: always
      sample: ci-deploy
    roles:
      description: Organization roles of the key, sorted.
      type: list
      elements: str
      returned: always
      sample: [ORG_MEMBER]
    project_assignments:
      description: Projects the key is assigned to, with its roles in each.
      type: list
      elements: dict
      returned: always
      sample: [{project_id: 6570a1b2c3d4e5f6a7b8c9ff, roles: [GROUP_READ_ONLY]}]
      contains:
        project_id:
          description: Id of the project.
          type: str
        roles:
          description: Roles of the key in that project, sorted.
          type: list
          elements: str
"""

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import (
    KEY_SELECTORS,
    check_key_selector,
    find_org_key,
    key_result,
    key_selector_options,
    org_keys_path,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule


def main():
    atlas = AtlasModule(
        argument_spec=key_selector_options(),
        mutually_exclusive=[KEY_SELECTORS],
    )
    params = atlas.params
    org_id = params["org_id"]
    atlas.check_hex_id("org_id")
    check_key_selector(atlas, required=False)

    if params["api_key_id"]:
        key = find_org_key(atlas, org_id, api_key_id=params["api_key_id"])
        keys = [key] if key else []
    else:
        keys = atlas.list_all(org_keys_path(org_id), "list the API keys of organization %s" % org_id)
        if params["public_key"] is not None:
            keys = [key for key in keys if key.get("publicKey") == params["public_key"]]
        elif params["description"] is not None:
            keys = [key for key in keys if key.get("desc") == params["description"]]
    results = [key_result(key, org_id) for key in keys]
    atlas.exit(api_keys=sorted(results, key=lambda key: key["public_key"] or ""))


if __name__ == "__main__":
    main()
