# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Authentication schemes for the Atlas Administration API.

Three schemes, one per task:

* ``digest``: a programmatic API key pair (``api_public_key``, ``api_private_key``), HTTP digest.
* ``client_credentials``: a service account (``client_id``, ``client_secret``). On the first
  request of a module run one OAuth 2.0 token is requested (``POST {api_base_url}/api/oauth/token``,
  HTTP Basic, ``grant_type=client_credentials``) through the run's ``AtlasClient``, with its
  retries; every request of the run then carries ``Authorization: Bearer <token>``. When Atlas
  answers 401 to a request made with it (the token expired during the run), a new token is
  requested once and the request is sent again.
* ``access_token``: a token obtained beforehand (``api_access_token``), sent as it is.

A scheme is a row of ``SCHEMES`` (the options it owns, a builder of the ``requests`` auth object,
and the hint a module gives when Atlas answers 401). ``resolve_credentials()`` is the one place
that decides which scheme a task uses:

1. Credential options set in the task (or in ``module_defaults``) choose the scheme. They must
   belong to one scheme only. An option of that scheme that the task leaves unset is read from
   its environment variables; the other schemes' environment variables are ignored.
2. When the task sets no credential option, the environment is read in the order of ``SCHEMES``:
   ``MONGODB_ATLAS_ACCESS_TOKEN``, then ``MONGODB_ATLAS_CLIENT_ID``/``MONGODB_ATLAS_CLIENT_SECRET``,
   then the key pair (``MONGODB_ATLAS_PUBLIC_API_KEY`` or ``MONGODB_ATLAS_PUBLIC_KEY``, and
   ``MONGODB_ATLAS_PRIVATE_API_KEY`` or ``MONGODB_ATLAS_PRIVATE_KEY``). The first scheme with
   any of its variables set is used, and must be complete.

This is why the credential options have no ``env_fallback`` in the argument spec: it cannot tell
a value of the task from one of the environment. ``resolve_credentials`` is a pure function of
the parameters and an environment mapping. No message raised here ever contains a credential
value (a client id is not secret, but messages name options, never values).
"""

from __future__ import annotations

import os
import traceback

try:
    from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth
except ImportError:
    AuthBase = object
    HTTPBasicAuth = HTTPDigestAuth = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import AtlasApiError, AtlasError


#: Environment variables that provide each credential option, preferred first.
CREDENTIAL_ENV_VARS = {
    "api_public_key": ("MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PUBLIC_KEY"),
    "api_private_key": ("MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_PRIVATE_KEY"),
    "client_id": ("MONGODB_ATLAS_CLIENT_ID",),
    "client_secret": ("MONGODB_ATLAS_CLIENT_SECRET",),
    "api_access_token": ("MONGODB_ATLAS_ACCESS_TOKEN",),
}

#: Credential options whose values are secrets (``no_log``; masked when read from the environment).
SECRET_OPTIONS = ("api_private_key", "client_secret", "api_access_token")

#: The OAuth 2.0 token endpoint, under ``api_base_url``.
TOKEN_PATH = "/api/oauth/token"

#: The lookup plugin that fetches one token for a whole play.
TOKEN_LOOKUP = "mongodb_atlas.api_keys.atlas_access_token"


class AtlasCredentialsError(ValueError):
    """The credentials do not select exactly one complete scheme.

    ``missing`` lists the option names that are missing (never values).
    """

    def __init__(self, message, missing=None):
        super(AtlasCredentialsError, self).__init__(message)
        self.missing = list(missing or [])


class AtlasTokenError(AtlasError):
    """No access token could be obtained from the token endpoint.

    ``status`` and ``error_code`` (the OAuth ``error``, such as ``invalid_client``) are those of
    the HTTP answer, None after a transport error. The message never holds the secret.
    """

    def __init__(self, message, status=None, error_code=None):
        super(AtlasTokenError, self).__init__(message, method="POST", path=TOKEN_PATH)
        self.status = status
        self.error_code = error_code

    def to_dict(self):
        result = super(AtlasTokenError, self).to_dict()
        result.update(status=self.status, error_code=self.error_code)
        return result


class AccessToken(object):
    """An OAuth 2.0 access token: ``access_token``, ``expires_in`` (seconds or None), ``token_type``."""

    def __init__(self, access_token, expires_in=None, token_type="Bearer"):
        self.access_token = access_token
        self.expires_in = expires_in
        self.token_type = token_type

    def __repr__(self):
        return "AccessToken(expires_in=%r, token_type=%r)" % (self.expires_in, self.token_type)


def _option_text(option):
    env = CREDENTIAL_ENV_VARS.get(option)
    if not env:
        return option
    text = "%s (environment variable %s" % (option, env[0])
    if len(env) > 1:
        text += " or %s" % " or ".join(env[1:])
    return text + ")"


def _client_credentials_hint():
    return ("Atlas rejected the service account credentials: check %s and %s, and that the secret has not "
            "expired." % (_option_text("client_id"), _option_text("client_secret")))


def request_access_token(client, client_id, client_secret):
    """Obtain one ``AccessToken`` with the client credentials grant, through ``client``.

    ``client`` is an ``AtlasClient``: the token request goes to ``{api_base_url}/api/oauth/token``
    with its TLS settings, timeout and retries (429 with ``Retry-After``, 502-504, connection
    errors). Raises ``AtlasTokenError`` with a message that names the options, never the secret.
    """
    if not HAS_REQUESTS:
        raise RuntimeError("Service account authentication needs the Python library requests, which is not installed.")
    where = "%s%s" % (client.display_url, TOKEN_PATH)
    try:
        answer = client.post_form(TOKEN_PATH, {"grant_type": "client_credentials"},
                                  auth=HTTPBasicAuth(client_id, client_secret))
    except AtlasApiError as err:
        message = "could not obtain an access token from %s: %s" % (where, err)
        if err.status in (400, 401) and (err.status == 401 or err.error_code in ("invalid_client", "unauthorized_client")):
            message = "%s. %s" % (message.rstrip("."), _client_credentials_hint())
        elif err.status == 429:
            message = ("%s. The token endpoint is rate limited: fetch one token per play with the %s lookup "
                       "and pass it to every task as api_access_token." % (message.rstrip("."), TOKEN_LOOKUP))
        raise AtlasTokenError(message, status=err.status, error_code=err.error_code) from None
    except AtlasTokenError:
        raise
    except AtlasError as err:
        raise AtlasTokenError("could not obtain an access token from %s: %s" % (where, err)) from None
    token = answer.get("access_token") if isinstance(answer, dict) else None
    token_type = answer.get("token_type", "Bearer") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token.strip() or str(token_type).lower() != "bearer":
        raise AtlasTokenError("could not obtain an access token from %s: the answer holds no bearer access_token"
                              % where)
    expires_in = answer.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)):
        expires_in = None
    return AccessToken(token.strip(), expires_in=expires_in, token_type="Bearer")


#: What to do when Atlas rejects an access token it accepted earlier in the same task.
TOKEN_EXPIRED_HINT = (
    "The access token in api_access_token (or the environment variable MONGODB_ATLAS_ACCESS_TOKEN) has expired "
    "during the task: Atlas accepted it for the task's earlier requests. Tokens expire after expires_in seconds "
    "(one hour on Atlas): fetch a new one with the %s lookup right before long tasks, or set client_id and "
    "client_secret so that the task obtains a new token itself." % TOKEN_LOOKUP
)


class BearerTokenAuth(AuthBase):
    """``Authorization: Bearer <token>`` on every request; notes whether Atlas accepted the token once."""

    def __init__(self, token):
        self._token = token
        self.accepted = False

    def __call__(self, request):
        request.headers["Authorization"] = "Bearer %s" % self._token
        request.register_hook("response", self._note_answer)
        return request

    def _note_answer(self, response, **kwargs):
        if response.status_code != 401:
            self.accepted = True

    def rejected_hint(self):
        """The hint for a 401 when this task's earlier requests went through: the token has expired since."""
        return TOKEN_EXPIRED_HINT if self.accepted else None

    def __repr__(self):
        return "BearerTokenAuth()"


class ClientCredentialsAuth(AuthBase):
    """A service account: one token per instance (one module run), requested on the first request,
    and once more when it expires during the run (``renew``).

    ``AtlasClient`` calls ``bind(client)``; the token request then goes through that client.
    ``token_requests`` counts the token requests made (0 or 1, 2 after a renewal, unless a request failed).
    """

    def __init__(self, client_id, client_secret):
        self.client_id = client_id
        self._client_secret = client_secret
        self._client = None
        self._token = None
        self._renewed = False
        self.token_requests = 0

    def bind(self, client):
        self._client = client

    def __call__(self, request):
        if self._token is None:
            if self._client is None:
                raise RuntimeError("ClientCredentialsAuth must be bound to an AtlasClient before its first request")
            self.token_requests += 1
            self._token = request_access_token(self._client, self.client_id, self._client_secret).access_token
        request.headers["Authorization"] = "Bearer %s" % self._token
        return request

    def renew(self):
        """After a 401: drop the token so that the next request obtains a new one; once per run.

        A token expires (after expires_in seconds) while a long task runs, or waits out a 429.
        Returns False when there is no token yet or it was renewed already: the 401 then stands.
        """
        if self._token is None or self._renewed:
            return False
        self._renewed = True
        self._token = None
        return True

    def __repr__(self):
        return "ClientCredentialsAuth(client_id=%r)" % (self.client_id,)


def _needs_requests(what):
    if not HAS_REQUESTS:
        raise RuntimeError("%s needs the Python library requests, which is not installed." % what)


def _digest_auth(params):
    """HTTP digest with a programmatic API key: public key as user, private key as password."""
    _needs_requests("HTTP digest authentication")
    return HTTPDigestAuth(params["api_public_key"], params["api_private_key"])


def _client_credentials_auth(params):
    _needs_requests("Service account authentication")
    return ClientCredentialsAuth(params["client_id"], params["client_secret"])


def _access_token_auth(params):
    _needs_requests("Access token authentication")
    return BearerTokenAuth(params["api_access_token"])


class AuthScheme(object):
    """One authentication scheme: its options, the builder of its auth object, its 401 hint."""

    def __init__(self, name, options, builder, description, rejected_hint=None):
        self.name = name
        self.options = tuple(options)
        self.builder = builder
        self.description = description
        self.rejected_hint = rejected_hint

    def __repr__(self):
        return "AuthScheme(%r)" % (self.name,)


DIGEST_REJECTED_HINT = (
    "Atlas rejected the credentials: check api_public_key and api_private_key (or the environment variables "
    "MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY), and that the key belongs to this organization."
)

#: The registry. Its order is the order in which the environment is read when a task sets no
#: credential option. Add new schemes here.
SCHEMES = (
    AuthScheme(
        "access_token",
        ("api_access_token",),
        _access_token_auth,
        "an access token",
        "Atlas rejected the access token in api_access_token (or the environment variable "
        "MONGODB_ATLAS_ACCESS_TOKEN): it has expired or is not valid. Tokens expire after expires_in seconds "
        "(one hour on Atlas): fetch a new one with the %s lookup, or set client_id and client_secret so that "
        "each task obtains its own." % TOKEN_LOOKUP,
    ),
    AuthScheme(
        "client_credentials",
        ("client_id", "client_secret"),
        _client_credentials_auth,
        "a service account",
        "Atlas rejected the access token it issued for the service account in client_id: check that the service "
        "account still exists and belongs to this organization.",
    ),
    AuthScheme(
        "digest",
        ("api_public_key", "api_private_key"),
        _digest_auth,
        "a programmatic API key",
        DIGEST_REJECTED_HINT,
    ),
)

CREDENTIAL_OPTIONS = tuple(option for scheme in SCHEMES for option in scheme.options)


def scheme_named(name):
    for scheme in SCHEMES:
        if scheme.name == name:
            return scheme
    raise KeyError(name)


class Credentials(object):
    """The outcome of ``resolve_credentials``: the scheme, its option values, where they came from."""

    def __init__(self, scheme, values, from_env=()):
        self.scheme = scheme
        self.values = dict(values)
        #: option names whose values were read from the environment
        self.from_env = tuple(from_env)

    def secrets(self):
        """The secret values (to register as no_log values)."""
        return [self.values[o] for o in self.scheme.options if o in SECRET_OPTIONS and self.values.get(o)]

    def build(self):
        """The ``requests`` auth object of the scheme."""
        return self.scheme.builder(self.values)

    def __repr__(self):
        return "Credentials(%r, from_env=%r)" % (self.scheme.name, self.from_env)


def _is_set(value):
    if value is None:
        return False
    if isinstance(value, str) and not value.strip():
        return False
    return True


def _clean(value):
    """Surrounding whitespace is dropped: Atlas credentials never hold any, and a stray newline
    from a file lookup would only cause a 401."""
    return value.strip() if isinstance(value, str) else value


def _how_to_set(scheme):
    return "%s needs %s" % (
        scheme.description,
        " and ".join(_option_text(option) for option in scheme.options),
    )


def _env_order_text():
    parts = []
    for scheme in SCHEMES:
        names = [CREDENTIAL_ENV_VARS[o][0] for o in scheme.options]
        parts.append(" and ".join(names))
    return "; then ".join(parts)


def _from_env(option, environ):
    for name in CREDENTIAL_ENV_VARS.get(option, ()):
        value = environ.get(name)
        if _is_set(value):
            return _clean(value)
    return None


def _no_credentials_error():
    return AtlasCredentialsError(
        "No MongoDB Atlas API credentials were given: %s." % "; or ".join(_how_to_set(s) for s in SCHEMES),
        missing=list(CREDENTIAL_OPTIONS),
    )


def _conflict_error(given):
    kinds = []
    for scheme in SCHEMES:
        options = [o for o in scheme.options if o in given]
        if options:
            kinds.append("%s (%s)" % (", ".join(options), scheme.description))
    return AtlasCredentialsError(
        "Credentials of more than one way of authenticating were given in the task: %s. Use exactly one: %s."
        % (" and ".join(kinds), "; or ".join(_how_to_set(s) for s in SCHEMES))
    )


def _incomplete_error(scheme, missing, from_environment=False):
    verb = "is" if len(missing) == 1 else "are"
    if from_environment:
        set_names = [n for o in scheme.options if o not in missing for n in CREDENTIAL_ENV_VARS[o][:1]]
        message = ("Incomplete MongoDB Atlas API credentials in the environment: %s %s set but %s %s not; %s. "
                   "When a task sets no credential option, the environment is read in this order: %s."
                   % (" and ".join(set_names), "is" if len(set_names) == 1 else "are",
                      " and ".join(_option_text(o) for o in missing), verb, _how_to_set(scheme), _env_order_text()))
    else:
        message = ("Incomplete MongoDB Atlas API credentials: %s %s not set; %s."
                   % (" and ".join(missing), verb, _how_to_set(scheme)))
    return AtlasCredentialsError(message, missing=missing)


def select_scheme(params):
    """Return the ``AuthScheme`` that ``params`` (option name -> value) selects, without the environment.

    A scheme is selected when at least one of its options is set; it must then be complete.
    Raises ``AtlasCredentialsError`` when no scheme is selected, when the selected one is
    incomplete, or when options of several schemes are mixed.
    """
    given = set(o for s in SCHEMES for o in s.options if _is_set(params.get(o)))
    selected = [s for s in SCHEMES if any(o in given for o in s.options)]
    if not selected:
        raise _no_credentials_error()
    if len(selected) > 1:
        raise _conflict_error(given)
    scheme = selected[0]
    missing = [o for o in scheme.options if o not in given]
    if missing:
        raise _incomplete_error(scheme, missing)
    return scheme


def resolve_credentials(params, environ=None):
    """The ``Credentials`` of a task: ``params`` are its options, ``environ`` the environment
    (``os.environ`` when None). See the module docstring for the rules."""
    if environ is None:
        environ = os.environ
    given = dict((o, _clean(params.get(o))) for o in CREDENTIAL_OPTIONS if _is_set(params.get(o)))
    if given:
        selected = [s for s in SCHEMES if any(o in given for o in s.options)]
        if len(selected) > 1:
            raise _conflict_error(given)
        scheme = selected[0]
        values, from_env = dict(given), []
        for option in scheme.options:
            if option not in values:
                value = _from_env(option, environ)
                if value is not None:
                    values[option] = value
                    from_env.append(option)
        missing = [o for o in scheme.options if o not in values]
        if missing:
            raise _incomplete_error(scheme, missing)
        return Credentials(scheme, values, from_env)
    for scheme in SCHEMES:
        values = dict((o, _from_env(o, environ)) for o in scheme.options)
        values = dict((o, v) for o, v in values.items() if v is not None)
        if not values:
            continue
        missing = [o for o in scheme.options if o not in values]
        if missing:
            raise _incomplete_error(scheme, missing, from_environment=True)
        return Credentials(scheme, values, scheme.options)
    raise _no_credentials_error()


def build_auth(api_public_key=None, api_private_key=None, client_id=None, client_secret=None,
               api_access_token=None):
    """Return a ``requests`` auth object for the given credential options (no environment)."""
    params = {
        "api_public_key": api_public_key,
        "api_private_key": api_private_key,
        "client_id": client_id,
        "client_secret": client_secret,
        "api_access_token": api_access_token,
    }
    params = dict((name, _clean(value)) for name, value in params.items())
    scheme = select_scheme(params)
    return scheme.builder(params)
