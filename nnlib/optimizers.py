"""Optimisers: one step of a parameter update, given the gradients.

An optimiser is any object with

* ``step(params, grads)``: update the arrays in ``params`` **in place**.
  ``params`` is ``net.parameters()``, ``[("W1", W^1), ("b1", b^1), ...]``, and
  ``grads`` is ``net.gradients(x, y)``, ``[("W1", ∂C/∂W^1), ("b1", ∂C/∂b^1), ...]``
  in the same order;
* an ``eta`` attribute, the learning rate η, which a schedule may change between steps.

:func:`nnlib.sgd` shuffles, batches, checks and reports; the optimiser only moves
the parameters.  Every optimiser here also takes ``l2`` = λ, the L2 weight decay:
it adds λW to each weight's gradient (the gradient of (λ/2) Σ w²), never to a bias.

Introduced in chapter 6 (SGD with momentum); chapter 7 adds L2, Nesterov's
momentum, Adam and a cosine learning-rate schedule.
"""
import math

import numpy as np

from .checks import HYPERPARAMETERS
from .network import is_weight


def decayed(name, p, grad, l2):
    """``∇C + λW`` for a weight, ``∇C`` for a bias (and for λ = 0): L2 weight decay."""
    return grad + l2 * p if l2 and is_weight(name) else grad


class _Optimizer:
    """What every optimiser shares: η, λ, and one state array per parameter name."""

    def __init__(self, eta, l2):
        self.eta = HYPERPARAMETERS["eta"].check(eta)
        self.l2 = HYPERPARAMETERS["l2"].check(l2)
        self.state = {}  # (parameter name, what) -> array shaped like the parameter

    def zeros(self, name, what, p):
        """The state ``what`` of parameter ``name`` (zeros at the first step)."""
        if (name, what) not in self.state:
            self.state[name, what] = np.zeros_like(p)
        return self.state[name, what]


class SGD(_Optimizer):
    """Stochastic gradient descent with momentum μ and L2 weight decay λ.

    For every parameter, with its velocity v (zero at the start)::

        v ← μ v − η (∇C + λ W)      (biases: v ← μ v − η ∇C; λ acts on weights only)
        W ← W + v

    μ = 0 is plain SGD, W ← W − η ∇C.  ``eta``, ``momentum`` and ``l2`` must lie in
    the ranges of ``nnlib.checks.HYPERPARAMETERS``.  Introduced in chapter 6 (λ in
    chapter 7).
    """

    def __init__(self, eta, *, momentum=0.0, l2=0.0):
        super().__init__(eta, l2)
        self.momentum = HYPERPARAMETERS["momentum"].check(momentum)

    def __repr__(self):
        return f"SGD(eta={self.eta!r}, momentum={self.momentum!r}, l2={self.l2!r})"

    def step(self, params, grads):
        """One update of every array in ``params`` (pairs ``(name, array)``), in place."""
        for (name, p), (_, grad) in zip(params, grads):
            grad = decayed(name, p, grad, self.l2)              # ∇C + λW
            if not self.momentum:
                p -= self.eta * grad                            # μ = 0: W ← W − η(∇C + λW)
                continue                                        # (the same numbers, no v kept)
            v = self.zeros(name, "v", p)
            v *= self.momentum
            v -= self.eta * grad                                # v ← μv − η(∇C + λW)
            p += v                                              # W ← W + v


class Nesterov(SGD):
    """Nesterov's accelerated gradient, in the form of Sutskever et al. (2013).

    Momentum uses the gradient where the parameters *are*; Nesterov's uses it
    where the velocity is about to carry them, W + μv.  Rewritten for the
    gradient g = ∇C + λW at the current parameters (the usual rearrangement)::

        v ← μ v − η g
        W ← W + μ v − η g

    μ = 0 is plain SGD.  Introduced in chapter 7.
    """

    def __repr__(self):
        return f"Nesterov(eta={self.eta!r}, momentum={self.momentum!r}, l2={self.l2!r})"

    def step(self, params, grads):
        """One update of every array in ``params`` (pairs ``(name, array)``), in place."""
        for (name, p), (_, grad) in zip(params, grads):
            grad = decayed(name, p, grad, self.l2)              # g = ∇C + λW
            v = self.zeros(name, "v", p)
            v *= self.momentum
            v -= self.eta * grad                                # v ← μv − ηg
            p += self.momentum * v - self.eta * grad            # W ← W + μv − ηg


class Adam(_Optimizer):
    """Adam (Kingma & Ba, 2015): each parameter's step scaled by its own gradient size.

    With g = ∇C + λW and t the number of steps taken, counting this one::

        m ← β₁ m + (1 − β₁) g           first moment: a running mean of g
        s ← β₂ s + (1 − β₂) g²          second moment: a running mean of g²
        m̂ = m / (1 − β₁ᵗ),  ŝ = s / (1 − β₂ᵗ)      bias correction (m, s start at 0)
        W ← W − η m̂ / (√ŝ + ε)

    A step moves each parameter by roughly η, whatever the scale of its gradient
    (Kingma & Ba bound it by η (1 − β₁)/√(1 − β₂) ≈ 3.2 η for the default β's).
    (λ here is L2 added to the gradient, as in the paper; AdamW's decoupled decay
    is a different rule.)  Introduced in chapter 7.
    """

    def __init__(self, eta=1e-3, *, beta1=0.9, beta2=0.999, eps=1e-8, l2=0.0):
        super().__init__(eta, l2)
        self.beta1 = HYPERPARAMETERS["beta1"].check(beta1)
        self.beta2 = HYPERPARAMETERS["beta2"].check(beta2)
        self.eps = HYPERPARAMETERS["eps"].check(eps)
        self.t = 0

    def __repr__(self):
        return (f"Adam(eta={self.eta!r}, beta1={self.beta1!r}, beta2={self.beta2!r}, "
                f"eps={self.eps!r}, l2={self.l2!r})")

    def step(self, params, grads):
        """One update of every array in ``params`` (pairs ``(name, array)``), in place."""
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # Bias correction as two scalars instead of two arrays m̂, ŝ: with c₁ = 1 − β₁ᵗ and
        # c₂ = 1 − β₂ᵗ, η m̂/(√ŝ + ε) = (η √c₂ / c₁) · m / (√s + ε √c₂) exactly.
        correction1, correction2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        root2 = math.sqrt(correction2)
        step_size, eps = self.eta * root2 / correction1, self.eps * root2
        for (name, p), (_, grad) in zip(params, grads):
            grad = decayed(name, p, grad, self.l2)              # g = ∇C + λW
            m, s = self.zeros(name, "m", p), self.zeros(name, "s", p)
            m *= b1
            m += (1 - b1) * grad                                # m ← β₁m + (1 − β₁)g
            s *= b2
            s += (1 - b2) * grad * grad                         # s ← β₂s + (1 − β₂)g²
            p -= step_size * m / (np.sqrt(s) + eps)             # W ← W − η m̂/(√ŝ + ε)


def cosine_eta(epoch, epochs, eta_max, eta_min=0.0):
    """The learning rate for ``epoch`` (1 to ``epochs``) on a half cosine from ``eta_max`` down.

    η_t = η_min + ½ (η_max − η_min)(1 + cos(π (t − 1) / T)) with T = ``epochs``,
    after Loshchilov & Hutter (2017), without restarts: epoch 1 uses η_max and
    the rate falls smoothly towards η_min.  Set it from an :func:`nnlib.sgd`
    callback, which runs after each epoch, for the next epoch:
    ``optimizer.eta = cosine_eta(epoch + 1, epochs, eta_max)``.
    Introduced in chapter 7.
    """
    t = min(max(epoch, 1), epochs)
    return eta_min + 0.5 * (eta_max - eta_min) * (1 + math.cos(math.pi * (t - 1) / epochs))
