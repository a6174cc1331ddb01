"""Training faults: a NaN or inf anywhere stops sgd with TrainingDiverged naming the epoch, the
batch and the parameter, and no numpy RuntimeWarning leaks out (warnings are errors here)."""
import warnings

import numpy as np
import pytest

from nnlib import Network, TrainingDiverged, sgd
from nnlib import network as network_module


@pytest.fixture(autouse=True)
def warnings_are_errors():
    old = np.geterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    assert np.geterr() == old  # sgd restores numpy's error state


@pytest.mark.parametrize("layer", [1, 2, 3])
@pytest.mark.parametrize("kind", ["weight", "bias"])
def test_nan_in_any_layer_is_caught(monkeypatch, layer, kind, toy):
    """A NaN appearing only in one layer's gradient, at the 3rd batch, is reported there."""
    calls = {"n": 0}
    original = network_module.Network.backprop

    def poisoned(self, x, y, masks=None):
        nabla_b, nabla_w = original(self, x, y, masks)
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


def test_an_update_that_overflows_is_caught(toy):
    """Finite gradients, but η·∇C overflows float32: the weight becomes inf at the first step."""
    x, labels = toy(m=60, n_inputs=3)
    net = Network([3, 4, 2], activation="relu", output="identity", init="he", rng=0, dtype=np.float32)
    with pytest.raises(TrainingDiverged, match=r"epoch 1, batch 1: [Wb]\d became NaN or infinite.*eta=3e\+38"):
        sgd(net, x * 100, labels, epochs=1, batch_size=10, eta=3e38, rng=0)


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


def test_a_healthy_run_is_not_disturbed(toy):
    x, labels = toy(m=60, n_inputs=3)
    h = sgd(Network([3, 4, 2], rng=0), x, labels, epochs=3, batch_size=10, eta=1.0, rng=0, validation=(x, labels))
    assert np.isfinite(h["cost"]).all() and len(h["validation_accuracy"]) == 3
