"""Helpers and fixtures shared by the test files (one test file per nnlib or coursetools module)."""
import gzip
import importlib.util
import io
import os
import stat
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from nnlib import Network, idx, one_hot, save_network

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent


def book_extension(name):
    """The Sphinx extension ``book/_ext/<name>.py``, loaded from its file as the book build loads
    it (``local_extensions`` in book/_config.yml: book/_ext is a folder of Sphinx's, no package).
    The one file loader of the tests; the course tooling is imported (``from coursetools ...``)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "book" / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Every (hidden activation, output activation, cost) the library supports: the cost/output
# rule is the table nnlib.losses.PAIRINGS (cross_entropy needs softmax,
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


# ----------------------------------------------------------------------------- the command line
#: A training run of a second or two (one epoch on 600 images).
TINY = ["--train-size", "600", "--epochs", "1", "--hidden", "16", "--batch-size", "20", "--eta", "0.1"]

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

needs_root = pytest.mark.skipif(not IS_ROOT, reason="making a scratch device node (os.mknod) "
                                                    "needs root; not running as root")


def nnlib_cli(*args, timeout=120, **kwargs):
    """Run ``python -m nnlib ARGS`` in a subprocess (text output)."""
    kwargs.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "nnlib", *map(str, args)], text=True,
                          timeout=timeout, **kwargs)


def one_line_error(result, *fragments, status=1):
    """The single line on stderr of a failed run; checks status, no traceback, the fragments."""
    assert result.returncode == status, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def scratch_device(folder, name="null", major=1, minor=3):
    """A character device node in ``folder`` (1,3 is what /dev/null is; 1,7 /dev/full)."""
    path = Path(folder) / name
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    return path


@pytest.fixture(scope="module")
def net_file(tmp_path_factory):
    """An untrained 784-5-10 network saved to a file (predicting needs no accuracy here)."""
    path = tmp_path_factory.mktemp("net_file") / "net.npz"
    save_network(Network([784, 5, 10], rng=0, dtype=np.float32), path)
    return path


# ----------------------------------------------------------------------------- pictures
def digit_picture(size=24):
    """A 7-like stroke, black on white (Pillow greyscale)."""
    img = Image.new("L", (size, size), 255)
    ImageDraw.Draw(img).line([(5, 4), (18, 4), (9, 20)], fill=0, width=3)
    return img


def jpeg_with_exif():
    """A JPEG of a digit with an EXIF block (orientation, make, date, an Exif sub-IFD)."""
    exif = Image.new("RGB", (8, 8)).getexif()
    exif[0x0112] = 6
    exif[0x010F] = "Phone"
    exif[0x0132] = "2026:01:01 00:00:00"
    exif[0x011A] = 72.0
    exif.get_ifd(0x8769)[0x9003] = "2026:01:01 00:00:00"
    b = io.BytesIO()
    digit_picture().convert("RGB").save(b, "JPEG", exif=exif.tobytes())
    return b.getvalue()


def bad_pictures(folder):
    """Pictures whose errors escaped as ValueError/struct.error/TypeError (issue 11, defect 2)."""
    folder = Path(folder)
    files = {}
    files["maxval.pgm"] = b"P5\n24 24\n-5\n" + bytes(576)               # malformed PGM header
    files["width.pgm"] = b"P5\n24 x24\n255\n" + bytes(576)
    ihdr = struct.pack(">IIBBBBB", 24, 24, 8, 0, 0, 0, 0)[:5]
    files["ihdr.png"] = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 5) + b"IHDR" + ihdr
                         + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)))   # truncated IHDR chunk
    jpeg = jpeg_with_exif()
    at = jpeg.find(b"Exif\x00\x00")
    for name, offset, value in (("exif-type.jpg", 17, 0), ("exif-rational.jpg", 19, 5),
                                ("exif-count.jpg", 43, 1)):
        corrupt = bytearray(jpeg)
        corrupt[at + offset] = value                                   # one corrupt EXIF byte
        files[name] = bytes(corrupt)
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


# ----------------------------------------------------------------------------- files
def zero_chunks(nbytes, chunk=1 << 22):
    """``nbytes`` zero bytes in chunks of at most ``chunk`` (to write decompression bombs)."""
    while nbytes > 0:
        yield bytes(min(chunk, nbytes))
        nbytes -= chunk


# ----------------------------------------------------------------------------- networks
def net_from(weights, biases, **kwargs):
    """``Network.from_parameters`` of nested lists (each converted to a float64 array)."""
    return Network.from_parameters([np.array(w, dtype=float) for w in weights],
                                   [np.array(b, dtype=float) for b in biases], **kwargs)


def write_idx(path, array, type_byte=0x08, compress=False, extra=b"", cut=0, count=None):
    header = bytes([0, 0, type_byte, array.ndim])
    dims = list(array.shape)
    if count is not None:
        dims[0] = count
    header += b"".join(struct.pack(">I", d) for d in dims)
    body = header + array.astype(idx.IDX_DTYPES[type_byte]).tobytes() + extra
    if cut:
        body = body[:-cut]
    path.write_bytes(gzip.compress(body) if compress else body)
    return path


# ----------------------------------------------------------------------------- hypothesis
# Derandomized settings with no example database, so CI runs the same examples every time;
# ``max_examples`` keeps each property test to a few seconds.
FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


SLOW = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@st.composite
def networks_and_batches(draw):
    """``(net, x, y)``: every supported combination, small random sizes; targets are one-hot,
    or soft for binary cross-entropy."""
    hidden, output, cost = draw(st.sampled_from(COMBINATIONS))
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    if output == "softmax":
        sizes[-1] = max(sizes[-1], 2)
    seed = draw(st.integers(0, 2**32 - 1))
    m = draw(st.integers(1, 4))
    rng = np.random.default_rng(seed)
    net = Network(sizes, activation=hidden, output=output, cost=cost, init="scaled", rng=rng)
    for b in net.biases:
        b += 0.1 * rng.standard_normal(b.shape)
    x = rng.standard_normal((sizes[0], m))
    y = one_hot(rng.integers(0, sizes[-1], m), sizes[-1])
    if cost == "binary_cross_entropy":
        y = 0.1 + 0.8 * y
    return net, x, y


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


# ------------------------------------------------- the handout installed at the floors (slow tier)
# ONE clean venv for tests/test_floors.py and tests/test_handout.py (issues 20, 21, 27): the
# handout made by coursetools/make_handout.py, unpacked from its .zip, a venv made with nothing but
# `python -m venv` (no --system-site-packages, no .pth, no PYTHONPATH), and the handout's own
# requirements.txt installed from the package registry with the floors pinned
# (`-c constraints-floors.txt`).  Built once per session, only when a slow test asks for it.
# The nbval matrix's settings (those of CI's nbval run):
MATRIX_ENV = {"OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": "Agg", "OPENBLAS_CORETYPE": "Haswell"}


def clean_env(home):
    """os.environ without anything leading back to this venv or the repository, and with a
    Jupyter of its own (config, data, runtime, settings, workspaces under ``home``)."""
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
        return subprocess.run([str(self.python), *args], cwd=self.folder, env=self.env,
                              capture_output=True, text=True, timeout=timeout, **kwargs)


@pytest.fixture(scope="session")
def handout_floors_venv(tmp_path_factory):
    from coursetools import make_handout   # here: the floors' venv runs this conftest without it
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
