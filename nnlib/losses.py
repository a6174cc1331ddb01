"""Cost functions: the value and its gradient with respect to the output.

A batch of outputs ``a`` and targets ``y`` both have shape ``(n_L, m)``, one
column per sample.  Every cost is the *mean* over the m samples,
C = (1/m) Σ_x C_x, and every ``*_gradient`` returns exactly ∂C/∂a for that
mean (so it already carries the 1/m).  Value and gradient are computed from the
same formula, with no hidden ``+ 1e-7``: a gradient check of a cost alone
agrees to rounding error.
"""
from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS, log_softmax


def _y_log(y, a):
    """y·ln(a), taken as 0 where y == 0 (the limit of y ln a), so 0·ln 0 gives 0, not NaN."""
    safe_a = np.where(y == 0, 1.0, a)
    return np.where(y == 0, 0.0, y * np.log(safe_a))


def quadratic(a, y):
    """Quadratic cost C = (1/m) Σ_x ½‖a_x − y_x‖².

    Introduced in chapter 3.
    """
    m = a.shape[1]
    return 0.5 * np.sum((a - y) ** 2) / m


def quadratic_gradient(a, y):
    """∂C/∂a for the quadratic cost: (a − y) / m.

    Introduced in chapter 4.
    """
    return (a - y) / a.shape[1]


def cross_entropy(a, y):
    """Categorical cross-entropy C = −(1/m) Σ_x Σ_j y_j ln a_j (for a softmax output).

    Introduced in chapter 3.
    """
    m = a.shape[1]
    return -np.sum(_y_log(y, a)) / m


def cross_entropy_from_logits(z, y):
    """The categorical cross-entropy of a = softmax(z), computed from z^L directly.

    Equal to ``cross_entropy(softmax(z), y)`` wherever that is finite, but it uses
    ln softmax(z) = :func:`~nnlib.activations.log_softmax` (log-sum-exp), so it is
    finite for every finite z: ``softmax([0, 800])`` rounds to ``[0, 1]`` and
    ``cross_entropy`` of it is infinite for the label 0, while this gives 800.

    Introduced in chapter 3.
    """
    m = z.shape[1]
    return -np.sum(np.where(y == 0, 0.0, y * log_softmax(z))) / m


def cross_entropy_gradient(a, y):
    """∂C/∂a for the categorical cross-entropy: −y / (m a) (0 where y = 0).

    Introduced in chapter 4.
    """
    safe_a = np.where(y == 0, 1.0, a)
    return np.where(y == 0, 0.0, -y / safe_a) / a.shape[1]


def binary_cross_entropy(a, y):
    """Cross-entropy of independent sigmoid outputs:
    C = −(1/m) Σ_x Σ_j [y_j ln a_j + (1 − y_j) ln(1 − a_j)].

    Introduced in chapter 5.
    """
    m = a.shape[1]
    return -np.sum(_y_log(y, a) + _y_log(1 - y, 1 - a)) / m


def binary_cross_entropy_from_logits(z, y):
    """The binary cross-entropy of a = σ(z), computed from z directly.

    ln σ(z) = −ln(1 + e^(−z)) and ln(1 − σ(z)) = −ln(1 + e^z), both evaluated with
    ``np.logaddexp(0, ·)``, which never overflows: finite for every finite z, even
    where σ(z) rounds to exactly 0 or 1 (z beyond about ±37 in float64, ±17 in float32).

    Introduced in chapter 5.
    """
    m = z.shape[1]
    return np.sum(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)) / m


def binary_cross_entropy_gradient(a, y):
    """∂C/∂a for the binary cross-entropy: (a − y) / (m a (1 − a)).

    Introduced in chapter 4.
    """
    return (a - y) / (a * (1 - a)) / a.shape[1]


# name -> (cost, gradient with respect to the output activations)
COSTS = {
    "quadratic": (quadratic, quadratic_gradient),
    "cross_entropy": (cross_entropy, cross_entropy_gradient),
    "binary_cross_entropy": (binary_cross_entropy, binary_cross_entropy_gradient),
}


class Pairing(NamedTuple):
    """What an (output activation, cost) pair allows.

    ``shortcut``: True when the output error simplifies to δ^L = ∂C/∂z^L = (a − y)/m
    (the softmax's or sigmoid's derivative cancels against the cost's gradient);
    ``from_logits``: the cost computed from z^L instead of a^L (finite for every finite
    z, see :func:`cross_entropy_from_logits`), or None.
    """
    shortcut: bool
    from_logits: object


# The one table of which output activation each cost fits: every allowed (output, cost)
# pair and what it allows.  Cross-entropy needs a softmax output (a^L is then a probability
# distribution), binary cross-entropy needs sigmoid outputs (each a^L_j a probability), and
# the quadratic cost fits every output.  Network reads it for its checks, δ^L and the cost.
PAIRINGS = {
    ("softmax", "cross_entropy"): Pairing(shortcut=True, from_logits=cross_entropy_from_logits),
    ("sigmoid", "binary_cross_entropy"): Pairing(shortcut=True,
                                                 from_logits=binary_cross_entropy_from_logits),
    **{(output, "quadratic"): Pairing(shortcut=False, from_logits=None) for output in ACTIVATIONS},
}


def pairing(output, cost):
    """The :class:`Pairing` of an output activation and a cost; ValueError if they do not fit.

    Introduced in chapter 3.
    """
    if (output, cost) not in PAIRINGS:
        needs = ", ".join(f"{c} needs a {o} output" for o, c in PAIRINGS if c != "quadratic")
        raise ValueError(f"cost {cost!r} does not fit output {output!r}: {needs}")
    return PAIRINGS[output, cost]


def get_cost(name):
    """Return ``(cost, gradient)`` for a cost name; ValueError if unknown.

    Introduced in chapter 3.
    """
    if name not in COSTS:
        raise ValueError(f"unknown cost {name!r}; expected one of {sorted(COSTS)}")
    return COSTS[name]
