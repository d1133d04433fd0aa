# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The module base: common options, input checks, the single write path, diffs, results, and every
message about an error: the client and auth raise errors that name no option (client.py), and the
hints here say what to change, naming the options. The lookup plugin uses check_connection and
describe_error too."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION
from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.auth import resolve_credentials
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    AtlasApiError,
    AtlasClient,
    AtlasCredentialsError,
    AtlasError,
    AtlasOutcomeUnknown,
    AtlasTokenError,
    AtlasTransportError,
)

DEFAULT_BASE_URL = "https://cloud.mongodb.com"

HEX_ID = re.compile(r"^[0-9a-f]{24}$")
PUBLIC_KEY = re.compile(r"^[a-z0-9]{8}$")

# What a user can do about an Atlas error, by errorCode. The Atlas message says what went wrong;
# these say what to change.
ERROR_HINTS = {
    "PATH_PARAM_PARSE_ERROR": "An id in the request path is malformed, most likely api_key_id: it takes the key's "
                              "24-hex id, not its 8-character public key (pass that as public_key).",
    "USER_CANNOT_ACCESS_ORG": "The credentials in use cannot access this organization: either org_id is not the "
                              "organization you mean, or the credentials belong to another organization.",
    "USER_CANNOT_ACCESS_GROUP": "The credentials in use cannot access this project: either project_id is not the "
                                "project you mean, or the credentials belong to another organization than the "
                                "project's.",
    "USER_UNAUTHORIZED": "The credentials are valid but lack the role this needs: Organization Owner to change "
                         "organization API keys and access lists, Project Owner to assign keys to a project.",
    "IP_ADDRESS_NOT_ON_ACCESS_LIST": "The address this task runs from is not on the access list of the credentials "
                                     "in use (the API key or service account): add it there, or run the task from a "
                                     "listed address.",
    "ORG_REQUIRES_ACCESS_LIST": "The organization requires an API access list: add the address this task runs "
                                "from to the access list of the credentials in use (the API key or service account).",
    "API_KEY_ACCESS_LIST_ACCESS_DENIED": "Atlas gives this answer for two causes: the credentials in use lack the role "
                                         "this needs (Organization Owner to change access lists), or they may not be "
                                         "used from this address (add it to their access list).",
    "CANNOT_REMOVE_CALLER_ACCESS_LIST_ENTRY": "Atlas does not let a key remove the address it is calling from, which "
                                              "is most likely what this entry holds on the access list of the key in "
                                              "use: run this task with other credentials or from another address.",
    "RATE_LIMITED": "Atlas kept rate limiting the requests after every retry: raise retries or run fewer tasks "
                    "against the organization at once.",
    "INVALID_ENUM_VALUE": "Atlas does not know a value given, most likely a role in roles: use the role names of "
                          "https://www.mongodb.com/docs/atlas/reference/user-roles/ (ORG_* for organization "
                          "roles, GROUP_* for project roles).",
    "INVALID_SERVICE_ACCOUNT_SECRET_EXPIRATION": "The organization's settings allow fewer hours than asked: choose "
                                                 "secret_expires_after_hours or expires_after_hours within the "
                                                 "bounds Atlas names.",
    "RATE_LIMITED_TOKEN_BUCKET": "Atlas kept rate limiting the requests after every retry: raise retries or run "
                                 "fewer tasks against the organization at once.",
}

# A 404 without an Atlas error body did not come from Atlas.
NOT_ATLAS_HINT = ("The answer carries no Atlas error body, so the server at api_base_url may not be Atlas: check "
                  "api_base_url (such as %s)." % DEFAULT_BASE_URL)

TOKEN_LOOKUP = "mongodb_atlas.api_keys.atlas_access_token"

# What to check when Atlas answers 401 without an errorCode, by auth scheme (auth.SCHEMES).
REJECTED_HINTS = {
    "access_token": "Atlas rejected the access token in api_access_token (or the environment variable "
                    "MONGODB_ATLAS_ACCESS_TOKEN): it has expired or is not valid. Tokens expire after expires_in "
                    "seconds (one hour on Atlas): fetch a new one with the %s lookup, or set client_id and "
                    "client_secret so that each task obtains its own." % TOKEN_LOOKUP,
    "client_credentials": "Atlas rejected the access token it issued for the service account in client_id: check "
                          "that the service account still exists and belongs to this organization.",
    "digest": "Atlas rejected the credentials: check api_public_key and api_private_key (or the environment "
              "variables MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY), and that the key belongs "
              "to this organization.",
}

# A 401 for an access token that Atlas accepted earlier in the same task (auth.BearerTokenAuth.accepted).
TOKEN_EXPIRED_HINT = (
    "The access token in api_access_token (or the environment variable MONGODB_ATLAS_ACCESS_TOKEN) has expired "
    "during the task: Atlas accepted it for the task's earlier requests. Tokens expire after expires_in seconds "
    "(one hour on Atlas): fetch a new one with the %s lookup right before long tasks, or set client_id and "
    "client_secret so that the task obtains a new token itself." % TOKEN_LOOKUP
)

# What to do when the token endpoint refuses a service account (auth.request_access_token).
TOKEN_HINTS = {
    "rejected": "Atlas rejected the service account credentials: check client_id (environment variable "
                "MONGODB_ATLAS_CLIENT_ID) and client_secret (environment variable MONGODB_ATLAS_CLIENT_SECRET), and "
                "that the secret has not expired.",
    "rate_limited": "The token endpoint is rate limited: fetch one token per play with the %s lookup and pass it "
                    "to every task as api_access_token." % TOKEN_LOOKUP,
}

# What to do when Atlas was not reached or did not answer, or answered 502-504 after every retry. An unknown
# outcome (AtlasOutcomeUnknown) says what to do itself.
UNAVAILABLE_HINT = "Atlas is not available right now: run the task again later, or raise retries."
TRANSPORT_HINTS = {
    "timeout": "Atlas did not answer in time: raise timeout (seconds to wait for each answer) or retries, or check "
               "that api_base_url can be reached from where the task runs.",
    "unreachable": "Check api_base_url (scheme, host and port) and that it can be reached from where the task runs: "
                   "a firewall or a proxy (HTTPS_PROXY) may be in the way.",
    "lost": "Run the task again, or raise retries.",
    "certificate": "Install the CA certificate that signed it, or set validate_certs=false only for a server you "
                   "trust.",
}


def transport_hint(err):
    """What to do about an error that carries no answer from Atlas, or a 502-504 answer; None when it says it itself."""
    if isinstance(err, AtlasApiError):
        return UNAVAILABLE_HINT if err.status in (502, 503, 504) else None
    if not isinstance(err, AtlasTransportError) or isinstance(err, AtlasOutcomeUnknown):
        return None
    if err.kind == "tls":  # a certificate that cannot be verified is the one TLS error not retried
        return None if err.retryable else TRANSPORT_HINTS["certificate"]
    if err.kind == "timeout":
        return TRANSPORT_HINTS["timeout"]
    return TRANSPORT_HINTS["lost" if err.maybe_sent else "unreachable"]


def atlas_argument_spec():
    """The connection and credential options of every module (doc fragment mongodb_atlas.api_keys.atlas)."""
    return dict(
        api_base_url=dict(type="str", fallback=(env_fallback, ["MONGODB_ATLAS_BASE_URL"])),
        api_version=dict(type="str", default="v2", choices=["v2", "v1.0"]),
        # Credentials: no env_fallback, auth.resolve_credentials reads the environment (task options win).
        api_public_key=dict(type="str"),
        api_private_key=dict(type="str", no_log=True),
        client_id=dict(type="str"),
        client_secret=dict(type="str", no_log=True),
        api_access_token=dict(type="str", no_log=True),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
        retries=dict(type="int", default=4),
    )


def org_id_option(required=True):
    """The org_id option; like the Atlas CLI, it falls back to MONGODB_ATLAS_ORG_ID."""
    return dict(type="str", required=required, fallback=(env_fallback, ["MONGODB_ATLAS_ORG_ID"]))


def project_id_option(required=True):
    """The project_id option; like the Atlas CLI, it falls back to MONGODB_ATLAS_PROJECT_ID."""
    return dict(type="str", required=required, fallback=(env_fallback, ["MONGODB_ATLAS_PROJECT_ID"]))


def quoted(values):
    """Values as a message names them: each in quotes, so that a stray space or an invisible character shows."""
    return ", ".join("'%s'" % value for value in values)


def token_hint(cause):
    """What to do when no access token could be obtained (the cause of an AtlasTokenError)."""
    if isinstance(cause, AtlasApiError):
        if cause.status == 401 or (cause.status == 400 and cause.error_code in ("invalid_client", "unauthorized_client")):
            return TOKEN_HINTS["rejected"]
        return TOKEN_HINTS["rate_limited"] if cause.status == 429 else None
    return transport_hint(cause) if getattr(cause, "kind", None) == "tls" else None


def describe_error(err, rejected_hint=None):
    """One line for an Atlas error: what Atlas said, then what to do about it.

    ``rejected_hint`` is what to check when Atlas rejects the credentials (a 401 without an errorCode):
    the auth scheme's own hint (REJECTED_HINTS); the API key pair's by default.
    """
    text = str(err)
    if isinstance(err, AtlasTokenError):
        hint = token_hint(err.cause)
        return "%s. %s" % (text.rstrip("."), hint) if hint else text
    if isinstance(err, AtlasApiError):
        if err.status == 401 and not err.error_code:
            hint = rejected_hint or REJECTED_HINTS["digest"]
        elif err.status == 404 and not err.error_code:
            hint = NOT_ATLAS_HINT
        else:
            hint = ERROR_HINTS.get(err.error_code) or transport_hint(err)
        if hint:
            return "%s. %s" % (text.rstrip("."), hint)  # Atlas details often end in a full stop already
    hint = transport_hint(err)
    if hint:
        return "%s. %s" % (text.rstrip("."), hint)
    return text


# A 404 with one of these codes says the organization or project in the path is missing, not the object.
CONTAINER_NOT_FOUND = ("ORG_NOT_FOUND", "GROUP_NOT_FOUND")


def is_not_found(err):
    """Atlas answers 404 for a missing key or entry, and 400 API_KEY_NOT_FOUND on some versions.

    Not a 404 about the organization or project in the path (a wrong org_id must not pass for
    "already absent"), nor a 404 without an Atlas errorCode (a server that is not Atlas, such as a
    wrong api_base_url).
    """
    if not isinstance(err, AtlasApiError):
        return False
    if err.error_code in ("API_KEY_NOT_FOUND", "API_KEY_ACCESS_LIST_ENTRY_NOT_FOUND"):
        return True
    return err.status == 404 and err.error_code is not None and err.error_code not in CONTAINER_NOT_FOUND


def check_connection(url, timeout, retries, credentials="api_public_key and api_private_key",
                     path_hint=" (api_version chooses the API path)"):
    """The base URL to give AtlasClient: api_base_url (DEFAULT_BASE_URL when not set) without a trailing '/'.

    Raises ValueError, whose message names the option and the fix, when api_base_url is not the http(s) URL
    of a server, or timeout or retries are out of range. ``credentials`` names the options to use instead of
    credentials in the URL; ``path_hint`` follows the advice to drop an API path.
    """
    url = (url or DEFAULT_BASE_URL).strip()
    server = url.partition("?")[0].partition("#")[0]
    if "@" in server:  # checked first, so that no later message echoes them
        raise ValueError("api_base_url must not hold credentials: use %s." % credentials)
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        if parts.port is not None and not 0 < parts.port:  # a port out of range raises ValueError
            hostname = None
    except ValueError:
        parts, hostname = None, None
    if parts is None or parts.scheme not in ("http", "https") or not hostname:
        raise ValueError("api_base_url must be an http or https URL such as %s; got '%s'." % (DEFAULT_BASE_URL, url))
    if server != url:
        raise ValueError("api_base_url is the server only, such as %s: drop '%s'." % (DEFAULT_BASE_URL, url[len(server):]))
    if parts.path.rstrip("/").startswith("/api"):
        raise ValueError("api_base_url is the server only, such as %s: drop '%s'%s." % (DEFAULT_BASE_URL, parts.path, path_hint))
    if timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds; got %d." % timeout)
    if retries < 0:
        raise ValueError("retries must be 0 or more; got %d." % retries)
    return url.rstrip("/")


def set_changes(current, wanted):
    """Compare two collections as sets: return (missing, extra), each sorted."""
    current, wanted = set(current), set(wanted)
    return sorted(wanted - current), sorted(current - wanted)


def single_match(atlas, items, field, value, option, plural, id_field, id_label, instead):
    """The one raw item whose ``field`` equals ``value``; None when none does.

    For lookups by a name Atlas does not keep unique (a key's description, a service account's
    name): several matches fail with a message that names the ``option`` and its value, how many
    ``plural`` matched (such as "API keys in organization <id>"), their ids (``id_label``, also
    in the result as ``matching_ids``) and what to do ``instead``.
    """
    matches = [item for item in items if item.get(field) == value]
    if len(matches) > 1:
        ids = [item[id_field] for item in matches]
        atlas.fail("The %s '%s' matches %d %s (%s %s). %s"
                   % (option, value, len(matches), plural, id_label, ", ".join(ids), instead), matching_ids=ids)
    return matches[0] if matches else None


class AtlasModule:
    """An AnsibleModule with the Atlas client, the check-mode guard on writes, diffs and error formatting."""

    # What reads the options and ends the run: AnsibleModule on a target; the modules' action plugin
    # (plugin_utils/action.py) puts plugin_utils/task_module.py's TaskModule here when it runs the module in
    # the controller's process.
    ansible_module_class = AnsibleModule

    def __init__(self, argument_spec, **kwargs):
        spec = atlas_argument_spec()
        spec.update(argument_spec)
        self.module = self.ansible_module_class(argument_spec=spec, supports_check_mode=True, **kwargs)
        self.params = self.module.params
        self.changed = False
        self._diff = None
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        # Credentials in api_base_url are masked like no_log values: the result's invocation would show them.
        userinfo = (self.params["api_base_url"] or "").partition("?")[0].partition("#")[0].rpartition("@")[0]
        userinfo = userinfo.partition("://")[2] or userinfo
        self.module.no_log_values.update(value for value in (userinfo, userinfo.partition(":")[2]) if value)
        try:
            self.base_url = check_connection(self.params["api_base_url"], self.params["timeout"], self.params["retries"])
        except ValueError as err:
            self.fail(str(err))
        try:
            self.credentials = resolve_credentials(self.params, os.environ)
            self.auth = self.credentials.build()
        except AtlasCredentialsError as err:
            self.fail(str(err))
        # Secrets read from the environment are masked like no_log options; params then hold what
        # the task would have had with environment fallbacks.
        self.module.no_log_values.update(self.credentials.secrets())
        self.params.update(self.credentials.values)
        self.client = AtlasClient(
            self.base_url, self.auth,
            api_version=self.params["api_version"],
            timeout=self.params["timeout"],
            validate_certs=self.params["validate_certs"],
            retries=self.params["retries"],
            user_agent_extra="ansible-core/%s" % ANSIBLE_CORE_VERSION,
        )

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

    def get(self, path, what, params=None, missing_ok=False, media_type=None):
        """Read one object; None when missing_ok and Atlas says it does not exist.

        ``media_type`` (here, in list_all and in write) is the operation's versioned media type,
        when it is not the client's default (service accounts: client.MEDIA_TYPE_2024_08_05).
        """
        try:
            return self.client.get(path, params=params, media_type=media_type)
        except AtlasError as err:
            if missing_ok and is_not_found(err):
                return None
            self.fail_request(what, err)

    def list_all(self, path, what, params=None, missing_ok=False, first_page=None, media_type=None):
        """Read every page; None when missing_ok and Atlas says the parent object does not exist."""
        try:
            return self.client.list_all(path, params=params, first_page=first_page, media_type=media_type)
        except AtlasError as err:
            if missing_ok and is_not_found(err):
                return None
            self.fail_request(what, err)

    def write(self, method, path, what, body=None, reread=None, params=None, media_type=None, conflict_ok=False):
        """The only way modules change Atlas: in check mode nothing is sent and None is returned.

        With conflict_ok, a 409 answer is raised (an AtlasApiError) for the caller to settle, instead of
        failing the task.
        """
        changed_before, self.changed = self.changed, True
        if self.module.check_mode:
            return None
        try:
            if method == "POST":
                return self.client.post(path, body, reread=reread, params=params, media_type=media_type)
            return self.client.request(method, path, body=body, params=params, media_type=media_type)
        except AtlasError as err:
            if method == "DELETE" and err.attempts > 1 and is_not_found(err):
                return None  # an earlier attempt, whose answer was lost, deleted it
            if isinstance(err, AtlasApiError) and 400 <= err.status < 500:
                self.changed = changed_before  # Atlas refused the request: this write changed nothing
                if conflict_ok and err.status == 409:
                    raise
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
        # A token that Atlas accepted earlier in the task has expired since (auth.BearerTokenAuth).
        if getattr(self.auth, "accepted", False):
            rejected_hint = TOKEN_EXPIRED_HINT
        else:
            rejected_hint = REJECTED_HINTS[self.credentials.scheme.name]
        self.fail("Failed to %s: %s" % (what, describe_error(err, rejected_hint)), **details)

    def exit(self, **result):
        if self._diff is not None and self.module._diff:
            result["diff"] = self._diff
        self.module.exit_json(changed=self.changed, **result)
