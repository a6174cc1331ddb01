"""Activation functions and their derivatives.

Every function works element by element on an array ``z`` of any shape
(for a layer: ``(n_l, m)``, one column per sample), except ``softmax``,
which normalises each column.  Derivatives are written in terms of ``z``
so that backpropagation can call ``activation_prime(z)``.
"""
import numpy as np


def sigmoid(z):
    """The logistic function 1 / (1 + e^(-z)), without overflow for large ``|z|``.

    For z >= 0 we use 1 / (1 + e^(-z)); for z < 0 the equal form
    e^z / (1 + e^z).  Each exponent is <= 0, so ``exp`` never overflows
    and no warning is printed even at z = -1000.

    Introduced in chapter 1.
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """Derivative of the sigmoid: σ'(z) = σ(z)(1 − σ(z)).

    Introduced in chapter 1.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent, (e^z − e^(-z)) / (e^z + e^(-z)), values in (−1, 1).

    Introduced in chapter 1.
    """
    return np.tanh(z)


def tanh_prime(z):
    """Derivative of tanh: 1 − tanh(z)².

    Introduced in chapter 1.
    """
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z):
    """Rectified linear unit: max(0, z).

    Introduced in chapter 1.
    """
    return np.maximum(z, 0)


def relu_prime(z):
    """Derivative of ReLU: 1 where z > 0, else 0 (we take 0 at the kink z = 0).

    Introduced in chapter 1.
    """
    z = np.asarray(z)          # a Python number too: relu_prime(0) is 0.0
    dtype = z.dtype if np.issubdtype(z.dtype, np.floating) else np.float64
    return (z > 0).astype(dtype)


def identity(z):
    """The identity, a(z) = z: a linear output layer.

    Introduced in chapter 5.
    """
    return z


def identity_prime(z):
    """Derivative of the identity: 1 everywhere.

    Introduced in chapter 5.
    """
    return np.ones_like(z)


def softmax(z):
    """Softmax of each column of ``z`` (shape ``(n, m)``, or ``(n,)`` for one sample).

    softmax(z)_j = e^(z_j) / Σ_k e^(z_k).  Subtracting each column's maximum
    first leaves the result unchanged (it multiplies top and bottom by the
    same e^(-max)) and keeps every exponent <= 0, so nothing overflows.

    Introduced in chapter 3.
    """
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def log_softmax(z):
    """ln softmax(z), column by column, computed without ever taking ln 0.

    ln softmax(z)_j = z_j − ln Σ_k e^(z_k) = (z_j − M) − ln Σ_k e^(z_k − M) with M the
    column's maximum (the *log-sum-exp* trick).  The sum is at least 1 (the term
    k = argmax is e^0), so its logarithm is finite and ≥ 0: for finite z the result
    is finite even where softmax(z)_j itself underflows to 0, e.g. ``z = [0, 800]``.

    Introduced in chapter 3.
    """
    z = np.asarray(z)
    shifted = z - z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def softmax_backward(s, grad_a):
    """Multiply the softmax Jacobian by a vector, column by column.

    With s = softmax(z), ∂s_i/∂z_j = s_i(δ_ij − s_j).  Given ∂C/∂s
    (``grad_a``, shape ``(n, m)``) this returns ∂C/∂z = s ⊙ (g − Σ_i s_i g_i),
    without ever forming the n×n Jacobian.

    Introduced in chapter 4.
    """
    return s * (grad_a - np.sum(s * grad_a, axis=0, keepdims=True))


# name -> (function, derivative); softmax has no element-wise derivative,
# backpropagation uses softmax_backward instead.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "identity": (identity, identity_prime),
    "softmax": (softmax, None),
}


def get_activation(name):
    """Return ``(function, derivative)`` for an activation name; ValueError if unknown.

    Introduced in chapter 3.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]
