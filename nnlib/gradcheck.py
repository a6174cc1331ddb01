"""Numerical gradients, and checking backpropagation against them.

The centred difference  (f(x + h) − f(x − h)) / 2h  has truncation error
O(h²); the forward difference  (f(x + h) − f(x)) / h  only O(h).  Both suffer
round-off error of order ``ε·|f|/h`` (ε ≈ 1e-16 in float64), which grows as h
shrinks: check in float64, with h near 1e-5 (centred).
"""
import collections

import numpy as np

ParamCheck = collections.namedtuple(
    "ParamCheck", "name shape checked error worst_index worst_error analytic numerical")
ParamCheck.__doc__ = """Result of checking one parameter array.

``worst_error`` is the largest element-wise relative error (see
:func:`relative_error`) among the checked entries, the figure the usual
thresholds (CS231n: below 1e-7 agree, above 1e-2 wrong) are made for;
``worst_index`` is that entry, and ``analytic``/``numerical`` are the two
gradients there: where to look when the check fails.  ``error`` is the
norm-wise relative error of the whole checked gradient,
‖g_bp − g_num‖ / max(‖g_bp‖, ‖g_num‖, floor), a summary dominated by the
largest entries: at most √2 times ``worst_error``, often far smaller.  (On
entries whose gradient is tiny, a difference of 1e-11, pure rounding, is a
large fraction: read ``worst_error`` with the entry's size in mind.)
Introduced in chapter 4."""


def numerical_gradient(f, x, h=1e-5, method="centred", indices=None):
    """Estimate ∂f/∂x entry by entry by finite differences.

    ``f`` takes no arguments and returns a scalar computed from the array
    ``x``, which is changed in place one entry at a time and restored.
    ``method`` is ``"centred"`` or ``"forward"``.  ``indices`` (tuples) limits
    the estimate to those entries; the others are left at 0.
    Returns an array shaped like ``x``.

    Introduced in chapter 4.
    """
    if method not in ("centred", "forward"):
        raise ValueError(f"method must be 'centred' or 'forward', got {method!r}")
    grad = np.zeros(x.shape, dtype=np.float64)
    f0 = f() if method == "forward" else None
    for idx in (np.ndindex(x.shape) if indices is None else indices):
        old = x[idx]
        x[idx] = old + h
        f_plus = f()
        if method == "centred":
            x[idx] = old - h
            f_minus = f()
            grad[idx] = (f_plus - f_minus) / (2 * h)
        else:
            grad[idx] = (f_plus - f0) / h
        x[idx] = old
    return grad


def relative_error(a, b, floor=1e-8):
    """Element-wise ``|a − b| / max(|a|, |b|, floor)``.

    The floor keeps the error finite where both gradients are (nearly) 0.
    Rules of thumb (float64, smooth functions): below 1e-7 the gradients
    agree; 1e-4 to 1e-2 is suspicious; above 1e-2 the analytic gradient is
    almost surely wrong.

    Introduced in chapter 5.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


def check_gradients(net, x, y, h=1e-5, num_samples=None, rng=None, floor=1e-8):
    """Compare ``net.backprop(x, y)`` with centred differences of ``net.total_cost(x, y)``.

    Every entry of every parameter is checked, or, with ``num_samples``,
    that many entries of each parameter chosen by ``rng``.  Use a float64
    network.  Returns ``{name: ParamCheck}`` for ``W1, b1, W2, ...``; each
    holds the relative error of that parameter's gradient and its worst entry.

    Introduced in chapter 4.
    """
    rng = np.random.default_rng(rng)
    analytic = dict(net.gradients(x, y))
    results = {}
    for name, param in net.parameters():
        if num_samples is None or num_samples >= param.size:
            indices = list(np.ndindex(param.shape))
        else:
            flat = rng.choice(param.size, size=num_samples, replace=False)
            indices = [np.unravel_index(i, param.shape) for i in flat]
        numerical = numerical_gradient(lambda: net.total_cost(x, y), param, h=h, indices=indices)
        rows = tuple(np.array(i) for i in zip(*indices))
        g_bp, g_num = analytic[name][rows].astype(np.float64), numerical[rows]
        error = np.linalg.norm(g_bp - g_num) / max(np.linalg.norm(g_bp), np.linalg.norm(g_num), floor)
        errors = relative_error(g_bp, g_num, floor=floor)
        k = int(np.argmax(errors))
        worst = tuple(int(i) for i in indices[k])
        results[name] = ParamCheck(name, param.shape, len(indices), float(error), worst,
                                   float(errors[k]), float(g_bp[k]), float(g_num[k]))
    return results


def max_relative_error(results):
    """The largest per-parameter ``error`` in a :func:`check_gradients` result.

    Introduced in chapter 4.
    """
    return max(r.error for r in results.values())
