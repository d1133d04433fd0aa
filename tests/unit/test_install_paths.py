# -*- coding: utf-8 -*-
"""The install paths README.md and the user guide document besides Galaxy work as written: each
``requirements.yml`` they show (``type: git``, ``type: dir``, ``type: file``) installs the collection with
ansible-galaxy, with only the source swapped for a local copy of this collection."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]
DOCUMENTS = ("README.md", "docs/user_guide.md")
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "output", "__pycache__", ".pytest_cache", ".ansible", "*.tar.gz")


def documented_requirements(source_type):
    """(document, the requirements.yml entry) for every entry of that type shown in the documents."""
    found = []
    for document in DOCUMENTS:
        text = (ROOT / document).read_text(encoding="utf-8")
        for block in re.findall(r"```yaml\n(collections:\n.*?)```", text, re.S):
            found += [(document, entry) for entry in yaml.safe_load(block)["collections"] if entry.get("type") == source_type]
    assert found, "no requirements.yml entry with type: %s in %s" % (source_type, ", ".join(DOCUMENTS))
    return found


def galaxy(cwd, *args):
    """ansible-galaxy of the ansible-core under test, seeing no other installed copy of the collection."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(cwd / "collections"), ANSIBLE_NOCOLOR="1")
    result = subprocess.run([sys.executable, "-m", "ansible.cli.galaxy"] + list(args), cwd=str(cwd), env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def install(cwd, entry):
    (cwd / "requirements.yml").write_text(yaml.safe_dump({"collections": [entry]}), encoding="utf-8")
    galaxy(cwd, "collection", "install", "-r", "requirements.yml", "-p", "collections")
    installed = cwd / "collections" / "ansible_collections" / "mongodb_atlas" / "api_keys"
    assert (installed / "MANIFEST.json").is_file()
    assert (installed / "plugins" / "modules" / "atlas_org_api_key.py").is_file()
    assert not (installed / "Makefile").exists()  # built as a release is: galaxy.yml's build_ignore applies


def copy_of_collection(destination):
    shutil.copytree(str(ROOT), str(destination), ignore=NOT_SOURCE)
    return destination


@pytest.mark.skipif(shutil.which("git") is None, reason="installing from Git needs git")
def test_type_git_installs_the_branch_named_by_version(tmp_path):
    repository = copy_of_collection(tmp_path / "repository")
    for command in (["init", "-q"], ["add", "-A"],
                    ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "release"],
                    ["checkout", "-q", "--detach"]):  # so that any branch name can be (re)set below
        subprocess.run(["git"] + command, cwd=str(repository), check=True, capture_output=True)
    for number, (document, entry) in enumerate(documented_requirements("git")):
        assert entry["name"].startswith("https://") and entry["name"].endswith(".git"), document
        subprocess.run(["git", "branch", "-f", entry["version"]], cwd=str(repository), check=True, capture_output=True)
        work = tmp_path / ("git%d" % number)
        work.mkdir()
        install(work, dict(entry, name="file://%s" % repository))


def test_type_dir_installs_a_checkout_relative_to_the_working_directory(tmp_path):
    for number, (document, entry) in enumerate(documented_requirements("dir")):
        work = tmp_path / ("dir%d" % number)
        work.mkdir()
        if Path(entry["name"]).is_absolute():
            entry = dict(entry, name=str(copy_of_collection(work / "checkout")))
        else:
            copy_of_collection(work / entry["name"])
        install(work, entry)


def test_type_file_installs_a_built_tarball(tmp_path):
    source = copy_of_collection(tmp_path / "source")
    galaxy(tmp_path, "collection", "build", "--output-path", str(tmp_path), str(source))
    (tarball,) = tmp_path.glob("mongodb_atlas-api_keys-*.tar.gz")
    for number, (document, entry) in enumerate(documented_requirements("file")):
        assert entry["name"].endswith(".tar.gz"), document
        work = tmp_path / ("file%d" % number)
        work.mkdir()
        install(work, dict(entry, name=str(tarball)))
