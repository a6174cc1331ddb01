"""Reading MNIST: the IDX file format, the bundled files, one-hot labels, mini-batches.

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
import collections
import gzip
import hashlib
import math
import os
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from .io import atomic_write

#: IDX type byte -> numpy dtype (big-endian where it matters)
IDX_DTYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}

#: Refuse files whose header promises more than this many bytes of data.
MAX_IDX_BYTES = 2**31

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

#: Where :func:`download_mnist` looks for the four files (tried in this order).
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
#: Fashion-MNIST uses the same four file names and the same IDX format.  Its SHA-256
#: sums are not listed here (they could not be verified when this was written):
#: pass your own, ``download_mnist(dir, mirrors=FASHION_MNIST_MIRRORS, sha256={...})``.
FASHION_MNIST_FILES = dict(MNIST_FILES)
FASHION_MNIST_MIRRORS = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)

MNIST = collections.namedtuple("MNIST", "train_images train_labels test_images test_labels")
MNIST.__doc__ = """The four MNIST arrays: images ``(n, 28, 28)``, labels ``(n,)``."""


class IDXError(ValueError):
    """An IDX file is malformed: the message names the file and what was expected."""


def _open(path):
    """Open ``path`` for binary reading, through gzip if it starts with the gzip magic 1f 8b."""
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


def read_idx_header(path):
    """Decode the header of an IDX file: returns ``(dtype, shape)``."""
    path = os.fspath(path)
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
    """
    path = os.fspath(path)
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
            data = _read_exactly(f, nbytes, path, f"data for shape {shape}")
            if f.read(1):
                raise IDXError(f"{path}: has more data than its header's shape {shape} accounts for")
    except (OSError, EOFError, zlib.error) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise IDXError(f"{path}: cannot be read as IDX ({e})") from None
    try:
        array = np.frombuffer(data, dtype=dtype).reshape(shape)
    except ValueError as e:  # e.g. more dimensions than numpy supports, or an absurd empty shape
        raise IDXError(f"{path}: shape {shape} cannot be made into a numpy array ({e})") from None
    return array.astype(dtype.newbyteorder("="))


def sha256(path):
    """The SHA-256 hex digest of a file."""
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
    """
    directory = MNIST_DIR if directory is None else Path(directory)
    arrays = {}
    for key, name in MNIST_FILES.items():
        path = directory / name
        if not path.exists() and (directory / name[:-3]).exists():
            path = directory / name[:-3]  # the uncompressed file
        shape = (None, 28, 28) if key.endswith("images") else (None,)
        arrays[key] = read_idx(path, expected_shape=shape)
    for split in ("train", "test"):
        n_img, n_lab = len(arrays[f"{split}_images"]), len(arrays[f"{split}_labels"])
        if n_img != n_lab:
            raise IDXError(f"{directory}: {n_img} {split} images but {n_lab} {split} labels")
    if scale:
        for key in ("train_images", "test_images"):
            arrays[key] = arrays[key].astype(dtype) / dtype(255)
    return MNIST(**arrays)


def to_columns(images, dtype=np.float32):
    """Flatten images ``(m, 28, 28)`` into a matrix of columns ``(784, m)``.

    uint8 pixels are scaled to [0, 1]; floats are kept as they are.  The
    result is the transpose of a row-per-image array: column i is image i.
    """
    images = np.asarray(images)
    x = images.reshape(images.shape[0], -1)
    if images.dtype == np.uint8:
        x = x.astype(dtype) / dtype(255)
    else:
        x = x.astype(dtype, copy=False)
    return x.T


def one_hot(labels, num_classes=10, dtype=np.float64):
    """One-hot targets as columns: labels ``(m,)`` -> ``(num_classes, m)``.

    Column i has a 1 in row ``labels[i]`` and 0 elsewhere.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-D array, got shape {labels.shape}")
    if labels.size and (not np.issubdtype(labels.dtype, np.integer)
                        or labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be integers in 0..{num_classes - 1}, got values "
                         f"from {labels.min()} to {labels.max()} ({labels.dtype})")
    y = np.zeros((num_classes, labels.size), dtype=dtype)
    y[labels, np.arange(labels.size)] = 1
    return y


def minibatches(x, y, batch_size, rng=None):
    """Yield ``(x_batch, y_batch)`` pairs covering every column once.

    ``x``: ``(n_0, m)``; ``y``: ``(n_L, m)`` targets or ``(m,)`` labels.  With
    a ``numpy.random.Generator`` the columns are shuffled first; the last
    batch may be smaller.
    """
    m = x.shape[1]
    if y.shape[-1] != m:
        raise ValueError(f"x has {m} samples (columns) but y has {y.shape[-1]}")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    order = rng.permutation(m) if rng is not None else np.arange(m)
    for k in range(0, m, batch_size):
        idx = order[k:k + batch_size]
        yield x[:, idx], y[..., idx]


_file_sha256 = sha256  # download_mnist's argument ``sha256`` hides the function's name


class DownloadError(OSError):
    """No mirror delivered a file with the right SHA-256; the message lists every attempt."""


def download_mnist(directory, mirrors=MNIST_MIRRORS, files=MNIST_FILES, sha256=MNIST_SHA256,
                   timeout=30, max_bytes=200 * 2**20):
    """Download the MNIST files (or another set in the same format) into ``directory``.

    Each file in ``files`` is fetched from the first of ``mirrors`` (base URLs)
    that answers, streamed into a temporary file while its SHA-256 is computed,
    and renamed into place only if the digest equals ``sha256[name]``; a bad
    download never replaces a good file.  Files already present with the right
    digest are not fetched again.  On failure the next mirror is tried; if all
    fail, :class:`DownloadError` lists what went wrong with each one.

    ``sha256`` is required for every file: pass ``sha256=None`` and you get a
    ValueError, not an unchecked download.  Returns the directory, ready for
    ``load_mnist(directory)``.  (The course itself never downloads: MNIST ships
    with nnlib.)
    """
    if sha256 is None or any(name not in sha256 for name in files.values()):
        raise ValueError("download_mnist needs the SHA-256 digest of every file: "
                         "pass sha256={file name: hex digest}")
    if not mirrors:
        raise ValueError("download_mnist needs at least one mirror URL")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name in files.values():
        path, want = directory / name, sha256[name].lower()
        if path.exists() and _file_sha256(path) == want:
            continue  # already downloaded and intact
        failures = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            try:
                atomic_write(path, lambda f: _fetch_verified(url, f, want, timeout, max_bytes))
                break
            except (OSError, ValueError) as e:  # URLError and HTTPError are OSErrors
                failures.append(f"{url}: {e}")
        else:
            raise DownloadError(f"could not download {name} into {directory}; every mirror failed:\n  "
                                + "\n  ".join(failures))
    return directory


def _fetch_verified(url, f, want, timeout, max_bytes):
    """Copy ``url`` into the open file ``f``; ValueError if its SHA-256 is not ``want``."""
    h, size = hashlib.sha256(), 0
    with urllib.request.urlopen(url, timeout=timeout) as response:
        for chunk in iter(lambda: response.read(1 << 20), b""):
            size += len(chunk)
            if size > max_bytes:
                raise ValueError(f"larger than {max_bytes:,} bytes; refused")
            h.update(chunk)
            f.write(chunk)
    if h.hexdigest() != want:
        raise ValueError(f"SHA-256 mismatch: got {h.hexdigest()}, expected {want} ({size:,} bytes)")
