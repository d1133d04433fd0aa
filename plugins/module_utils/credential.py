# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A whole credential in one task (atlas_org_api_key, atlas_service_account): the credential itself, then its
access list, then its roles in projects, each through the engine the granular modules use (converge_access_list,
converge_projects), with one diff, and a failure half way that says what was done and what was not."""

from __future__ import annotations

import copy

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.access_list import (
    API_KEY_ACCESS_LIST,
    converge_access_list,
    sorted_cidrs,
    wanted_entries,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import (
    API_KEY_PROJECT_ROLES,
    find_org_key,
    key_label,
    project_role_problem,
    project_roles,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import HEX_ID, AtlasModule
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.project_roles import converge_projects
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.projects import check_project_org
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.service_accounts import (
    SERVICE_ACCOUNT_ACCESS_LIST,
    SERVICE_ACCOUNT_PROJECT_ROLES,
    account_label,
    account_projects,
    read_project_account,
)


def credential_options():
    """The options of a whole credential in one task (doc fragment mongodb_atlas.api_keys.atlas.CREDENTIAL)."""
    return dict(
        access_list=dict(type="list", elements="str"),
        project_roles=dict(type="list", elements="dict", options=dict(
            project_id=dict(type="str", required=True),
            roles=dict(type="list", elements="str", required=True),
        )),
        purge_projects=dict(type="bool", default=False),
    )


class CredentialKind:
    """What the one-task orchestration needs to know of a kind of credential."""

    def __init__(self, noun, result_key, id_field, name_field, secret_field, label, access_list, project_roles,
                 current_projects, assigned_again):
        self.noun = noun                          # "API key", "service account"
        self.result_key = result_key              # the module's result holding the credential
        self.id_field = id_field                  # its id in that result
        self.name_field = name_field              # the field that names it when it is created
        self.secret_field = secret_field          # the secret a new credential carries in that result, shown once
        self.label = label                        # id -> how messages name it
        self.access_list = access_list            # access_list.AccessListKind
        self.project_roles = project_roles        # project_roles.ProjectRolesKind
        self.current_projects = current_projects  # (atlas, org_id, credential as returned) -> {project_id: roles}
        self.assigned_again = assigned_again      # (atlas, org_id, id, project_id) -> truthy when it is in the project


def _assignments_by_project(assignments):
    return dict((item["project_id"], item["roles"]) for item in assignments)


def _key_in_project_again(atlas, org_id, api_key_id, project_id):
    key = find_org_key(atlas, org_id, api_key_id=api_key_id)
    return key if key and project_roles(key, project_id) else None


# An API key's project roles come with the key as it was read: knowing them costs no request.
API_KEY = CredentialKind(
    "API key", "api_key", "id", "description", "private_key", key_label, API_KEY_ACCESS_LIST, API_KEY_PROJECT_ROLES,
    lambda atlas, org_id, key: _assignments_by_project(key["project_assignments"]), _key_in_project_again)

# A service account's projects are one read of their own.
SERVICE_ACCOUNT = CredentialKind(
    "service account", "service_account", "client_id", "name", "secret", account_label, SERVICE_ACCOUNT_ACCESS_LIST,
    SERVICE_ACCOUNT_PROJECT_ROLES,
    lambda atlas, org_id, account: _assignments_by_project(account_projects(atlas, org_id, account["client_id"])),
    lambda atlas, org_id, client_id, project_id: read_project_account(atlas, project_id, client_id))


def wanted_parts(atlas, org_roles_with):
    """The access list and project roles asked for, checked before any request.

    Returns dict(access_list=canonical entries or None, projects={project_id: sorted roles} or None,
    purge_projects=bool); None where the option is not given. ``org_roles_with`` says where organization roles
    go, for a project role list that holds one.
    """
    params = atlas.params
    entries = params["access_list"]
    access_list = None if entries is None else wanted_entries(atlas, entries, option="access_list")
    items = params["project_roles"]
    if items is None:
        if params["purge_projects"]:
            atlas.fail("purge_projects applies only with project_roles: list the projects the credential keeps "
                       "(project_roles: [] with purge_projects: true removes it from every project).")
        return dict(access_list=access_list, projects=None, purge_projects=False)
    projects = {}
    for position, item in enumerate(items, 1):
        project_id = item["project_id"].strip()
        if not HEX_ID.match(project_id):
            atlas.fail("project_id of project_roles item %d must be a 24-character hexadecimal Atlas id such as "
                       "5f4e3d2c1b0a998877665544; got '%s'." % (position, item["project_id"]))
        if project_id in projects:
            atlas.fail("project_roles lists project '%s' more than once (item %d again): give each project once, "
                       "with all its roles." % (project_id, position))
        roles = [role.strip() for role in item["roles"]]
        problem = project_role_problem(roles, "roles of project_roles item %d (project '%s')" % (position, project_id),
                                       org_roles_with=org_roles_with)
        if problem:
            atlas.fail(problem)
        projects[project_id] = sorted(set(roles))
    return dict(access_list=access_list, projects=projects, purge_projects=params["purge_projects"])


class CredentialModule(AtlasModule):
    """An AtlasModule whose failures, once a one-task credential has been written, say what was done and what not."""

    progress = None

    def fail(self, msg, **details):
        if self.progress is not None:
            msg, details = self.progress.report(msg, details)
        AtlasModule.fail(self, msg, **details)


ACCESS_LIST_PART = "its access list"
PROJECTS_PART = "its project roles"


class _Progress:
    """What a one-task run has done so far, for the message of a failure half way."""

    def __init__(self, kind, parts):
        self.kind = kind
        self.pending = list(parts)  # the parts still to converge after the credential, in order
        self.done = []              # what was changed, as phrases
        self.credential = None      # the credential as the module returns it, once written
        self.created = False

    def written(self, credential, created, changed):
        self.credential, self.created = credential, created
        label = self.kind.label(credential.get(self.kind.id_field))
        if created:
            self.done.append("created %s" % label)
        elif changed:
            self.done.append("updated %s" % label)

    def part_done(self, phrase=None):
        self.pending.pop(0)
        if phrase:
            self.done.append(phrase)

    def report(self, msg, details):
        """The failure's message and details, with what was done and what was not."""
        if self.credential is None:  # the credential itself failed: its own message says what happened
            return msg, details
        kind = self.kind
        not_done = ["%s (this step failed, perhaps part way)" % self.pending[0]] + self.pending[1:]
        msg = "%s Done before this failure: %s. Not done: %s. Run the task again to finish the job" % (
            msg.rstrip(), "; ".join(self.done) or "nothing", ", ".join(not_done))
        if self.created:
            msg += ("; it finds the new %s by its %s and creates no second one. Atlas shows its %s only once: it is in "
                    "%s.%s of this failed result (register the result to keep it; no_log: true keeps it out of the "
                    "output)." % (kind.noun, kind.name_field, kind.secret_field.replace("_", " "), kind.result_key,
                                  kind.secret_field))
        else:
            msg += "."
        details.setdefault(kind.result_key, self.credential)
        return msg, details


def _assignments(projects):
    """{project_id: roles} as results and diffs list them: [{project_id, roles}] by project id."""
    return [dict(project_id=project, roles=projects[project]) for project in sorted(projects)]


def _named(engine_kind, label):
    """The engine's kind with a fixed label: a credential that check mode would create has no id to name it by."""
    named = copy.copy(engine_kind)
    named.label = lambda credential_id: label
    return named


def converge_credential(atlas, kind, org_id, before, wanted, write, managed):
    """Bring a credential, its access list and its project roles to what is wanted, in that order.

    before: the credential as the module returns it ({} when it is to be created); wanted: from wanted_parts;
    write(): creates or updates the credential and returns it as the module returns it (with its secret when it
    was created; without an id in check mode); managed(credential): its own fields for the diff.
    Reads only the parts whose option is given. A project the credential is to join is read first (one read
    each; none for a project it is in already, which is of its organization): one of another organization fails
    the task before any write. Records the diff (roles, access list, project roles, never a secret) and returns
    the credential after the task, with access_list and project_assignments for the parts given.
    """
    entries, projects = wanted["access_list"], wanted["projects"]
    current_projects = None
    if projects is not None:
        current_projects = kind.current_projects(atlas, org_id, before) if before else {}
        for project_id in sorted(set(projects) - set(current_projects)):
            check_project_org(atlas, project_id, org_id)
    progress = _Progress(kind, ([ACCESS_LIST_PART] if entries is not None else [])
                         + ([PROJECTS_PART] if projects is not None else []))
    atlas.progress = progress
    changed_before = atlas.changed
    after = write()
    progress.written(after, created=not before, changed=atlas.changed and not changed_before)
    credential_id = after.get(kind.id_field)
    access_kind, projects_kind = kind.access_list, kind.project_roles
    if credential_id is None:  # check mode, a credential to create
        label = "%s '%s'" % (kind.noun, after[kind.name_field])
        access_kind, projects_kind = _named(access_kind, label), _named(projects_kind, label)
    diff_before, diff_after = managed(before), managed(after)

    if entries is not None:
        # A new credential's access list is empty: nothing to read.
        outcome = converge_access_list(atlas, access_kind, org_id, credential_id, entries, purge=True,
                                       current=None if before else [])
        after["access_list"] = sorted_cidrs(outcome["after"])
        if before:
            diff_before["access_list"] = sorted_cidrs(outcome["before"])
        diff_after["access_list"] = after["access_list"]
        changes = ["added %s" % ", ".join(sorted_cidrs(outcome["added"]))] if outcome["added"] else []
        changes += ["removed %s" % ", ".join(sorted_cidrs(outcome["removed"]))] if outcome["removed"] else []
        progress.part_done("brought its access list to the entries asked (%s)" % "; ".join(changes) if changes else None)

    if projects is not None:
        outcome = converge_projects(
            atlas, projects_kind, credential_id, current_projects, projects, purge=wanted["purge_projects"],
            assigned_again=lambda project_id: kind.assigned_again(atlas, org_id, credential_id, project_id))
        after["project_assignments"] = _assignments(outcome["after"])
        if before:
            diff_before["project_roles"] = _assignments(outcome["before"])
        diff_after["project_roles"] = after["project_assignments"]
        progress.part_done()

    atlas.progress = None
    atlas.set_diff(diff_before, diff_after)
    return after
