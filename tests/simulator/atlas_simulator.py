# -*- coding: utf-8 -*-
"""Atlas simulator: the MongoDB Atlas Administration API for programmatic API keys and service accounts (stdlib only).

A real HTTP/1.1 server (keep-alive, exact Content-Length) on 127.0.0.1 serving the 14 API key
operations under ``/api/atlas/v2`` (media type ``application/vnd.atlas.2023-01-01+json`` on Accept,
else 406 INVALID_VERSION_DATE, and on the Content-Type of bodies, else 415 UNSUPPORTED_MEDIA_TYPE)
and ``/api/atlas/v1.0`` (``application/json``). Errors are Atlas ``ApiError`` bodies in
``application/json``. HTTP digest authentication: realm "MMS Public API", MD5, qop "auth", nonces
that expire after ``nonce_ttl`` seconds (answered ``stale=true``) and a rejected replay of a
(nonce, nc) pair.

Command line (``--help`` describes every option)::

    python -m ansible_collections.mongodb_atlas.api_keys.tests.simulator    # or: python atlas_simulator.py
        [--host 127.0.0.1] [--port 0] [--org-id ID] [--project-id ID ...] [--url-file PATH]
        [--tls-cert CERT --tls-key KEY] [--nonce-ttl SECONDS] [--verbose]

prints a first line ``ATLAS_SIMULATOR_URL=http://127.0.0.1:<port>``, then ``#`` lines with the seeded
organization, projects, admin key pair and service account, and ``export MONGODB_ATLAS_...=`` lines for the
collection's modules, ending with an empty line; it serves until SIGTERM or SIGINT (exit 0). ``--org-id`` and
``--project-id`` seed other ids in place of ORG_ID and of the projects alpha and beta (``seed_with_ids``).
In Python: ``sim = AtlasSimulator(); sim.start(); sim.url; sim.state; sim.stop()``.

Seeded state (``SEED``; ``POST /__sim/reset`` restores exactly this, or the seed with the ids given)
  org ORG_ID 65a1b2c3d4e5f6a7b8c9d0e1 with projects alpha PROJECT_ALPHA_ID 65a1b2c3d4e5f6a7b8c9d0f1
  and beta PROJECT_BETA_ID 65a1b2c3d4e5f6a7b8c9d0f2; org OTHER_ORG_ID 65a1b2c3d4e5f6a7b8c9d0e2 that
  no seeded key can access (401 USER_CANNOT_ACCESS_ORG). Keys, all with empty access lists:

  ADMIN_*         65a1b2c3d4e5f6a7b8c9d001 simadmin 4c1f7c2e-9a55-4b8e-a3d2-5e0f6b7a9c11 ORG_OWNER
  READ_ONLY_*     65a1b2c3d4e5f6a7b8c9d002 simreadr 7d2e8f3a-1b4c-4d5e-9f60-718293a4b5c6 ORG_READ_ONLY
  PROJECT_OWNER_* 65a1b2c3d4e5f6a7b8c9d003 simprojx 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d ORG_MEMBER + GROUP_OWNER in alpha
  (constants *_KEY_ID, *_PUBLIC_KEY, *_PRIVATE_KEY; descriptions "simulator admin", "simulator read-only",
  "simulator project owner").

Control API (no authentication, JSON, never logged)
  GET    /__sim/log            {"requests": [{seq, method, path (raw, still %2F-encoded), query (dict), status
                               (null when nothing was sent), principal (public key in the Authorization header),
                               authenticated, challenge (a 401 digest challenge was sent), write (POST/PATCH/
                               DELETE/PUT on /api/, whatever the outcome), fault (null or its kind), body (the
                               JSON body sent to /api/, null when none or not JSON; token requests: never)}]}
  DELETE /__sim/log            clear the log
  POST   /__sim/reset          seeded state, empty log, no faults, default config (issued nonces stay valid)
  GET    /__sim/state          orgs, projects, every key with roles, clear private key and access list; config
  GET|POST /__sim/config       {"nonce_ttl": seconds, "max_keys_per_org": n (default 500, enforced by ops 2 and 11)}
  POST   /__sim/expire_nonces  every issued nonce becomes stale
  POST   /__sim/seed           {"api_keys": N, "description_prefix": "bulk-", "org_roles": ["ORG_MEMBER"],
                               "org_id": ORG_ID, "project_id": id, "project_roles": [...]} and/or
                               {"access_list": {"api_key_id": id, "count": N}} (10.x.y.z/32 entries; do not give
                               them to the key you call with, or it is locked out). No HTTP per key and no
                               max_keys_per_org check. Returns {"api_key_ids": [...], "access_list_entries": [...]}
  GET|POST|DELETE /__sim/faults  the fault plan: POST replaces it, DELETE clears it (see below)
  GET|POST /__sim/clock        the simulated clock (see "Service accounts" below)

Fault plan: ``{"rules": [{"method": "POST", "path": "<re.search on the path after the API root>",
"kind": "409"|"429"|"500"|"502"|"503"|"504"|"drop"|"timeout", "when": "before"|"after", "times": 1 (null =
always), "retry_after": 1, "delay": 2.0, "stage": "request"|"challenge"}], "random": {"rate": 0.2,
"seed": 42, "kinds": [...], "retry_after": 1, "methods": [...], "when": "before"|"after"|"either",
"delay": 2.0}}``. Faults hit authenticated requests only, unless a rule says ``"stage": "challenge"``
(then it replaces a 401 digest challenge). ``before``: the request is not applied. ``after``: it is
applied (writes included), then the client gets the fault instead of the answer. ``drop`` shuts the
socket down without any response. ``timeout`` sleeps ``delay`` seconds, then ``before`` closes the
connection unanswered and ``after`` sends the real answer late. 429 always carries ``Retry-After``
(default 1) and a RATE_LIMITED body; 409 an ADDRESS_ALREADY_IN_ACCESS_LIST body (a concurrent
client added an entry first: ``after`` applies the POST, ``before`` does not); 5xx carry it when
``retry_after`` is set. Rules are checked first, in order; random faults draw from ``random.Random(seed)`` once per eligible request, so a
given seed and request sequence always gives the same faults.

Error codes chosen where the reference leaves them open: 401 USER_CANNOT_ACCESS_ORG (org of another
owner), 401 USER_CANNOT_ACCESS_GROUP (project of another org), 401 USER_UNAUTHORIZED (missing role),
409 MAX_API_KEYS_PER_ORG_EXCEEDED, 400 INVALID_API_KEY_DESC (desc > 250 chars), 400 INVALID_ATTRIBUTE
(field of the wrong type), 400 MISSING_ONE_OF_ATTRIBUTES (PATCH with neither desc nor roles; access
list item with neither or both of ipAddress/cidrBlock), 400 CANNOT_REMOVE_CALLER_ACCESS_LIST_ENTRY,
404 API_KEY_NOT_IN_GROUP (unassign a key not in the project), 404 RESOURCE_NOT_FOUND / 405
METHOD_NOT_ALLOWED (no such route), 429 RATE_LIMITED, 503 SERVICE_UNAVAILABLE. Posting an access
list entry that already exists keeps it silently. Project reads (op 10) are also allowed with
ORG_READ_ONLY, as Atlas's Organization Read Only role reads every project.

Besides the 14 operations, ``GET /groups/{groupId}`` (Return One Project: id, name, orgId, created,
clusterCount) answers under both roots, with the permissions of op 10.

Order of checks on /api/: digest auth (401) -> fault "before" -> the caller key's own access list
(403 IP_ADDRESS_NOT_ON_ACCESS_LIST; a match updates that entry's count/lastUsed/lastUsedAddress) ->
API root (404) -> Accept (406) -> Content-Type of a body (415) -> route (404/405) -> path ids (400
PATH_PARAM_PARSE_ERROR) -> org/project existence (404) and caller roles (401) -> body -> the change.
New ids are 24 hex digits from a counter (never reused within one simulator, even across reset),
public keys 8 lowercase letters, private keys uuid4 (clear only in the answers of ops 2 and 11).
Keys are listed by public key, access-list entries by (IP version, address, prefix length).

Service accounts (OAuth 2.0 client credentials). Seeded: SERVICE_ACCOUNT_CLIENT_ID
mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa, name SERVICE_ACCOUNT_NAME, ORG_OWNER of ORG_ID, one secret SERVICE_ACCOUNT_SECRET_ID
65a1b2c3d4e5f6a7b8c9d0ab with the value SERVICE_ACCOUNT_CLIENT_SECRET that expires 10 years after the reset. It is an
ordinary account of the service-account API below (it can be read, changed, given secrets or deleted until the next reset).
  POST /api/oauth/token        HTTP Basic client_id:client_secret, form body grant_type=client_credentials ->
                               200 {"access_token", "expires_in": token_ttl, "token_type": "Bearer"} (Cache-Control:
                               no-store); the secret's lastUsedAt becomes now. 401 {"error": "invalid_client",
                               "error_description"} on a missing or wrong id/secret, a deleted secret, an expired secret
                               (expiresAt <= now) or a deleted account; 400 invalid_request (not a form) /
                               unsupported_grant_type; 429 RATE_LIMITED with Retry-After (seconds until the window has
                               room) once token_rate_limit requests were answered within token_rate_window seconds.
                               Logged like API requests (principal = the client id in the Basic header, write false);
                               fault rules match its path too. The caller's address is not checked here (Atlas checks
                               it on the calls that use the token).
  Authorization: Bearer <token> works on every /api/atlas/ route; the account's roles (organization and project) are
  checked like a key's, its access list too (403 IP_ADDRESS_NOT_ON_ACCESS_LIST; a match counts in requestCount), and
  principal is its client id. An unknown or expired token (older than token_ttl on the simulated clock) or a token of a
  deleted account gets 401 with the Atlas body (no errorCode) and ``WWW-Authenticate: Bearer error="invalid_token"``.
  Deleting a secret does not end the tokens already issued with it; deleting the account ends them all.
  Config (/__sim/config): token_ttl (default 3600 s), token_rate_limit (default 50; 0 refuses every request),
  token_rate_window (default 60 s), secret_expires_after_hours_min / _max (the organization's bounds of
  secretExpiresAfterHours, default 8 and 8760; integers, 1 <= min <= max).

Service-account API: the 22 operations of the spec, under /api/atlas/v2 only (the same paths under /api/atlas/v1.0 are
404 RESOURCE_NOT_FOUND). Media type application/vnd.atlas.2024-08-05+json (SERVICE_ACCOUNT_MEDIA_TYPE) and no other:
Accept without it -> 406 INVALID_VERSION_DATE, a body of another Content-Type -> 415 UNSUPPORTED_MEDIA_TYPE (the
checks run in the order given above; a v2 path under .../serviceAccounts selects this media type). SA =
/orgs/{orgId}/serviceAccounts, GSA = /groups/{groupId}/serviceAccounts; "org read" = any role in the org, "org owner" =
ORG_OWNER, "project read" = a role in the project, ORG_OWNER or ORG_READ_ONLY, "project owner" = GROUP_OWNER there or
ORG_OWNER (else 401 USER_UNAUTHORIZED, as for keys).
  GET    SA                              org read     200 paginated OrgServiceAccount (by client id = creation order)
  POST   SA                              org owner    201 OrgServiceAccount with its first secret, ``secret`` included;
                                                      body {name, description, roles (org), secretExpiresAfterHours}
  GET    SA/{clientId}                   org read     200 OrgServiceAccount
  PATCH  SA/{clientId}                   org owner    200; any of name, description, roles (absent = unchanged)
  DELETE SA/{clientId}                   org owner    204; its tokens end, its project roles go with it
  POST   SA/{clientId}/secrets           org owner    201 ServiceAccountSecret with ``secret``; {secretExpiresAfterHours}
  DELETE SA/{clientId}/secrets/{secretId} org owner   204 (any secret, even the last one)
  GET    SA/{clientId}/accessList        org read     200 paginated entries {cidrBlock, ipAddress (single addresses),
                                                      createdAt, requestCount, lastUsedAt, lastUsedAddress}
  POST   SA/{clientId}/accessList        org owner    200 the whole list, paginated; body: a list of 1..200 objects with
                                                      exactly one of ipAddress/cidrBlock; existing entries are kept
  DELETE SA/{clientId}/accessList/{ip}   org owner    204; a CIDR block as 10.0.0.0%2F8
  GET    SA/{clientId}/groups            org read     200 paginated [{groupId, roles}] of the account's projects
  GET    GSA                             project read 200 paginated GroupServiceAccount (roles = its roles there)
  POST   GSA                             project owner 201 GroupServiceAccount with ``secret``; body as POST SA with
                                                      project roles; the account becomes ORG_MEMBER of the org
  POST   GSA/{clientId}:invite           org owner    200 GroupServiceAccount; {roles} (project roles); ``%3A`` works too
  GET    GSA/{clientId}                  project read 200 GroupServiceAccount
  PATCH  GSA/{clientId}                  project owner 200; any of name, description, roles (its roles in the project)
  DELETE GSA/{clientId}                  project owner 204; removes it from the project (account and secrets stay)
  GET|POST GSA/{clientId}/accessList, DELETE GSA/{clientId}/accessList/{ip}, POST GSA/{clientId}/secrets,
  DELETE GSA/{clientId}/secrets/{secretId}: as the SA ones (read: project read; writes: project owner) on the same
                                                      account, which must be in the project.
  Reads show each secret's id, createdAt, expiresAt, maskedSecretValue ("mdb_sa_sk_..." + last 4 characters) and
  lastUsedAt (absent until the secret gets a token); the value (``secret``) only in the answer that creates it.
  Secrets: expiresAt = createdAt + secretExpiresAfterHours. A new secret sets every older secret's expiresAt to at most
  7 days after the new one's createdAt (an older secret that expires sooner keeps its date). Expired secrets stay
  listed until deleted. No limit on the number of secrets per account (the spec gives none).
  Validation: name 1..64 and description 1..250 characters of the spec's pattern ^[\\p{L}\\p{N}\\-_.,' ]*$ (letters and
  numbers of any script, - _ . , ' and space); roles a non-empty list of organization roles (SA) or project roles
  (GSA); secretExpiresAfterHours an integer within the configured bounds; clientId path parameters match
  ^mdb_sa_id_[a-fA-F0-9]{24}$ and secretId 24 hex digits.
  Error codes chosen (the spec gives none): 404 SERVICE_ACCOUNT_NOT_FOUND (no such account in that org),
  404 SERVICE_ACCOUNT_NOT_IN_GROUP (GSA routes for an account not in the project), 404 SERVICE_ACCOUNT_SECRET_NOT_FOUND,
  404 SERVICE_ACCOUNT_ACCESS_LIST_ENTRY_NOT_FOUND, 400 SERVICE_ACCOUNT_ALREADY_IN_GROUP (invite twice: PATCH instead),
  400 MISSING_ATTRIBUTE (required field absent), 400 INVALID_ATTRIBUTE (wrong type, length or pattern; empty roles),
  400 INVALID_ENUM_VALUE (unknown role), 400 INVALID_SERVICE_ACCOUNT_SECRET_EXPIRATION (hours out of bounds),
  400 TOO_MANY_ACCESS_LIST_ENTRIES (more than 200 in one POST; nothing is added), 400 PATH_PARAM_PARSE_ERROR (bad
  clientId/secretId), and as for keys: MALFORMED_JSON, INVALID_JSON, MISSING_ONE_OF_ATTRIBUTES,
  INVALID_IP_ADDRESS_OR_CIDR_NOTATION, INVALID_CIDR_BLOCK, DUPLICATE_ADDRESSES_IN_INPUT,
  CANNOT_REMOVE_CALLER_ACCESS_LIST_ENTRY. The spec asks Organization Owner for :invite, so a project owner cannot invite.
  One access list per account: the SA and GSA accessList routes show and change the same entries.
  Clock: GET /__sim/clock -> {"now": ISO-8601 UTC, "offset_seconds": n}; POST /__sim/clock {"advance_hours": h} and/or
  {"advance_seconds": s} (numbers >= 0) moves it forward and answers the same; POST /__sim/reset puts it back. Every
  timestamp the simulator writes (createdAt, expiresAt, lastUsedAt, access-list created/lastUsed of keys and accounts)
  and every token lifetime runs on it, so tests age secrets without sleeping. Digest nonces and the token rate window
  keep the real clock.
  /__sim/state: "service_accounts" [{clientId, clientSecret (the value of the newest secret, null when it has none),
  name, description, orgId, createdAt, roles ({orgId|groupId, roleName}), secrets (the read view plus ``secret`` in
  clear), accessList, tokens (live tokens)}], and "clock".
  /__sim/seed also takes {"service_accounts": N, "name_prefix": "bulk-sa-", "org_roles": [...], "org_id": ORG_ID,
  "project_id": id, "project_roles": [...], "secret_expires_after_hours": h (default the configured maximum)} -> "client_ids"
  (accounts named <prefix>00001..., description "seeded", one secret each; no HTTP per account) and
  {"service_account_access_list": {"client_id": id, "count": N}} -> "service_account_access_list_entries"
  (10.x.y.z/32 entries).
Bearer hook: ``sim.state.bearer_tokens[token] = api_key_id`` makes ``Authorization: Bearer token``
act as that key.
"""
from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import math
import hmac
import ipaddress
import json
import os
import random
import re
import secrets
import shlex
import signal
import socket
import ssl
import sys
import threading
import time
import uuid
import unicodedata
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

ORG_ID = "65a1b2c3d4e5f6a7b8c9d0e1"
OTHER_ORG_ID = "65a1b2c3d4e5f6a7b8c9d0e2"
PROJECT_ALPHA_ID = "65a1b2c3d4e5f6a7b8c9d0f1"
PROJECT_BETA_ID = "65a1b2c3d4e5f6a7b8c9d0f2"
PROJECT_IDS = {"alpha": PROJECT_ALPHA_ID, "beta": PROJECT_BETA_ID}
ADMIN_KEY_ID = "65a1b2c3d4e5f6a7b8c9d001"
ADMIN_PUBLIC_KEY = "simadmin"
ADMIN_PRIVATE_KEY = "4c1f7c2e-9a55-4b8e-a3d2-5e0f6b7a9c11"
READ_ONLY_KEY_ID = "65a1b2c3d4e5f6a7b8c9d002"
READ_ONLY_PUBLIC_KEY = "simreadr"
READ_ONLY_PRIVATE_KEY = "7d2e8f3a-1b4c-4d5e-9f60-718293a4b5c6"
PROJECT_OWNER_KEY_ID = "65a1b2c3d4e5f6a7b8c9d003"
PROJECT_OWNER_PUBLIC_KEY = "simprojx"
PROJECT_OWNER_PRIVATE_KEY = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SERVICE_ACCOUNT_CLIENT_ID = "mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa"
SERVICE_ACCOUNT_CLIENT_SECRET = "mdb_sa_sk_SIMULATED-7e1d4c9b2a5f8e3d6c0b9a4f7e2d5c8b"
SERVICE_ACCOUNT_NAME = "simulator service account"
SERVICE_ACCOUNT_SECRET_ID = "65a1b2c3d4e5f6a7b8c9d0ab"
TOKEN_PATH = "/api/oauth/token"

SEED = {
    "orgs": {ORG_ID: "Simulated Org", OTHER_ORG_ID: "Other Org"},
    "projects": {PROJECT_ALPHA_ID: ("alpha", ORG_ID), PROJECT_BETA_ID: ("beta", ORG_ID)},
    "api_keys": {
        "admin": {"id": ADMIN_KEY_ID, "public_key": ADMIN_PUBLIC_KEY, "private_key": ADMIN_PRIVATE_KEY,
                  "desc": "simulator admin", "org_roles": ["ORG_OWNER"], "project_roles": {}},
        "read_only": {"id": READ_ONLY_KEY_ID, "public_key": READ_ONLY_PUBLIC_KEY, "private_key": READ_ONLY_PRIVATE_KEY,
                      "desc": "simulator read-only", "org_roles": ["ORG_READ_ONLY"], "project_roles": {}},
        "project_owner": {"id": PROJECT_OWNER_KEY_ID, "public_key": PROJECT_OWNER_PUBLIC_KEY, "private_key": PROJECT_OWNER_PRIVATE_KEY,
                          "desc": "simulator project owner", "org_roles": ["ORG_MEMBER"],
                          "project_roles": {PROJECT_ALPHA_ID: ["GROUP_OWNER"]}},
    },
    "service_accounts": {
        "admin": {"client_id": SERVICE_ACCOUNT_CLIENT_ID, "client_secret": SERVICE_ACCOUNT_CLIENT_SECRET,
                  "name": SERVICE_ACCOUNT_NAME, "org_roles": ["ORG_OWNER"],
                  "description": "Seeded service account of the simulator", "secret_id": SERVICE_ACCOUNT_SECRET_ID,
                  "secret_expires_after_hours": 10 * 8760},
    },
}

ORG_ROLES = ("ORG_OWNER", "ORG_MEMBER", "ORG_GROUP_CREATOR", "ORG_BILLING_ADMIN", "ORG_BILLING_READ_ONLY",
             "ORG_STREAM_PROCESSING_ADMIN", "ORG_READ_ONLY")
GROUP_ROLES = ("GROUP_BACKUP_MANAGER", "GROUP_CLUSTER_MANAGER", "GROUP_DATA_ACCESS_ADMIN", "GROUP_DATA_ACCESS_READ_ONLY",
               "GROUP_DATA_ACCESS_READ_WRITE", "GROUP_DATABASE_ACCESS_ADMIN", "GROUP_OBSERVABILITY_VIEWER", "GROUP_OWNER",
               "GROUP_READ_ONLY", "GROUP_SEARCH_INDEX_EDITOR", "GROUP_STREAM_PROCESSING_OWNER")
REALM = "MMS Public API"
V2_MEDIA_TYPE = "application/vnd.atlas.2023-01-01+json"
V1_MEDIA_TYPE = "application/json"
API_ROOTS = {"/api/atlas/v2": V2_MEDIA_TYPE, "/api/atlas/v1.0": V1_MEDIA_TYPE}
SERVICE_ACCOUNT_MEDIA_TYPE = "application/vnd.atlas.2024-08-05+json"  # the only version of every service-account operation
DEFAULT_CONFIG = {"nonce_ttl": 300.0, "max_keys_per_org": 500, "token_ttl": 3600.0, "token_rate_limit": 50,
                  "token_rate_window": 60.0,
                  "secret_expires_after_hours_min": 8, "secret_expires_after_hours_max": 8760}
UNAUTHORIZED_BODY = {"error": 401, "reason": "Unauthorized", "detail": "You are not authorized for this resource."}
WRITE_METHODS = ("POST", "PATCH", "DELETE", "PUT")
FAULT_KINDS = ("409", "429", "500", "502", "503", "504", "drop", "timeout")
# 409: what a POST of access-list entries gets when another client added one of them first.
FAULT_CODES = {409: "ADDRESS_ALREADY_IN_ACCESS_LIST", 429: "RATE_LIMITED", 500: "UNEXPECTED_ERROR", 502: "BAD_GATEWAY",
               503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT"}
PROJECT_CREATED = "2024-01-15T09:00:00Z"  # the creation time of the seeded projects
HEX_ID = re.compile(r"^[a-f0-9]{24}$")
CLIENT_ID = re.compile(r"^mdb_sa_id_[a-fA-F0-9]{24}$")
MAX_CLOCK_OFFSET = 100 * 366 * 86400  # far beyond any secret's life, well within datetime's range
SECRET_SHORTENED_TO = timedelta(days=7)  # a new secret cuts every older one's remaining life to at most this
MAX_DESC = 250


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # nosec: digest auth is defined on MD5


def mask_private_key(private_key: str) -> str:
    return "********-****-****-" + private_key[-12:]


class ApiError(Exception):
    """An Atlas ``ApiError`` answer."""

    def __init__(self, status, code, detail, parameters=(), field=None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.parameters, self.field = status, code, detail, list(parameters), field

    def body(self) -> dict:
        body = {"detail": self.detail, "error": self.status, "errorCode": self.code, "parameters": self.parameters,
                "reason": HTTPStatus(self.status).phrase}
        if self.field:
            body["badRequestDetail"] = {"fields": [{"description": self.detail, "field": self.field}]}
        return body


class Reply:
    """What the handler sends: status, JSON body (or None) and extra headers."""

    def __init__(self, status, body=None, headers=None, challenge=False):
        self.status, self.body, self.headers, self.challenge = status, body, dict(headers or {}), challenge


# --------------------------------------------------------------------------- state model

class ApiKey:
    """An organization API key; ``roles`` holds {orgId, roleName} and {groupId, roleName} items."""

    def __init__(self, key_id, org_id, public_key, private_key, desc):
        self.id, self.org_id, self.public_key, self.private_key, self.desc = key_id, org_id, public_key, private_key, desc
        self.roles = []
        self.access_list = {}  # ip_network -> {"created", "count", "lastUsed", "lastUsedAddress"}

    def roles_in(self, field: str, scope_id: str) -> list:
        return [r["roleName"] for r in self.roles if r.get(field) == scope_id]

    def set_roles(self, field: str, scope_id: str, names) -> None:
        """Replace the roles of one org or project; org roles stay listed first."""
        kept = [r for r in self.roles if r.get(field) != scope_id]
        kept += [{field: scope_id, "roleName": name} for name in names]
        self.roles = [r for r in kept if "orgId" in r] + [r for r in kept if "groupId" in r]

    def project_ids(self) -> set:
        return {r["groupId"] for r in self.roles if "groupId" in r}

    def matching_entry(self, address):
        """The most specific access-list network that covers ``address``, or None."""
        best = None
        for network in self.access_list:
            if network.version == address.version and address in network and (best is None or network.prefixlen > best.prefixlen):
                best = network
        return best


class ServiceAccountSecret:
    """One client secret of a service account; times are datetimes of the simulated clock."""

    def __init__(self, secret_id, value, created_at, expires_at):
        self.id, self.value, self.created_at, self.expires_at = secret_id, value, created_at, expires_at
        self.last_used_at = None

    def view(self, reveal=False) -> dict:
        view = {"createdAt": iso(self.created_at), "expiresAt": iso(self.expires_at), "id": self.id,
                "maskedSecretValue": "mdb_sa_sk_..." + self.value[-4:]}
        if self.last_used_at is not None:
            view["lastUsedAt"] = iso(self.last_used_at)
        if reveal:
            view["secret"] = self.value
        return view


class ServiceAccount(ApiKey):
    """An organization service account. As a request's principal it acts like a key (roles, access list)."""

    def __init__(self, client_id, org_id, name, description, created_at):
        super().__init__(client_id, org_id, client_id, None, None)
        self.client_id, self.name, self.description, self.created_at = client_id, name, description, created_at
        self.secrets = []  # in creation order

    def usable_secret(self, value: str, now: datetime):
        """The secret with this value that has not expired, or None."""
        for secret in self.secrets:
            if hmac.compare_digest(secret.value.encode(), value.encode()) and secret.expires_at > now:
                return secret
        return None


def entry_view(network, entry) -> dict:
    view = {"cidrBlock": str(network), "count": entry["count"], "created": entry["created"]}
    if network.prefixlen == network.max_prefixlen:
        view["ipAddress"] = str(network.network_address)
    for field in ("lastUsed", "lastUsedAddress"):
        if entry.get(field):
            view[field] = entry[field]
    return view


def service_account_entry_view(network, entry) -> dict:
    """An access-list entry of a service account: the same data as a key's, under the service-account field names."""
    view = {"cidrBlock": str(network), "createdAt": entry["created"], "requestCount": entry["count"]}
    if network.prefixlen == network.max_prefixlen:
        view["ipAddress"] = str(network.network_address)
    if entry.get("lastUsed"):
        view["lastUsedAt"] = entry["lastUsed"]
    if entry.get("lastUsedAddress"):
        view["lastUsedAddress"] = entry["lastUsedAddress"]
    return view


def entry_path_segment(network) -> str:
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return "%s%%2F%d" % (network.network_address, network.prefixlen)


def network_sort_key(network):
    return network.version, int(network.network_address), network.prefixlen


def seed_with_ids(org_id=ORG_ID, project_ids=()) -> dict:
    """SEED with ``org_id`` as the id of the seeded organization and, when ``project_ids`` are given, those projects
    (named project-1, project-2, ...) in place of its projects alpha and beta; roles in alpha go to the first.

    Lets users seed the ids their own playbooks name. Raises ValueError for an id that Atlas would not accept or
    that is taken by another seeded organization or project.
    """
    project_ids = list(project_ids)
    for value in [org_id] + project_ids:
        if not HEX_ID.match(value):
            raise ValueError("'%s' is not an Atlas id: ids are 24 hexadecimal digits in lowercase, such as '%s'" % (value, ORG_ID))
    if org_id != ORG_ID and org_id in SEED["orgs"]:
        raise ValueError("'%s' is the id of the seeded organization %r, which no seeded key can access; choose another id"
                         % (org_id, SEED["orgs"][org_id]))
    own = {gid: name for gid, (name, org) in SEED["projects"].items() if org == ORG_ID}
    others = {gid: project for gid, project in SEED["projects"].items() if project[1] != ORG_ID}
    for gid in project_ids:
        if project_ids.count(gid) > 1:
            raise ValueError("'%s' is given twice" % gid)
        if gid in others:
            raise ValueError("'%s' is the id of a seeded project of another organization; choose another id" % gid)
    if project_ids:
        renamed = dict(zip(own, project_ids))
        own = {gid: "project-%d" % number for number, gid in enumerate(project_ids, 1)}
    else:
        renamed = {gid: gid for gid in own}
    seed = copy.deepcopy(SEED)
    seed["orgs"] = {(org_id if oid == ORG_ID else oid): name for oid, name in SEED["orgs"].items()}
    seed["projects"] = {**others, **{gid: (name, org_id) for gid, name in own.items()}}
    for key in seed["api_keys"].values():
        key["project_roles"] = {renamed[gid]: roles for gid, roles in key["project_roles"].items() if gid in renamed}
    return seed


class SimState:
    """Everything the simulator knows; guard every access with ``lock``."""

    ID_BASE = 0x65B0000000000000000000AA

    def __init__(self, nonce_ttl=DEFAULT_CONFIG["nonce_ttl"], max_keys_per_org=DEFAULT_CONFIG["max_keys_per_org"],
                 org_id=ORG_ID, project_ids=()):
        self.lock = threading.RLock()
        self.org_id, self.seed_data = org_id, seed_with_ids(org_id, project_ids)  # what reset() restores
        self.default_config = dict(DEFAULT_CONFIG, nonce_ttl=float(nonce_ttl), max_keys_per_org=int(max_keys_per_org))
        self.nonces = {}  # nonce -> {"issued", "stale", "ncs"}; kept across reset so open sessions go on
        self._id_counter = 0  # never reset: an id is never reused within one simulator
        self._public_counter = 0
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.clock_offset = 0.0  # seconds the simulated clock is ahead of the real one
            self.config = dict(self.default_config)
            self.orgs = {org_id: {"id": org_id, "name": name} for org_id, name in self.seed_data["orgs"].items()}
            self.projects = {gid: {"id": gid, "name": name, "orgId": org} for gid, (name, org) in self.seed_data["projects"].items()}
            self.keys, self.by_public = {}, {}
            for seed in self.seed_data["api_keys"].values():
                key = self.add_key(self.org_id, seed["desc"], seed["org_roles"], key_id=seed["id"],
                                   public_key=seed["public_key"], private_key=seed["private_key"])
                for group_id, roles in seed["project_roles"].items():
                    key.set_roles("groupId", group_id, roles)
            self.log, self.seq = [], 0
            self.faults = FaultPlan({})
            self.bearer_tokens = {}
            self.service_accounts = {}
            for seed in self.seed_data["service_accounts"].values():
                self.add_service_account(self.org_id, seed["name"], seed["description"], seed["org_roles"],
                                         seed["secret_expires_after_hours"], client_id=seed["client_id"],
                                         secret_value=seed["client_secret"], secret_id=seed["secret_id"])
            self.tokens = {}  # access token -> {"client_id", "expires" (clock())}
            self.token_times = []  # monotonic times of the token requests answered (not 429) in the window

    def new_id(self) -> str:
        self._id_counter += 1
        return "%024x" % (self.ID_BASE + self._id_counter)

    def new_public_key(self) -> str:
        # A multiplier coprime with 26**8 makes the counter -> key map a bijection: unique, random-looking, sorted apart.
        while True:
            self._public_counter += 1
            number = (self._public_counter * 2147483647 + 104729) % 26 ** 8
            letters = []
            for _digit in range(8):
                number, digit = divmod(number, 26)
                letters.append(chr(ord("a") + digit))
            candidate = "".join(letters)
            if candidate not in self.by_public:
                return candidate

    def add_key(self, org_id, desc, org_roles, key_id=None, public_key=None, private_key=None) -> ApiKey:
        key = ApiKey(key_id or self.new_id(), org_id, public_key or self.new_public_key(), private_key or str(uuid.uuid4()), desc)
        key.set_roles("orgId", org_id, org_roles)
        self.keys[key.id] = key
        self.by_public[key.public_key] = key
        return key

    def keys_in_org(self, org_id) -> list:
        return sorted((k for k in self.keys.values() if k.org_id == org_id), key=lambda k: k.public_key)

    # ----------------------------------------------------------------------- simulated clock and service accounts

    def now(self) -> datetime:
        """The simulated wall clock, in whole seconds."""
        return (datetime.now(timezone.utc) + timedelta(seconds=self.clock_offset)).replace(microsecond=0)

    def clock(self) -> float:
        """The simulated monotonic clock that token lifetimes run on."""
        return time.monotonic() + self.clock_offset

    def clock_view(self) -> dict:
        return {"now": iso(self.now()), "offset_seconds": self.clock_offset}

    def advance_clock(self, spec: dict) -> None:
        seconds = spec.get("advance_seconds", 0)
        hours = spec.get("advance_hours", 0)
        for value in (seconds, hours):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError("advance_hours and advance_seconds must be numbers >= 0 (the clock only moves forward)")
        if self.clock_offset + float(seconds) + float(hours) * 3600 > MAX_CLOCK_OFFSET:
            raise ValueError("the clock cannot move more than %d seconds ahead" % MAX_CLOCK_OFFSET)
        self.clock_offset += float(seconds) + float(hours) * 3600

    def add_service_account(self, org_id, name, description, org_roles, secret_hours, client_id=None, secret_value=None,
                            secret_id=None):
        """A new account in org_id with its first secret (as Atlas creates them: never without one)."""
        account = ServiceAccount(client_id or "mdb_sa_id_" + self.new_id(), org_id, name, description, self.now())
        account.set_roles("orgId", org_id, org_roles)
        self.service_accounts[account.client_id] = account
        self.add_secret(account, secret_hours, value=secret_value, secret_id=secret_id)
        return account

    def add_secret(self, account, hours, value=None, secret_id=None) -> ServiceAccountSecret:
        now = self.now()
        for older in account.secrets:  # the 7-day shortening; an older secret that ends sooner keeps its date
            older.expires_at = min(older.expires_at, now + SECRET_SHORTENED_TO)
        secret = ServiceAccountSecret(secret_id or self.new_id(), value or "mdb_sa_sk_" + secrets.token_hex(20), now,
                                      now + timedelta(hours=hours))
        account.secrets.append(secret)
        return secret

    def service_accounts_in_org(self, org_id) -> list:
        return sorted((a for a in self.service_accounts.values() if a.org_id == org_id), key=lambda a: a.client_id)

    # ----------------------------------------------------------------------- digest nonces

    def issue_nonce(self) -> str:
        if len(self.nonces) > 10000:  # forget the oldest; an unknown nonce is answered stale=true, like an expired one
            for nonce in sorted(self.nonces, key=lambda n: self.nonces[n]["issued"])[:5000]:
                del self.nonces[nonce]
        nonce = secrets.token_hex(16)
        self.nonces[nonce] = {"issued": time.monotonic(), "stale": False, "ncs": set()}
        return nonce

    def nonce_usable(self, nonce) -> bool:
        record = self.nonces.get(nonce)
        return bool(record) and not record["stale"] and time.monotonic() - record["issued"] <= self.config["nonce_ttl"]

    # ----------------------------------------------------------------------- OAuth tokens

    def issue_token(self, account) -> str:
        now = self.clock()
        self.tokens = {t: r for t, r in self.tokens.items() if r["expires"] > now - 3600}  # forget long-dead ones
        token = "simtok_" + secrets.token_hex(24)
        self.tokens[token] = {"client_id": account.client_id, "expires": now + self.config["token_ttl"]}
        return token

    def token_principal(self, token):
        """(service account or None, expired)"""
        record = self.tokens.get(token)
        if record is None:
            return None, False
        if self.clock() >= record["expires"]:
            return None, True
        return self.service_accounts.get(record["client_id"]), False

    def token_rate_wait(self):
        """Seconds until a token request is allowed (0 when it is now); records the request when allowed."""
        now, window, limit = time.monotonic(), self.config["token_rate_window"], self.config["token_rate_limit"]
        self.token_times = [t for t in self.token_times if t > now - window]
        if len(self.token_times) < limit:
            self.token_times.append(now)
            return 0
        oldest = self.token_times[0] if self.token_times else now
        return max(1, math.ceil(oldest + window - now))

    # ----------------------------------------------------------------------- control API views

    def snapshot(self) -> dict:
        keys = []
        for key in sorted(self.keys.values(), key=lambda k: k.public_key):
            entries = [entry_view(n, e) for n, e in sorted(key.access_list.items(), key=lambda item: network_sort_key(item[0]))]
            keys.append({"id": key.id, "orgId": key.org_id, "publicKey": key.public_key, "privateKey": key.private_key,
                         "desc": key.desc, "roles": [dict(r) for r in key.roles], "accessList": entries})
        return {"orgs": list(self.orgs.values()), "projects": list(self.projects.values()), "api_keys": keys,
                "service_accounts": self.service_accounts_snapshot(), "config": dict(self.config), "clock": self.clock_view()}

    def service_accounts_snapshot(self) -> list:
        clock, accounts = self.clock(), []
        for account in sorted(self.service_accounts.values(), key=lambda a: a.client_id):
            entries = [service_account_entry_view(n, e)
                       for n, e in sorted(account.access_list.items(), key=lambda item: network_sort_key(item[0]))]
            accounts.append({
                "clientId": account.client_id, "clientSecret": account.secrets[-1].value if account.secrets else None, "name": account.name,
                "description": account.description, "orgId": account.org_id, "createdAt": iso(account.created_at),
                "roles": [dict(r) for r in account.roles], "secrets": [s.view(reveal=True) for s in account.secrets],
                "accessList": entries,
                "tokens": sum(1 for r in self.tokens.values() if r["client_id"] == account.client_id and r["expires"] > clock)})
        return accounts

    def seed(self, spec: dict) -> dict:
        result = {"api_key_ids": [], "access_list_entries": []}
        count = spec.get("api_keys", 0)
        if not isinstance(count, int) or not 0 <= count <= 100000:
            raise ValueError("api_keys must be an integer from 0 to 100000")
        org_id = spec.get("org_id", self.org_id)
        org_roles = spec.get("org_roles", ["ORG_MEMBER"])
        project_id, project_roles = spec.get("project_id"), spec.get("project_roles", ["GROUP_READ_ONLY"])
        if org_id not in self.orgs or not org_roles or any(r not in ORG_ROLES for r in org_roles):
            raise ValueError("org_id must be a known org and org_roles a non-empty list of org roles")
        if project_id is not None and (project_id not in self.projects or any(r not in GROUP_ROLES for r in project_roles)):
            raise ValueError("project_id must be a known project and project_roles a list of project roles")
        prefix = str(spec.get("description_prefix", "bulk-"))
        for index in range(1, count + 1):
            key = self.add_key(org_id, "%s%05d" % (prefix, index), org_roles)
            if project_id:
                key.set_roles("groupId", project_id, project_roles)
            result["api_key_ids"].append(key.id)
        if spec.get("access_list"):
            target = self.keys.get(spec["access_list"].get("api_key_id"))
            wanted = spec["access_list"].get("count", 0)
            if target is None or not isinstance(wanted, int) or wanted < 0:
                raise ValueError("access_list needs a known api_key_id and a count >= 0")
            result["access_list_entries"] = seed_access_list(target, wanted, iso(self.now()))
        self.seed_service_accounts(spec, result)
        return result

    def seed_service_accounts(self, spec: dict, result: dict) -> None:
        count = spec.get("service_accounts", 0)
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 100000:
            raise ValueError("service_accounts must be an integer from 0 to 100000")
        org_id, org_roles = spec.get("org_id", ORG_ID), spec.get("org_roles", ["ORG_MEMBER"])
        project_id, project_roles = spec.get("project_id"), spec.get("project_roles", ["GROUP_READ_ONLY"])
        hours = spec.get("secret_expires_after_hours", self.config["secret_expires_after_hours_max"])
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours <= 0:
            raise ValueError("secret_expires_after_hours must be a number > 0")
        prefix = str(spec.get("name_prefix", "bulk-sa-"))
        result["client_ids"] = []
        for index in range(1, count + 1):
            account = self.add_service_account(org_id, "%s%05d" % (prefix, index), "seeded", org_roles, hours)
            if project_id:
                account.set_roles("groupId", project_id, project_roles)
            result["client_ids"].append(account.client_id)
        if spec.get("service_account_access_list"):
            target = self.service_accounts.get(spec["service_account_access_list"].get("client_id"))
            wanted = spec["service_account_access_list"].get("count", 0)
            if target is None or isinstance(wanted, bool) or not isinstance(wanted, int) or wanted < 0:
                raise ValueError("service_account_access_list needs a known client_id and a count >= 0")
            result["service_account_access_list_entries"] = seed_access_list(target, wanted, iso(self.now()))

    def set_config(self, spec: dict) -> None:
        if "nonce_ttl" in spec:
            if not isinstance(spec["nonce_ttl"], (int, float)) or spec["nonce_ttl"] < 0:
                raise ValueError("nonce_ttl must be a number >= 0")
            self.config["nonce_ttl"] = float(spec["nonce_ttl"])
        if "max_keys_per_org" in spec:
            if not isinstance(spec["max_keys_per_org"], int) or spec["max_keys_per_org"] < 0:
                raise ValueError("max_keys_per_org must be an integer >= 0")
            self.config["max_keys_per_org"] = spec["max_keys_per_org"]
        if "token_ttl" in spec:
            if isinstance(spec["token_ttl"], bool) or not isinstance(spec["token_ttl"], (int, float)) or spec["token_ttl"] < 0:
                raise ValueError("token_ttl must be a number >= 0")
            self.config["token_ttl"] = float(spec["token_ttl"])
        if "token_rate_limit" in spec:
            if isinstance(spec["token_rate_limit"], bool) or not isinstance(spec["token_rate_limit"], int) or spec["token_rate_limit"] < 0:
                raise ValueError("token_rate_limit must be an integer >= 0")
            self.config["token_rate_limit"] = spec["token_rate_limit"]
        if "token_rate_window" in spec:
            if isinstance(spec["token_rate_window"], bool) or not isinstance(spec["token_rate_window"], (int, float)) \
                    or spec["token_rate_window"] <= 0:
                raise ValueError("token_rate_window must be a number > 0")
            self.config["token_rate_window"] = float(spec["token_rate_window"])
        bounds = {name: spec.get(name, self.config[name])
                  for name in ("secret_expires_after_hours_min", "secret_expires_after_hours_max")}
        if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in bounds.values()) \
                or bounds["secret_expires_after_hours_min"] > bounds["secret_expires_after_hours_max"]:
            raise ValueError("secret_expires_after_hours_min and _max must be integers with 1 <= min <= max")
        self.config.update(bounds)


def seed_access_list(target, wanted: int, created: str) -> list:
    """Adds ``wanted`` new 10.x.y.z/32 entries to a key's or service account's access list; returns them."""
    added, address = [], int(ipaddress.ip_address("10.0.0.0"))
    while len(added) < wanted:
        address += 1
        network = ipaddress.ip_network(address)
        if network not in target.access_list:
            target.access_list[network] = {"created": created, "count": 0}
            added.append(str(network))
    return added


# --------------------------------------------------------------------------- faults

class FaultPlan:
    """Scripted rules (checked first, in order) and seeded random faults."""

    def __init__(self, spec: dict):
        if not isinstance(spec, dict):
            raise ValueError("the fault plan must be an object")
        self.rules = [self._rule(dict(rule)) for rule in spec.get("rules") or []]
        self.random = spec.get("random")
        if self.random is not None:
            self.random = dict(self.random)
            self.random.setdefault("kinds", ["429", "503", "drop"])
            self.random.setdefault("methods", ["GET", "POST", "PATCH", "DELETE"])
            self.random.setdefault("when", "before")
            self.random.setdefault("seed", 0)
            rate = self.random.get("rate", 0.1)
            if not isinstance(rate, (int, float)) or not 0 <= rate <= 1 or any(k not in FAULT_KINDS for k in self.random["kinds"]):
                raise ValueError("random needs 0 <= rate <= 1 and kinds among %s" % ", ".join(FAULT_KINDS))
            if self.random["when"] not in ("before", "after", "either"):
                raise ValueError("random.when must be before, after or either")
            self.random["rate"] = rate
            self.random["methods"] = [m.upper() for m in self.random["methods"]]
            self._rng = random.Random(self.random["seed"])

    @staticmethod
    def _rule(rule: dict) -> dict:
        rule.setdefault("when", "before")
        rule.setdefault("times", 1)
        rule.setdefault("stage", "request")
        rule["kind"] = str(rule.get("kind"))
        if rule["kind"] not in FAULT_KINDS or rule["when"] not in ("before", "after") or rule["stage"] not in ("request", "challenge"):
            raise ValueError("bad fault rule %r: kind among %s, when before|after, stage request|challenge" % (rule, ", ".join(FAULT_KINDS)))
        if rule["times"] is not None and not isinstance(rule["times"], int):
            raise ValueError("times must be an integer or null (always)")
        if rule.get("method"):
            rule["method"] = rule["method"].upper()
        try:
            rule["_path"] = re.compile(rule.get("path") or "")
        except re.error as err:
            raise ValueError("bad path regex: %s" % err) from err
        return rule

    def pick(self, method: str, path: str, stage: str):
        """The fault for this request, or None; consumes one use of a rule / one random draw."""
        for rule in self.rules:
            if rule["stage"] != stage or rule["times"] == 0 or rule.get("method") not in (None, method):
                continue
            if rule["_path"].search(path):
                if rule["times"] is not None:
                    rule["times"] -= 1
                return {"kind": rule["kind"], "when": "before" if stage == "challenge" else rule["when"],
                        "retry_after": rule.get("retry_after"), "delay": float(rule.get("delay", 2.0))}
        spec = self.random
        if stage != "request" or not spec or method not in spec["methods"] or not re.search(spec.get("path") or "", path):
            return None
        if self._rng.random() >= spec["rate"]:
            return None
        kind = self._rng.choice(spec["kinds"])
        when = self._rng.choice(("before", "after")) if spec["when"] == "either" else spec["when"]
        return {"kind": str(kind), "when": when, "retry_after": spec.get("retry_after", 1), "delay": float(spec.get("delay", 2.0))}

    def describe(self) -> dict:
        return {"rules": [{k: v for k, v in r.items() if not k.startswith("_")} for r in self.rules], "random": self.random}


def fault_reply(fault: dict) -> Reply:
    status = int(fault["kind"])
    retry_after = fault.get("retry_after")
    if status == 429 and retry_after is None:
        retry_after = 1
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    detail = "Simulated fault: %s." % HTTPStatus(status).phrase
    return Reply(status, ApiError(status, FAULT_CODES[status], detail).body(), headers)


# --------------------------------------------------------------------------- the 14 operations

class RequestContext:
    """One authenticated API request as the operations see it."""

    def __init__(self, method, root, rel_path, query, body, headers, client_ip, principal, base_url):
        self.method, self.root, self.rel_path, self.query, self.body = method, root, rel_path, query, body
        self.headers, self.client_ip, self.principal, self.base_url = headers, client_ip, principal, base_url
        self.media_type = API_ROOTS.get(root)

    def link(self, path: str) -> str:
        return self.base_url + self.root + path


ROUTES = [
    ("GET", "/orgs/{orgId}/apiKeys", "list_org_keys"),  # op 1
    ("POST", "/orgs/{orgId}/apiKeys", "create_org_key"),  # op 2
    ("GET", "/orgs/{orgId}/apiKeys/{apiUserId}", "get_org_key"),  # op 3
    ("PATCH", "/orgs/{orgId}/apiKeys/{apiUserId}", "update_org_key"),  # op 4
    ("DELETE", "/orgs/{orgId}/apiKeys/{apiUserId}", "delete_org_key"),  # op 5
    ("GET", "/orgs/{orgId}/apiKeys/{apiUserId}/accessList", "list_access_list"),  # op 6
    ("POST", "/orgs/{orgId}/apiKeys/{apiUserId}/accessList", "add_access_list"),  # op 7
    ("GET", "/orgs/{orgId}/apiKeys/{apiUserId}/accessList/{ipAddress}", "get_access_entry"),  # op 8
    ("DELETE", "/orgs/{orgId}/apiKeys/{apiUserId}/accessList/{ipAddress}", "delete_access_entry"),  # op 9
    ("GET", "/groups/{groupId}", "get_project"),  # Return One Project (its orgId)
    ("GET", "/groups/{groupId}/apiKeys", "list_project_keys"),  # op 10
    ("POST", "/groups/{groupId}/apiKeys", "create_project_key"),  # op 11
    ("POST", "/groups/{groupId}/apiKeys/{apiUserId}", "assign_project_key"),  # op 12
    ("PATCH", "/groups/{groupId}/apiKeys/{apiUserId}", "update_project_roles"),  # op 13
    ("DELETE", "/groups/{groupId}/apiKeys/{apiUserId}", "unassign_project_key"),  # op 14
]
COMPILED_ROUTES = [(m, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", t) + "$"), op) for m, t, op in ROUTES]


def media_types(header) -> list:
    return [part.split(";")[0].strip().lower() for part in (header or "").split(",") if part.strip()]


def parse_network(text, field: str, in_path: bool = False):
    """An access-list address or CIDR as an ip_network; the error codes follow the body / path rules."""
    invalid = ApiError(400, "PATH_PARAM_PARSE_ERROR" if in_path else "INVALID_IP_ADDRESS_OR_CIDR_NOTATION",
                       "Invalid %s %s: not an IP address or CIDR block." % (field, text), [text], None if in_path else field)
    if not isinstance(text, str):
        raise invalid
    text = re.sub("%2[fF]", "/", text)
    if (field == "ipAddress" and not in_path and "/" in text) or (field == "cidrBlock" and "/" not in text):
        raise invalid
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise invalid from None
    raise ApiError(400, "INVALID_CIDR_BLOCK", "CIDR block %s has host bits set; use its network address." % text, [text], field)


# --------------------------------------------------------------------------- the 22 service-account operations

SERVICE_ACCOUNT_PATH = re.compile(r"^/(orgs|groups)/[^/]+/serviceAccounts(/|$)")
SA_ORG = "/orgs/{orgId}/serviceAccounts"
SA_GROUP = "/groups/{groupId}/serviceAccounts"
SERVICE_ACCOUNT_ROUTES = [
    ("GET", SA_ORG, "list_org_service_accounts"),
    ("POST", SA_ORG, "create_org_service_account"),
    ("GET", SA_ORG + "/{clientId}", "get_org_service_account"),
    ("PATCH", SA_ORG + "/{clientId}", "update_org_service_account"),
    ("DELETE", SA_ORG + "/{clientId}", "delete_org_service_account"),
    ("POST", SA_ORG + "/{clientId}/secrets", "create_org_secret"),
    ("DELETE", SA_ORG + "/{clientId}/secrets/{secretId}", "delete_org_secret"),
    ("GET", SA_ORG + "/{clientId}/accessList", "list_org_sa_access_list"),
    ("POST", SA_ORG + "/{clientId}/accessList", "add_org_sa_access_list"),
    ("DELETE", SA_ORG + "/{clientId}/accessList/{ipAddress}", "delete_org_sa_access_entry"),
    ("GET", SA_ORG + "/{clientId}/groups", "list_service_account_projects"),
    ("GET", SA_GROUP, "list_project_service_accounts"),
    ("POST", SA_GROUP, "create_project_service_account"),
    ("GET", SA_GROUP + "/{clientId}", "get_project_service_account"),
    ("PATCH", SA_GROUP + "/{clientId}", "update_project_service_account"),
    ("DELETE", SA_GROUP + "/{clientId}", "remove_project_service_account"),
    ("POST", SA_GROUP + "/{clientId}:invite", "invite_project_service_account"),
    ("GET", SA_GROUP + "/{clientId}/accessList", "list_project_sa_access_list"),
    ("POST", SA_GROUP + "/{clientId}/accessList", "add_project_sa_access_list"),
    ("DELETE", SA_GROUP + "/{clientId}/accessList/{ipAddress}", "delete_project_sa_access_entry"),
    ("POST", SA_GROUP + "/{clientId}/secrets", "create_project_secret"),
    ("DELETE", SA_GROUP + "/{clientId}/secrets/{secretId}", "delete_project_secret"),
]
# ":" ends a client id, so that ".../{clientId}:invite" is its own route (an IPv6 {ipAddress} keeps its colons)
SERVICE_ACCOUNT_COMPILED_ROUTES = [
    (m, re.compile("^" + re.sub(r"\{(\w+)\}", lambda p: r"(?P<%s>[^/%s]+)" % (p.group(1), ":" if p.group(1) == "clientId" else ""), t)
                   + "$"), op)
    for m, t, op in SERVICE_ACCOUNT_ROUTES]
SA_TEXT_MAX = {"name": 64, "description": 250}
SA_TEXT_PUNCTUATION = "-_.,' "
MAX_ACCESS_LIST_ENTRIES_PER_POST = 200


def sa_text_allowed(text: str) -> bool:
    r"""The spec's pattern ``^[\p{L}\p{N}\-_.,' ]*$``: letters and numbers of any script, and -_.,' and space."""
    return all(unicodedata.category(char)[0] in "LN" or char in SA_TEXT_PUNCTUATION for char in text)


class ServiceAccountOpsMixin:
    """The organization and project service-account operations; AtlasApi supplies the shared request helpers."""

    # ----------------------------------------------------------------------- lookups and permissions

    def _service_account(self, org_id, client_id) -> ServiceAccount:
        account = self.state.service_accounts.get(client_id)
        if account is None or account.org_id != org_id:
            raise ApiError(404, "SERVICE_ACCOUNT_NOT_FOUND", "Service Account %s not found." % client_id, [client_id])
        return account

    def _org_service_account(self, ctx, org_id, client_id, write=False) -> ServiceAccount:
        self._org(ctx, org_id, write=write)
        return self._service_account(org_id, client_id)

    def _project_service_account(self, ctx, group_id, client_id, need_owner) -> ServiceAccount:
        """An account assigned to the project (404 SERVICE_ACCOUNT_NOT_IN_GROUP when it is only in the organization)."""
        project = self._project(ctx, group_id, need_owner=need_owner)
        account = self._service_account(project["orgId"], client_id)
        if group_id not in account.project_ids():
            raise ApiError(404, "SERVICE_ACCOUNT_NOT_IN_GROUP", "Service Account %s is not assigned to group %s." % (client_id, group_id),
                           [client_id, group_id])
        return account

    def _secret(self, account, secret_id) -> ServiceAccountSecret:
        for secret in account.secrets:
            if secret.id == secret_id:
                return secret
        raise ApiError(404, "SERVICE_ACCOUNT_SECRET_NOT_FOUND", "Secret %s not found for Service Account %s." % (secret_id, account.client_id),
                       [secret_id, account.client_id])

    # ----------------------------------------------------------------------- validation

    @staticmethod
    def _sa_text(body, field, required):
        value = body.get(field)
        if value is None:
            if required:
                raise ApiError(400, "MISSING_ATTRIBUTE", "The required attribute %s was not specified." % field, [field], field)
            return None
        if not isinstance(value, str) or not 1 <= len(value) <= SA_TEXT_MAX[field] or not sa_text_allowed(value):
            raise ApiError(400, "INVALID_ATTRIBUTE", "Invalid attribute %s specified: 1 to %d letters, digits, spaces or -_.,' characters."
                           % (field, SA_TEXT_MAX[field]), [field], field)
        return value

    @staticmethod
    def _sa_roles(body, allowed, scope, required):
        roles = body.get("roles")
        if roles is None:
            if required:
                raise ApiError(400, "MISSING_ATTRIBUTE", "The required attribute roles was not specified.", ["roles"], "roles")
            return None
        if not isinstance(roles, list) or not roles:
            raise ApiError(400, "INVALID_ATTRIBUTE", "Invalid attribute roles specified: a non-empty list of %s roles." % scope,
                           ["roles"], "roles")
        for role in roles:
            if role not in allowed:
                raise ApiError(400, "INVALID_ENUM_VALUE", "Invalid role %s: it is not a valid %s role." % (role, scope), [role], "roles")
        return list(dict.fromkeys(roles))

    def _secret_hours(self, body) -> int:
        hours = body.get("secretExpiresAfterHours")
        if hours is None:
            raise ApiError(400, "MISSING_ATTRIBUTE", "The required attribute secretExpiresAfterHours was not specified.",
                           ["secretExpiresAfterHours"], "secretExpiresAfterHours")
        if isinstance(hours, bool) or not isinstance(hours, int):
            raise ApiError(400, "INVALID_ATTRIBUTE", "Invalid attribute secretExpiresAfterHours specified: an integer number of hours.",
                           ["secretExpiresAfterHours"], "secretExpiresAfterHours")
        low, high = self.state.config["secret_expires_after_hours_min"], self.state.config["secret_expires_after_hours_max"]
        if not low <= hours <= high:
            raise ApiError(400, "INVALID_SERVICE_ACCOUNT_SECRET_EXPIRATION",
                           "secretExpiresAfterHours %d is out of range: the organization allows %d to %d hours." % (hours, low, high),
                           [hours, low, high], "secretExpiresAfterHours")
        return hours

    # ----------------------------------------------------------------------- views

    @staticmethod
    def _sa_view(account, roles, revealed=None) -> dict:
        """OrgServiceAccount / GroupServiceAccount; only the ``revealed`` secret (just created) shows its value."""
        return {"clientId": account.client_id, "createdAt": iso(account.created_at), "description": account.description,
                "name": account.name, "roles": roles, "secrets": [s.view(reveal=s is revealed) for s in account.secrets]}

    def _org_sa_view(self, account, revealed=None) -> dict:
        return self._sa_view(account, account.roles_in("orgId", account.org_id), revealed)

    def _group_sa_view(self, account, group_id, revealed=None) -> dict:
        return self._sa_view(account, account.roles_in("groupId", group_id), revealed)

    # ----------------------------------------------------------------------- organization service accounts

    def list_org_service_accounts(self, ctx, org_id):
        self._org(ctx, org_id)
        return self._page(ctx, self.state.service_accounts_in_org(org_id), self._org_sa_view)

    def create_org_service_account(self, ctx, org_id):
        self._org(ctx, org_id, write=True)
        body = self._json_body(ctx, dict)
        name, description = self._sa_text(body, "name", True), self._sa_text(body, "description", True)
        roles, hours = self._sa_roles(body, ORG_ROLES, "organization", True), self._secret_hours(body)
        account = self.state.add_service_account(org_id, name, description, roles, hours)
        return Reply(201, self._org_sa_view(account, revealed=account.secrets[0]))

    def get_org_service_account(self, ctx, org_id, client_id):
        return Reply(200, self._org_sa_view(self._org_service_account(ctx, org_id, client_id)))

    def update_org_service_account(self, ctx, org_id, client_id):
        account = self._org_service_account(ctx, org_id, client_id, write=True)
        self._update_service_account(ctx, account, "orgId", org_id, ORG_ROLES, "organization")
        return Reply(200, self._org_sa_view(account))

    def _update_service_account(self, ctx, account, scope_field, scope_id, allowed_roles, scope):
        """PATCH name, description, roles (of the organization or of one project); absent fields stay as they are."""
        body = self._json_body(ctx, dict)
        name, description = self._sa_text(body, "name", False), self._sa_text(body, "description", False)
        roles = self._sa_roles(body, allowed_roles, scope, False)
        if name is not None:
            account.name = name
        if description is not None:
            account.description = description
        if roles is not None:
            account.set_roles(scope_field, scope_id, roles)

    def delete_org_service_account(self, ctx, org_id, client_id):
        account = self._org_service_account(ctx, org_id, client_id, write=True)
        del self.state.service_accounts[account.client_id]  # its tokens end with it: token_principal finds no account
        return Reply(204)

    # ----------------------------------------------------------------------- secrets

    def _create_secret(self, ctx, account):
        secret = self.state.add_secret(account, self._secret_hours(self._json_body(ctx, dict)))
        return Reply(201, secret.view(reveal=True))

    def _delete_secret(self, account, secret_id):
        account.secrets.remove(self._secret(account, secret_id))  # tokens already issued with it run to their end
        return Reply(204)

    def create_org_secret(self, ctx, org_id, client_id):
        return self._create_secret(ctx, self._org_service_account(ctx, org_id, client_id, write=True))

    def delete_org_secret(self, ctx, org_id, client_id, secret_id):
        return self._delete_secret(self._org_service_account(ctx, org_id, client_id, write=True), secret_id)

    def create_project_secret(self, ctx, group_id, client_id):
        return self._create_secret(ctx, self._project_service_account(ctx, group_id, client_id, need_owner=True))

    def delete_project_secret(self, ctx, group_id, client_id, secret_id):
        return self._delete_secret(self._project_service_account(ctx, group_id, client_id, need_owner=True), secret_id)

    # ----------------------------------------------------------------------- access lists (one list per account)

    def _sa_entries(self, ctx, account):
        return self._page(ctx, sorted(account.access_list, key=network_sort_key),
                          lambda network: service_account_entry_view(network, account.access_list[network]))

    def _add_sa_entries(self, ctx, account):
        items = self._json_body(ctx, list)
        if len(items) > MAX_ACCESS_LIST_ENTRIES_PER_POST:
            raise ApiError(400, "TOO_MANY_ACCESS_LIST_ENTRIES", "At most %d access list entries can be added per request; got %d."
                           % (MAX_ACCESS_LIST_ENTRIES_PER_POST, len(items)), [MAX_ACCESS_LIST_ENTRIES_PER_POST, len(items)])
        networks = []
        for item in items:
            if not isinstance(item, dict):
                raise ApiError(400, "INVALID_JSON", "Received JSON does not match expected format: each entry must be an object.")
            fields = [f for f in ("ipAddress", "cidrBlock") if item.get(f) is not None]
            if len(fields) != 1:
                raise ApiError(400, "MISSING_ONE_OF_ATTRIBUTES", "Each entry needs exactly one of ipAddress or cidrBlock.",
                               ["ipAddress", "cidrBlock"])
            network = parse_network(item[fields[0]], fields[0])
            if network in networks:
                raise ApiError(400, "DUPLICATE_ADDRESSES_IN_INPUT", "Duplicate address %s in the request." % network, [str(network)])
            networks.append(network)
        created = iso(self.state.now())  # everything was validated first: the POST is all or nothing
        for network in networks:
            account.access_list.setdefault(network, {"created": created, "count": 0})
        return self._sa_entries(ctx, account)

    def _delete_sa_entry(self, ctx, account, network):
        if network not in account.access_list:
            raise ApiError(404, "SERVICE_ACCOUNT_ACCESS_LIST_ENTRY_NOT_FOUND", "IP address %s not found on the access list of Service "
                           "Account %s." % (network, account.client_id), [str(network), account.client_id])
        if account is ctx.principal and network.version == ctx.client_ip.version and ctx.client_ip in network:
            raise ApiError(400, "CANNOT_REMOVE_CALLER_ACCESS_LIST_ENTRY",
                           "Cannot remove the requesting IP address from the requesting Service Account's access list.", [str(ctx.client_ip)])
        del account.access_list[network]
        return Reply(204)

    def list_org_sa_access_list(self, ctx, org_id, client_id):
        return self._sa_entries(ctx, self._org_service_account(ctx, org_id, client_id))

    def add_org_sa_access_list(self, ctx, org_id, client_id):
        return self._add_sa_entries(ctx, self._org_service_account(ctx, org_id, client_id, write=True))

    def delete_org_sa_access_entry(self, ctx, org_id, client_id, ip_address):
        return self._delete_sa_entry(ctx, self._org_service_account(ctx, org_id, client_id, write=True), ip_address)

    def list_project_sa_access_list(self, ctx, group_id, client_id):
        return self._sa_entries(ctx, self._project_service_account(ctx, group_id, client_id, need_owner=False))

    def add_project_sa_access_list(self, ctx, group_id, client_id):
        return self._add_sa_entries(ctx, self._project_service_account(ctx, group_id, client_id, need_owner=True))

    def delete_project_sa_access_entry(self, ctx, group_id, client_id, ip_address):
        return self._delete_sa_entry(ctx, self._project_service_account(ctx, group_id, client_id, need_owner=True), ip_address)

    # ----------------------------------------------------------------------- projects

    def list_service_account_projects(self, ctx, org_id, client_id):
        account = self._org_service_account(ctx, org_id, client_id)
        group_ids = sorted(g for g in account.project_ids() if g in self.state.projects)
        return self._page(ctx, group_ids, lambda group_id: {"groupId": group_id, "roles": account.roles_in("groupId", group_id)})

    def list_project_service_accounts(self, ctx, group_id):
        project = self._project(ctx, group_id, need_owner=False)
        accounts = [a for a in self.state.service_accounts_in_org(project["orgId"]) if group_id in a.project_ids()]
        return self._page(ctx, accounts, lambda account: self._group_sa_view(account, group_id))

    def create_project_service_account(self, ctx, group_id):
        project = self._project(ctx, group_id, need_owner=True)
        body = self._json_body(ctx, dict)
        name, description = self._sa_text(body, "name", True), self._sa_text(body, "description", True)
        roles, hours = self._sa_roles(body, GROUP_ROLES, "project", True), self._secret_hours(body)
        account = self.state.add_service_account(project["orgId"], name, description, ["ORG_MEMBER"], hours)  # as the spec says
        account.set_roles("groupId", group_id, roles)
        return Reply(201, self._group_sa_view(account, group_id, revealed=account.secrets[0]))

    def get_project_service_account(self, ctx, group_id, client_id):
        return Reply(200, self._group_sa_view(self._project_service_account(ctx, group_id, client_id, need_owner=False), group_id))

    def invite_project_service_account(self, ctx, group_id, client_id):
        project = self._project(ctx, group_id, need_owner=True)
        self._org(ctx, project["orgId"], write=True)  # the spec asks Organization Owner for this one
        account = self._service_account(project["orgId"], client_id)
        roles = self._sa_roles(self._json_body(ctx, dict), GROUP_ROLES, "project", True)
        if group_id in account.project_ids():
            raise ApiError(400, "SERVICE_ACCOUNT_ALREADY_IN_GROUP", "Service Account %s is already assigned to group %s."
                           % (client_id, group_id), [client_id, group_id])
        account.set_roles("groupId", group_id, roles)
        return Reply(200, self._group_sa_view(account, group_id))

    def update_project_service_account(self, ctx, group_id, client_id):
        account = self._project_service_account(ctx, group_id, client_id, need_owner=True)
        self._update_service_account(ctx, account, "groupId", group_id, GROUP_ROLES, "project")
        return Reply(200, self._group_sa_view(account, group_id))

    def remove_project_service_account(self, ctx, group_id, client_id):
        account = self._project_service_account(ctx, group_id, client_id, need_owner=True)
        account.set_roles("groupId", group_id, [])  # the account, its secrets and its access list stay
        return Reply(204)


class AtlasApi(ServiceAccountOpsMixin):
    """The 14 API key operations (and, from the mixin, the 22 service-account ones) on a SimState; each returns a Reply
    or raises ApiError."""

    def __init__(self, state: SimState):
        self.state = state

    def handle(self, ctx: RequestContext) -> Reply:
        try:
            self._enforce_caller_access_list(ctx)
            if ctx.root is None:
                raise ApiError(404, "RESOURCE_NOT_FOUND", "Cannot find resource %s." % ctx.rel_path, [ctx.rel_path])
            if ctx.media_type == V2_MEDIA_TYPE and SERVICE_ACCOUNT_PATH.match(ctx.rel_path):
                ctx.media_type = SERVICE_ACCOUNT_MEDIA_TYPE
            self._check_media_types(ctx)
            operation, params = self._route(ctx)
            return getattr(self, operation)(ctx, **params)
        except ApiError as err:
            return Reply(err.status, err.body())

    # ----------------------------------------------------------------------- request checks

    def _enforce_caller_access_list(self, ctx):
        key = ctx.principal
        if not key.access_list:
            return
        network = key.matching_entry(ctx.client_ip)
        if network is None:
            raise ApiError(403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", "IP address %s is not allowed to access this resource." % ctx.client_ip,
                           [str(ctx.client_ip)])
        entry = key.access_list[network]
        entry.update(count=entry["count"] + 1, lastUsed=iso(self.state.now()), lastUsedAddress=str(ctx.client_ip))

    def _check_media_types(self, ctx):
        accepted = media_types(ctx.headers.get("Accept"))
        if ctx.media_type != V1_MEDIA_TYPE:
            acceptable = ctx.media_type in accepted
        else:
            acceptable = not accepted or any(t in (V1_MEDIA_TYPE, "application/*", "*/*") for t in accepted)
        if not acceptable:
            raise ApiError(406, "INVALID_VERSION_DATE", "Invalid accept header or version date.")
        if ctx.body and ctx.method in ("POST", "PATCH", "PUT"):
            content_type = (media_types(ctx.headers.get("Content-Type")) or [""])[0]
            if content_type != ctx.media_type:
                raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Content-Type %s; use %s." % (content_type or "(none)", ctx.media_type),
                               [content_type])

    def _route(self, ctx):
        allowed = []
        routes, path = COMPILED_ROUTES, ctx.rel_path
        if ctx.media_type == SERVICE_ACCOUNT_MEDIA_TYPE:
            routes, path = SERVICE_ACCOUNT_COMPILED_ROUTES, re.sub("%3[aA]", ":", path)
        for method, pattern, operation in routes:
            match = pattern.match(path)
            if match and method != ctx.method:
                allowed.append(method)
            elif match:
                params = match.groupdict()
                for name in ("orgId", "groupId", "apiUserId", "secretId"):
                    if name in params:
                        params[name] = unquote(params[name])
                        if not HEX_ID.match(params[name]):
                            raise ApiError(400, "PATH_PARAM_PARSE_ERROR", "Invalid path parameter %s: %s is not a 24-hexadecimal digit string."
                                           % (name, params[name]), [name, params[name]])
                if "clientId" in params:
                    params["clientId"] = unquote(params["clientId"])
                    if not CLIENT_ID.match(params["clientId"]):
                        raise ApiError(400, "PATH_PARAM_PARSE_ERROR", "Invalid path parameter clientId: %s is not mdb_sa_id_ and 24 "
                                       "hexadecimal digits." % params["clientId"], ["clientId", params["clientId"]])
                if "ipAddress" in params:
                    params["ipAddress"] = parse_network(unquote(re.sub("%2[fF]", "/", params["ipAddress"])), "ipAddress", in_path=True)
                return operation, {_snake(k): v for k, v in params.items()}
        if allowed:
            raise ApiError(405, "METHOD_NOT_ALLOWED", "Method %s is not allowed on %s." % (ctx.method, ctx.rel_path), [ctx.method])
        raise ApiError(404, "RESOURCE_NOT_FOUND", "Cannot find resource %s." % ctx.rel_path, [ctx.rel_path])

    def _json_body(self, ctx, expected_type):
        try:
            body = json.loads(ctx.body.decode("utf-8"))
        except ValueError:
            raise ApiError(400, "MALFORMED_JSON", "Received JSON is malformed.") from None
        if not isinstance(body, expected_type):
            raise ApiError(400, "INVALID_JSON", "Received JSON does not match expected format: expected a JSON %s."
                           % ("array" if expected_type is list else "object"))
        return body

    # ----------------------------------------------------------------------- permissions and lookups

    def _org(self, ctx, org_id, write=False) -> dict:
        org = self.state.orgs.get(org_id)
        if org is None:
            raise ApiError(404, "ORG_NOT_FOUND", "No organization with ID %s exists." % org_id, [org_id])
        roles = ctx.principal.roles_in("orgId", org_id)
        if ctx.principal.org_id != org_id or not roles:
            raise ApiError(401, "USER_CANNOT_ACCESS_ORG", "The current user cannot access organization %s." % org_id, [org_id])
        if write and "ORG_OWNER" not in roles:
            raise self._unauthorized()
        return org

    def _project(self, ctx, group_id, need_owner) -> dict:
        project = self.state.projects.get(group_id)
        if project is None:
            raise ApiError(404, "GROUP_NOT_FOUND", "No group with ID %s exists." % group_id, [group_id])
        if ctx.principal.org_id != project["orgId"]:
            raise ApiError(401, "USER_CANNOT_ACCESS_GROUP", "The current user cannot access group %s." % group_id, [group_id])
        org_roles, group_roles = ctx.principal.roles_in("orgId", project["orgId"]), ctx.principal.roles_in("groupId", group_id)
        if need_owner:
            allowed = "ORG_OWNER" in org_roles or "GROUP_OWNER" in group_roles
        else:
            allowed = bool(group_roles) or "ORG_OWNER" in org_roles or "ORG_READ_ONLY" in org_roles
        if not allowed:
            raise self._unauthorized()
        return project

    @staticmethod
    def _unauthorized():
        return ApiError(401, "USER_UNAUTHORIZED", "Current user is not authorized to perform this action.")

    def _key(self, org_id, api_user_id) -> ApiKey:
        key = self.state.keys.get(api_user_id)
        if key is None or key.org_id != org_id:
            raise ApiError(404, "API_KEY_NOT_FOUND", "No API key with ID %s exists." % api_user_id, [api_user_id])
        return key

    # ----------------------------------------------------------------------- validation

    @staticmethod
    def _desc(body, required):
        desc = body.get("desc")
        if desc is None and not required:
            return None
        if desc is not None and not isinstance(desc, str):
            raise ApiError(400, "INVALID_ATTRIBUTE", "Invalid attribute desc specified.", ["desc"], "desc")
        if not desc:
            raise ApiError(400, "API_KEY_REQUIRES_DESCRIPTION", "All API keys require a non-empty description.", [], "desc")
        if len(desc) > MAX_DESC:
            raise ApiError(400, "INVALID_API_KEY_DESC", "API key description must be 1 to %d characters long." % MAX_DESC, [], "desc")
        return desc

    @staticmethod
    def _roles(roles, allowed, scope, required=True):
        if roles is None and not required:
            return None
        if roles is not None and not isinstance(roles, list):
            raise ApiError(400, "INVALID_ATTRIBUTE", "Invalid attribute roles specified.", ["roles"], "roles")
        if not roles:
            raise ApiError(400, "MISSING_API_KEY_ROLES", "API keys must have at least one role.", [], "roles")
        for role in roles:
            if role not in allowed:
                raise ApiError(400, "INVALID_ENUM_VALUE", "Invalid role %s: it is not a valid %s role." % (role, scope), [role], "roles")
        return list(dict.fromkeys(roles))

    def _check_key_limit(self, org_id):
        limit = self.state.config["max_keys_per_org"]
        if len([k for k in self.state.keys.values() if k.org_id == org_id]) >= limit:
            raise ApiError(409, "MAX_API_KEYS_PER_ORG_EXCEEDED", "Organization %s already has the maximum of %d API keys." % (org_id, limit),
                           [org_id, limit])

    # ----------------------------------------------------------------------- views

    def _key_view(self, ctx, key, reveal=False) -> dict:
        return {"desc": key.desc, "id": key.id, "links": [{"href": ctx.link("/orgs/%s/apiKeys/%s" % (key.org_id, key.id)), "rel": "self"}],
                "privateKey": key.private_key if reveal else mask_private_key(key.private_key), "publicKey": key.public_key,
                "roles": [dict(r) for r in key.roles]}

    def _entry_view(self, ctx, key, network) -> dict:
        view = entry_view(network, key.access_list[network])
        view["links"] = [{"href": ctx.link("/orgs/%s/apiKeys/%s/accessList/%s" % (key.org_id, key.id, entry_path_segment(network))),
                          "rel": "self"}]
        return view

    def _page(self, ctx, items, view) -> Reply:
        items_per_page = self._int_param(ctx, "itemsPerPage", 100, 1, 500)
        page_num = self._int_param(ctx, "pageNum", 1, 1, None)
        include_count = ctx.query.get("includeCount", "true").lower()
        if include_count not in ("true", "false"):
            raise ApiError(400, "INVALID_QUERY_PARAMETER", "Invalid query parameter includeCount: %s." % include_count, ["includeCount"])
        start = (page_num - 1) * items_per_page

        def link(page, rel):
            query = "includeCount=%s&pageNum=%d&itemsPerPage=%d" % (include_count, page, items_per_page)
            return {"href": "%s?%s" % (ctx.link(ctx.rel_path), query), "rel": rel}
        links = [link(page_num, "self")] + ([link(page_num + 1, "next")] if start + items_per_page < len(items) else [])
        body = {"links": links, "results": [view(item) for item in items[start:start + items_per_page]]}
        if include_count == "true":
            body["totalCount"] = len(items)
        return Reply(200, body)

    @staticmethod
    def _int_param(ctx, name, default, minimum, maximum):
        raw = ctx.query.get(name)
        try:
            value = default if raw is None else int(raw)
        except ValueError:
            value = None
        if value is None or value < minimum or maximum is not None and value > maximum:
            raise ApiError(400, "INVALID_QUERY_PARAMETER", "Invalid query parameter %s: %s." % (name, raw), [name, raw])
        return value

    # ----------------------------------------------------------------------- ops 1-5: organization keys

    def list_org_keys(self, ctx, org_id):
        self._org(ctx, org_id)
        return self._page(ctx, self.state.keys_in_org(org_id), lambda key: self._key_view(ctx, key))

    def create_org_key(self, ctx, org_id):
        self._org(ctx, org_id, write=True)
        body = self._json_body(ctx, dict)
        desc, roles = self._desc(body, True), self._roles(body.get("roles"), ORG_ROLES, "organization")
        self._check_key_limit(org_id)
        return Reply(200, self._key_view(ctx, self.state.add_key(org_id, desc, roles), reveal=True))

    def get_org_key(self, ctx, org_id, api_user_id):
        self._org(ctx, org_id)
        return Reply(200, self._key_view(ctx, self._key(org_id, api_user_id)))

    def update_org_key(self, ctx, org_id, api_user_id):
        self._org(ctx, org_id, write=True)
        key = self._key(org_id, api_user_id)
        body = self._json_body(ctx, dict)
        if body.get("desc") is None and body.get("roles") is None:
            raise ApiError(400, "MISSING_ONE_OF_ATTRIBUTES", "At least one of desc or roles must be specified.", ["desc", "roles"])
        desc, roles = self._desc(body, False), self._roles(body.get("roles"), ORG_ROLES, "organization", required=False)
        if desc is not None:
            key.desc = desc
        if roles is not None:
            key.set_roles("orgId", org_id, roles)
        return Reply(200, self._key_view(ctx, key))

    def delete_org_key(self, ctx, org_id, api_user_id):
        self._org(ctx, org_id, write=True)
        key = self._key(org_id, api_user_id)
        del self.state.keys[key.id], self.state.by_public[key.public_key]  # its project roles live on the key and go with it
        return Reply(204)

    # ----------------------------------------------------------------------- ops 6-9: access lists

    def _sorted_entries(self, ctx, key):
        return self._page(ctx, sorted(key.access_list, key=network_sort_key), lambda network: self._entry_view(ctx, key, network))

    def list_access_list(self, ctx, org_id, api_user_id):
        self._org(ctx, org_id)
        return self._sorted_entries(ctx, self._key(org_id, api_user_id))

    def add_access_list(self, ctx, org_id, api_user_id):
        self._org(ctx, org_id, write=True)
        key = self._key(org_id, api_user_id)
        networks = []
        for item in self._json_body(ctx, list):
            if not isinstance(item, dict):
                raise ApiError(400, "INVALID_JSON", "Received JSON does not match expected format: each entry must be an object.")
            fields = [f for f in ("ipAddress", "cidrBlock") if item.get(f) is not None]
            if len(fields) != 1:
                raise ApiError(400, "MISSING_ONE_OF_ATTRIBUTES", "Each entry needs exactly one of ipAddress or cidrBlock.",
                               ["ipAddress", "cidrBlock"])
            network = parse_network(item[fields[0]], fields[0])
            if network in networks:
                raise ApiError(400, "DUPLICATE_ADDRESSES_IN_INPUT", "Duplicate address %s in the request." % network, [str(network)])
            networks.append(network)
        created = iso(self.state.now())  # validated everything first: the POST is all or nothing
        for network in networks:
            key.access_list.setdefault(network, {"created": created, "count": 0})
        return self._sorted_entries(ctx, key)

    def _entry(self, key, network):
        if network not in key.access_list:
            raise ApiError(404, "API_KEY_ACCESS_LIST_ENTRY_NOT_FOUND", "IP address %s not found on the access list of API key %s."
                           % (network, key.id), [str(network), key.id])
        return network

    def get_access_entry(self, ctx, org_id, api_user_id, ip_address):
        self._org(ctx, org_id)
        key = self._key(org_id, api_user_id)
        return Reply(200, self._entry_view(ctx, key, self._entry(key, ip_address)))

    def delete_access_entry(self, ctx, org_id, api_user_id, ip_address):
        self._org(ctx, org_id, write=True)
        key = self._key(org_id, api_user_id)
        network = self._entry(key, ip_address)
        if key is ctx.principal and network.version == ctx.client_ip.version and ctx.client_ip in network:
            raise ApiError(400, "CANNOT_REMOVE_CALLER_ACCESS_LIST_ENTRY",
                           "Cannot remove the requesting IP address from the requesting API key's access list.", [str(ctx.client_ip)])
        del key.access_list[network]
        return Reply(204)

    # ----------------------------------------------------------------------- ops 10-14: projects

    def get_project(self, ctx, group_id):
        project = self._project(ctx, group_id, need_owner=False)
        return Reply(200, {"id": project["id"], "name": project["name"], "orgId": project["orgId"],
                           "created": project.get("created", PROJECT_CREATED), "clusterCount": 0,
                           "links": [{"rel": "self", "href": ctx.link("/groups/%s" % group_id)}]})

    def list_project_keys(self, ctx, group_id):
        project = self._project(ctx, group_id, need_owner=False)
        keys = [k for k in self.state.keys_in_org(project["orgId"]) if group_id in k.project_ids()]
        return self._page(ctx, keys, lambda key: self._key_view(ctx, key))

    def create_project_key(self, ctx, group_id):
        project = self._project(ctx, group_id, need_owner=True)
        body = self._json_body(ctx, dict)
        desc, roles = self._desc(body, True), self._roles(body.get("roles"), GROUP_ROLES, "project")
        self._check_key_limit(project["orgId"])
        key = self.state.add_key(project["orgId"], desc, ["ORG_MEMBER"])  # recorded Atlas answers show ORG_MEMBER
        key.set_roles("groupId", group_id, roles)
        return Reply(200, self._key_view(ctx, key, reveal=True))

    def assign_project_key(self, ctx, group_id, api_user_id):
        project = self._project(ctx, group_id, need_owner=True)
        key = self._key(project["orgId"], api_user_id)
        roles = []
        for item in self._json_body(ctx, list):
            if not isinstance(item, dict):
                raise ApiError(400, "INVALID_JSON", "Received JSON does not match expected format: each item must be an object.")
            roles += self._roles(item.get("roles"), GROUP_ROLES, "project")
        roles = self._roles(roles, GROUP_ROLES, "project")
        if group_id in key.project_ids():
            raise ApiError(400, "API_KEY_ALREADY_IN_GROUP", "API key is already in the group.", [key.id, group_id])
        key.set_roles("groupId", group_id, roles)
        return Reply(204)

    def update_project_roles(self, ctx, group_id, api_user_id):
        project = self._project(ctx, group_id, need_owner=True)
        key = self._key(project["orgId"], api_user_id)
        body = self._json_body(ctx, dict)
        if body.get("desc") is None and body.get("roles") is None:
            raise ApiError(400, "MISSING_ONE_OF_ATTRIBUTES", "At least one of desc or roles must be specified.", ["desc", "roles"])
        desc = self._desc(body, False)
        roles = self._roles(body.get("roles"), GROUP_ROLES, "project", required=group_id not in key.project_ids())
        if desc is not None:
            key.desc = desc
        if roles is not None:
            key.set_roles("groupId", group_id, roles)  # replaces, and assigns a key not yet in the project (as Atlas does)
        return Reply(200, self._key_view(ctx, key))

    def unassign_project_key(self, ctx, group_id, api_user_id):
        project = self._project(ctx, group_id, need_owner=True)
        key = self._key(project["orgId"], api_user_id)
        if group_id not in key.project_ids():
            raise ApiError(404, "API_KEY_NOT_IN_GROUP", "API key %s is not assigned to group %s." % (key.id, group_id), [key.id, group_id])
        key.set_roles("groupId", group_id, [])
        return Reply(204)


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


# --------------------------------------------------------------------------- authentication

AUTH_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')


def parse_digest_header(value: str) -> dict:
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3) for m in AUTH_PARAM.finditer(value)}


def logged_body(raw):
    """The JSON body of an API request as the log shows it: None when there is none or it is not JSON."""
    try:
        return json.loads(raw.decode("utf-8")) if raw.strip() else None
    except ValueError:
        return None


def authenticate(state: SimState, authorization, method: str, uri: str):
    """Returns (key, None, claimed principal) when authenticated, else (None, 401 Reply, claimed principal)."""
    if authorization and authorization[:7].lower() == "bearer ":
        token = authorization[7:].strip()
        key = state.keys.get(state.bearer_tokens.get(token, ""))
        if key is not None:
            return key, None, key.public_key
        account, expired = state.token_principal(token)
        if account is not None:
            return account, None, account.client_id
        return None, bearer_denial(expired), None
    if not authorization or authorization[:7].lower() != "digest ":
        return None, challenge(state, False), None
    params = parse_digest_header(authorization[7:])
    username = params.get("username")
    key = state.by_public.get(username)
    needed = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    if key is None or any(not params.get(n) for n in needed) or params["realm"] != REALM or params["qop"] != "auth" \
            or params.get("algorithm", "MD5").upper() != "MD5" or params["uri"] != uri:
        return None, challenge(state, False), username
    ha1 = md5_hex("%s:%s:%s" % (username, REALM, key.private_key))
    ha2 = md5_hex("%s:%s" % (method, uri))
    expected = md5_hex(":".join((ha1, params["nonce"], params["nc"], params["cnonce"], params["qop"], ha2)))
    if not hmac.compare_digest(expected, params["response"].lower()):
        return None, challenge(state, False), username
    if not state.nonce_usable(params["nonce"]):
        return None, challenge(state, True), username  # right credentials, old nonce: the client retries with a fresh one
    seen = state.nonces[params["nonce"]]["ncs"]
    if params["nc"] in seen:
        return None, challenge(state, False), username  # a replayed (nonce, nc) pair
    seen.add(params["nc"])
    return key, None, username


def bearer_denial(expired: bool) -> Reply:
    reason = "The access token expired" if expired else "The access token is not valid"
    header = 'Bearer realm="%s", error="invalid_token", error_description="%s"' % (REALM, reason)
    return Reply(401, dict(UNAUTHORIZED_BODY), {"WWW-Authenticate": header})


def oauth_error(status, error, description, headers=None) -> Reply:
    return Reply(status, {"error": error, "error_description": description}, dict(headers or {}, **{"Cache-Control": "no-store"}))


def basic_credentials(authorization):
    """(client_id, client_secret) from an HTTP Basic header, or (None, None)."""
    if not authorization or authorization[:6].lower() != "basic ":
        return None, None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None, None
    if ":" not in decoded:
        return None, None
    client_id, client_secret = decoded.split(":", 1)
    return unquote_plus(client_id), unquote_plus(client_secret)


def token_endpoint(state: SimState, method: str, headers, body: bytes):
    """The OAuth 2.0 token endpoint: (Reply, claimed client id, authenticated)."""
    client_id, client_secret = basic_credentials(headers.get("Authorization"))
    if method != "POST":
        return oauth_error(405, "invalid_request", "Use POST.", {"Allow": "POST"}), client_id, False
    wait = state.token_rate_wait()
    if wait:
        detail = "Rate limit exceeded for %s. Please retry after %d seconds." % (TOKEN_PATH.lstrip("/"), wait)
        return Reply(429, ApiError(429, "RATE_LIMITED", detail, [TOKEN_PATH.lstrip("/"), wait]).body(),
                     {"Retry-After": str(wait)}), client_id, False
    account = state.service_accounts.get(client_id or "")
    secret = account.usable_secret(client_secret or "", state.now()) if account is not None else None
    if secret is None:  # a wrong, deleted or expired secret
        return oauth_error(401, "invalid_client", "Invalid client credentials.",
                           {"WWW-Authenticate": 'Basic realm="%s"' % REALM}), client_id, False
    if (media_types(headers.get("Content-Type")) or [""])[0] != "application/x-www-form-urlencoded":
        return oauth_error(400, "invalid_request", "The body must be application/x-www-form-urlencoded."), client_id, True
    form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
    if form.get("grant_type") != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials."), client_id, True
    token = state.issue_token(account)
    secret.last_used_at = state.now()
    answer = {"access_token": token, "expires_in": int(state.config["token_ttl"]), "token_type": "Bearer"}
    return Reply(200, answer, {"Cache-Control": "no-store"}), client_id, True


def challenge(state: SimState, stale: bool) -> Reply:
    header = 'Digest realm="%s", domain="", nonce="%s", algorithm=MD5, qop="auth", stale=%s' % (
        REALM, state.issue_nonce(), "true" if stale else "false")
    return Reply(401, dict(UNAUTHORIZED_BODY), {"WWW-Authenticate": header}, challenge=True)


# --------------------------------------------------------------------------- HTTP

class SimRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AtlasSimulator/1.0"
    timeout = 120  # idle keep-alive connections end eventually
    disable_nagle_algorithm = True  # headers and body go out as two writes: without this each answer waits ~40 ms for an ACK

    def setup(self):
        super().setup()
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()  # here, in the connection's thread, not in the accept loop

    def log_message(self, format, *args):  # noqa: A002 (the base class names it so)
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    def do_GET(self):
        self._dispatch()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _dispatch(self):
        self._body = self._read_body()  # always read, so a keep-alive connection stays in step
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        self._pretty = query.get("pretty", "").lower() == "true"  # per request: the handler serves a whole connection
        if split.path.startswith("/__sim/"):
            self._control(split.path, query)
        elif split.path == TOKEN_PATH:
            self._token(split.path, query)
        elif split.path.startswith("/api/"):
            self._api(split.path, query)
        else:
            self._send(Reply(404, ApiError(404, "RESOURCE_NOT_FOUND", "Cannot find resource %s." % split.path).body()))

    def _send(self, reply: Reply, media_type=V1_MEDIA_TYPE, log_entry=None):
        body = b""
        if reply.body is not None:
            body = json.dumps(reply.body, indent=2 if self._pretty else None).encode("utf-8")
        if log_entry is not None:
            # before any byte goes out: a client that has its answer may read the log at once
            log_entry["status"] = reply.status
        self.send_response(reply.status)
        self.send_header("Content-Type", media_type if reply.status < 400 else V1_MEDIA_TYPE)
        self.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()

    def _api(self, raw_path, query):
        state, method = self.server.state, self.command
        root = next((r for r in API_ROOTS if raw_path.startswith(r + "/")), None)
        rel_path = raw_path[len(root):] if root else raw_path
        with state.lock:
            state.seq += 1
            entry = {"seq": state.seq, "method": method, "path": raw_path, "query": query, "status": None, "principal": None,
                     "authenticated": False, "challenge": False, "write": method in WRITE_METHODS, "fault": None,
                     "body": logged_body(self._body)}
            state.log.append(entry)
            key, denial, entry["principal"] = authenticate(state, self.headers.get("Authorization"), method, self.path)
            stage = "challenge" if denial is not None else "request"
            fault = state.faults.pick(method, rel_path, stage)
        if denial is not None and fault is None:
            entry["challenge"] = denial.challenge
            return self._send(denial, log_entry=entry)
        entry["authenticated"] = key is not None
        if fault is not None:
            entry["fault"] = fault["kind"]
        if fault is not None and fault["when"] == "before":
            return self._deliver_fault(fault, None, entry)
        address = ipaddress.ip_address(self.client_address[0])
        address = getattr(address, "ipv4_mapped", None) or address
        ctx = RequestContext(method, root, rel_path, query, self._body, self.headers, address, key, self.server.url)
        with state.lock:
            reply = self.server.api.handle(ctx)
        if root == "/api/atlas/v2":
            reply.headers.update({"RateLimit-Limit": "100", "RateLimit-Remaining": "99"})
        if reply.status < 400 and query.get("envelope", "").lower() == "true":
            # envelope=true: for clients that cannot read the status line; lists gain "status", objects are wrapped
            body = reply.body if isinstance(reply.body, dict) and "results" in reply.body else {"content": reply.body}
            reply = Reply(200, dict(body, status=reply.status), reply.headers)
        if fault is not None:
            return self._deliver_fault(fault, reply, entry, ctx.media_type)
        self._send(reply, ctx.media_type or V1_MEDIA_TYPE, entry)

    def _token(self, raw_path, query):
        state, method = self.server.state, self.command
        with state.lock:
            state.seq += 1
            entry = {"seq": state.seq, "method": method, "path": raw_path, "query": query, "status": None, "principal": None,
                     "authenticated": False, "challenge": False, "write": False, "fault": None}
            state.log.append(entry)
            fault = state.faults.pick(method, raw_path, "request")
            if fault is not None:
                entry["fault"] = fault["kind"]
            reply = None
            if fault is None or fault["when"] == "after":
                reply, entry["principal"], entry["authenticated"] = token_endpoint(state, method, self.headers, self._body)
        if fault is not None:
            return self._deliver_fault(fault, reply, entry, V1_MEDIA_TYPE)
        self._send(reply, V1_MEDIA_TYPE, entry)

    def _deliver_fault(self, fault, reply, entry, media_type=None):
        if fault["kind"] == "drop":
            return self._drop()
        if fault["kind"] == "timeout":
            time.sleep(fault["delay"])
            return self._drop() if reply is None else self._send(reply, media_type or V1_MEDIA_TYPE, entry)
        self._send(fault_reply(fault), log_entry=entry)

    def _control(self, path, query):
        state, method = self.server.state, self.command
        try:
            spec = json.loads(self._body.decode("utf-8")) if self._body.strip() else {}
            with state.lock:
                if (method, path) == ("GET", "/__sim/log"):
                    payload = {"requests": [dict(e) for e in sorted(state.log, key=lambda e: e["seq"])]}
                elif (method, path) == ("DELETE", "/__sim/log"):
                    state.log, payload = [], {"cleared": True}
                elif (method, path) == ("POST", "/__sim/reset"):
                    state.reset()
                    payload = {"reset": True}
                elif (method, path) == ("GET", "/__sim/state"):
                    payload = state.snapshot()
                elif path == "/__sim/config" and method in ("GET", "POST"):
                    state.set_config(spec if method == "POST" else {})
                    payload = dict(state.config)
                elif (method, path) == ("POST", "/__sim/expire_nonces"):
                    for record in state.nonces.values():
                        record["stale"] = True
                    payload = {"expired": len(state.nonces)}
                elif path == "/__sim/clock" and method in ("GET", "POST"):
                    state.advance_clock(spec if method == "POST" else {})
                    payload = state.clock_view()
                elif (method, path) == ("POST", "/__sim/seed"):
                    payload = state.seed(spec)
                elif path == "/__sim/faults" and method in ("GET", "POST", "DELETE"):
                    if method != "GET":
                        state.faults = FaultPlan(spec if method == "POST" else {})
                    payload = state.faults.describe()
                else:
                    return self._send(Reply(404, {"error": "no control endpoint %s %s" % (method, path)}))
        except (ValueError, TypeError, AttributeError) as err:
            return self._send(Reply(400, {"error": str(err)}))
        self._send(Reply(200, payload))


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, state, verbose=False):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SimRequestHandler)
        self.state, self.api, self.verbose, self.url = state, AtlasApi(state), verbose, ""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (OSError, ssl.SSLError)):  # a client going away is no server error
            super().handle_error(request, client_address)


class AtlasSimulator:
    """The simulator in a background thread: ``start()``, ``url``, ``state``, ``stop()``; also a context manager."""

    def __init__(self, host="127.0.0.1", port=0, tls_cert=None, tls_key=None, nonce_ttl=DEFAULT_CONFIG["nonce_ttl"],
                 max_keys_per_org=DEFAULT_CONFIG["max_keys_per_org"], verbose=False, org_id=ORG_ID, project_ids=()):
        self.state = SimState(nonce_ttl=nonce_ttl, max_keys_per_org=max_keys_per_org, org_id=org_id, project_ids=project_ids)
        self.server = SimHTTPServer((host, port), self.state, verbose)
        scheme = "http"
        if tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True, do_handshake_on_connect=False)
            scheme = "https"
        bound_host, bound_port = self.server.server_address[:2]
        self.url = "%s://%s:%d" % (scheme, "[%s]" % bound_host if ":" in bound_host else bound_host, bound_port)
        self.server.url = self.url
        self._thread = None

    def start(self) -> "AtlasSimulator":
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, name="atlas-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(5)
            self._thread = None
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def startup_lines(simulator) -> list:
    """What the command line prints once it serves: the URL line first (tools read it), then the seeded
    organization, projects and credentials (fixed test values, not secrets) and the shell lines that point the
    collection's modules at the simulator; an empty line ends them."""
    state, url = simulator.state, simulator.url
    projects = [(gid, name) for gid, (name, org) in state.seed_data["projects"].items() if org == state.org_id]
    admin, account = state.seed_data["api_keys"]["admin"], state.seed_data["service_accounts"]["admin"]
    exports = [("MONGODB_ATLAS_BASE_URL", url), ("MONGODB_ATLAS_PUBLIC_API_KEY", admin["public_key"]),
               ("MONGODB_ATLAS_PRIVATE_API_KEY", admin["private_key"]), ("MONGODB_ATLAS_ORG_ID", state.org_id),
               ("MONGODB_ATLAS_PROJECT_ID", projects[0][0])]
    admin_roles, account_roles = ", ".join(admin["org_roles"]), ", ".join(account["org_roles"])
    return ["ATLAS_SIMULATOR_URL=%s" % url,
            "# The MongoDB Atlas simulator serves the API at %s until Ctrl-C or SIGTERM." % url,
            "# Seeded (test values, not secrets; POST %s/__sim/reset restores them):" % url,
            "#   organization     %s (%s)" % (state.org_id, state.seed_data["orgs"][state.org_id]),
            "#   projects         %s" % ", ".join("%s (%s)" % project for project in projects),
            "#   API key          public key %s, private key %s (%s)" % (admin["public_key"], admin["private_key"], admin_roles),
            "#   service account  client id %s, client secret %s (%s)" % (account["client_id"], account["client_secret"], account_roles),
            "# Point the collection's modules at it from the shell that runs ansible-playbook:"] + \
        ["export %s=%s" % (name, shlex.quote(value)) for name, value in exports] + [""]


def main(argv=None, prog=None) -> int:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A simulated MongoDB Atlas Administration API (the API keys, their access lists and project "
                    "assignments, service-account tokens) for testing playbooks without Atlas. Prints the URL, the "
                    "seeded organization, projects and credentials, and serves until Ctrl-C or SIGTERM.",
        epilog="Control API (no authentication): GET /__sim/state (every object), GET /__sim/log (every request, "
               "with a write flag), POST /__sim/reset (back to the seeded state), POST /__sim/faults (inject rate "
               "limits and errors). The user guide's section 'Test your playbooks without Atlas' and the docstring of "
               "tests/simulator/atlas_simulator.py describe them.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default: %(default)s)")
    parser.add_argument("--org-id", metavar="ID", default=ORG_ID,
                        help="id of the seeded organization, e.g. your Atlas organization's, so that playbooks that "
                             "name it run unchanged (default: %(default)s)")
    parser.add_argument("--project-id", metavar="ID", action="append", default=[],
                        help="id of a project of the seeded organization; repeat it for several. They replace the "
                             "default projects alpha (%s) and beta (%s)" % (PROJECT_ALPHA_ID, PROJECT_BETA_ID))
    parser.add_argument("--url-file", metavar="PATH", help="also write the URL to this file")
    parser.add_argument("--tls-cert", metavar="PEM", help="certificate: serve https (with --tls-key)")
    parser.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert")
    parser.add_argument("--nonce-ttl", metavar="SECONDS", type=float, default=DEFAULT_CONFIG["nonce_ttl"],
                        help="seconds a digest nonce stays valid (default: %(default)s)")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    for option, project_ids in (("--org-id", ()), ("--project-id", args.project_id)):
        try:
            seed_with_ids(args.org_id, project_ids)
        except ValueError as error:
            parser.error("%s: %s" % (option, error))
    simulator = AtlasSimulator(args.host, args.port, args.tls_cert, args.tls_key, nonce_ttl=args.nonce_ttl, verbose=args.verbose,
                               org_id=args.org_id, project_ids=args.project_id).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if args.url_file:  # written before the line is printed, so whoever reads the line finds the file too
        temporary = args.url_file + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(simulator.url)
        os.replace(temporary, args.url_file)  # readers never see a half-written file
    print("\n".join(startup_lines(simulator)), flush=True)
    while not stop.wait(0.5):
        pass
    simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
