"""nnlib.mnist: the bundled MNIST files and load_mnist."""
import gzip
import struct

import numpy as np
import pytest

from nnlib import idx
from nnlib import mnist as bundled
from nnlib.idx import IDXError
from nnlib.mnist import load_mnist

from conftest import write_idx


def test_bundled_files_are_the_canonical_ones():
    for name, digest in bundled.MNIST_SHA256.items():
        assert bundled.sha256(bundled.MNIST_DIR / name) == digest, name
    sums = (bundled.MNIST_DIR / "SHA256SUMS").read_text().split()
    assert dict(zip(sums[1::2], sums[0::2])) == bundled.MNIST_SHA256


def test_bundled_mnist_header_bytes():
    dtype, shape = idx.read_idx_header(bundled.MNIST_DIR / "train-images-idx3-ubyte.gz")
    assert dtype == np.uint8 and shape == (60000, 28, 28)
    assert idx.read_idx_header(bundled.MNIST_DIR / "t10k-labels-idx1-ubyte.gz")[1] == (10000,)


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_load_mnist_counts_and_first_labels(mnist):
    assert mnist.train_images.shape == (60000, 28, 28) and mnist.train_images.dtype == np.uint8
    assert mnist.test_images.shape == (10000, 28, 28)
    assert list(mnist.train_labels[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(mnist.test_labels[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert list(np.bincount(mnist.train_labels)) == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert list(np.bincount(mnist.test_labels)) == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert mnist.train_images.max() == 255 and mnist.train_images.min() == 0


def test_load_mnist_scaled_and_from_raw_copies(tmp_path, mnist):
    scaled = load_mnist(scale=True)
    assert scaled.train_images.dtype == np.float32
    assert 0.0 == scaled.train_images.min() and scaled.train_images.max() == 1.0
    for key, name in bundled.MNIST_FILES.items():  # the same files, uncompressed
        (tmp_path / name[:-3]).write_bytes(gzip.decompress((bundled.MNIST_DIR / name).read_bytes()))
    raw = load_mnist(tmp_path)
    np.testing.assert_array_equal(raw.test_images, mnist.test_images)


def test_load_mnist_mismatched_counts(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((3, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(4, np.uint8))
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((2, 28, 28), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(2, np.uint8))
    with pytest.raises(IDXError, match="3 train images but 4 train labels"):
        load_mnist(tmp_path)


# ----------------------------------------------------------------------------- issue 23 (hostile input, round 3)
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
    count = bundled.MAX_SAMPLES + 1
    body = _header(0x08, (count, 28, 28))   # the header alone: no data needs to follow
    (tmp_path / NAMES["train_images"]).write_bytes(gzip.compress(body))
    with pytest.raises(IDXError, match=f"declares {count:,} samples, more than the "
                                       f"{bundled.MAX_SAMPLES:,} load_mnist accepts"):
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
