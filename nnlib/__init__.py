"""nnlib: the small numpy library of *Neural networks from scratch*.

Each public function and class says in its docstring where the book introduces
it: chapter 1 the neuron, 2 MNIST, 3 the forward pass, 4 backpropagation, 5
gradient checking, 6 training, 7 training better, appendix A the seed networks.

Each module is one idea:

* :mod:`nnlib.activations` — sigmoid, tanh, ReLU, softmax and derivatives
* :mod:`nnlib.losses` — quadratic and cross-entropy costs and their gradients
* :mod:`nnlib.network` — :class:`Network`: feedforward and backpropagation
* :mod:`nnlib.gradcheck` — numerical gradients and gradient checking
* :mod:`nnlib.optimizers` — one update step: SGD with momentum, Nesterov, Adam; a schedule
* :mod:`nnlib.training` — the training loop: mini-batches, epochs, divergence, history
* :mod:`nnlib.checks` — what counts as an integer, and the hyperparameter ranges
* :mod:`nnlib.idx` — the IDX file format
* :mod:`nnlib.mnist` — the bundled MNIST digits
* :mod:`nnlib.columns` — images as columns, one-hot targets, mini-batches, a validation split
* :mod:`nnlib.augment` — more training images by small rotations and shifts
* :mod:`nnlib.download` — fetching other copies with a SHA-256 check
* :mod:`nnlib.metrics` — accuracy, confusion matrix, mean ± standard error over seeds
* :mod:`nnlib.plotting` — digit grids, curves, confusion matrices, weights
* :mod:`nnlib.saving` — saving and loading parameters safely
* :mod:`nnlib.files` — writing a file atomically
* :mod:`nnlib.images` — a picture of your own digit turned into MNIST's format
* :mod:`nnlib.seed_systems` — the four seed systems as written, mistakes included, for comparison
* :mod:`nnlib.feedback` — checks a learner runs on an exercise, with a clear message
"""
def _release(text):
    """The leading numbers of a version: ``"1.23.5rc1"`` -> ``(1, 23, 5)``."""
    numbers = []
    for part in text.split("."):
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        numbers.append(int(digits))
        if digits != part:
            break
    return tuple(numbers)


def _check_floors(requires=None, version=None):
    """Raise ImportError, one line naming the package and the version needed, when a package
    nnlib requires is missing or older than its floor (issue 27).  The floors are nnlib's
    installed metadata (``pyproject.toml``'s ``>=`` ranges), so they are written once.  A package
    of an extra (``notebooks``: ipykernel, myst-nb) is checked only if it is installed.  Without
    metadata (nnlib run from a source tree, not installed) nothing is checked."""
    import re
    from importlib import metadata

    requires = metadata.requires if requires is None else requires
    version = metadata.version if version is None else version
    try:
        lines = requires("nnlib") or []
    except metadata.PackageNotFoundError:
        return
    for line in lines:
        spec, _, marker = line.partition(";")
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*\(?([^)]*)\)?", spec)
        if not match:
            continue
        name = match.group(1)
        floors = [part.strip()[2:].strip() for part in match.group(3).split(",")
                  if part.strip().startswith(">=")]
        if not floors:
            continue
        try:
            installed = version(name)
        except metadata.PackageNotFoundError:
            if "extra" in marker:
                continue
            raise ImportError(f"nnlib needs {name}>={floors[0]}, which is not installed: "
                              f"pip install '{name}>={floors[0]}'") from None
        if _release(installed) < _release(floors[0]):
            raise ImportError(f"nnlib needs {name}>={floors[0]}, but {name} {installed} is "
                              f"installed: pip install --upgrade '{name}>={floors[0]}'")


_check_floors()

from .activations import (identity, identity_prime, log_softmax, relu, relu_prime, sigmoid,
                          sigmoid_prime, softmax, softmax_backward, tanh, tanh_prime)
from .columns import minibatches, one_hot, split_validation, to_columns
from .download import DownloadError, download_mnist
from .idx import IDXError, read_idx
from .mnist import load_mnist
from .gradcheck import check_gradients, max_relative_error, numerical_gradient, relative_error
from .saving import ParameterFileError, load_network, save_network
from .losses import (binary_cross_entropy, binary_cross_entropy_from_logits,
                     binary_cross_entropy_gradient, cross_entropy, cross_entropy_from_logits,
                     cross_entropy_gradient, quadratic, quadratic_gradient)
from .metrics import accuracy, confusion_matrix, mean_and_standard_error
from . import seed_systems
from .network import Network
from .optimizers import SGD, Adam, Nesterov, cosine_eta
from . import augment
from .training import TrainingDiverged, sgd

__version__ = "0.1.0"
