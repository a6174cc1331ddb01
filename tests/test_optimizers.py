"""Adam, Nesterov and the cosine schedule (nnlib.optimizers), chapter 7.

Optimisers take named pairs, ``[("W1", array), ...]``, as ``net.parameters()`` gives them.
"""
import math

import numpy as np
import pytest

from nnlib import Network, sgd
from nnlib.optimizers import SGD, Adam, Nesterov, cosine_eta

from conftest import make_toy


def named(*arrays, name="W1"):
    """``[(name, a)]`` for one array (a weight by default), or W1, b1, ... for several."""
    if len(arrays) == 1:
        return [(name, arrays[0])]
    return [(("W", "b")[i % 2] + str(i // 2 + 1), a) for i, a in enumerate(arrays)]


def test_adam_first_two_steps_by_hand():
    p = np.array([1.0, -2.0])
    g1, g2 = np.array([0.5, -4.0]), np.array([-1.0, 2.0])
    adam = Adam(eta=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    adam.step(named(p), named(g1))
    # t = 1: m = 0.1 g, s = 0.001 g², m̂ = g, ŝ = g², step = η g/(|g| + ε) ≈ η sign(g)
    expected = np.array([1.0, -2.0]) - 0.1 * g1 / (np.abs(g1) + 1e-8)
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    np.testing.assert_allclose(p, [0.9, -1.9], rtol=1e-7)
    adam.step(named(p), named(g2))
    m = 0.9 * (0.1 * g1) + 0.1 * g2
    s = 0.999 * (0.001 * g1 ** 2) + 0.001 * g2 ** 2
    m_hat, s_hat = m / (1 - 0.9 ** 2), s / (1 - 0.999 ** 2)
    expected = expected - 0.1 * m_hat / (np.sqrt(s_hat) + 1e-8)
    np.testing.assert_allclose(p, expected, rtol=1e-12)
    assert adam.t == 2


def test_adam_step_size_ignores_the_gradient_scale():
    steps = []
    for scale in (1e-3, 1.0, 1e3):
        p = np.zeros(3)
        Adam(eta=0.01).step(named(p), named(scale * np.array([1.0, -1.0, 2.0])))
        steps.append(p.copy())
    np.testing.assert_allclose(steps[0], steps[2], rtol=1e-4)
    np.testing.assert_allclose(np.abs(steps[1]), 0.01, rtol=1e-6)


def test_nesterov_first_steps_by_hand():
    p, mu, eta = np.array([2.0]), 0.9, 0.1
    opt = Nesterov(eta, momentum=mu)
    opt.step(named(p), named(np.array([1.0])))
    # v = −0.1; p = 2 + 0.9·(−0.1) − 0.1 = 1.81
    np.testing.assert_allclose(p, [1.81])
    opt.step(named(p), named(np.array([0.5])))
    # v = 0.9·(−0.1) − 0.05 = −0.14; p = 1.81 + 0.9·(−0.14) − 0.05 = 1.634
    np.testing.assert_allclose(p, [1.634])


def _bowl(p, a=np.array([1.0, 10.0]), c=np.array([3.0, -2.0])):
    """f(p) = ½ Σ a_i (p_i − c_i)²: an elongated quadratic bowl, minimum at c."""
    return 0.5 * np.sum(a * (p - c) ** 2)


def _finite_difference(f, p, h=1e-6):
    grad = np.zeros_like(p)
    for i in range(p.size):
        e = np.zeros_like(p)
        e[i] = h
        grad[i] = (f(p + e) - f(p - e)) / (2 * h)
    return grad


@pytest.mark.parametrize("make", [lambda: SGD(0.05, momentum=0.9),
                                  lambda: Nesterov(0.05, momentum=0.9),
                                  lambda: Adam(eta=0.05)],
                         ids=["momentum", "nesterov", "adam"])
def test_optimisers_descend_a_quadratic_bowl_to_its_minimum(make):
    opt, p = make(), np.array([-4.0, 5.0])
    start = _bowl(p)
    for step in range(3000):
        opt.step(named(p), named(_finite_difference(_bowl, p)))
        if step == 10:
            assert _bowl(p) < start       # going down from the first steps
    np.testing.assert_allclose(p, [3.0, -2.0], atol=1e-3)


def test_nesterov_beats_momentum_on_a_stiff_bowl():
    """With the same η and μ, Nesterov's look-ahead damps the oscillation."""
    results = {}
    for name, opt in (("momentum", SGD(0.09, 0.95)), ("nesterov", Nesterov(0.09, 0.95))):
        p = np.array([-4.0, 5.0])
        for _ in range(100):
            opt.step(named(p), named(_finite_difference(_bowl, p)))
        results[name] = _bowl(p)
    assert results["nesterov"] < results["momentum"]


def test_optimizers_update_every_array_in_place():
    params = [np.ones((2, 3)), np.ones((2, 1))]
    ids = [id(a) for a in params]
    for opt in (SGD(0.1), Nesterov(0.1), Adam(0.1)):
        opt.step(named(*params), named(np.ones((2, 3)), np.ones((2, 1))))
    assert [id(a) for a in params] == ids and params[0][0, 0] < 1 and params[1][0, 0] < 1


def test_bad_hyperparameters_are_refused():
    with pytest.raises(ValueError):
        Nesterov(0.1, momentum=1.0)
    with pytest.raises(ValueError, match="beta1"):
        Adam(beta1=1.0)
    with pytest.raises(ValueError, match="beta2"):
        Adam(beta2=-0.1)
    with pytest.raises(ValueError, match="eps"):
        Adam(eps=0.0)
    with pytest.raises(ValueError, match="eta"):
        Adam(eta=0.0)


@pytest.mark.parametrize("make", [lambda l2: SGD(0.1, l2=l2), lambda l2: Nesterov(0.1, l2=l2),
                                  lambda l2: Adam(0.1, l2=l2)], ids=["sgd", "nesterov", "adam"])
def test_l2_decays_weights_and_never_biases(make):
    """With a zero cost gradient, λ alone moves a weight towards 0 and leaves a bias."""
    w, b = np.array([2.0, -3.0]), np.array([2.0, -3.0])
    make(0.5).step([("W1", w), ("b1", b)], [("W1", np.zeros(2)), ("b1", np.zeros(2))])
    assert np.all(np.abs(w) < [2.0, 3.0]) and np.all(np.sign(w) == [1, -1])
    np.testing.assert_array_equal(b, [2.0, -3.0])
    w0 = np.array([2.0, -3.0])
    make(0.0).step([("W1", w0)], [("W1", np.zeros(2))])
    np.testing.assert_array_equal(w0, [2.0, -3.0])


def test_adam_with_l2_adds_lambda_w_to_the_gradient():
    p, q = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    g = np.array([0.3, 0.1])
    Adam(0.1, l2=0.5).step(named(p), named(g.copy()))
    Adam(0.1).step(named(q), named(g + 0.5 * np.array([1.0, -2.0])))
    np.testing.assert_array_equal(p, q)


def test_optimizers_keep_state_per_parameter_name():
    opt = Adam(0.1)
    a, b = np.zeros(2), np.zeros(3)
    opt.step([("W1", a), ("b1", b)], [("W1", np.ones(2)), ("b1", -np.ones(3))])
    assert opt.state["W1", "m"].shape == (2,) and opt.state["b1", "s"].shape == (3,)
    np.testing.assert_allclose(opt.state["b1", "m"], -0.1)


def test_cosine_schedule():
    assert cosine_eta(1, 10, 0.1) == 0.1
    assert math.isclose(cosine_eta(6, 10, 0.1), 0.05)
    etas = [cosine_eta(e, 10, 0.1, 0.001) for e in range(1, 11)]
    assert all(a > b for a, b in zip(etas, etas[1:])) and etas[-1] > 0.001
    assert cosine_eta(11, 10, 0.1) == cosine_eta(10, 10, 0.1)   # clamped at the end


def _net():
    return Network([2, 8, 2], activation="relu", output="softmax", cost="cross_entropy",
                   init="he", rng=0)


def test_sgd_with_an_optimizer_object_trains_and_a_callback_schedules_eta():
    x, labels = make_toy()
    net, adam = _net(), Adam(eta=0.01)
    etas = []

    def schedule(epoch, history):
        adam.eta = cosine_eta(epoch + 1, 5, 0.01)
        etas.append(adam.eta)

    h = sgd(net, x, labels, epochs=5, batch_size=20, rng=1, optimizer=adam, callback=schedule)
    assert adam.t == 5 * 10 and h["cost"][-1] < h["cost"][0] and h["train_accuracy"][-1] > 0.9
    assert etas[0] < 0.01 and etas == sorted(etas, reverse=True)


def test_sgd_object_gives_the_same_run_as_the_momentum_keyword():
    x, labels = make_toy()
    a, b = _net(), _net()
    sgd(a, x, labels, epochs=2, batch_size=16, eta=0.1, rng=2, momentum=0.9, l2=1e-3)
    sgd(b, x, labels, epochs=2, batch_size=16, rng=2, optimizer=SGD(0.1, momentum=0.9, l2=1e-3))
    for p, q in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


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
