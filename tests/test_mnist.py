"""nnlib.mnist: loading MNIST from IDX files, with bounded memory whatever the files claim.

(Issue 23's cases; the older ones are in test_datasets.py.)
"""
import gzip
import struct

import numpy as np
import pytest

from nnlib.idx import IDXError
from nnlib import mnist
from nnlib.mnist import load_mnist

NAMES = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
         "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}


def _header(type_byte, shape):
    return bytes([0, 0, type_byte, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape)


def _fake_mnist(folder, n_train=3, n_test=2, type_byte=0x08, itemsize=1):
    """Four small IDX files of zeros in ``folder``."""
    for key, name in NAMES.items():
        n = n_train if key.startswith("train") else n_test
        shape = (n, 28, 28) if key.endswith("images") else (n,)
        (folder / name).write_bytes(_header(type_byte, shape) + bytes(int(np.prod(shape)) * itemsize))
    return folder


def test_hostile_headers_are_refused_before_any_data_is_read(tmp_path):
    """Item 17: a gzip file of a few megabytes could declare 2 GB of images of any IDX type,
    which load_mnist then read and converted (float64 images: 8 bytes a pixel, then scaled).
    Files must hold unsigned bytes, at most MAX_SAMPLES samples, checked from the header."""
    _fake_mnist(tmp_path)
    count = mnist.MAX_SAMPLES + 1
    body = _header(0x08, (count, 28, 28))   # the header alone: no data needs to follow
    (tmp_path / NAMES["train_images"]).write_bytes(gzip.compress(body))
    with pytest.raises(IDXError, match=f"declares {count:,} samples, more than the "
                                       f"{mnist.MAX_SAMPLES:,} load_mnist accepts"):
        load_mnist(tmp_path)
    _fake_mnist(tmp_path, type_byte=0x0E, itemsize=8)   # float64 images and labels
    with pytest.raises(IDXError, match=r"train-images-idx3-ubyte: holds float64 numbers; MNIST "
                                       r"files hold unsigned bytes \(IDX type 08\)"):
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match="dtype must be a floating-point type"):
        load_mnist(tmp_path, scale=True, dtype=object)   # 32 bytes a pixel as Python floats


def test_scaling_makes_one_float_copy(tmp_path):
    """Item 17, the bound itself: the bytes of the files plus one float32 copy of the images,
    nothing more (measured with tracemalloc in a fresh interpreter).  The division is written
    in place; before, only numpy's elision of temporaries kept it from being a second copy."""
    from conftest import run_python
    n_train, n_test = 20_000, 2_000
    _fake_mnist(tmp_path, n_train, n_test)
    pixels = (n_train + n_test) * 784
    code = f"""
import json, tracemalloc
from nnlib import load_mnist
tracemalloc.start()
m = load_mnist({str(tmp_path)!r}, scale=True)
assert m.train_images.dtype.name == "float32"
print(json.dumps({{"peak": tracemalloc.get_traced_memory()[1]}}))
"""
    peak = run_python(code)["peak"]
    assert peak < 1.15 * pixels * (1 + 4), (peak, pixels)


def test_scaled_values_are_unchanged(tmp_path):
    """The in-place scaling gives exactly pixel / 255."""
    _fake_mnist(tmp_path)
    images = np.arange(3 * 784, dtype=np.uint8).reshape(3, 28, 28)
    (tmp_path / NAMES["train_images"]).write_bytes(_header(0x08, (3, 28, 28)) + images.tobytes())
    for dtype in (np.float32, np.float64):
        got = load_mnist(tmp_path, scale=True, dtype=dtype).train_images
        np.testing.assert_array_equal(got, images.astype(dtype) / dtype(255))
        assert got.dtype == dtype
    assert load_mnist(bytes(tmp_path)).train_images.shape == (3, 28, 28)   # item 18: bytes paths
