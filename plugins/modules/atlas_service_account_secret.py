#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: atlas_service_account_secret
short_description: Rotate the secrets of a MongoDB Atlas service account by policy
version_added: 0.2.0
description:
  - Keeps a service account of a MongoDB Atlas organization supplied with a secret that stays valid,
    by a policy one idempotent task states, so that a scheduled playbook can run it every day.
  - With O(state=present), a secret is created only when no secret of the account stays valid for at
    least O(min_valid_hours) more hours (or with O(force=true)); otherwise nothing changes.
    O(purge_expired=true) also deletes the secrets that have already expired.
  - With O(state=absent), the secret named by O(secret_id) is deleted (a leaked secret, after its
    consumers have moved to a new one).
  - A task never deletes a secret that is still valid unless O(secret_id) names it, so the account is
    never left without a valid secret by a policy run.
  - Creating a secret makes Atlas shorten the expiry of every older secret to at most 7 days after the
    new one's creation, which gives consumers that long to switch to the new secret.
  - "The value of a new secret is returned once, in RV(secret), by the task that created it. Atlas shows
    it only then, so store it at once and put C(no_log: true) on the task."
  - Expiry is judged by Atlas's clock (the C(Date) of its answers), not the clock of the host the task runs on.
  - Service accounts exist only in the Atlas Administration API v2; the module fails at once with
    O(api_version=v1.0).
  - An account may manage its own secrets; give its client id in both O(account_client_id) and O(client_id).
author:
  - mongodb_atlas.api_keys developers (@mongodb-atlas-ansible)
extends_documentation_fragment:
  - mongodb_atlas.api_keys.atlas.ACCOUNT_SELECTOR
  - ansible.builtin.action_common_attributes
  - mongodb_atlas.api_keys.atlas
  - mongodb_atlas.api_keys.atlas.CONNECTION
  - mongodb_atlas.api_keys.atlas.ATTRIBUTES
options:
  state:
    description:
      - V(present) applies the policy of O(min_valid_hours), O(force) and O(purge_expired).
      - V(absent) deletes the secret O(secret_id). It is not an error when the account no longer has it.
    type: str
    choices: [present, absent]
    default: present
  min_valid_hours:
    description:
      - With O(state=present), a new secret is created when no secret of the account stays valid for at
        least this many more hours. V(0) creates one only when none is valid any more.
      - Must be less than O(expires_after_hours), or every run would create another secret.
      - A daily job with O(expires_after_hours=720) and V(min_valid_hours=168) rotates every 23 days, and
        consumers have 7 days to pick up each new secret.
    type: int
    default: 0
  expires_after_hours:
    description:
      - How many hours a secret this task creates lives, 8 to 8760 (365 days). The organization's settings
        may allow less; Atlas then refuses the value.
      - Required with O(state=present).
    type: int
  force:
    description:
      - Create a new secret now, whatever the policy says (for example when a secret has leaked). Run it
        once, not on a schedule.
    type: bool
    default: false
  purge_expired:
    description:
      - With O(state=present), also delete the account's secrets that have already expired. A secret that
        is still valid is never deleted this way.
    type: bool
    default: false
  secret_id:
    description:
      - With O(state=absent), the id of the secret to delete (24 hexadecimal characters), as in
        RV(secrets[].id). It must be a secret of the account named by O(account_client_id) or O(name).
      - This is the only way to delete a secret that is still valid, even the last one.
    type: str
notes:
  - The diff shows the ids and expiry dates of the account's secrets before and after, never a value.
seealso:
  - module: mongodb_atlas.api_keys.atlas_service_account
  - module: mongodb_atlas.api_keys.atlas_service_account_info
  - name: Rotate service account secrets
    description: Atlas's documentation of secret rotation and the 7-day shortening of older secrets.
    link: https://www.mongodb.com/docs/atlas/api/service-accounts-overview/
"""

EXAMPLES = r"""
- name: Daily rotation, a new 30-day secret when none stays valid for 7 more days
  mongodb_atlas.api_keys.atlas_service_account_secret:
    org_id: 5f4e3d2c1b0a998877665544
    name: ci-deploy
    min_valid_hours: 168
    expires_after_hours: 720
    purge_expired: true
  register: ci_secret
  no_log: true  # the result holds the new secret

- name: Store the new secret
  ansible.builtin.copy:
    content: "{{ ci_secret.secret }}"
    dest: /etc/ci/atlas-client-secret
    mode: "0600"
  when: ci_secret.rotated
  no_log: true

- name: A secret has leaked - create a new one now
  mongodb_atlas.api_keys.atlas_service_account_secret:
    org_id: 5f4e3d2c1b0a998877665544
    account_client_id: mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa
    expires_after_hours: 720
    force: true
  register: new_secret
  no_log: true

- name: Delete the leaked secret once its consumers use the new one
  mongodb_atlas.api_keys.atlas_service_account_secret:
    org_id: 5f4e3d2c1b0a998877665544
    account_client_id: mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa
    secret_id: 65a1b2c3d4e5f6a7b8c9d0ab
    state: absent
"""

RETURN = r"""
rotated:
  description: Whether the task created a secret (in check mode, whether it would).
  returned: always
  type: bool
  sample: true
secret:
  description:
    - "The value of the new secret, in clear. Only the task that created it returns it; Atlas never shows
      it again. Use C(no_log: true) on the task and store it."
  returned: when this task created a secret (not in check mode)
  type: str
  sample: mdb_sa_sk_0123456789abcdef
secret_id:
  description:
    - The id of the secret this task created; with O(state=absent), of the secret it deleted (or would).
    - When nothing was created, the id of the still-valid secret that expires last.
  returned: when there is such a secret (a secret that would be created in check mode has no id yet)
  type: str
  sample: 65a1b2c3d4e5f6a7b8c9d0ab
expires_at:
  description: When the secret of RV(secret_id) expires (ISO 8601, UTC); in check mode, when a new one would.
  returned: when there is such a secret
  type: str
  sample: "2027-01-03T18:00:00Z"
deleted:
  description: Ids of the secrets the task deleted (in check mode, would delete).
  returned: always
  type: list
  elements: str
  sample: [65a1b2c3d4e5f6a7b8c9d0ab]
secrets:
  description:
    - The account's secrets after the task, oldest first, without their values, with expiry dates as
      Atlas reports them (the older secrets shortened after a new one was created).
    - In check mode, the secrets that would remain, with the shortening Atlas would apply; a secret that
      would be created is not listed.
  returned: always
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

from datetime import timedelta

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.service_accounts import (
    MEDIA_TYPE,
    account_label,
    account_selector,
    account_selector_options,
    after_new_secret,
    check_account_selector,
    check_hours,
    check_secret_id,
    created_since,
    expired_to_delete,
    find_account,
    format_time,
    list_accounts,
    longest_valid,
    needs_new_secret,
    read_account,
    secrets_diff,
    secrets_path,
    secrets_result,
    valid_for,
)


def check_options(atlas):
    params = atlas.params
    check_account_selector(atlas)
    check_secret_id(atlas)
    check_hours(atlas, "expires_after_hours")
    check_hours(atlas, "min_valid_hours", minimum=0)
    if params["state"] == "present":
        if params["secret_id"] is not None:
            atlas.fail("secret_id applies only with state=absent, which deletes that secret.")
        if params["min_valid_hours"] >= params["expires_after_hours"]:
            atlas.fail("min_valid_hours (%d) must be less than expires_after_hours (%d): a new secret would not stay "
                       "valid that long, so every run would create another."
                       % (params["min_valid_hours"], params["expires_after_hours"]))
    else:
        wrong = [option for option in ("force", "purge_expired") if params[option]]
        if wrong:
            atlas.fail("%s applies only with state=present; state=absent deletes the secret secret_id." % wrong[0])


def delete_secret(atlas, org_id, client_id, secret_id):
    atlas.write("DELETE", secrets_path(org_id, client_id, secret_id), "delete secret %s of %s"
                % (secret_id, account_label(client_id)), media_type=MEDIA_TYPE)


def create_secret(atlas, org_id, account, hours):
    """POST one secret. When the answer is lost, a secret the POST made is deleted (its value is gone, and a
    valid secret nobody holds would satisfy the policy) and the POST is sent again."""
    client_id = account["clientId"]
    known = {secret["id"] for secret in account.get("secrets") or []}
    started = atlas.client.now()

    def reread():
        current = read_account(atlas, org_id, client_id) or {}
        for orphan in created_since(current.get("secrets") or [], known, started):
            atlas.warn("Atlas created secret %s of %s, but the answer that carried its value was lost; it was "
                       "deleted, since nobody can use it, and a new secret requested." % (orphan["id"], client_id))
            delete_secret(atlas, org_id, client_id, orphan["id"])
        return None

    return atlas.write("POST", secrets_path(org_id, client_id), "create a secret of %s" % account_label(client_id),
                       body=dict(secretExpiresAfterHours=hours), reread=reread, media_type=MEDIA_TYPE)


def owner_of(atlas, org_id, secret_id):
    """The client id of the organization's account that holds the secret, or None."""
    for account in list_accounts(atlas, org_id):
        if any(secret.get("id") == secret_id for secret in account.get("secrets") or []):
            return account["clientId"]
    return None


def main():
    atlas = AtlasModule(
        argument_spec=dict(
            account_selector_options(),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            min_valid_hours=dict(type="int", default=0),
            expires_after_hours=dict(type="int"),
            force=dict(type="bool", default=False),
            purge_expired=dict(type="bool", default=False),
            secret_id=dict(type="str"),
        ),
        mutually_exclusive=[("account_client_id", "name")],
        required_one_of=[("account_client_id", "name")],
        required_if=[("state", "present", ["expires_after_hours"]), ("state", "absent", ["secret_id"])],
    )
    params = atlas.params
    org_id = params["org_id"]
    check_options(atlas)

    account = find_account(atlas, org_id, **account_selector(params))
    if account is None:
        atlas.fail("%s does not exist in organization %s: create it with mongodb_atlas.api_keys.atlas_service_account."
                   % (account_label(**account_selector(params)), org_id))
    client_id = account["clientId"]
    now = atlas.client.now()
    current = account.get("secrets") or []
    result = dict(rotated=False, deleted=[])

    if params["state"] == "absent":
        target = next((secret for secret in current if secret["id"] == params["secret_id"]), None)
        if target is None:
            owner = owner_of(atlas, org_id, params["secret_id"])
            if owner:
                atlas.fail("Secret %s belongs to %s, not to %s: name that account to delete it."
                           % (params["secret_id"], account_label(owner), account_label(client_id)))
            remaining = current  # deleted already
        else:
            delete_secret(atlas, org_id, client_id, target["id"])
            result.update(deleted=[target["id"]], secret_id=target["id"], expires_at=target["expiresAt"])
            remaining = [secret for secret in current if secret is not target]
            if not valid_for(remaining, now, 0):
                atlas.warn("%s has no valid secret left: create one with state=present before its consumers need a "
                           "new token." % account_label(client_id))
    else:
        create = needs_new_secret(current, now, params["min_valid_hours"], params["force"])
        purge = expired_to_delete(current, now, params["purge_expired"])
        created = create_secret(atlas, org_id, account, params["expires_after_hours"]) if create else None
        for secret in purge:
            delete_secret(atlas, org_id, client_id, secret["id"])
        result.update(rotated=create, deleted=[secret["id"] for secret in purge])
        remaining = [secret for secret in current if secret not in purge]
        if created is not None:
            result.update(secret=created.get("secret"), secret_id=created["id"], expires_at=created["expiresAt"])
        elif create:  # check mode: what Atlas would do
            remaining = after_new_secret(remaining, now)
            result.update(expires_at=format_time(now + timedelta(hours=params["expires_after_hours"])))
        else:
            kept = longest_valid(current, now)
            if kept:
                result.update(secret_id=kept["id"], expires_at=kept["expiresAt"])

    if atlas.changed and not atlas.module.check_mode:
        remaining = (read_account(atlas, org_id, client_id) or {}).get("secrets") or []  # as Atlas reports them
    result["secrets"] = secrets_result(remaining)
    before = secrets_diff(secrets_result(current))
    after = secrets_diff(result["secrets"])
    if result["rotated"] and "secret_id" not in result:  # check mode: the secret that would be created
        after.append(dict(id="(new secret)", expires_at=result["expires_at"]))
    atlas.set_diff(dict(secrets=before), dict(secrets=after))
    atlas.exit(**result)


if __name__ == "__main__":
    main()
