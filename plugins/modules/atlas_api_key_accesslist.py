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
  - ansible.builtin.action_common_attributes
  - mongodb_atlas.api_keys.atlas
  - mongodb_atlas.api_keys.atlas.ATTRIBUTES
  - mongodb_atlas.api_keys.atlas.KEY_SELECTOR
options:
  entries:
    description:
      - IPv4 or IPv6 addresses (V(203.0.113.10), V(2001:db8::1)) or CIDR blocks
        (V(203.0.113.0/24), V(2001:db8::/48)).
      - A CIDR block must be a network address; V(10.0.0.1/24) is refused, V(10.0.0.0/24) is right.
      - With O(state=present), the entries the list must hold; with O(state=absent), the entries
        it must not hold.
      - May be empty; O(state=present) with O(purge=true) and no entries empties the list.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) adds the entries that are missing.
      - V(absent) removes the listed entries that are on the list. Entries that are not there are
        not an error, nor is a key that does not exist (see RV(key_exists)).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also remove every entry that is not in O(entries), so the access
        list becomes exactly O(entries).
      - Only valid with O(state=present).
    type: bool
    default: false
notes:
  - A key whose access list is empty can be used from any address, unless the organization
    requires an API access list. The module warns when the list is empty after the task.
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
    access_list_path,
    as_cidr,
    entries_result,
    entry_of,
    network_order,
    normalize_entry,
    path_segment,
    read_key_access_list,
    request_item,
    sorted_cidrs,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import (
    KEY_SELECTORS,
    check_key_selector,
    key_label,
    key_selector,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import PAGE_SIZE, AtlasApiError
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule, org_id_option, set_changes

# Atlas answers the POST with the whole access list, paginated: ask for the page size list_all reads.
POST_PARAMS = dict(itemsPerPage=PAGE_SIZE)

EMPTY_LIST_WARNING = (
    "The access list of %s is empty: the key can be used from any address unless the organization "
    "requires an API access list. Add entries to restrict where it can be used from.")


def wanted_entries(atlas, entries):
    """The canonical entries asked for; every malformed one is reported at once, before any request."""
    wanted, problems = set(), []
    for text in entries:
        try:
            wanted.add(normalize_entry(text))
        except ValueError as err:
            problems.append(str(err))
    if problems:
        plural = "" if len(problems) == 1 else "s"
        atlas.fail("entries holds %d invalid item%s: %s" % (len(problems), plural, " ".join(problems)))
    return wanted


def by_entry(raws):
    """Raw Atlas entries by canonical entry."""
    return {entry_of(raw): raw for raw in raws}


def read_list(atlas, path, label, first_page=None):
    """The key's access list, every page (from page 2 when page 1 is in hand), by canonical entry."""
    return by_entry(atlas.list_all(path, "list the access list of %s" % label, first_page=first_page))


def add_entries(atlas, path, label, listing, add, removals_follow):
    """One POST for every missing entry.

    Returns the access list after it (as it would be, in check mode). Atlas answers with page 1 of
    the whole list; when that is only part of it, the rest is read from page 2 on, unless removals
    follow and would make that page stale: then None, and the caller reads the list once at the end.
    """
    def reread():
        # The POST may have been applied before its answer was lost: it was when every entry is listed.
        items = read_list(atlas, path, label)
        return dict(results=list(items.values()), totalCount=len(items)) if set(add) <= set(items) else None

    def post(entries, conflict_ok):
        what = ", ".join(sorted_cidrs(entries)) if len(entries) <= 10 else "%d entries" % len(entries)
        return atlas.write("POST", path, "add %s to the access list of %s" % (what, label),
                           body=[request_item(entry) for entry in entries], reread=reread, params=POST_PARAMS,
                           conflict_ok=conflict_ok)

    try:
        answer = post(add, conflict_ok=True)
    except AtlasApiError:
        # 409: another run added some of these entries since the list was read. Read it again and add
        # what is still missing; fail only when that fails too.
        again = read_list(atlas, path, label)
        missing = sorted(set(add) - set(again), key=network_order)
        if not missing:
            atlas.changed = True  # the list now holds the entries this task was to add
            return again
        answer = post(missing, conflict_ok=False)
    if answer is None:  # check mode: the entries as they would be, without Atlas's timestamps
        listing.update((entry, dict(cidrBlock=as_cidr(entry))) for entry in add)
        return listing
    items = answer.get("results") or []
    if answer.get("totalCount") == len(items):
        return by_entry(items)
    if removals_follow:
        return None
    return read_list(atlas, path, label, first_page=answer)


def main():
    atlas = AtlasModule(
        argument_spec=dict(
            org_id=org_id_option(),
            api_key_id=dict(type="str"),
            public_key=dict(type="str"),
            description=dict(type="str"),
            entries=dict(type="list", elements="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            purge=dict(type="bool", default=False),
        ),
        mutually_exclusive=[list(KEY_SELECTORS)],
        required_one_of=[list(KEY_SELECTORS)],
    )
    params = atlas.params
    org_id, state = params["org_id"], params["state"]
    atlas.check_hex_id("org_id")
    check_key_selector(atlas)
    if params["purge"] and state == "absent":
        atlas.fail("purge applies only with state=present. To empty the access list, use state=present, "
                   "purge=true and entries=[].")
    wanted = wanted_entries(atlas, params["entries"])

    api_key_id, raws = read_key_access_list(
        atlas, org_id, key_selector(params),
        when_missing=" This module manages the access list of an existing key and never creates keys: "
                     "create it with mongodb_atlas.api_keys.atlas_org_api_key.",
        missing_ok=state == "absent")
    if api_key_id is None:
        # A key that is gone holds none of the entries: a teardown that runs again is ok.
        atlas.exit(api_key_id=None, key_exists=False, added=[], removed=[], entries=[],
                   msg="%s does not exist in organization %s: it has no entries to remove."
                       % (key_label(**key_selector(params)), org_id))
    label = key_label(api_key_id)
    path = access_list_path(org_id, api_key_id)
    current = by_entry(raws)

    if state == "present":
        add, extra = set_changes(current, wanted)
        remove = extra if params["purge"] else []
    else:
        add, remove = [], wanted & set(current)
    # Requests go out in the order results list them.
    add, remove = sorted(add, key=network_order), sorted(remove, key=network_order)

    # Add first, then remove: an address being replaced by a wider block is never locked out in between.
    listing = add_entries(atlas, path, label, dict(current), add, bool(remove)) if add else dict(current)
    for entry in remove:
        atlas.write("DELETE", "%s/%s" % (path, path_segment(entry)),
                    "remove %s from the access list of %s" % (as_cidr(entry), label))
        if listing is not None:
            listing.pop(entry, None)  # a DELETE answers 204 without a body: the list after it is known
    if listing is None:
        # The POST's answer was one page of a long list: read it once, after the removals made it shortest.
        listing = read_list(atlas, path, label)

    if not listing:
        atlas.warn(EMPTY_LIST_WARNING % label)
    atlas.set_diff(dict(entries=sorted_cidrs(current)), dict(entries=sorted_cidrs(listing)))
    atlas.exit(api_key_id=api_key_id, key_exists=True, added=sorted_cidrs(add), removed=sorted_cidrs(remove),
               entries=entries_result(listing.values()))


if __name__ == "__main__":
    main()
