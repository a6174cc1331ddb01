"""Inverted dropout in Network (chapter 7): masks, gradients, evaluation."""
import numpy as np
import pytest

from nnlib import Network, numerical_gradient, relative_error, sgd


def _net(activation="tanh", sizes=(5, 7, 6, 3)):
    return Network(list(sizes), activation=activation, output="softmax",
                   cost="cross_entropy", init="scaled", rng=1)


def test_masks_have_the_hidden_shapes_and_keep_the_expected_value():
    net = _net()
    masks = net.dropout_masks(4000, 0.3, np.random.default_rng(0))
    assert [m.shape for m in masks] == [(7, 4000), (6, 4000)]
    values = np.unique(np.concatenate([m.ravel() for m in masks]))
    np.testing.assert_allclose(values, [0, 1 / 0.7])
    dropped = np.mean(np.concatenate([m.ravel() for m in masks]) == 0)
    assert 0.28 < dropped < 0.32
    assert abs(np.mean(masks[0]) - 1) < 0.03       # inverted: E[mask] = 1
    assert masks[0].dtype == net.dtype


def test_masks_are_seeded_and_rate_zero_keeps_everything():
    net = _net()
    a = net.dropout_masks(10, 0.5, np.random.default_rng(3))
    b = net.dropout_masks(10, 0.5, np.random.default_rng(3))
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert all(np.all(m == 1) for m in net.dropout_masks(10, 0.0, np.random.default_rng(3)))
    with pytest.raises(ValueError):
        net.dropout_masks(10, 1.0, np.random.default_rng(3))


def test_forward_applies_the_masks_to_hidden_layers_only():
    net = _net()
    x = np.random.default_rng(2).standard_normal((5, 8))
    masks = net.dropout_masks(8, 0.5, np.random.default_rng(4))
    _, plain = net.forward(x)
    _, dropped = net.forward(x, masks)
    np.testing.assert_allclose(dropped[1], plain[1] * masks[0])
    assert np.all(dropped[2][masks[1] == 0] == 0)
    np.testing.assert_allclose(dropped[-1].sum(axis=0), 1)   # the output is still a softmax


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_dropout_gradient_checks_with_a_fixed_mask(activation):
    net = _net(activation)
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


def test_sgd_with_dropout_is_seeded_and_evaluation_uses_no_mask():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 200))
    labels = (x[0] + 0.5 * x[1] > 0).astype(int)
    nets = []
    for _ in range(2):
        net = Network([2, 32, 2], activation="relu", output="softmax", cost="cross_entropy",
                      init="he", rng=0)
        h = sgd(net, x, labels, epochs=10, batch_size=20, eta=0.1, rng=1, momentum=0.9,
                dropout=0.5)
        nets.append(net)
    np.testing.assert_array_equal(nets[0].weights[0], nets[1].weights[0])
    assert h["train_accuracy"][-1] > 0.9
    # evaluation is deterministic: no units are dropped at test time
    np.testing.assert_array_equal(nets[0].feedforward(x), nets[0].feedforward(x))
    plain = Network([2, 32, 2], activation="relu", output="softmax", cost="cross_entropy",
                    init="he", rng=0)
    sgd(plain, x, labels, epochs=10, batch_size=20, eta=0.1, rng=1, momentum=0.9)
    assert not np.array_equal(plain.weights[0], nets[0].weights[0])


def test_gradients_pass_the_masks_on_and_sgd_refuses_a_bad_rate():
    net = _net()
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
