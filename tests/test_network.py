import re
import warnings

import numpy as np
import pytest
from hypothesis import assume, given

from nnlib import (Network, check_gradients, max_relative_error, numerical_gradient, one_hot,
                   relative_error, sgd)

from conftest import COMBINATIONS, SLOW, net_from, networks_and_batches
SHAPES = [[3, 2], [4, 5, 3], [5, 4, 6, 3]]


def _batch(sizes, m=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((sizes[0], m))
    y = one_hot(rng.integers(0, sizes[-1], size=m), sizes[-1])
    return x, y


@pytest.mark.parametrize("hidden,output,cost", COMBINATIONS)
@pytest.mark.parametrize("sizes", SHAPES)
def test_backprop_matches_numerical_gradient(sizes, hidden, output, cost):
    net = Network(sizes, activation=hidden, output=output, cost=cost, init="scaled", rng=7)
    for b in net.biases:  # non-zero biases, so their gradients are tested in general position
        b += np.random.default_rng(8).standard_normal(b.shape) * 0.1
    x, y = _batch(sizes)
    if output == "sigmoid" and cost == "binary_cross_entropy":
        y = y * 0.8 + 0.1  # soft targets exercise both log terms
    results = check_gradients(net, x, y, h=1e-5)
    assert set(results) == {f"{p}{l}" for l in range(1, len(sizes)) for p in "Wb"}
    assert max_relative_error(results) < 1e-7, results


def test_shapes_follow_the_notation():
    net = Network([784, 30, 10], rng=0)
    assert [w.shape for w in net.weights] == [(30, 784), (10, 30)]
    assert [b.shape for b in net.biases] == [(30, 1), (10, 1)]
    assert net.num_parameters() == 784 * 30 + 30 + 30 * 10 + 10
    zs, activations = net.forward(np.zeros((784, 7)))
    assert [z.shape for z in zs] == [(30, 7), (10, 7)]
    assert [a.shape for a in activations] == [(784, 7), (30, 7), (10, 7)]
    assert net.feedforward(np.zeros(784)).shape == (10, 1)


def test_known_output_of_a_tiny_network():
    net = Network([2, 1], output="sigmoid")
    net.weights[0][:] = [[0.5, -1.0]]
    net.biases[0][:] = [[0.25]]
    z = 0.5 * 2.0 - 1.0 * 1.0 + 0.25
    np.testing.assert_allclose(net.feedforward(np.array([[2.0], [1.0]])), [[1 / (1 + np.exp(-z))]])


def test_backprop_gradient_of_mean_is_mean_of_gradients():
    net = Network([3, 4, 2], rng=1)
    x, y = _batch([3, 4, 2], m=6, seed=2)
    nb, nw = net.backprop(x, y)
    parts = [net.backprop(x[:, [i]], y[:, [i]]) for i in range(6)]
    for l in range(2):
        np.testing.assert_allclose(nw[l], sum(p[1][l] for p in parts) / 6)
        np.testing.assert_allclose(nb[l], sum(p[0][l] for p in parts) / 6)


def test_seeded_init_is_reproducible_and_init_scales():
    a, b = Network([50, 20, 10], rng=3), Network([50, 20, 10], rng=3)
    for wa, wb in zip(a.weights, b.weights):
        np.testing.assert_array_equal(wa, wb)
    scaled = Network([10000, 50], init="scaled", rng=0)
    assert scaled.weights[0].std() == pytest.approx(0.01, rel=0.02)
    he = Network([10000, 50], init="he", rng=0)
    assert he.weights[0].std() == pytest.approx(np.sqrt(2 / 10000), rel=0.02)
    assert not he.biases[0].any()


def test_predict_and_evaluate():
    net = Network([2, 2], output="identity")
    net.weights[0][:] = np.eye(2)
    net.biases[0][:] = 0
    x = np.array([[1.0, 0.0, 3.0], [0.0, 1.0, 2.0]])
    np.testing.assert_array_equal(net.predict(x), [0, 1, 0])
    assert net.evaluate(x, [0, 1, 1]) == pytest.approx(2 / 3)


def test_float32_network_keeps_float32():
    net = Network([4, 3, 2], dtype=np.float32, rng=0)
    out = net.feedforward(np.ones((4, 5)))
    assert out.dtype == np.float32
    nb, nw = net.backprop(np.ones((4, 5)), np.zeros((2, 5)))
    assert all(g.dtype == np.float32 for g in nb + nw)


@pytest.mark.parametrize("sizes", [[], [5], [784, 0, 10], [784, -3, 10], [784, 2.5, 10], [3, True]])
def test_bad_sizes(sizes):
    with pytest.raises(ValueError, match="sizes"):
        Network(sizes)


def test_bad_names_and_shapes():
    with pytest.raises(ValueError, match="unknown activation"):
        Network([2, 2], activation="gelu")
    with pytest.raises(ValueError, match="unknown cost"):
        Network([2, 2], cost="hinge")
    with pytest.raises(ValueError, match="unknown init"):
        Network([2, 2], init="zeros")
    with pytest.raises(ValueError, match="output activation"):
        Network([2, 2], activation="softmax")
    net = Network([3, 2], rng=0)
    with pytest.raises(ValueError, match=r"input must have shape \(3, m\).*\(4, 2\)"):
        net.feedforward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"targets must have shape \(2, 5\)"):
        net.backprop(np.zeros((3, 5)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="5 samples but 4 labels"):
        net.evaluate(np.zeros((3, 5)), [0, 1, 0, 1])


def test_one_output_neuron_answers_yes_or_no():
    net = Network([2, 1], output="sigmoid")
    net.weights[0][:] = [[1.0, 0.0]]
    net.biases[0][:] = 0
    x = np.array([[-2.0, -0.1, 0.1, 3.0], [0.0, 0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(net.predict(x), [0, 0, 1, 1])
    assert net.evaluate(x, [0, 1, 1, 1]) == 0.75
    tanh_net = Network([2, 1], output="tanh")
    tanh_net.weights[0][:] = [[1.0, 0.0]]
    tanh_net.biases[0][:] = 0
    np.testing.assert_array_equal(tanh_net.predict(x), [0, 0, 1, 1])


@pytest.mark.parametrize("output,cost", [("identity", "binary_cross_entropy"), ("softmax", "binary_cross_entropy"),
                                         ("sigmoid", "cross_entropy"), ("tanh", "cross_entropy")])
def test_a_cost_that_does_not_fit_the_output_is_refused(output, cost):
    with pytest.raises(ValueError, match=rf"cost '{cost}' does not fit output '{output}'"):
        Network([3, 2], output=output, cost=cost)


def test_every_supported_combination_is_accepted():
    from conftest import COMBINATIONS

    for hidden, output, cost in COMBINATIONS:
        assert Network([3, 4, 2], activation=hidden, output=output, cost=cost, rng=0).cost == cost


def test_gradients_are_backprop_named_like_parameters():
    net = Network([3, 4, 2], rng=0)
    x, y = _batch([3, 4, 2])
    nabla_b, nabla_w = net.backprop(x, y)
    grads = net.gradients(x, y)
    assert [name for name, _ in grads] == [name for name, _ in net.parameters()] == ["W1", "b1", "W2", "b2"]
    for (_, g), expected in zip(grads, [nabla_w[0], nabla_b[0], nabla_w[1], nabla_b[1]]):
        np.testing.assert_array_equal(g, expected)


# -------------------------------------------------------- bad sizes and dtypes
@pytest.mark.parametrize("sizes", [(784, 30, 10), np.array([784, 30, 10]),
                                   [np.int64(784), np.int32(30), np.uint8(10)], range(3, 0, -1)])
def test_sizes_accept_any_integer_sequence(sizes):
    net = Network(sizes, rng=0)
    assert all(type(n) is int for n in net.sizes)
    assert net.weights[0].shape == (net.sizes[1], net.sizes[0])


@pytest.mark.parametrize("sizes,match", [
    (784, r"sizes must be a list of layer sizes.*got 784"),
    ("784", r"sizes must be a list of layer sizes"),
    (None, r"sizes must be a list of layer sizes"),
    ([784, 0, 10], r"got 0 for layer 1 in sizes \[784, 0, 10\]"),
    ([784, -30, 10], r"got -30 for layer 1"),
    ([784, 30.0, 10], r"got 30\.0 for layer 1"),
    ([784, np.float64(30), 10], r"for layer 1"),
    ([784, "30", 10], r"got '30' for layer 1"),
    ([784, None, 10], r"got None for layer 1"),
    ([np.bool_(True), 10], r"for layer 0"),
    ([10], r"at least an input and an output layer"),
])
def test_bad_sizes_name_the_layer(sizes, match):
    with pytest.raises(ValueError, match=match):
        Network(sizes)


def test_bad_dtype_and_softmax_with_one_output():
    with pytest.raises(ValueError, match="dtype must be float32 or float64, got float16"):
        Network([2, 2], dtype=np.float16)
    with pytest.raises(ValueError, match="softmax output needs at least 2"):
        Network([2, 1], output="softmax")


# ---------------- construction, from_parameters, costs and thresholds, exactly
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
    net = net_from([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[0.0, 0.0, 1.0]]],
               [[[0.0], [0.0], [0.0]], [[-1.0]]], activation="identity", output="sigmoid")
    x = np.array([[0.0, 1.0, 0.4, 2.0], [0.0, 0.0, 0.6, 2.0]])  # outputs σ(x1 + x2 − 1)
    pred = net.predict(x)
    np.testing.assert_array_equal(pred, [0, 0, 0, 1])  # σ(0) = 0.5 exactly is "no"
    assert np.issubdtype(pred.dtype, np.integer)
    # a 1-neuron hidden layer before several outputs: argmax, not a threshold
    wide = net_from([[[1.0, 0.0]], [[1.0], [-1.0], [0.5]]], [[[0.0]], [[0.0], [0.0], [0.0]]],
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
    soft = net_from([[[0.0], [800.0]]], [[[0.0], [0.0]]], output="softmax", cost="cross_entropy")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert soft.total_cost(np.array([[1.0]]), np.array([[1.0], [0.0]])) == pytest.approx(800)
        sig = net_from([[[-800.0]]], [[[0.0]]], output="sigmoid", cost="binary_cross_entropy")
        assert sig.total_cost(np.array([[1.0]]), np.array([[1.0]])) == pytest.approx(800)


def test_backprop_names_the_expected_target_shape_in_deep_networks():
    net = Network([3, 5, 2], rng=0)
    with pytest.raises(ValueError, match=re.escape("targets must have shape (2, 4) ")):
        net.backprop(np.zeros((3, 4)), np.zeros((5, 4)))


def test_the_output_and_cost_message_says_what_fits():
    with pytest.raises(ValueError, match="cross_entropy needs a softmax output, "
                                         "binary_cross_entropy needs a sigmoid output"):
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


# ------------------------------ inverted dropout (chapter 7): masks, gradients
def _dropout_net(activation="tanh", sizes=(5, 7, 6, 3)):
    return Network(list(sizes), activation=activation, output="softmax",
                   cost="cross_entropy", init="scaled", rng=1)


def test_masks_have_the_hidden_shapes_and_keep_the_expected_value():
    net = _dropout_net()
    masks = net.dropout_masks(4000, 0.3, np.random.default_rng(0))
    assert [m.shape for m in masks] == [(7, 4000), (6, 4000)]
    values = np.unique(np.concatenate([m.ravel() for m in masks]))
    np.testing.assert_allclose(values, [0, 1 / 0.7])
    dropped = np.mean(np.concatenate([m.ravel() for m in masks]) == 0)
    assert 0.28 < dropped < 0.32
    assert abs(np.mean(masks[0]) - 1) < 0.03       # inverted: E[mask] = 1
    assert masks[0].dtype == net.dtype


def test_masks_are_seeded_and_rate_zero_keeps_everything():
    net = _dropout_net()
    a = net.dropout_masks(10, 0.5, np.random.default_rng(3))
    b = net.dropout_masks(10, 0.5, np.random.default_rng(3))
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert all(np.all(m == 1) for m in net.dropout_masks(10, 0.0, np.random.default_rng(3)))
    with pytest.raises(ValueError):
        net.dropout_masks(10, 1.0, np.random.default_rng(3))


def test_forward_applies_the_masks_to_hidden_layers_only():
    net = _dropout_net()
    x = np.random.default_rng(2).standard_normal((5, 8))
    masks = net.dropout_masks(8, 0.5, np.random.default_rng(4))
    _, plain = net.forward(x)
    _, dropped = net.forward(x, masks)
    np.testing.assert_allclose(dropped[1], plain[1] * masks[0])
    assert np.all(dropped[2][masks[1] == 0] == 0)
    np.testing.assert_allclose(dropped[-1].sum(axis=0), 1)   # the output is still a softmax


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_dropout_gradient_checks_with_a_fixed_mask(activation):
    net = _dropout_net(activation)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 9))
    y = np.eye(3)[:, rng.integers(0, 3, 9)]
    masks = net.dropout_masks(9, 0.4, rng)
    nabla_b, nabla_w = net.backprop(x, y, masks)

    def cost():
        zs, activations = net.forward(x, masks)
        return net.output_cost(zs[-1], activations[-1], y)

    for l in range(3):
        for param, analytic in ((net.weights[l], nabla_w[l]), (net.biases[l], nabla_b[l])):
            numeric = numerical_gradient(cost, param)
            err = np.linalg.norm(analytic - numeric) / max(np.linalg.norm(numeric), 1e-12)
            assert err < 1e-7, (activation, l, err)
    # the mask matters: without it the gradient is a different one
    unmasked = net.backprop(x, y)[1][0]
    assert np.max(relative_error(unmasked, nabla_w[0])) > 1e-2


def test_gradients_pass_the_masks_on_and_sgd_refuses_a_bad_rate():
    net = _dropout_net()
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((5, 4)), np.eye(3)[:, [0, 1, 2, 0]]
    masks = net.dropout_masks(4, 0.5, rng)
    nabla_b, nabla_w = net.backprop(x, y, masks)
    named = dict(net.gradients(x, y, masks))
    np.testing.assert_array_equal(named["W1"], nabla_w[0])
    np.testing.assert_array_equal(named["b2"], nabla_b[1])
    for rate in (1.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="dropout rate"):
            sgd(net, x, [0, 1, 2, 0], epochs=1, batch_size=2, eta=0.1, dropout=rate)


# -----------------------------------------------------------------------------
# property-based: backprop against numerical gradients (hypothesis)
@SLOW
@given(case=networks_and_batches())
def test_backprop_matches_numerical_gradients(case):
    """For random small shapes, activations and costs, the per-parameter (norm-based) relative
    error of backprop against centred differences (h = 1e-5, float64) is below 1e-5.

    ReLU's kink: a centred difference across z = 0 is wrong by construction, so examples where
    a ReLU input lies within 1e-3 of 0 are discarded (assume), rather than loosening the tolerance.
    Over 1500 random (not derandomized) examples the median error was 8e-11, the 99th percentile
    7e-9 and the worst 4e-7 (rounding on tiny gradients); a 1% error in one layer gives 1e-2."""
    net, x, y = case
    if net.activation == "relu":
        zs, _ = net.forward(x)
        assume(all(np.abs(z).min() > 1e-3 for z in zs[:-1]))
    results = check_gradients(net, x, y, h=1e-5)
    worst = max(results.values(), key=lambda r: r.error)
    assert worst.error < 1e-5, (net, worst)
# ----------------------------------------------------------------------------- issue 23 (hostile input, round 3)
def test_a_network_over_the_parameter_limit_is_refused_before_allocating():
    """Item 6: Network([10**9, 10]) ended in a MemoryError after trying to allocate 74 GB."""
    from nnlib.checks import MAX_LAYERS, MAX_PARAMETERS
    for sizes in ([10**9, 10], [784, 10**9, 10], [2**40, 2**40], [784, 63_000, 10]):
        with pytest.raises(ValueError, match=f"more than the {MAX_PARAMETERS:,} accepted"):
            Network(sizes)
    with pytest.raises(ValueError, match=f"more than the {MAX_LAYERS:,} accepted"):
        Network([1] * (MAX_LAYERS + 1))
    assert MAX_PARAMETERS == 50_000_000
    from nnlib.checks import check_network_size
    assert check_network_size([784, 60_000, 10]) == [784, 60_000, 10]   # 47.7 million: accepted


def test_from_parameters_draws_no_random_network():
    """Item 2: from_parameters drew a random full network (float64) before replacing it."""
    from conftest import run_python
    code = """
import json, tracemalloc, numpy as np
from nnlib import Network
w = [np.zeros((2000, 784), np.float32), np.zeros((10, 2000), np.float32)]
b = [np.zeros((2000, 1), np.float32), np.zeros((10, 1), np.float32)]
tracemalloc.start()
net = Network.from_parameters(w, b)
print(json.dumps({"peak": tracemalloc.get_traced_memory()[1], "nbytes": sum(a.nbytes for a in w + b)}))
"""
    measured = run_python(code)
    # one copy of the given arrays (they are copied), no float64 draw of the same size (3x more)
    assert measured["peak"] < 1.3 * measured["nbytes"], measured


def test_big_endian_parameters_are_converted():
    """Item 15: dtype '>f4' was refused ('dtype must be float32 or float64, got >f4')."""
    big = Network([3, 2], rng=0, dtype=">f4")
    assert big.dtype == np.float32 and big.weights[0].dtype.isnative
    w = [np.arange(6, dtype=">f8").reshape(2, 3)]
    net = Network.from_parameters(w, [np.zeros((2, 1), ">f8")])
    assert net.dtype == np.float64 and net.weights[0].dtype.isnative
    np.testing.assert_array_equal(net.weights[0], np.arange(6).reshape(2, 3))
    with pytest.raises(ValueError, match="float32 or float64, got >i4"):
        Network([3, 2], dtype=">i4")


# ------------------------------------------ issue 24: σ' from the forward pass, also under dropout
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
def test_backprop_with_dropout_masks_matches_centred_differences(activation):
    from nnlib.gradcheck import numerical_gradient
    net = Network([3, 4, 4, 2], activation=activation, output="sigmoid", init="scaled", rng=3)
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((3, 5)), rng.random((2, 5))
    masks = net.dropout_masks(5, 0.5, np.random.default_rng(5))

    def cost():
        zs, activations = net.forward(x, masks)
        return net.output_cost(zs[-1], activations[-1], y)

    nabla_b, nabla_w = net.backprop(x, y, masks)
    for got, p in zip(nabla_w + nabla_b, net.weights + net.biases):
        np.testing.assert_allclose(got, numerical_gradient(cost, p), rtol=1e-6, atol=1e-9)


def test_backprop_reuses_a_given_forward_pass():
    net = Network([3, 4, 2], rng=0)
    x, y = np.ones((3, 2)), np.zeros((2, 2))
    zs, activations = net.forward(x)
    activations[-1] = activations[-1] + 1.0  # a forward pass of its own: backprop must use it
    got_b, _ = net.backprop(x, y, forward=(zs, activations))
    want_b, _ = net.backprop(x, y)
    assert not np.allclose(got_b[-1], want_b[-1])
    np.testing.assert_array_equal(net.gradients(x, y, forward=net.forward(x))[1][1], want_b[0])


def _spy_derivative(calls, name):
    """A sigmoid derivative that records whether it was evaluated at z or from the output a."""
    from nnlib.activations import sigmoid_prime, sigmoid_prime_from_output

    def prime(z):
        calls.append((name, "z"))
        return sigmoid_prime(z)

    def from_output(a):
        calls.append((name, "a"))
        return sigmoid_prime_from_output(a)

    prime.from_output = from_output
    return prime


def test_sigma_prime_comes_from_the_activations_except_under_dropout():
    net = Network([3, 4, 4, 2], rng=0)  # sigmoid hidden and output layers, quadratic cost
    calls = []
    net.sigma_prime, net.out_prime = _spy_derivative(calls, "hidden"), _spy_derivative(calls, "out")
    x, y = np.ones((3, 2)), np.zeros((2, 2))
    net.backprop(x, y)
    assert calls == [("out", "a"), ("hidden", "a"), ("hidden", "a")]
    calls.clear()
    net.backprop(x, y, masks=net.dropout_masks(2, 0.5, np.random.default_rng(0)))
    assert calls == [("out", "a"), ("hidden", "z"), ("hidden", "z")]


def test_a_derivative_of_ones_own_is_evaluated_at_z_in_bp1_and_bp2():
    from nnlib.activations import sigmoid_prime
    net = Network([3, 4, 2], rng=0)
    want = net.backprop(np.ones((3, 2)), np.zeros((2, 2)))
    net.out_prime = lambda z: sigmoid_prime(z)      # no from_output: BP1 needs z^L
    net.sigma_prime = lambda z: sigmoid_prime(z)    # and BP2 z^l
    got = net.backprop(np.ones((3, 2)), np.zeros((2, 2)))
    for g, w in zip(got[0] + got[1], want[0] + want[1]):
        np.testing.assert_array_equal(g, w)


def test_check_output_and_cost_follows_the_table():
    from nnlib.network import check_output_and_cost
    check_output_and_cost("softmax", "cross_entropy")
    check_output_and_cost("tanh", "quadratic")
    with pytest.raises(ValueError, match="^cost 'cross_entropy' does not fit output 'sigmoid': "
                                         "cross_entropy needs a softmax output, "
                                         "binary_cross_entropy needs a sigmoid output$"):
        check_output_and_cost("sigmoid", "cross_entropy")


def test_slice_size_follows_the_memory_of_the_parameters():
    """Issue 23 item 2: z^l and a^l of every layer per sample (2 Σ n_l numbers) within the
    parameters' bytes, or 4 MiB if they are smaller, and never fewer than one sample."""
    assert Network([2, 3, 1], rng=0).slice_size() == (1 << 22) // (2 * 6 * 8)    # 43,690
    assert Network([2, 3, 1], rng=0, dtype=np.float32).slice_size() == (1 << 22) // (2 * 6 * 4)
    big = Network([1000, 2000, 10], rng=0)      # 16,176,080 bytes of parameters
    assert big.slice_size() == 16_176_080 // (2 * 3010 * 8) == 335
    wide = Network([300_000, 1], rng=0)         # one sample's z and a alone exceed 4 MiB
    assert wide.slice_size() == 1
    x = np.random.default_rng(1).standard_normal((300_000, 3))
    np.testing.assert_array_equal(wide.predict(x), wide.classify(wide.feedforward(x)))
    assert wide.predict(np.zeros((300_000, 0))).shape == (0,)


def test_evaluate_keeps_memory_within_a_small_multiple_of_the_parameters():
    """Issue 23 item 2: evaluate (and predict) ran the whole input as one batch, so a network
    with a wide hidden layer needed its z and a for every sample at once (here 128 MB for a
    976 KB network); in slices the extra memory stays within a few times the parameters plus
    4 MiB, and the answer is exactly the one-batch answer."""
    from conftest import run_python
    code = """
import json, tracemalloc
import numpy as np
from nnlib import Network
net = Network([50, 4000, 10], output="softmax", cost="cross_entropy", init="scaled", rng=1,
              dtype=np.float32)
rng = np.random.default_rng(2)
x = rng.standard_normal((50, 4000)).astype(np.float32)
labels = rng.integers(0, 10, size=4000)
tracemalloc.start()
accuracy = net.evaluate(x, labels)
predicted = net.predict(x)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
one_batch = net.classify(net.feedforward(x))
nbytes = sum(p.nbytes for _, p in net.parameters())
print(json.dumps({"peak": peak, "nbytes": nbytes, "accuracy": accuracy,
                  "one_batch": float(np.mean(one_batch == labels)), "step": int(net.slice_size()),
                  "same_predictions": bool((predicted == one_batch).all()),
                  "correct": int(np.sum(one_batch == labels))}))
"""
    m = run_python(code, timeout=120)
    nbytes = (50 * 4000 + 4000 + 4000 * 10 + 10) * 4
    assert m["nbytes"] == nbytes == 976_040
    assert m["step"] == (1 << 22) // (2 * 4060 * 4) == 129   # 4,000 samples in 32 slices
    assert m["accuracy"] == m["one_batch"] == m["correct"] / 4000, m
    assert 300 < m["correct"] < 500, m        # random labels: about one in ten right
    assert m["same_predictions"], m
    assert m["peak"] < 4 * nbytes + 3 * 2**22, m   # one batch: 2 · 4060 · 4000 · 4 B = 130 MB


def test_predict_feeds_forward_slice_size_columns_at_a_time():
    """The slices themselves (the memory test above sees only their effect): full slices of
    :meth:`Network.slice_size` columns, then the rest; an empty input is one empty slice."""
    def spy(net):
        widths, feedforward = [], net.feedforward
        net.feedforward = lambda x: widths.append(x.shape[1]) or feedforward(x)
        return widths
    big = Network([1000, 2000, 10], output="softmax", cost="cross_entropy", rng=0)   # 335
    x = np.random.default_rng(3).standard_normal((1000, 1000))
    widths = spy(big)
    labels = big.predict(x)
    assert widths == [335, 335, 330]
    widths.clear()
    assert big.evaluate(x, labels) == 1.0 and widths == [335, 335, 330]
    np.testing.assert_array_equal(labels, np.argmax(big.forward(x)[1][-1], axis=0))
    wide = Network([300_000, 1], rng=0)   # slice_size 1
    widths = spy(wide)
    assert wide.predict(np.zeros((300_000, 0))).shape == (0,) and widths == [0]
    widths.clear()
    np.testing.assert_array_equal(wide.predict(np.ones((300_000, 2))), [1, 1])   # rng=0: ΣW + b > 0
    assert widths == [1, 1]


def test_from_parameters_copies_the_given_arrays_once():
    """The arrays are copied once (np.array), not once more when converted to a dtype they
    already have: measured here, in this interpreter, with tracemalloc (numpy reports to it)."""
    import tracemalloc
    w, b = [np.zeros((100_000, 1))], [np.zeros((100_000, 1))]   # as many biases as weights
    nbytes = sum(a.nbytes for a in w + b)
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        net = Network.from_parameters(w, b)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        if not tracing:
            tracemalloc.stop()
    assert net.num_parameters() * 8 == nbytes == 1_600_000
    assert nbytes <= peak < 1.25 * nbytes, (peak, nbytes)   # copying W or b again: 1.5 × nbytes
