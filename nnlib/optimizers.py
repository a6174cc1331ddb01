"""Optimisers: one step of a parameter update, given the gradients.

An optimiser is any object with

* ``step(params, grads)``: update the arrays in ``params`` **in place**.
  ``params`` is ``net.parameters()``, ``[("W1", W^1), ("b1", b^1), ...]``, and
  ``grads`` is ``net.gradients(x, y)``, ``[("W1", ∂C/∂W^1), ("b1", ∂C/∂b^1), ...]``
  in the same order;
* an ``eta`` attribute, the learning rate η, which a schedule may change between steps.

:func:`nnlib.sgd` shuffles, batches, checks and reports; the optimiser only moves
the parameters.  Introduced in chapter 6 (SGD with momentum and L2); chapter 7
compares optimisers.
"""
import numpy as np

from .checks import HYPERPARAMETERS
from .network import is_weight


class SGD:
    """Stochastic gradient descent with momentum μ and L2 weight decay λ.

    For every parameter, with its velocity v (zero at the start)::

        v ← μ v − η (∇C + λ W)      (biases: v ← μ v − η ∇C; λ acts on weights only)
        W ← W + v

    μ = 0 is plain SGD, W ← W − η ∇C.  ``eta``, ``momentum`` and ``l2`` must lie in
    the ranges of ``nnlib.checks.HYPERPARAMETERS``.  Introduced in chapter 6.
    """

    def __init__(self, eta, momentum=0.0, l2=0.0):
        self.eta = HYPERPARAMETERS["eta"].check(eta)
        self.momentum = HYPERPARAMETERS["momentum"].check(momentum)
        self.l2 = HYPERPARAMETERS["l2"].check(l2)
        self.velocity = {}  # parameter name -> v, same shape as the parameter

    def __repr__(self):
        return f"SGD(eta={self.eta!r}, momentum={self.momentum!r}, l2={self.l2!r})"

    def step(self, params, grads):
        """One update of every array in ``params`` (pairs ``(name, array)``), in place."""
        for (name, p), (_, grad) in zip(params, grads):
            if self.l2 and is_weight(name):
                grad = grad + self.l2 * p                       # ∇C + λW
            if name not in self.velocity:
                self.velocity[name] = np.zeros_like(p)
            v = self.velocity[name]
            v *= self.momentum
            v -= self.eta * grad                                # v ← μv − η(∇C + λW)
            p += v                                              # W ← W + v
