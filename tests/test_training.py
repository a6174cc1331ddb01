from fractions import Fraction

import numpy as np
import pytest

from nnlib import Network, TrainingDiverged, load_mnist, sgd, to_columns


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
    sgd(nets[1], x, labels, epochs=2, batch_size=16, rng=2, optimizer=SGD(0.3, 0.8, 0.01))
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
    h = sgd(net, x, labels, epochs=1, batch_size=10, eta=0.5, l2=0.3, rng=0)
    plain = net.total_cost(x, np.eye(2)[:, labels].astype(float))
    penalty = 0.15 * sum(np.sum(w ** 2) for w in net.weights)
    np.testing.assert_allclose(h["cost"][-1], plain + penalty, rtol=1e-12)


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
