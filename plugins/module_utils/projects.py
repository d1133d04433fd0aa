# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Atlas projects (groups): which organization a project belongs to."""

from __future__ import annotations


def project_path(project_id):
    return "/groups/%s" % project_id


def project_org_id(atlas, project_id):
    """The id of the organization that owns the project: one read of the project."""
    project = atlas.get(project_path(project_id), "read project %s" % project_id)
    return project.get("orgId")


def check_project_org(atlas, project_id, org_id):
    """Fail, before any write, when the project does not belong to organization org_id."""
    owner = project_org_id(atlas, project_id)
    if owner != org_id:
        atlas.fail("Project %s belongs to organization %s, not to org_id %s: give org_id %s, or the project_id of a "
                   "project of organization %s." % (project_id, owner, org_id, owner, org_id))
