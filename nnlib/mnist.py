"""The MNIST digits bundled with nnlib, and loading them.

Four IDX files (see :mod:`nnlib.idx`) ship in ``nnlib/data/mnist``: 60,000 training and 10,000
test images of 28×28 grey pixels with their labels.
"""
import collections
import hashlib
from pathlib import Path

import numpy as np

from .idx import IDXError, read_idx

# MNIST's sizes, named once: every nnlib module that means "an MNIST image" or "a digit" uses these.
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
    With ``scale=True`` the images are ``dtype`` floats in [0, 1] (pixel / 255).

    ``directory`` reads the same four files (raw or ``.gz``) from elsewhere.
    MNIST: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA 3.0.

    Introduced in chapter 2.
    """
    directory = MNIST_DIR if directory is None else Path(directory)
    arrays = {}
    for key, name in MNIST_FILES.items():
        path = directory / name
        if not path.exists() and (directory / name[:-3]).exists():
            path = directory / name[:-3]  # the uncompressed file
        shape = (None, SIDE, SIDE) if key.endswith("images") else (None,)
        arrays[key] = read_idx(path, expected_shape=shape)
    for split in ("train", "test"):
        n_img, n_lab = len(arrays[f"{split}_images"]), len(arrays[f"{split}_labels"])
        if n_img != n_lab:
            raise IDXError(f"{directory}: {n_img} {split} images but {n_lab} {split} labels")
    if scale:
        for key in ("train_images", "test_images"):
            arrays[key] = arrays[key].astype(dtype) / dtype(255)
    return MNIST(**arrays)
