# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Documentation shared by the plugins of the collection, written once.

    Every section is one string literal: ansible-test's yamllint reads them without running the file.
    """

    # The API version, API key and access token options of every module (module_base.atlas_argument_spec); every
    # module also takes CONNECTION, the options it shares with the atlas_access_token lookup.
    DOCUMENTATION = r"""
options:
  api_version:
    description:
      - The Atlas Administration API to speak.
      - V(v2) sends the versioned media type of each operation, C(application/vnd.atlas.2023-01-01+json)
        for API keys and projects, C(application/vnd.atlas.2024-08-05+json) for service accounts.
      - V(v1.0) is the deprecated API with C(application/json); it behaves the same for API keys, and
        has no service accounts (their modules refuse it).
    type: str
    choices: [v2, v1.0]
    default: v2
  api_public_key:
    description:
      - Public key of the programmatic API key that authenticates the requests (HTTP digest user).
      - If not set, the environment variable E(MONGODB_ATLAS_PUBLIC_API_KEY) is used, and then
        E(MONGODB_ATLAS_PUBLIC_KEY).
      - Required together with O(api_private_key).
      - Use exactly one way of authenticating per task, an API key, a service account
        (O(client_id) and O(client_secret)) or an access token (O(api_access_token)); see the notes.
    type: str
  api_private_key:
    description:
      - Private key of the programmatic API key that authenticates the requests (HTTP digest password).
      - If not set, the environment variable E(MONGODB_ATLAS_PRIVATE_API_KEY) is used, and then
        E(MONGODB_ATLAS_PRIVATE_KEY).
      - It is never logged, returned or shown in a diff.
    type: str
  api_access_token:
    description:
      - An OAuth 2.0 access token of an Atlas service account, obtained beforehand (for example
        with the P(mongodb_atlas.api_keys.atlas_access_token#lookup) lookup), sent unchanged as a
        bearer token in the C(Authorization) header of every request.
      - If not set, the environment variable E(MONGODB_ATLAS_ACCESS_TOKEN) is used.
      - Tokens expire (C(expires_in), one hour on Atlas). A task that runs with an expired token
        fails with a message that says to fetch a new one.
      - It is never logged, returned or shown in a diff.
    type: str
requirements:
  - python >= 3.9
  - requests
notes:
  - "The module talks to Atlas from the host it runs on; use it with C(hosts: localhost) or
    C(delegate_to: localhost)."
  - "Authentication: set exactly one of an API key (O(api_public_key) and O(api_private_key)), a
    service account (O(client_id) and O(client_secret)) or an access token (O(api_access_token)).
    Options set in the task or in C(module_defaults) win over environment variables: they choose
    the way, and its other option may come from its own environment variable. Options of two ways
    at once, or a pair with one half missing from both the task and the environment, fail before
    any request is sent."
  - "When a task sets no credential option, the environment is read in this order, and the first
    way found is used: E(MONGODB_ATLAS_ACCESS_TOKEN); then E(MONGODB_ATLAS_CLIENT_ID) and
    E(MONGODB_ATLAS_CLIENT_SECRET); then the API key pair."
  - With O(client_id) and O(client_secret), the module obtains one access token with
    C(POST {api_base_url}/api/oauth/token) on its first request and sends it as a bearer token in
    the C(Authorization) header of every request of the task. The token endpoint is rate limited
    (50 requests per minute), so a play that runs many tasks should fetch one token with the
    P(mongodb_atlas.api_keys.atlas_access_token#lookup) lookup and pass it as O(api_access_token) instead.
  - A request that creates something is never sent again blindly after an error (see O(retries));
    Atlas is read first to find out whether the first attempt took effect.
  - Set the connection options once for every module of the collection with
    C(module_defaults) and the action group C(group/mongodb_atlas.api_keys.atlas).
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details: When the task runs on the controller with the local connection, the module runs in the controller's process;
      with another connection, C(become), C(async) or the C(environment) keyword it runs as a module.
"""

    # The options the modules and the atlas_access_token lookup share; with PLUGIN_ENV for the lookup.
    CONNECTION = r"""
options:
  api_base_url:
    description:
      - Base URL of the Atlas Administration API, without the C(/api/...) path.
      - If not set, the environment variable E(MONGODB_ATLAS_BASE_URL) is used, and then
        V(https://cloud.mongodb.com).
      - Point it at another URL only for a proxy, MongoDB Atlas for Government
        (V(https://cloud.mongodbgov.com)) or a test server.
    type: str
  client_id:
    description:
      - Client ID of the Atlas service account that authenticates the requests (OAuth 2.0 client
        credentials), such as C(mdb_sa_id_65a1b2c3d4e5f6a7b8c9d0aa).
      - If not set, the environment variable E(MONGODB_ATLAS_CLIENT_ID) is used.
      - Required together with O(client_secret).
    type: str
  client_secret:
    description:
      - Client secret of the Atlas service account in O(client_id).
      - If not set, the environment variable E(MONGODB_ATLAS_CLIENT_SECRET) is used.
      - It is never logged, returned or shown in a message or a diff.
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(api_base_url).
      - Turn it off only for a test server with a self-signed certificate.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for Atlas to answer one request.
    type: int
    default: 30
  retries:
    description:
      - How many times at most one request is retried after a rate limit (HTTP 429), a
        temporary error (HTTP 502, 503, 504) or a connection error.
      - Retries wait with capped exponential backoff and jitter, and at least as long as the
        C(Retry-After) header asks.
    type: int
    default: 4
"""

    # The environment variables a lookup reads the shared options from (a module reads them in its own code).
    PLUGIN_ENV = r"""
options:
  api_base_url:
    env:
      - name: MONGODB_ATLAS_BASE_URL
  client_id:
    env:
      - name: MONGODB_ATLAS_CLIENT_ID
  client_secret:
    env:
      - name: MONGODB_ATLAS_CLIENT_SECRET
"""

    # How atlas_api_key_accesslist and its _info sibling name the existing key they work on.
    KEY_SELECTOR = r"""
options:
  org_id:
    description:
      - Id of the Atlas organization that owns the key (24 hexadecimal characters).
      - When not set, the environment variable E(MONGODB_ATLAS_ORG_ID) is used (the name the Atlas CLI uses).
    type: str
    required: true

  api_key_id:
    description:
      - Id of the key (24 hexadecimal characters), as returned in RV(api_key_id).
      - Not the 8-character public key; use O(public_key) for that.
      - Exactly one of O(api_key_id), O(public_key) and O(description) names the key.
    type: str
  public_key:
    description:
      - Public key of the key (8 characters), the user name of the key.
      - Exactly one of O(api_key_id), O(public_key) and O(description) names the key.
    type: str
  description:
    description:
      - Description of the key. It must match exactly one key of the organization; when several
        keys share it, the task fails and names their ids.
      - Exactly one of O(api_key_id), O(public_key) and O(description) names the key.
    type: str
"""

    # How the service-account modules that work on one existing account name it.
    ACCOUNT_SELECTOR = r"""
options:
  org_id:
    description:
      - Id of the Atlas organization that owns the account (24 hexadecimal characters).
      - When not set, the environment variable E(MONGODB_ATLAS_ORG_ID) is used (the name the Atlas CLI uses).
    type: str
    required: true

  account_client_id:
    description:
      - Client id of the account (C(mdb_sa_id_) and 24 hexadecimal characters).
      - Not O(client_id), which names the service account that authenticates the task.
      - Exactly one of O(account_client_id) and O(name) names the account.
    type: str
  name:
    description:
      - Name of the account. It must match exactly one account of the organization; when several
        share it, the task fails and names their client ids.
      - Exactly one of O(account_client_id) and O(name) names the account.
    type: str
"""

    # The options and notes of the access-list modules (module_utils.access_list.access_list_options).
    ACCESS_LIST = r"""
options:
  entries:
    description:
      - IPv4 or IPv6 addresses (V(203.0.113.10), V(2001:db8::1)) or CIDR blocks
        (V(203.0.113.0/24), V(2001:db8::/48)).
      - A CIDR block must be a network address; V(10.0.0.1/24) is refused, V(10.0.0.0/24) is right.
      - With O(state=present), the entries the list must hold; with O(state=absent), the entries
        it must not hold.
      - May be empty; O(state=present) with O(purge=true) and no entries empties the list.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) adds the entries that are missing.
      - V(absent) removes the listed entries that are on the list. Entries that are not there are
        not an error, nor is a credential that does not exist (the result then says so).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also remove every entry that is not in O(entries), so the access
        list becomes exactly O(entries).
      - Only valid with O(state=present).
    type: bool
    default: false
notes:
  - A credential whose access list is empty can be used from any address, unless the organization
    requires an API access list. The module warns when the list is empty after the task.
"""

    # The options that declare a whole credential in one task: atlas_org_api_key and atlas_service_account
    # (module_utils.credential.credential_options).
    CREDENTIAL = r"""
options:
  access_list:
    version_added: 0.2.0
    description:
      - The addresses and CIDR blocks the credential may call Atlas from, IPv4 or IPv6 addresses
        (V(203.0.113.10), V(2001:db8::1)) or CIDR blocks (V(203.0.113.0/24), V(2001:db8::/48)). A CIDR
        block must be a network address; V(10.0.0.1/24) is refused, V(10.0.0.0/24) is right.
      - When given, the access list becomes exactly this list, as with the access-list modules and
        C(purge=true). Entries are compared as networks (V(198.51.100.7) and V(198.51.100.7/32) are one
        entry); the missing ones are added before the others are removed, so an address replaced by a
        wider block is never locked out in between.
      - An empty list empties the access list; the task then warns that the credential can be used from
        any address, unless the organization requires an API access list.
      - When left out, the access list is neither read nor changed.
      - Every entry is checked before the first request; invalid ones fail the task, each named.
    type: list
    elements: str
  project_roles:
    version_added: 0.2.0
    description:
      - The credential's roles in projects, one item per project.
      - In each listed project the credential has exactly O(project_roles[].roles), compared as a set;
        it is assigned to the project when it is not there yet, and its roles there are replaced when
        they differ.
      - Projects not listed are left alone, unless O(purge_projects=true).
      - A project the credential is not in yet is read first; one of another organization than O(org_id)
        fails the task before any write.
      - When left out, the credential's projects are not changed.
    type: list
    elements: dict
    suboptions:
      project_id:
        description:
          - Id of the project (24 hexadecimal characters). Each project may be listed once.
        type: str
        required: true
      roles:
        description:
          - The project roles the credential has in that project, at least one, such as
            V(GROUP_READ_ONLY), V(GROUP_DATA_ACCESS_READ_WRITE) or V(GROUP_OWNER).
          - Organization roles (C(ORG_*)) belong in O(roles).
        type: list
        elements: str
        required: true
  purge_projects:
    version_added: 0.2.0
    description:
      - With V(true), the credential is also removed from every project that O(project_roles) does not
        list. It never deletes the credential.
      - O(project_roles=[]) with O(purge_projects=true) removes the credential from every project.
      - Only valid with O(project_roles).
    type: bool
    default: false
notes:
  - "A whole credential in one task: the credential first, then its access list (O(access_list)), then its
    projects (O(project_roles)), each only when its option is given. A new credential is complete after the
    one task, and its secret (a key's private key, an account's first secret) is returned once, by that task."
  - One diff shows the credential's fields, its access list and its roles in each project, before and after;
    check mode sends no write and reports the whole credential it would create or change.
  - "A failure half way, after the credential was written (Atlas refuses an access-list entry or a project
    assignment, say), fails the task with a message that says what was done and what was not. The failed result
    holds the credential as written, with the secret of a credential the task created: register the result
    and keep C(no_log: true). Running the task again finds the same credential (a new one by its description or
    name) and finishes the job; it never creates a second credential."
  - With O(state=absent), O(access_list), O(project_roles) and O(purge_projects) are ignored (and not checked);
    deleting the credential removes its access list and its roles in every project with it.
"""

    # Attributes of a module that changes Atlas.
    ATTRIBUTES = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: Reads Atlas and reports what would change; sends no request that changes Atlas.
  diff_mode:
    support: full
    details: The diff holds only the managed fields, never a private key.
  platform:
    platforms: all
  action_group:
    description: Use C(group/mongodb_atlas.api_keys.atlas) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - mongodb_atlas.api_keys.atlas
"""

    # Attributes of a read-only (_info) module.
    INFO_ATTRIBUTES = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This module never changes Atlas, so it runs the same way in check mode.
  diff_mode:
    support: N/A
    details: This module never changes Atlas.
  platform:
    platforms: all
  action_group:
    description: Use C(group/mongodb_atlas.api_keys.atlas) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - mongodb_atlas.api_keys.atlas
"""
