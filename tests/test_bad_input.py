"""Bad input everywhere a user can hand something in: each case gives a clear error naming what was wrong.

(Cases already covered elsewhere are not repeated: see test_datasets.py, test_io.py,
test_network.py and test_training.py.  Images and the command line are tested in their own files.)
"""
import gzip
import pickle
import struct
import tracemalloc

import numpy as np
import pytest

from nnlib import (IDXError, Network, ParameterFileError, load_network, one_hot, read_idx,
                   save_network, sgd)
from nnlib.idx import read_idx_header


def idx_bytes(type_byte, dims, body=b""):
    """An IDX file: magic 00 00 TT DD, the sizes as big-endian uint32, then ``body``."""
    return bytes([0, 0, type_byte, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + body


# ----------------------------------------------------------------------------- IDX files
@pytest.mark.parametrize("compress", [False, True])
def test_huge_header_refused_without_allocating(tmp_path, compress):
    """A header claiming 4e9 images is refused; one claiming 1.6 GB (under the limit) in a file of a
    few bytes fails as truncated.  Neither allocates more than the file really holds."""
    for count, match in ((4_000_000_000, r"header claims shape \(4000000000, 28, 28\)"),
                         (2_000_000, r"truncated: expected 1568000000 bytes")):
        raw = idx_bytes(0x08, [count, 28, 28], bytes(1000))
        path = tmp_path / ("huge.gz" if compress else "huge.idx")
        path.write_bytes(gzip.compress(raw) if compress else raw)
        tracemalloc.start()
        try:
            with pytest.raises(IDXError, match=match):
                read_idx(path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 8 * 2**20, f"read_idx allocated {peak:,} bytes for a {len(raw)}-byte file"


def test_dimension_product_does_not_overflow(tmp_path):
    """(2^32 − 1)^3 overflows a 64-bit integer; the size check must still see it as huge."""
    path = tmp_path / "overflow.idx"
    path.write_bytes(idx_bytes(0x0E, [2**32 - 1] * 3))
    with pytest.raises(IDXError, match=r"overflow\.idx: header claims shape"):
        read_idx(path)


@pytest.mark.parametrize("dims,match", [
    ([0, 2**32 - 1, 2**32 - 1, 2**32 - 1], "cannot be made into a numpy array"),  # 0 bytes, absurd shape
    ([1] * 100, "cannot be made into a numpy array"),                             # too many dimensions
    ([], "declares 0 dimensions"),
])
def test_impossible_shapes(tmp_path, dims, match):
    path = tmp_path / "shape.idx"
    path.write_bytes(idx_bytes(0x08, dims, b"\x07" if dims == [1] * 100 else b""))
    with pytest.raises(IDXError, match=r"shape\.idx: .*" + match):
        read_idx(path)


def test_unknown_type_byte(tmp_path):
    path = tmp_path / "type.idx"
    path.write_bytes(idx_bytes(0x07, [3], bytes(3)))
    with pytest.raises(IDXError, match=r"type\.idx: not an IDX file: magic number 00000701"):
        read_idx(path)
    with pytest.raises(IDXError, match="not an IDX file"):
        read_idx_header(path)


def test_wrong_dimensions_for_the_expected_shape(tmp_path):
    path = tmp_path / "labels.idx"
    path.write_bytes(idx_bytes(0x08, [4], bytes(4)))
    with pytest.raises(IDXError, match=r"labels\.idx: has shape \(4,\), expected \(n, 28, 28\)"):
        read_idx(path, expected_shape=(None, 28, 28))


def test_corrupt_gzip_and_a_directory(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
    with pytest.raises(IDXError, match=r"bad\.gz: cannot be read as IDX"):
        read_idx(path)
    with pytest.raises(IDXError, match="cannot be read as IDX"):
        read_idx(tmp_path)


# ----------------------------------------------------------------------------- parameter files
def _arrays(**changes):
    net = Network([4, 3, 2], rng=0)
    arrays = {"sizes": np.array([4, 3, 2]), "activation": np.array("sigmoid"), "output": np.array("sigmoid"),
              "cost": np.array("quadratic"), "W1": net.weights[0], "b1": net.biases[0],
              "W2": net.weights[1], "b2": net.biases[1]}
    arrays.update(changes)
    return {k: v for k, v in arrays.items() if v is not None}


@pytest.mark.parametrize("changes,match", [
    ({"W1": np.ones((3, 4), dtype=np.int64)}, r"W1 has dtype int64, expected float32 or float64"),
    ({"W2": np.ones((2, 3), dtype=np.complex128)}, r"W2 has dtype complex128, expected float32"),
    ({"b1": np.full((3, 1), "x")}, r"b1 has dtype <U1, expected float32"),
    ({"b2": np.array([[0.0], [np.nan]])}, r"b2 contains NaN or infinite values"),
    ({"sizes": np.array([4.0, 3.0, 2.0])}, r"'sizes' must be a 1-D integer array, got float64"),
    ({"sizes": np.array([[4, 3, 2]])}, r"'sizes' must be a 1-D integer array"),
    ({"sizes": np.array([4, 0, 2])}, r"'sizes' must hold at least two positive integers"),
    ({"sizes": np.array([4])}, r"'sizes' must hold at least two positive integers"),
    ({"sizes": None}, r"missing the array 'sizes'"),
    ({"cost": None}, r"missing the array 'cost'"),
    ({"W1": None}, r"missing the array 'W1'"),
    ({"W1": np.zeros((4, 3))}, r"W1 has shape \(4, 3\), expected \(3, 4\) for sizes \[4, 3, 2\]"),
    ({"activation": np.array("gelu")}, r"unknown activation 'gelu'"),
    ({"cost": np.array(7)}, r"unknown cost '7'"),
])
def test_bad_parameter_files(tmp_path, changes, match):
    path = tmp_path / "p.npz"
    np.savez(path, **_arrays(**changes))
    with pytest.raises(ParameterFileError, match=r"p\.npz: " + match):
        load_network(path)


def test_enormous_sizes_are_refused_before_allocating(tmp_path):
    path = tmp_path / "big.npz"
    np.savez(path, **_arrays(sizes=np.array([10**6, 10**6, 2])))
    tracemalloc.start()
    try:
        with pytest.raises(ParameterFileError, match=r"big\.npz: a network of sizes \[1000000, 1000000, 2\] would have 1,000,003,000,002 parameters"):
            load_network(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


def test_a_single_npy_array_is_not_a_parameter_file(tmp_path):
    path = tmp_path / "one.npz"
    with open(path, "wb") as f:
        np.save(f, np.zeros(3))
    with pytest.raises(ParameterFileError, match=r"one\.npz: not an \.npz archive"):
        load_network(path)


class _Trap:
    """Unpickling this creates a marker file: proof that a pickle was loaded."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_object_array_with_a_trap_is_never_unpickled(tmp_path):
    marker = tmp_path / "UNPICKLED"
    trap = np.empty(1, dtype=object)
    trap[0] = _Trap(marker)
    path = tmp_path / "evil.npz"
    np.savez(path, **_arrays(W1=trap))
    pickle.loads(pickle.dumps(_Trap(tmp_path / "control")))  # the trap works when unpickled...
    assert (tmp_path / "control").exists()
    with pytest.raises(ParameterFileError, match=r"evil\.npz: .*pickle.*refused"):
        load_network(path)
    assert not marker.exists()                                  # ...and load_network never did


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_raw_pickle_renamed_npz_is_never_unpickled(tmp_path, protocol):
    marker = tmp_path / "UNPICKLED"
    path = tmp_path / "params.npz"
    path.write_bytes(pickle.dumps({"W1": _Trap(marker)}, protocol=protocol))
    with pytest.raises(ParameterFileError, match=r"params\.npz: .*pickle"):
        load_network(path)
    assert not marker.exists()


def test_a_good_file_still_loads_after_all_that(tmp_path):
    save_network(Network([4, 3, 2], rng=0), tmp_path / "ok.npz")
    assert load_network(tmp_path / "ok.npz").sizes == [4, 3, 2]


# ----------------------------------------------------------------------------- network sizes
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


# ----------------------------------------------------------------------------- hyperparameters
def test_numpy_scalars_are_fine_hyperparameters(toy):
    x, labels = toy(m=20)
    h = sgd(Network([2, 2], rng=0), x, labels, epochs=np.int64(2), batch_size=np.int32(5),
            eta=np.float32(0.5), rng=0, momentum=np.float64(0.5), l2=np.float32(0.0))
    assert h["epoch"] == [1, 2]


# ----------------------------------------------------------------------------- labels and inputs
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
