# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Access lists of credentials (API keys and service accounts): one canonical spelling per network, the
Atlas wire forms, and the one engine that converges a credential's list (converge_access_list)."""

from __future__ import annotations

import ipaddress
from urllib.parse import quote

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import find_org_key, key_label, org_keys_path
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.client import PAGE_SIZE, AtlasApiError
from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.module_base import set_changes

EXAMPLES = "203.0.113.10, 203.0.113.0/24, 2001:db8::1 or 2001:db8::/48"


def normalize_entry(text):
    """The canonical form of an address or CIDR block.

    A single address and its /32 (or /128) block are one entry, spelled as the bare address;
    other blocks are spelled network/prefix in compressed form. Raises ValueError with a
    message that shows the valid form.
    """
    value = str(text).strip()
    if "%" in value:
        raise ValueError("'%s' holds an IPv6 zone; Atlas takes plain addresses or CIDR blocks such as %s."
                         % (text, EXAMPLES))
    try:
        if "/" not in value:
            return str(ipaddress.ip_address(value))
        network = ipaddress.ip_network(value)
    except ValueError:
        try:
            loose = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValueError("'%s' is not an IPv4 or IPv6 address or CIDR block; use forms such as %s."
                             % (text, EXAMPLES)) from None
        raise ValueError("'%s' has host bits set; the CIDR block that holds it is %s."
                         % (text, _spell(loose))) from None
    return _spell(network)


def _spell(network):
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


def entry_of(raw):
    """The canonical form of an entry as Atlas returns it (cidrBlock, or ipAddress alone)."""
    return normalize_entry(raw.get("cidrBlock") or raw.get("ipAddress"))


def _wire(entry):
    # The spec's patterns accept IPv6 only in full eight-group hexadecimal form, so IPv6 goes out so.
    # Not .exploded: from Python 3.13 on it writes an IPv4-mapped address (::ffff:192.0.2.1) with a
    # dotted IPv4 tail, which the patterns refuse.
    if ":" not in entry:
        return entry
    network = ipaddress.ip_network(entry)
    packed = network.network_address.packed
    groups = ":".join("%02x%02x" % (packed[index], packed[index + 1]) for index in range(0, 16, 2))
    return "%s/%d" % (groups, network.prefixlen) if "/" in entry else groups


def request_item(entry):
    """The item of the POST body for one entry: ipAddress for an address, cidrBlock for a block."""
    return {"cidrBlock": _wire(entry)} if "/" in entry else {"ipAddress": _wire(entry)}


def path_segment(entry):
    """The {ipAddress} path segment: the '/' of a block must travel as %2F (colons stay as they are)."""
    return quote(_wire(entry), safe=":")


def as_cidr(entry):
    """An entry as a CIDR block, the form results and diffs list."""
    return entry if "/" in entry else str(ipaddress.ip_network(entry))


def entry_result(raw):
    """An entry as modules return it, snake_case."""
    entry = entry_of(raw)
    # Key entries say created/lastUsed/count, service-account entries createdAt/lastUsedAt/requestCount.
    result = dict(cidr_block=as_cidr(entry), created=raw.get("created", raw.get("createdAt")),
                  last_used=raw.get("lastUsed", raw.get("lastUsedAt")),
                  last_used_address=raw.get("lastUsedAddress"), count=raw.get("count", raw.get("requestCount")))
    if "/" not in entry:
        result["ip_address"] = entry
    return result


def network_order(cidr):
    """Sort key that lists blocks in address order (IPv4 first), wider blocks before the ones inside them."""
    network = ipaddress.ip_network(cidr)
    return network.version, network.network_address, network.prefixlen


def sorted_cidrs(entries):
    """Canonical entries as CIDR blocks in address order: the form of added, removed and diffs."""
    return sorted((as_cidr(entry) for entry in entries), key=network_order)


def entries_result(raws):
    """A key's whole access list as modules return it (atlas_api_key_accesslist and its _info), in address order."""
    return sorted((entry_result(raw) for raw in raws), key=lambda entry: network_order(entry["cidr_block"]))


def access_list_path(org_id, api_key_id):
    return "%s/accessList" % org_keys_path(org_id, api_key_id)


class AccessListKind:
    """What the access-list engine needs to know of a kind of credential."""

    def __init__(self, path, label, find, id_option, id_field, media_type=None, post_limit=None, noun="key"):
        self.path = path              # (org_id, credential id) -> the access list's path
        self.label = label            # credential id or selector -> how messages name the credential
        self.find = find              # (atlas, org_id, **selector) -> the raw credential, or None
        self.id_option = id_option    # the selector's field that holds the credential id
        self.id_field = id_field      # the raw credential's id field
        self.media_type = media_type  # None: the client's default (API keys)
        self.post_limit = post_limit  # most entries one POST may carry; None: no limit
        self.noun = noun              # "key" or "service account", for the empty-list warning


API_KEY_ACCESS_LIST = AccessListKind(access_list_path, key_label, find_org_key, "api_key_id", "id")

# Atlas answers the POST with the whole access list, paginated: ask for the page size list_all reads.
POST_PARAMS = dict(itemsPerPage=PAGE_SIZE)
EMPTY_LIST_WARNING = (
    "The access list of %s is empty: the %s can be used from any address unless the organization "
    "requires an API access list. Add entries to restrict where it can be used from.")


def wanted_entries(atlas, entries, option="entries"):
    """The canonical entries asked for; every malformed one is reported at once, before any request."""
    wanted, problems = set(), []
    for text in entries:
        try:
            wanted.add(normalize_entry(text))
        except ValueError as err:
            problems.append(str(err))
    if problems:
        plural = "" if len(problems) == 1 else "s"
        atlas.fail("%s holds %d invalid item%s: %s" % (option, len(problems), plural, " ".join(problems)))
    return wanted


def by_entry(raws):
    """Raw Atlas entries by canonical entry."""
    return {entry_of(raw): raw for raw in raws}


class _AccessList:
    """One credential's access list as the engine converges it."""

    def __init__(self, atlas, kind, org_id, credential_id):
        self.atlas, self.kind = atlas, kind
        self.path = kind.path(org_id, credential_id)
        self.label = kind.label(credential_id)

    def read(self, first_page=None):
        """The whole list (from page 2 when page 1 is in hand), by canonical entry."""
        return by_entry(self.atlas.list_all(self.path, "list the access list of %s" % self.label,
                                            first_page=first_page, media_type=self.kind.media_type))

    def post(self, entries, conflict_ok):
        def reread():
            # The POST may have been applied before its answer was lost: it was when every entry is listed.
            items = self.read()
            return dict(results=list(items.values()), totalCount=len(items)) if set(entries) <= set(items) else None

        what = ", ".join(sorted_cidrs(entries)) if len(entries) <= 10 else "%d entries" % len(entries)
        return self.atlas.write("POST", self.path, "add %s to the access list of %s" % (what, self.label),
                                body=[request_item(entry) for entry in entries], reread=reread, params=POST_PARAMS,
                                media_type=self.kind.media_type, conflict_ok=conflict_ok)

    def post_all(self, entries):
        """POST the entries in as few requests as the kind's limit allows; the last answer (None in check mode)."""
        limit = self.kind.post_limit or len(entries)
        answer = None
        for start in range(0, len(entries), limit):
            answer = self.post_chunk(entries[start:start + limit])
        return answer

    def post_chunk(self, entries):
        try:
            return self.post(entries, conflict_ok=True)
        except AtlasApiError:
            # 409: another run added some of these entries since the list was read. Read it again and add
            # what is still missing; fail only when that fails too.
            again = self.read()
            missing = sorted(set(entries) - set(again), key=network_order)
            if not missing:
                self.atlas.changed = True  # the list now holds the entries this task was to add
                return dict(results=list(again.values()), totalCount=len(again))
            return self.post(missing, conflict_ok=False)

    def add(self, listing, add, removals_follow):
        """Add the missing entries; the list after it (as it would be, in check mode).

        Atlas answers with page 1 of the whole list; when that is only part of it, the rest is read from
        page 2 on, unless removals follow and would make that page stale: then None, and the caller reads
        the list once at the end.
        """
        answer = self.post_all(add)
        if answer is None:  # check mode: the entries as they would be, without Atlas's timestamps
            listing.update((entry, dict(cidrBlock=as_cidr(entry))) for entry in add)
            return listing
        items = answer.get("results") or []
        if answer.get("totalCount") == len(items):
            return by_entry(items)
        if removals_follow:
            return None
        return self.read(first_page=answer)

    def remove(self, entry):
        self.atlas.write("DELETE", "%s/%s" % (self.path, path_segment(entry)),
                         "remove %s from the access list of %s" % (as_cidr(entry), self.label),
                         media_type=self.kind.media_type)


def converge_access_list(atlas, kind, org_id, credential_id, wanted, purge=False, state="present", current=None):
    """Bring a credential's access list to the wanted entries (canonical, see wanted_entries).

    state=present adds the missing entries (and with purge removes the others); state=absent removes
    the wanted entries that are there. current is the raw list when the caller has read it already.
    Adds go before removals, so an address replaced by a wider block is never locked out in between.
    Returns dict(before=raw entries by entry, after=raw entries by entry, added=[...], removed=[...]),
    added and removed as canonical entries in request order; warns when the list ends up empty.
    """
    access_list = _AccessList(atlas, kind, org_id, credential_id)
    before = by_entry(current) if current is not None else access_list.read()
    if state == "present":
        add, extra = set_changes(before, wanted)
        remove = extra if purge else []
    else:
        add, remove = [], wanted & set(before)
    add, remove = sorted(add, key=network_order), sorted(remove, key=network_order)
    after = access_list.add(dict(before), add, bool(remove)) if add else dict(before)
    for entry in remove:
        access_list.remove(entry)
        if after is not None:
            after.pop(entry, None)  # a DELETE answers 204 without a body: the list after it is known
    if after is None:
        # The POST's answer was one page of a long list: read it once, after the removals made it shortest.
        after = access_list.read()
    if not after:
        atlas.warn(EMPTY_LIST_WARNING % (access_list.label, kind.noun))
    return dict(before=before, after=after, added=add, removed=remove)


def access_list_result(atlas, outcome):
    """Record the diff and shape the result fields the access-list modules share."""
    atlas.set_diff(dict(entries=sorted_cidrs(outcome["before"])), dict(entries=sorted_cidrs(outcome["after"])))
    return dict(added=sorted_cidrs(outcome["added"]), removed=sorted_cidrs(outcome["removed"]),
                entries=entries_result(outcome["after"].values()))


def read_access_list(atlas, kind, org_id, selector, when_missing="", missing_ok=False):
    """Find the credential named by selector and read its whole access list: (credential id, raw entries).

    Named by id, the list is read at once, since Atlas answers 404 there for a missing credential; otherwise
    the credential is found first. A missing credential gives (None, None) when missing_ok, else fails with
    a message that ends with when_missing.
    """
    credential_id = selector.get(kind.id_option)
    if not credential_id:
        credential = kind.find(atlas, org_id, **selector)
        credential_id = credential[kind.id_field] if credential else None
    raws = None
    if credential_id:
        raws = atlas.list_all(kind.path(org_id, credential_id), "list the access list of %s" % kind.label(credential_id),
                              missing_ok=True, media_type=kind.media_type)
    if raws is None:
        if missing_ok:
            return None, None
        atlas.fail("%s does not exist in organization %s.%s" % (kind.label(**selector), org_id, when_missing))
    return credential_id, raws


def access_list_options():
    """The options of the access-list modules besides the credential (doc fragment mongodb_atlas.api_keys.atlas.ACCESS_LIST)."""
    return dict(entries=dict(type="list", elements="str", required=True),
                state=dict(type="str", default="present", choices=["present", "absent"]),
                purge=dict(type="bool", default=False))


def manage_access_list(atlas, kind, selector, when_missing):
    """The task of the access-list modules, after their own input checks: options org_id, entries, state, purge.

    Returns (credential id, result fields added, removed and entries). A credential that does not exist fails
    with state=present (the message ends with when_missing); with state=absent it holds none of the entries,
    so a teardown that runs again is ok: (None, empty fields and a msg that says so).
    """
    params = atlas.params
    org_id, state = params["org_id"], params["state"]
    if params["purge"] and state == "absent":
        atlas.fail("purge applies only with state=present. To empty the access list, use state=present, "
                   "purge=true and entries=[].")
    wanted = wanted_entries(atlas, params["entries"])
    credential_id, raws = read_access_list(atlas, kind, org_id, selector, when_missing=when_missing,
                                           missing_ok=state == "absent")
    if credential_id is None:
        return None, dict(added=[], removed=[], entries=[],
                          msg="%s does not exist in organization %s: it has no entries to remove."
                              % (kind.label(**selector), org_id))
    outcome = converge_access_list(atlas, kind, org_id, credential_id, wanted, purge=params["purge"], state=state,
                                   current=raws)
    return credential_id, access_list_result(atlas, outcome)
