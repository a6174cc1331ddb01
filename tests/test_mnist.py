"""nnlib.mnist: the bundled MNIST files and load_mnist."""
import gzip

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
