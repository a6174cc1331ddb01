"""The IDX file format, in which MNIST is stored.

An IDX file is a small header followed by raw numbers, all big-endian:

====== ======================================================================
bytes  meaning
====== ======================================================================
0-1    two zero bytes
2      type of the data: 0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
       0x0C int32, 0x0D float32, 0x0E float64
3      number of dimensions d (3 for images, 1 for labels)
4..    d sizes, each a 4-byte big-endian unsigned integer
...    the data, row-major, the last dimension varying fastest
====== ======================================================================

So MNIST's image files start with the magic number 0x00000803 and have a
16-byte header (magic, count, rows, columns); the label files start with
0x00000801 and have an 8-byte header (magic, count).
"""
import gzip
import math
import os
import zlib

import numpy as np

from .files import as_path, regular_file

#: IDX type byte -> numpy dtype (big-endian where it matters)
IDX_DTYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}

#: Refuse files whose header promises more than this many bytes of data.
MAX_IDX_BYTES = 2**31


class IDXError(ValueError):
    """An IDX file is malformed: the message names the file and what was expected.

    Introduced in chapter 2.
    """


def _open(path):
    """Open ``path`` for binary reading, through gzip if it starts with the gzip magic 1f 8b.

    Only regular files are opened (a FIFO would block until someone writes to it).
    """
    regular_file(path, IDXError, "IDX file", lead="cannot be read as IDX: ")
    with open(path, "rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gz else open(path, "rb")


def _read_exactly(f, n, path, what):
    """Read n bytes in chunks (never allocating more than what the file really holds)."""
    chunks, remaining = [], n
    while remaining > 0:
        chunk = f.read(min(remaining, 1 << 22))
        if not chunk:
            raise IDXError(f"{path}: truncated: expected {n} bytes of {what}, found only {n - remaining}")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_into(f, n, path, what):
    """Read exactly n bytes into a new uint8 array, in chunks, without any other copy.

    The array is allocated at the declared size (memory is only committed as it
    is filled) and reading stops there: a gzip bomb costs at most one copy of
    the declared data, which the caller has limited to :data:`MAX_IDX_BYTES`.
    """
    # A file shorter than its header claims must not cost the claimed memory: a raw file's
    # size is known; a compressed one must deliver a first chunk before the array is made.
    try:
        size = os.fstat(f.fileno()).st_size
    except (AttributeError, OSError):
        size = None
    if size is not None and not isinstance(f, gzip.GzipFile) and size - f.tell() < n:
        raise IDXError(f"{path}: truncated: expected {n} bytes of {what}, found only "
                       f"{max(0, size - f.tell())}")
    first = f.read(min(n, 1 << 22))
    if len(first) < min(n, 1 << 22):
        raise IDXError(f"{path}: truncated: expected {n} bytes of {what}, found only {len(first)}")
    data = np.empty(n, dtype=np.uint8)
    data[:len(first)] = np.frombuffer(first, dtype=np.uint8)
    done = len(first)
    del first
    view = memoryview(data)
    while done < n:
        got = f.readinto(view[done:done + min(n - done, 1 << 20)])
        if not got:
            raise IDXError(f"{path}: truncated: expected {n} bytes of {what}, found only {done}")
        done += got
    return data


def read_idx_header(path):
    """Decode the header of an IDX file: returns ``(dtype, shape)``.

    Introduced in chapter 2.
    """
    path = as_path(path)
    try:
        with _open(path) as f:
            return _read_header(f, path)
    except (OSError, EOFError, zlib.error) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise IDXError(f"{path}: cannot be read as IDX ({e})") from None


def _read_header(f, path):
    magic = _read_exactly(f, 4, path, "the 4-byte magic number")
    if magic[0] != 0 or magic[1] != 0 or magic[2] not in IDX_DTYPES:
        raise IDXError(f"{path}: not an IDX file: magic number {magic.hex()} should be 0000TTDD "
                       f"with type byte TT one of {', '.join(f'{t:02x}' for t in IDX_DTYPES)}")
    dtype, ndim = IDX_DTYPES[magic[2]], magic[3]
    if ndim == 0:
        raise IDXError(f"{path}: the magic number {magic.hex()} declares 0 dimensions")
    dims = _read_exactly(f, 4 * ndim, path, f"the {ndim} dimension sizes of the header")
    shape = tuple(int(d) for d in np.frombuffer(dims, dtype=">u4"))
    return dtype, shape


def read_idx(path, expected_shape=None):
    """Read an IDX file (raw, or gzip-compressed) into a numpy array.

    ``expected_shape``, if given, is a tuple whose ``None`` entries match any
    size, e.g. ``(None, 28, 28)`` for an image file.  Raises :class:`IDXError`
    (a ValueError) naming the file when the header is wrong, the file is
    shorter or longer than its header says, or the shape is not the expected
    one.  The header is checked before the data is read, so a header that
    claims gigabytes is refused without allocating them.

    Introduced in chapter 2.
    """
    path = as_path(path)
    try:
        with _open(path) as f:
            dtype, shape = _read_header(f, path)
            if expected_shape is not None and (
                    len(shape) != len(expected_shape)
                    or any(e is not None and e != s for s, e in zip(shape, expected_shape))):
                want = "(" + ", ".join("n" if e is None else str(e) for e in expected_shape) + ")"
                raise IDXError(f"{path}: has shape {shape}, expected {want}")
            nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
            if nbytes > MAX_IDX_BYTES:
                raise IDXError(f"{path}: header claims shape {shape} ({nbytes:,} bytes of data), "
                               f"more than the {MAX_IDX_BYTES:,} this reader accepts")
            data = _read_into(f, nbytes, path, f"data for shape {shape}")
            if f.read(1):
                raise IDXError(f"{path}: has more data than its header's shape {shape} accounts for")
    except (OSError, EOFError, zlib.error) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise IDXError(f"{path}: cannot be read as IDX ({e})") from None
    try:
        array = data.view(dtype).reshape(shape)
    except ValueError as e:  # e.g. more dimensions than numpy supports, or an absurd empty shape
        raise IDXError(f"{path}: shape {shape} cannot be made into a numpy array ({e})") from None
    if dtype.byteorder == ">":   # to the machine's byte order in place: no second copy
        array.byteswap(inplace=True)
        array = array.view(dtype.newbyteorder("="))
    return array
