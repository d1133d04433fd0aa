# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action plugin of every module of the collection: plugins/action/<module>.py is this class under its name.

When the task runs on the controller with the local connection (hosts: localhost, delegate_to: localhost,
an ad hoc command against localhost), the module's code runs in the controller's process: the same options,
checks, requests and result, without packing the module and starting a second Python for it, which is most
of a task's time. Otherwise the module runs as any module does (_reason_to_run_as_module).
"""

from __future__ import annotations

from ansible import constants as C
from ansible.plugins.action.normal import ActionModule as NormalActionModule
from ansible.utils.display import Display

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import HAS_REQUESTS
from ansible_collections.mongodb_atlas.api_keys.plugins.plugin_utils.task_module import run_module

display = Display()


class AtlasActionModule(NormalActionModule):

    def run(self, tmp=None, task_vars=None):
        module = self._shared_loader_obj.module_loader.find_plugin_with_context(
            self._task.action, collection_list=self._task.collections)
        name = module.resolved_fqcn
        reason = self._reason_to_run_as_module()
        if reason:
            display.vvv("%s runs as a module: %s" % (name, reason), host=self._play_context.remote_addr)
            return super().run(tmp, task_vars)
        display.vvv("%s runs in the controller's process" % name, host=self._play_context.remote_addr)
        result = super(NormalActionModule, self).run(tmp, task_vars)  # ActionBase's checks, not the module run
        result.update(run_module(name, self._task.args, check_mode=self._task.check_mode, diff=self._task.diff,
                                 invocation=self._invocation_wanted(task_vars)))
        return result

    @staticmethod
    def _invocation_wanted(task_vars):
        """Whether the result holds the module's options, as a module's would: always before ansible-core 2.21,
        which made it the setting INJECT_INVOCATION."""
        if C.config.get_configuration_definition("INJECT_INVOCATION") is None:
            return True
        return C.config.get_config_value("INJECT_INVOCATION", variables=task_vars)

    def _reason_to_run_as_module(self):
        """Why the module cannot run in this process, or None when it can."""
        if self._connection.transport != "local":
            return "the task runs on another host or connection than the controller's local one"
        if self._play_context.become:
            return "become is set"
        if self._task.async_val:
            return "async is set"
        if any(self._task.environment or ()):  # a list of mappings, empty ones where nothing is set
            return "the environment keyword is set, and the module reads it"
        if not HAS_REQUESTS:
            return "the controller's Python lacks the requests library"
        return None
