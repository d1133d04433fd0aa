# -*- coding: utf-8 -*-
"""python -m ansible_collections.mongodb_atlas.api_keys.tests.simulator: start the Atlas simulator."""
from __future__ import annotations

import sys

from .atlas_simulator import main

sys.exit(main(prog="python -m ansible_collections.mongodb_atlas.api_keys.tests.simulator"))
