#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_service_account_info
short_description: List the service accounts of a MongoDB Atlas organization and their secrets
version_added: 0.2.0
description:
  - List the service accounts of a MongoDB Atlas organization with their roles and their secrets'
    metadata (ids, creation, expiry, last use, masked value), or find one by client id or accounts by name.
  - With O(expiring_within_hours), return only the accounts that have no secret valid beyond that
    horizon, an audit a scheduled job can alert on.
  - Secret values are never returned; Atlas shows a secret only once, to the task that created it.
  - A filter that matches no account returns an empty list; it is not an error.
  - Service accounts exist only in the Atlas Administration API v2; the module fails at once with
    O(api_version=v1.0).
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
      - If not set, the environment variable E(MONGODB_ATLAS_ORG_ID) is used.
    type: str
    required: true
  account_client_id:
    description:
      - Return only the account with this client id (C(mdb_sa_id_) and 24 hexadecimal characters); one read.
      - Not O(client_id), which names the service account that authenticates the task.
      - Mutually exclusive with O(name).
    type: str
  name:
    description:
      - Return every account with exactly this name (names need not be unique).
      - Mutually exclusive with O(account_client_id).
    type: str
  expiring_within_hours:
    description:
      - Return only the accounts with no secret that stays valid for at least this many more hours
        (accounts without any valid secret included), judged by Atlas's clock.
    type: int
  project_id:
    description:
      - Return only the accounts of this project (24 hexadecimal characters), each with its roles there in
        RV(service_accounts[].project_roles) (and without RV(service_accounts[].roles), which the project's read
        does not hold); reads the project's accounts (one page of 500 per request)
        instead of the organization's. The other filters apply on top.
    type: str
    version_added: 0.2.0
  details:
    description:
      - With O(account_client_id), also return the account's access list in RV(service_accounts[].access_list)
        and its projects with its roles there in RV(service_accounts[].projects).
      - "Cost: every page of the access list and every page of the account's projects, two reads more
        for most accounts. Without O(account_client_id) this option is refused."
    type: bool
    default: false
    version_added: 0.2.0
seealso:
  - module: mongodb_atlas.api_keys.atlas_service_account
  - module: mongodb_atlas.api_keys.atlas_service_account_accesslist
  - module: mongodb_atlas.api_keys.atlas_service_account_project
  - module: mongodb_atlas.api_keys.atlas_service_account_secret
"""

EXAMPLES = r"""
- name: List every service account of the organization
  mongodb_atlas.api_keys.atlas_service_account_info:
    org_id: 5f4e3d2c1b0a998877665544
  register: accounts

- name: Find the accounts whose secrets all expire within 7 days
  mongodb_atlas.api_keys.atlas_service_account_info:
    org_id: 5f4e3d2c1b0a998877665544
    expiring_within_hours: 168
  register: expiring

- name: Alert on them
  ansible.builtin.fail:
    msg: "Rotate the secrets of {{ expiring.service_accounts | map(attribute='name') | join(', ') }}"
  when: expiring.service_accounts | length > 0
"""

RETURN = r"""
service_accounts:
  description: The accounts that match the filters (all of them without one), in Atlas's order.
  returned: always
  type: list
  elements: dict
  contains:
    project_roles:
      description: The account's roles in O(project_id), sorted.
      type: list
      elements: str
      returned: with O(project_id)
      version_added: 0.2.0
    access_list:
      description:
        - The account's access list in address order, each entry with C(cidr_block), C(ip_address) (single
          addresses), C(created), C(last_used), C(last_used_address) and C(count), as
          M(mongodb_atlas.api_keys.atlas_service_account_accesslist) returns them.
      type: list
      elements: dict
      returned: with O(details=true)
      version_added: 0.2.0
    projects:
      description: The projects the account is assigned to, each C(project_id) and C(roles) (sorted).
      type: list
      elements: dict
      returned: with O(details=true)
      version_added: 0.2.0
    client_id:
      description: Client id of the account.
      type: str
      sample: mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa
    name:
      description: Name of the account.
      type: str
    description:
      description: Description of the account.
      type: str
    roles:
      description: Organization roles of the account, sorted.
      type: list
      elements: str
    created_at:
      description: When Atlas created the account (ISO 8601, UTC).
      type: str
    secrets:
      description: The account's secrets, oldest first, without their values.
      type: list
      elements: dict
      contains:
        id:
          description: Id of the secret.
          type: str
        created_at:
          description: When the secret was created (ISO 8601, UTC).
          type: str
        expires_at:
          description: When the secret expires (ISO 8601, UTC).
          type: str
        last_used_at:
          description: When the secret last obtained a token; null when never.
          type: str
        masked_secret_value:
          description: The secret as Atlas shows it after its creation.
          type: str
"""

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.service_accounts import (
    account_access_and_projects,
    account_result,
    account_selector_options,
    check_account_selector,
    check_hours,
    list_accounts,
    list_project_accounts,
    read_account,
    valid_for,
)


def main():
    atlas = AtlasModule(
        argument_spec=dict(
            account_selector_options(),
            expiring_within_hours=dict(type="int"),
            project_id=dict(type="str"),
            details=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("account_client_id", "name")],
    )
    params = atlas.params
    org_id = params["org_id"]
    check_account_selector(atlas)
    check_hours(atlas, "expiring_within_hours", minimum=0)
    atlas.check_hex_id("project_id")
    if params["details"] and not params["account_client_id"]:
        atlas.fail("details needs account_client_id: it reads the access list and the projects of one account.")

    if params["project_id"]:
        members = list_project_accounts(atlas, params["project_id"])
        accounts = [account for account in members
                    if params["account_client_id"] in (None, account.get("clientId"))
                    and params["name"] in (None, account.get("name"))]
    elif params["account_client_id"]:
        account = read_account(atlas, org_id, params["account_client_id"])
        accounts = [account] if account else []
    else:
        accounts = [account for account in list_accounts(atlas, org_id)
                    if params["name"] is None or account.get("name") == params["name"]]
    if params["expiring_within_hours"] is not None:
        now = atlas.client.now()
        accounts = [account for account in accounts
                    if not valid_for(account.get("secrets") or [], now, params["expiring_within_hours"])]
    results = [account_result(account) for account in accounts]
    for result in results:
        if params["project_id"]:
            result["project_roles"] = result.pop("roles")  # a project's read holds its project roles only
        if params["details"]:
            result.update(account_access_and_projects(atlas, org_id, result["client_id"]))
    atlas.exit(service_accounts=results)


if __name__ == "__main__":
    main()
