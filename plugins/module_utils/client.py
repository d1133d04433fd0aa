# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTP client of the Atlas Administration API, shared by every module.

``AtlasClient`` knows nothing of Ansible: it holds one ``requests.Session``
(with the auth object of ``auth.Credentials.build``, so the digest challenge is
answered once and the nonce is reused), sends JSON with the media type of the
chosen API version, follows pages, decodes Atlas errors and retries what is
safe to retry. It takes a base URL its caller has checked
(``module_base.check_connection``). See docs/developing.md, "Client contract".

The media type is per operation: each request method takes ``media_type``
(the versioned type of that operation, such as ``MEDIA_TYPE_2024_08_05`` for
service accounts); left out, the API version's default is sent.

Retry decisions (at most ``retries`` retries, capped exponential backoff with
full jitter, ``Retry-After`` honoured):

* 429: every method is sent again (Atlas did not apply the request).
* 502, 503, 504, timeouts and dropped connections: GET, PATCH and DELETE are
  sent again. A POST's outcome is unknown then (500 included): ``reread()`` is
  called; its non-None result is returned, None means "not applied" and the
  POST is sent again. Without ``reread`` ``AtlasOutcomeUnknown`` is raised.
* A connection that could not be opened (refused, name not resolved, connect
  timeout): every method is sent again, no request byte reached Atlas.
* A TLS certificate that cannot be verified and every other 4xx/5xx: raised
  at once.

Every error type of the collection is defined here. No message, ``args`` or
attribute of an error holds a credential, an ``Authorization`` header or a
request body; messages name no option: ``module_base`` adds what to do.

``post_form()`` sends a form to a path outside the API root (the OAuth token
endpoint) with the same retries; an auth object with a ``bind(client)`` method
is handed the client, so that it can request its token that way (auth.py).
"""

from __future__ import annotations

import email.utils
import http.client
import json
import math
import random
import socket
import ssl
import time
import traceback
import warnings
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit, urlunsplit

try:
    import requests
    from requests import exceptions as requests_exceptions
    from urllib3.exceptions import InsecureRequestWarning
except ImportError:
    requests = None
    requests_exceptions = None
    InsecureRequestWarning = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

try:
    from urllib3.exceptions import NewConnectionError
except ImportError:
    NewConnectionError = None


COLLECTION_NAME = "mongodb_atlas.api_keys"
COLLECTION_VERSION = "0.2.0"

#: The v2 media type of the API key and project operations, the client's default.
MEDIA_TYPE_2023_01_01 = "application/vnd.atlas.2023-01-01+json"
#: The v2 media type of every service-account operation (they have no other version, and no v1.0).
MEDIA_TYPE_2024_08_05 = "application/vnd.atlas.2024-08-05+json"

#: API version -> (API root, default media type for Accept and Content-Type)
API_ROOTS = {
    "v2": ("/api/atlas/v2", MEDIA_TYPE_2023_01_01),
    "v1.0": ("/api/atlas/v1.0", "application/json"),
}

PAGE_SIZE = 500
MAX_PAGES = 1000

RETRY_STATUSES = frozenset((429, 502, 503, 504))
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0

#: Methods that may be sent again as they are when their outcome is unknown.
REPEATABLE_METHODS = frozenset(("GET", "PATCH", "DELETE"))

_FAIL = "fail"
_RETRY = "retry"
_UNKNOWN = "unknown"


def quote_segment(value):
    """Encode one URL path segment: every reserved character, '/' included, is escaped.

    ``quote_segment("10.0.0.0/24") == "10.0.0.0%2F24"``. requests keeps ``%2F``
    as it is on the wire.
    """
    return quote(str(value), safe="")


def build_user_agent(user_agent_extra=None):
    """``mongodb_atlas.api_keys/<version> python-requests/<version> [<extra>]``."""
    agent = "%s/%s" % (COLLECTION_NAME, COLLECTION_VERSION)
    if HAS_REQUESTS:
        agent += " python-requests/%s" % requests.__version__
    if user_agent_extra:
        agent += " %s" % user_agent_extra.strip()
    return agent


def display_url(url):
    """The URL without user information (never show ``user:password@``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` value (seconds or HTTP-date), capped.

    Returns None when the value is absent or cannot be read.
    """
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        when = _http_date(value)
        if when is None:
            return None
        if now is None:
            now = datetime.now(timezone.utc)
        seconds = (when - now).total_seconds()
    if math.isnan(seconds) or seconds < 0:  # unreadable, or in the past
        seconds = 0.0
    return min(seconds, RETRY_AFTER_CAP)


def _snippet(text, limit=200):
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 3] + "..."
    return text


def _exception_chain(exc, limit=25):
    """The exception and every exception reachable from it (args, reason, cause, context)."""
    seen = set()
    todo = [exc]
    chain = []
    while todo and len(chain) < limit:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        chain.append(current)
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                todo.append(arg)
        for attr in ("reason", "__cause__", "__context__"):
            value = getattr(current, attr, None)
            if isinstance(value, BaseException):
                todo.append(value)
    return chain


def _short_reason(chain):
    for exc in chain:
        if isinstance(exc, http.client.RemoteDisconnected):
            return "the server closed the connection without answering"
        if isinstance(exc, http.client.IncompleteRead):
            return "the answer was cut short"
        if isinstance(exc, ConnectionRefusedError):
            return "connection refused"
        if isinstance(exc, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(exc, ConnectionAbortedError):
            return "connection aborted"
        if isinstance(exc, socket.gaierror):
            return "the host name could not be resolved (%s)" % (exc.strerror or exc.__class__.__name__)
    for exc in chain:
        if isinstance(exc, OSError) and exc.strerror:
            return _snippet(str(exc.strerror), 120)
    return chain[-1].__class__.__name__


class AtlasError(Exception):
    """Base of every error raised by the client."""

    def __init__(self, message, method=None, path=None):
        super(AtlasError, self).__init__(message)
        self._message = message
        self._tail = ""
        self.method = method
        self.path = path
        self.attempts = 1

    def _with_attempts(self, attempts, exhausted=False):
        """Record how many attempts were made and say so in the message."""
        self.attempts = attempts
        message = self._message
        if attempts > 1:
            message += " (%s %d attempts)" % ("gave up after" if exhausted else "after", attempts)
        self.args = (message + self._tail,)
        return self


class AtlasApiError(AtlasError):
    """Atlas answered with an HTTP error status.

    ``str()`` is ``HTTP <status> <errorCode or reason>: <detail>``, parts that are
    missing left out.
    """

    def __init__(self, status, error_code=None, detail=None, reason=None, method=None, path=None):
        self.status = status
        self.error_code = error_code or None
        self.detail = detail or None
        self.reason = reason or None
        message = "HTTP %s" % status
        label = self.error_code or self.reason
        text = self.detail
        if not text and self.error_code and self.reason:
            text = self.reason
        if label:
            message += " %s" % label
        if text:
            message += ": %s" % text
        super(AtlasApiError, self).__init__(message, method=method, path=path)


class AtlasTransportError(AtlasError):
    """No HTTP answer: ``kind`` is "timeout", "connection" or "tls"."""

    def __init__(self, message, kind, method=None, path=None, retryable=True, maybe_sent=True):
        super(AtlasTransportError, self).__init__(message, method=method, path=path)
        self.kind = kind
        self.retryable = retryable
        self.maybe_sent = maybe_sent


class AtlasOutcomeUnknown(AtlasTransportError):
    """A POST may or may not have been applied, and it was not sent again.

    ``cause`` is the error that left the outcome unknown (an ``AtlasApiError``
    for a 5xx answer, else an ``AtlasTransportError``); ``kind`` is the cause's
    kind, or "http" for a 5xx answer.
    """

    def __init__(self, cause, method, path, reread_error=None):
        message = "the outcome of %s %s is unknown: %s" % (method, path, cause._message)
        if reread_error is not None:
            tail = ". Atlas may have applied it, and reading the current state to find out failed: %s" % (
                reread_error._message)
        else:
            tail = ". Atlas may have applied it, so it was not sent again"
        tail += ". Check the current state before trying again."
        kind = getattr(cause, "kind", "http")
        super(AtlasOutcomeUnknown, self).__init__(message, kind, method=method, path=path, retryable=False)
        self._tail = tail
        self.args = (message + tail,)
        self.cause = cause
        self.reread_error = reread_error


class AtlasTokenError(AtlasError):
    """No access token could be obtained from the token endpoint (``auth.request_access_token``).

    ``cause`` is the client's error (None when the answer held no token). It is not an
    ``AtlasApiError`` even when Atlas answered: a 404 of the token endpoint must not pass for a
    missing object.
    """

    def __init__(self, message, path, cause=None):
        super(AtlasTokenError, self).__init__(message, method="POST", path=path)
        self.cause = cause


class AtlasCredentialsError(ValueError):
    """The credentials do not select exactly one complete scheme (``auth.resolve_credentials``)."""


class AtlasClient(object):
    """A session with the Atlas Administration API. See the module docstring."""

    def __init__(self, base_url, auth, api_version="v2", timeout=30, validate_certs=True,
                 retries=4, user_agent_extra=None, sleep=time.sleep, rng=None):
        if not HAS_REQUESTS:
            raise AtlasError("The Python library requests is required to talk to Atlas.")
        self.base_url = base_url.rstrip("/")
        self.display_url = display_url(self.base_url)
        self.api_root, self.media_type = API_ROOTS[api_version]
        self.timeout = timeout
        self.validate_certs = validate_certs
        self.retries = max(0, int(retries))
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        #: The Date of Atlas's latest answer, as an aware UTC datetime (see now()).
        self.server_date = None
        self.session = requests.Session()
        self.session.auth = auth
        self.session.verify = validate_certs
        self.session.headers["User-Agent"] = build_user_agent(user_agent_extra)
        if hasattr(auth, "bind"):
            # An auth object that must itself talk to Atlas (an OAuth token request) does so
            # through this client: same URL, TLS settings, timeout and retries.
            auth.bind(self)

    # -- public API --------------------------------------------------------------------------

    def url(self, path):
        """The full URL of ``path``, which is relative to the API root."""
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + self.api_root + path

    def get(self, path, params=None, media_type=None):
        return self.request("GET", path, params=params, media_type=media_type)

    def list_all(self, path, params=None, first_page=None, media_type=None):
        """Every item of a paginated list: ``itemsPerPage=500``, ``pageNum`` 1..n.

        Stops on a page shorter than 500, when ``totalCount`` items are read, or
        when a page adds nothing new (a server that repeats a page). ``first_page``
        is an answer for page 1 already in hand (Atlas answers a POST to a list with
        one): reading goes on from page 2.
        """
        items = []
        seen = set()
        page = 1
        while True:
            query = dict(params or {})
            query["itemsPerPage"] = PAGE_SIZE
            query["pageNum"] = page
            if page == 1 and first_page is not None:
                data = first_page
            else:
                data = self.get(path, params=query, media_type=media_type)
            if data is None:
                return items
            if isinstance(data, list):  # not paginated after all
                return items + [item for item in data if _item_key(item) not in seen]
            results = data.get("results") if isinstance(data, dict) else None
            if not isinstance(results, list):
                raise AtlasError("GET %s answered without a 'results' list" % path,
                                 method="GET", path=path)
            added = 0
            for item in results:
                key = _item_key(item)
                if key in seen:
                    continue
                seen.add(key)
                items.append(item)
                added += 1
            total = data.get("totalCount")
            if len(results) < PAGE_SIZE or added == 0:
                return items
            if isinstance(total, int) and not isinstance(total, bool) and len(items) >= total:
                return items
            if page >= MAX_PAGES:
                raise AtlasError("GET %s: more than %d pages; giving up" % (path, MAX_PAGES),
                                 method="GET", path=path)
            page += 1

    def post(self, path, body, reread=None, params=None, media_type=None):
        return self.request("POST", path, params=params, body=body, reread=reread, media_type=media_type)

    def now(self):
        """Atlas's time: the ``Date`` of its latest answer (UTC), else the local clock.

        Expiry dates are Atlas's, so comparing them with Atlas's own clock keeps a
        controller whose clock is off from rotating too early or too late.
        """
        return self.server_date or datetime.now(timezone.utc)

    def close(self):
        self.session.close()

    def request(self, method, path, params=None, body=None, reread=None, media_type=None):
        """Send one API call with retries; return the decoded JSON answer or None.

        ``media_type`` goes on Accept (and Content-Type with a body): the operation's
        versioned media type; None sends the API version's default.

        ``reread`` (POST only, no arguments) is called when a POST's outcome is
        unknown: it returns any non-None value when the write took effect (that
        value is returned here and the POST is not sent again; return e.g. True
        for a write whose answer is a 204), or None when it did not (the POST is
        sent again, within the retry budget).
        """
        method = method.upper()
        media_type = media_type or self.media_type
        headers = {"Accept": media_type}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = media_type
        return self._call(method, self.url(path), path, params, data, headers,
                          method in REPEATABLE_METHODS, reread)

    def post_form(self, path, form, auth=None):
        """POST a form (``application/x-www-form-urlencoded``) to ``path`` under ``base_url``
        itself, not under the API root, such as the OAuth 2.0 token endpoint ``/api/oauth/token``.

        ``auth`` applies to this request only (the session's auth object is not used). The
        answer is JSON (``Accept: application/json``); it is decoded and returned. Sent with the
        retries of ``request()``, treated as safe to repeat: a second token is harmless.
        """
        if not path.startswith("/"):
            path = "/" + path
        headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
        return self._call("POST", self.base_url + path, path, None, form, headers, True, None, auth=auth)

    def _call(self, method, url, path, params, data, headers, repeatable, reread, auth=None):
        """The retry loop of ``request()`` and ``post_form()``."""
        attempt = 0
        while True:
            attempt += 1
            response, error = self._send(method, url, path, params, data, headers, auth=auth)
            retry_after = None
            if response is not None:
                status = response.status_code
                if status < 400:
                    return self._decode(response, method, path)
                error = self._api_error(response, method, path)
                if status == 401 and auth is None and getattr(self.session.auth, "renew", lambda: False)():
                    continue  # a token that expired during the run was dropped: resend with a new one
                if status == 429:
                    action = _RETRY
                elif status in RETRY_STATUSES:
                    action = _RETRY if repeatable else _UNKNOWN
                elif status == 500 and not repeatable:
                    action = _UNKNOWN
                else:
                    action = _FAIL
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
            elif not error.retryable:
                action = _FAIL
            elif repeatable or not error.maybe_sent:
                action = _RETRY
            else:
                action = _UNKNOWN

            if action == _FAIL:
                raise error._with_attempts(attempt)
            if action == _UNKNOWN and reread is None:
                raise AtlasOutcomeUnknown(error, method, path)._with_attempts(attempt)
            exhausted = attempt > self.retries
            delay = self._delay(attempt, retry_after)
            if action == _UNKNOWN:
                self._sleep(delay)  # also gives the write time to settle before reading
                result = self._reread(reread, error, method, path, attempt)
                if result is not None:
                    return result
                if exhausted:
                    raise error._with_attempts(attempt, exhausted=True)
            else:
                if exhausted:
                    raise error._with_attempts(attempt, exhausted=True)
                self._sleep(delay)

    # -- internals ---------------------------------------------------------------------------

    def _delay(self, attempt, retry_after):
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** min(attempt - 1, 32)))
        delay = self._rng.uniform(0, ceiling)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay

    def _reread(self, reread, error, method, path, attempt):
        try:
            return reread()
        except AtlasError as exc:
            raise AtlasOutcomeUnknown(error, method, path, reread_error=exc)._with_attempts(attempt)

    def _send(self, method, url, path, params, data, headers, auth=None):
        """One attempt: (response, None) or (None, AtlasTransportError)."""
        extra = {} if auth is None else {"auth": auth}
        try:
            with warnings.catch_warnings():
                if not self.validate_certs:  # off on purpose: urllib3 would warn on stderr at every request
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                response = self.session.request(
                    method, url, params=params, data=data, headers=headers,
                    timeout=self.timeout, verify=self.validate_certs, **extra)
        except (requests_exceptions.InvalidURL, requests_exceptions.MissingSchema,
                requests_exceptions.InvalidSchema, requests_exceptions.URLRequired,
                requests_exceptions.InvalidHeader):
            raise AtlasError("invalid request URL for %s %s under %s" % (method, path, self.display_url),
                             method=method, path=path) from None
        except requests_exceptions.RequestException as exc:
            return None, self._transport_error(exc, method, path)
        self.server_date = _http_date(response.headers.get("Date")) or self.server_date
        return response, None

    def _transport_error(self, exc, method, path):
        chain = _exception_chain(exc)
        url = self.display_url
        kind = "connection"
        retryable = True
        maybe_sent = True
        if isinstance(exc, requests_exceptions.SSLError):
            kind = "tls"
            verify = [e for e in chain if isinstance(e, ssl.SSLCertVerificationError)]
            if verify or any("CERTIFICATE_VERIFY_FAILED" in str(e) for e in chain):
                detail = getattr(verify[0], "verify_message", None) if verify else None
                message = "the TLS certificate of %s could not be verified%s" % (url, " (%s)" % detail if detail else "")
                retryable = False
                maybe_sent = False
            else:
                reasons = [e.reason for e in chain if isinstance(e, ssl.SSLError) and getattr(e, "reason", None)]
                message = "TLS error talking to %s: %s" % (url, reasons[0] if reasons else _short_reason(chain))
        elif isinstance(exc, requests_exceptions.ConnectTimeout):
            kind = "timeout"
            maybe_sent = False
            message = "timed out connecting to %s (timeout %s s)" % (url, self._timeout_text(0))
        elif isinstance(exc, requests_exceptions.Timeout):
            kind = "timeout"
            message = "no answer from %s within %s s (read timeout)" % (url, self._timeout_text(1))
        elif NewConnectionError is not None and any(isinstance(e, NewConnectionError) for e in chain):
            maybe_sent = False
            proxy = " through the proxy" if isinstance(exc, requests_exceptions.ProxyError) else ""
            message = "could not connect to %s%s: %s" % (url, proxy, _short_reason(chain))
        elif isinstance(exc, requests_exceptions.ConnectionError):
            message = "the connection to %s was lost before Atlas answered: %s" % (url, _short_reason(chain))
        else:
            message = "the answer from %s could not be read: %s" % (url, _short_reason(chain))
        return AtlasTransportError(message, kind, method=method, path=path, retryable=retryable, maybe_sent=maybe_sent)

    def _timeout_text(self, index):
        if isinstance(self.timeout, (tuple, list)):
            return self.timeout[index]
        return self.timeout

    @staticmethod
    def _decode(response, method, path):
        content = response.content
        if response.status_code == 204 or not content or not content.strip():
            return None
        try:
            return json.loads(content)
        except ValueError:
            raise AtlasApiError(
                response.status_code, reason=response.reason,
                detail="the answer is not JSON: %s" % _snippet(content.decode("utf-8", "replace")),
                method=method, path=path) from None

    @staticmethod
    def _api_error(response, method, path):
        content = response.content or b""
        data = None
        if content.strip():
            try:
                data = json.loads(content)
            except ValueError:
                data = None
        if isinstance(data, dict):
            error_code = data.get("errorCode")
            detail = data.get("detail")
            if not error_code and isinstance(data.get("error"), str):
                # an OAuth 2.0 error (RFC 6749 section 5.2), e.g. from the token endpoint
                error_code, detail = data["error"], detail or data.get("error_description")
            return AtlasApiError(
                response.status_code,
                error_code=str(error_code) if error_code else None,
                detail=str(detail) if detail else None,
                reason=str(data.get("reason") or response.reason or "") or None,
                method=method, path=path)
        return AtlasApiError(
            response.status_code, reason=response.reason,
            detail=_snippet(content.decode("utf-8", "replace")) or None,
            method=method, path=path)


def _http_date(value):
    """An HTTP Date header as an aware UTC datetime; None when absent or unreadable."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def _item_key(item):
    try:
        return json.dumps(item, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(item)
