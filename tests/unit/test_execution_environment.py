# -*- coding: utf-8 -*-
"""The metadata ansible-builder reads to put the collection's Python dependencies into an execution
environment: meta/execution-environment.yml names requirements.txt, which lists exactly the third-party
libraries that plugins/ imports, and the built collection ships both files."""
from __future__ import annotations

import ast
import fnmatch
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
META = ROOT / "meta" / "execution-environment.yml"


def python_requirements_file():
    dependencies = yaml.safe_load(META.read_text(encoding="utf-8"))["dependencies"]
    path = Path(dependencies["python"])
    assert not path.is_absolute(), "ansible-builder takes only paths relative to the collection root"
    return path


def required_names(path):
    names = set()
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            names.add(re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-"))
    return names


def third_party_imports():
    """Top-level names that plugins/ imports, without the standard library and Ansible itself."""
    names = set()
    for source in (ROOT / "plugins").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return {name.lower() for name in names
            if name not in sys.stdlib_module_names and name not in ("__future__", "ansible", "ansible_collections")}


def test_the_metadata_names_a_requirements_file_of_the_collection():
    assert (ROOT / python_requirements_file()).is_file()


def test_requirements_list_exactly_the_libraries_plugins_import():
    imported = third_party_imports()
    assert "requests" in imported
    assert required_names(python_requirements_file()) == imported


def test_the_built_collection_ships_the_metadata():
    build_ignore = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))["build_ignore"]
    for path in ("meta/execution-environment.yml", str(python_requirements_file())):
        assert not [pattern for pattern in build_ignore if fnmatch.fnmatch(path, pattern)], path
