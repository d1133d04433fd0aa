# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, table-driven over the options of every module (the one place for it; integration targets keep a few
representative cases): every row fails with a message that names the
option and the fix, holds no secret, and writes nothing. Input the module can judge alone (malformed ids,
addresses, roles, descriptions, conflicting or missing options, a malformed api_base_url, bad timeout or
retries) is refused before the first request: the simulator's log stays empty. Input only Atlas can judge
(wrong credentials, a key that does not exist, a description shared by two keys) costs reads, never a write;
an api_base_url nobody answers at costs one connection attempt.

Every row starts from a task that works (test_the_base_tasks_work proves it) and changes one thing.
"""

from __future__ import annotations

import importlib
import socket

import pytest
import yaml

ORG = "65a1b2c3d4e5f6a7b8c9d0e1"
ALPHA = "65a1b2c3d4e5f6a7b8c9d0f1"
READ_ONLY_KEY_ID = "65a1b2c3d4e5f6a7b8c9d002"
MISSING_KEY_ID = "65a1b2c3d4e5f6a7b8c9dfff"
MISSING_PROJECT_ID = "65a1b2c3d4e5f6a7b8c9dffe"
SERVICE_ACCOUNT = "mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa"
SECRET_ID = "65a1b2c3d4e5f6a7b8c9d0ab"
DROP = object()  # a row's value that removes the option from the base task

#: A task of each module that works against the seeded simulator (in check mode: the base of every row).
BASE = {
    "atlas_org_api_key": dict(org_id=ORG, description="bad input probe", roles=["ORG_MEMBER"]),
    "atlas_api_key_accesslist": dict(org_id=ORG, api_key_id=READ_ONLY_KEY_ID, entries=["192.0.2.1"]),
    "atlas_project_api_key": dict(project_id=ALPHA, org_id=ORG, api_key_id=READ_ONLY_KEY_ID, roles=["GROUP_READ_ONLY"]),
    "atlas_org_api_key_info": dict(org_id=ORG),
    "atlas_api_key_accesslist_info": dict(org_id=ORG, api_key_id=READ_ONLY_KEY_ID),
    "atlas_project_api_key_info": dict(project_id=ALPHA),
    "atlas_service_account": dict(org_id=ORG, name="bad input probe", description="probe", roles=["ORG_MEMBER"],
                                  secret_expires_after_hours=24),
    "atlas_service_account_secret": dict(org_id=ORG, account_client_id=SERVICE_ACCOUNT, expires_after_hours=720),
    "atlas_service_account_info": dict(org_id=ORG),
    "atlas_service_account_accesslist": dict(org_id=ORG, account_client_id=SERVICE_ACCOUNT, entries=["192.0.2.1"]),
    "atlas_service_account_project": dict(project_id=ALPHA, account_client_id=SERVICE_ACCOUNT, roles=["GROUP_READ_ONLY"]),
}
MODULES = sorted(BASE)
NAMED_KEY_MODULES = ("atlas_org_api_key", "atlas_api_key_accesslist", "atlas_project_api_key",
                     "atlas_org_api_key_info", "atlas_api_key_accesslist_info")
ID_FORM = "must be a 24-character hexadecimal Atlas id such as 5f4e3d2c1b0a998877665544"
URL_FORM = "api_base_url must be an http or https URL such as https://cloud.mongodb.com"
ADDRESS_FORMS = "use forms such as 203.0.113.10, 203.0.113.0/24, 2001:db8::1 or 2001:db8::/48"
LONG = "d" * 251
CLIENT_ID_FORM = "account_client_id must be the client id of a service account, mdb_sa_id_ and 24 hexadecimal characters"
SA_TEXT_FORM = "may hold only letters, digits, spaces and the characters - _ . , ' (Atlas's rule)"
V1_REFUSED = "Service accounts exist only in the Atlas Administration API v2, and api_version is 'v1.0'"

# (id, changes to the base task, substrings of the message)
CONNECTION_ROWS = [
    ("url-without-scheme", dict(api_base_url="cloud.mongodb.com"), [URL_FORM, "got 'cloud.mongodb.com'"]),
    ("url-ftp", dict(api_base_url="ftp://cloud.mongodb.com"), [URL_FORM, "got 'ftp://cloud.mongodb.com'"]),
    ("url-without-host", dict(api_base_url="https://"), [URL_FORM]),
    ("url-port-out-of-range", dict(api_base_url="https://cloud.mongodb.com:99999"), [URL_FORM]),
    ("url-broken-ipv6", dict(api_base_url="http://[::1"), [URL_FORM]),
    ("url-holding-api-v2", dict(api_base_url="{url}/api/atlas/v2"),
     ["api_base_url is the server only, such as https://cloud.mongodb.com: drop '/api/atlas/v2' "
      "(api_version chooses the API path)"]),
    ("url-holding-api-v1", dict(api_base_url="{url}/api/atlas/v1.0/"), ["api_base_url is the server only", "drop '/api/atlas/v1.0/'"]),
    ("url-holding-a-query", dict(api_base_url="{url}?envelope=true"), ["api_base_url is the server only", "drop '?envelope=true'"]),
    ("url-holding-user-password", dict(api_base_url="http://admin:s3cr3t-in-url@127.0.0.1:1"),
     ["api_base_url must not hold credentials: use api_public_key and api_private_key"]),
    ("url-holding-user", dict(api_base_url="https://simadmin@cloud.mongodb.com"), ["api_base_url must not hold credentials"]),
    ("api-version-unknown", dict(api_version="v3"), ["value of api_version must be one of: v2, v1.0, got: v3"]),
    ("timeout-zero", dict(timeout=0), ["timeout must be a positive number of seconds; got 0"]),
    ("timeout-negative", dict(timeout=-5), ["timeout must be a positive number of seconds; got -5"]),
    ("timeout-not-a-number", dict(timeout="soon"), ["argument 'timeout' is of type ", "we were unable to convert to int"]),
    ("retries-negative", dict(retries=-1), ["retries must be 0 or more; got -1"]),
    ("retries-not-a-number", dict(retries="many"), ["argument 'retries' is of type ", "we were unable to convert to int"]),
    ("validate-certs-not-a-bool", dict(validate_certs="perhaps"),
     ["argument 'validate_certs' is of type ", "we were unable to convert to bool"]),
    ("no-credentials", dict(api_public_key=DROP, api_private_key=DROP),
     ["No MongoDB Atlas API credentials were given", "api_public_key (environment variable MONGODB_ATLAS_PUBLIC_API_KEY",
      "api_private_key (environment variable MONGODB_ATLAS_PRIVATE_API_KEY"]),
    ("no-private-key", dict(api_private_key=DROP),
     ["Incomplete MongoDB Atlas API credentials: api_private_key is not set", "a programmatic API key needs"]),
    ("blank-private-key", dict(api_private_key="   "), ["api_private_key is not set"]),
    ("no-public-key", dict(api_public_key=DROP), ["Incomplete MongoDB Atlas API credentials: api_public_key is not set"]),
    ("key-pair-and-service-account", dict(client_id="mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa"),
     ["Credentials of more than one way of authenticating were given", "client_id (a service account)",
      "Use exactly one"]),
    ("key-pair-and-access-token", dict(api_access_token="not-a-token"),
     ["more than one way of authenticating", "api_access_token (an access token)"]),
    ("client-id-without-secret", dict(api_public_key=DROP, api_private_key=DROP, client_id="mdb_sa_id_x"),
     ["client_secret is not set", "a service account needs client_id"]),
    ("unknown-option", dict(api_key="simadmin"), ["Unsupported parameters", "api_key"]),
]

# access_list, project_roles and purge_projects: the same rows for atlas_org_api_key and atlas_service_account.
ONE_TASK_ROWS = [
    ("access-list-bad-entries", dict(access_list=["192.0.2.1", "10.0.0.1/24", "banana"]),
     ["access_list holds 2 invalid items: '10.0.0.1/24' has host bits set; the CIDR block that holds it is 10.0.0.0/24",
      "'banana' is not an IPv4 or IPv6 address or CIDR block; " + ADDRESS_FORMS]),
    ("access-list-not-a-list-of-text", dict(access_list=[["192.0.2.1"]]), ["access_list holds 1 invalid item"]),
    ("project-roles-without-project-id", dict(project_roles=[dict(roles=["GROUP_READ_ONLY"])]),
     ["missing required arguments: project_id found in project_roles"]),
    ("project-roles-without-roles", dict(project_roles=[dict(project_id=ALPHA)]),
     ["missing required arguments: roles found in project_roles"]),
    ("project-roles-roles-null", dict(project_roles=[dict(project_id=ALPHA, roles=None)]),
     ["argument 'roles' is of type ", "found in 'project_roles'"]),
    ("project-roles-roles-empty", dict(project_roles=[dict(project_id=ALPHA, roles=[])]),
     ["roles of project_roles item 1 (project '%s') must name at least one project role, such as "
      "'GROUP_READ_ONLY'" % ALPHA]),
    ("project-roles-org-role", dict(project_roles=[dict(project_id=ALPHA, roles=["ORG_OWNER"])]),
     ["roles of project_roles item 1 (project '%s') takes project roles, but 'ORG_OWNER' are organization "
      "roles: set those with roles" % ALPHA]),
    ("project-roles-malformed-role", dict(project_roles=[dict(project_id=ALPHA, roles=["read"])]),
     ["roles of project_roles item 1 (project '%s') has malformed project roles 'read'" % ALPHA]),
    ("project-roles-project-id-malformed",
     dict(project_roles=[dict(project_id=ALPHA, roles=["GROUP_OWNER"]), dict(project_id="alpha", roles=["GROUP_OWNER"])]),
     ["project_id of project_roles item 2 " + ID_FORM + "; got 'alpha'"]),
    ("project-roles-project-twice",
     dict(project_roles=[dict(project_id=ALPHA, roles=["GROUP_READ_ONLY"]), dict(project_id=ALPHA, roles=["GROUP_OWNER"])]),
     ["project_roles lists project '%s' more than once (item 2 again): give each project once, with all its roles"
      % ALPHA]),
    ("project-roles-unknown-field", dict(project_roles=[dict(project_id=ALPHA, roles=["GROUP_OWNER"], role="x")]),
     ["Unsupported parameters", "project_roles.role"]),
    ("purge-projects-without-project-roles", dict(purge_projects=True),
     ["purge_projects applies only with project_roles: list the projects the credential keeps (project_roles: [] "
      "with purge_projects: true removes it from every project)"]),
    ("purge-projects-not-a-bool", dict(purge_projects="maybe", project_roles=[]),
     ["argument 'purge_projects' is of type ", "we were unable to convert to bool"]),
]

MODULE_ROWS = {
    "atlas_org_api_key": [
        ("org-id-missing", dict(org_id=DROP), ["missing required arguments: org_id"]),
        ("org-id-malformed", dict(org_id="acme-corp"), ["org_id " + ID_FORM, "got 'acme-corp'"]),
        ("org-id-25-hex", dict(org_id=ORG + "0"), ["org_id " + ID_FORM]),
        ("org-id-23-hex", dict(org_id="65a1b2c3d4e5f6a7b8c9d0e"), ["org_id " + ID_FORM]),
        ("org-id-malformed-state-absent", dict(org_id="My Org", roles=DROP, state="absent"), ["org_id " + ID_FORM]),
        ("api-key-id-malformed", dict(api_key_id="1234"), ["api_key_id " + ID_FORM, "got '1234'"]),
        ("api-key-id-is-a-public-key", dict(api_key_id="simreadr"),
         ["api_key_id takes the key's 24-character hexadecimal id; 'simreadr' looks like a public key: pass it as "
          "public_key instead"]),
        ("api-key-id-is-a-public-key-state-absent", dict(api_key_id="zmmrboas", state="absent"),
         ["'zmmrboas' looks like a public key: pass it as public_key"]),
        ("api-key-id-malformed-state-absent", dict(api_key_id="not-an-id", state="absent"), ["api_key_id " + ID_FORM]),
        ("public-key-malformed", dict(public_key="SIM-READ", description=DROP),
         ["public_key must be the 8-character public key Atlas shows for the key", "got 'SIM-READ'"]),
        ("public-key-too-long", dict(public_key="toolongpublickey", description=DROP),
         ["public_key must be the 8-character public key"]),
        ("two-key-selectors", dict(api_key_id=READ_ONLY_KEY_ID, public_key="simreadr"),
         ["parameters are mutually exclusive: api_key_id|public_key"]),
        ("no-key-selector", dict(description=DROP), ["Name the API key with one of api_key_id, public_key or description"]),
        ("description-empty", dict(description=""), ["description must hold 1 to 250 characters; got 0"]),
        ("description-blank", dict(description="   "), ["description must hold 1 to 250 characters; got 0"]),
        ("description-too-long", dict(description=LONG), ["description must hold 1 to 250 characters; got 251"]),
        ("roles-unknown", dict(roles=["ORG_MEMBER", "ORG_WIZARD"]),
         ["roles has unknown organization roles 'ORG_WIZARD'; choose from 'ORG_OWNER', 'ORG_MEMBER'"]),
        ("roles-lower-case", dict(roles=["org_member"]), ["roles has unknown organization roles 'org_member'"]),
        ("roles-project-role-among-org-roles", dict(roles=["ORG_MEMBER", "GROUP_READ_ONLY"]),
         ["'GROUP_READ_ONLY' are project roles", "mongodb_atlas.api_keys.atlas_project_api_key"]),
        ("roles-project-roles", dict(roles=["GROUP_OWNER"]),
         ["roles takes organization roles, but 'GROUP_OWNER' are project roles: assign those with "
          "mongodb_atlas.api_keys.atlas_project_api_key"]),
        ("roles-empty", dict(roles=[]), ["roles must name at least one organization role: 'ORG_OWNER'"]),
        ("state-unknown", dict(state="deleted"), ["value of state must be one of: present, absent, got: deleted"]),
    ] + ONE_TASK_ROWS,
    "atlas_api_key_accesslist": [
        ("org-id-malformed", dict(org_id="65A1B2C3"), ["org_id " + ID_FORM]),
        ("api-key-id-malformed", dict(api_key_id="not-an-id"), ["api_key_id " + ID_FORM]),
        ("api-key-id-is-a-public-key", dict(api_key_id="simreadr"), ["looks like a public key: pass it as public_key"]),
        ("public-key-malformed", dict(api_key_id=DROP, public_key="toolongpublickey"),
         ["public_key must be the 8-character public key"]),
        ("description-too-long", dict(api_key_id=DROP, description=LONG), ["description must hold 1 to 250 characters"]),
        ("two-key-selectors", dict(description="simulator read-only"),
         ["parameters are mutually exclusive: api_key_id|public_key|description"]),
        ("key-id-and-public-key", dict(public_key="simreadr"),
         ["parameters are mutually exclusive: api_key_id|public_key|description"]),
        ("public-key-and-description", dict(api_key_id=DROP, public_key="simreadr", description="simulator read-only"),
         ["parameters are mutually exclusive: api_key_id|public_key|description"]),
        ("no-key-selector", dict(api_key_id=DROP), ["one of the following is required: api_key_id, public_key, description"]),
        ("entries-missing", dict(entries=DROP), ["missing required arguments: entries"]),
        ("address-out-of-range", dict(entries=["300.1.2.3"]),
         ["entries holds 1 invalid item: '300.1.2.3' is not an IPv4 or IPv6 address or CIDR block; " + ADDRESS_FORMS]),
        ("address-garbage", dict(entries=["banana"]), ["'banana' is not an IPv4 or IPv6 address or CIDR block"]),
        ("address-empty", dict(entries=[""]), ["'' is not an IPv4 or IPv6 address or CIDR block"]),
        ("cidr-host-bits", dict(entries=["10.0.0.1/24"]),
         ["entries holds 1 invalid item: '10.0.0.1/24' has host bits set; the CIDR block that holds it is 10.0.0.0/24"]),
        ("cidr-ipv6-host-bits", dict(entries=["2001:db8::1/48"]), ["has host bits set; the CIDR block that holds it is 2001:db8::/48"]),
        ("cidr-prefix-too-long", dict(entries=["10.0.0.0/33"]), ["'10.0.0.0/33' is not an IPv4 or IPv6 address or CIDR block"]),
        ("ipv6-zone", dict(entries=["fe80::1%eth0"]),
         ["'fe80::1%eth0' holds an IPv6 zone; Atlas takes plain addresses or CIDR blocks such as 203.0.113.10"]),
        ("several-bad-entries", dict(entries=["192.0.2.1", "banana", "10.0.0.1/8", "2001:db8::/32"]),
         ["entries holds 2 invalid items: 'banana' is not", "'10.0.0.1/8' has host bits set"]),
        ("several-bad-entries-state-absent", dict(state="absent", entries=["10.0.0.1/24", "x", "10.0.0.0/8"]),
         ["entries holds 2 invalid items: ", "'10.0.0.1/24' has host bits set", "'x' is not an IPv4"]),
        ("purge-with-state-absent", dict(purge=True, state="absent"),
         ["purge applies only with state=present. To empty the access list, use state=present, purge=true and entries=[]"]),
        ("purge-not-a-bool", dict(purge="sometimes"), ["argument 'purge' is of type ", "we were unable to convert to bool"]),
        ("state-unknown", dict(state="purged"), ["value of state must be one of: present, absent, got: purged"]),
    ],
    "atlas_project_api_key": [
        ("project-id-missing", dict(project_id=DROP), ["missing required arguments: project_id"]),
        ("project-id-malformed", dict(project_id="alpha"), ["project_id " + ID_FORM, "got 'alpha'"]),
        ("org-id-malformed", dict(org_id="65a1b2c3d4e5f6a7b8c9d0e"), ["org_id " + ID_FORM]),
        ("api-key-id-malformed", dict(api_key_id="65a1b2c3d4e5f6a7b8c9d0zz"), ["api_key_id " + ID_FORM]),
        ("api-key-id-is-a-public-key", dict(api_key_id="simreadr"), ["looks like a public key: pass it as public_key"]),
        ("public-key-malformed", dict(api_key_id=DROP, public_key="simread"), ["public_key must be the 8-character public key"]),
        ("description-empty", dict(api_key_id=DROP, description=""), ["description must hold 1 to 250 characters; got 0"]),
        ("description-too-long", dict(api_key_id=DROP, description=LONG), ["description must hold 1 to 250 characters; got 251"]),
        ("public-key-without-org-id", dict(api_key_id=DROP, public_key="simreadr", org_id=DROP),
         ["org_id is required when the key is named by public_key"]),
        ("description-without-org-id", dict(api_key_id=DROP, description="simulator read-only", org_id=DROP),
         ["org_id is required when the key is named by description"]),
        ("two-key-selectors", dict(public_key="simreadr"), ["parameters are mutually exclusive: api_key_id|public_key|description"]),
        ("no-key-selector", dict(api_key_id=DROP), ["one of the following is required: api_key_id, public_key, description"]),
        ("roles-missing", dict(roles=DROP), ["state is present but all of the following are missing: roles"]),
        ("roles-empty", dict(roles=[]), ["roles must name at least one project role, such as 'GROUP_READ_ONLY'"]),
        ("roles-org-roles", dict(roles=["GROUP_READ_ONLY", "ORG_OWNER"]),
         ["roles takes project roles, but 'ORG_OWNER' are organization roles: set those with "
          "mongodb_atlas.api_keys.atlas_org_api_key"]),
        ("roles-malformed", dict(roles=["group_read_only"]),
         ["roles has malformed project roles 'group_read_only': project roles are upper-case GROUP_* names"]),
        ("roles-malformed-among-good", dict(roles=["GROUP_READ_ONLY", "READ_ONLY"]), ["malformed project roles 'READ_ONLY'"]),
        ("description-blank", dict(api_key_id=DROP, description=" "), ["description must hold 1 to 250 characters"]),
        ("state-unknown", dict(state="unassigned"), ["value of state must be one of: present, absent, got: unassigned"]),
    ],
    "atlas_org_api_key_info": [
        ("org-id-missing", dict(org_id=DROP), ["missing required arguments: org_id"]),
        ("org-id-malformed", dict(org_id="my-org"), ["org_id " + ID_FORM]),
        ("api-key-id-malformed", dict(api_key_id="12345"), ["api_key_id " + ID_FORM]),
        ("org-id-upper-case", dict(org_id=ORG.upper()), ["org_id " + ID_FORM]),
        ("description-blank", dict(description="  "), ["description must hold 1 to 250 characters"]),
        ("key-id-and-public-key", dict(api_key_id=READ_ONLY_KEY_ID, public_key="simreadr"),
         ["parameters are mutually exclusive: api_key_id|public_key|description"]),
        ("public-key-and-description", dict(public_key="simreadr", description="simulator read-only"),
         ["parameters are mutually exclusive: api_key_id|public_key|description"]),
        ("api-key-id-is-a-public-key", dict(api_key_id="simadmin"), ["looks like a public key: pass it as public_key"]),
        ("public-key-malformed", dict(public_key="sim admin"), ["public_key must be the 8-character public key"]),
        ("description-empty", dict(description=""), ["description must hold 1 to 250 characters; got 0"]),
        ("description-too-long", dict(description=LONG), ["description must hold 1 to 250 characters; got 251"]),
        ("two-key-selectors", dict(api_key_id=READ_ONLY_KEY_ID, description="simulator read-only"),
         ["parameters are mutually exclusive: api_key_id|public_key|description"]),
        ("option-of-the-managing-module", dict(state="absent"), ["Unsupported parameters", "state"]),
    ],
    "atlas_api_key_accesslist_info": [
        ("org-id-malformed", dict(org_id="x" * 24), ["org_id " + ID_FORM]),
        ("api-key-id-malformed", dict(api_key_id="65a1b2c3-d4e5-f6a7-b8c9-d002"), ["api_key_id " + ID_FORM]),
        ("api-key-id-is-a-public-key", dict(api_key_id="simreadr"), ["looks like a public key: pass it as public_key"]),
        ("public-key-malformed", dict(api_key_id=DROP, public_key="SIMREADR"), ["public_key must be the 8-character public key"]),
        ("description-empty", dict(api_key_id=DROP, description=""), ["description must hold 1 to 250 characters"]),
        ("two-key-selectors", dict(public_key="simreadr"), ["parameters are mutually exclusive: api_key_id|public_key|description"]),
        ("no-key-selector", dict(api_key_id=DROP), ["one of the following is required: api_key_id, public_key, description"]),
        ("option-of-the-managing-module", dict(entries=["192.0.2.1"]), ["Unsupported parameters", "entries"]),
        ("key-id-and-description", dict(description="simulator read-only"),
         ["parameters are mutually exclusive: api_key_id|public_key|description"]),
    ],
    "atlas_project_api_key_info": [
        ("project-id-missing", dict(project_id=DROP), ["missing required arguments: project_id"]),
        ("project-id-malformed", dict(project_id="65a1b2c3d4e5f6a7b8c9d0f1 "), ["project_id " + ID_FORM]),
        ("project-id-is-an-org-name", dict(project_id="alpha"), ["project_id " + ID_FORM, "got 'alpha'"]),
        ("project-id-25-hex", dict(project_id=ALPHA + "0"), ["project_id " + ID_FORM]),
        ("project-id-upper-case", dict(project_id=ALPHA.upper()), ["project_id " + ID_FORM]),
        ("option-of-another-module", dict(org_id=ORG), ["Unsupported parameters", "org_id"]),
    ],
    "atlas_service_account": [
        ("api-version-v1", dict(api_version="v1.0"), [V1_REFUSED, "leave api_version out"]),
        ("org-id-malformed", dict(org_id="acme"), ["org_id " + ID_FORM]),
        ("account-client-id-hex-only", dict(account_client_id="65a1b2c3d4e5f6a7b8c9d0aa"),
         [CLIENT_ID_FORM, "got '65a1b2c3d4e5f6a7b8c9d0aa'"]),
        ("account-client-id-short", dict(account_client_id="mdb_sa_id_65a1b2"), [CLIENT_ID_FORM]),
        ("no-account-selector", dict(name=DROP), ["one of the following is required: account_client_id, name"]),
        ("name-empty", dict(name=""), ["name must hold 1 to 64 characters; got 0"]),
        ("name-too-long", dict(name="n" * 65), ["name must hold 1 to 64 characters; got 65"]),
        ("name-bad-characters", dict(name="ci/deploy:prod"), ["name " + SA_TEXT_FORM, "holds '/' ':'"]),
        ("description-empty", dict(description=""), ["description must hold 1 to 250 characters; got 0"]),
        ("description-too-long", dict(description=LONG), ["description must hold 1 to 250 characters; got 251"]),
        ("description-bad-characters", dict(description="deploys; everything"), ["description " + SA_TEXT_FORM, "';'"]),
        ("roles-unknown", dict(roles=["ORG_WIZARD"]), ["roles has unknown organization roles 'ORG_WIZARD'"]),
        ("roles-project-roles", dict(roles=["GROUP_OWNER"]),
         ["roles takes organization roles, but 'GROUP_OWNER' are project roles: a service account gets project roles in "
          "each project"]),
        ("roles-empty", dict(roles=[]), ["roles must name at least one organization role"]),
        ("hours-too-few", dict(secret_expires_after_hours=7),
         ["secret_expires_after_hours must be 8 to 8760 hours", "got 7"]),
        ("hours-too-many", dict(secret_expires_after_hours=8761), ["secret_expires_after_hours must be 8 to 8760 hours"]),
        ("hours-zero", dict(secret_expires_after_hours=0), ["secret_expires_after_hours must be 8 to 8760 hours", "got 0"]),
        ("state-unknown", dict(state="deleted"), ["value of state must be one of: present, absent, got: deleted"]),
    ] + ONE_TASK_ROWS,
    "atlas_service_account_secret": [
        ("api-version-v1", dict(api_version="v1.0"), [V1_REFUSED]),
        ("org-id-malformed", dict(org_id="x"), ["org_id " + ID_FORM]),
        ("account-client-id-malformed", dict(account_client_id="mdb_sa_id_XYZ"), [CLIENT_ID_FORM, "got 'mdb_sa_id_XYZ'"]),
        ("two-account-selectors", dict(name="simulator service account"),
         ["parameters are mutually exclusive: account_client_id|name"]),
        ("no-account-selector", dict(account_client_id=DROP), ["one of the following is required: account_client_id, name"]),
        ("name-bad-characters", dict(account_client_id=DROP, name="ci|deploy"), ["name " + SA_TEXT_FORM]),
        ("expires-missing", dict(expires_after_hours=DROP),
         ["state is present but all of the following are missing: expires_after_hours"]),
        ("expires-too-few", dict(expires_after_hours=1), ["expires_after_hours must be 8 to 8760 hours", "got 1"]),
        ("expires-too-many", dict(expires_after_hours=9000), ["expires_after_hours must be 8 to 8760 hours"]),
        ("min-valid-negative", dict(min_valid_hours=-1), ["min_valid_hours must be 0 to 8760 hours", "got -1"]),
        ("min-valid-not-below-expiry", dict(min_valid_hours=720),
         ["min_valid_hours (720) must be less than expires_after_hours (720)", "every run would create another"]),
        ("secret-id-with-present", dict(secret_id=SECRET_ID), ["secret_id applies only with state=absent"]),
        ("secret-id-malformed", dict(state="absent", secret_id="s3cr3t"),
         ["secret_id must be the 24-character hexadecimal id of a secret", "got 's3cr3t'"]),
        ("absent-without-secret-id", dict(state="absent"),
         ["state is absent but all of the following are missing: secret_id"]),
        ("force-with-absent", dict(state="absent", secret_id=SECRET_ID, force=True),
         ["force applies only with state=present"]),
        ("purge-with-absent", dict(state="absent", secret_id=SECRET_ID, purge_expired=True),
         ["purge_expired applies only with state=present"]),
        ("force-not-a-bool", dict(force="now"), ["argument 'force' is of type ", "we were unable to convert to bool"]),
        ("state-unknown", dict(state="rotated"), ["value of state must be one of: present, absent, got: rotated"]),
    ],
    "atlas_service_account_info": [
        ("api-version-v1", dict(api_version="v1.0"), [V1_REFUSED]),
        ("org-id-malformed", dict(org_id="my-org"), ["org_id " + ID_FORM]),
        ("account-client-id-malformed", dict(account_client_id="ci-deploy"), [CLIENT_ID_FORM]),
        ("name-too-long", dict(name="n" * 65), ["name must hold 1 to 64 characters; got 65"]),
        ("two-account-selectors", dict(account_client_id=SERVICE_ACCOUNT, name="simulator service account"),
         ["parameters are mutually exclusive: account_client_id|name"]),
        ("expiring-negative", dict(expiring_within_hours=-24), ["expiring_within_hours must be 0 to 8760 hours"]),
        ("option-of-the-managing-module", dict(force=True), ["Unsupported parameters", "force"]),
        ("project-id-malformed", dict(project_id="alpha"), ["project_id " + ID_FORM]),
        ("details-without-account", dict(details=True), ["details needs account_client_id"]),
    ],
    "atlas_service_account_accesslist": [
        ("api-version-v1", dict(api_version="v1.0"), [V1_REFUSED]),
        ("org-id-malformed", dict(org_id="acme"), ["org_id " + ID_FORM]),
        ("account-client-id-malformed", dict(account_client_id="ci-deploy"), [CLIENT_ID_FORM]),
        ("name-too-long", dict(account_client_id=DROP, name="n" * 65), ["name must hold 1 to 64 characters; got 65"]),
        ("entries-host-bits", dict(entries=["10.0.0.1/24"]), ["entries holds 1 invalid item", "host bits"]),
        ("purge-with-absent", dict(state="absent", purge=True), ["purge applies only with state=present"]),
        ("state-unknown", dict(state="gone"), ["value of state must be one of: present, absent, got: gone"]),
    ],
    "atlas_service_account_project": [
        ("api-version-v1", dict(api_version="v1.0"), [V1_REFUSED]),
        ("project-id-malformed", dict(project_id="alpha"), ["project_id " + ID_FORM]),
        ("org-id-malformed", dict(org_id="acme"), ["org_id " + ID_FORM]),
        ("account-client-id-malformed", dict(account_client_id="ci-deploy"), [CLIENT_ID_FORM]),
        ("name-without-org-id", dict(account_client_id=DROP, name="ci"), ["org_id is required when the account is named by name"]),
        ("roles-org-roles", dict(roles=["ORG_OWNER"]), ["roles takes project roles, but 'ORG_OWNER' are organization roles"]),
        ("state-unknown", dict(state="gone"), ["value of state must be one of: present, absent, got: gone"]),
    ],
}

# Rows only Atlas can judge: reads are fine, writes are not. (module, id, changes, setup, substrings)
ATLAS_JUDGED_ROWS = [
    ("atlas_org_api_key", "create-without-roles", dict(roles=DROP), None,
     ["roles is required to create API key 'bad input probe'; no key with this description exists"]),
    ("atlas_org_api_key", "api-key-id-that-does-not-exist", dict(api_key_id=MISSING_KEY_ID), None,
     ["API key %s does not exist in organization %s. A key cannot be created with a chosen id: give a description "
      "and roles without api_key_id and public_key to create one" % (MISSING_KEY_ID, ORG)]),
    ("atlas_org_api_key", "description-of-two-keys", dict(description="dup-00001"), "duplicate",
     ["The description 'dup-00001' matches 2 API keys in organization %s" % ORG,
      "Name the key with api_key_id or public_key instead"]),
    ("atlas_api_key_accesslist", "description-of-no-key", dict(api_key_id=DROP, description="no such key"), None,
     ["API key 'no such key' does not exist in organization %s" % ORG,
      "create it with mongodb_atlas.api_keys.atlas_org_api_key"]),
    ("atlas_api_key_accesslist", "description-of-two-keys", dict(api_key_id=DROP, description="dup-00001"), "duplicate",
     ["matches 2 API keys", "Name the key with api_key_id or public_key instead"]),
    ("atlas_project_api_key", "api-key-id-that-does-not-exist", dict(api_key_id=MISSING_KEY_ID), None,
     ["does not exist in organization %s" % ORG, "name it by description to create it"]),
    ("atlas_api_key_accesslist_info", "public-key-of-no-key", dict(api_key_id=DROP, public_key="nokeyhre"), None,
     ["API key with public key 'nokeyhre' does not exist in organization %s" % ORG]),
] + [(module, "project-roles-project-that-does-not-exist",
      dict(project_roles=[dict(project_id=MISSING_PROJECT_ID, roles=["GROUP_READ_ONLY"])]), None,
      ["Failed to read project %s: HTTP 404 GROUP_NOT_FOUND" % MISSING_PROJECT_ID])
     for module in ("atlas_org_api_key", "atlas_service_account")]

WRONG_CREDENTIALS = "Atlas rejected the credentials: check api_public_key and api_private_key"


def task(sim, module, changes):
    args = dict(sim.connection, **BASE[module])
    for name, value in changes.items():
        if value is DROP:
            args.pop(name, None)
        elif isinstance(value, str):
            args[name] = value.replace("{url}", sim.url)
        else:
            args[name] = value
    return args


def check_refused(sim, result, substrings, extra_secrets=()):
    assert result.get("failed") and not result.get("changed"), result
    for text in substrings:
        assert text in result["msg"], "%r not in %r" % (text, result["msg"])
    assert "Traceback" not in result["msg"] and "exception" not in result
    assert not sim.secrets_in(result, extra_secrets), result


def rows():
    for module in MODULES:
        for row_id, changes, substrings in CONNECTION_ROWS:
            yield pytest.param(module, changes, substrings, id="%s-%s" % (module, row_id))
        for row_id, changes, substrings in MODULE_ROWS[module]:
            yield pytest.param(module, changes, substrings, id="%s-%s" % (module, row_id))


@pytest.mark.parametrize("module", MODULES)
def test_the_base_tasks_work(sim, run_module, module):
    result = run_module(module, task(sim, module, {}), check_mode=True)
    assert not result.get("failed"), result
    assert not sim.writes()


def test_every_option_of_every_module_has_a_row():
    """Each option of each module, the common ones included, is named by the message of at least one row."""
    common = ("api_base_url", "api_version", "api_public_key", "api_private_key", "client_id", "client_secret",
              "api_access_token", "validate_certs", "timeout", "retries")
    for option in common:
        assert any(option in text for _row_id, _changes, substrings in CONNECTION_ROWS for text in substrings), option
    for module in MODULES:
        options = set(module_options(module))
        assert options and not options & set(common), module
        for option in options:
            assert any(option in changes and any(option in text for text in substrings)
                       for _row_id, changes, substrings in MODULE_ROWS[module]), (module, option)


def module_options(module):
    """The options of a module but the common ones: its own, and those of the named fragments it extends
    (mongodb_atlas.api_keys.atlas.KEY_SELECTOR); the common ones come from the fragment's DOCUMENTATION and its
    CONNECTION section."""
    code = importlib.import_module("ansible_collections.mongodb_atlas.api_keys.plugins.modules.%s" % module)
    doc = yaml.safe_load(code.DOCUMENTATION)
    fragments = importlib.import_module("ansible_collections.mongodb_atlas.api_keys.plugins.doc_fragments.atlas")
    options = dict(doc.get("options") or {})
    for name in doc.get("extends_documentation_fragment", []):
        if name.startswith("mongodb_atlas.api_keys.atlas.") and name != "mongodb_atlas.api_keys.atlas.CONNECTION":
            fragment = getattr(fragments.ModuleDocFragment, name.rsplit(".", 1)[1])
            options.update(yaml.safe_load(fragment).get("options") or {})
    return options


@pytest.mark.parametrize("module,changes,substrings", list(rows()))
def test_bad_input_is_refused_before_any_request(sim, run_module, module, changes, substrings):
    sim.clear_log()
    result = run_module(module, task(sim, module, changes))
    check_refused(sim, result, substrings, extra_secrets=["s3cr3t-in-url"])
    assert sim.log() == []


@pytest.mark.parametrize("module,row_id,changes,setup,substrings",
                         [pytest.param(*row, id="%s-%s" % (row[0], row[1])) for row in ATLAS_JUDGED_ROWS])
def test_input_only_atlas_can_judge_costs_reads_never_a_write(sim, run_module, module, row_id, changes, setup, substrings):
    if setup == "duplicate":  # two keys with the description dup-00001
        for _copy in range(2):
            sim.control("POST", "seed", {"api_keys": 1, "description_prefix": "dup-"})
    before = sim.view()
    sim.clear_log()
    result = run_module(module, task(sim, module, changes))
    check_refused(sim, result, substrings)
    assert sim.log() and not sim.writes()
    assert sim.view() == before


@pytest.mark.parametrize("credentials", [
    pytest.param(dict(api_private_key="11111111-2222-3333-4444-555555555555"), id="wrong-private-key"),
    pytest.param(dict(api_public_key="zzzzzzzz"), id="unknown-public-key"),
    pytest.param(dict(api_public_key="simreadr"), id="private-key-of-another-key"),
])
@pytest.mark.parametrize("module", MODULES)
def test_wrong_credentials_are_refused_without_a_write(sim, run_module, module, credentials):
    before = sim.view()
    sim.clear_log()
    result = run_module(module, task(sim, module, credentials))
    check_refused(sim, result, ["HTTP 401", WRONG_CREDENTIALS], extra_secrets=[credentials.get("api_private_key")])
    assert [entry["status"] for entry in sim.log()] in ([401, 401], [401])  # challenge, refused answer; no retry
    assert not sim.writes() and sim.view() == before


def closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("module", MODULES)
def test_unreachable_api_base_url(sim, run_module, module):
    url = "http://127.0.0.1:%d" % closed_port()
    sim.clear_log()
    result = run_module(module, task(sim, module, dict(api_base_url=url, retries=0)))
    check_refused(sim, result, ["could not connect to %s: connection refused" % url,
                                "Check api_base_url (scheme, host and port) and that it can be reached"])
    assert "gave up" not in result["msg"]  # retries=0: one attempt
    assert sim.log() == []


def test_unknown_project_role_is_left_to_atlas(sim, run_module):
    """The one bad input that reaches Atlas: project roles are any GROUP_* name (the spec has no enum and Atlas
    keeps adding roles), so an unknown one is refused by Atlas. The refused write changes nothing, reports no
    change, and the message says which option and what to use instead."""
    before = sim.view()
    sim.clear_log()
    result = run_module("atlas_project_api_key", task(sim, "atlas_project_api_key", dict(roles=["GROUP_WIZARD"])))
    check_refused(sim, result, ["HTTP 400 INVALID_ENUM_VALUE: Invalid role GROUP_WIZARD", "a role in roles",
                                "https://www.mongodb.com/docs/atlas/reference/user-roles/"])
    assert [(entry["method"], entry["status"]) for entry in sim.writes()] == [("POST", 400)]
    assert sim.view() == before
