# -*- coding: utf-8 -*-
# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

"""API key access-list entries: one canonical spelling per network, and the Atlas wire forms."""

from __future__ import annotations

import ipaddress
from urllib.parse import quote

from ansible_collections.mongodb_atlas.api_keys.plugins.module_utils.api_keys import find_org_key, key_label, org_keys_path

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
    result = dict(cidr_block=as_cidr(entry), created=raw.get("created"), last_used=raw.get("lastUsed"),
                  last_used_address=raw.get("lastUsedAddress"), count=raw.get("count"))
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


def read_key_access_list(atlas, org_id, selector, when_missing="", missing_ok=False):
    """Find the key named by selector (api_key_id, public_key, description) and read its whole access list.

    Returns (api_key_id, raw entries). Named by id, the list is read at once, since Atlas answers
    API_KEY_NOT_FOUND there for a missing key; otherwise the key is found first. A missing key gives
    (None, None) when missing_ok, else fails with a message that ends with when_missing.
    """
    api_key_id = selector.get("api_key_id")
    if not api_key_id:
        key = find_org_key(atlas, org_id, **selector)
        api_key_id = key["id"] if key else None
    raws = None
    if api_key_id:
        raws = atlas.list_all(access_list_path(org_id, api_key_id), "list the access list of %s" % key_label(api_key_id),
                              missing_ok=True)
    if raws is None:
        if missing_ok:
            return None, None
        atlas.fail("%s does not exist in organization %s.%s" % (key_label(**selector), org_id, when_missing))
    return api_key_id, raws
