"""Saving and loading a network's parameters as ``.npz``, safely.

The file holds plain arrays (``W1, b1, ..., WL, bL``) and the architecture as
strings; it is read with ``allow_pickle=False``, so loading a file can never
run code (unpickling can).  Files are written to a temporary file in the same
folder and renamed over the target, so a crash mid-write leaves the previous
file intact.

Loading trusts nothing in the file: every member of the zip archive is checked
*before* it is decompressed (its name, its compression method, the shape and
dtype declared in its ``.npy`` header against the layer sizes), so a small
file claiming gigabytes (a zip bomb) is refused without allocating them, and
the network's forward pass must give finite outputs.
"""
import os
import re
import zipfile
import zlib

import numpy as np
from numpy.lib import format as npy_format

from .checks import MAX_LAYERS, MAX_PARAMETERS, check_network_size
from .files import as_path, atomic_write, regular_file
from .network import Network, parameter_names


class ParameterFileError(ValueError):
    """A parameter file is missing arrays, corrupt, or holds arrays of the wrong shape or type.

    Introduced in chapter 6.
    """


# A parameter file may declare at most nnlib.checks.MAX_LAYERS layer sizes and MAX_PARAMETERS
# weights and biases (50 million), the limits of every Network.
_STRINGS = ("activation", "output", "cost")
_LAYER_MEMBER = re.compile(r"[Wb]([1-9][0-9]{0,5})\Z")


def save_network(net, path):
    """Save ``net``'s architecture and parameters to ``path`` (an ``.npz`` file), atomically.

    Introduced in chapter 6.
    """
    arrays = {"sizes": np.array(net.sizes, dtype=np.int64),
              "activation": np.array(net.activation), "output": np.array(net.output),
              "cost": np.array(net.cost)}
    for name, param in net.parameters():
        arrays[name] = param
    atomic_write(path, lambda f: np.savez(f, **arrays))


def _members(zf, path):
    """The archive's members by array name, each checked for name, compression and encryption."""
    members = {}
    for info in zf.infolist():
        name = info.filename
        if not name.endswith(".npy"):
            raise ParameterFileError(f"{path}: holds the member {name!r}, which is not an .npy array; "
                                     f"a parameter file holds only .npy arrays")
        key = name[:-4]
        if key not in ("sizes", *_STRINGS) and not _LAYER_MEMBER.match(key):
            raise ParameterFileError(f"{path}: holds an unknown array {key!r}; expected sizes, "
                                     f"activation, output, cost, W1, b1, W2, b2, ...")
        if key in members:
            raise ParameterFileError(f"{path}: holds the array {key!r} twice")
        if info.flag_bits & 0x1:
            raise ParameterFileError(f"{path}: the array {key!r} is encrypted; parameter files are not")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ParameterFileError(f"{path}: the array {key!r} uses zip compression method "
                                     f"{info.compress_type}; only stored (0) and deflated (8) are read")
        members[key] = info
    return members


def _header(zf, info, path, key):
    """Open a member and read its .npy header: ``(stream, shape, dtype)``, no data read yet."""
    f = zf.open(info)
    try:
        version = npy_format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = npy_format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = npy_format.read_array_header_2_0(f)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    except BaseException:
        f.close()
        raise
    if dtype.hasobject:
        f.close()
        raise ParameterFileError(f"{path}: holds an object array {key!r} that needs pickle to load; "
                                 "refused (loading a pickle can run arbitrary code)")
    return f, shape, dtype


def _read_member(zf, members, path, key, check):
    """Read one member after ``check(shape, dtype)`` has accepted its header (or raised)."""
    if key not in members:
        raise ParameterFileError(f"{path}: missing the array {key!r}")
    f, shape, dtype = _header(zf, members[key], path, key)
    with f:
        check(shape, dtype)
        f.seek(0)
        array = npy_format.read_array(f, allow_pickle=False)
        if f.read(1):   # also makes zipfile check the member's CRC
            raise ParameterFileError(f"{path}: the array {key!r} has more data than its header says")
    return array


def _check_sizes(path):
    def check(shape, dtype):
        if len(shape) != 1 or dtype.kind not in "iu":
            raise ParameterFileError(f"{path}: 'sizes' must be a 1-D integer array, got {dtype} {shape}")
        if shape[0] > MAX_LAYERS:
            raise ParameterFileError(f"{path}: 'sizes' declares {shape[0]:,} layers, more than the "
                                     f"{MAX_LAYERS:,} accepted")
    return check


def _check_string(path, key):
    def check(shape, dtype):
        if shape != () or dtype.itemsize > 1024:
            raise ParameterFileError(f"{path}: {key!r} must be a short string, got {dtype} {shape}")
    return check


def _check_layer(path, key, want, sizes):
    def check(shape, dtype):
        if tuple(shape) != want:
            raise ParameterFileError(f"{path}: {key} has shape {tuple(shape)}, expected {want} "
                                     f"for sizes {sizes}")
        if dtype.kind != "f" or dtype.itemsize not in (4, 8):   # either byte order ('>f4' too)
            raise ParameterFileError(f"{path}: {key} has dtype {dtype}, expected float32 or float64")
    return check


def _read_arrays(path):
    """Every array of the parameter file, each checked before it is decompressed."""
    with zipfile.ZipFile(path) as zf:
        members = _members(zf, path)
        sizes = _read_member(zf, members, path, "sizes", _check_sizes(path))
        sizes = [int(n) for n in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ParameterFileError(f"{path}: 'sizes' must hold at least two positive integers, "
                                     f"got {sizes}")
        try:
            check_network_size(sizes)   # before any layer is read: a few bytes may declare gigabytes
        except ValueError as e:
            raise ParameterFileError(f"{path}: {e}") from None
        arrays = {"sizes": sizes}
        for key in _STRINGS:
            arrays[key] = str(_read_member(zf, members, path, key, _check_string(path, key)))
        layers = range(1, len(sizes))
        expected = {}
        for l in layers:
            w_name, b_name = parameter_names(l)
            expected[w_name] = (sizes[l], sizes[l - 1])
            expected[b_name] = (sizes[l], 1)
        for key in members:
            if key not in expected and key not in arrays:
                raise ParameterFileError(f"{path}: holds an array {key!r} that sizes {sizes} has no "
                                         f"layer for")
        # All headers first, so that nothing is decompressed from a file that lies anywhere.
        for key, want in expected.items():
            if key not in members:
                raise ParameterFileError(f"{path}: missing the array {key!r}")
            f, shape, dtype = _header(zf, members[key], path, key)
            with f:
                _check_layer(path, key, want, sizes)(shape, dtype)
        for key, want in expected.items():
            arrays[key] = _read_member(zf, members, path, key, _check_layer(path, key, want, sizes))
    return arrays


def _check_forward(net, path):
    """Refuse parameters whose forward pass is not finite on a few test inputs."""
    rng = np.random.default_rng(0)
    n = net.sizes[0]
    x = np.hstack([np.zeros((n, 1)), np.ones((n, 1)), rng.random((n, 8))])
    with np.errstate(all="ignore"):
        try:
            a = net.feedforward(x)
        except (ValueError, FloatingPointError, OverflowError) as e:
            raise ParameterFileError(f"{path}: the network cannot be run ({e})") from None
    if not np.isfinite(a).all():
        raise ParameterFileError(f"{path}: the parameters are finite but absurd: the network's output "
                                 f"is not finite (NaN or infinite) for inputs in [0, 1]")


def load_network(path):
    """Load a network saved by :func:`save_network`.

    Raises FileNotFoundError if ``path`` does not exist and
    :class:`ParameterFileError` (naming the file) if it is not a valid
    parameter file: not a regular file (a FIFO, a device, a folder), not an npz
    archive, an unknown or non-npy or encrypted member, a member whose header
    declares the wrong shape or dtype or more than the layers need (checked
    before decompressing it), an array missing, a non-finite value, an object
    array (which would need pickle and is refused), or parameters whose forward
    pass is not finite.

    Introduced in chapter 6.
    """
    path = as_path(path)
    regular_file(path, ParameterFileError, "parameter file")
    try:
        with open(path, "rb") as f:
            start = f.read(6)
        if start == b"\x93NUMPY":
            raise ParameterFileError(f"{path}: not an .npz archive of parameters but a single .npy array")
        if not start.startswith(b"PK"):
            # Neither a zip (.npz) nor a .npy file: numpy would try to unpickle it, which we refuse.
            raise ParameterFileError(f"{path}: not an .npz archive of parameters (an .npz is a zip file "
                                     f"and starts with 'PK'); it is not unpickled either, since "
                                     f"loading a pickle can run arbitrary code")
        arrays = _read_arrays(path)
    except FileNotFoundError:
        raise
    except ParameterFileError:
        raise
    except MemoryError:
        raise ParameterFileError(f"{path}: too large to load") from None
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise ParameterFileError(f"{path}: holds an object array that needs pickle to load; "
                                     "refused (loading a pickle can run arbitrary code)") from None
        raise ParameterFileError(f"{path}: not a valid parameter file ({e})") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError,
            SyntaxError, TypeError, KeyError) as e:
        raise ParameterFileError(f"{path}: not a valid .npz parameter file ({e})") from None

    sizes = arrays["sizes"]
    names = [parameter_names(l) for l in range(1, len(sizes))]
    for name in (n for pair in names for n in pair):
        if not np.isfinite(arrays[name]).all():
            raise ParameterFileError(f"{path}: {name} contains NaN or infinite values")
    try:
        net = Network.from_parameters([arrays[w] for w, _ in names], [arrays[b] for _, b in names],
                                      activation=arrays["activation"], output=arrays["output"],
                                      cost=arrays["cost"])
    except ValueError as e:
        raise ParameterFileError(f"{path}: {e}") from None
    _check_forward(net, path)
    return net
