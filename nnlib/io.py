"""Saving and loading a network's parameters as ``.npz``, safely.

The file holds plain arrays (``W1, b1, ..., WL, bL``) and the architecture as
strings; it is read with ``allow_pickle=False``, so loading a file can never
run code (unpickling can).  Files are written to a temporary file in the same
folder and renamed over the target, so a crash mid-write leaves the previous
file intact.
"""
import os
import zipfile

import numpy as np

from .files import atomic_write
from .network import Network, parameter_names


class ParameterFileError(ValueError):
    """A parameter file is missing arrays, corrupt, or holds arrays of the wrong shape or type.

    Introduced in chapter 6.
    """


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


def load_network(path):
    """Load a network saved by :func:`save_network`.

    Raises FileNotFoundError if ``path`` does not exist and
    :class:`ParameterFileError` (naming the file) if it is not a valid
    parameter file: not an npz archive, an array missing, an array of the
    wrong shape or dtype, a non-finite value, or an object array (which
    would need pickle and is refused).

    Introduced in chapter 6.
    """
    path = os.fspath(path)
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
        data = np.load(path, allow_pickle=False)
        with data:
            arrays = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise
    except ParameterFileError:
        raise
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise ParameterFileError(f"{path}: holds an object array that needs pickle to load; "
                                     "refused (loading a pickle can run arbitrary code)") from None
        raise ParameterFileError(f"{path}: not a valid parameter file ({e})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as e:
        raise ParameterFileError(f"{path}: not a valid .npz parameter file ({e})") from None

    for key in ("sizes", "activation", "output", "cost"):
        if key not in arrays:
            raise ParameterFileError(f"{path}: missing the array {key!r}")
    sizes = arrays["sizes"]
    if sizes.ndim != 1 or not np.issubdtype(sizes.dtype, np.integer):
        raise ParameterFileError(f"{path}: 'sizes' must be a 1-D integer array, got {sizes.dtype} {sizes.shape}")
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ParameterFileError(f"{path}: 'sizes' must hold at least two positive integers, got {sizes}")
    # Check every array against the sizes *before* building the network, so that a file
    # claiming enormous layers is refused instead of allocating them.
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        for name, want in zip(parameter_names(l), ((n_out, n_in), (n_out, 1))):
            if name not in arrays:
                raise ParameterFileError(f"{path}: missing the array {name!r}")
            got = arrays[name]
            if got.shape != want:
                raise ParameterFileError(f"{path}: {name} has shape {got.shape}, expected {want} "
                                         f"for sizes {sizes}")
            if got.dtype not in (np.float32, np.float64):
                raise ParameterFileError(f"{path}: {name} has dtype {got.dtype}, expected float32 or float64")
            if not np.isfinite(got).all():
                raise ParameterFileError(f"{path}: {name} contains NaN or infinite values")
    names = [parameter_names(l) for l in range(1, len(sizes))]
    try:
        return Network.from_parameters([arrays[w] for w, _ in names], [arrays[b] for _, b in names],
                                       activation=str(arrays["activation"]),
                                       output=str(arrays["output"]), cost=str(arrays["cost"]))
    except ValueError as e:
        raise ParameterFileError(f"{path}: {e}") from None
