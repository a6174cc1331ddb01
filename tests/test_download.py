"""download_mnist against a local HTTP server on 127.0.0.1 (never the internet)."""
import functools
import gzip
import hashlib
import http.server
import struct
import threading

import numpy as np
import pytest

from nnlib import download, idx, mnist
from nnlib.download import DownloadError, download_mnist
from nnlib.mnist import load_mnist


def _idx(array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Serves <root>/good/ (a tiny MNIST-format set), <root>/corrupt/ (the same files with one byte
    changed) and <root>/missing/ (nothing: every request is a 404).  Counts the requests."""
    root = tmp_path_factory.mktemp("www")
    rng = np.random.default_rng(0)
    files = {"train-images-idx3-ubyte.gz": _idx(rng.integers(0, 256, (3, 28, 28))),
             "train-labels-idx1-ubyte.gz": _idx(np.array([5, 0, 4])),
             "t10k-images-idx3-ubyte.gz": _idx(rng.integers(0, 256, (2, 28, 28))),
             "t10k-labels-idx1-ubyte.gz": _idx(np.array([7, 2]))}
    for folder in ("good", "corrupt", "missing", "real"):
        (root / folder).mkdir()
    for name, data in files.items():
        (root / "good" / name).write_bytes(data)
        (root / "corrupt" / name).write_bytes(data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:])
        (root / "real" / name).write_bytes((mnist.MNIST_DIR / name).read_bytes())
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield {"base": base, "files": mnist.MNIST_FILES, "requests": requests,
           "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}}
    httpd.shutdown()
    httpd.server_close()


def _closed_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_falls_through_404_and_corrupt_mirrors_to_a_good_one(server, tmp_path):
    base = server["base"]
    mirrors = [f"{base}/missing/", f"{base}/corrupt", f"{base}/good/"]
    out = download_mnist(tmp_path / "cache", mirrors=mirrors, sha256=server["sha256"], timeout=5)
    assert out == tmp_path / "cache"
    assert sorted(p.name for p in out.iterdir()) == sorted(server["sha256"])  # no temporary files
    mnist = load_mnist(out)
    assert mnist.train_images.shape == (3, 28, 28) and list(mnist.train_labels) == [5, 0, 4]
    assert list(mnist.test_labels) == [7, 2]


def test_cached_files_are_not_fetched_again(server, tmp_path):
    base = server["base"]
    download_mnist(tmp_path, mirrors=[f"{base}/good/"], sha256=server["sha256"], timeout=5)
    before = len(server["requests"])
    download_mnist(tmp_path, mirrors=[f"{base}/missing/"], sha256=server["sha256"], timeout=5)
    assert len(server["requests"]) == before


def test_every_mirror_failing_lists_every_failure(server, tmp_path):
    base = server["base"]
    dead = f"http://127.0.0.1:{_closed_port()}/"
    mirrors = [f"{base}/missing/", f"{base}/corrupt/", dead]
    with pytest.raises(DownloadError) as info:
        download_mnist(tmp_path, mirrors=mirrors, sha256=server["sha256"], timeout=5)
    message = str(info.value)
    assert "could not download train-images-idx3-ubyte.gz" in message
    assert f"{base}/missing/train-images-idx3-ubyte.gz: HTTP Error 404" in message
    assert f"{base}/corrupt/train-images-idx3-ubyte.gz: SHA-256 mismatch" in message
    assert f"{dead}train-images-idx3-ubyte.gz: " in message and "refused" in message.lower()
    assert isinstance(info.value, OSError)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_a_bad_download_never_replaces_the_previous_file(server, tmp_path):
    name = "train-images-idx3-ubyte.gz"
    (tmp_path / name).write_bytes(b"an older copy")
    with pytest.raises(DownloadError, match="SHA-256 mismatch"):
        download_mnist(tmp_path, mirrors=[f"{server['base']}/corrupt/"], sha256=server["sha256"], timeout=5)
    assert (tmp_path / name).read_bytes() == b"an older copy"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_an_endless_file_is_cut_off(server, tmp_path):
    with pytest.raises(DownloadError, match="larger than 100 bytes; refused"):
        download_mnist(tmp_path, mirrors=[f"{server['base']}/good/"], sha256=server["sha256"],
                       timeout=5, max_bytes=100)
    assert list(tmp_path.iterdir()) == []


def test_the_real_mnist_table_verifies_the_real_files(server, tmp_path):
    """The default file names and SHA-256 sums match the canonical MNIST files (served locally)."""
    download_mnist(tmp_path, mirrors=[f"{server['base']}/real/"], timeout=5)
    assert len(load_mnist(tmp_path).train_labels) == 60000


def test_checksums_are_required(tmp_path):
    with pytest.raises(ValueError, match="needs the SHA-256 digest of every file"):
        download_mnist(tmp_path, mirrors=download.FASHION_MNIST_MIRRORS, sha256=None)
    with pytest.raises(ValueError, match="needs the SHA-256 digest"):
        download_mnist(tmp_path, sha256={"train-images-idx3-ubyte.gz": "0" * 64})
    with pytest.raises(ValueError, match="at least one mirror"):
        download_mnist(tmp_path, mirrors=[])
    assert list(tmp_path.iterdir()) == []
