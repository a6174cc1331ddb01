"""The README's promises and the CI script agree with the project."""
import ast
import json
import re
import subprocess
from pathlib import Path

from coursetools import toc


ROOT = Path(__file__).resolve().parent.parent
INSTALL = "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt"
TEST = ".venv/bin/python -m pytest tests book --nbval --nbval-current-env"


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert f"{INSTALL} && .venv/bin/python -m coursetools.build_book student" in readme
    assert f"{INSTALL} && {TEST}" in readme


def readme_command(heading):
    """The command line under the bold ``heading`` of the README, as .ci/run reads it."""
    out = subprocess.run(
        ["bash", "-c", f"source <(sed -n '/^readme_command()/,/^}}/p' .ci/run); "
                       f"readme_command '{heading}'"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_ci_reads_the_readme_commands_as_printed():
    assert readme_command("Build the book").startswith(INSTALL + " && ")
    assert readme_command("Run every test") == f"{INSTALL} && {TEST}"
    assert readme_command("Build the Chinese edition") == \
        ".venv/bin/python -m coursetools.build_book student --language zh_CN"


def test_ci_runs_the_readme_test_command_before_any_extra():
    ci = (ROOT / ".ci" / "run").read_text()
    build, test = ci.index('bash -c "$BUILD_CMD'), ci.index('bash -c "$TEST_CMD')
    extras = ci.index("install --quiet -r requirements-instructors.txt")
    slow = ci.index("pytest tests -m slow")
    assert build < test < extras < slow
    assert "export CI=true" in ci and "NNLIB_REQUIRE_BROWSER=1" in ci


def test_ci_runs_nbval_with_one_thread_and_the_headless_backend():
    """Issue 11, defect 10: nbval must also pass with MPLBACKEND=Agg (headless CI), and the
    stored outputs must not depend on the BLAS thread count."""
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'OPENBLAS_NUM_THREADS=1 MPLBACKEND=Agg bash -c "$TEST_CMD' in ci
    # the fix itself: every chapter displays its figures whatever the backend
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        first_code = next(c for c in cells if c["cell_type"] == "code")
        assert "%matplotlib inline" in "".join(first_code["source"]), path.name


def test_jupyter_book_is_pinned_below_2():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    books = [line for line in lines if line.split(">")[0].split("<")[0].strip() == "jupyter-book"]
    assert len(books) == 1
    specifiers = {part.replace(" ", "") for part in books[0][len("jupyter-book"):].split(",")}
    assert "<2" in specifiers and any(s.startswith(">=1") for s in specifiers)
    assert "-e .[notebooks]" in lines  # nnlib itself, editable, with the notebooks extra


def test_every_notebook_is_in_the_toc_and_every_toc_entry_exists():
    entries = toc.pages(ROOT / "book")
    for entry in entries:
        assert list((ROOT / "book").glob(entry + ".*")), f"_toc.yml lists {entry}, which does not exist"
    for nb in (ROOT / "book").glob("*.ipynb"):
        assert nb.stem in entries, f"{nb.name} is not listed in book/_toc.yml"


# ---------------------------------------------------------------- version ranges written once
# (issues 21 item 3 and 27 items 1, 2, 4): pyproject.toml holds the learner-facing ranges;
# requirements.txt, the handout's requirements.txt and constraints-floors.txt take them from it.
try:
    import tomllib
except ImportError:                      # Python 3.10: requirements.txt installs tomli
    import tomli as tomllib

LEARNER_FACING = {"numpy", "matplotlib", "pillow", "ipykernel", "myst-nb"}


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_wheel_packages_nnlib_only():
    """coursetools/ (the course tooling) and tests/ stay out of nnlib's wheel: setuptools finds
    only what pyproject.toml includes (the slow tier lists the built wheel: test_handout.py)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["setuptools"]["packages"]["find"] == {"include": ["nnlib", "nnlib.*"]}
    assert (ROOT / "coursetools" / "__init__.py").is_file()


def _name(requirement):
    name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)
    return name.lower().replace("_", "-")


def _requirement_lines(path):
    """The requirement lines of a requirements file, comments and blank lines left out."""
    return [line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.split("#")[0].strip()]


def expected_floor_constraints(project):
    """constraints-floors.txt's pins, derived from pyproject's [project] table: every
    requirement of [project].dependencies and of the `notebooks` extra, at its `>=` floor."""
    pins = []
    for requirement in project["dependencies"] + project["optional-dependencies"]["notebooks"]:
        floors = re.findall(r">=\s*([0-9][^,;\s]*)", requirement)
        assert len(floors) == 1, f"pyproject.toml: {requirement!r} needs exactly one >= floor"
        pins.append(f"{_name(requirement)}=={floors[0]}")
    return pins


def test_pyproject_holds_the_learner_facing_ranges_once():
    project = _pyproject()
    base = {_name(r) for r in project["dependencies"]}
    notebooks = {_name(r) for r in project["optional-dependencies"]["notebooks"]}
    assert base == {"numpy", "matplotlib", "pillow"}
    assert notebooks == {"ipykernel", "myst-nb"}      # a kernel; myst-nb for `glue`
    assert {_name(r) for r in project["optional-dependencies"]["lab"]} == {"jupyterlab",
                                                                           "jupyterlab-myst"}


def test_requirements_txt_takes_the_ranges_from_pyproject():
    lines = _requirement_lines(ROOT / "requirements.txt")
    assert "-e .[notebooks]" in lines
    named = {_name(line) for line in lines if not line.startswith("-")}
    again = named & (LEARNER_FACING | {"pillow", "jupyterlab", "jupyterlab-myst"})
    assert not again, f"requirements.txt repeats ranges that pyproject.toml holds: {sorted(again)}"
    for path in ROOT.glob("requirements*.txt"):
        named = {_name(line) for line in _requirement_lines(path) if not line.startswith("-")}
        assert not named & LEARNER_FACING, f"{path.name} repeats {sorted(named & LEARNER_FACING)}"


def test_the_handouts_requirements_are_the_wheel_and_its_extras():
    from coursetools import make_handout
    text = make_handout.REQUIREMENTS.format(wheel="nnlib-0.1.0-py3-none-any.whl",
                                            extras=make_handout.EXTRAS)
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines == ["./nnlib-0.1.0-py3-none-any.whl[notebooks,lab]"]
    extras = set(_pyproject()["optional-dependencies"])
    assert set(make_handout.EXTRAS.split(",")) <= extras


def test_constraints_floors_is_derived_from_pyproject():
    expected = expected_floor_constraints(_pyproject())
    actual = _requirement_lines(ROOT / "constraints-floors.txt")
    assert actual == expected, ("constraints-floors.txt is out of sync with pyproject.toml; its "
                                "lines should be:\n" + "\n".join(expected))


def test_an_upper_bound_says_which_major_version_breaks():
    """Issue 27 item 2: no `<` bound without a comment (on its line, or the line above)."""
    for path in [ROOT / "pyproject.toml", *ROOT.glob("requirements*.txt")]:
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            code = line.split("#")[0]
            if re.search(r"[A-Za-z0-9\]]\s*[^#]*<\s*[0-9]", code) and "python_version" not in code:
                commented = "#" in line or lines[i - 1].strip().startswith("#")
                assert commented, f"{path.name}:{i + 1}: {line.strip()} has an upper bound " \
                                  "without a comment saying which version breaks"
def nnlib_line_counts():
    """(all lines, code lines) of nnlib/*.py: code is what is not blank, not a comment and not
    a docstring."""
    total = code = 0
    for path in sorted((ROOT / "nnlib").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        docstrings = set()
        for node in ast.walk(ast.parse(text)):
            body = getattr(node, "body", None)
            if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                  ast.AsyncFunctionDef))
                    and body and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
        total += len(lines)
        code += sum(1 for n, line in enumerate(lines, 1)
                    if line.strip() and not line.strip().startswith("#")
                    and n not in docstrings)
    return total, code


def test_the_introduction_counts_nnlib_within_ten_percent():
    """intro.md: "about N lines of Python, some M of them code" stays true as nnlib changes."""
    intro = " ".join((ROOT / "book" / "intro.md").read_text().split())
    found = re.search(r"about ([\d,]+) lines of Python, some ([\d,]+) of them code", intro)
    assert found, "intro.md no longer states nnlib's size in the expected words"
    stated_total, stated_code = (int(n.replace(",", "")) for n in found.groups())
    total, code = nnlib_line_counts()
    assert abs(total - stated_total) <= 0.1 * stated_total, \
        f"nnlib has {total} lines, intro.md says about {stated_total}"
    assert abs(code - stated_code) <= 0.1 * stated_code, \
        f"nnlib has {code} code lines, intro.md says some {stated_code}"


def test_the_introduction_lists_every_nnlib_module():
    intro = (ROOT / "book" / "intro.md").read_text()
    listed = set(re.findall(r"^\| `(\w+)` \|", intro, flags=re.M))
    modules = {path.stem for path in (ROOT / "nnlib").glob("*.py")} - {"__init__"}
    assert modules <= listed, f"intro.md's module table misses {sorted(modules - listed)}"
