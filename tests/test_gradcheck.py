import numpy as np
import pytest

from nnlib import Network, check_gradients, numerical_gradient, one_hot, relative_error


def test_numerical_gradient_of_a_known_function():
    x = np.array([1.0, -2.0, 0.5])
    grad = numerical_gradient(lambda: float(np.sum(x ** 3)), x)
    np.testing.assert_allclose(grad, 3 * x ** 2, rtol=1e-9)
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])  # restored


def test_centred_beats_forward_difference():
    x = np.array([0.7])
    exact = np.cos(0.7)
    centred = numerical_gradient(lambda: float(np.sin(x[0])), x, h=1e-3)[0]
    forward = numerical_gradient(lambda: float(np.sin(x[0])), x, h=1e-3, method="forward")[0]
    assert abs(centred - exact) < 1e-6 < abs(forward - exact)
    # truncation error: O(h²) for centred (≈ h²/6 |f'''|), O(h) for forward (≈ h/2 |f''|)
    assert abs(forward - exact) == pytest.approx(1e-3 / 2 * np.sin(0.7), rel=0.01)
    assert abs(centred - exact) == pytest.approx(1e-6 / 6 * np.cos(0.7), rel=0.01)


def test_relative_error_and_floor():
    assert relative_error(1.0, 1.0 + 1e-9) == pytest.approx(1e-9, rel=1e-6)
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(0.0, 1e-12, floor=1e-8) == pytest.approx(1e-4)
    assert relative_error(-1.0, 1.0) == 2.0
    with pytest.raises(ValueError, match="method"):
        numerical_gradient(lambda: 0.0, np.zeros(1), method="backward")


def test_check_gradients_samples_entries():
    net = Network([30, 20, 10], rng=0)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((30, 5)), one_hot(rng.integers(0, 10, 5))
    results = check_gradients(net, x, y, num_samples=7, rng=2)
    assert results["W1"].checked == 7 and results["b2"].checked == 7
    assert results["W1"].shape == (20, 30)
    assert max(r.error for r in results.values()) < 1e-7


def test_a_broken_backprop_is_caught(monkeypatch):
    net = Network([4, 3, 2], rng=0)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((4, 3)), one_hot(rng.integers(0, 2, 3), 2)
    from nnlib import network
    original = network.Network.backprop

    def broken(self, x, y, masks=None):
        nb, nw = original(self, x, y, masks)
        nw[0] = nw[0] * 1.01  # a 1% error in the first layer
        return nb, nw

    monkeypatch.setattr(network.Network, "backprop", broken)
    results = check_gradients(net, x, y)
    assert results["W1"].error == pytest.approx(0.01 / 1.01, rel=1e-4)
    assert results["W2"].error < 1e-7 and results["b1"].error < 1e-7
