"""mypy --strict and pyright (strict) over programs written against the
PyPI `XenAPI` module with the generated stubs (generated/python-stubs)
installed: the realistic scripts in good/ must pass both clean (they also
run against the simulator, in tests/python/test_stubs_scripts.py); every
line of bad/ marked `# wrong:` must be reported by both, and no other.
mypy also reports calls to messages marked deprecated (its `deprecated`
error code), as pyright's strict mode does."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STUBS = os.path.join(ROOT, "generated", "python-stubs")
GOOD = os.path.join(HERE, "good")
BAD = os.path.join(HERE, "bad")


def run(*cmd, cwd=HERE):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    """The stubs, installed into this virtualenv as a user would (from a
    copy: building in place would leave build/ in generated/)."""
    assert sys.prefix != sys.base_prefix, "run these tests from a virtualenv: they install the stubs into it"
    copy = tmp_path_factory.mktemp("stubs") / "python-stubs"
    shutil.copytree(STUBS, copy)
    r = run(sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
            "--no-build-isolation", "--force-reinstall", str(copy))
    assert r.returncode == 0, r.stdout + r.stderr
    shown = run(sys.executable, "-m", "pip", "show", "-f", "types-XenAPI")
    assert "XenAPI-stubs/_api.pyi" in shown.stdout, shown.stdout


def where(path):
    """A file as the reports name it: its folder and name (`bad/x.py`)."""
    return "/".join(os.path.normpath(path).split(os.sep)[-2:])


def mypy(*paths, cwd=HERE):
    """Errors as {(folder/file, line): [message]}."""
    r = run(sys.executable, "-m", "mypy", "--strict", "--enable-error-code", "deprecated", "--no-incremental",
            "--python-version", "3.9", *paths, cwd=cwd)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    errors = {}
    for line in r.stdout.splitlines():
        m = re.match(r"(.+?):(\d+): error: (.*)", line)
        if m:
            errors.setdefault((where(m.group(1)), int(m.group(2))), []).append(m.group(3))
    assert errors or "Success" in r.stdout, r.stdout + r.stderr
    return errors


def pyright(*paths, cwd=HERE):
    """Errors and warnings as {(folder/file, line): [message]}, strict mode
    (pyrightconfig.json beside this file)."""
    r = run(sys.executable, "-m", "pyright", "--outputjson", "--pythonpath", sys.executable,
            "--project", os.path.join(HERE, "pyrightconfig.json"), *paths, cwd=cwd)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["summary"]["filesAnalyzed"] >= 1, r.stdout
    errors = {}
    for d in report["generalDiagnostics"]:
        if d["severity"] in ("error", "warning"):
            key = (where(d["file"]), d["range"]["start"]["line"] + 1)
            errors.setdefault(key, []).append(d["message"])
    return errors


def marked_lines():
    """(bad/file, line, what is wrong) of every `# wrong:` line in bad/."""
    out = []
    for name in sorted(os.listdir(BAD)):
        if name.endswith(".py"):
            with open(os.path.join(BAD, name)) as f:
                for number, text in enumerate(f, 1):
                    m = re.search(r"# wrong: (.*)", text)
                    if m:
                        out.append(("bad/" + name, number, m.group(1).strip()))
    return out


CASES = marked_lines()


@pytest.fixture(scope="session")
def reports(installed):
    """Each checker run once over good/ and bad/ together."""
    return {"mypy": mypy("good", "bad"), "pyright": pyright("good", "bad")}


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_good_scripts_pass(reports, checker):
    assert {k: v for k, v in reports[checker].items() if k[0].startswith("good/")} == {}


def test_there_are_enough_cases():
    assert len(CASES) >= 15


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
@pytest.mark.parametrize("case", CASES, ids=[c[2] for c in CASES])
def test_each_mistake_is_reported(reports, checker, case):
    name, line, _ = case
    assert (name, line) in reports[checker], "%s did not report %s:%d; it reported %s" % (
        checker, name, line, sorted(reports[checker]))


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_nothing_else_is_reported(reports, checker):
    marked = {(name, line) for name, line, _ in CASES}
    assert {k: v for k, v in reports[checker].items() if k not in marked} == {}


def test_the_stubs_themselves_pass_both_checkers(installed, tmp_path):
    """The stub files as a package of their own: valid for both checkers
    (overrides of the standard library's classes included)."""
    pkg = tmp_path / "XenAPI"
    shutil.copytree(os.path.join(STUBS, "XenAPI-stubs"), pkg)
    assert mypy("XenAPI", cwd=str(tmp_path)) == {}
    assert pyright("XenAPI", cwd=str(tmp_path)) == {}
