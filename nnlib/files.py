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
import signal
import stat
import tempfile
import threading


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
    path = as_path(path)
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


def as_path(path):
    """``path`` (a ``str``, ``bytes`` or ``os.PathLike``) as a ``str``, the one type of path in
    messages; bytes that are not valid in the file-system encoding survive the round trip."""
    return os.fsdecode(os.fspath(path))


def _target(path):
    """Where a save to ``path`` really writes: through a symbolic link to the file it points to
    (the link itself is kept, as a shell's ``>`` keeps it)."""
    return os.path.realpath(path) if os.path.islink(path) else path


def _folder(path):
    """The folder a file is created in, resolved by the system as the save will resolve it
    (``link/../x`` goes up from the link's target, not from where the link is)."""
    return os.path.dirname(path) or os.curdir


def _name_max(folder):
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _temporary(folder, name):
    """A new temporary file beside the target: ``(fd, path)``; its name is short whatever ``name``."""
    return tempfile.mkstemp(dir=folder, prefix="." + name[:32] + ".", suffix=".tmp")


def _check_replaceable(path, st, hint=""):
    """Refuse to replace what is not a regular file, or a file nobody may write (mode 0444)."""
    if stat.S_ISDIR(st.st_mode):
        raise OutputPathError(f"{path}: is a folder{hint}")
    if not stat.S_ISREG(st.st_mode):
        raise OutputPathError(f"{path}: is {_kind(st.st_mode)}, not a regular file: refusing to "
                              f"replace it{hint}")
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise OutputPathError(f"{path}: is read-only (mode {stat.S_IMODE(st.st_mode):04o}): refusing "
                              f"to overwrite it{hint}")


def check_output_path(path):
    """Raise :class:`OutputPathError` unless a new file can be written at ``path``.

    Checked before long work (training) so that it does not fail at the end, the
    way the save itself will go: through a symbolic link to its target, with
    ``..`` resolved by the system; the path is not empty, names a file (not
    ``dir/``), its folder exists and a temporary file can be created there with
    the name the save uses, the name fits the file system's limit (255 bytes on
    most), and ``path`` is not a folder, a device node, a FIFO, a socket or a
    read-only file (which :func:`atomic_write` refuses to replace).
    """
    path = as_path(path)
    hint = "; give a file name such as net.npz"
    if not path:
        raise OutputPathError("an empty output path: give a file name such as net.npz")
    if path.endswith(os.sep) or os.path.basename(path) in ("", ".", ".."):
        raise OutputPathError(f"{path}: names a folder, not a file{hint}")
    target = _target(path)
    folder, name = _folder(target), os.path.basename(target)
    if not os.path.isdir(folder):
        raise OutputPathError(f"{path}: cannot save there: the folder {folder} does not exist")
    limit = _name_max(folder)
    if len(os.fsencode(name)) > limit:
        raise OutputPathError(f"{path}: the file name is {len(os.fsencode(name))} bytes long, more "
                              f"than the {limit} this file system accepts{hint}")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputPathError(f"{path}: cannot save there ({e.strerror or e})") from None
    if st is not None:
        _check_replaceable(path, st, hint)
    try:
        fd, probe = _temporary(folder, name)
    except OSError as e:
        if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT):
            raise OutputPathError(f"{path}: cannot save there: the folder {folder} is not writable "
                                  f"({e.strerror or e})") from None
        raise OutputPathError(f"{path}: cannot save there: no file can be created in the folder "
                              f"{folder} ({e.strerror or e})") from None   # a full disk, a quota
    os.close(fd)
    os.unlink(probe)


class _TerminateAsExit:
    """While active, SIGTERM raises SystemExit(143) (as the default action would end the
    process with status 143), so that cleanup code runs; only in the main thread and only
    if SIGTERM still has its default action (a program's own handler is left alone)."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            self.previous = signal.signal(signal.SIGTERM, self._exit)
        return self

    @staticmethod
    def _exit(signum, frame):
        raise SystemExit(128 + signum)

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


def atomic_write(path, write):
    """Call ``write(file_object)`` on a temporary file next to ``path``, then rename it to ``path``.

    A new file gets the permissions ``0666 & ~umask`` (like ``open(path, "w")``);
    an existing regular file keeps its permissions.  A symbolic link is written
    through (its target is replaced; the link stays).  If ``path`` is a folder,
    a device node, a FIFO, a socket or a read-only file, :class:`OutputPathError`
    is raised and nothing is written.  Interrupted (an exception, Ctrl-C,
    SIGTERM), it leaves no temporary file behind.

    Introduced in chapter 6.
    """
    path = as_path(path)
    if not path:
        raise OutputPathError("an empty output path: give a file name such as net.npz")
    target = _target(path)
    try:
        st = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    if st is not None:
        _check_replaceable(path, st)
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
    with _TerminateAsExit():
        fd, tmp = _temporary(_folder(target), os.path.basename(target))
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), mode)
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
