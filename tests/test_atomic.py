"""Nothing lost: a failure while writing a file leaves the previous file intact and no temporary file."""
import numpy as np
import pytest

from nnlib import Network, load_network, save_network
from nnlib import io as nnio


@pytest.fixture
def previous(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"the previous, good contents")
    return path


def _only(path):
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "a temporary file was left behind"


def test_writer_that_fails_half_way(previous):
    def half_then_crash(f):
        f.write(b"half of the new")
        raise OSError("disk full (simulated)")

    with pytest.raises(OSError, match="disk full"):
        nnio.atomic_write(previous, half_then_crash)
    assert previous.read_bytes() == b"the previous, good contents"
    _only(previous)


def test_interrupt_mid_write(previous):
    def interrupted(f):
        f.write(b"x" * 1000)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        nnio.atomic_write(previous, interrupted)
    assert previous.read_bytes() == b"the previous, good contents"
    _only(previous)


def test_rename_that_fails(previous, monkeypatch):
    def no_replace(src, dst):
        raise PermissionError("rename refused (simulated)")

    monkeypatch.setattr(nnio.os, "replace", no_replace)
    with pytest.raises(PermissionError, match="rename refused"):
        nnio.atomic_write(previous, lambda f: f.write(b"new"))
    assert previous.read_bytes() == b"the previous, good contents"
    _only(previous)


def test_fsync_that_fails(previous, monkeypatch):
    def no_fsync(fd):
        raise OSError("I/O error (simulated)")

    monkeypatch.setattr(nnio.os, "fsync", no_fsync)
    with pytest.raises(OSError, match="I/O error"):
        nnio.atomic_write(previous, lambda f: f.write(b"new"))
    assert previous.read_bytes() == b"the previous, good contents"
    _only(previous)


def test_success_writes_next_to_the_target_then_renames(previous):
    seen = {}

    def writer(f):
        seen["files"] = sorted(p.name for p in previous.parent.iterdir())
        assert previous.read_bytes() == b"the previous, good contents"  # not touched while writing
        f.write(b"new contents")

    nnio.atomic_write(previous, writer)
    # the temporary file sat in the same folder (so the rename is atomic); its name is its own
    assert len(seen["files"]) == 2 and "data.bin" in seen["files"]
    assert previous.read_bytes() == b"new contents"
    _only(previous)


def test_save_network_with_a_failing_rename_keeps_the_old_network(tmp_path, monkeypatch):
    path = tmp_path / "net.npz"
    old = Network([5, 4, 3], rng=0)
    save_network(old, path)

    def no_replace(src, dst):
        raise OSError("rename failed (simulated)")

    monkeypatch.setattr(nnio.os, "replace", no_replace)
    with pytest.raises(OSError, match="rename failed"):
        save_network(Network([5, 4, 3], rng=1), path)
    back = load_network(path)
    for a, b in zip(old.weights + old.biases, back.weights + back.biases):
        np.testing.assert_array_equal(a, b)
    _only(path)


def test_save_network_that_crashes_half_way(tmp_path, monkeypatch):
    path = tmp_path / "net.npz"
    save_network(Network([5, 4, 3], rng=0), path)
    before = path.read_bytes()
    real_savez = np.savez

    def savez_half(f, **arrays):
        real_savez(f, **arrays)
        f.truncate(f.tell() // 2)   # half a file written...
        raise OSError("crash (simulated)")  # ...then the crash

    monkeypatch.setattr(np, "savez", savez_half)
    with pytest.raises(OSError, match="crash"):
        save_network(Network([5, 4, 3], rng=1), path)
    assert path.read_bytes() == before
    _only(path)
