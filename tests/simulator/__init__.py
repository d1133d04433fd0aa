# -*- coding: utf-8 -*-
"""The Atlas simulator: a stand-in for the MongoDB Atlas Administration API to test playbooks against.

Start it with ``python -m ansible_collections.mongodb_atlas.api_keys.tests.simulator --help``.
"""
