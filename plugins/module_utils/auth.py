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

A scheme is a row of ``SCHEMES`` (the options it owns and a builder of the ``requests`` auth
object; the hint a module gives when Atlas answers 401 is in ``module_base.REJECTED_HINTS``).
``resolve_credentials()`` is the one place that decides which scheme a task uses:

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

try:
    from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth
except ImportError:  # the module base and the lookup say that requests is missing before any auth is built
    AuthBase = object
    HTTPBasicAuth = HTTPDigestAuth = None

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    AtlasCredentialsError,
    AtlasError,
    AtlasTokenError,
)


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


class AccessToken(object):
    """An OAuth 2.0 bearer access token: ``access_token``, ``expires_in`` (seconds or None)."""

    def __init__(self, access_token, expires_in=None):
        self.access_token = access_token
        self.expires_in = expires_in

    def __repr__(self):
        return "AccessToken(expires_in=%r)" % (self.expires_in,)


def _option_text(option):
    env = CREDENTIAL_ENV_VARS.get(option)
    if not env:
        return option
    text = "%s (environment variable %s" % (option, env[0])
    if len(env) > 1:
        text += " or %s" % " or ".join(env[1:])
    return text + ")"


def request_access_token(client, client_id, client_secret):
    """Obtain one ``AccessToken`` with the client credentials grant, through ``client``.

    ``client`` is an ``AtlasClient``: the token request goes to ``{api_base_url}/api/oauth/token``
    with its TLS settings, timeout and retries (429 with ``Retry-After``, 502-504, connection
    errors). Raises ``AtlasTokenError``, whose message never holds the secret.
    """
    where = "%s%s" % (client.display_url, TOKEN_PATH)
    try:
        answer = client.post_form(TOKEN_PATH, {"grant_type": "client_credentials"},
                                  auth=HTTPBasicAuth(client_id, client_secret))
    except AtlasError as err:
        raise AtlasTokenError("could not obtain an access token from %s: %s" % (where, err), TOKEN_PATH, err) from None
    token = answer.get("access_token") if isinstance(answer, dict) else None
    token_type = answer.get("token_type", "Bearer") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token.strip() or str(token_type).lower() != "bearer":
        raise AtlasTokenError("could not obtain an access token from %s: the answer holds no bearer access_token"
                              % where, TOKEN_PATH)
    expires_in = answer.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)):
        expires_in = None
    return AccessToken(token.strip(), expires_in=expires_in)


class BearerTokenAuth(AuthBase):
    """``Authorization: Bearer <token>`` on every request; ``accepted`` once Atlas accepted the token (a
    later 401 then means it expired during the task)."""

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

    def __repr__(self):
        return "BearerTokenAuth()"


class ClientCredentialsAuth(AuthBase):
    """A service account: one token per instance (one module run), requested on the first request,
    and once more when it expires during the run (``renew``).

    ``AtlasClient`` calls ``bind(client)``; the token request then goes through that client.
    """

    def __init__(self, client_id, client_secret):
        self.client_id = client_id
        self._client_secret = client_secret
        self._client = None
        self._token = None
        self._renewed = False

    def bind(self, client):
        self._client = client

    def __call__(self, request):
        if self._token is None:
            if self._client is None:
                raise RuntimeError("ClientCredentialsAuth must be bound to an AtlasClient before its first request")
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


def _digest_auth(params):
    """HTTP digest with a programmatic API key: public key as user, private key as password."""
    return HTTPDigestAuth(params["api_public_key"], params["api_private_key"])


def _client_credentials_auth(params):
    return ClientCredentialsAuth(params["client_id"], params["client_secret"])


def _access_token_auth(params):
    return BearerTokenAuth(params["api_access_token"])


class AuthScheme(object):
    """One authentication scheme: its options and the builder of its auth object."""

    def __init__(self, name, options, builder, description):
        self.name = name
        self.options = tuple(options)
        self.builder = builder
        self.description = description

    def __repr__(self):
        return "AuthScheme(%r)" % (self.name,)


#: The registry. Its order is the order in which the environment is read when a task sets no
#: credential option. Add new schemes here.
SCHEMES = (
    AuthScheme("access_token", ("api_access_token",), _access_token_auth, "an access token"),
    AuthScheme("client_credentials", ("client_id", "client_secret"), _client_credentials_auth, "a service account"),
    AuthScheme("digest", ("api_public_key", "api_private_key"), _digest_auth, "a programmatic API key"),
)

CREDENTIAL_OPTIONS = tuple(option for scheme in SCHEMES for option in scheme.options)


class Credentials(object):
    """The outcome of ``resolve_credentials``: the scheme and its option values."""

    def __init__(self, scheme, values):
        self.scheme = scheme
        self.values = dict(values)

    def secrets(self):
        """The secret values (to register as no_log values)."""
        return [self.values[o] for o in self.scheme.options if o in SECRET_OPTIONS and self.values.get(o)]

    def build(self):
        """The ``requests`` auth object of the scheme."""
        return self.scheme.builder(self.values)

    def __repr__(self):
        return "Credentials(%r)" % (self.scheme.name,)


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
        "No MongoDB Atlas API credentials were given: %s." % "; or ".join(_how_to_set(s) for s in SCHEMES))


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
    return AtlasCredentialsError(message)


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
        values = dict(given)
        for option in scheme.options:
            if option not in values:
                value = _from_env(option, environ)
                if value is not None:
                    values[option] = value
        missing = [o for o in scheme.options if o not in values]
        if missing:
            raise _incomplete_error(scheme, missing)
        return Credentials(scheme, values)
    for scheme in SCHEMES:
        values = dict((o, _from_env(o, environ)) for o in scheme.options)
        values = dict((o, v) for o, v in values.items() if v is not None)
        if not values:
            continue
        missing = [o for o in scheme.options if o not in values]
        if missing:
            raise _incomplete_error(scheme, missing, from_environment=True)
        return Credentials(scheme, values)
    raise _no_credentials_error()
