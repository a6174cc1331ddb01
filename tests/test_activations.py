import warnings

import numpy as np
import pytest

from nnlib import activations as act
from nnlib.activations import identity_prime, log_softmax, relu_prime, softmax
from nnlib.gradcheck import numerical_gradient, relative_error


def test_known_values():
    assert act.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(act.sigmoid(np.array([-2.0, 2.0])), [0.11920292202211755, 0.8807970779778823])
    np.testing.assert_array_equal(act.relu(np.array([-1.0, 0.0, 2.5])), [0.0, 0.0, 2.5])
    np.testing.assert_array_equal(act.relu_prime(np.array([-1.0, 0.0, 2.5])), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(act.tanh(np.array([1.0])), [0.7615941559557649])
    np.testing.assert_allclose(act.softmax(np.array([[1.0], [2.0], [3.0]])).ravel(),
                               [0.09003057317038046, 0.24472847105479764, 0.6652409557748219])


def test_sigmoid_prime_is_sigma_times_one_minus_sigma():
    z = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(act.sigmoid_prime(z), act.sigmoid(z) * (1 - act.sigmoid(z)))
    assert act.sigmoid_prime(0.0) == 0.25


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_derivatives_match_numerical(name):
    f, fprime = act.get_activation(name)
    z = np.array([-3.0, -1.2, -0.3, 0.4, 1.1, 2.7])  # away from ReLU's kink
    numeric = np.array([(f(zi + 1e-6) - f(zi - 1e-6)) / 2e-6 for zi in z])
    assert relative_error(fprime(z), numeric).max() < 1e-7


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_and_softmax_stable_at_extremes(dtype):
    z = np.array([[-1000.0, 1000.0], [0.0, -1000.0], [1000.0, 0.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
            s = act.sigmoid(z)
            p = act.softmax(z)
            sp = act.sigmoid_prime(z)
    assert s.dtype == dtype and p.dtype == dtype
    np.testing.assert_array_equal(s[:, 0], [0.0, 0.5, 1.0])
    assert np.all(np.isfinite(sp))
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(p[:, 0], [0.0, 0.0, 1.0])


def test_softmax_is_per_column_and_shift_invariant():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((4, 3))
    p = act.softmax(z)
    np.testing.assert_allclose(p.sum(axis=0), np.ones(3))
    np.testing.assert_allclose(act.softmax(z + np.array([[5.0, -7.0, 100.0]])), p)
    np.testing.assert_allclose(act.softmax(z[:, 1]), p[:, 1])  # a 1-D vector is one column


def test_softmax_backward_equals_full_jacobian():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((5, 1))
    g = rng.standard_normal((5, 1))
    s = act.softmax(z)
    jacobian = np.diag(s.ravel()) - s @ s.T  # ∂s_i/∂z_j = s_i(δ_ij − s_j)
    np.testing.assert_allclose(act.softmax_backward(s, g), jacobian.T @ g)
    numeric = numerical_gradient(lambda: float(np.sum(act.softmax(z) * g)), z)
    assert relative_error(act.softmax_backward(s, g), numeric).max() < 1e-7


def test_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        act.get_activation("swish")


def test_derivatives_keep_shape_and_dtype():
    z = np.array([[-1.0, 0.0, 2.0]], dtype=np.float32)
    assert relu_prime(z).dtype == np.float32
    np.testing.assert_array_equal(relu_prime(z), [[0, 0, 1]])
    one = identity_prime(z)
    assert one.shape == z.shape and one.dtype == np.float32
    np.testing.assert_array_equal(one, np.ones((1, 3)))


def test_softmax_and_log_softmax_shift_each_column_by_its_own_maximum():
    # two columns 1000 apart: a shift by the maximum of the whole array would
    # underflow the second column to 0/0
    z = np.array([[0.0, -1000.0], [1.0, -1001.0], [800.0, -1000.5]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
        p = softmax(z)
        lp = log_softmax(z)
    column = np.array([0.0, 1.0, 800.0])
    want = column - 800.0 - np.log(np.sum(np.exp(column - 800.0)))
    np.testing.assert_allclose(lp[:, 0], want, rtol=1e-12)
    column = np.array([-1000.0, -1001.0, -1000.5])
    want = column + 1000.0 - np.log(np.sum(np.exp(column + 1000.0)))
    np.testing.assert_allclose(lp[:, 1], want, rtol=1e-12)
    np.testing.assert_allclose(p, np.exp(lp), rtol=1e-12)
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
    np.testing.assert_array_equal(log_softmax(np.array([[0.0], [800.0]])), [[-800.0], [0.0]])
@pytest.mark.parametrize("z", [0, 0.0, -2, 3, True])
def test_relu_prime_of_a_python_number(z):
    """Chapter 1's reader calls nnlib.relu_prime(0) with a plain number (issue 22): a float,
    0 at the kink, no AttributeError."""
    value = act.relu_prime(z)
    assert value.dtype == np.float64 and value.shape == ()
    assert value == (1.0 if z > 0 else 0.0)


def test_relu_prime_keeps_float32():
    assert act.relu_prime(np.array([-1.0, 2.0], dtype=np.float32)).dtype == np.float32
