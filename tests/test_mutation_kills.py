"""Tests written to kill the mutants that survived mutation testing (scripts/mutation.py).

Each test checks PUBLIC behaviour of nnlib's core modules (activations, losses,
network, gradcheck, training): values against hand computations, several SGD steps
with momentum against the update rule, messages that name the value, what gradient
checking evaluates.  The mutants that no test can kill are listed, with reasons, in
``EQUIVALENT`` in scripts/mutation.py.
"""
import contextlib
import io
import re
import time
import warnings

import numpy as np
import pytest

from nnlib import (Network, TrainingDiverged, check_gradients, cross_entropy,
                   cross_entropy_from_logits, identity_prime, log_softmax, numerical_gradient,
                   one_hot, relative_error, relu_prime, sgd, softmax)


def _net(weights, biases, **kwargs):
    return Network.from_parameters([np.array(w, dtype=float) for w in weights],
                                   [np.array(b, dtype=float) for b in biases], **kwargs)


def _toy(seed=0, m=12, n=2):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, m))
    return x, (x[0] + 0.5 * x[1] > 0).astype(int)


# ============================================================================ activations
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


# ============================================================================ losses
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


# ============================================================================ network
def test_sizes_that_are_not_a_list_are_named():
    for sizes in (5, None, 3.5):
        with pytest.raises(ValueError, match=r"^sizes must be a list of layer sizes such as "
                                             r"\[784, 30, 10\], got " + re.escape(repr(sizes))):
            Network(sizes)
    with pytest.raises(ValueError, match=r"^sizes must be a list .*got '784'$"):
        Network("784")


def test_softmax_needs_two_outputs_whatever_the_hidden_layers():
    for sizes in ([3, 1], [3, 4, 1], [3, 1, 4, 1]):
        with pytest.raises(ValueError, match="^a softmax output needs at least 2 output neurons$"):
            Network(sizes, output="softmax", cost="cross_entropy")
    Network([3, 1, 2], output="softmax", cost="cross_entropy")  # a 1-neuron hidden layer is fine
    with pytest.raises(ValueError, match="^softmax is an output activation; choose sigmoid, "
                                         "tanh, relu or identity$"):
        Network([2, 3, 2], activation="softmax")
    with pytest.raises(ValueError, match="^dtype must be float32 or float64, got int32$"):
        Network([2, 2], dtype=np.int32)


def test_init_is_kept_and_normal_init_draws_biases():
    for init in ("normal", "scaled", "he"):
        assert Network([3, 2], init=init, rng=0).init == init
    net = Network([400, 300], init="normal", rng=0)
    assert net.weights[0].std() == pytest.approx(1.0, rel=0.02)
    assert net.biases[0].std() == pytest.approx(1.0, rel=0.2)


def test_from_parameters_copies_and_infers_sizes_and_dtype():
    rng = np.random.default_rng(0)
    w1, b1 = rng.standard_normal((4, 3)), rng.standard_normal((4, 1))
    w2, b2 = rng.standard_normal((2, 4)), rng.standard_normal((2, 1))
    net = Network.from_parameters([w1, w2], [b1, b2])
    assert net.sizes == [3, 4, 2] and net.dtype == np.float64
    assert (net.activation, net.output, net.cost) == ("sigmoid", "sigmoid", "quadratic")
    for got, want in zip(net.weights + net.biases, [w1, w2, b1, b2]):
        np.testing.assert_array_equal(got, want)
        assert got is not want
    w1[0, 0] += 1.0
    b1[0, 0] += 1.0
    assert net.weights[0][0, 0] != w1[0, 0] and net.biases[0][0, 0] != b1[0, 0]  # copies
    x = rng.standard_normal((3, 5))
    a1 = 1 / (1 + np.exp(-(net.weights[0] @ x + net.biases[0])))
    want = 1 / (1 + np.exp(-(w2 @ a1 + b2)))
    np.testing.assert_allclose(net.feedforward(x), want, rtol=1e-12)
    other = Network.from_parameters([w1, w2], [b1, b2], activation="tanh", output="softmax",
                                    cost="cross_entropy")
    assert (other.activation, other.output, other.cost) == ("tanh", "softmax", "cross_entropy")
    # dtype: that of weights[0] by default, or the one asked for
    mixed = Network.from_parameters([w1.astype(np.float32), w2], [b1, b2])
    assert mixed.dtype == np.float32
    assert all(p.dtype == np.float32 for p in mixed.weights + mixed.biases)
    mixed = Network.from_parameters([w1, w2.astype(np.float32)], [b1, b2])
    assert mixed.dtype == np.float64 and mixed.weights[1].dtype == np.float64
    asked = Network.from_parameters([w1, w2], [b1, b2], dtype=np.float32)
    assert asked.dtype == np.float32 and asked.biases[1].dtype == np.float32
    one = Network.from_parameters([w1], [b1])
    assert one.sizes == [3, 4]


def test_from_parameters_refuses_inconsistent_layers():
    w1, b1, w2, b2 = np.ones((4, 3)), np.ones((4, 1)), np.ones((2, 4)), np.ones((2, 1))
    layer_msg = "^from_parameters needs one 2-D weight matrix and one bias per layer$"
    for weights, biases in (([], []), ([w1, w2], [b1]), ([w1], [b1, b2]), ([np.ones(3)], [b1]),
                            ([np.ones((4, 3, 1))], [b1])):
        with pytest.raises(ValueError, match=layer_msg):
            Network.from_parameters(weights, biases)
    with pytest.raises(ValueError, match=re.escape(
            "layer 2: W2 has shape (2, 5) and b2 (2, 1); expected (2, 4) and (2, 1)")):
        Network.from_parameters([w1, np.ones((2, 5))], [b1, b2])
    with pytest.raises(ValueError, match=re.escape(
            "layer 1: W1 has shape (4, 3) and b1 (4, 2); expected (4, 3) and (4, 1)")):
        Network.from_parameters([w1, w2], [np.ones((4, 2)), b2])
    with pytest.raises(ValueError, match=re.escape(
            "layer 2: W2 has shape (2, 4) and b2 (3, 1); expected (2, 4) and (2, 1)")):
        Network.from_parameters([w1, w2], [b1, np.ones((3, 1))])


def test_one_output_neuron_after_hidden_layers_and_the_exact_threshold():
    net = _net([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[0.0, 0.0, 1.0]]],
               [[[0.0], [0.0], [0.0]], [[-1.0]]], activation="identity", output="sigmoid")
    x = np.array([[0.0, 1.0, 0.4, 2.0], [0.0, 0.0, 0.6, 2.0]])  # outputs σ(x1 + x2 − 1)
    pred = net.predict(x)
    np.testing.assert_array_equal(pred, [0, 0, 0, 1])  # σ(0) = 0.5 exactly is "no"
    assert np.issubdtype(pred.dtype, np.integer)
    # a 1-neuron hidden layer before several outputs: argmax, not a threshold
    wide = _net([[[1.0, 0.0]], [[1.0], [-1.0], [0.5]]], [[[0.0]], [[0.0], [0.0], [0.0]]],
                activation="identity", output="identity")
    np.testing.assert_array_equal(wide.predict(np.array([[2.0, -2.0], [0.0, 0.0]])), [0, 1])


def test_total_cost_and_output_cost_with_and_without_l2():
    rng = np.random.default_rng(5)
    net = Network([3, 4, 2], rng=1)
    x, y = rng.standard_normal((3, 6)), one_hot(rng.integers(0, 2, 6), 2)
    zs, acts = net.forward(x)
    plain = 0.5 * np.sum((acts[-1] - y) ** 2) / 6
    assert net.total_cost(x, y) == pytest.approx(plain, rel=1e-12)
    assert net.output_cost(zs[-1], acts[-1], y) == pytest.approx(plain, rel=1e-12)
    squares = sum(np.sum(w ** 2) for w in net.weights)
    assert net.total_cost(x, y, l2=0.3) == pytest.approx(plain + 0.15 * squares, rel=1e-12)
    assert net.total_cost(x, y, 2.0) == pytest.approx(plain + squares, rel=1e-12)
    assert net.output_cost(zs[-1], acts[-1], y, 0.3) == pytest.approx(plain + 0.15 * squares,
                                                                       rel=1e-12)
    with pytest.raises(ValueError, match=re.escape(
            "targets must have shape (2, 6) (one column per sample), got (6, 2)")):
        net.total_cost(x, y.T)


def test_cost_of_float32_network_does_not_depend_on_the_targets_dtype():
    net = Network([3, 5, 4], output="softmax", cost="quadratic", rng=2, dtype=np.float32)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 7))
    y = 0.8 * one_hot(rng.integers(0, 4, 7), 4) + 0.05  # 0.85 and 0.05 round in float32
    assert net.total_cost(x, y) == net.total_cost(x, y.astype(np.float32))


def test_saturated_outputs_have_finite_costs():
    # softmax of z = [0, 800] rounds to [0, 1]; the cost of label 0 is 800, not inf
    soft = _net([[[0.0], [800.0]]], [[[0.0], [0.0]]], output="softmax", cost="cross_entropy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert soft.total_cost(np.array([[1.0]]), np.array([[1.0], [0.0]])) == pytest.approx(800)
        sig = _net([[[-800.0]]], [[[0.0]]], output="sigmoid", cost="binary_cross_entropy")
        assert sig.total_cost(np.array([[1.0]]), np.array([[1.0]])) == pytest.approx(800)


def test_backprop_names_the_expected_target_shape_in_deep_networks():
    net = Network([3, 5, 2], rng=0)
    with pytest.raises(ValueError, match=re.escape("targets must have shape (2, 4) ")):
        net.backprop(np.zeros((3, 4)), np.zeros((5, 4)))


# ============================================================================ gradcheck
def test_numerical_gradient_evaluates_f_twice_per_entry_and_only_where_asked():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    calls = []

    def f():
        calls.append(x.copy())
        return float(np.sum(x ** 2))

    grad = numerical_gradient(f, x)
    assert len(calls) == 2 * x.size  # centred: f(x + h) and f(x − h), nothing else
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-8)
    calls.clear()
    grad = numerical_gradient(f, x, indices=[(1,), (3,)])
    assert len(calls) == 4
    np.testing.assert_allclose(grad, [0.0, 4.0, 0.0, 8.0], rtol=1e-8)
    calls.clear()
    grad = numerical_gradient(f, x, h=1e-4, method="forward", indices=[(2,)])
    assert len(calls) == 2  # f(x), then f(x + h)
    assert grad[2] == pytest.approx(6.0 + 1e-4, rel=1e-8) and not grad[[0, 1, 3]].any()


def test_relative_error_of_float32_values_is_computed_in_float64():
    big = np.float32(3e38)
    assert relative_error(big, -big) == 2.0  # |a − b| = 6e38 overflows float32


class _ScaledBackprop(Network):
    """A network whose backprop is off by a known factor on chosen parameters."""
    factors = {}
    bump = None  # (layer, kind, index, amount): one wrong entry

    def backprop(self, x, y, masks=None):
        nb, nw = super().backprop(x, y, masks)
        for (kind, l), f in self.factors.items():
            (nw if kind == "W" else nb)[l - 1] = f * (nw if kind == "W" else nb)[l - 1]
        if self.bump:
            l, kind, index, amount = self.bump
            (nw if kind == "W" else nb)[l - 1][index] += amount
        return nb, nw


def _scaled(factors=None, bump=None, sizes=(3, 4, 2), seed=0):
    net = _ScaledBackprop(list(sizes), init="scaled", rng=seed)
    net.factors = factors or {}
    net.bump = bump
    rng = np.random.default_rng(seed + 1)
    x = rng.standard_normal((sizes[0], 5))
    return net, x, one_hot(rng.integers(0, sizes[-1], 5), sizes[-1])


def test_check_gradients_error_uses_the_larger_norm():
    net, x, y = _scaled({("W", 1): 0.5, ("b", 2): 2.0})
    r = check_gradients(net, x, y)
    assert r["W1"].error == pytest.approx(0.5, rel=1e-6)  # ‖0.5g − g‖ / ‖g‖
    assert r["b2"].error == pytest.approx(0.5, rel=1e-6)  # ‖2g − g‖ / ‖2g‖
    assert r["W2"].error < 1e-8 and r["b1"].error < 1e-8


def test_check_gradients_reports_the_worst_entry():
    net, x, y = _scaled(bump=(1, "W", (2, 1), 0.5))
    r = check_gradients(net, x, y)
    w1 = r["W1"]
    assert w1.name == "W1" and w1.shape == (4, 3) and w1.checked == 12
    assert w1.worst_index == (2, 1)
    true = Network.backprop(net, x, y)[1][0][2, 1]
    assert w1.numerical == pytest.approx(true, rel=1e-6)
    assert w1.analytic == pytest.approx(true + 0.5, rel=1e-12)
    assert w1.worst_error == pytest.approx(0.5 / max(abs(true), abs(true + 0.5)), rel=1e-5)
    assert isinstance(w1.worst_error, float) and isinstance(w1.analytic, float)
    assert r["W2"].name == "W2" and r["W2"].worst_error < 1e-6


def test_check_gradients_uses_its_floor_and_its_h():
    net, x, y = _scaled({("W", 1): 1.01})
    big_floor = check_gradients(net, x, y, floor=1e3)
    g = Network.backprop(net, x, y)[1][0]
    assert big_floor["W1"].error == pytest.approx(0.01 * np.linalg.norm(g) / 1e3, rel=1e-4)
    assert big_floor["W1"].worst_error == pytest.approx(0.01 * np.abs(g).max() / 1e3, rel=1e-4)
    # a dead ReLU layer: both gradients are exactly 0, the error is 0 (not 0/0)
    dead = Network.from_parameters([-np.ones((2, 3)), np.ones((2, 2))],
                                   [-10 * np.ones((2, 1)), np.zeros((2, 1))],
                                   activation="relu", output="identity")
    r = check_gradients(dead, np.abs(x), y)
    assert r["W1"].error == 0.0 and r["b1"].error == 0.0 and r["W1"].worst_error == 0.0
    # h reaches the finite differences: a large h gives a visible truncation error
    coarse = check_gradients(Network([3, 4, 2], activation="tanh", rng=0), x, y, h=0.5)
    assert coarse["W1"].error > 1e-4


def test_check_gradients_samples_distinct_entries_with_its_rng():
    net = Network([5, 4, 2], init="scaled", rng=0)
    x, labels = _toy(m=3, n=5)
    y = one_hot(labels, 2)
    perturbed = []
    original = [p.copy() for _, p in net.parameters()]
    cost = net.total_cost

    def spying_total_cost(*args, **kwargs):
        for (name, p), p0 in zip(net.parameters(), original):
            for index in zip(*np.nonzero(p != p0)):
                perturbed.append((name, tuple(int(i) for i in index), float(p[index] - p0[index])))
        return cost(*args, **kwargs)

    net.total_cost = spying_total_cost
    r = check_gradients(net, x, y, num_samples=19, rng=3, h=1e-4)
    w1 = [(i, d) for name, i, d in perturbed if name == "W1"]
    assert len(w1) == 2 * 19  # twice per checked entry, no more
    assert len({i for i, _ in w1}) == 19  # 19 distinct entries of the 20
    assert all(abs(abs(d) - 1e-4) < 1e-10 for _, d in w1)  # steps of ±h
    assert r["W1"].checked == 19 and r["W1"].worst_index in {i for i, _ in w1}
    assert r["b1"].checked == 4 and r["b2"].checked == 2  # fewer entries than asked: all
    again = check_gradients(net, x, y, num_samples=19, rng=3, h=1e-4)
    assert again == r  # the same rng seed checks the same entries


# ============================================================================ training
def _reference_sgd(net, x, targets, epochs, batch_size, eta, seed, momentum=0.0, l2=0.0):
    """SGD as the module documents it, step by step: each epoch one seeded permutation
    of the columns, cut into batches; v ← μv − η(∇C + λW), W ← W + v (biases: no λ)."""
    rng = np.random.default_rng(seed)
    ws = [w.copy() for w in net.weights]
    bs = [b.copy() for b in net.biases]
    vw = [np.zeros_like(w) for w in ws]
    vb = [np.zeros_like(b) for b in bs]
    m = x.shape[1]
    for _ in range(epochs):
        order = rng.permutation(m)
        for k in range(0, m, batch_size):
            idx = order[k:k + batch_size]
            step = Network.from_parameters(ws, bs, activation=net.activation,
                                           output=net.output, cost=net.cost)
            nb, nw = step.backprop(x[:, idx], targets[:, idx])
            for l in range(len(ws)):
                vw[l] = momentum * vw[l] - eta * (nw[l] + l2 * ws[l])
                vb[l] = momentum * vb[l] - eta * nb[l]
                ws[l] = ws[l] + vw[l]
                bs[l] = bs[l] + vb[l]
    return ws, bs


@pytest.mark.parametrize("momentum,l2", [(0.9, 0.0), (0.5, 0.01), (0.0, 0.0)])
def test_full_batch_steps_with_momentum_match_the_update_rule(momentum, l2):
    """batch_size = m: every epoch is one step on the whole set, whatever the shuffle."""
    x, labels = _toy(m=8)
    net = Network([2, 3, 2], activation="tanh", init="scaled", rng=4)
    ws, bs = _reference_sgd(net, x, one_hot(labels, 2), epochs=4, batch_size=8, eta=0.5,
                            seed=0, momentum=momentum, l2=l2)
    sgd(net, x, labels, epochs=4, batch_size=8, eta=0.5, rng=0, momentum=momentum, l2=l2,
        monitor_train=False)
    for got, want in zip(net.weights + net.biases, ws + bs):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


def test_momentum_changes_later_steps():
    x, labels = _toy(m=8)
    runs = []
    for momentum in (0.0, 0.9):
        net = Network([2, 3, 2], init="scaled", rng=4)
        sgd(net, x, labels, epochs=3, batch_size=8, eta=0.5, rng=0, momentum=momentum,
            monitor_train=False)
        runs.append(net)
    assert not np.allclose(runs[0].weights[0], runs[1].weights[0])
    assert not np.allclose(runs[0].biases[1], runs[1].biases[1])


def test_minibatch_steps_follow_the_seeded_shuffle():
    """Seeded runs are reproducible across versions (the book's stored outputs depend on
    it): each epoch shuffles with one rng.permutation(m); the last batch is smaller."""
    x, labels = _toy(m=7)
    net = Network([2, 3, 2], activation="relu", output="softmax", cost="cross_entropy",
                  init="he", rng=2)
    targets = one_hot(labels, 2)
    ws, bs = _reference_sgd(net, x, targets, epochs=2, batch_size=3, eta=0.3, seed=11,
                            momentum=0.8, l2=0.05)
    sgd(net, x, targets, epochs=2, batch_size=3, eta=0.3, rng=11, momentum=0.8, l2=0.05,
        monitor_train=False)
    for got, want in zip(net.weights + net.biases, ws + bs):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


def test_batch_size_one_and_zero_epochs_are_allowed():
    x, labels = _toy(m=3)
    net = Network([2, 2], rng=0)
    w0 = net.weights[0].copy()
    h = sgd(net, x, labels, epochs=0, batch_size=1, eta=1.0, rng=0)
    assert h == {"epoch": [], "cost": [], "train_accuracy": [], "validation_accuracy": [],
                 "seconds": []}
    np.testing.assert_array_equal(net.weights[0], w0)
    ws, bs = _reference_sgd(net, x, one_hot(labels, 2), epochs=1, batch_size=1, eta=1.0, seed=0)
    h = sgd(net, x, labels, epochs=1, batch_size=1, eta=1.0, rng=0)
    np.testing.assert_allclose(net.weights[0], ws[0], rtol=1e-12)
    assert h["epoch"] == [1]


def test_history_values():
    x, labels = _toy(m=40)
    xv, lv = _toy(seed=1, m=30)
    net = Network([2, 3, 2], init="scaled", rng=0)
    before = time.perf_counter()
    h = sgd(net, x, labels, epochs=3, batch_size=10, eta=0.05, rng=0, l2=0.5,
            validation=(xv, lv), callback=lambda e, hist: e == 1)
    elapsed = time.perf_counter() - before
    # the callback returned True after epoch 1: training stopped there
    assert h["epoch"] == [1] and len(h["seconds"]) == 1
    assert isinstance(h["seconds"][0], float) and 0 <= h["seconds"][0] <= elapsed
    assert h["cost"] == [pytest.approx(net.total_cost(x, one_hot(labels, 2), l2=0.5), rel=1e-12)]
    assert h["validation_accuracy"] == [net.evaluate(xv, lv)]
    assert h["train_accuracy"] == [net.evaluate(x, labels)]


def test_one_output_neuron_after_a_hidden_layer_trains_on_labels():
    x, labels = _toy(m=20)
    net = Network([2, 3, 1], output="sigmoid", cost="binary_cross_entropy", init="scaled", rng=0)
    ws, bs = _reference_sgd(net, x, labels.reshape(1, -1).astype(float), epochs=2,
                            batch_size=5, eta=0.5, seed=1)
    h = sgd(net, x, labels, epochs=2, batch_size=5, eta=0.5, rng=1)
    np.testing.assert_allclose(net.weights[1], ws[1], rtol=1e-10)
    assert h["train_accuracy"][-1] == net.evaluate(x, labels)


def test_target_columns_must_match_the_output_layer():
    x, labels = _toy(m=10)
    net = Network([2, 4, 2], rng=0)
    sgd(net, x, one_hot(labels, 2), epochs=1, batch_size=5, eta=1.0, rng=0)  # (2, m): fine
    for bad in (np.zeros((3, 10)), np.zeros((2, 10, 1)), np.zeros((4, 10))):
        with pytest.raises(ValueError, match=re.escape(
                "y must be labels of shape (m,) or targets of shape (2, m); "
                f"got {bad.shape}")):
            sgd(net, x, bad, epochs=1, batch_size=5, eta=1.0, rng=0)


@pytest.mark.parametrize("kwargs,message", [
    ({"eta": "fast"}, "the learning rate eta must be a number in (0, inf), got 'fast'"),
    ({"eta": True}, "the learning rate eta must be a number in (0, inf), got True"),
    ({"momentum": "0.9"}, "momentum must be a number in [0, 1), got '0.9'"),
    ({"l2": None}, "the L2 coefficient l2 must be a number in [0, inf), got None")])
def test_non_numbers_are_named(kwargs, message):
    x, labels = _toy(m=4)
    args = dict(epochs=1, batch_size=2, eta=1.0, rng=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        sgd(Network([2, 2], rng=0), x, labels, **args)


def test_non_finite_inputs_are_refused():
    x, labels = _toy(m=4)
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match="^the training inputs x contain NaN or infinite values$"):
        sgd(Network([2, 2], rng=0), x, labels, epochs=1, batch_size=2, eta=1.0, rng=0)


def test_divergence_names_the_first_bad_parameter_even_a_bias():
    # x = 0: the weight gradient δ aᵀ is 0, only the bias moves; η = 1e308 sends
    # b from 0 to 1e308 (batch 1) and then to −inf (batch 2) while W stays finite
    net = _net([[[0.5]]], [[[0.0]]], output="identity", cost="quadratic")
    x, y = np.zeros((1, 3)), np.ones((1, 3))
    with pytest.raises(TrainingDiverged,
                       match="^training diverged at epoch 1, batch 2: b1 became NaN or infinite"):
        sgd(net, x, y, epochs=1, batch_size=1, eta=1e308, rng=0)
    assert net.weights[0][0, 0] == 0.5


def test_an_infinite_cost_with_finite_parameters_is_divergence():
    # z = 1e155: finite, but the quadratic cost ½z² overflows to inf
    net = _net([[[1e155]]], [[[0.0]]], output="identity", cost="quadratic")
    with pytest.raises(TrainingDiverged, match="^training diverged at epoch 1: the training cost is inf"):
        sgd(net, np.ones((1, 2)), np.zeros((1, 2)), epochs=1, batch_size=2, eta=1e-300, rng=0)


# (The "divide" and "invalid" cases used an identity output with binary cross-entropy, which
# Network now refuses at construction: that cost needs sigmoid outputs.)
@pytest.mark.parametrize("case", ["overflow"])
def test_divergence_raises_training_diverged_and_no_numpy_warning(case):
    """Whatever numpy's error state, a diverging step is reported by TrainingDiverged only."""
    if case == "overflow":  # δ aᵀ = 1e200 · 1e200 overflows
        net = _net([[[1.0]]], [[[0.0]]], output="identity", cost="quadratic")
        x, y = np.full((1, 1), 1e200), np.zeros((1, 1))
    else:  # identity output a = 0 with binary cross-entropy: (a − y) / (a(1 − a)) = −1/0 or 0/0
        net = _net([[[0.0]]], [[[0.0]]], output="identity", cost="binary_cross_entropy")
        x, y = np.ones((1, 1)), np.full((1, 1), 1.0 if case == "divide" else 0.0)
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        with pytest.raises(TrainingDiverged, match="batch 1"):
            sgd(net, x, y, epochs=1, batch_size=1, eta=1.0, rng=0)


class _FlushRecorder(io.StringIO):
    def __init__(self):
        super().__init__()
        self.flushed = ""

    def flush(self):
        self.flushed = self.getvalue()


def test_verbose_lines_are_flushed_and_show_each_epochs_numbers():
    x, labels = _toy(m=60)
    xv, lv = _toy(seed=3, m=50)
    out = _FlushRecorder()
    seen = []
    net = Network([2, 3, 2], init="scaled", rng=0)
    net.weights[0][:] *= -1  # start badly, so that the accuracy changes from epoch to epoch
    with contextlib.redirect_stdout(out):
        h = sgd(net, x, labels, epochs=4, batch_size=6, eta=0.3, rng=0, verbose=True,
                validation=(xv, lv), callback=lambda e, hist: seen.append(out.flushed))
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and len(set(h["validation_accuracy"])) > 2
    for e, line in enumerate(lines):
        assert seen[e].splitlines() == lines[:e + 1]  # on screen before the next epoch starts
        assert re.fullmatch(
            rf"Epoch {e + 1:2d}, cost {h['cost'][e]:.4f}, train {h['train_accuracy'][e]:.2%}, "
            rf"validation {h['validation_accuracy'][e]:.2%}, \d+\.\d\d s", line), line


def test_quiet_by_default(capsys):
    x, labels = _toy(m=10)
    sgd(Network([2, 2], rng=0), x, labels, epochs=2, batch_size=5, eta=1.0, rng=0)
    assert capsys.readouterr().out == ""


def test_labels_are_read_from_targets_in_the_networks_dtype():
    # in float32 the two rows tie (argmax: class 0); in float64 row 1 is larger
    net = _net([[[0.0], [0.0]]], [[[1.0], [0.0]]], output="identity", dtype=np.float32)
    targets = np.array([[0.3, 0.3], [0.3 + 1e-12, 0.3 + 1e-12]])
    h = sgd(net, np.zeros((1, 2)), targets, epochs=1, batch_size=2, eta=1e-3, rng=0)
    assert net.predict(np.zeros((1, 2))).tolist() == [0, 0]
    assert h["train_accuracy"] == [1.0]


# ================================================================= chapter 7 and the optimisers
class _Bare:
    """A minimal optimiser: only ``step`` (no ``eta``, no ``l2``), plain gradient descent."""

    def __init__(self, rate):
        self.rate = rate

    def __repr__(self):
        return f"_Bare({self.rate})"

    def step(self, params, grads):
        for (_, p), (_, g) in zip(params, grads):
            p -= self.rate * g


class _NoL2(_Bare):
    """An optimiser with an ``eta`` but no ``l2`` attribute."""

    def __init__(self, eta):
        super().__init__(eta)
        self.eta = eta


def test_the_output_and_cost_message_says_what_fits():
    with pytest.raises(ValueError, match="cross_entropy needs a softmax output, "
                                         "binary_cross_entropy needs sigmoid outputs"):
        Network([2, 3, 2], output="sigmoid", cost="cross_entropy")


def test_dropout_masks_are_in_the_network_dtype_and_keep_a_draw_equal_to_the_rate():
    net = Network([3, 4, 2], dtype=np.float32, rng=0)
    [mask] = net.dropout_masks(5, 0.25, np.random.default_rng(0))
    assert mask.dtype == np.float32

    class Exactly:  # every uniform draw is exactly the rate: kept (u >= rate), not dropped
        def random(self, shape, dtype):
            return np.full(shape, 0.5, dtype=dtype)

    [mask] = net.dropout_masks(3, 0.5, Exactly())
    np.testing.assert_array_equal(mask, np.full((4, 3), 2.0))
    # the uniform draws themselves are in the network's dtype: the stored results of
    # bench/better.py (chapter 7) depend on this exact stream of random numbers
    [mask] = net.dropout_masks(6, 0.5, np.random.default_rng(4))
    draws = np.random.default_rng(4).random((4, 6), dtype=np.float32)
    np.testing.assert_array_equal(mask, (draws >= 0.5) * np.float32(2.0))


def test_sgd_with_dropout_is_the_loop_written_out():
    """sgd(dropout=p) = shuffle, then per batch: masks from the same rng, masked gradients, step."""
    x, labels = _toy(m=30)
    a = Network([2, 5, 4, 2], activation="relu", output="softmax", cost="cross_entropy", rng=3)
    b = Network.from_parameters([w.copy() for w in a.weights], [v.copy() for v in a.biases],
                                activation="relu", output="softmax", cost="cross_entropy")
    sgd(a, x, labels, epochs=1, batch_size=8, eta=0.5, rng=7, dropout=0.5, monitor_train=False)
    rng, targets = np.random.default_rng(7), one_hot(labels, 2)
    order = rng.permutation(30)
    for k in range(0, 30, 8):
        idx = order[k:k + 8]
        masks = b.dropout_masks(len(idx), 0.5, rng)
        for (_, p), (_, g) in zip(b.parameters(), b.gradients(x[:, idx], targets[:, idx], masks)):
            p -= 0.5 * g
    for (name, p), (_, q) in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15, err_msg=name)


def test_validation_of_the_wrong_length_is_named():
    x, labels = _toy()
    with pytest.raises(ValueError, match=r"^validation has 12 samples but 11 labels$"):
        sgd(Network([2, 3, 2], rng=0), x, labels, epochs=1, batch_size=4, eta=0.1,
            validation=(x, labels[:11]))


def test_optimizer_and_hyperparameters_are_not_mixed():
    x, labels = _toy()
    net = Network([2, 3, 2], rng=0)
    with pytest.raises(ValueError, match=r"^give the learning rate eta \(or an optimizer\)$"):
        sgd(net, x, labels, epochs=1, batch_size=4)
    for extra in (dict(eta=0.1), dict(momentum=0.5), dict(l2=0.1)):
        with pytest.raises(ValueError, match=r"^give either an optimizer or eta/momentum/l2, "
                                             r"not both \(got optimizer="):
            sgd(net, x, labels, epochs=1, batch_size=4, optimizer=_Bare(0.1), **extra)


def _diverge(optimizer, **kwargs):
    x, labels = _toy()
    with pytest.raises(TrainingDiverged) as caught:
        sgd(Network([2, 3, 2], rng=0), x, labels, epochs=3, batch_size=4, rng=0,
            optimizer=optimizer, **kwargs)
    return str(caught.value)


def test_divergence_advice_for_optimisers_without_eta_or_l2():
    assert "try a smaller learning rate for _Bare(inf)" in _diverge(_Bare(np.inf))
    message = _diverge(_NoL2(np.inf))
    assert "learning rate eta=inf; try a smaller learning rate" in message
    assert "L2" not in message


@pytest.mark.parametrize("eta,l2,blamed", [(2.0, 1.0, "l2"), (1.0, 2.0, "l2"), (3.0, 1.0, "l2"),
                                           (1.9, 1.0, "eta"), (4.0, 0.99, "eta")])
def test_divergence_advice_blames_l2_exactly_when_l2_ge_1_and_eta_l2_ge_2(eta, l2, blamed):
    from nnlib.optimizers import SGD
    from nnlib.training import _divergence_advice
    advice = _divergence_advice(SGD(eta, l2=l2))
    if blamed == "l2":
        assert advice == (f"the L2 coefficient l2={l2:g} is too large: with eta={eta:g}, "
                          f"η·λ = {eta * l2:g} is not below 2, so weight decay alone makes the "
                          "weights grow; use a smaller l2")
    else:
        assert advice == f"learning rate eta={eta:g}; try a smaller learning rate"


def test_a_non_finite_training_cost_is_blamed_on_the_optimiser_settings(monkeypatch):
    x, labels = _toy()
    net = Network([2, 3, 2], rng=0)
    monkeypatch.setattr(net, "output_cost", lambda *args: float("inf"))
    with pytest.raises(TrainingDiverged, match=r"epoch 1: the training cost is inf \(learning "
                                               r"rate eta=0.1; try a smaller learning rate\)"):
        sgd(net, x, labels, epochs=1, batch_size=4, eta=0.1, rng=0)


def test_the_recorded_cost_of_an_optimizer_without_l2_has_no_l2_term():
    x, labels = _toy()
    net = Network([2, 3, 2], rng=0)
    history = sgd(net, x, labels, epochs=1, batch_size=4, rng=0, optimizer=_NoL2(0.1))
    assert history["cost"][0] == net.total_cost(x, one_hot(labels, 2))


def test_overflow_and_nan_inside_training_raise_no_warning_only_training_diverged():
    x = np.array([[100.0] * 5 + [-100.0] * 5, [50.0] * 5 + [-50.0] * 5])
    labels = np.array([0, 1] * 5)
    net = Network([2, 4, 4, 2], activation="relu", rng=0)
    net.weights[0][:] = np.array([[1, -1], [-1, 1], [1, 1], [-1, -1]]) * 1e307  # z^1 overflows
    net.weights[1][:] = np.array([[1, 0, -1, 0]] * 4)             # inf - inf = nan in z^2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TrainingDiverged):
            sgd(net, x, labels, epochs=1, batch_size=5, eta=0.1, rng=0)


def test_sgd_and_nesterov_keep_their_velocity_under_v():
    from nnlib.optimizers import SGD, Nesterov
    for opt in (SGD(0.1, momentum=0.9), Nesterov(0.1, momentum=0.9)):
        p = np.zeros(2)
        opt.step([("W1", p)], [("W1", np.array([1.0, -2.0]))])
        np.testing.assert_allclose(opt.state["W1", "v"], [-0.1, 0.2])
        assert set(opt.state) == {("W1", "v")}


def test_adam_defaults_are_the_papers():
    from nnlib.optimizers import Adam
    adam = Adam()
    assert (adam.eta, adam.beta1, adam.beta2, adam.eps, adam.l2) == (1e-3, 0.9, 0.999, 1e-8, 0.0)


def test_cosine_eta_with_a_floor():
    from nnlib.optimizers import cosine_eta
    assert cosine_eta(6, 10, 0.1, 0.001) == pytest.approx(0.001 + 0.5 * 0.099)
    assert cosine_eta(1, 10, 0.1, 0.001) == pytest.approx(0.1)
