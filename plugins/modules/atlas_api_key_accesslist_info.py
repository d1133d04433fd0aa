#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_api_key_accesslist_info
short_description: Read the IP access list of a MongoDB Atlas organization API key
version_added: 0.1.0
description:
  - Read every entry of the IP access list of one programmatic API key of a MongoDB Atlas
    organization, that is the addresses and CIDR blocks the key may be used from.
  - Every page of the access list is read.
  - The key must exist; a missing key is an error.
author:
  - mongodb_atlas.api_keys developers (@mongodb-atlas-ansible)
extends_documentation_fragment:
  - mongodb_atlas.api_keys.atlas.KEY_SELECTOR
  - ansible.builtin.action_common_attributes
  - mongodb_atlas.api_keys.atlas
  - mongodb_atlas.api_keys.atlas.CONNECTION
  - mongodb_atlas.api_keys.atlas.INFO_ATTRIBUTES
seealso:
  - module: mongodb_atlas.api_keys.atlas_api_key_accesslist
  - module: mongodb_atlas.api_keys.atlas_org_api_key_info
"""

EXAMPLES = r"""
- name: Read the access list of a key
  mongodb_atlas.api_keys.atlas_api_key_accesslist_info:
    org_id: 5f4e3d2c1b0a998877665544
    public_key: zmmrboas
  register: key_access

- name: Show the CIDR blocks the key may be used from
  ansible.builtin.debug:
    msg: "{{ key_access.entries | map(attribute='cidr_block') | list }}"

- name: Read the access list of the key described ci-deploy
  mongodb_atlas.api_keys.atlas_api_key_accesslist_info:
    org_id: 5f4e3d2c1b0a998877665544
    description: ci-deploy
"""

RETURN = r"""
api_key_id:
  description: Id of the key whose access list this is.
  returned: always
  type: str
  sample: 6570a1b2c3d4e5f6a7b8c9d0
entries:
  description: The entries of the key's access list, sorted by CIDR block; empty when the list is empty.
  returned: always
  type: list
  elements: dict
  contains:
    cidr_block:
      description: The entry as a CIDR block; a single address is a /32 (IPv4) or /128 (IPv6) block.
      type: str
      returned: always
      sample: 203.0.113.10/32
    ip_address:
      description: The address, when the entry is a single address.
      type: str
      returned: when the entry is a single address
      sample: 203.0.113.10
    created:
      description: When the entry was added.
      type: str
      returned: always
      sample: "2026-11-02T09:14:07Z"
    last_used:
      description: When the key was last used from this entry; null when never.
      type: str
      returned: always
      sample: "2026-11-20T17:02:44Z"
    last_used_address:
      description: The address the key was last used from through this entry; null when never.
      type: str
      returned: always
      sample: 203.0.113.10
    count:
      description: How many requests came through this entry.
      type: int
      returned: always
      sample: 12
"""

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.access_list import (
    API_KEY_ACCESS_LIST,
    entries_result,
    read_access_list,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import (
    KEY_SELECTORS,
    check_key_selector,
    key_selector,
    key_selector_options,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule


def main():
    atlas = AtlasModule(
        argument_spec=key_selector_options(),
        mutually_exclusive=[KEY_SELECTORS],
        required_one_of=[KEY_SELECTORS],
    )
    atlas.check_hex_id("org_id")
    check_key_selector(atlas)
    api_key_id, raws = read_access_list(atlas, API_KEY_ACCESS_LIST, atlas.params["org_id"], key_selector(atlas.params))
    atlas.exit(api_key_id=api_key_id, entries=entries_result(raws))


if __name__ == "__main__":
    main()
