# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared pytest setup for the unit tests.

Plain pytest (outside ansible-test) can import
``ansible_collections.mongodb_atlas.api_keys...`` only when the directory above
``ansible_collections/`` is on ``sys.path``; add it when the checkout sits at
``.../ansible_collections/mongodb_atlas/api_keys``. ansible-test sets it up itself.
"""

from __future__ import annotations

import os
import sys

_COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_COLLECTIONS_DIR = os.path.dirname(os.path.dirname(_COLLECTION_ROOT))
if (os.path.basename(_COLLECTIONS_DIR) == "ansible_collections"
        and os.path.dirname(_COLLECTIONS_DIR) not in sys.path):
    sys.path.insert(0, os.path.dirname(_COLLECTIONS_DIR))
