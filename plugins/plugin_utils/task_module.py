# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Runs one of the collection's modules in the controller's own process, for its action plugin (plugin_utils/action.py).

A module's code runs unchanged: module_base.AtlasModule builds a TaskModule here where it builds an
AnsibleModule on a target. TaskModule checks the options as AnsibleModule does (the same validator) and
ends the run with the result AnsibleModule would print, no_log values masked.
"""

from __future__ import annotations

import importlib
import json
from functools import partial

from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import AtlasModule

try:  # ansible-core 2.19 and later: the encoder that turns a task's arguments into a module's
    from ansible.module_utils.common.json import Direction, get_module_encoder

    ARGS_ENCODER = get_module_encoder("legacy", Direction.CONTROLLER_TO_MODULE)
except ImportError:  # ansible-core 2.18
    from ansible.module_utils.common.json import AnsibleJSONEncoder

    ARGS_ENCODER = partial(AnsibleJSONEncoder, vault_to_text=True)


class ModuleExit(BaseException):
    """Ends a module run with its result; a BaseException, like the SystemExit of exit_json, so that no
    handler in a module catches it."""

    def __init__(self, result):
        super().__init__()
        self.result = result


class TaskModule:
    """The part of AnsibleModule that AtlasModule uses, fed with the task's arguments."""

    def __init__(self, name, args, check_mode, diff, invocation, argument_spec, supports_check_mode=True, **constraints):
        self.check_mode = check_mode
        self._diff = diff
        self._invocation = invocation
        self._warnings = []
        validation = ModuleArgumentSpecValidator(argument_spec, **constraints).validate(args)
        self.params = validation.validated_parameters
        self.no_log_values = set(validation._no_log_values)  # pylint: disable=protected-access
        if validation.error_messages:
            msg = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                msg = "Unsupported parameters for (%s) module: %s" % (name, msg)
            self.fail_json(msg=msg)

    def warn(self, warning):
        self._warnings.append(warning)

    def exit_json(self, **result):
        if self._invocation:
            result.setdefault("invocation", {"module_args": self.params})
        if self._warnings:
            result["warnings"] = self._warnings
        # Through JSON, as a module's result comes: the same types, and nothing shared with the module's objects.
        raise ModuleExit(json.loads(json.dumps(remove_values(result, self.no_log_values))))

    def fail_json(self, msg, **result):
        result.update(failed=True, msg=msg)
        self.exit_json(**result)


def run_module(name, args, check_mode, diff, invocation):
    """The result of the collection's module ``name`` (such as mongodb_atlas.api_keys.atlas_org_api_key) run with
    ``args``; with ``invocation``, it holds the options as the module read them, as module results do."""
    module = importlib.import_module(
        "ansible_collections.mongodb_atlas.api_keys.plugins.modules." + name.rpartition(".")[2])
    args = json.loads(json.dumps(args, cls=ARGS_ENCODER))
    previous = AtlasModule.ansible_module_class
    # A staticmethod, as a partial in a class would become a method from Python 3.14 on.
    AtlasModule.ansible_module_class = staticmethod(partial(TaskModule, name, args, check_mode, diff, invocation))
    try:
        module.main()
    except ModuleExit as done:
        return done.result
    finally:
        AtlasModule.ansible_module_class = previous
    return dict(failed=True, msg="The module %s ended without a result." % name)
