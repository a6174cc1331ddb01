"""nnlib.files: nothing lost (a failed write leaves the previous file intact and no temporary
file), output paths that are not regular files refused untouched, and file modes as the umask says."""
import os
import socket
import stat
from pathlib import Path

import numpy as np
import pytest

from nnlib import Network, files, load_network, save_network
from nnlib.files import OutputPathError, atomic_write, check_output_path

from conftest import IS_ROOT, TINY, needs_root, nnlib_cli, one_line_error, scratch_device


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
        files.atomic_write(previous, half_then_crash)
    assert previous.read_bytes() == b"the previous, good contents"
    _only(previous)


def test_interrupt_mid_write(previous):
    def interrupted(f):
        f.write(b"x" * 1000)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        files.atomic_write(previous, interrupted)
    assert previous.read_bytes() == b"the previous, good contents"
    _only(previous)


def test_rename_that_fails(previous, monkeypatch):
    def no_replace(src, dst):
        raise PermissionError("rename refused (simulated)")

    monkeypatch.setattr(files.os, "replace", no_replace)
    with pytest.raises(PermissionError, match="rename refused"):
        files.atomic_write(previous, lambda f: f.write(b"new"))
    assert previous.read_bytes() == b"the previous, good contents"
    _only(previous)


def test_fsync_that_fails(previous, monkeypatch):
    def no_fsync(fd):
        raise OSError("I/O error (simulated)")

    monkeypatch.setattr(files.os, "fsync", no_fsync)
    with pytest.raises(OSError, match="I/O error"):
        files.atomic_write(previous, lambda f: f.write(b"new"))
    assert previous.read_bytes() == b"the previous, good contents"
    _only(previous)


def test_success_writes_next_to_the_target_then_renames(previous):
    seen = {}

    def writer(f):
        seen["files"] = sorted(p.name for p in previous.parent.iterdir())
        assert previous.read_bytes() == b"the previous, good contents"  # not touched while writing
        f.write(b"new contents")

    files.atomic_write(previous, writer)
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

    monkeypatch.setattr(files.os, "replace", no_replace)
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


# --------------------- output paths and file modes (issue 11, defects 1 and 5)
@needs_root
def test_train_never_replaces_a_device_node(tmp_path):
    """Issue 11, defect 1: ``train -o /dev/null`` as root turned /dev/null into a regular file."""
    node = scratch_device(tmp_path)
    rdev = os.stat(node).st_rdev
    result = nnlib_cli("train", *TINY, "-o", node)
    one_line_error(result, str(node), "character device", "refusing to replace")
    assert result.stdout == ""                      # refused before training, not after it
    st = os.stat(node)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == rdev
    with pytest.raises(OutputPathError, match="character device"):
        atomic_write(node, lambda f: f.write(b"x"))
    with pytest.raises(OutputPathError, match="character device"):
        save_network(Network([2, 2], rng=0), node)
    assert stat.S_ISCHR(os.stat(node).st_mode) and os.stat(node).st_rdev == rdev
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]   # no temporary file left


def test_fifo_socket_and_folder_are_never_replaced(tmp_path):
    """Issue 11, defect 1: a FIFO, a socket or a folder at the output path is refused, untouched."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for target, kind in ((fifo, "FIFO"), (sock_path, "socket"), (tmp_path, "folder")):
            with pytest.raises(OutputPathError, match=kind):
                atomic_write(target, lambda f: f.write(b"x"))
            with pytest.raises(OutputPathError, match=kind):
                check_output_path(target)
        assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISSOCK(os.stat(sock_path).st_mode)
    finally:
        sock.close()
    result = nnlib_cli("train", *TINY, "-o", fifo, timeout=60)
    one_line_error(result, "fifo", "FIFO")
    assert result.stdout == "" and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_output_location_is_checked_before_training(tmp_path):
    """Issue 11, defect 1: ``-o ""``, ``-o /proc/...`` and a read-only folder failed only after training."""
    one_line_error(nnlib_cli("train", *TINY, "-o", ""), "empty output path")
    if Path("/proc/self").is_dir():
        result = nnlib_cli("train", *TINY, "-o", "/proc/net.npz")
        one_line_error(result, "/proc/net.npz", "not writable")
        assert result.stdout == ""
    with pytest.raises(OutputPathError, match="empty output path"):
        atomic_write("", lambda f: None)
    if not IS_ROOT:   # root may write into a read-only folder, so this part needs a normal user
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            result = nnlib_cli("train", *TINY, "-o", ro / "net.npz")
            one_line_error(result, "not writable")
            assert result.stdout == ""
        finally:
            ro.chmod(0o700)


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_honours_the_umask(tmp_path, umask, mode):
    """Issue 11, defect 5: saved files were 0600 whatever the umask."""
    old = os.umask(umask)
    try:
        save_network(Network([2, 2], rng=0), tmp_path / "n.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "n.npz").st_mode) == mode


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o640])
def test_an_overwritten_file_keeps_its_mode(tmp_path, mode):
    """Issue 11, defect 5: overwriting a 0644 file downgraded it to 0600."""
    path = tmp_path / "n.npz"
    path.write_bytes(b"old")
    path.chmod(mode)
    old = os.umask(0o077)
    try:
        save_network(Network([2, 2], rng=0), path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert load_network(path).sizes == [2, 2]
