"""The floors hold (issue 27): the lowest versions pyproject.toml allows are the versions tested.

Unit tier: ``nnlib`` refuses, in one line naming the package and the version needed, an
environment below its floors (read from nnlib's installed metadata, so written once).

Slow tier (``pytest tests/test_floors.py -m slow``; the publishing workflow runs exactly that):
ONE clean venv, shared with tests/test_handout.py through the session fixture
``handout_floors_venv`` of conftest.py, holding only the handout's requirements.txt installed with
``-c constraints-floors.txt`` (the floors of pyproject.toml, pinned).  In it: nnlib's unit tests,
and every notebook of the handout top to bottom with the nbval matrix's settings
(OPENBLAS_NUM_THREADS=1, MPLBACKEND=Agg, OPENBLAS_CORETYPE=Haswell): errors and the cells' own
band asserts count, stored outputs are not compared (numpy's reprs differ across versions).
"""
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import nnlib

REQUIRES = ["numpy>=1.23.5", "matplotlib>=3.7.5", "pillow>=9.5.0",
            'jupyterlab<5,>=4; extra == "lab"', 'ipykernel>=6.25.0; extra == "notebooks"']


def versions(**installed):
    """A stand-in for importlib.metadata.version over the given {name: version}."""
    def version(name):
        if name not in installed:
            raise metadata.PackageNotFoundError(name)
        return installed[name]
    return version


AT_FLOORS = dict(numpy="1.23.5", matplotlib="3.7.5", pillow="9.5.0", ipykernel="6.25.0",
                 jupyterlab="4.0.0")


def check(**installed):
    nnlib._check_floors(requires=lambda name: REQUIRES, version=versions(**installed))


def test_the_floors_themselves_and_newer_pass():
    check(**AT_FLOORS)
    check(**dict(AT_FLOORS, numpy="2.3.1", matplotlib="3.10.0", pillow="11.0.0"))
    check(**dict(AT_FLOORS, numpy="1.23.10", matplotlib="3.7.5.post1"))


def test_an_older_package_is_named_with_the_version_needed():
    with pytest.raises(ImportError) as e:
        check(**dict(AT_FLOORS, matplotlib="3.6.3"))
    message = str(e.value)
    assert message == ("nnlib needs matplotlib>=3.7.5, but matplotlib 3.6.3 is installed: "
                       "pip install --upgrade 'matplotlib>=3.7.5'")
    assert "\n" not in message
    with pytest.raises(ImportError, match=r"numpy>=1\.23\.5, but numpy 1\.23\.4 is installed"):
        check(**dict(AT_FLOORS, numpy="1.23.4"))
    with pytest.raises(ImportError, match=r"numpy>=1\.23\.5, but numpy 1\.9\.0 is installed"):
        check(**dict(AT_FLOORS, numpy="1.9.0"))          # numbers, not strings: 1.9 < 1.23


def test_an_old_package_of_an_extra_is_refused_only_if_installed():
    without = dict(AT_FLOORS)
    del without["ipykernel"]
    check(**without)                                      # nnlib runs without the notebooks extra
    with pytest.raises(ImportError, match=r"ipykernel>=6\.25\.0, but ipykernel 6\.0\.0"):
        check(**dict(AT_FLOORS, ipykernel="6.0.0"))


def test_a_missing_requirement_is_named():
    without = dict(AT_FLOORS)
    del without["pillow"]
    with pytest.raises(ImportError, match=r"^nnlib needs pillow>=9\.5\.0, which is not installed: "
                                          r"pip install 'pillow>=9\.5\.0'$"):
        check(**without)


def test_without_metadata_nothing_is_checked():
    def requires(name):
        raise metadata.PackageNotFoundError(name)
    nnlib._check_floors(requires=requires, version=versions())


def test_the_installed_metadata_is_what_is_checked():
    """The default reads nnlib's own metadata: these floors are pyproject.toml's."""
    names = {r.split(">")[0].split("<")[0].split(";")[0].strip()
             for r in metadata.requires("nnlib") or []}
    assert {"numpy", "matplotlib", "pillow"} <= names
    nnlib._check_floors()                                 # this environment passes


def test_importing_nnlib_below_a_floor_prints_one_line(tmp_path):
    """In a real interpreter: a fake numpy 1.0.0 distribution ahead on the path."""
    dist = tmp_path / "numpy-1.0.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: numpy\nVersion: 1.0.0\n")
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "try:\n    import nnlib\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, timeout=60).stdout
    [floor] = [r.split(">=")[1] for r in metadata.requires("nnlib") if r.startswith("numpy>=")]
    assert out == (f"nnlib needs numpy>={floor}, but numpy 1.0.0 is installed: "
                   f"pip install --upgrade 'numpy>={floor}'\n"), out


# ------------------------------------------------------------------------------- slow tier
ROOT = Path(__file__).resolve().parent.parent

# Runs in the handout's venv: every notebook of the handout top to bottom in a fresh kernel of
# that venv.  A first cell (added in memory) proves which python and which nnlib the kernel uses.
RUN_ALL = r"""
import sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient
failed = []
for path in sorted(Path(".").glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        "import sys, nnlib; print('KERNEL', sys.executable, nnlib.__file__)"))
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=1200, kernel_name="python3",
                       resources={"metadata": {"path": "."}}).execute()
        print(nb.cells[0].outputs[0]["text"].strip(), flush=True)
    except Exception as e:
        failed.append(f"{path.name}: {type(e).__name__}: {str(e)[-1500:]}")
    print(f"{path.name}: {time.perf_counter() - start:.1f} s", flush=True)
print("FAILED:" if failed else "ALL RAN", *failed, sep="\n")
sys.exit(1 if failed else 0)
"""


def nnlib_unit_test_files():
    """nnlib's unit tests: the test files that import nnlib and nothing of the repository
    (no coursetools, no book, no paths under the repository)."""
    files = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import nnlib|from nnlib)", text, re.M) and not any(
                word in text for word in ("coursetools", "ROOT", "nbformat", "nbclient",
                                          "sphinx", "yaml")):
            files.append(path)
    return files


@pytest.mark.slow
def test_the_floors_are_what_is_installed(handout_floors_venv):
    freeze = handout_floors_venv.run(["-m", "pip", "freeze"], timeout=120).stdout
    installed = {re.split(r"==", line)[0].lower().replace("_", "-"): line.split("==")[1]
                 for line in freeze.splitlines() if "==" in line}
    pins = [line.split("#")[0].strip() for line in
            (ROOT / "constraints-floors.txt").read_text().splitlines()
            if line.split("#")[0].strip()]
    assert pins
    for pin in pins:
        name, version = pin.split("==")
        assert installed.get(name) == version, \
            f"{name}: {installed.get(name)} installed, not {version}"
    where = handout_floors_venv.run(["-c", "import nnlib; print(nnlib.__file__)"], timeout=120)
    assert where.stdout.startswith(str(handout_floors_venv.folder / ".venv")), where
    site = handout_floors_venv.folder / ".venv"
    pth = [p.name for p in site.glob("lib/python*/site-packages/*.pth")
           if str(ROOT) in p.read_text(errors="replace")]
    assert not pth, f"a .pth file leads back to the repository: {pth}"


@pytest.mark.slow
def test_nnlibs_unit_tests_pass_at_the_floors(handout_floors_venv, tmp_path):
    """pytest and hypothesis go to a folder of their own (on PYTHONPATH for this run only), so
    that the venv itself keeps holding only what the handout lists."""
    venv = handout_floors_venv
    tools = tmp_path / "test-tools"
    install = venv.run(["-m", "pip", "install", "--quiet", "--target", str(tools),
                        "pytest>=7", "hypothesis>=6.80",
                        "-c", str(ROOT / "constraints-floors.txt")],
                       timeout=900)
    assert install.returncode == 0, install.stdout + install.stderr
    files = nnlib_unit_test_files()
    assert len(files) >= 10, files
    (tmp_path / "test_where.py").write_text(
        "import nnlib\n\ndef test_nnlib_is_the_handouts():\n"
        f"    assert nnlib.__file__.startswith({str(venv.folder / '.venv')!r}), nnlib.__file__\n")
    proc = subprocess.run(
        [str(venv.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
         "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT),
         str(tmp_path / "test_where.py"), *map(str, files)],
        cwd=tmp_path, env=dict(venv.env, PYTHONPATH=str(tools)), capture_output=True, text=True,
        timeout=1800)
    print(proc.stdout[-3000:])
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    assert re.search(r"\d+ passed", proc.stdout) and " failed" not in proc.stdout


@pytest.mark.slow
def test_every_handout_notebook_runs_at_the_floors(handout_floors_venv):
    venv = handout_floors_venv
    notebooks = sorted(venv.folder.glob("*.ipynb"))
    assert len(notebooks) == len(list((ROOT / "book").glob("*.ipynb")))
    proc = venv.run(["-c", RUN_ALL], timeout=3600)
    print(proc.stdout)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    kernels = [line for line in proc.stdout.splitlines() if line.startswith("KERNEL")]
    assert len(kernels) == len(notebooks)
    for line in kernels:
        _, python, nnlib_file = line.split()
        assert python.startswith(str(venv.folder / ".venv")), line
        assert nnlib_file.startswith(str(venv.folder / ".venv")), line
