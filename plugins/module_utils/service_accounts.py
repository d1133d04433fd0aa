# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Organization service accounts: input checks, paths, finding an account, result shaping, and the
secret policy (pure functions of the secrets and Atlas's time)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import org_role_problem
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.access_list import AccessListKind, entries_result
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import MEDIA_TYPE_2024_08_05
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import HEX_ID, org_id_option, single_match
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.project_roles import ProjectRolesKind

#: Every service-account operation has this media type and no other version.
MEDIA_TYPE = MEDIA_TYPE_2024_08_05

CLIENT_ID = re.compile(r"^mdb_sa_id_[0-9a-fA-F]{24}$")
CLIENT_ID_EXAMPLE = "mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa"
NAME_MAX = 64
DESCRIPTION_MAX = 250
# The widest bounds of secretExpiresAfterHours (8 hours to 365 days); an organization's settings may narrow them.
HOURS_MIN = 8
HOURS_MAX = 8760
# Creating a secret shortens every older secret's expiry to at most this long after the new one's creation.
OLDER_SECRETS_KEPT = timedelta(days=7)

V1_REFUSED = ("Service accounts exist only in the Atlas Administration API v2, and api_version is 'v1.0': "
              "leave api_version out (it defaults to v2) or set it to v2.")
PROJECT_ROLES_WITH = "a service account gets project roles in each project, not with these organization roles"


# -- input checks: every one runs before the first request ------------------------------------------------------

def check_api_version(atlas):
    if atlas.params["api_version"] != "v2":
        atlas.fail(V1_REFUSED)


def check_client_id(atlas, option="account_client_id"):
    value = atlas.params.get(option)
    if value is not None and not CLIENT_ID.match(value):
        atlas.fail("%s must be the client id of a service account, mdb_sa_id_ and 24 hexadecimal characters such as "
                   "%s; got '%s'." % (option, CLIENT_ID_EXAMPLE, value))


def text_problem(option, value, maximum):
    """A message when value breaks Atlas's rule for names and descriptions, else None.

    1 to ``maximum`` characters, each a letter or a digit of any script, a space or one of - _ . , '
    (the spec's pattern ``^[\\p{L}\\p{N}\\-_.,' ]*$``).
    """
    if not 1 <= len(value) <= maximum:
        return "%s must hold 1 to %d characters; got %d." % (option, maximum, len(value))
    wrong = sorted({char for char in value if char not in "-_.,' " and unicodedata.category(char)[0] not in "LN"})
    if wrong:
        return ("%s may hold only letters, digits, spaces and the characters - _ . , ' (Atlas's rule); '%s' holds %s."
                % (option, value, " ".join("'%s'" % char for char in wrong)))
    return None


def check_text(atlas, option, maximum):
    value = atlas.params.get(option)
    problem = None if value is None else text_problem(option, value, maximum)
    if problem:
        atlas.fail(problem)


def check_account_selector(atlas):
    """The checks of every service-account module, before any request: the API version and the options
    that name the account (account_selector_options)."""
    check_api_version(atlas)
    atlas.check_hex_id("org_id")
    check_client_id(atlas)
    check_text(atlas, "name", NAME_MAX)


def check_hours(atlas, option, minimum=HOURS_MIN):
    value = atlas.params.get(option)
    if value is not None and not minimum <= value <= HOURS_MAX:
        atlas.fail("%s must be %d to %d hours (Atlas allows secrets of 8 hours to 365 days, and the organization's "
                   "settings may narrow that); got %d." % (option, minimum, HOURS_MAX, value))


def check_roles(atlas, option="roles"):
    roles = atlas.params.get(option)
    problem = None if roles is None else org_role_problem(roles, option, project_roles_with=PROJECT_ROLES_WITH)
    if problem:
        atlas.fail(problem)


def check_secret_id(atlas, option="secret_id"):
    value = atlas.params.get(option)
    if value is not None and not HEX_ID.match(value):
        atlas.fail("%s must be the 24-character hexadecimal id of a secret, as in service_account.secrets[].id; "
                   "got '%s'." % (option, value))


# -- paths and lookups ------------------------------------------------------------------------------------------

def accounts_path(org_id, client_id=None):
    path = "/orgs/%s/serviceAccounts" % org_id
    return path if client_id is None else "%s/%s" % (path, client_id)


def secrets_path(org_id, client_id, secret_id=None):
    path = "%s/secrets" % accounts_path(org_id, client_id)
    return path if secret_id is None else "%s/%s" % (path, secret_id)


def account_selector_options():
    """The options that name an existing account (doc fragment mongodb_atlas.api_keys.atlas.ACCOUNT_SELECTOR)."""
    return dict(org_id=org_id_option(), account_client_id=dict(type="str"), name=dict(type="str"))


def account_selector(params):
    """The account-naming options of a task, as keyword arguments for find_account."""
    return dict(client_id=params["account_client_id"], name=params["name"])


def account_label(client_id=None, name=None):
    """How a message names an account: by what the user gave."""
    return "service account %s" % client_id if client_id else "service account '%s'" % name


def access_list_path(org_id, client_id):
    return "%s/accessList" % accounts_path(org_id, client_id)


def project_accounts_path(project_id, client_id=None):
    path = "/groups/%s/serviceAccounts" % project_id
    return path if client_id is None else "%s/%s" % (path, client_id)


SERVICE_ACCOUNT_PROJECT_ROLES = ProjectRolesKind(
    account_label, project_accounts_path, lambda project_id, client_id: project_accounts_path(project_id, client_id) + ":invite",
    lambda roles: dict(roles=roles), media_type=MEDIA_TYPE)


def read_project_account(atlas, project_id, client_id):
    """The account as a member of the project (its roles there), or None when it is not in the project: one GET."""
    return atlas.get(project_accounts_path(project_id, client_id),
                     "read %s in project %s" % (account_label(client_id), project_id), missing_ok=True,
                     media_type=MEDIA_TYPE)


def list_project_accounts(atlas, project_id):
    """The project's accounts, each with its roles in the project as ``roles``: every page."""
    return atlas.list_all(project_accounts_path(project_id), "list the service accounts of project %s" % project_id,
                          media_type=MEDIA_TYPE)


def account_projects(atlas, org_id, client_id):
    """An account's projects with its roles in each ([{project_id, roles}], roles sorted): every page of one read."""
    groups = atlas.list_all("%s/groups" % accounts_path(org_id, client_id),
                            "list the projects of %s" % account_label(client_id), media_type=MEDIA_TYPE)
    return [dict(project_id=group.get("groupId"), roles=sorted(set(group.get("roles") or []))) for group in groups]


def account_access_and_projects(atlas, org_id, client_id):
    """An account's access list and its projects with roles, as modules return them: every page of each."""
    entries = atlas.list_all(access_list_path(org_id, client_id), "list the access list of %s" % account_label(client_id),
                             media_type=MEDIA_TYPE)
    return dict(access_list=entries_result(entries), projects=account_projects(atlas, org_id, client_id))


def list_accounts(atlas, org_id):
    return atlas.list_all(accounts_path(org_id), "list the service accounts of organization %s" % org_id,
                          media_type=MEDIA_TYPE)


def read_account(atlas, org_id, client_id):
    """The raw account, or None when the organization has no such account: one GET."""
    return atlas.get(accounts_path(org_id, client_id), "read %s" % account_label(client_id), missing_ok=True,
                     media_type=MEDIA_TYPE)


def find_account(atlas, org_id, client_id=None, name=None):
    """The raw account named by client_id (one GET) or by name (every page of 500 accounts), or None.

    Names are not unique in Atlas: a name that several accounts share fails, naming their client ids.
    """
    if client_id:
        return read_account(atlas, org_id, client_id)
    return single_match(atlas, list_accounts(atlas, org_id), "name", name, "name",
                        "service accounts in organization %s" % org_id, "clientId", "client ids",
                        "Name the account with account_client_id instead.")


# Atlas takes at most 200 entries in one POST to a service account's access list.
SERVICE_ACCOUNT_ACCESS_LIST = AccessListKind(access_list_path, account_label, find_account, "client_id", "clientId",
                                             media_type=MEDIA_TYPE, post_limit=200, noun="service account")


# -- results ----------------------------------------------------------------------------------------------------

def secret_result(raw):
    """A secret's metadata as modules return it, snake_case; never its value."""
    return dict(id=raw.get("id"), created_at=raw.get("createdAt"), expires_at=raw.get("expiresAt"),
                last_used_at=raw.get("lastUsedAt"), masked_secret_value=raw.get("maskedSecretValue"))


def secrets_result(raws):
    """An account's secrets, oldest first."""
    return [secret_result(raw) for raw in sorted(raws or [], key=lambda raw: (raw.get("createdAt") or "", raw.get("id")))]


def account_result(raw):
    """An account as modules return it, snake_case, roles sorted, secrets' metadata only."""
    return dict(client_id=raw.get("clientId"), name=raw.get("name"), description=raw.get("description"),
                roles=sorted(set(raw.get("roles") or [])), created_at=raw.get("createdAt"),
                secrets=secrets_result(raw.get("secrets")))


def secrets_diff(secrets):
    """The part of a diff that shows secrets: ids and expiry dates, never a value."""
    return [dict(id=secret["id"], expires_at=secret["expires_at"]) for secret in secrets]


# -- the secret policy: pure functions of secrets (as Atlas returns them) and Atlas's time -------------------------

def parse_time(text):
    """An Atlas timestamp (ISO 8601, UTC, such as 2026-12-04T18:00:00Z) as an aware datetime."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def format_time(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def expired(secrets, now):
    """The secrets whose expiry has come (Atlas gives them no token any more)."""
    return [secret for secret in secrets if parse_time(secret["expiresAt"]) <= now]


def valid_for(secrets, now, hours):
    """The secrets that stay valid for at least ``hours`` more hours after now (0: still valid now)."""
    horizon = now + timedelta(hours=hours)
    return [secret for secret in secrets
            if parse_time(secret["expiresAt"]) > now and parse_time(secret["expiresAt"]) >= horizon]


def needs_new_secret(secrets, now, min_valid_hours, force=False):
    """Whether to create a secret: forced, or no secret stays valid for min_valid_hours more hours."""
    return force or not valid_for(secrets, now, min_valid_hours)


def expired_to_delete(secrets, now, purge_expired):
    """The secrets purge_expired deletes: expired ones only, so a still-valid secret is never among them."""
    return expired(secrets, now) if purge_expired else []


def longest_valid(secrets, now):
    """The still-valid secret that expires last, or None."""
    valid = valid_for(secrets, now, 0)
    return max(valid, key=lambda secret: parse_time(secret["expiresAt"])) if valid else None


def after_new_secret(secrets, created_at):
    """The older secrets as Atlas shows them once a secret created at created_at exists: each expiry
    at most OLDER_SECRETS_KEPT after that creation (one that expires sooner keeps its date)."""
    ceiling = created_at + OLDER_SECRETS_KEPT
    return [dict(secret, expiresAt=format_time(min(parse_time(secret["expiresAt"]), ceiling))) for secret in secrets]


def created_since(secrets, known_ids, started):
    """The secrets that are not among known_ids and were created at or after started: those a POST made."""
    return [secret for secret in secrets
            if secret.get("id") not in known_ids and parse_time(secret["createdAt"]) >= started]
