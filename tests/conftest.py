import importlib.util
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load_script(name):
    """The module ``scripts/<name>.py``, freshly imported (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Every (hidden activation, output activation, cost) the library supports: the cost/output
# rule is nnlib.network.check_output_and_cost (cross_entropy needs softmax,
# binary_cross_entropy needs sigmoid, quadratic fits any output).
HIDDEN = ("sigmoid", "tanh", "relu", "identity")
OUTPUT_COSTS = (("sigmoid", "quadratic"), ("sigmoid", "binary_cross_entropy"),
                ("softmax", "cross_entropy"), ("softmax", "quadratic"),
                ("identity", "quadratic"), ("tanh", "quadratic"))
COMBINATIONS = [(h, o, c) for h in HIDDEN for o, c in OUTPUT_COSTS]


def make_toy(m=200, n_inputs=2, seed=0):
    """``(x, labels)``: m standard-normal points as columns ``(n_inputs, m)``, labelled 1 on one
    side of the line x_0 + x_1/2 = 0 and 0 on the other (linearly separable)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_inputs, m))
    labels = (x[0] + 0.5 * x[1] > 0).astype(int)
    return x, labels


@pytest.fixture
def toy():
    """The toy problem of :func:`make_toy`, as a fixture: ``toy(m=20)`` -> ``(x, labels)``."""
    return make_toy


# ------------------------------------------------- the handout installed at the floors (slow tier)
# ONE clean venv for tests/test_floors.py and tests/test_handout.py (issues 20, 21, 27): the
# handout made by scripts/make_handout.py, unpacked from its .zip, a venv made with nothing but
# `python -m venv` (no --system-site-packages, no .pth, no PYTHONPATH), and the handout's own
# requirements.txt installed from the package registry with the floors pinned
# (`-c constraints-floors.txt`).  Built once per session, only when a slow test asks for it.
ROOT = Path(__file__).resolve().parent.parent
# the nbval matrix's settings (scripts/nbval_matrix.sh)
MATRIX_ENV = {"OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg", "OPENBLAS_CORETYPE": "Haswell"}


def clean_env(home):
    """os.environ without anything leading back to this venv or the repository, and with a
    Jupyter of its own (config, data, runtime, settings, workspaces under ``home``)."""
    import os
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP",
                        "PYTHONUSERBASE", "JUPYTER_PATH", "MPLCONFIGDIR")}
    for name in ("config", "data", "runtime", "settings", "workspaces", "mpl"):
        (home / name).mkdir(parents=True, exist_ok=True)
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), PYTHONNOUSERSITE="1",
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), MPLCONFIGDIR=str(home / "mpl"),
               **MATRIX_ENV)
    return env


class HandoutVenv:
    """The unpacked handout folder, its venv's python, and the clean environment to run it in."""

    def __init__(self, folder, python, env, install_log):
        self.folder, self.python, self.env, self.install_log = folder, python, env, install_log

    def run(self, args, timeout, **kwargs):
        import subprocess
        return subprocess.run([str(self.python), *args], cwd=self.folder, env=self.env,
                              capture_output=True, text=True, timeout=timeout, **kwargs)


@pytest.fixture(scope="session")
def handout_floors_venv(tmp_path_factory):
    import subprocess
    import sys
    import zipfile

    make_handout = load_script("make_handout")
    base = tmp_path_factory.mktemp("handout")
    _, archive = make_handout.make_handout(base / "made" / "nn-from-scratch")
    with zipfile.ZipFile(archive) as z:                   # a student gets the archive
        z.extractall(base / "student")
    folder = base / "student" / "nn-from-scratch"
    env = clean_env(base / "home")
    venv = folder / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", "requirements.txt",
         "-c", str(ROOT / "constraints-floors.txt")],
        cwd=folder, env=env, capture_output=True, text=True, timeout=1800)
    log = install.stdout + install.stderr
    if install.returncode != 0:
        pytest.fail("installing the handout's requirements.txt (with the floors) failed:\n"
                    + log[-4000:], pytrace=False)
    return HandoutVenv(folder, python, env, log)
