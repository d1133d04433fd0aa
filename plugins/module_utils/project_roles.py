# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one engine that brings a credential's roles in projects to what is wanted, for API keys and service
accounts alike: assign, change the roles, remove from a project (never delete the credential)."""

from __future__ import annotations


class ProjectRolesKind:
    """What the engine needs to know of a kind of credential.

    member_path(project_id, id): the credential in the project (PATCH to change its roles, DELETE to remove it);
    assign_path(project_id, id) and assign_body(roles): the POST that assigns it; label(id): how messages name it.
    """

    def __init__(self, label, member_path, assign_path, assign_body, media_type=None):
        self.label = label
        self.member_path = member_path
        self.assign_path = assign_path
        self.assign_body = assign_body
        self.media_type = media_type  # None: the client's default (API keys)


def converge_project_roles(atlas, kind, project_id, credential_id, current, wanted, state="present",
                           assigned_again=None):
    """Bring the credential's roles in one project to wanted (state=present) or remove it (state=absent).

    current: its roles there now (empty or None: not assigned). assigned_again(): re-reads Atlas when the
    assigning POST's answer is lost (truthy when the credential is in the project). Returns
    dict(before=roles, after=roles, action=None|"assigned"|"changed"|"removed"), roles sorted; in check mode
    after is what the roles would be. One write at most.
    """
    before = sorted(set(current or []))
    label = kind.label(credential_id)
    if state == "absent":
        if not before:
            return dict(before=before, after=[], action=None)
        atlas.write("DELETE", kind.member_path(project_id, credential_id),
                    "remove %s from project %s" % (label, project_id), media_type=kind.media_type)
        return dict(before=before, after=[], action="removed")
    wanted = sorted(set(wanted))
    if not before:
        atlas.write("POST", kind.assign_path(project_id, credential_id), "assign %s to project %s" % (label, project_id),
                    body=kind.assign_body(wanted), reread=assigned_again, media_type=kind.media_type)
        return dict(before=before, after=wanted, action="assigned")
    if before != wanted:
        atlas.write("PATCH", kind.member_path(project_id, credential_id),
                    "change the roles of %s in project %s" % (label, project_id), body=dict(roles=wanted),
                    media_type=kind.media_type)
        return dict(before=before, after=wanted, action="changed")
    return dict(before=before, after=before, action=None)


def converge_projects(atlas, kind, credential_id, current, wanted, purge=False, assigned_again=None):
    """Bring the credential's roles in several projects at once.

    current and wanted: {project_id: roles}. Every wanted project gets exactly its roles; with purge the
    credential is also removed from every current project not in wanted. Returns dict(before={project: roles},
    after={project: roles}, done=[(project_id, action)]) in request order. assigned_again(project_id) as above.
    """
    before = {project: sorted(set(roles)) for project, roles in current.items() if roles}
    after, done = dict(before), []
    steps = [(project, roles, "present") for project, roles in sorted(wanted.items())]
    if purge:
        steps += [(project, [], "absent") for project in sorted(set(before) - set(wanted))]
    for project, roles, state in steps:
        again = (lambda project=project: assigned_again(project)) if assigned_again else None
        outcome = converge_project_roles(atlas, kind, project, credential_id, before.get(project), roles, state,
                                         assigned_again=again)
        if outcome["action"]:
            done.append((project, outcome["action"]))
        if outcome["after"]:
            after[project] = outcome["after"]
        else:
            after.pop(project, None)
    return dict(before=before, after=after, done=done)
