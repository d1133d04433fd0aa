# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action plugin of atlas_api_key_accesslist_info: the one of every module of the collection (plugin_utils/action.py)."""

from __future__ import annotations

from ansible_collections.mongodb_atlas.api_keys.plugins.plugin_utils.action import AtlasActionModule as ActionModule

__all__ = ["ActionModule"]
