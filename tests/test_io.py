import numpy as np
import pytest

from nnlib import Network, ParameterFileError, load_network, save_network


def test_round_trip(tmp_path):
    net = Network([6, 5, 3], activation="relu", output="softmax", cost="cross_entropy", rng=4)
    path = tmp_path / "params.npz"
    save_network(net, path)
    back = load_network(path)
    assert back.sizes == [6, 5, 3] and (back.activation, back.output, back.cost) == ("relu", "softmax", "cross_entropy")
    for a, b in zip(net.weights + net.biases, back.weights + back.biases):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    x = np.random.default_rng(0).standard_normal((6, 4))
    np.testing.assert_array_equal(net.feedforward(x), back.feedforward(x))
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_float32_round_trip(tmp_path):
    net = Network([4, 2], rng=0, dtype=np.float32)
    save_network(net, tmp_path / "p.npz")
    assert load_network(tmp_path / "p.npz").weights[0].dtype == np.float32


def test_corrupt_file(tmp_path):
    path = tmp_path / "bad.npz"
    save_network(Network([4, 3, 2], rng=0), path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ParameterFileError, match=r"bad\.npz"):
        load_network(path)
    path.write_bytes(b"this is not an archive")
    with pytest.raises(ParameterFileError, match=r"bad\.npz"):
        load_network(path)


def test_missing_array_and_wrong_shape(tmp_path):
    net = Network([4, 3, 2], rng=0)
    arrays = {"sizes": np.array([4, 3, 2]), "activation": np.array("sigmoid"),
              "output": np.array("sigmoid"), "cost": np.array("quadratic"),
              "W1": net.weights[0], "b1": net.biases[0], "W2": net.weights[1]}
    np.savez(tmp_path / "missing.npz", **arrays)
    with pytest.raises(ParameterFileError, match=r"missing\.npz: missing the array 'b2'"):
        load_network(tmp_path / "missing.npz")
    arrays["b2"] = np.zeros((3, 1))
    np.savez(tmp_path / "shape.npz", **arrays)
    with pytest.raises(ParameterFileError, match=r"shape\.npz: b2 has shape \(3, 1\), expected \(2, 1\)"):
        load_network(tmp_path / "shape.npz")


def test_pickle_is_never_loaded(tmp_path):
    arrays = {"sizes": np.array([2, 2]), "activation": np.array("sigmoid"), "output": np.array("sigmoid"),
              "cost": np.array("quadratic"), "W1": np.array([object(), 1], dtype=object), "b1": np.zeros((2, 1))}
    np.savez(tmp_path / "evil.npz", **arrays)
    with pytest.raises(ParameterFileError, match=r"evil\.npz: .*pickle"):
        load_network(tmp_path / "evil.npz")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_network(tmp_path / "nothing.npz")


def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "params.npz"
    old = Network([4, 2], rng=0)
    save_network(old, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        save_network(Network([4, 2], rng=1), path)
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("content,match", [
    (b"W1 = 1 2 3\n", r"notes\.npz: not an \.npz archive .*starts with 'PK'"),
    (b"", r"notes\.npz: not an \.npz archive"),
])
def test_text_or_empty_file_gets_an_honest_message(tmp_path, content, match):
    path = tmp_path / "notes.npz"
    path.write_bytes(content)
    with pytest.raises(ParameterFileError, match=match):
        load_network(path)

