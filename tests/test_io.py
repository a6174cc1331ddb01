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



# ----------------------------------------------------------------------------- issue 23 (hostile input, round 3)
def _zero_parameter_file(path, sizes, dtype=np.float32):
    """An .npz of zeros for ``sizes``, compressed: a few kilobytes however large the network."""
    arrays = {"sizes": np.array(sizes), "activation": np.array("relu"), "output": np.array("softmax"),
              "cost": np.array("cross_entropy")}
    for l in range(1, len(sizes)):
        arrays[f"W{l}"] = np.zeros((sizes[l], sizes[l - 1]), dtype)
        arrays[f"b{l}"] = np.zeros((sizes[l], 1), dtype)
    np.savez_compressed(path, **arrays)


def test_loading_costs_a_small_multiple_of_the_parameters(tmp_path):
    """Item 2: a 92 KB file of zeros (784-30000-10) cost gigabytes: loading drew a random float64
    network of the same size first.  Peak measured with tracemalloc in a fresh interpreter."""
    from conftest import run_python
    path = tmp_path / "zeros.npz"
    _zero_parameter_file(path, [784, 4000, 10])
    nbytes = (784 * 4000 + 4000 + 4000 * 10 + 10) * 4
    code = f"""
import json, tracemalloc
from nnlib import load_network
tracemalloc.start()
net = load_network({str(path)!r})
print(json.dumps({{"peak": tracemalloc.get_traced_memory()[1]}}))
"""
    peak = run_python(code)["peak"]
    assert peak < 2.5 * nbytes, (peak, nbytes)   # read, copied once, finiteness checked


def test_a_file_declaring_too_many_parameters_is_refused_before_reading(tmp_path):
    """Items 2 and 6: the limit is a number of parameters (nnlib.checks.MAX_PARAMETERS), the same
    for a parameter file as for Network; sizes alone are enough to refuse."""
    from nnlib.checks import MAX_PARAMETERS
    path = tmp_path / "huge.npz"
    np.savez(path, sizes=np.array([784, 70_000, 10]), activation=np.array("relu"),
             output=np.array("softmax"), cost=np.array("cross_entropy"))
    with pytest.raises(ParameterFileError, match=f"55,650,010 parameters, more than the "
                                                 f"{MAX_PARAMETERS:,} accepted") as e:
        load_network(path)
    assert str(e.value).startswith(str(path))


def test_big_endian_parameter_files_are_read(tmp_path):
    """Item 15: an .npz whose arrays are big-endian ('>f4', written on another machine or by
    hand) was refused ('has dtype >f4, expected float32 or float64'): they are converted."""
    net = Network([3, 4, 2], rng=0, dtype=np.float32)
    path = tmp_path / "big.npz"
    arrays = {"sizes": np.array([3, 4, 2], ">i8"), "activation": np.array("sigmoid"),
              "output": np.array("sigmoid"), "cost": np.array("quadratic")}
    arrays.update({name: p.astype(">f4") for name, p in net.parameters()})
    np.savez(path, **arrays)
    back = load_network(path)
    assert back.dtype == np.float32
    for (_, a), (_, b) in zip(net.parameters(), back.parameters()):
        assert b.dtype.isnative
        np.testing.assert_array_equal(a, b)
    bad = dict(arrays, W1=net.weights[0].astype(">i4"))
    np.savez(path, **bad)
    with pytest.raises(ParameterFileError, match="W1 has dtype >i4, expected float32 or float64"):
        load_network(path)


def test_paths_may_be_bytes(tmp_path):
    """Item 18: a bytes path works like the same path as str, and messages show it as text."""
    path = bytes(tmp_path / "n.npz")
    save_network(Network([2, 2], rng=0), path)
    assert load_network(path).sizes == [2, 2]
    with pytest.raises(FileNotFoundError, match=f"^{tmp_path / 'missing.npz'}: no such file$"):
        load_network(bytes(tmp_path / "missing.npz"))
