"""nnlib.idx: IDX files (MNIST's format) read exactly, and bad ones refused with one line naming
the file, without allocating more than the file holds."""
import gzip
import os
import struct
import tempfile
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnlib.idx import IDX_DTYPES, IDXError, read_idx, read_idx_header

from conftest import FAST, write_idx, zero_chunks


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


# ----------------------------------------------------------------- bad headers
def idx_bytes(type_byte, dims, body=b""):
    """An IDX file: magic 00 00 TT DD, the sizes as big-endian uint32, then ``body``."""
    return bytes([0, 0, type_byte, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + body


@pytest.mark.parametrize("compress", [False, True])
def test_huge_header_refused_without_allocating(tmp_path, compress):
    """A header claiming 4e9 images is refused; one claiming 1.6 GB (under the limit) in a file of a
    few bytes fails as truncated.  Neither allocates more than the file really holds."""
    for count, match in ((4_000_000_000, r"header claims shape \(4000000000, 28, 28\)"),
                         (2_000_000, r"truncated: expected 1568000000 bytes")):
        raw = idx_bytes(0x08, [count, 28, 28], bytes(1000))
        path = tmp_path / ("huge.gz" if compress else "huge.idx")
        path.write_bytes(gzip.compress(raw) if compress else raw)
        tracemalloc.start()
        try:
            with pytest.raises(IDXError, match=match):
                read_idx(path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 8 * 2**20, f"read_idx allocated {peak:,} bytes for a {len(raw)}-byte file"


def test_dimension_product_does_not_overflow(tmp_path):
    """(2^32 − 1)^3 overflows a 64-bit integer; the size check must still see it as huge."""
    path = tmp_path / "overflow.idx"
    path.write_bytes(idx_bytes(0x0E, [2**32 - 1] * 3))
    with pytest.raises(IDXError, match=r"overflow\.idx: header claims shape"):
        read_idx(path)


@pytest.mark.parametrize("dims,match", [
    ([0, 2**32 - 1, 2**32 - 1, 2**32 - 1], "cannot be made into a numpy array"),  # 0 bytes, absurd shape
    ([1] * 100, "cannot be made into a numpy array"),                             # too many dimensions
    ([], "declares 0 dimensions"),
])
def test_impossible_shapes(tmp_path, dims, match):
    path = tmp_path / "shape.idx"
    path.write_bytes(idx_bytes(0x08, dims, b"\x07" if dims == [1] * 100 else b""))
    with pytest.raises(IDXError, match=r"shape\.idx: .*" + match):
        read_idx(path)


def test_unknown_type_byte(tmp_path):
    path = tmp_path / "type.idx"
    path.write_bytes(idx_bytes(0x07, [3], bytes(3)))
    with pytest.raises(IDXError, match=r"type\.idx: not an IDX file: magic number 00000701"):
        read_idx(path)
    with pytest.raises(IDXError, match="not an IDX file"):
        read_idx_header(path)


def test_wrong_dimensions_for_the_expected_shape(tmp_path):
    path = tmp_path / "labels.idx"
    path.write_bytes(idx_bytes(0x08, [4], bytes(4)))
    with pytest.raises(IDXError, match=r"labels\.idx: has shape \(4,\), expected \(n, 28, 28\)"):
        read_idx(path, expected_shape=(None, 28, 28))


def test_corrupt_gzip_and_a_directory(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
    with pytest.raises(IDXError, match=r"bad\.gz: cannot be read as IDX"):
        read_idx(path)
    with pytest.raises(IDXError, match="cannot be read as IDX"):
        read_idx(tmp_path)


# ------------------------------ gzip bombs and byte order (issue 11, defect 8)
@pytest.mark.parametrize("type_byte,itemsize", [(0x08, 1), (0x0D, 4)])
def test_idx_gzip_bomb_peaks_at_one_copy(tmp_path, type_byte, itemsize):
    """Issue 11, defect 8: reading a gzip IDX file held the data twice (chunks + join) or more (byte swap).
    32 MiB of zeros compressed to ~32 KB must cost about one copy."""
    count = 32 * 2**20 // (28 * 28 * itemsize)
    nbytes = count * 28 * 28 * itemsize
    header = bytes([0, 0, type_byte, 3]) + struct.pack(">III", count, 28, 28)
    path = tmp_path / "bomb.gz"
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(header)
        for chunk in zero_chunks(nbytes):
            f.write(chunk)
    assert path.stat().st_size < 2**20
    tracemalloc.start()
    try:
        array = read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert array.shape == (count, 28, 28) and array.dtype.isnative and not array.any()
    assert peak < nbytes + 12 * 2**20, f"peak {peak:,} bytes for {nbytes:,} bytes of data"


def test_idx_big_endian_values_survive_the_in_place_swap(tmp_path):
    values = np.array([[1.5, -2.25], [3e38, -7.0]], dtype=">f4")
    raw = bytes([0, 0, 0x0D, 2]) + struct.pack(">II", 2, 2) + values.tobytes()
    for name, data in (("v.idx", raw), ("v.gz", gzip.compress(raw))):
        (tmp_path / name).write_bytes(data)
        got = read_idx(tmp_path / name)
        assert got.dtype == np.float32 and got.dtype.isnative
        np.testing.assert_array_equal(got, values.astype(np.float32))


# ------------------------------------------------- property-based (hypothesis)
def _read(data, compress):
    """read_idx on ``data`` written to a fresh file; returns the array or the IDXError."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "fuzz.idx")
        with open(path, "wb") as f:
            f.write(gzip.compress(data) if compress else data)
        try:
            return read_idx(path)
        except IDXError as e:  # the one documented error; anything else fails the test
            assert "fuzz.idx" in str(e)
            return e


@FAST
@given(data=st.binary(max_size=300), compress=st.booleans())
def test_random_bytes_give_an_array_or_an_idx_error(data, compress):
    _read(data, compress)


@st.composite
def idx_like(draw):
    """Bytes that start like an IDX file (so the fuzzing reaches past the magic number):
    a valid or nearly valid type byte, 0-5 dimensions of small, zero or huge sizes, a random body."""
    type_byte = draw(st.sampled_from(sorted(IDX_DTYPES) + [0x00, 0x0A, 0xFF]))
    ndim = draw(st.integers(0, 5))
    dims = draw(st.lists(st.one_of(st.integers(0, 4), st.just(2**32 - 1), st.integers(0, 2**32 - 1)),
                         min_size=ndim, max_size=ndim))
    header = bytes([0, 0, type_byte, ndim]) + b"".join(d.to_bytes(4, "big") for d in dims)
    cut = draw(st.integers(0, len(header)))
    return header[:len(header) - cut] + draw(st.binary(max_size=200))


@FAST
@given(data=idx_like(), compress=st.booleans())
def test_idx_like_bytes_give_an_array_or_an_idx_error(data, compress):
    result = _read(data, compress)
    if isinstance(result, np.ndarray):
        assert result.dtype == IDX_DTYPES[data[2]].newbyteorder("=")
        assert result.shape == tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3]))


@FAST
@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=4),
       type_byte=st.sampled_from(sorted(IDX_DTYPES)), seed=st.integers(0, 2**16), compress=st.booleans())
def test_valid_idx_files_read_back_exactly(shape, type_byte, seed, compress):
    dtype = IDX_DTYPES[type_byte]
    values = np.random.default_rng(seed).integers(-100, 100, size=shape).astype(dtype)
    data = bytes([0, 0, type_byte, len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape)
    got = _read(data + values.tobytes(), compress)
    np.testing.assert_array_equal(got, values)
