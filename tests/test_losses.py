import numpy as np
import pytest

from nnlib import losses
from nnlib.activations import sigmoid, softmax
from nnlib.data import one_hot
from nnlib.losses import cross_entropy, cross_entropy_from_logits
from nnlib.gradcheck import numerical_gradient, relative_error


def _outputs(name, rng):
    z = rng.standard_normal((4, 6))
    a = softmax(z) if name == "cross_entropy" else sigmoid(z)
    y = np.eye(4)[:, rng.integers(0, 4, size=6)]
    return a, y


@pytest.mark.parametrize("name", sorted(losses.COSTS))
def test_gradient_matches_numerical_gradient_of_value(name):
    cost, gradient = losses.get_cost(name)
    a, y = _outputs(name, np.random.default_rng(3))
    numeric = numerical_gradient(lambda: cost(a, y), a, h=1e-6)
    assert relative_error(gradient(a, y), numeric).max() < 1e-7


def test_known_values():
    a = np.array([[0.8, 0.1], [0.2, 0.9]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    # quadratic: mean over 2 samples of ½((0.2²+0.2²) and (0.1²+0.1²))
    assert losses.quadratic(a, y) == pytest.approx(0.5 * (0.08 + 0.02) / 2)
    assert losses.cross_entropy(a, y) == pytest.approx(-(np.log(0.8) + np.log(0.9)) / 2)
    expected_bce = -(np.log(0.8) + np.log(0.8) + np.log(0.9) + np.log(0.9)) / 2
    assert losses.binary_cross_entropy(a, y) == pytest.approx(expected_bce)
    np.testing.assert_allclose(losses.quadratic_gradient(a, y), (a - y) / 2)


def test_cross_entropy_of_uniform_prediction_is_ln_k():
    a = np.full((10, 3), 0.1)
    y = np.eye(10)[:, [3, 1, 4]]
    assert losses.cross_entropy(a, y) == pytest.approx(np.log(10))


def test_zero_probability_where_target_is_zero_gives_no_nan():
    a = np.array([[1.0], [0.0]])
    y = np.array([[1.0], [0.0]])
    with np.errstate(all="raise"):
        assert losses.cross_entropy(a, y) == 0.0
        np.testing.assert_array_equal(losses.cross_entropy_gradient(a, y), [[-1.0], [0.0]])


def test_unknown_cost():
    with pytest.raises(ValueError, match="unknown cost"):
        losses.get_cost("hinge")


def test_cross_entropy_from_logits_equals_cross_entropy_of_softmax():
    rng = np.random.default_rng(4)
    z = rng.standard_normal((4, 5))
    y = one_hot(rng.integers(0, 4, 5), 4)
    assert cross_entropy_from_logits(z, y) == pytest.approx(cross_entropy(softmax(z), y), rel=1e-12)
    # soft targets too: every class with y_j > 0 contributes −y_j ln softmax(z)_j / m
    soft = 0.7 * y + 0.075
    assert cross_entropy_from_logits(z, soft) == pytest.approx(
        -np.sum(soft * np.log(softmax(z))) / 5, rel=1e-12)


def test_cross_entropy_from_logits_counts_0_ln_0_as_0():
    # z = −inf: that class has probability exactly 0; with target 0 it adds nothing
    z = np.array([[-np.inf, 0.0], [0.0, 0.0]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    with np.errstate(invalid="ignore"):
        assert cross_entropy_from_logits(z, y) == pytest.approx(np.log(2) / 2)
