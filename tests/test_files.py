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


# ----------------------------------------------------------------------------- issue 23 (hostile input, round 3)
def test_the_output_check_resolves_paths_as_the_save_does(tmp_path):
    """Item 3: check_output_path used abspath, but the save goes through the real path:
    ``link/../x`` (link a symbolic link to a folder elsewhere) and a 250-character name (the
    temporary file added 13 characters, past the 255-byte limit) passed the check and failed
    after training.  Now what the check accepts, the save writes, and what it refuses is
    refused before any work."""
    from nnlib.files import OutputPathError, atomic_write, check_output_path
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "link").symlink_to(tmp_path / "a" / "b")
    through = tmp_path / "here" / "link" / ".." / "x.npz"   # the system resolves it to a/x.npz
    check_output_path(through)
    save_network(Network([2, 2], rng=0), through)
    assert (tmp_path / "a" / "x.npz").is_file() and not (tmp_path / "here" / "x.npz").exists()
    (tmp_path / "here" / "gone").symlink_to(tmp_path / "nowhere" / "deeper")
    with pytest.raises(OutputPathError, match="does not exist"):
        check_output_path(tmp_path / "here" / "gone" / ".." / "x.npz")
    long_name = tmp_path / ("n" * 246 + ".npz")   # 250 bytes: a valid name
    check_output_path(long_name)
    save_network(Network([2, 2], rng=0), long_name)
    assert load_network(long_name).sizes == [2, 2]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    with pytest.raises(OutputPathError, match="256 bytes long, more than the 255"):
        check_output_path(tmp_path / ("n" * 252 + ".npz"))
    with pytest.raises(OutputPathError, match="names a folder"):
        check_output_path(str(tmp_path / "net.npz") + "/")
    with pytest.raises(OutputPathError):
        atomic_write(tmp_path / "a", lambda f: None)   # a folder: refused, as before


def test_a_symlink_is_written_through_and_a_read_only_file_is_kept(tmp_path):
    """Item 10: saving to a symbolic link replaced the link by a file, and a read-only (0444)
    file was overwritten.  The link now stays and its target gets the parameters; a read-only
    file is refused, in the check before training and in the save itself."""
    import os
    from nnlib.files import OutputPathError, check_output_path
    target = tmp_path / "real.npz"
    target.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    save_network(Network([2, 2], rng=0), link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert load_network(target).sizes == [2, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.npz", "real.npz"]
    read_only = tmp_path / "ro.npz"
    read_only.write_bytes(b"keep me")
    read_only.chmod(0o444)
    for attempt in (check_output_path, lambda p: save_network(Network([2, 2], rng=0), p)):
        with pytest.raises(OutputPathError, match=r"ro.npz: is read-only \(mode 0444\)"):
            attempt(read_only)
        assert read_only.read_bytes() == b"keep me"
    ro_link = tmp_path / "ro-link.npz"
    ro_link.symlink_to(read_only)
    with pytest.raises(OutputPathError, match="read-only"):
        check_output_path(ro_link)


def test_sigterm_during_a_save_leaves_no_temporary_file(tmp_path):
    """Item 13: SIGTERM during a save left the .tmp file behind (SIGINT did not).  The process
    still ends with the status SIGTERM gives (143), and the previous file is intact."""
    import subprocess
    import sys
    path = tmp_path / "data.bin"
    path.write_bytes(b"previous")
    code = f"""
import os, signal, time
from nnlib.files import atomic_write
def write(f):
    f.write(b"half")
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
atomic_write({str(path)!r}, write)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 143 and "Traceback" not in result.stderr, result
    assert path.read_bytes() == b"previous"
    _only(path)


def test_a_folder_that_is_full_is_not_called_read_only(tmp_path, monkeypatch):
    """Item 11: any failure to create the probe file was reported as 'the folder is not
    writable', a full disk or a quota too."""
    import errno
    import os
    from nnlib import files
    from nnlib.files import OutputPathError, check_output_path

    def full(folder, name):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(files, "_temporary", full)
    with pytest.raises(OutputPathError, match=r"no file can be created in the folder .* \(No space left"):
        check_output_path(tmp_path / "n.npz")
