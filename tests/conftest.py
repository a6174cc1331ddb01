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


# ----------------------------------------------------------------------------- issue 23: memory
def run_python(code, timeout=60, env=None):
    """Run ``code`` in a fresh interpreter (so that its peak memory is its own) and return the
    JSON object its last line of standard output prints.  Tests measure peak memory this way,
    with ``tracemalloc`` (numpy reports its arrays to it) or ``resource.getrusage``."""
    import json
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=timeout, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
