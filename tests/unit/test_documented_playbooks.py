# -*- coding: utf-8 -*-
"""The user guide shows examples/ci_key_lifecycle.yml in full: the copy must be the playbook that ships (and
that the examples integration target runs, in check mode first), not an older version of it."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_user_guide_shows_the_shipped_lifecycle_playbook():
    guide = (ROOT / "docs" / "user_guide.md").read_text(encoding="utf-8")
    shown = re.search(r"```yaml\n---\n(- name: Manage the CI API key of an Atlas organization\n.*?)```", guide, re.S)
    assert shown, "docs/user_guide.md no longer shows the lifecycle playbook"
    playbook = (ROOT / "examples" / "ci_key_lifecycle.yml").read_text(encoding="utf-8")
    assert playbook[playbook.index("- name: "):] == shown.group(1)
