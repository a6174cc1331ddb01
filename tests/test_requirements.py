"""requirements.txt and requirements-instructors.txt declare what the tests and coursetools import."""
import ast
import re
import sys

from conftest import ROOT

try:
    import tomllib
except ImportError:                      # Python 3.10: requirements.txt installs tomli
    import tomli as tomllib


#: import name -> distribution name, where they differ
_DISTRIBUTIONS = {"PIL": "pillow", "yaml": "pyyaml", "sklearn": "scikit-learn"}


def _third_party_imports(paths):
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    local = ({p.stem for p in (ROOT / "tests").glob("*.py")}
             | {"nnlib", "conftest", "coursetools", "bench"})
    return {n for n in names if n not in sys.stdlib_module_names and n not in local}


def _pyproject_requirements(extras):
    """The distributions that `-e .[extras]` installs: nnlib's dependencies and those extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in (extras or "").split(","):
        if extra.strip():
            requirements += project["optional-dependencies"][extra.strip()]
    return {re.match(r"\s*([A-Za-z0-9_.\-]+)", r).group(1).lower().replace("_", "-")
            for r in requirements}


def test_requirements_declare_what_the_tests_and_coursetools_import():
    """Issue 11, defect 11: the tests imported nbclient, which only arrived through jupyter-book."""
    declared = {"mutmut"}  # coursetools/mutation.py installs it into its own venv (.venv-mut)
    for line in ((ROOT / "requirements.txt").read_text().splitlines()
                 + (ROOT / "requirements-instructors.txt").read_text().splitlines()):
        m = re.match(r"\s*([A-Za-z0-9_.\-]+)", line.split("#")[0])
        if m and not line.lstrip().startswith("-"):
            declared.add(m.group(1).lower().replace("_", "-"))
        editable = re.match(r"\s*-e\s+\.(?:\[([^\]]*)\])?\s*$", line.split("#")[0])
        if editable:                     # nnlib itself: pyproject.toml's ranges (and extras)
            declared |= _pyproject_requirements(editable.group(1))
    files = list((ROOT / "tests").glob("*.py")) + list((ROOT / "coursetools").glob("*.py"))
    missing = {n for n in _third_party_imports(files)
               if _DISTRIBUTIONS.get(n, n).lower().replace("_", "-") not in declared}
    assert not missing, f"imported but not in requirements*.txt: {sorted(missing)}"
