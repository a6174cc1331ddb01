import io
import os
import pickle
import re
import struct
import tempfile
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnlib import Network, ParameterFileError, load_network, save_network
from nnlib.images import shipped_digits

from conftest import FAST, networks_and_batches, nnlib_cli, one_line_error, zero_chunks


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


# -----------------------------------------------------------------------------
# bad parameter files: one line naming the file and what was expected
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
        with pytest.raises(ParameterFileError, match=r"big\.npz: W1 has shape \(3, 4\), expected \(1000000, 1000000\)"):
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


# -----------------------------------------------------------------------------
# hostile .npz files (issue 11, defects 3 and 6): bombs, odd members, absurd weights
def _npy_header(shape, dtype="<f4"):
    b = io.BytesIO()
    np.lib.format.write_array_header_1_0(b, {"descr": dtype, "fortran_order": False, "shape": shape})
    return b.getvalue()


def _npz(path, arrays, extra=(), compression=zipfile.ZIP_DEFLATED):
    """An .npz written member by member; ``extra``: (name, bytes or a chunk generator) pairs."""
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, value in arrays.items():
            b = io.BytesIO()
            np.lib.format.write_array(b, np.asanyarray(value), allow_pickle=False)
            zf.writestr(name + ".npy", b.getvalue())
        for name, data in extra:
            with zf.open(name, "w", force_zip64=True) as f:
                for chunk in ([data] if isinstance(data, bytes) else data):
                    f.write(chunk)
    return path


def _load_peak(path):
    """Load ``path``, expecting a ParameterFileError; returns (message, peak traced bytes)."""
    tracemalloc.start()
    try:
        with pytest.raises(ParameterFileError) as info:
            load_network(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(info.value), peak


def test_npz_bomb_member_is_refused_before_decompressing(tmp_path):
    """Issue 11, defect 3: a small file whose member holds 2048×8192 float32 zeros (64 MiB) cost all of it
    (and loaded if the member was unused).  Now refused from the header, allocating little."""
    bomb = _npy_header((2048, 8192))
    unused = _npz(tmp_path / "unused.npz", _arrays(),
                  extra=[("X.npy", _chain(bomb, zero_chunks(2048 * 8192 * 4)))])
    assert unused.stat().st_size < 2**20
    message, peak = _load_peak(unused)
    assert "unused.npz" in message and "unknown array 'X'" in message
    assert peak < 8 * 2**20, peak
    arrays = _arrays()
    del arrays["W1"]
    wrong = _npz(tmp_path / "wrong.npz", arrays, extra=[("W1.npy", _chain(bomb, zero_chunks(2048 * 8192 * 4)))])
    message, peak = _load_peak(wrong)
    assert "W1 has shape (2048, 8192), expected (3, 4)" in message
    assert peak < 8 * 2**20, peak


def _chain(first, rest):
    yield first
    yield from rest


@pytest.mark.parametrize("n", [2**16, 2**20])   # W1 of 2^16×2^16 float32: 16 GiB; 2^20×2^20: 4 TiB
def test_npz_header_claiming_terabytes_is_a_parameter_file_error(tmp_path, n):
    """Issue 11, defect 3: a member whose header claims 16 GiB or 4 TiB (consistent with 'sizes')."""
    arrays = {"sizes": np.array([n, n, 1]), "activation": np.array("sigmoid"),
              "output": np.array("sigmoid"), "cost": np.array("quadratic")}
    path = _npz(tmp_path / "huge.npz", arrays,
                extra=[("W1.npy", _npy_header((n, n))), ("b1.npy", _npy_header((n, 1))),
                       ("W2.npy", _npy_header((1, n))), ("b2.npy", _npy_header((1, 1)))])
    message, peak = _load_peak(path)
    assert "huge.npz" in message and "more than the" in message
    assert peak < 8 * 2**20


def test_npz_small_members_claiming_gigabytes_are_refused(tmp_path):
    """Issue 11, defect 3: 'sizes' or a string member whose header claims gigabytes is refused unread."""
    for key, header, match in (("sizes", _npy_header((2**30,), "<i8"), "declares 1,073,741,824 layers"),
                               ("activation", _npy_header((), "<U268435456"), "must be a short string")):
        arrays = _arrays()
        del arrays[key]
        path = _npz(tmp_path / f"{key}.npz", arrays,
                    extra=[(f"{key}.npy", _chain(header, zero_chunks(16 * 2**20)))])
        message, peak = _load_peak(path)
        assert match in message and peak < 8 * 2**20, (message, peak)


def _patch_zip(path, fn):
    """Apply ``fn(data, local_offset, central_offset)`` to every member's headers in place."""
    data = bytearray(path.read_bytes())
    for m in re.finditer(rb"PK\x01\x02", bytes(data)):
        central = m.start()
        local = struct.unpack("<I", data[central + 42:central + 46])[0]
        fn(data, local, central)
    path.write_bytes(bytes(data))


def test_npz_odd_members_are_parameter_file_errors(tmp_path):
    """Issue 11, defect 3: non-npy members, unsupported compression, encrypted flags, duplicates."""
    cases = {}
    cases["readme"] = _npz(tmp_path / "readme.npz", _arrays(), extra=[("README.txt", b"hi")])
    cases["lzma"] = _npz(tmp_path / "lzma.npz", _arrays(), compression=zipfile.ZIP_LZMA)
    method99 = _npz(tmp_path / "method99.npz", _arrays())

    def set_method(data, local, central):
        data[local + 8:local + 10] = struct.pack("<H", 99)
        data[central + 10:central + 12] = struct.pack("<H", 99)
    _patch_zip(method99, set_method)
    encrypted = _npz(tmp_path / "encrypted.npz", _arrays())

    def set_encrypted(data, local, central):
        data[local + 6] |= 1
        data[central + 8] |= 1
    _patch_zip(encrypted, set_encrypted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # zipfile warns about the duplicate name
        duplicate = _npz(tmp_path / "duplicate.npz", _arrays(),
                         extra=[("W1.npy", _npy_header((3, 4)) + bytes(48))])
    expected = {"readme": "not an .npy array", "lzma": "compression method 14",
                "method99": "compression method 99", "encrypted": "encrypted",
                "duplicate": "twice"}
    for name, path in {**cases, "method99": method99, "encrypted": encrypted,
                       "duplicate": duplicate}.items():
        with pytest.raises(ParameterFileError) as info:
            load_network(path)
        assert str(info.value).startswith(str(path)) and expected[name] in str(info.value), info.value
        if name in ("method99", "encrypted"):   # these were 'internal error's in the CLI
            one_line_error(nnlib_cli("evaluate", path), path.name)


def test_a_good_parameter_file_still_loads(tmp_path):
    net = Network([784, 7, 10], activation="relu", output="softmax", cost="cross_entropy", rng=1)
    save_network(net, tmp_path / "ok.npz")
    loaded = load_network(tmp_path / "ok.npz")
    assert loaded.sizes == net.sizes and loaded.activation == "relu"
    for a, b in zip(loaded.weights + loaded.biases, net.weights + net.biases):
        np.testing.assert_array_equal(a, b)


def test_finite_but_absurd_weights_are_refused(tmp_path, net_file):
    """Issue 11, defect 6: 3e38 weights (float32) printed '0 (probability nan)' with exit status 0."""
    net = Network([784, 30, 10], activation="relu", output="softmax", cost="cross_entropy", rng=0,
                  dtype=np.float32)
    net.weights[0][:] = 3e38
    path = tmp_path / "absurd.npz"
    save_network(net, path)
    with pytest.raises(ParameterFileError, match=r"absurd\.npz: .*not finite"):
        load_network(path)
    for command in (["evaluate", path], ["predict", path, shipped_digits()[0]]):
        result = nnlib_cli(*command)
        one_line_error(result, "absurd.npz", "not finite")
        assert "RuntimeWarning" not in result.stderr and result.stdout == ""


# ------------------------ property-based: any network round-trips (hypothesis)
@FAST
@given(case=networks_and_batches(), dtype=st.sampled_from([np.float32, np.float64]),
       init=st.sampled_from(["normal", "scaled", "he"]))
def test_save_load_round_trips_any_network(case, dtype, init):
    net, x, _ = case
    net = Network(net.sizes, activation=net.activation, output=net.output, cost=net.cost, init=init,
                  rng=0, dtype=dtype)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "net.npz")
        save_network(net, path)
        back = load_network(path)
        assert os.listdir(folder) == ["net.npz"]
    assert (back.sizes, back.activation, back.output, back.cost, back.dtype) == \
        (net.sizes, net.activation, net.output, net.cost, net.dtype)
    for a, b in zip(net.weights + net.biases, back.weights + back.biases):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(net.feedforward(x), back.feedforward(x))
