# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: atlas_access_token
short_description: Obtain an access token for a MongoDB Atlas service account
version_added: 0.1.0
description:
  - Obtains one OAuth 2.0 access token for an Atlas service account with the client credentials
    grant (C(POST {api_base_url}/api/oauth/token), HTTP Basic authentication with O(client_id) and
    O(client_secret)) and returns it, a list of one string.
  - Fetch it once per play with M(ansible.builtin.set_fact) and hand it to every module of the
    collection as O(mongodb_atlas.api_keys.atlas_org_api_key#module:api_access_token) through
    C(module_defaults). Atlas rate limits its token endpoint (50 requests per minute), so a play
    that loops over many keys must not let every task ask for its own token.
  - The token lasts C(expires_in) seconds from the moment it was issued; Atlas (and the
    collection's simulator) issue tokens for 3600 seconds (one hour). A task that runs after the
    token expired fails with a message saying that Atlas rejected the token, and to fetch a new one.
    For a play that may run longer, fetch a fresh token with another M(ansible.builtin.set_fact)
    before each long part.
  - "The token is a secret that gives the service account's access to whoever holds it. Keep it out
    of output, put C(no_log: true) on the task that fetches it, and never write it to a file or
    a log."
  - Requests to the token endpoint are retried after a rate limit (HTTP 429, waiting at least as
    long as C(Retry-After) asks), a temporary error (HTTP 502, 503, 504) or a connection error,
    up to O(retries) times.
  - This plugin runs on the controller and takes no terms.
author:
  - mongodb_atlas.api_keys developers (@mongodb-atlas-ansible)
extends_documentation_fragment:
  - mongodb_atlas.api_keys.atlas.CONNECTION
  - mongodb_atlas.api_keys.atlas.PLUGIN_ENV
requirements:
  - requests (on the controller)
notes:
  - "Do not put the lookup itself into C(vars) or C(module_defaults): those are templated again for
    every task and every loop item, and each time a new token would be requested. Store it once
    with M(ansible.builtin.set_fact) and refer to that fact."
  - Modules of the collection can also authenticate with
    O(mongodb_atlas.api_keys.atlas_org_api_key#module:client_id) and
    O(mongodb_atlas.api_keys.atlas_org_api_key#module:client_secret) themselves; each task then
    requests its own token. That is fine for a few tasks, not for a loop.
  - Keep O(client_secret) in Ansible Vault or a secrets manager.
seealso:
  - module: mongodb_atlas.api_keys.atlas_org_api_key
  - module: mongodb_atlas.api_keys.atlas_api_key_accesslist
  - module: mongodb_atlas.api_keys.atlas_project_api_key
  - name: Atlas service accounts
    description: How Atlas service accounts and their access tokens work.
    link: https://www.mongodb.com/docs/atlas/api/service-accounts-overview/
"""

EXAMPLES = r"""
# In a play on localhost: one token for every Atlas task that follows.
- name: Obtain one access token (client ID and secret from MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET)
  ansible.builtin.set_fact:
    atlas_token: "{{ lookup('mongodb_atlas.api_keys.atlas_access_token') }}"
  no_log: true

- name: Every Atlas task of the block uses that token
  module_defaults:
    group/mongodb_atlas.api_keys.atlas:
      api_access_token: "{{ atlas_token }}"
  block:
    - name: Create one key per team (one token for all of them)
      mongodb_atlas.api_keys.atlas_org_api_key:
        org_id: 5f4e3d2c1b0a998877665544
        description: "ci-{{ item }}"
        roles: [ORG_READ_ONLY]
      loop: [alpha, beta, gamma]
      no_log: true  # the task that creates a key returns its private key

- name: Client ID and secret given explicitly, from Ansible Vault
  ansible.builtin.set_fact:
    atlas_token: >-
      {{ lookup('mongodb_atlas.api_keys.atlas_access_token',
                client_id=vault_atlas_client_id, client_secret=vault_atlas_client_secret) }}
  no_log: true
"""

RETURN = r"""
_raw:
  description:
    - A list of one element, the access token (a secret). Send it as
      O(mongodb_atlas.api_keys.atlas_org_api_key#module:api_access_token).
    - It expires C(expires_in) seconds (3600 on Atlas) after it was issued.
  type: list
  elements: str
  sample:
    - eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.example-only.do-not-use
"""

from ansible.errors import AnsibleLookupError
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.auth import request_access_token
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import (
    HAS_REQUESTS,
    AtlasClient,
    AtlasError,
)
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import check_connection, describe_error

display = Display()


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError("The atlas_access_token lookup takes no terms: give client_id and client_secret "
                                     "as keyword arguments or in MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET.")
        self.set_options(var_options=variables, direct=kwargs)
        if not HAS_REQUESTS:
            raise AnsibleLookupError("The atlas_access_token lookup needs the Python library requests on the controller.")
        client_id = (self.get_option("client_id") or "").strip()
        client_secret = (self.get_option("client_secret") or "").strip()
        missing = [name for name, value in (("client_id", client_id), ("client_secret", client_secret)) if not value]
        if missing:
            raise AnsibleLookupError("The atlas_access_token lookup needs the service account's client_id "
                                     "(environment variable MONGODB_ATLAS_CLIENT_ID) and client_secret (environment "
                                     "variable MONGODB_ATLAS_CLIENT_SECRET); not set: %s." % " and ".join(missing))
        timeout, retries = self.get_option("timeout"), self.get_option("retries")
        try:
            base_url = check_connection(self.get_option("api_base_url"), timeout, retries,
                                        credentials="client_id and client_secret", path_hint="")
        except ValueError as err:
            raise AnsibleLookupError(to_native(err)) from None
        client = AtlasClient(base_url, None, timeout=timeout, validate_certs=self.get_option("validate_certs"),
                             retries=retries, user_agent_extra="ansible-core/%s" % ANSIBLE_CORE_VERSION)
        try:
            token = request_access_token(client, client_id, client_secret)
        except AtlasError as err:
            raise AnsibleLookupError("Failed to obtain an Atlas access token: %s" % to_native(describe_error(err))) from None
        finally:
            client.close()
        display.vvv("atlas_access_token: obtained an access token for %s that expires in %s seconds"
                    % (client_id, token.expires_in if token.expires_in is not None else "an unknown number of"))
        return [token.access_token]
