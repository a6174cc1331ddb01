import numpy as np
import pytest

from nnlib import Network, check_gradients, numerical_gradient, one_hot, relative_error

from conftest import make_toy


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


# -------------------------------------------------- what is evaluated, exactly
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
    x, labels = make_toy(m=3, n_inputs=5)
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
# ------------------------------------------------------------------ planted bugs (issue 22)
def _planted_backprop(net, x, y, masks=None, bug=None):
    """Network.backprop written out again, with one classic bug planted on request."""
    zs, acts = net.forward(x)
    L = len(net.weights)
    nabla_b = [np.zeros_like(b) for b in net.biases]
    nabla_w = [np.zeros_like(w) for w in net.weights]
    a = acts[-1]
    if bug == "diagonal-only softmax":
        delta = net.cost_gradient(a, y) * a * (1 - a)
    else:
        delta = net.output_error(zs[-1], a, y)
    if bug == "forgets the 1/m":
        delta = delta * x.shape[1]
    last = 2 if bug == "loop stops one layer early" else 1
    for l in range(L, last - 1, -1):
        nabla_b[l - 1] = delta.sum(axis=1, keepdims=True)
        nabla_w[l - 1] = delta @ acts[l - 1].T
        if l > 1:
            W = net.weights[-1] if bug == "BP2 always uses W^L" else net.weights[l - 1]
            back = W @ delta if bug == "W instead of W^T" else W.T @ delta
            z = zs[-2] if bug == "sigma' always of z^(L-1)" else zs[l - 2]
            delta = back * (1.0 if bug == "forgets sigma'" else net.sigma_prime(z))
    return nabla_b, nabla_w


PLANTED = ["forgets sigma'", "W instead of W^T", "BP2 always uses W^L",
           "sigma' always of z^(L-1)", "loop stops one layer early", "forgets the 1/m",
           "diagonal-only softmax"]


def _planted_check(sizes, bug, seed=7, m=7):
    """The worst element-wise relative error of a check of a planted backprop, or
    ``"shape error"`` when the bug makes the backward pass stop on mismatched shapes."""
    import functools
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((sizes[0], m))
    y = one_hot(rng.integers(0, sizes[-1], m), sizes[-1])
    net = Network(sizes, activation="tanh", output="softmax", cost="quadratic", rng=1)
    net.backprop = functools.partial(_planted_backprop, net, bug=bug)
    try:
        results = check_gradients(net, x, y)
    except ValueError:
        return "shape error"
    return max(r.worst_error for r in results.values())


# A correct gradient's worst entry may reach the "look closer" band (1e-7 to 1e-4) on
# entries whose gradient is tiny; a planted bug lands above 1e-2 ("wrong").
def test_the_planted_backprop_without_a_bug_agrees_on_deep_non_square_nets():
    for sizes in ([4, 6, 5, 3], [3, 7, 4, 6, 2]):
        assert _planted_check(sizes, None) < 1e-4, sizes


@pytest.mark.parametrize("bug", PLANTED)
def test_each_planted_bug_is_caught_with_two_hidden_layers_of_different_widths(bug):
    outcome = _planted_check([4, 6, 5, 3], bug)
    assert outcome == "shape error" or outcome > 1e-2, (bug, outcome)


@pytest.mark.parametrize("bug", PLANTED)
def test_each_planted_bug_is_caught_by_the_numbers_when_shapes_fit(bug):
    # equal hidden widths and 5 outputs: every wrong matrix fits, so the
    # check itself has to see each bug
    outcome = _planted_check([5, 5, 5, 5], bug)
    assert outcome != "shape error" and outcome > 1e-2, (bug, outcome)


@pytest.mark.parametrize("bug", ["BP2 always uses W^L", "sigma' always of z^(L-1)"])
def test_one_hidden_layer_cannot_see_a_wrong_layer_index(bug):
    # why the checks above need two hidden layers: with one, BP2 runs once and
    # "the output layer's W" or "the last hidden z" is the right one
    assert _planted_check([4, 5, 3], bug) < 1e-4


def test_a_single_sample_cannot_see_a_forgotten_1_over_m():
    assert _planted_check([4, 6, 5, 3], "forgets the 1/m", m=1) < 1e-4
    assert _planted_check([4, 6, 5, 3], "forgets the 1/m", m=2) == pytest.approx(0.5)


def test_norm_wise_error_is_at_most_sqrt2_times_the_worst_entry_and_can_be_far_smaller():
    # chapter 5 and the notation page: the thresholds are for the element-wise
    # error; the norm-wise one is a summary bounded by √2 times the worst entry
    rng = np.random.default_rng(0)
    for _ in range(200):
        g = rng.standard_normal(12) * 10.0 ** rng.integers(-3, 2, 12)
        n = g * (1 + 1e-3 * rng.standard_normal(12)) + 1e-4 * rng.standard_normal(12)
        norm_wise = np.linalg.norm(g - n) / max(np.linalg.norm(g), np.linalg.norm(n))
        assert norm_wise <= np.sqrt(2) * relative_error(g, n).max() * (1 + 1e-12)
    g = np.array([1.0, 1e-6])
    n = np.array([1.0, 2e-6])              # a small entry badly wrong
    assert relative_error(g, n).max() == pytest.approx(0.5)
    assert np.linalg.norm(g - n) / np.linalg.norm(n) < 1e-5
