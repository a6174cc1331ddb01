"""Downloading MNIST (or a data set in the same format) with a SHA-256 check.

The course never needs this: MNIST ships with nnlib.  It is here for other copies,
such as Fashion-MNIST, which use the same four file names and format.
"""
import hashlib
import urllib.request
from pathlib import Path

from .files import atomic_write
from .mnist import MNIST_FILES, MNIST_SHA256, sha256 as _file_sha256

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


class DownloadError(OSError):
    """No mirror delivered a file with the right SHA-256; the message lists every attempt.

    Introduced in chapter 2.
    """


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

    Introduced in chapter 2.
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
