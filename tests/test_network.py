import numpy as np
import pytest

from nnlib import Network, check_gradients, max_relative_error, one_hot

from conftest import COMBINATIONS
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
