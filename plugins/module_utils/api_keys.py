# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Organization API keys: roles, finding a key, and the shape of a key in results."""

from __future__ import annotations

import re

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import org_id_option, quoted, single_match
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.project_roles import ProjectRolesKind

ORG_ROLES = (
    "ORG_OWNER",
    "ORG_MEMBER",
    "ORG_GROUP_CREATOR",
    "ORG_BILLING_ADMIN",
    "ORG_BILLING_READ_ONLY",
    "ORG_STREAM_PROCESSING_ADMIN",
    "ORG_READ_ONLY",
)

# The project roles Atlas last enumerated (2026-01). Atlas keeps adding finer project roles and
# the current spec no longer lists them, so any GROUP_* name is accepted and Atlas has the last word.
KNOWN_PROJECT_ROLES = (
    "GROUP_BACKUP_MANAGER",
    "GROUP_CLUSTER_MANAGER",
    "GROUP_DATA_ACCESS_ADMIN",
    "GROUP_DATA_ACCESS_READ_ONLY",
    "GROUP_DATA_ACCESS_READ_WRITE",
    "GROUP_DATABASE_ACCESS_ADMIN",
    "GROUP_OBSERVABILITY_VIEWER",
    "GROUP_OWNER",
    "GROUP_READ_ONLY",
    "GROUP_SEARCH_INDEX_EDITOR",
    "GROUP_STREAM_PROCESSING_OWNER",
)
PROJECT_ROLE = re.compile(r"^GROUP_[A-Z][A-Z_]*[A-Z]$")

# How a module names the key it works on; exactly one of these (see key_selector_options).
KEY_SELECTORS = ("api_key_id", "public_key", "description")


def clean_roles(atlas, option="roles"):
    """The roles asked for, each stripped of surrounding whitespace (an ad-hoc -a string such as
    roles="ORG_MEMBER, ORG_READ_ONLY" leaves a space); None when not given. Fails on an empty item
    (a null item arrives as an empty string)."""
    roles = atlas.params.get(option)
    if roles is None:
        return None
    roles = [role.strip() for role in roles]
    if "" in roles:
        atlas.fail("%s holds an empty item (null or blank) at position %d: remove it, or give a role name."
                   % (option, roles.index("") + 1))
    return roles


def org_role_problem(roles, option="roles", project_roles_with="assign those with "
                     "mongodb_atlas.api_keys.atlas_project_api_key"):
    """A message when roles are not organization roles, else None.

    The organization roles of API keys and service accounts are the same; ``project_roles_with``
    says where the credential's project roles are set instead.
    """
    if not roles:
        return "%s must name at least one organization role: %s." % (option, quoted(ORG_ROLES))
    unknown = [role for role in roles if role not in ORG_ROLES]
    if not unknown:
        return None
    if any(role.startswith("GROUP_") for role in unknown):
        return ("%s takes organization roles, but %s are project roles: %s. Organization roles are: %s."
                % (option, quoted(unknown), project_roles_with, quoted(ORG_ROLES)))
    return "%s has unknown organization roles %s; choose from %s." % (option, quoted(unknown), quoted(ORG_ROLES))


def project_role_problem(roles, option="roles", org_roles_with="mongodb_atlas.api_keys.atlas_org_api_key"):
    """A message when roles are not project roles, else None; ``org_roles_with`` says where organization roles go."""
    if not roles:
        return "%s must name at least one project role, such as 'GROUP_READ_ONLY'." % option
    wrong = [role for role in roles if not PROJECT_ROLE.match(role)]
    if not wrong:
        return None
    org = [role for role in wrong if role in ORG_ROLES]
    if org:
        return ("%s takes project roles, but %s are organization roles: set those with %s. Project roles include: %s."
                % (option, quoted(org), org_roles_with, quoted(KNOWN_PROJECT_ROLES)))
    return ("%s has malformed project roles %s: project roles are upper-case GROUP_* names such as %s."
            % (option, quoted(wrong), quoted(KNOWN_PROJECT_ROLES)))


def key_selector_options():
    """The options that name an existing key (doc fragment mongodb_atlas.api_keys.atlas.KEY_SELECTOR)."""
    return dict(org_id=org_id_option(), **dict((name, dict(type="str")) for name in KEY_SELECTORS))


def key_selector(params):
    """The key-naming options of a task (KEY_SELECTORS), as keyword arguments for find_org_key."""
    return dict((name, params[name]) for name in KEY_SELECTORS)


def check_key_selector(atlas, required=True):
    """Fail unless the key is named by valid options, before any request."""
    given = [name for name in KEY_SELECTORS if atlas.params.get(name) is not None]
    if required and not given:
        atlas.fail("Name the API key with one of api_key_id, public_key or description.")
    atlas.check_hex_id("api_key_id")
    atlas.check_public_key("public_key")
    atlas.check_description("description")


def org_keys_path(org_id, api_key_id=None):
    path = "/orgs/%s/apiKeys" % org_id
    return path if api_key_id is None else "%s/%s" % (path, api_key_id)


def key_label(api_key_id=None, public_key=None, description=None):
    """How a message names a key: by what the user gave."""
    if api_key_id:
        return "API key %s" % api_key_id
    if public_key:
        return "API key with public key '%s'" % public_key
    return "API key '%s'" % description


def find_org_key(atlas, org_id, api_key_id=None, public_key=None, description=None):
    """The raw Atlas key named by exactly one selector, or None when there is none.

    By id it is one GET; by public key or description every page of the organization's keys
    is read once. A description that matches several keys fails, naming their ids.
    """
    if api_key_id:
        return atlas.get(org_keys_path(org_id, api_key_id), "read %s" % key_label(api_key_id), missing_ok=True)
    keys = atlas.list_all(org_keys_path(org_id), "list the API keys of organization %s" % org_id)
    if public_key:
        return next((key for key in keys if key.get("publicKey") == public_key), None)
    return single_match(atlas, keys, "desc", description, "description", "API keys in organization %s" % org_id,
                        "id", "ids", "Name the key with api_key_id or public_key instead.")


def org_roles(raw, org_id=None):
    return sorted({role["roleName"] for role in raw.get("roles") or []
                   if "orgId" in role and (org_id is None or role["orgId"] == org_id)})


def project_roles(raw, project_id):
    return sorted({role["roleName"] for role in raw.get("roles") or [] if role.get("groupId") == project_id})


def key_result(raw, org_id=None):
    """A key as modules return it: snake_case, org roles and project assignments apart, no private key."""
    projects = sorted({role["groupId"] for role in raw.get("roles") or [] if "groupId" in role})
    return dict(
        id=raw.get("id"),
        public_key=raw.get("publicKey"),
        description=raw.get("desc"),
        roles=org_roles(raw, org_id),
        project_assignments=[dict(project_id=project, roles=project_roles(raw, project)) for project in projects],
    )


def post_new_key(atlas, path, what, body, find_again, shape, delete_with="state=absent, api_key_id=%s"):
    """Send the POST that creates a key (organization key, or key created in a project) exactly once.

    Returns the raw new key, whose privateKey is shown only in this answer, or None in check mode.
    When the answer is lost, find_again() re-reads Atlas: a key found there is the one this POST
    created, so the task fails (the private key is gone) with api_key=shape(key) and a message
    that says how to delete it (delete_with, %s for the id) and start again.
    """
    recovered = []

    def reread():
        key = find_again()
        if key:
            recovered.append(key)
        return key

    created = atlas.write("POST", path, what, body=body, reread=reread)
    if created is not None and recovered:
        result = shape(created)
        atlas.fail("Atlas created API key %s (public key %s), but the answer that carried its private key was lost "
                   "on the way. Atlas shows a private key only once, so it cannot be recovered: delete the key "
                   "(%s) and run the task again." % (result["id"], result["public_key"], delete_with % result["id"]),
                   api_key=result)
    return created


def project_keys_path(project_id, api_key_id=None):
    path = "/groups/%s/apiKeys" % project_id
    return path if api_key_id is None else "%s/%s" % (path, api_key_id)


API_KEY_PROJECT_ROLES = ProjectRolesKind(
    key_label, project_keys_path, project_keys_path, lambda roles: [dict(roles=roles)])


def project_key_result(raw, project_id):
    """A key as seen from one project: its roles are its project roles in that project only, no private key."""
    return dict(id=raw.get("id"), public_key=raw.get("publicKey"), description=raw.get("desc"),
                roles=project_roles(raw, project_id))
