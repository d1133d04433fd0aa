# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module base: common options, input checks, the single write path, diffs, errors, results."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION
from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.auth import AtlasCredentialsError, build_auth
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    AtlasApiError,
    AtlasClient,
    AtlasError,
)

DEFAULT_BASE_URL = "https://cloud.mongodb.com"

HEX_ID = re.compile(r"^[0-9a-f]{24}$")
PUBLIC_KEY = re.compile(r"^[a-z0-9]{8}$")

# What a user can do about an Atlas error, by errorCode. The Atlas message says what went wrong;
# these say what to change.
ERROR_HINTS = {
    "PATH_PARAM_PARSE_ERROR": "An id in the request path is malformed: api_key_id takes the key's 24-hex id, "
                              "not its 8-character public key (pass that as public_key).",
    "USER_UNAUTHORIZED": "The credentials are valid but lack the role this needs: Organization Owner to change "
                         "organization API keys and access lists, Project Owner to assign keys to a project.",
    "IP_ADDRESS_NOT_ON_ACCESS_LIST": "The address this task runs from is not on the access list of the API key "
                                     "in api_public_key: add it there, or run the task from a listed address.",
    "ORG_REQUIRES_ACCESS_LIST": "The organization requires an API access list: add the address this task runs "
                                "from to the access list of the API key in api_public_key.",
    "API_KEY_ACCESS_LIST_ACCESS_DENIED": "The API key in api_public_key may not be used from this address.",
    "CANNOT_REMOVE_CALLER_ACCESS_LIST_ENTRY": "Atlas does not let a key remove the address it is calling from: "
                                              "run this task with other credentials or from another address.",
    "RATE_LIMITED": "Atlas kept rate limiting the requests after every retry: raise retries or run fewer tasks "
                    "against the organization at once.",
    "RATE_LIMITED_TOKEN_BUCKET": "Atlas kept rate limiting the requests after every retry: raise retries or run "
                                 "fewer tasks against the organization at once.",
}

CREDENTIALS_REJECTED_HINT = (
    "Atlas rejected the credentials: check api_public_key and api_private_key (or the environment variables "
    "MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY), and that the key belongs to this organization."
)


def atlas_argument_spec():
    """The connection and credential options of every module (doc fragment mongodb_atlas.api_keys.atlas)."""
    return dict(
        api_base_url=dict(type="str", fallback=(env_fallback, ["MONGODB_ATLAS_BASE_URL"])),
        api_version=dict(type="str", default="v2", choices=["v2", "v1.0"]),
        api_public_key=dict(type="str", fallback=(env_fallback, ["MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PUBLIC_KEY"])),
        api_private_key=dict(type="str", no_log=True,
                             fallback=(env_fallback, ["MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_PRIVATE_KEY"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
        retries=dict(type="int", default=4),
    )


def describe_error(err):
    """One line for an Atlas error: what Atlas said, then what to do about it."""
    text = str(err)
    if isinstance(err, AtlasApiError):
        if err.status == 401 and not err.error_code:
            return "%s. %s" % (text, CREDENTIALS_REJECTED_HINT)
        hint = ERROR_HINTS.get(err.error_code)
        if hint:
            return "%s. %s" % (text, hint)
    return text


def is_not_found(err):
    """Atlas answers 404 for a missing key or entry, and 400 API_KEY_NOT_FOUND on some versions."""
    return isinstance(err, AtlasApiError) and (
        err.status == 404 or err.error_code in ("API_KEY_NOT_FOUND", "API_KEY_ACCESS_LIST_ENTRY_NOT_FOUND"))


def set_changes(current, wanted):
    """Compare two collections as sets: return (missing, extra), each sorted."""
    current, wanted = set(current), set(wanted)
    return sorted(wanted - current), sorted(current - wanted)


class AtlasModule:
    """An AnsibleModule with the Atlas client, the check-mode guard on writes, diffs and error formatting."""

    def __init__(self, argument_spec, **kwargs):
        spec = atlas_argument_spec()
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        self.params = self.module.params
        self.changed = False
        self._diff = None
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._check_connection_options()
        try:
            auth = build_auth(api_public_key=self.params["api_public_key"],
                              api_private_key=self.params["api_private_key"])
        except AtlasCredentialsError as err:
            self.fail(str(err))
        self.client = AtlasClient(
            self.base_url, auth,
            api_version=self.params["api_version"],
            timeout=self.params["timeout"],
            validate_certs=self.params["validate_certs"],
            retries=self.params["retries"],
            user_agent_extra="ansible-core/%s" % ANSIBLE_CORE_VERSION,
        )

    def _check_connection_options(self):
        url = self.params["api_base_url"] or DEFAULT_BASE_URL
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.fail("api_base_url must be an http or https URL such as %s; got '%s'." % (DEFAULT_BASE_URL, url))
        if parts.username or parts.password:
            self.fail("api_base_url must not hold credentials: use api_public_key and api_private_key.")
        if parts.path.rstrip("/").startswith("/api"):
            self.fail("api_base_url is the server only, such as %s: drop '%s' (api_version chooses the API path)."
                      % (DEFAULT_BASE_URL, parts.path))
        if self.params["timeout"] <= 0:
            self.fail("timeout must be a positive number of seconds; got %d." % self.params["timeout"])
        if self.params["retries"] < 0:
            self.fail("retries must be 0 or more; got %d." % self.params["retries"])
        self.base_url = url.rstrip("/")

    # Input checks: every one runs before the first request.

    def check_hex_id(self, option):
        """Fail unless the option, when set, holds a 24-hex Atlas id."""
        value = self.params.get(option)
        if value is None or HEX_ID.match(value):
            return
        if option == "api_key_id" and PUBLIC_KEY.match(value):
            self.fail("api_key_id takes the key's 24-character hexadecimal id; '%s' looks like a public key: "
                      "pass it as public_key instead." % value)
        self.fail("%s must be a 24-character hexadecimal Atlas id such as 5f4e3d2c1b0a998877665544; got '%s'."
                  % (option, value))

    def check_public_key(self, option="public_key"):
        value = self.params.get(option)
        if value is not None and not PUBLIC_KEY.match(value):
            self.fail("%s must be the 8-character public key Atlas shows for the key (such as 'zmmrboas'); got '%s'."
                      % (option, value))

    def check_description(self, option="description"):
        value = self.params.get(option)
        if value is not None and not 1 <= len(value.strip()) <= 250:
            self.fail("%s must hold 1 to 250 characters; got %d." % (option, len(value.strip())))

    # Requests: reads go straight to Atlas, writes go through write().

    def get(self, path, what, params=None, missing_ok=False):
        """Read one object; None when missing_ok and Atlas says it does not exist."""
        try:
            return self.client.get(path, params=params)
        except AtlasError as err:
            if missing_ok and is_not_found(err):
                return None
            self.fail_request(what, err)

    def list_all(self, path, what, params=None):
        try:
            return self.client.list_all(path, params=params)
        except AtlasError as err:
            self.fail_request(what, err)

    def write(self, method, path, what, body=None, reread=None):
        """The only way modules change Atlas: in check mode nothing is sent and None is returned."""
        self.changed = True
        if self.module.check_mode:
            return None
        try:
            if method == "POST":
                return self.client.post(path, body, reread=reread)
            return self.client.request(method, path, body=body)
        except AtlasError as err:
            self.fail_request(what, err)

    # Results.

    def set_diff(self, before, after):
        """Record the diff; callers pass managed fields only, never a secret."""
        self._diff = dict(before=before, after=after)

    def warn(self, msg):
        self.module.warn(msg)

    def fail(self, msg, **details):
        self.module.fail_json(msg=msg, changed=self.changed, **details)

    def fail_request(self, what, err):
        details = {}
        if isinstance(err, AtlasApiError):
            details["error"] = dict(status=err.status, code=err.error_code, detail=err.detail,
                                    method=err.method, path=err.path)
        self.fail("Failed to %s: %s" % (what, describe_error(err)), **details)

    def exit(self, **result):
        if self._diff is not None and self.module._diff:
            result["diff"] = self._diff
        self.module.exit_json(changed=self.changed, **result)
