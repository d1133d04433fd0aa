#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_project_api_key_info
short_description: List the API keys assigned to a MongoDB Atlas project
version_added: 0.1.0
description:
  - List the organization API keys assigned to one MongoDB Atlas project, with the roles each
    key has in that project.
  - Every page of the project's keys is read.
  - Private keys are never returned.
author:
  - mongodb_atlas.api_keys developers (@mongodb-atlas-ansible)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - mongodb_atlas.api_keys.atlas
  - mongodb_atlas.api_keys.atlas.CONNECTION
  - mongodb_atlas.api_keys.atlas.INFO_ATTRIBUTES
options:
  project_id:
    description:
      - Id of the Atlas project (24 hexadecimal characters), also called the group id.
      - When not set, the environment variable E(MONGODB_ATLAS_PROJECT_ID) is used (the name the Atlas CLI uses).
    type: str
    required: true
seealso:
  - module: mongodb_atlas.api_keys.atlas_project_api_key
  - module: mongodb_atlas.api_keys.atlas_org_api_key_info
"""

EXAMPLES = r"""
- name: List the keys assigned to a project
  mongodb_atlas.api_keys.atlas_project_api_key_info:
    project_id: 6570a1b2c3d4e5f6a7b8c9ff
  register: project_keys

- name: Show the public keys of the project owners
  ansible.builtin.debug:
    msg: "{{ project_keys.api_keys | selectattr('roles', 'contains', 'GROUP_OWNER') | map(attribute='public_key') | list }}"
"""

RETURN = r"""
api_keys:
  description: The keys assigned to the project, sorted by public key; empty when there are none.
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
      description: Roles of the key in this project, sorted (not its organization roles nor its roles in other projects).
      type: list
      elements: str
      returned: always
      sample: [GROUP_READ_ONLY]
"""

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import project_key_result, project_keys_path
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule, project_id_option


def main():
    atlas = AtlasModule(argument_spec=dict(project_id=project_id_option()))
    project_id = atlas.params["project_id"]
    atlas.check_hex_id("project_id")
    keys = atlas.list_all(project_keys_path(project_id), "list the API keys of project %s" % project_id)
    results = [project_key_result(key, project_id) for key in keys]
    atlas.exit(api_keys=sorted(results, key=lambda key: key["public_key"] or ""))


if __name__ == "__main__":
    main()
