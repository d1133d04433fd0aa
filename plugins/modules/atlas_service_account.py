#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_service_account
short_description: Manage MongoDB Atlas organization service accounts
version_added: 0.2.0
description:
  - Create, update and delete a service account of a MongoDB Atlas organization, with its name,
    description and organization roles. Atlas recommends service accounts (OAuth 2.0 client
    credentials) over API keys.
  - "Atlas creates the account's first secret with the account. Its value is returned once, in
    RV(service_account.secret), by the task that created the account. Atlas shows it only then, so
    store it at once (Ansible Vault, HashiCorp Vault, a cloud secrets manager) and put
    C(no_log: true) on that task."
  - Adopting an existing account never recovers the value of a secret. Give it a new secret with
    M(mongodb_atlas.api_keys.atlas_service_account_secret), which also rotates secrets on a schedule.
  - The same task can also declare the account's access list (O(access_list)) and its roles in projects
    (O(project_roles), O(purge_projects)), so that one task makes a complete, usable account. Playbooks
    that split these parts between owners use M(mongodb_atlas.api_keys.atlas_service_account_accesslist)
    and M(mongodb_atlas.api_keys.atlas_service_account_project) instead; both forms share the same code.
  - Service accounts exist only in the Atlas Administration API v2; the module fails at once with
    O(api_version=v1.0). It sends the media type C(application/vnd.atlas.2024-08-05+json).
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
      - Id of the Atlas organization that owns the account (24 hexadecimal characters).
      - If not set, the environment variable E(MONGODB_ATLAS_ORG_ID) is used.
    type: str
    required: true
  account_client_id:
    description:
      - Client id of an existing account, C(mdb_sa_id_) and 24 hexadecimal characters, as returned in
        RV(service_account.client_id).
      - Not O(client_id), which names the service account that authenticates the task.
      - An account cannot be created with a chosen client id, so with O(state=present) the account must exist.
    type: str
  name:
    description:
      - The account's name, 1 to 64 characters, each a letter, a digit, a space or one of C(- _ . , ').
      - When O(account_client_id) is not given, the name names the account. Atlas does not keep names
        unique, so the name must match at most one account of the organization (the task fails and
        names their client ids otherwise); an account is created when none matches.
      - When the account is named by O(account_client_id), this is the name it should have.
    type: str
  description:
    description:
      - The account's description, 1 to 250 characters, each a letter, a digit, a space or one of C(- _ . , ').
      - Required to create an account. When omitted for an existing account, it is left alone.
    type: str
  roles:
    description:
      - The organization roles the account should have, compared as a set (order does not matter).
      - Required to create an account. When omitted for an existing account, its roles are left alone.
      - One or more of V(ORG_OWNER), V(ORG_MEMBER), V(ORG_GROUP_CREATOR), V(ORG_BILLING_ADMIN),
        V(ORG_BILLING_READ_ONLY), V(ORG_STREAM_PROCESSING_ADMIN), V(ORG_READ_ONLY).
    type: list
    elements: str
  secret_expires_after_hours:
    description:
      - How many hours the first secret lives, 8 to 8760 (365 days). The organization's settings may
        allow less; Atlas then refuses the value.
      - Required to create an account (Atlas creates the first secret with it); not used otherwise.
    type: int
  state:
    description:
      - V(present) creates the account or brings its name, description and roles to what is asked, and its
        access list and projects when O(access_list) and O(project_roles) are given. Only what differs is sent.
      - V(absent) deletes the account with its secrets; tokens issued with them stop working. It is
        not an error when the account does not exist.
    type: str
    choices: [present, absent]
    default: present
notes:
  - The diff shows the name, description and roles (and the access list and project roles when they are
    given), never a secret.
seealso:
  - module: mongodb_atlas.api_keys.atlas_service_account_secret
  - module: mongodb_atlas.api_keys.atlas_service_account_info
  - module: mongodb_atlas.api_keys.atlas_service_account_accesslist
  - module: mongodb_atlas.api_keys.atlas_service_account_project
  - module: mongodb_atlas.api_keys.atlas_org_api_key
  - name: Atlas service accounts
    description: How service accounts, their secrets and access tokens work.
    link: https://www.mongodb.com/docs/atlas/api/service-accounts-overview/
"""

EXAMPLES = r"""
- name: Create a service account for CI, or bring an existing one to these roles
  mongodb_atlas.api_keys.atlas_service_account:
    org_id: 5f4e3d2c1b0a998877665544
    name: ci-deploy
    description: Deploys from CI
    roles:
      - ORG_MEMBER
    secret_expires_after_hours: 720
  register: ci_account
  no_log: true  # the result holds the first secret

- name: Store the first secret (it is shown only once)
  ansible.builtin.copy:
    content: "{{ ci_account.service_account.secret }}"
    dest: /etc/ci/atlas-client-secret
    mode: "0600"
  when: ci_account.service_account.secret is defined
  no_log: true

- name: A complete CI account in one task, in exactly these two projects and no other
  mongodb_atlas.api_keys.atlas_service_account:
    org_id: 5f4e3d2c1b0a998877665544
    name: ci-deploy
    description: Deploys from CI
    roles: [ORG_MEMBER]
    secret_expires_after_hours: 720
    access_list: [192.0.2.10, 2001:db8::/48]
    project_roles:
      - {project_id: 6570a1b2c3d4e5f6a7b8c9ff, roles: [GROUP_READ_ONLY]}
      - {project_id: 6570a1b2c3d4e5f6a7b8c9fe, roles: [GROUP_DATA_ACCESS_READ_WRITE]}
    purge_projects: true
  register: ci_account
  no_log: true  # the run that creates the account returns its first secret

- name: Take the account out of every project (the account stays)
  mongodb_atlas.api_keys.atlas_service_account:
    org_id: 5f4e3d2c1b0a998877665544
    name: ci-deploy
    project_roles: []
    purge_projects: true

- name: Rename an account named by its client id
  mongodb_atlas.api_keys.atlas_service_account:
    org_id: 5f4e3d2c1b0a998877665544
    account_client_id: mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa
    name: ci-deploy-eu

- name: Delete an account
  mongodb_atlas.api_keys.atlas_service_account:
    org_id: 5f4e3d2c1b0a998877665544
    account_client_id: mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa
    state: absent
"""

RETURN = r"""
service_account:
  description:
    - The account after the task; with O(state=absent), the account that was deleted (empty when there was none).
    - In check mode, the account as it would be; an account that would be created has no client id or secrets yet.
    - "Also in the result of a task that failed half way, after it had created or changed the account (its access
      list or a project failed): the account as written, with RV(service_account.secret) when the task created
      it. The message says what was done and what was not; run the task again to finish the job."
  returned: always
  type: dict
  contains:
    client_id:
      description: Client id of the account, its user name for OAuth 2.0 and the O(account_client_id) of the modules.
      type: str
      returned: when the account exists
      sample: mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa
    name:
      description: Name of the account.
      type: str
      returned: when the account exists
      sample: ci-deploy
    description:
      description: Description of the account.
      type: str
      returned: when the account exists
      sample: Deploys from CI
    roles:
      description: Organization roles of the account, sorted.
      type: list
      elements: str
      returned: when the account exists
      sample: [ORG_MEMBER]
    created_at:
      description: When Atlas created the account (ISO 8601, UTC).
      type: str
      returned: when the account exists
      sample: "2026-12-04T18:00:00Z"
    secrets:
      description: The account's secrets, oldest first, without their values.
      type: list
      elements: dict
      returned: when the account exists
      contains:
        id:
          description: Id of the secret (24 hexadecimal characters).
          type: str
          sample: 65a1b2c3d4e5f6a7b8c9d0ab
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
          description: The secret as Atlas shows it after its creation, such as C(mdb_sa_sk_...abcd).
          type: str
    access_list:
      description:
        - The account's access list after the task (as it would be, in check mode), as CIDR blocks in address
          order, such as V(192.0.2.10/32) for a single address.
      type: list
      elements: str
      returned: when O(access_list) is given and O(state=present)
    project_assignments:
      description:
        - The projects the account is in after the task (as they would be, in check mode), by project id, each
          as C(project_id) and the account's C(roles) there, sorted; the shape of
          RV(mongodb_atlas.api_keys.atlas_org_api_key#module:api_key.project_assignments).
      type: list
      elements: dict
      returned: when O(project_roles) is given and O(state=present)
      sample: [{project_id: 6570a1b2c3d4e5f6a7b8c9ff, roles: [GROUP_READ_ONLY]}]
    secret:
      description:
        - "The value of the account's first secret, in clear. Only the task that created the account
          returns it; Atlas never shows it again. Use C(no_log: true) on that task and store it."
      type: str
      returned: when the account was created by this task (not in check mode)
      sample: mdb_sa_sk_0123456789abcdef
"""

from ansible.module_utils.basic import env_fallback

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.credential import (
    SERVICE_ACCOUNT,
    CredentialModule,
    converge_credential,
    credential_options,
    wanted_parts,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.service_accounts import (
    DESCRIPTION_MAX,
    MEDIA_TYPE,
    NAME_MAX,
    account_label,
    account_result,
    accounts_path,
    check_api_version,
    check_client_id,
    check_hours,
    check_roles,
    check_text,
    find_account,
)

MANAGED = ("name", "description", "roles")


def managed_fields(account):
    """The fields this module manages, for the diff."""
    return dict((field, account[field]) for field in MANAGED) if account else {}


def create_account(atlas, org_id, params):
    """POST the account exactly once; a lost answer fails naming the account it made (its secret is gone)."""
    body = dict(name=params["name"], description=params["description"], roles=sorted(set(params["roles"])),
                secretExpiresAfterHours=params["secret_expires_after_hours"])
    recovered = []

    def reread():
        account = find_account(atlas, org_id, name=params["name"])
        if account:
            recovered.append(account)
        return account

    created = atlas.write("POST", accounts_path(org_id), "create service account '%s' in organization %s"
                          % (params["name"], org_id), body=body, reread=reread, media_type=MEDIA_TYPE)
    if created is None:  # check mode
        return dict(name=body["name"], description=body["description"], roles=body["roles"], secrets=[])
    result = account_result(created)
    if recovered:
        atlas.fail("Atlas created %s, but the answer that carried its first secret was lost on the way. Atlas shows a "
                   "secret only once: give the account a new secret with mongodb_atlas.api_keys."
                   "atlas_service_account_secret (force=true), or delete it (state=absent, account_client_id=%s) "
                   "and run the task again." % (account_label(result["client_id"]), result["client_id"]),
                   service_account=result)
    first = [secret.get("secret") for secret in created.get("secrets") or [] if secret.get("secret")]
    if first:
        result["secret"] = first[0]
    return result


def update_account(atlas, org_id, account, params):
    """PATCH only the fields that differ."""
    current = account_result(account)
    changes = {}
    for field in ("name", "description"):
        if params[field] is not None and params[field] != current[field]:
            changes[field] = params[field]
    if params["roles"] is not None and set(params["roles"]) != set(current["roles"]):
        changes["roles"] = sorted(set(params["roles"]))
    if not changes:
        return current
    updated = atlas.write("PATCH", accounts_path(org_id, current["client_id"]), "update %s in organization %s"
                          % (account_label(current["client_id"]), org_id), body=changes, media_type=MEDIA_TYPE)
    if updated is None:  # check mode: the account as it would be
        return dict(current, **changes)
    return account_result(updated)


def main():
    atlas = CredentialModule(
        argument_spec=dict(
            org_id=dict(type="str", required=True, fallback=(env_fallback, ["MONGODB_ATLAS_ORG_ID"])),
            account_client_id=dict(type="str"),
            name=dict(type="str"),
            description=dict(type="str"),
            roles=dict(type="list", elements="str"),
            secret_expires_after_hours=dict(type="int", no_log=False),  # an hour count, not a secret
            state=dict(type="str", default="present", choices=["present", "absent"]),
            **credential_options()
        ),
        required_one_of=[("account_client_id", "name")],
    )
    params = atlas.params
    org_id, client_id = params["org_id"], params["account_client_id"]
    check_api_version(atlas)
    atlas.check_hex_id("org_id")
    check_client_id(atlas)
    check_text(atlas, "name", NAME_MAX)
    check_text(atlas, "description", DESCRIPTION_MAX)
    check_hours(atlas, "secret_expires_after_hours")
    wanted = None
    if params["state"] == "present":
        check_roles(atlas)
        wanted = wanted_parts(atlas, org_roles_with="roles")

    account = find_account(atlas, org_id, client_id=client_id, name=None if client_id else params["name"])
    before = account_result(account) if account else {}

    if params["state"] == "absent":
        if account:
            atlas.write("DELETE", accounts_path(org_id, before["client_id"]), "delete %s in organization %s"
                        % (account_label(before["client_id"]), org_id), media_type=MEDIA_TYPE)
        atlas.set_diff(managed_fields(before), {})
        atlas.exit(service_account=before)

    if account is None:
        if client_id:
            atlas.fail("%s does not exist in organization %s. An account cannot be created with a chosen client id: "
                       "give name, description, roles and secret_expires_after_hours without account_client_id to "
                       "create one." % (account_label(client_id), org_id))
        missing = [option for option in ("description", "roles", "secret_expires_after_hours") if params[option] is None]
        if missing:
            atlas.fail("%s required to create %s; no account with this name exists in organization %s."
                       % (", ".join(missing) + (" are" if len(missing) > 1 else " is"),
                          account_label(name=params["name"]), org_id))

    def write():
        if account is None:
            return create_account(atlas, org_id, params)
        return update_account(atlas, org_id, account, params)

    atlas.exit(service_account=converge_credential(atlas, SERVICE_ACCOUNT, org_id, before, wanted, write, managed_fields))


if __name__ == "__main__":
    main()
