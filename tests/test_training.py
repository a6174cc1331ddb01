import contextlib
import io
import re
import time
import warnings
from fractions import Fraction

import numpy as np
import pytest

from nnlib import Network, TrainingDiverged, load_mnist, one_hot, sgd, to_columns
from nnlib import network as network_module

from conftest import make_toy, net_from


def test_training_reduces_the_cost_and_returns_history(toy):
    x, labels = toy()
    net = Network([2, 4, 2], rng=0)
    h = sgd(net, x, labels, epochs=5, batch_size=10, eta=2.0, rng=1, validation=(x, labels))
    assert h["epoch"] == [1, 2, 3, 4, 5]
    assert len(h["cost"]) == len(h["validation_accuracy"]) == len(h["seconds"]) == 5
    assert h["cost"][-1] < h["cost"][0]
    assert h["train_accuracy"][-1] > 0.9


def test_seeded_runs_are_identical_bit_for_bit(toy):
    x, labels = toy()
    runs = []
    for _ in range(2):
        net = Network([2, 5, 2], activation="relu", output="softmax", cost="cross_entropy", init="he", rng=3)
        sgd(net, x, labels, epochs=3, batch_size=7, eta=0.1, rng=4, momentum=0.9, l2=1e-4)
        runs.append(net)
    for a, b in zip(runs[0].weights + runs[0].biases, runs[1].weights + runs[1].biases):
        np.testing.assert_array_equal(a, b)
    other = Network([2, 5, 2], activation="relu", output="softmax", cost="cross_entropy", init="he", rng=3)
    sgd(other, x, labels, epochs=3, batch_size=7, eta=0.1, rng=5, momentum=0.9, l2=1e-4)
    assert not np.array_equal(other.weights[0], runs[0].weights[0])


def test_l2_shrinks_weights(toy):
    x, labels = toy()
    norms = []
    for l2 in (0.0, 0.5):
        net = Network([2, 8, 2], init="scaled", rng=0)
        sgd(net, x, labels, epochs=5, batch_size=10, eta=1.0, rng=1, l2=l2, monitor_train=False)
        norms.append(sum(np.sum(w ** 2) for w in net.weights))
    assert norms[1] < 0.5 * norms[0]


def test_one_momentum_step_by_hand(toy):
    x, labels = toy(m=4)
    net = Network([2, 2], rng=0)
    w0 = net.weights[0].copy()
    nb, nw = net.backprop(x, np.eye(2)[:, labels])
    sgd(net, x, labels, epochs=1, batch_size=4, eta=0.5, rng=0, momentum=0.9, monitor_train=False)
    np.testing.assert_allclose(net.weights[0], w0 - 0.5 * nw[0])  # first step: v = −η∇C


def test_divergence_is_reported_with_epoch_and_batch(toy):
    x, labels = toy()
    net = Network([2, 16, 2], activation="relu", output="softmax", cost="cross_entropy", init="he", rng=0)
    with np.errstate(all="ignore"):
        with pytest.raises(TrainingDiverged, match=r"epoch \d+, batch \d+.*eta=1e\+06"):
            sgd(net, x * 1e3, labels, epochs=5, batch_size=10, eta=1e6, rng=0)


def test_callback_and_verbose(capsys, toy):
    x, labels = toy()
    seen = []
    sgd(Network([2, 3, 2], rng=0), x, labels, epochs=2, batch_size=50, eta=1.0, rng=0,
        verbose=True, callback=lambda epoch, h: seen.append((epoch, len(h["cost"]))))
    assert seen == [(1, 1), (2, 2)]
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and "1" in out[0] and "cost" in out[0] and "2" in out[1]


@pytest.mark.parametrize("kwargs,match", [
    ({"eta": -1.0}, "learning rate"), ({"eta": 0.0}, "learning rate"), ({"eta": float("nan")}, "learning rate"),
    ({"batch_size": 0}, "batch_size"), ({"batch_size": 2.5}, "batch_size"), ({"epochs": -1}, "epochs"),
    ({"momentum": 1.0}, "momentum"), ({"l2": -0.1}, "L2"),
    # one line naming the value, for values of the wrong kind too
    ({"eta": Fraction(1, 2)}, r"learning rate eta must be a number in \(0, inf\), got Fraction\(1, 2\)"),
    ({"momentum": Fraction(1, 2)}, r"momentum must be a number in \[0, 1\), got Fraction"),
    ({"validation": "x"}, r"validation must be a pair \(x_validation, labels_validation\), got 'x'"),
    ({"eta": "0.1"}, r"the learning rate eta must be a number in \(0, inf\), got '0\.1'"),
    ({"eta": None}, r"give the learning rate eta \(or an optimizer\)"),
    ({"eta": float("inf")}, r"learning rate eta must be a number in \(0, inf\), got inf"),
    ({"eta": -0.5}, r"learning rate eta must be a number in \(0, inf\), got -0\.5"),
    ({"momentum": -0.1}, r"momentum must be a number in \[0, 1\), got -0\.1"),
    ({"momentum": float("nan")}, r"momentum must be a number in \[0, 1\), got nan"),
    ({"momentum": "0.9"}, r"momentum must be a number in \[0, 1\), got '0\.9'"),
    ({"l2": float("inf")}, r"the L2 coefficient l2 must be a number in \[0, inf\), got inf"),
    ({"epochs": 1.5}, r"epochs must be an integer in \[0, inf\), got 1\.5"),
    ({"epochs": "3"}, r"epochs must be an integer in \[0, inf\), got '3'"),
    ({"batch_size": True}, r"batch_size must be an integer in \[1, inf\), got True"),
    ({"batch_size": np.bool_(True)}, r"batch_size must be an integer in \[1, inf\), got (np\.)?True"),
    ({"batch_size": -10}, r"batch_size must be an integer in \[1, inf\), got -10"),
])
def test_bad_hyperparameters(kwargs, match, toy):
    x, labels = toy(m=10)
    args = dict(epochs=1, batch_size=5, eta=1.0, rng=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        sgd(Network([2, 2], rng=0), x, labels, **args)


def test_bad_labels_and_sizes(toy):
    x, labels = toy(m=10)
    with pytest.raises(ValueError, match="integers in 0..1"):
        sgd(Network([2, 2], rng=0), x, labels + 5, epochs=1, batch_size=5, eta=1.0, rng=0)
    with pytest.raises(ValueError, match="10 samples"):
        sgd(Network([2, 2], rng=0), x, labels[:9], epochs=1, batch_size=5, eta=1.0, rng=0)


def test_short_mnist_run_beats_90_percent():
    mnist = load_mnist()
    x, xt = to_columns(mnist.train_images), to_columns(mnist.test_images)
    net = Network([784, 30, 10], init="normal", rng=1, dtype=np.float32)
    h = sgd(net, x, mnist.train_labels, epochs=1, batch_size=10, eta=3.0, rng=2,
            validation=(xt, mnist.test_labels), monitor_train=False)
    assert h["validation_accuracy"][-1] > 0.90


def test_one_output_neuron_trains_on_0_1_labels_and_reports_true_accuracy(toy):
    x, labels = toy()
    net = Network([2, 1], output="sigmoid", cost="binary_cross_entropy", init="scaled", rng=0)
    net.weights[0][:] = [[-1.0, -0.5]]  # start pointing the wrong way: accuracy near 0
    assert net.evaluate(x, labels) < 0.1
    h = sgd(net, x, labels, epochs=20, batch_size=10, eta=0.5, rng=1)
    assert h["train_accuracy"][0] < h["train_accuracy"][-1]
    assert 0.9 < h["train_accuracy"][-1] == net.evaluate(x, labels)
    targets = labels.reshape(1, -1).astype(float)  # (1, m) targets give the same run
    net2 = Network([2, 1], output="sigmoid", cost="binary_cross_entropy", init="scaled", rng=0)
    net2.weights[0][:] = [[-1.0, -0.5]]
    h2 = sgd(net2, x, targets, epochs=20, batch_size=10, eta=0.5, rng=1)
    assert h2["train_accuracy"] == h["train_accuracy"]
    with pytest.raises(ValueError, match="integers in 0..1"):
        sgd(net, x, labels + 1, epochs=1, batch_size=10, eta=0.5, rng=1)


# ----------------------------------------------------------------------------- the optimiser step
def test_sgd_step_with_momentum_and_l2_by_hand():
    """Two steps of SGD(eta, momentum, l2) against v ← μv − η(∇C + λW), W ← W + v, written out."""
    from nnlib.optimizers import SGD

    w, b = np.array([[1.0, -2.0]]), np.array([[0.5]])
    gw, gb = np.array([[0.1, 0.3]]), np.array([[-0.2]])
    opt = SGD(eta=0.5, momentum=0.9, l2=0.1)
    params = [("W1", w), ("b1", b)]
    v_w1 = -0.5 * (gw + 0.1 * np.array([[1.0, -2.0]]))       # first step: v = −η(∇C + λW)
    v_b1 = -0.5 * gb                                          # biases: no weight decay
    opt.step(params, [("W1", gw), ("b1", gb)])
    np.testing.assert_allclose(w, [[1.0, -2.0]] + v_w1)
    np.testing.assert_allclose(b, [[0.5]] + v_b1)
    w_before = w.copy()
    opt.step(params, [("W1", gw), ("b1", gb)])
    v_w2 = 0.9 * v_w1 - 0.5 * (gw + 0.1 * w_before)
    np.testing.assert_allclose(w, w_before + v_w2)
    np.testing.assert_allclose(b, [[0.5]] + v_b1 + (0.9 * v_b1 - 0.5 * gb))


def test_a_given_optimizer_takes_every_step_and_a_schedule_may_change_eta(toy):
    from nnlib.optimizers import SGD

    x, labels = toy()
    calls = []

    class Counting(SGD):
        def step(self, params, grads):
            calls.append(self.eta)
            super().step(params, grads)

    opt = Counting(eta=1.0)

    def halve(epoch, history):
        opt.eta /= 2

    net = Network([2, 3, 2], rng=0)
    reference = Network([2, 3, 2], rng=0)
    sgd(net, x, labels, epochs=2, batch_size=50, rng=1, optimizer=opt, callback=halve)
    assert calls == [1.0] * 4 + [0.5] * 4
    sgd(reference, x, labels, epochs=1, batch_size=50, eta=1.0, rng=1)  # same first epoch
    with pytest.raises(ValueError, match="either an optimizer or eta"):
        sgd(net, x, labels, epochs=1, batch_size=50, eta=1.0, rng=1, optimizer=opt)


def test_optimizer_matches_the_default_sgd_bit_for_bit(toy):
    from nnlib.optimizers import SGD

    x, labels = toy()
    nets = [Network([2, 4, 2], rng=0) for _ in range(2)]
    sgd(nets[0], x, labels, epochs=2, batch_size=16, eta=0.3, rng=2, momentum=0.8, l2=0.01)
    sgd(nets[1], x, labels, epochs=2, batch_size=16, rng=2, optimizer=SGD(0.3, momentum=0.8, l2=0.01))
    for a, b in zip(nets[0].weights + nets[0].biases, nets[1].weights + nets[1].biases):
        np.testing.assert_array_equal(a, b)


def test_early_stop_from_the_callback(toy):
    x, labels = toy()
    h = sgd(Network([2, 3, 2], rng=0), x, labels, epochs=10, batch_size=50, eta=1.0, rng=0,
            callback=lambda epoch, history: epoch == 3)
    assert h["epoch"] == [1, 2, 3]


# ----------------------------------------------------------------------------- one-line errors
def test_validation_given_as_a_1_tuple(toy):
    x, labels = toy(m=10)
    with pytest.raises(ValueError, match=r"validation must be a pair .*got a tuple of length 1"):
        sgd(Network([2, 2], rng=0), x, labels, epochs=1, batch_size=5, eta=1.0, rng=0, validation=(x,))


def test_string_labels(toy):
    x, _ = toy(m=4)
    with pytest.raises(ValueError, match=r"labels must be integers in 0\.\.1, got <U1 values such as '1'"):
        sgd(Network([2, 2], rng=0), x, np.array(["1", "0", "1", "1"]), epochs=1, batch_size=2, eta=1.0, rng=0)


def test_no_samples_is_not_divergence():
    with pytest.raises(ValueError, match=r"x has 0 samples \(shape \(2, 0\)\); training needs at least one"):
        sgd(Network([2, 2], rng=0), np.zeros((2, 0)), np.zeros(0, dtype=int), epochs=1, batch_size=5,
            eta=1.0, rng=0)


def test_a_huge_l2_is_blamed_not_eta(toy):
    x, labels = toy()
    with np.errstate(all="ignore"):
        with pytest.raises(TrainingDiverged, match=r"batch 1: W\d became NaN or infinite \(the L2 "
                                                   r"coefficient l2=1e\+308 is too large"):
            sgd(Network([2, 3, 2], rng=0), x, labels, epochs=1, batch_size=10, eta=0.1, l2=1e308, rng=0)
    with np.errstate(all="ignore"):  # the same run with a sane λ but a huge η blames η
        with pytest.raises(TrainingDiverged, match=r"learning rate eta=1e\+300; try a smaller"):
            sgd(Network([2, 3, 2], activation="identity", output="identity", rng=0), x * 1e3, labels,
                epochs=5, batch_size=10, eta=1e300, l2=1e-4, rng=0)


def test_the_l2_term_is_in_the_reported_cost(toy):
    x, labels = toy()
    net = Network([2, 3, 2], rng=0)
    with_l2, without = [], []
    _reference_sgd(net, x, one_hot(labels, 2), 1, 10, 0.5, 0, l2=0.3, monitored=with_l2)
    _reference_sgd(net, x, one_hot(labels, 2), 1, 10, 0.5, 0, l2=0.0, monitored=without)
    h = sgd(net, x, labels, epochs=1, batch_size=10, eta=0.5, l2=0.3, rng=0)
    np.testing.assert_allclose(h["cost"][-1], with_l2[0][0], rtol=1e-12)
    assert h["cost"][-1] > without[0][0] + 0.1  # the penalty (λ/2)Σw², here about 0.15·Σw²


# -----------------------------------------------------------------------------
# the update rule step by step, histories, messages, divergence advice
def _reference_sgd(net, x, targets, epochs, batch_size, eta, seed, momentum=0.0, l2=0.0,
                   monitored=None):
    """SGD as the module documents it, step by step: each epoch one seeded permutation
    of the columns, cut into batches; v ← μv − η(∇C + λW), W ← W + v (biases: no λ).
    ``monitored``: a list to which each epoch's (training cost, training accuracy) is
    appended as sgd documents them: each batch's cost (L2 term included) and hits with the
    parameters before its step, the costs averaged with the batch sizes as weights."""
    rng = np.random.default_rng(seed)
    ws = [w.copy() for w in net.weights]
    bs = [b.copy() for b in net.biases]
    vw = [np.zeros_like(w) for w in ws]
    vb = [np.zeros_like(b) for b in bs]
    m = x.shape[1]
    for _ in range(epochs):
        order = rng.permutation(m)
        cost, hits = 0.0, 0
        for k in range(0, m, batch_size):
            idx = order[k:k + batch_size]
            step = Network.from_parameters(ws, bs, activation=net.activation,
                                           output=net.output, cost=net.cost)
            cost += step.total_cost(x[:, idx], targets[:, idx], l2=l2) * len(idx)
            hits += int(np.sum(step.predict(x[:, idx]) == step.classify(targets[:, idx])))
            nb, nw = step.backprop(x[:, idx], targets[:, idx])
            for l in range(len(ws)):
                vw[l] = momentum * vw[l] - eta * (nw[l] + l2 * ws[l])
                vb[l] = momentum * vb[l] - eta * nb[l]
                ws[l] = ws[l] + vw[l]
                bs[l] = bs[l] + vb[l]
        if monitored is not None:
            monitored.append((cost / m, hits / m))
    return ws, bs


@pytest.mark.parametrize("momentum,l2", [(0.9, 0.0), (0.5, 0.01), (0.0, 0.0)])
def test_full_batch_steps_with_momentum_match_the_update_rule(momentum, l2):
    """batch_size = m: every epoch is one step on the whole set, whatever the shuffle."""
    x, labels = make_toy(m=8)
    net = Network([2, 3, 2], activation="tanh", init="scaled", rng=4)
    ws, bs = _reference_sgd(net, x, one_hot(labels, 2), epochs=4, batch_size=8, eta=0.5,
                            seed=0, momentum=momentum, l2=l2)
    sgd(net, x, labels, epochs=4, batch_size=8, eta=0.5, rng=0, momentum=momentum, l2=l2,
        monitor_train=False)
    for got, want in zip(net.weights + net.biases, ws + bs):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


def test_momentum_changes_later_steps():
    x, labels = make_toy(m=8)
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
    x, labels = make_toy(m=7)
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
    x, labels = make_toy(m=3)
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
    x, labels = make_toy(m=40)
    xv, lv = make_toy(m=30, seed=1)
    net = Network([2, 3, 2], init="scaled", rng=0)
    before = time.perf_counter()
    h = sgd(net, x, labels, epochs=3, batch_size=10, eta=0.05, rng=0, l2=0.5,
            validation=(xv, lv), callback=lambda e, hist: e == 1)
    elapsed = time.perf_counter() - before
    # the callback returned True after epoch 1: training stopped there
    assert h["epoch"] == [1] and len(h["seconds"]) == 1
    assert isinstance(h["seconds"][0], float) and 0 <= h["seconds"][0] <= elapsed
    # the training cost and accuracy: means over the epoch's mini-batches, each measured with
    # the parameters before its step (no second pass); validation: after the epoch
    monitored = []
    _reference_sgd(Network([2, 3, 2], init="scaled", rng=0), x, one_hot(labels, 2), 1, 10, 0.05, 0,
                   l2=0.5, monitored=monitored)
    assert h["cost"] == [pytest.approx(monitored[0][0], rel=1e-12)]
    assert h["train_accuracy"] == [monitored[0][1]]
    assert h["cost"][0] != pytest.approx(net.total_cost(x, one_hot(labels, 2), l2=0.5), rel=1e-6)
    assert h["validation_accuracy"] == [net.evaluate(xv, lv)]


def test_one_output_neuron_after_a_hidden_layer_trains_on_labels():
    x, labels = make_toy(m=20)
    net = Network([2, 3, 1], output="sigmoid", cost="binary_cross_entropy", init="scaled", rng=0)
    ws, bs = _reference_sgd(net, x, labels.reshape(1, -1).astype(float), epochs=2,
                            batch_size=5, eta=0.5, seed=1)
    monitored = []
    _reference_sgd(net, x, labels.reshape(1, -1).astype(float), epochs=2, batch_size=5, eta=0.5,
                   seed=1, monitored=monitored)
    h = sgd(net, x, labels, epochs=2, batch_size=5, eta=0.5, rng=1)
    np.testing.assert_allclose(net.weights[1], ws[1], rtol=1e-10)
    assert h["train_accuracy"] == [acc for _, acc in monitored]


def test_target_columns_must_match_the_output_layer():
    x, labels = make_toy(m=10)
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
    x, labels = make_toy(m=4)
    args = dict(epochs=1, batch_size=2, eta=1.0, rng=0)
    args.update(kwargs)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        sgd(Network([2, 2], rng=0), x, labels, **args)


def test_non_finite_inputs_are_refused():
    x, labels = make_toy(m=4)
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match="^the training inputs x contain NaN or infinite values$"):
        sgd(Network([2, 2], rng=0), x, labels, epochs=1, batch_size=2, eta=1.0, rng=0)


def test_divergence_names_the_first_bad_parameter_even_a_bias():
    # x = 0: the weight gradient δ aᵀ is 0, only the bias moves; η = 1e308 sends
    # b from 0 to 1e308 (batch 1) and then to −inf (batch 2) while W stays finite
    net = net_from([[[0.5]]], [[[0.0]]], output="identity", cost="quadratic")
    x, y = np.zeros((1, 3)), np.ones((1, 3))
    with pytest.raises(TrainingDiverged,
                       match="^training diverged at epoch 1, batch 2: b1 became NaN or infinite"):
        sgd(net, x, y, epochs=1, batch_size=1, eta=1e308, rng=0)
    assert net.weights[0][0, 0] == 0.5


def test_an_infinite_cost_with_finite_parameters_is_divergence():
    # z = 1e155: finite, but the quadratic cost ½z² overflows to inf
    net = net_from([[[1e155]]], [[[0.0]]], output="identity", cost="quadratic")
    with pytest.raises(TrainingDiverged, match="^training diverged at epoch 1: the training cost is inf"):
        sgd(net, np.ones((1, 2)), np.zeros((1, 2)), epochs=1, batch_size=2, eta=1e-300, rng=0)


# (The "divide" and "invalid" cases used an identity output with binary cross-entropy, which
# Network now refuses at construction: that cost needs sigmoid outputs.)
@pytest.mark.parametrize("case", ["overflow"])
def test_divergence_raises_training_diverged_and_no_numpy_warning(case):
    """Whatever numpy's error state, a diverging step is reported by TrainingDiverged only."""
    if case == "overflow":  # δ aᵀ = 1e200 · 1e200 overflows
        net = net_from([[[1.0]]], [[[0.0]]], output="identity", cost="quadratic")
        x, y = np.full((1, 1), 1e200), np.zeros((1, 1))
    else:  # identity output a = 0 with binary cross-entropy: (a − y) / (a(1 − a)) = −1/0 or 0/0
        net = net_from([[[0.0]]], [[[0.0]]], output="identity", cost="binary_cross_entropy")
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
    x, labels = make_toy(m=60)
    xv, lv = make_toy(m=50, seed=3)
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
    x, labels = make_toy(m=10)
    sgd(Network([2, 2], rng=0), x, labels, epochs=2, batch_size=5, eta=1.0, rng=0)
    assert capsys.readouterr().out == ""


def test_labels_are_read_from_targets_in_the_networks_dtype():
    # in float32 the two rows tie (argmax: class 0); in float64 row 1 is larger
    net = net_from([[[0.0], [0.0]]], [[[1.0], [0.0]]], output="identity", dtype=np.float32)
    targets = np.array([[0.3, 0.3], [0.3 + 1e-12, 0.3 + 1e-12]])
    h = sgd(net, np.zeros((1, 2)), targets, epochs=1, batch_size=2, eta=1e-3, rng=0)
    assert net.predict(np.zeros((1, 2))).tolist() == [0, 0]
    assert h["train_accuracy"] == [1.0]


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


def test_sgd_with_dropout_is_the_loop_written_out():
    """sgd(dropout=p) = shuffle, then per batch: masks from the same rng, masked gradients, step."""
    x, labels = make_toy(m=30)
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
    x, labels = make_toy(m=12)
    with pytest.raises(ValueError, match=r"^validation has 12 samples but 11 labels$"):
        sgd(Network([2, 3, 2], rng=0), x, labels, epochs=1, batch_size=4, eta=0.1,
            validation=(x, labels[:11]))


def test_optimizer_and_hyperparameters_are_not_mixed():
    x, labels = make_toy(m=12)
    net = Network([2, 3, 2], rng=0)
    with pytest.raises(ValueError, match=r"^give the learning rate eta \(or an optimizer\)$"):
        sgd(net, x, labels, epochs=1, batch_size=4)
    for extra in (dict(eta=0.1), dict(momentum=0.5), dict(l2=0.1)):
        with pytest.raises(ValueError, match=r"^give either an optimizer or eta/momentum/l2, "
                                             r"not both \(got optimizer="):
            sgd(net, x, labels, epochs=1, batch_size=4, optimizer=_Bare(0.1), **extra)


def _diverge(optimizer, **kwargs):
    x, labels = make_toy(m=12)
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
    x, labels = make_toy(m=12)
    net = Network([2, 3, 2], rng=0)
    monkeypatch.setattr(net, "output_cost", lambda *args: float("inf"))
    with pytest.raises(TrainingDiverged, match=r"epoch 1: the training cost is inf \(learning "
                                               r"rate eta=0.1; try a smaller learning rate\)"):
        sgd(net, x, labels, epochs=1, batch_size=4, eta=0.1, rng=0)


def test_the_recorded_cost_of_an_optimizer_without_l2_has_no_l2_term():
    x, labels = make_toy(m=12)
    net = Network([2, 3, 2], rng=0)
    monitored = []
    _reference_sgd(net, x, one_hot(labels, 2), 1, 4, 0.1, 0, monitored=monitored)
    history = sgd(net, x, labels, epochs=1, batch_size=4, rng=0, optimizer=_NoL2(0.1))
    assert history["cost"][0] == pytest.approx(monitored[0][0], rel=1e-12)


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


# ------------------------------------------ hyperparameters, labels and inputs
def test_numpy_scalars_are_fine_hyperparameters(toy):
    x, labels = toy(m=20)
    h = sgd(Network([2, 2], rng=0), x, labels, epochs=np.int64(2), batch_size=np.int32(5),
            eta=np.float32(0.5), rng=0, momentum=np.float64(0.5), l2=np.float32(0.0))
    assert h["epoch"] == [1, 2]


@pytest.mark.parametrize("labels,match", [
    (np.array([0, 1, -1, 0]), r"integers in 0\.\.1, got values from -1 to 1"),
    (np.array([0, 1, 2, 0]), r"integers in 0\.\.1, got values from 0 to 2"),
    (np.array([0.0, 1.0, 0.5, 1.0]), r"integers in 0\.\.1.*float64"),
])
def test_labels_out_of_range(labels, match, toy):
    x, _ = toy(m=4)
    with pytest.raises(ValueError, match=match):
        sgd(Network([2, 2], rng=0), x, labels, epochs=1, batch_size=2, eta=1.0, rng=0)


def test_test_labels_out_of_range_are_refused_before_training(toy):
    x, labels = toy(m=20)
    net = Network([2, 2], rng=0)
    w = net.weights[0].copy()
    with pytest.raises(ValueError, match=r"integers in 0\.\.1"):
        sgd(net, x, labels, epochs=1, batch_size=5, eta=1.0, rng=0, validation=(x, labels + 10))
    np.testing.assert_array_equal(net.weights[0], w)  # nothing trained


def test_targets_with_the_wrong_number_of_rows(toy):
    x, labels = toy(m=4)
    with pytest.raises(ValueError, match=r"labels of shape \(m,\) or targets of shape \(3, m\); got \(2, 4\)"):
        sgd(Network([2, 3], rng=0), x, one_hot(labels, 2), epochs=1, batch_size=2, eta=1.0, rng=0)


def test_inputs_with_nan_are_refused(toy):
    x, labels = toy(m=20)
    x[1, 3] = np.nan
    with pytest.raises(ValueError, match="training inputs x contain NaN or infinite values"):
        sgd(Network([2, 2], rng=0), x, labels, epochs=1, batch_size=5, eta=1.0, rng=0)
    with pytest.raises(ValueError, match=r"input must have shape \(2, m\)"):
        sgd(Network([2, 2], rng=0), x.T, labels, epochs=1, batch_size=5, eta=1.0, rng=0)


def test_memory_layout_of_x_does_not_change_results(toy):
    """sgd copies C-ordered inputs to column-contiguous (Fortran) order for fast batch gathers;
    the training run is bit-for-bit the same either way, and the caller's array is untouched."""
    x, labels = toy(m=50)
    runs = []
    for layout in (np.ascontiguousarray(x), np.asfortranarray(x)):
        before = layout.copy()
        net = Network([2, 4, 2], activation="tanh", output="softmax", cost="cross_entropy", rng=0)
        sgd(net, layout, labels, epochs=2, batch_size=7, eta=0.3, rng=1, momentum=0.5)
        np.testing.assert_array_equal(layout, before)
        runs.append(net.weights + net.biases)
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


# -----------------------------------------------------------------------------
# faults: a NaN or inf stops sgd with TrainingDiverged naming the epoch, the batch and the
# parameter, and no numpy RuntimeWarning leaks out (the fixture makes warnings errors)
@pytest.fixture
def warnings_are_errors():
    old = np.geterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    assert np.geterr() == old  # sgd restores numpy's error state


@pytest.mark.usefixtures("warnings_are_errors")
@pytest.mark.parametrize("layer", [1, 2, 3])
@pytest.mark.parametrize("kind", ["weight", "bias"])
def test_nan_in_any_layer_is_caught(monkeypatch, layer, kind, toy):
    """A NaN appearing only in one layer's gradient, at the 3rd batch, is reported there."""
    calls = {"n": 0}
    original = network_module.Network.backprop

    def poisoned(self, x, y, masks=None, forward=None):
        nabla_b, nabla_w = original(self, x, y, masks, forward=forward)
        calls["n"] += 1
        if calls["n"] == 3:
            (nabla_w if kind == "weight" else nabla_b)[layer - 1][0, 0] = np.nan
        return nabla_b, nabla_w

    monkeypatch.setattr(network_module.Network, "backprop", poisoned)
    x, labels = toy(m=60, n_inputs=3)
    net = Network([3, 4, 5, 2], rng=0)
    name = ("W" if kind == "weight" else "b") + str(layer)
    with pytest.raises(TrainingDiverged, match=rf"epoch 1, batch 3: {name} became NaN or infinite"):
        sgd(net, x, labels, epochs=2, batch_size=10, eta=0.5, rng=0)


@pytest.mark.usefixtures("warnings_are_errors")
def test_an_update_that_overflows_is_caught(toy):
    """Finite gradients, but η·∇C overflows float32: the weight becomes inf at the first step."""
    x, labels = toy(m=60, n_inputs=3)
    net = Network([3, 4, 2], activation="relu", output="identity", init="he", rng=0, dtype=np.float32)
    with pytest.raises(TrainingDiverged, match=r"epoch 1, batch 1: [Wb]\d became NaN or infinite.*eta=3e\+38"):
        sgd(net, x * 100, labels, epochs=1, batch_size=10, eta=3e38, rng=0)


@pytest.mark.usefixtures("warnings_are_errors")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation,output,cost,eta,match", [
    ("relu", "softmax", "cross_entropy", 1e6, r"(batch \d+: [Wb]\d became NaN|the training cost is inf)"),
    ("identity", "identity", "quadratic", 50.0, r"batch \d+: [Wb]\d became NaN"),
    ("relu", "identity", "quadratic", 20.0, r"batch \d+: [Wb]\d became NaN"),
    # (sigmoid + binary cross-entropy no longer diverges at a huge eta: its cost is computed
    # from z^L, and once the sigmoids saturate on the right side the gradient is 0)
])
def test_real_divergence_is_reported_without_warnings(dtype, activation, output, cost, eta, match, toy):
    x, labels = toy(m=60, n_inputs=3)
    net = Network([3, 16, 2], activation=activation, output=output, cost=cost, init="he", rng=0, dtype=dtype)
    with pytest.raises(TrainingDiverged, match=r"training diverged at epoch \d+.*" + match):
        sgd(net, x * 10, labels, epochs=50, batch_size=10, eta=eta, rng=0)


@pytest.mark.usefixtures("warnings_are_errors")
def test_a_healthy_run_is_not_disturbed(toy):
    x, labels = toy(m=60, n_inputs=3)
    h = sgd(Network([3, 4, 2], rng=0), x, labels, epochs=3, batch_size=10, eta=1.0, rng=0, validation=(x, labels))
    assert np.isfinite(h["cost"]).all() and len(h["validation_accuracy"]) == 3


# --------------------------------------------------------------------- dropout
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
# ----------------------------------------------------------------------------- issue 23 (hostile input, round 3)
def test_nan_targets_and_validation_inputs_are_refused(toy):
    """Item 14: NaN in the targets, or in the validation inputs, was not checked (the training
    inputs were): training went on, and the cost or the accuracy came out as nonsense."""
    from nnlib import one_hot
    x, labels = toy(m=20)
    targets = one_hot(labels, 2)
    targets[0, 3] = np.nan
    with pytest.raises(ValueError, match="training targets y contain NaN or infinite"):
        sgd(Network([2, 2], rng=0), x, targets, epochs=1, batch_size=5, eta=0.5, rng=0)
    x_val = x.copy()
    x_val[1, 2] = np.inf
    with pytest.raises(ValueError, match="validation inputs contain NaN or infinite"):
        sgd(Network([2, 2], rng=0), x, labels, epochs=1, batch_size=5, eta=0.5, rng=0,
            validation=(x_val, labels))


def test_a_learning_rate_that_rounds_to_zero_is_refused(toy):
    """Item 18: eta=1e-320 in float32 rounds to 0: training silently changed nothing."""
    x, labels = toy(m=20)
    for dtype, eta in ((np.float32, 1e-320), (np.float32, 1e-39), (np.float64, 1e-320)):
        net = Network([2, 2], rng=0, dtype=dtype)
        with pytest.raises(ValueError, match=rf"eta={eta!r} is below the smallest normal "
                                             rf"{np.dtype(dtype).name} number"):
            sgd(net, x, labels, epochs=1, batch_size=5, eta=eta, rng=0)
    net = Network([2, 2], rng=0, dtype=np.float32)
    w = net.weights[0].copy()
    sgd(net, x, labels, epochs=1, batch_size=5, eta=1e-30, rng=0)   # tiny but representable
    assert net.weights[0].dtype == np.float32 and net.weights[0].shape == w.shape


# ------------------------------------------------ issue 24: early stopping, keyword-only settings
def test_early_stopping_stops_after_patience_epochs_and_restores_the_best_epoch():
    x, labels = make_toy(m=60, seed=3)
    xv, lv = make_toy(m=40, seed=4)
    kwargs = dict(epochs=30, batch_size=10, eta=2.0, rng=5, validation=(xv, lv))
    watched = Network([2, 6, 2], rng=2)
    snapshots = []
    full = sgd(watched, x, labels, **kwargs,
               callback=lambda e, h: snapshots.append([p.copy() for _, p in watched.parameters()]))
    accuracies = full["validation_accuracy"]
    best = int(np.argmax(accuracies)) + 1           # the first epoch with the highest accuracy
    stop = next((e for e in range(1, 31) if e - (int(np.argmax(accuracies[:e])) + 1) >= 3), 30)
    assert stop < 30, "the toy run must plateau for the test to mean something"
    net = Network([2, 6, 2], rng=2)
    h = sgd(net, x, labels, **kwargs, patience=3)
    assert h["epoch"] == list(range(1, stop + 1))
    assert h["best_epoch"] == int(np.argmax(accuracies[:stop])) + 1 <= best
    for (_, p), want in zip(net.parameters(), snapshots[h["best_epoch"] - 1]):
        np.testing.assert_array_equal(p, want)
    assert net.evaluate(xv, lv) == max(accuracies[:stop])


def test_patience_needs_validation_and_a_positive_integer():
    x, labels = make_toy(m=10)
    with pytest.raises(ValueError, match="^early stopping \\(patience\\) needs validation data"):
        sgd(Network([2, 2], rng=0), x, labels, epochs=2, batch_size=5, eta=1.0, patience=2)
    for bad in (0, 1.5, "3"):
        with pytest.raises(ValueError, match="^patience must be"):
            sgd(Network([2, 2], rng=0), x, labels, epochs=2, batch_size=5, eta=1.0,
                validation=(x, labels), patience=bad)


def test_hyperparameters_are_keyword_only():
    x, labels = make_toy(m=10)
    with pytest.raises(TypeError):
        sgd(Network([2, 2], rng=0), x, labels, 2, 5, 1.0)  # epochs, batch_size, eta by position


def test_training_cost_needs_no_second_pass(monkeypatch):
    """With monitoring on, the forward pass runs once per mini-batch and never on the whole set."""
    x, labels = make_toy(m=40)
    net = Network([2, 3, 2], rng=0)
    widths = []
    original = network_module.Network.forward

    def counting(self, x, masks=None):
        widths.append(np.shape(x)[1])
        return original(self, x, masks)

    monkeypatch.setattr(network_module.Network, "forward", counting)
    sgd(net, x, labels, epochs=2, batch_size=10, eta=0.5, rng=0)
    assert widths == [10] * 8


def test_monitor_train_end_measures_the_weights_after_each_epoch_on_the_whole_set():
    x, labels = make_toy(m=40)
    net = Network([2, 3, 2], init="scaled", rng=0)
    costs = []
    h = sgd(net, x, labels, epochs=3, batch_size=10, eta=0.5, rng=0, l2=0.5, monitor_train="end",
            callback=lambda e, hist: costs.append((net.total_cost(x, one_hot(labels, 2), l2=0.5),
                                                  net.evaluate(x, labels))))
    assert h["cost"] == [c for c, _ in costs] and h["train_accuracy"] == [a for _, a in costs]
    batches = sgd(Network([2, 3, 2], init="scaled", rng=0), x, labels, epochs=3, batch_size=10,
                  eta=0.5, rng=0, l2=0.5)
    assert batches["cost"][0] > h["cost"][0]  # measured during the epoch, before the steps
    with pytest.raises(ValueError, match="^monitor_train must be True, False or 'end', got 'yes'$"):
        sgd(net, x, labels, epochs=1, batch_size=10, eta=0.5, monitor_train="yes")


def test_progress_line_with_and_without_the_number_of_epochs():
    from nnlib.training import progress_line
    history = {"epoch": [3], "cost": [0.21014], "train_accuracy": [0.9412],
               "validation_accuracy": [0.938], "seconds": [1.2]}
    assert progress_line(history) == "Epoch  3, cost 0.2101, train 94.12%, validation 93.80%, 1.20 s"
    assert progress_line(history, 10) == ("Epoch  3/10, cost 0.2101, train 94.12%, "
                                          "validation 93.80%, 1.20 s")


def test_early_stopping_with_no_epoch_restores_nothing():
    x, labels = make_toy(m=10)
    net = Network([2, 2], rng=0)
    before = [p.copy() for _, p in net.parameters()]
    h = sgd(net, x, labels, epochs=0, batch_size=5, eta=1.0, validation=(x, labels), patience=2)
    assert h["best_epoch"] == 0 and h["epoch"] == []
    for (_, p), q in zip(net.parameters(), before):
        np.testing.assert_array_equal(p, q)


def test_monitor_train_end_is_one_pass_per_epoch_from_the_logits_and_without_a_missing_l2():
    x, labels = make_toy(m=40)
    net = Network([2, 3, 4, 2], output="softmax", cost="cross_entropy", init="scaled", rng=0)
    net.weights[-1] *= 40  # large logits: softmax rounds to 0/1, only the from-logits cost is exact
    calls, seen = [], []
    original = net.output_cost

    def counting(*args):
        calls.append(args[0].shape)
        return original(*args)

    def after_epoch(epoch, history):
        zs, activations = net.forward(x)
        seen.append(original(zs[-1], activations[-1], one_hot(labels, 2)))

    net.output_cost = counting
    h = sgd(net, x, labels, epochs=2, batch_size=10, rng=0, optimizer=_NoL2(0.5),
            monitor_train="end", callback=after_epoch)
    assert calls == [(2, 40), (2, 40)]  # one whole-set pass per epoch, no per-batch costs
    assert h["cost"] == seen


def test_hostile_input_messages_in_full(toy):
    """Issue 24 (mutation): the refusals added for issue 23, each message matched whole (a
    fragment would let a mangled message through)."""
    x, labels = toy(m=10)
    args = dict(epochs=1, batch_size=5, eta=1.0, rng=0)
    targets = one_hot(labels, 2)
    targets[1, 4] = np.inf
    x_val = x.copy()
    x_val[0, 0] = np.nan
    for data, kwargs, message in (
            ((np.zeros((2, 0)), np.zeros(0, dtype=int)), {},
             "x has 0 samples (shape (2, 0)); training needs at least one column"),
            ((x, targets), {}, "the training targets y contain NaN or infinite values"),
            ((x, one_hot(labels, 2)[:, :9]), {}, "x has 10 samples (columns) but y has 9"),
            ((x, labels), {"validation": "x"},
             "validation must be a pair (x_validation, labels_validation), got 'x'"),
            ((x, labels), {"validation": [x]},
             "validation must be a pair (x_validation, labels_validation), got a list of length 1"),
            ((x, labels), {"validation": (x_val, labels)},
             "the validation inputs contain NaN or infinite values"),
            ((x, labels), {"validation": (x, labels[:9])}, "validation has 10 samples but 9 labels")):
        with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
            sgd(Network([2, 2], rng=0), *data, **{**args, **kwargs})
    for dtype, tiny in ((np.float32, "1.18e-38"), (np.float64, "2.23e-308")):
        with pytest.raises(ValueError, match="^" + re.escape(
                f"the learning rate eta=1e-320 is below the smallest normal {np.dtype(dtype).name} "
                f"number ({tiny}): every step would round to nothing; use a larger eta") + "$"):
            sgd(Network([2, 2], rng=0, dtype=dtype), x, labels, **{**args, "eta": 1e-320})


def test_only_a_learning_rate_strictly_between_0_and_the_smallest_normal_is_refused(toy):
    """The bounds of the eta-rounds-to-nothing check: the smallest normal number itself is a
    learning rate the float type holds, and an optimizer of one's own whose eta is exactly 0
    (a warm-up schedule's first step, say) is its own business, not a rounding accident."""
    x, labels = toy(m=10)

    class WarmUp:
        eta, steps = 0.0, 0

        def step(self, params, grads):
            self.steps += 1

    warm_up = WarmUp()
    net = Network([2, 2], rng=0, dtype=np.float32)
    w = net.weights[0].copy()
    history = sgd(net, x, labels, epochs=1, batch_size=5, optimizer=warm_up, rng=0)
    assert warm_up.steps == 2 and history["epoch"] == [1]
    np.testing.assert_array_equal(net.weights[0], w)
    tiny = float(np.finfo(np.float32).tiny)
    net = Network([2, 2], rng=0, dtype=np.float32)
    history = sgd(net, x, labels, epochs=1, batch_size=5, eta=tiny, rng=0)
    assert history["epoch"] == [1]
    np.testing.assert_array_equal(net.weights[0], w)   # η·∇C rounds away against W (~1)
