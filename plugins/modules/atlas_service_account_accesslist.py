#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_service_account_accesslist
short_description: Manage the IP access list of a MongoDB Atlas organization service account
version_added: 0.2.0
description:
  - Add entries to, remove entries from, or set exactly, the IP access list of an existing
    service account of a MongoDB Atlas organization. The same options, semantics and results as
    M(mongodb_atlas.api_keys.atlas_api_key_accesslist), for a service account.
  - Entries are IPv4 or IPv6 addresses or CIDR blocks, compared by network, never by spelling or
    order; a single address and its C(/32) (or C(/128)) block are the same entry.
  - Every entry is checked before any request is sent; a malformed address, or a CIDR block with
    host bits set such as C(10.0.0.1/24), fails with a message that shows the valid form.
  - The account must exist; this module never creates accounts. Create them with
    M(mongodb_atlas.api_keys.atlas_service_account).
  - Atlas takes at most 200 entries per request, so missing entries are added in as few requests
    as that allows (1,000 entries, 5 requests); entries are removed one request each, after the
    additions.
  - When Atlas refuses an addition because another run added one of the entries in the meantime
    (409), the list is read again and the entries still missing are added.
  - Service accounts exist only in the v2 API; O(api_version=v1.0) fails before any request.
  - "Reads: the account by O(account_client_id) costs one page of its access list; by O(name), every page of
    the organization's accounts first."
author:
  - mongodb_atlas.api_keys developers (@mongodb-atlas-ansible)
extends_documentation_fragment:
  - mongodb_atlas.api_keys.atlas.ACCOUNT_SELECTOR
  - mongodb_atlas.api_keys.atlas.ACCESS_LIST
  - ansible.builtin.action_common_attributes
  - mongodb_atlas.api_keys.atlas
  - mongodb_atlas.api_keys.atlas.CONNECTION
  - mongodb_atlas.api_keys.atlas.ATTRIBUTES
seealso:
  - module: mongodb_atlas.api_keys.atlas_service_account
  - module: mongodb_atlas.api_keys.atlas_service_account_info
  - module: mongodb_atlas.api_keys.atlas_service_account_project
  - module: mongodb_atlas.api_keys.atlas_api_key_accesslist
  - name: Atlas API access lists
    description: How an API access list restricts where a credential can be used from.
    link: https://www.mongodb.com/docs/atlas/configure-api-access/
"""

EXAMPLES = r"""
- name: Allow a CI service account to be used from the CI network only
  mongodb_atlas.api_keys.atlas_service_account_accesslist:
    org_id: 5f4e3d2c1b0a998877665544
    account_client_id: mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa
    entries:
      - 203.0.113.0/24
    purge: true

- name: Remove an old address from the account named ci-deploy
  mongodb_atlas.api_keys.atlas_service_account_accesslist:
    org_id: 5f4e3d2c1b0a998877665544
    name: ci-deploy
    entries:
      - 198.51.100.7
    state: absent
"""

RETURN = r"""
client_id:
  description:
    - Client id of the account whose access list the task manages.
    - Null when the account does not exist (only with O(state=absent)).
  returned: success
  type: str
  sample: mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa
account_exists:
  description:
    - Whether the account exists. With O(state=absent), an account that does not exist is not an
      error; the task is ok, changes nothing, RV(entries) is empty and RV(msg) says so.
  returned: success
  type: bool
  sample: true
msg:
  description: Says that the account does not exist.
  returned: when the account does not exist (O(state=absent))
  type: str
  sample: "service account 'ci-deploy' does not exist in organization 5f4e3d2c1b0a998877665544: it has no entries to remove."
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
      description: When the account was last used from this entry (ISO 8601).
      type: str
      returned: always; null when the entry has never been used
      sample: "2026-11-03T08:01:12Z"
    last_used_address:
      description: The address the account was last used from within this entry.
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

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.access_list import access_list_options, manage_access_list
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.service_accounts import (
    SERVICE_ACCOUNT_ACCESS_LIST,
    account_selector,
    account_selector_options,
    check_account_selector,
)


def main():
    atlas = AtlasModule(
        argument_spec=dict(account_selector_options(), **access_list_options()),
        mutually_exclusive=[("account_client_id", "name")],
        required_one_of=[("account_client_id", "name")],
    )
    check_account_selector(atlas)
    client_id, result = manage_access_list(
        atlas, SERVICE_ACCOUNT_ACCESS_LIST, account_selector(atlas.params),
        when_missing=" This module manages the access list of an existing account and never creates accounts: "
                     "create it with mongodb_atlas.api_keys.atlas_service_account.")
    atlas.exit(client_id=client_id, account_exists=client_id is not None, **result)


if __name__ == "__main__":
    main()
