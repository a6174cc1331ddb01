"""The seed systems behave as their write-ups say — including where they are wrong."""
import numpy as np
import pytest

from nnlib import Network, numerical_gradient, one_hot, relative_error, sigmoid
from nnlib import seeds


def _data(n_in, k, m, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n_in, m)), rng.integers(0, k, m)


def test_system_a_full_jacobian_is_right_and_diagonal_is_wrong():
    net = seeds.InputBiasTanhNet(n_in=6, n_hidden=5, n_out=4, rng=0, scale=0.5)
    x, labels = _data(6, 4, 3)
    t = one_hot(labels, 4)
    for name, p in net.params().items():
        numeric = numerical_gradient(lambda: net.loss(x, t), p)
        full = net.gradients(x, t, "full")[name]
        diagonal = net.gradients(x, t, "diagonal")[name]
        assert np.linalg.norm(full - numeric) / np.linalg.norm(numeric) < 1e-7, name
        assert np.linalg.norm(diagonal - numeric) / np.linalg.norm(numeric) > 1e-2, name


def test_system_a_input_bias_folds_into_b1():
    net = seeds.InputBiasTanhNet(n_in=6, n_hidden=5, n_out=4, rng=1, scale=0.5)
    net.b0[:] = np.random.default_rng(2).standard_normal((6, 1))
    x, _ = _data(6, 4, 3)
    folded_b1 = net.b1 + net.W1 @ net.b0
    a1 = np.tanh(net.W1 @ x + folded_b1)
    np.testing.assert_allclose(a1, net.forward(x)[1])


def test_system_b_numerical_gradient_and_its_slips():
    """Each slip is checked by calling the seed code that has it, so fixing a slip
    (per-row maximum, no 1e-7, bias before the activation) turns this test red."""
    net = seeds.NumericalGradientNet((5, 4, 3), rng=0, weight_scale=0.5)
    rng = np.random.default_rng(1)
    x, labels = rng.random((6, 5)), rng.integers(0, 3, 6)
    grads = net.numerical_gradient(x, labels)
    assert set(grads) == {"W1", "b1", "W2", "b2"} and grads["W1"].shape == (5, 4)
    for name, p in net.params.items():  # central differences of net.loss, entry by entry
        numeric = numerical_gradient(lambda: net.loss(x, labels), p)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-10)
    # the cross-entropy as written: −Σ ln(p[label] + 1e-7), a sum over the batch
    p = net.forward(x)
    assert net.loss(x, labels) == pytest.approx(
        -np.sum(np.log(p[np.arange(6), labels] + 1e-7)), rel=1e-12)
    certain = seeds.NumericalGradientNet((5, 4, 3), rng=0, weight_scale=0.0)
    certain.params["b2"][:] = [50.0, 0.0, 0.0]  # p[label 0] = 1 - 4e-22: the loss is the 1e-7
    assert certain.loss(x, np.zeros(6, dtype=int)) == pytest.approx(-6 * np.log1p(1e-7),
                                                                    rel=1e-6)
    before = net.loss(x, labels)
    net.train_step(x, labels, lr=0.5)
    assert net.loss(x, labels) < before
    # the global-max softmax: a row far below the batch maximum underflows to 0/0
    with np.errstate(invalid="ignore", under="ignore"):
        p = seeds.softmax_global_max(np.array([[0.0, 1.0], [-1000.0, -1001.0]]))
        far = seeds.NumericalGradientNet((5, 4, 3), rng=0, weight_scale=0.5)
        far.params["W1"][:] = 1.0  # hidden activations: 1 for the first sample, 0 for the second
        far.params["W2"][:] = 0.0
        far.params["W2"][:, 0] = 1000.0  # logits [4000, 0, 0] and [0, 0, 0]
        probs = far.forward(np.vstack([np.full(5, 30.0), np.full(5, -30.0)]))
    assert np.all(np.isfinite(p[0])) and np.all(np.isnan(p[1]))
    np.testing.assert_allclose(p[0], [1 / (1 + np.e), np.e / (1 + np.e)])
    assert np.all(np.isfinite(probs[0])) and np.all(np.isnan(probs[1]))  # forward uses it
    # the demo predict_as_written adds each bias after the activation, in every layer, and
    # applies the sigmoid to the last layer too: a different function
    net.params["b1"][:] = [2.0, -2.0, -2.0, 2.0]
    net.params["W2"][:] = np.random.default_rng(1).standard_normal((4, 3))
    net.params["b2"][:] = [0.3, -0.3, 0.0]
    W1, b1, W2, b2 = (net.params[k] for k in ("W1", "b1", "W2", "b2"))
    x = 3 * np.random.default_rng(2).standard_normal((200, 5))
    as_written = np.argmax(sigmoid((sigmoid(x @ W1) + b1) @ W2) + b2, axis=1)
    right = np.argmax((sigmoid(x @ W1 + b1)) @ W2 + b2, axis=1)
    np.testing.assert_array_equal(net.predict_as_written(x), as_written)
    np.testing.assert_array_equal(net.predict(x), right)
    assert np.mean(as_written != right) > 0.1  # the slip changes many of these predictions


def test_system_c_per_sample_sum_equals_matrix_backprop():
    classic = seeds.ClassicNetwork([6, 5, 4], rng=0)
    net = Network([6, 5, 4], rng=0)
    net.weights = [w.copy() for w in classic.weights]
    net.biases = [b.copy() for b in classic.biases]
    x, labels = _data(6, 4, 7)
    pairs = seeds.classic_data(x, labels)
    assert pairs[0][0].shape == (6, 1) and pairs[0][1].shape == (10, 1)
    pairs = [(xi, yi[:4]) for xi, yi in pairs]
    sums_b = [np.zeros_like(b) for b in classic.biases]
    sums_w = [np.zeros_like(w) for w in classic.weights]
    for xi, yi in pairs:
        nb, nw = classic.backprop(xi, yi)
        sums_b = [s + g for s, g in zip(sums_b, nb)]
        sums_w = [s + g for s, g in zip(sums_w, nw)]
    mb, mw = net.backprop(x, one_hot(labels, 4))
    for s, g in zip(sums_w + sums_b, mw + mb):
        np.testing.assert_allclose(s / 7, g, rtol=1e-12, atol=1e-15)


def test_system_c_sgd_prints_epochs(capsys):
    x, labels = _data(6, 4, 40)
    classic = seeds.ClassicNetwork([6, 5, 10], rng=0)
    results = classic.SGD(seeds.classic_data(x, labels), 2, 10, 3.0,
                          test_data=seeds.classic_data(x, labels, one_hot_targets=False))
    assert len(results) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Epoch 0: {results[0]} / 40", f"Epoch 1: {results[1]} / 40"]


def test_system_d_updates_are_gradient_descent_on_the_squared_error():
    net = seeds.ThreeLayerNet(3, 4, 2, rng=0)
    x, y = np.array([0.2, -0.5, 0.9]), np.array([1.0, 0.0])
    eta = 0.1
    expected = {}
    for name in ("v", "gamma", "w", "theta"):
        p = getattr(net, name)
        grad = numerical_gradient(lambda: net.error(x, y), p)
        expected[name] = p - eta * grad
    net.update(x, y, eta)
    for name, want in expected.items():
        assert relative_error(getattr(net, name), want).max() < 1e-7, name


def test_system_d_learns_xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    net = seeds.ThreeLayerNet(2, 4, 1, rng=3)
    errors = net.train(x, y, epochs=4000, eta=1.0, rng=4)
    assert errors[-1] < 0.01 < errors[0]
    np.testing.assert_array_equal(net.forward(x)[1].ravel() > 0.5, [False, True, True, False])


@pytest.mark.parametrize("bad", ["half", "none"])
def test_system_a_rejects_unknown_jacobian(bad):
    net = seeds.InputBiasTanhNet(n_in=3, n_hidden=2, n_out=2, rng=0)
    with pytest.raises(ValueError, match="jacobian"):
        net.gradients(np.zeros((3, 1)), np.zeros((2, 1)), bad)


def test_system_d_draws_its_weights_from_the_standard_normal_as_written():
    """The write-up initialises with np.random.randn: N(0, 1), not uniform on (-1, 1)."""
    net = seeds.ThreeLayerNet(784, 30, 10, rng=0)
    assert abs(net.v.std() - 1.0) < 0.02 and abs(net.v.mean()) < 0.02
    assert np.abs(net.v).max() > 3.0        # a uniform on (-1, 1) never leaves it
