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
import subprocess
import sys
from importlib import metadata

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
