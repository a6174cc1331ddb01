"""Files, safely: reading only regular files, writing through a temporary file.

:func:`atomic_write` writes to a temporary file beside the target and renames
it into place, so a crash mid-write leaves the previous file intact.  It never
replaces anything that is not a regular file (a device node such as
``/dev/null``, a FIFO, a socket, a folder), honours the umask for a new file
and keeps an existing file's permissions.

:func:`regular_file` checks, without opening it, that a path is a regular file
(opening a FIFO for reading blocks until someone writes to it).
:func:`check_output_path` checks that a file can be written at a path before
any long work is done.
"""
import errno
import os
import stat
import tempfile


class OutputPathError(ValueError):
    """A file cannot be written at a path: the message names the path and the reason."""


class MissingFileError(FileNotFoundError):
    """A FileNotFoundError whose message is ``PATH: no such file``."""

    def __str__(self):
        return f"{self.filename}: no such file"


def _kind(mode):
    """What a file of this ``st_mode`` is, in words (for messages)."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


def regular_file(path, error=ValueError, what="file", lead=""):
    """``os.stat(path)`` if ``path`` is a regular file; otherwise raise ``error`` naming it.

    A missing file (or a dangling symbolic link) raises FileNotFoundError, as
    opening it would.  Everything else (a folder, a FIFO, a device, a socket,
    a symbolic link loop, no permission) raises ``error(message)`` in one line;
    ``lead`` is put before the reason.
    """
    path = os.fspath(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise MissingFileError(errno.ENOENT, "no such file", path) from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise error(f"{path}: {lead}a loop of symbolic links, not a {what}") from None
        raise error(f"{path}: {lead}cannot be read ({e.strerror or e})") from None
    if not stat.S_ISREG(st.st_mode):
        kind = _kind(st.st_mode)
        hint = ""
        if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode) or stat.S_ISSOCK(st.st_mode):
            hint = "; reading from a pipe or standard input is not supported: save it to a file first"
        raise error(f"{path}: {lead}is {kind}, not a regular {what}{hint}")
    return st


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_output_path(path):
    """Raise :class:`OutputPathError` unless a new file can be written at ``path``.

    Checked before long work (training) so that it does not fail at the end:
    the path is not empty, its folder exists and is writable (a temporary file
    is created and removed there), and ``path`` is not a folder, a device node,
    a FIFO or a socket (which :func:`atomic_write` refuses to replace).
    """
    path = os.fspath(path)
    if not path:
        raise OutputPathError("an empty output path: give a file name such as net.npz")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise OutputPathError(f"{path}: cannot save there: the folder {folder} does not exist")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputPathError(f"{path}: cannot save there ({e.strerror or e})") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputPathError(f"{path}: is a folder; give a file name such as net.npz")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputPathError(f"{path}: is {_kind(st.st_mode)}, not a regular file: refusing to "
                              f"replace it; give a file name such as net.npz")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".nnlib-write-test.", suffix=".tmp")
    except OSError as e:
        raise OutputPathError(f"{path}: cannot save there: the folder {folder} is not writable "
                              f"({e.strerror or e})") from None
    os.close(fd)
    os.unlink(probe)


def atomic_write(path, write):
    """Call ``write(file_object)`` on a temporary file next to ``path``, then rename it to ``path``.

    A new file gets the permissions ``0666 & ~umask`` (like ``open(path, "w")``);
    an existing regular file keeps its permissions.  If ``path`` is a folder, a
    device node, a FIFO or a socket, :class:`OutputPathError` is raised and
    nothing is written.

    Introduced in chapter 6.
    """
    path = os.fspath(path)
    if not path:
        raise OutputPathError("an empty output path: give a file name such as net.npz")
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputPathError(f"{path}: is {_kind(st.st_mode)}, not a regular file: refusing to "
                              f"replace it")
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
