"""The MNIST digits bundled with nnlib, and loading them.

Four IDX files (see :mod:`nnlib.idx`) ship in ``nnlib/data/mnist``: 60,000 training and 10,000
test images of 28×28 grey pixels with their labels.
"""
import collections
import hashlib
from pathlib import Path

import numpy as np

from .files import as_path
from .idx import IDXError, read_idx, read_idx_header

# MNIST's sizes, named once: every nnlib module that means "an MNIST image" or "a digit" uses
# these (except nnlib.seed_systems, which keeps the four write-ups' code as they wrote it).
SIDE = 28              # an image is SIDE × SIDE grey pixels
PIXELS = SIDE * SIDE   # 784: one image as an input column, the n_0 of a network that reads MNIST
CLASSES = 10           # the digits 0-9, the n_L of such a network

MNIST_DIR = Path(__file__).parent / "data" / "mnist"
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

#: The most samples one file may hold (EMNIST's largest split, 697,932, fits): checked from the
#: header, before the data is read, so that a small compressed file cannot claim gigabytes.
MAX_SAMPLES = 1_000_000

MNIST = collections.namedtuple("MNIST", "train_images train_labels test_images test_labels")
MNIST.__doc__ = """The four MNIST arrays: images ``(n, 28, 28)``, labels ``(n,)``.  Introduced in chapter 2."""


def sha256(path):
    """The SHA-256 hex digest of a file.

    Introduced in chapter 2.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_mnist(directory=None, scale=False, dtype=np.float32):
    """Load MNIST from the four IDX files shipped inside nnlib (no network needed).

    Returns an :data:`MNIST` named tuple ``(train_images, train_labels,
    test_images, test_labels)``: images of shape ``(60000, 28, 28)`` and
    ``(10000, 28, 28)``, labels of shape ``(60000,)`` and ``(10000,)``, uint8.
    With ``scale=True`` the images are ``dtype`` floats in [0, 1] (pixel / 255),
    converted in place: one float copy, never more.

    Each file must hold unsigned bytes (IDX type 0x08), as MNIST's do, and at most
    :data:`MAX_SAMPLES` samples; both are checked from the header before any data is
    read.  Memory is then bounded: the bytes of the files, plus one float copy of
    the images with ``scale=True``.

    ``directory`` reads the same four files (raw or ``.gz``) from elsewhere.
    MNIST: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA 3.0.

    Introduced in chapter 2.
    """
    directory = MNIST_DIR if directory is None else Path(as_path(directory))
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating-point type such as float32, got {dtype}")
    arrays = {}
    for key, name in MNIST_FILES.items():
        path = directory / name
        if not path.exists() and (directory / name[:-3]).exists():
            path = directory / name[:-3]  # the uncompressed file
        shape = (None, SIDE, SIDE) if key.endswith("images") else (None,)
        _check_header(path)
        arrays[key] = read_idx(path, expected_shape=shape)
    for split in ("train", "test"):
        n_img, n_lab = len(arrays[f"{split}_images"]), len(arrays[f"{split}_labels"])
        if n_img != n_lab:
            raise IDXError(f"{directory}: {n_img} {split} images but {n_lab} {split} labels")
    if scale:
        for key in ("train_images", "test_images"):
            scaled = arrays[key].astype(dtype)
            scaled /= dtype.type(255)   # in place: no second float copy
            arrays[key] = scaled
    return MNIST(**arrays)


def _check_header(path):
    """Refuse, from its header alone, a file that is not unsigned bytes or holds too many samples."""
    dtype, shape = read_idx_header(path)
    if dtype != np.uint8:
        raise IDXError(f"{path}: holds {dtype.newbyteorder('=').name} numbers; MNIST files hold "
                       f"unsigned bytes (IDX type 08)")
    if shape[0] > MAX_SAMPLES:
        raise IDXError(f"{path}: declares {shape[0]:,} samples, more than the {MAX_SAMPLES:,} "
                       f"load_mnist accepts")
