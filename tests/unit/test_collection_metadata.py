# -*- coding: utf-8 -*-
"""What users read about the collection itself: who wrote each plugin (ansible-doc prints the author, and
marks one without a GitHub handle "(!UNKNOWN)"), where galaxy.yml sends them for documentation and issues,
and that the shipped files refer to no document the collection does not ship. And that every module has the
action plugin that runs it in the controller's process."""
from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).parents[2]
# The parts of the collection users get and read; tests/output is ansible-test's scratch space.
USER_FACING = ["README.md", "CHANGELOG.rst", "galaxy.yml", "docs", "examples", "plugins", "meta", "tests", "changelogs",
               "roles", "Makefile", "tools", "requirements", "bench", ".gitignore", ".ci"]
OUTSIDE_DOCUMENTS = re.compile(r"TOOLCHAIN\.md|DESIGN\.md|\.\./shared\b")


def galaxy():
    return yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))


def plugin_documentation():
    for source in sorted((ROOT / "plugins").glob("*/*.py")):
        for node in ast.parse(source.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["DOCUMENTATION"]:
                yield source.relative_to(ROOT), yaml.safe_load(node.value.value)


def test_every_plugin_names_its_authors_with_the_projects_github_handle():
    owner = urlsplit(galaxy()["repository"]).path.strip("/").split("/")[0]
    documented = list(plugin_documentation())
    assert len(documented) >= 7  # six modules and the lookup
    for path, doc in documented:
        assert doc["author"], path
        for author in doc["author"]:
            assert re.fullmatch(r"\S.* \(@%s\)" % re.escape(owner), author), (path, author)


def test_galaxy_yml_links_documentation_issues_and_homepage_of_the_repository():
    metadata = galaxy()
    repository = metadata["repository"].rstrip("/")
    for field in ("documentation", "issues", "homepage"):
        assert metadata[field] == repository or metadata[field].startswith(repository + "/"), field
    assert metadata["issues"] == repository + "/issues"
    assert (ROOT / urlsplit(metadata["documentation"]).path.split("/blob/main/", 1)[1]).is_file()


def test_shipped_files_refer_to_no_document_outside_the_collection():
    here = Path(__file__).resolve()
    found = []
    for part in USER_FACING:
        paths = [ROOT / part] if (ROOT / part).is_file() else sorted((ROOT / part).rglob("*"))
        for path in paths:
            if not path.is_file() or path.resolve() == here or (ROOT / "tests" / "output") in path.parents:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            found += ["%s: %s" % (path.relative_to(ROOT), match.group(0)) for match in OUTSIDE_DOCUMENTS.finditer(text)]
    assert not found


def test_every_module_has_the_action_plugin_that_runs_it_in_the_controllers_process():
    modules = sorted(path.name for path in (ROOT / "plugins/modules").glob("*.py"))
    actions = sorted(path.name for path in (ROOT / "plugins/action").glob("*.py"))
    assert actions == modules
    for name in actions:
        assert "import AtlasActionModule as ActionModule" in (ROOT / "plugins/action" / name).read_text(encoding="utf-8")
