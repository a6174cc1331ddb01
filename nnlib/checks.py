"""Checking arguments: what counts as an integer or a number, and the hyperparameter ranges.

Every check of a count (a layer size, a batch size, a number of epochs) and every
range of a hyperparameter (η, μ, λ) is written here once; :func:`nnlib.sgd`,
:class:`nnlib.optimizers.SGD`, :class:`nnlib.Network` and the command line all use it.

Introduced in chapter 6.
"""
import math

import numpy as np


def is_integer(value):
    """True for ``int`` and numpy integers; False for everything else, ``bool`` included.

    ``True`` is an ``int`` to Python but never a batch size or a layer size, so
    ``bool`` and ``numpy.bool_`` are refused everywhere.  Introduced in chapter 6.
    """
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value):
    """True for ``int``, ``float`` and numpy integers and floats (not ``bool``).

    A ``Fraction``, a ``Decimal`` or a string is refused: numpy would turn it into an
    array of Python objects (slow, and an error further on).  Introduced in chapter 6.
    """
    return is_integer(value) or isinstance(value, (float, np.floating))


class Interval:
    """The numbers from ``low`` to ``high``, each end closed or open; whole numbers if ``integer``.

    ``Interval(0, 1, high_open=True)`` is [0, 1).  ``check(value)`` returns the value
    or raises one ValueError naming it and the interval.  Introduced in chapter 6.
    """

    def __init__(self, name, low, high=math.inf, low_open=False, high_open=False, integer=False):
        self.name, self.low, self.high = name, low, high
        self.low_open, self.high_open = low_open, high_open or high == math.inf
        self.integer = integer

    def __str__(self):
        def show(end):   # whole numbers exactly (2**63 - 1 is not 9.22337e+18)
            return str(end) if self.integer and end not in (-math.inf, math.inf) else f"{end:g}"
        return (("(" if self.low_open else "[") + f"{show(self.low)}, {show(self.high)}"
                + (")" if self.high_open else "]"))

    def expected(self):
        """What a valid value is, in words: ``"a number in (0, inf)"``."""
        return f"{'an integer' if self.integer else 'a number'} in {self}"

    def __contains__(self, value):
        if not (is_integer(value) if self.integer else is_number(value)):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return bool(above and below)  # False for NaN

    def check(self, value):
        """``value`` if it lies in the interval, else a ValueError naming it."""
        if value not in self:
            raise ValueError(f"{self.name} must be {self.expected()}, got {value!r}")
        return value


#: The most weights and biases a network may have: 50 million, 200 MB in float32 and 400 MB in
#: float64.  A network (``Network``, a parameter file, ``--hidden``) that would need more is refused
#: before anything is allocated.
MAX_PARAMETERS = 50_000_000

#: The most layers (``len(sizes)``, the input layer included) a network may have.
MAX_LAYERS = 1000


def count_parameters(sizes):
    """The number of weights and biases of a network with layer sizes ``sizes``: Σ n_l (n_{l-1} + 1).

    Python integers, so no overflow, whatever the sizes.  Introduced in chapter 3.
    """
    return sum(n_out * (n_in + 1) for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def check_network_size(sizes):
    """``sizes`` if a network of those layer sizes stays within :data:`MAX_LAYERS` and
    :data:`MAX_PARAMETERS`; otherwise a ValueError naming the limit (nothing is allocated)."""
    if len(sizes) > MAX_LAYERS:
        raise ValueError(f"sizes lists {len(sizes):,} layers, more than the {MAX_LAYERS:,} accepted")
    count = count_parameters(sizes)
    if count > MAX_PARAMETERS:
        raise ValueError(f"a network of sizes {_short(sizes)} would have {count:,} parameters, more than "
                         f"the {MAX_PARAMETERS:,} accepted (nnlib.checks.MAX_PARAMETERS)")
    return sizes


def _short(sizes):
    """A list of sizes for a message, shortened in the middle if long."""
    return str(list(sizes)) if len(sizes) <= 8 else f"[{sizes[0]}, {sizes[1]}, ..., {sizes[-1]}] ({len(sizes)} layers)"


# The hyperparameters of training by SGD and the values they may take (the CLI reads them too).
HYPERPARAMETERS = {
    "epochs": Interval("epochs", 0, integer=True),
    "batch_size": Interval("batch_size", 1, integer=True),
    "eta": Interval("the learning rate eta", 0, low_open=True),
    "momentum": Interval("momentum", 0, 1, high_open=True),
    "l2": Interval("the L2 coefficient l2", 0),
    "dropout": Interval("the dropout rate", 0, 1, high_open=True),
    "beta1": Interval("Adam's beta1", 0, 1, high_open=True),
    "beta2": Interval("Adam's beta2", 0, 1, high_open=True),
    "eps": Interval("Adam's eps", 0, low_open=True),
}

# The command line's other options (python -m nnlib train): argparse types are built from these.
LAYER_SIZE = Interval("a layer size", 1, integer=True)
SAMPLE_COUNT = Interval("a number of samples", 1, integer=True)
SEED = Interval("the seed", 0, 2**63 - 1, integer=True)
