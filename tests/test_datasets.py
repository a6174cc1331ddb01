import gzip
import struct

import numpy as np
import pytest

from nnlib import idx
from nnlib import mnist as bundled
from nnlib.data import minibatches, one_hot, to_columns
from nnlib.idx import IDXError, read_idx
from nnlib.mnist import load_mnist


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


@pytest.mark.parametrize("compress", [False, True])
def test_reads_what_it_wrote(tmp_path, compress):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write_idx(tmp_path / "img.idx", images, compress=compress)
    got = read_idx(path)
    np.testing.assert_array_equal(got, images)
    assert got.dtype == np.uint8


@pytest.mark.parametrize("type_byte,dtype", [(0x09, np.int8), (0x0B, np.int16), (0x0C, np.int32),
                                              (0x0D, np.float32), (0x0E, np.float64)])
def test_other_types_are_big_endian(tmp_path, type_byte, dtype):
    values = np.array([-3, 0, 2, 100], dtype=dtype)
    got = read_idx(write_idx(tmp_path / "v.idx", values, type_byte=type_byte))
    np.testing.assert_array_equal(got, values)
    assert got.dtype == np.dtype(dtype)


def test_truncated_file(tmp_path):
    path = write_idx(tmp_path / "short.idx", np.zeros((5, 28, 28), np.uint8), cut=100)
    with pytest.raises(IDXError, match=r"short\.idx: truncated: expected 3920 bytes.*found only 3820"):
        read_idx(path)


def test_truncated_gzip_file(tmp_path):
    path = write_idx(tmp_path / "short.gz", np.zeros((5, 28, 28), np.uint8), compress=True)
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(IDXError, match=r"short\.gz"):
        read_idx(path)


def test_truncated_header(tmp_path):
    path = tmp_path / "hdr.idx"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(IDXError, match=r"hdr\.idx: truncated.*dimension sizes"):
        read_idx(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.idx"
    path.write_bytes(b"")
    with pytest.raises(IDXError, match=r"empty\.idx: truncated.*magic number"):
        read_idx(path)


def test_wrong_magic(tmp_path):
    path = tmp_path / "notidx.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(IDXError, match=r"notidx\.png: not an IDX file: magic number 89504e47"):
        read_idx(path)


def test_count_disagrees_with_size(tmp_path):
    labels = np.arange(10, dtype=np.uint8)
    with pytest.raises(IDXError, match=r"more\.idx: has more data than its header's shape \(8,\)"):
        read_idx(write_idx(tmp_path / "more.idx", labels, count=8))
    with pytest.raises(IDXError, match=r"fewer\.idx: truncated: expected 12 bytes"):
        read_idx(write_idx(tmp_path / "fewer.idx", labels, count=12))


def test_huge_count_refused_before_reading(tmp_path):
    path = write_idx(tmp_path / "huge.idx", np.zeros((2, 28, 28), np.uint8), count=4_000_000_000)
    with pytest.raises(IDXError, match=r"huge\.idx: header claims shape \(4000000000, 28, 28\)"):
        read_idx(path)


def test_expected_shape(tmp_path):
    path = write_idx(tmp_path / "img.idx", np.zeros((2, 27, 28), np.uint8))
    with pytest.raises(IDXError, match=r"img\.idx: has shape \(2, 27, 28\), expected \(n, 28, 28\)"):
        read_idx(path, expected_shape=(None, 28, 28))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope.idx")


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


def test_one_hot():
    y = one_hot(np.array([2, 0, 1]), 3)
    np.testing.assert_array_equal(y, [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="integers in 0..9"):
        one_hot(np.array([3, 10]))
    with pytest.raises(ValueError, match="integers in 0..9"):
        one_hot(np.array([-1]))
    with pytest.raises(ValueError, match="1-D"):
        one_hot(np.zeros((2, 2), int))


def test_to_columns_and_minibatches():
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28).astype(np.uint8)
    x = to_columns(images)
    assert x.shape == (784, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x[:, 1], images[1].ravel() / 255)
    labels = np.array([0, 1, 2])
    batches = list(minibatches(x, labels, 2, rng=np.random.default_rng(0)))
    assert [b[0].shape for b in batches] == [(784, 2), (784, 1)]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == [0, 1, 2]
    for xb, yb in batches:  # columns stay with their labels
        for col, lab in zip(xb.T, yb):
            np.testing.assert_array_equal(col, x[:, lab])
    with pytest.raises(ValueError, match="batch_size"):
        list(minibatches(x, labels, 0))


@pytest.mark.parametrize("batch_size", [True, np.bool_(True), 0, 2.0])
def test_minibatches_refuses_a_batch_size_that_is_not_a_positive_integer(batch_size):
    from nnlib import minibatches

    x, y = np.zeros((2, 4)), np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, inf\)"):
        list(minibatches(x, y, batch_size))


# ----------------------------------------------------------------------------- issue 23 (hostile input, round 3)
def test_one_hot_refuses_an_absurd_number_of_classes():
    """Item 6, the same kind of input elsewhere: one_hot([3], 10**12) tried to allocate 8 TB."""
    for num_classes in (10**12, 0, 2.0, True):
        with pytest.raises(ValueError, match=r"num_classes must be an integer in \[1, 50000000\]"):
            one_hot(np.array([0]), num_classes)
    assert one_hot(np.array([1]), np.int64(3)).shape == (3, 1)
