#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_api_key_accesslist
short_description: Manage the IP access list of a MongoDB Atlas organization API key
version_added: 0.1.0
description:
  - Add entries to, remove entries from, or set exactly, the IP access list of an existing
    programmatic API key of a MongoDB Atlas organization.
  - Entries are IPv4 or IPv6 addresses or CIDR blocks. They are compared by network, never by
    spelling or order; a single address and its C(/32) (or C(/128)) block are the same entry,
    and so are the compressed and full spellings of an IPv6 address.
  - Every entry is checked before any request is sent; a malformed address, or a CIDR block with
    host bits set such as C(10.0.0.1/24), fails with a message that shows the valid form.
  - The key must exist; this module never creates keys. Create them with
    M(mongodb_atlas.api_keys.atlas_org_api_key).
  - Missing entries are added with one request; entries are removed one request each, after
    the additions, so a key is never left without the entries that are to replace the old ones.
  - When Atlas refuses the additions because another run added one of the entries in the meantime
    (409), the list is read again and the entries still missing are added; the task fails only
    when that fails too.
author:
  - mongodb_atlas.api_keys developers (@mongodb-atlas-ansible)
extends_documentation_fragment:
  - mongodb_atlas.api_keys.atlas.KEY_SELECTOR
  - mongodb_atlas.api_keys.atlas.ACCESS_LIST
  - ansible.builtin.action_common_attributes
  - mongodb_atlas.api_keys.atlas
  - mongodb_atlas.api_keys.atlas.CONNECTION
  - mongodb_atlas.api_keys.atlas.ATTRIBUTES
notes:
  - Atlas refuses to remove the address that the request comes from from the access list of the
    key that makes the request (the key in O(api_public_key)). The task then fails; run it with
    other credentials or from another address.
  - When the organization requires an API access list, the key in O(api_public_key) must itself
    be used from an address on its own access list.
seealso:
  - module: mongodb_atlas.api_keys.atlas_api_key_accesslist_info
  - module: mongodb_atlas.api_keys.atlas_org_api_key
  - module: mongodb_atlas.api_keys.atlas_project_api_key
  - name: Atlas API access lists
    description: How an API access list restricts where a key can be used from.
    link: https://www.mongodb.com/docs/atlas/configure-api-access/
"""

EXAMPLES = r"""
- name: Allow a key to be used from the CI network and one office address
  mongodb_atlas.api_keys.atlas_api_key_accesslist:
    org_id: 5f4e3d2c1b0a998877665544
    public_key: zmmrboas
    entries:
      - 203.0.113.0/24
      - 198.51.100.7
      - 2001:db8::/48

- name: Make the list exactly these entries, removing every other one
  mongodb_atlas.api_keys.atlas_api_key_accesslist:
    org_id: 5f4e3d2c1b0a998877665544
    api_key_id: 6570a1b2c3d4e5f6a7b8c9d0
    entries:
      - 203.0.113.0/24
    purge: true

- name: Remove an old address from the key described as ci-deploy
  mongodb_atlas.api_keys.atlas_api_key_accesslist:
    org_id: 5f4e3d2c1b0a998877665544
    description: ci-deploy
    entries:
      - 198.51.100.7
    state: absent

- name: Set credentials once for every task of the collection
  module_defaults:
    group/mongodb_atlas.api_keys.atlas:
      api_public_key: "{{ vault_atlas_public_key }}"
      api_private_key: "{{ vault_atlas_private_key }}"
  block:
    - name: Add the public address this controller reaches Atlas from
      mongodb_atlas.api_keys.atlas_api_key_accesslist:
        org_id: 5f4e3d2c1b0a998877665544
        public_key: zmmrboas
        entries:
          - "{{ lookup('ansible.builtin.url', 'https://checkip.amazonaws.com') | trim }}"
"""

RETURN = r"""
api_key_id:
  description:
    - Id of the key whose access list the task manages.
    - Null when the key does not exist (only with O(state=absent); see RV(key_exists)).
  returned: success
  type: str
  sample: 6570a1b2c3d4e5f6a7b8c9d0
key_exists:
  description:
    - Whether the key exists. With O(state=absent), a key that does not exist is not an error;
      it holds none of the entries, so the task is ok and changes nothing, RV(entries) is empty and
      RV(msg) says that the key does not exist. With O(state=present), a missing key fails the task.
  returned: success
  type: bool
  sample: true
  version_added: 0.2.0
msg:
  description: Says that the key does not exist.
  returned: when the key does not exist (O(state=absent))
  type: str
  sample: "API key 6570a1b2c3d4e5f6a7b8c9d0 does not exist in organization 5f4e3d2c1b0a998877665544: it has no entries to remove."
  version_added: 0.2.0
entries:
  description:
    - The access list after the task, sorted by RV(entries[].cidr_block).
    - In check mode, the list as it would be; entries that would be added have no RV(entries[].created) yet.
  returned: success
  type: list
  elements: dict
  sample:
    - cidr_block: 198.51.100.7/32
      ip_address: 198.51.100.7
      created: "2026-11-02T10:15:00Z"
      last_used: "2026-11-03T08:01:12Z"
      last_used_address: 198.51.100.7
      count: 42
    - cidr_block: 203.0.113.0/24
      created: "2026-11-02T10:15:00Z"
      last_used: null
      last_used_address: null
      count: 0
  contains:
    cidr_block:
      description: The entry as a CIDR block; a single address is shown as its C(/32) or C(/128) block.
      type: str
      returned: always
      sample: 203.0.113.0/24
    ip_address:
      description: The address, when the entry is a single address.
      type: str
      returned: when the entry is a single address
      sample: 198.51.100.7
    created:
      description: When the entry was added (ISO 8601).
      type: str
      returned: always; null for an entry that check mode would add
      sample: "2026-11-02T10:15:00Z"
    last_used:
      description: When the key was last used from this entry (ISO 8601).
      type: str
      returned: always; null when the entry has never been used
      sample: "2026-11-03T08:01:12Z"
    last_used_address:
      description: The address the key was last used from within this entry.
      type: str
      returned: always; null when the entry has never been used
      sample: 198.51.100.7
    count:
      description: How many requests were made from RV(entries[].last_used_address).
      type: int
      returned: always; null for an entry that check mode would add
      sample: 42
added:
  description: The entries this task added (or would add, in check mode), as CIDR blocks, sorted.
  returned: success
  type: list
  elements: str
  sample: [198.51.100.7/32, 203.0.113.0/24]
removed:
  description: The entries this task removed (or would remove, in check mode), as CIDR blocks, sorted.
  returned: success
  type: list
  elements: str
  sample: [192.0.2.0/24]
"""

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.access_list import (
    API_KEY_ACCESS_LIST,
    access_list_options,
    manage_access_list,
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
        argument_spec=dict(key_selector_options(), **access_list_options()),
        mutually_exclusive=[list(KEY_SELECTORS)],
        required_one_of=[list(KEY_SELECTORS)],
    )
    atlas.check_hex_id("org_id")
    check_key_selector(atlas)
    api_key_id, result = manage_access_list(
        atlas, API_KEY_ACCESS_LIST, key_selector(atlas.params),
        when_missing=" This module manages the access list of an existing key and never creates keys: "
                     "create it with mongodb_atlas.api_keys.atlas_org_api_key.")
    atlas.exit(api_key_id=api_key_id, key_exists=api_key_id is not None, **result)


if __name__ == "__main__":
    main()
