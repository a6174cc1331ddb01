"""Hostile input (issue 11): bad input gets one clear line, and nothing is lost, destroyed or hung.

Each test names the defect of issue 11 it reproduces.  Device nodes are never the machine's own
(/dev/null, /dev/full): tests that need one make a scratch node with ``os.mknod`` in a temporary
folder, which needs root; they are skipped, with a message, otherwise.
"""
import ast
import gzip
import io
import os
import json
import re
import socket
import stat
import struct
import subprocess
import sys
import tracemalloc
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nnlib import Network, save_network
from nnlib.files import OutputPathError, atomic_write, check_output_path
from nnlib.idx import IDXError, read_idx
from nnlib.images import ImageError, load_digit, load_grey, shipped_digits, to_mnist
from nnlib.io import ParameterFileError, load_network

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--train-size", "600", "--epochs", "1", "--hidden", "16", "--batch-size", "20", "--eta", "0.1"]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="making a scratch device node (os.mknod) "
                                                    "needs root; not running as root")


def nnlib_cli(*args, timeout=120, **kwargs):
    """Run ``python -m nnlib ARGS`` in a subprocess (text output)."""
    kwargs.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-m", "nnlib", *map(str, args)], text=True,
                          timeout=timeout, **kwargs)


def one_line_error(result, *fragments, status=1):
    """The single line on stderr of a failed run; checks status, no traceback, the fragments."""
    assert result.returncode == status, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def scratch_device(folder, name="null", major=1, minor=3):
    """A character device node in ``folder`` (1,3 is what /dev/null is; 1,7 /dev/full)."""
    path = Path(folder) / name
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(major, minor))
    return path


@pytest.fixture(scope="module")
def net_file(tmp_path_factory):
    """An untrained 784-5-10 network saved to a file (predicting needs no accuracy here)."""
    path = tmp_path_factory.mktemp("hostile") / "net.npz"
    save_network(Network([784, 5, 10], rng=0, dtype=np.float32), path)
    return path


# ----------------------------------------------------------------------------- defect 1: -o PATH
@needs_root
def test_train_never_replaces_a_device_node(tmp_path):
    """Defect 1: ``train -o /dev/null`` as root turned /dev/null into a regular file."""
    node = scratch_device(tmp_path)
    rdev = os.stat(node).st_rdev
    result = nnlib_cli("train", *TINY, "-o", node)
    one_line_error(result, str(node), "character device", "refusing to replace")
    assert result.stdout == ""                      # refused before training, not after it
    st = os.stat(node)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == rdev
    with pytest.raises(OutputPathError, match="character device"):
        atomic_write(node, lambda f: f.write(b"x"))
    with pytest.raises(OutputPathError, match="character device"):
        save_network(Network([2, 2], rng=0), node)
    assert stat.S_ISCHR(os.stat(node).st_mode) and os.stat(node).st_rdev == rdev
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]   # no temporary file left


def test_fifo_socket_and_folder_are_never_replaced(tmp_path):
    """Defect 1: a FIFO, a socket or a folder at the output path is refused, untouched."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    try:
        for target, kind in ((fifo, "FIFO"), (sock_path, "socket"), (tmp_path, "folder")):
            with pytest.raises(OutputPathError, match=kind):
                atomic_write(target, lambda f: f.write(b"x"))
            with pytest.raises(OutputPathError, match=kind):
                check_output_path(target)
        assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISSOCK(os.stat(sock_path).st_mode)
    finally:
        sock.close()
    result = nnlib_cli("train", *TINY, "-o", fifo, timeout=60)
    one_line_error(result, "fifo", "FIFO")
    assert result.stdout == "" and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_output_location_is_checked_before_training(tmp_path):
    """Defect 1: ``-o ""``, ``-o /proc/...`` and a read-only folder failed only after training."""
    one_line_error(nnlib_cli("train", *TINY, "-o", ""), "empty output path")
    if Path("/proc/self").is_dir():
        result = nnlib_cli("train", *TINY, "-o", "/proc/net.npz")
        one_line_error(result, "/proc/net.npz", "not writable")
        assert result.stdout == ""
    with pytest.raises(OutputPathError, match="empty output path"):
        atomic_write("", lambda f: None)
    if not IS_ROOT:   # root may write into a read-only folder, so this part needs a normal user
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            result = nnlib_cli("train", *TINY, "-o", ro / "net.npz")
            one_line_error(result, "not writable")
            assert result.stdout == ""
        finally:
            ro.chmod(0o700)


# ----------------------------------------------------------------------------- defect 2: pictures
def _digit_picture(size=24):
    img = Image.new("L", (size, size), 255)
    ImageDraw.Draw(img).line([(5, 4), (18, 4), (9, 20)], fill=0, width=3)
    return img


def _jpeg_with_exif():
    """A JPEG of a digit with an EXIF block (orientation, make, date, an Exif sub-IFD)."""
    exif = Image.new("RGB", (8, 8)).getexif()
    exif[0x0112] = 6
    exif[0x010F] = "Phone"
    exif[0x0132] = "2026:01:01 00:00:00"
    exif[0x011A] = 72.0
    exif.get_ifd(0x8769)[0x9003] = "2026:01:01 00:00:00"
    b = io.BytesIO()
    _digit_picture().convert("RGB").save(b, "JPEG", exif=exif.tobytes())
    return b.getvalue()


def bad_pictures(folder):
    """Pictures whose errors escaped as ValueError/struct.error/TypeError (issue 11, defect 2)."""
    folder = Path(folder)
    files = {}
    files["maxval.pgm"] = b"P5\n24 24\n-5\n" + bytes(576)               # malformed PGM header
    files["width.pgm"] = b"P5\n24 x24\n255\n" + bytes(576)
    ihdr = struct.pack(">IIBBBBB", 24, 24, 8, 0, 0, 0, 0)[:5]
    files["ihdr.png"] = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 5) + b"IHDR" + ihdr
                         + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr)))   # truncated IHDR chunk
    jpeg = _jpeg_with_exif()
    at = jpeg.find(b"Exif\x00\x00")
    for name, offset, value in (("exif-type.jpg", 17, 0), ("exif-rational.jpg", 19, 5),
                                ("exif-count.jpg", 43, 1)):
        corrupt = bytearray(jpeg)
        corrupt[at + offset] = value                                   # one corrupt EXIF byte
        files[name] = bytes(corrupt)
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def test_bad_pictures_are_image_errors_naming_the_file(tmp_path):
    """Defect 2: each of these escaped load_digit as a ValueError, struct.error or TypeError."""
    for path in bad_pictures(tmp_path):
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # no warning may leak out either
            try:
                load_digit(path)
            except ImageError as e:
                assert str(e).startswith(str(path)) and "\n" not in str(e), e


def test_predict_reports_every_picture_on_its_own_line(net_file, tmp_path):
    """Defect 2: one bad picture aborted the whole run; now every file gets a line."""
    bad = bad_pictures(tmp_path)
    good = shipped_digits()[:2]
    args = [good[0], *bad[:3], good[1], *bad[3:], tmp_path / "gone.png"]
    result = nnlib_cli("predict", net_file, *args)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    out = result.stdout.strip().splitlines()
    err = result.stderr.strip().splitlines()
    assert len(out) + len(err) == len(args), (out, err)
    for path in args:
        lines = [line for line in out + err if f"{path}:" in line]
        assert len(lines) == 1, (path, out, err)
    assert len(out) >= 2 and all(re.search(r": \d \(output \d\.\d\d\)$", line) for line in out)
    assert all(line.startswith("python -m nnlib predict: error: ") for line in err)
    assert any("gone.png: no such file" in line for line in err)
    assert "internal error" not in result.stderr


def _base_images():
    img = _digit_picture()
    out = {}
    for fmt, mode in (("PNG", "L"), ("JPEG", "RGB"), ("PPM", "L"), ("XBM", "1"), ("SGI", "L"),
                      ("IM", "L"), ("DDS", "RGB")):
        b = io.BytesIO()
        kwargs = {"exif": _jpeg_exif_bytes()} if fmt == "JPEG" else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)   # IM: deprecated in Pillow 13
            img.convert(mode).save(b, fmt, **kwargs)
        out[fmt] = b.getvalue()
    return out


def _jpeg_exif_bytes():
    exif = Image.Exif()
    exif[0x0112] = 6
    return exif.tobytes()


def _mutate(data, rng):
    data = bytearray(data)
    kind = rng.integers(4)
    if kind == 0:        # a few bytes replaced, mostly in the header
        for _ in range(rng.integers(1, 5)):
            near = rng.random() < 0.7
            i = int(rng.integers(min(len(data), 64) if near else len(data)))
            data[i] = int(rng.integers(256))
    elif kind == 1:      # truncated
        data = data[:int(rng.integers(1, len(data)))]
    elif kind == 2:      # a few random bytes inserted
        i = int(rng.integers(len(data)))
        data[i:i] = rng.integers(0, 256, int(rng.integers(1, 9)), dtype=np.uint8).tobytes()
    else:                # one bit flipped
        i = int(rng.integers(len(data)))
        data[i] ^= 1 << int(rng.integers(8))
    return bytes(data)


def test_fuzzed_pictures_give_a_digit_or_an_image_error(tmp_path):
    """Defect 2: 420 mutated pictures (seeded) in PNG, JPEG, PPM, XBM, SGI, IM and DDS: each one
    gives a digit or an ImageError naming its file; nothing else escapes, no warning leaks."""
    rng = np.random.default_rng(11)
    escaped = []
    for fmt, data in _base_images().items():
        for k in range(60):
            path = tmp_path / f"{fmt}-{k}.{fmt.lower()}"
            path.write_bytes(_mutate(data, rng))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    load_digit(path)
                except ImageError as e:
                    if not str(e).startswith(str(path)) or "\n" in str(e):
                        escaped.append((path.name, f"badly worded: {e}"))
                except Exception as e:   # noqa: BLE001 - exactly what this test looks for
                    escaped.append((path.name, f"{type(e).__name__}: {e}"))
            if caught:
                escaped.append((path.name, f"warning: {caught[0].message}"))
    assert not escaped, escaped


# ----------------------------------------------------------------------------- defect 3: npz bombs
def _npy_header(shape, dtype="<f4"):
    b = io.BytesIO()
    np.lib.format.write_array_header_1_0(b, {"descr": dtype, "fortran_order": False, "shape": shape})
    return b.getvalue()


def _good_arrays():
    net = Network([4, 3, 2], rng=0)
    arrays = {"sizes": np.array([4, 3, 2]), "activation": np.array("sigmoid"),
              "output": np.array("sigmoid"), "cost": np.array("quadratic")}
    arrays.update(dict(net.parameters()))
    return arrays


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


def _zeros(nbytes, chunk=1 << 22):
    while nbytes > 0:
        yield bytes(min(chunk, nbytes))
        nbytes -= chunk


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
    """Defect 3: a small file whose member holds 2048×8192 float32 zeros (64 MiB) cost all of it
    (and loaded if the member was unused).  Now refused from the header, allocating little."""
    bomb = _npy_header((2048, 8192))
    unused = _npz(tmp_path / "unused.npz", _good_arrays(),
                  extra=[("X.npy", _chain(bomb, _zeros(2048 * 8192 * 4)))])
    assert unused.stat().st_size < 2**20
    message, peak = _load_peak(unused)
    assert "unused.npz" in message and "unknown array 'X'" in message
    assert peak < 8 * 2**20, peak
    arrays = _good_arrays()
    del arrays["W1"]
    wrong = _npz(tmp_path / "wrong.npz", arrays, extra=[("W1.npy", _chain(bomb, _zeros(2048 * 8192 * 4)))])
    message, peak = _load_peak(wrong)
    assert "W1 has shape (2048, 8192), expected (3, 4)" in message
    assert peak < 8 * 2**20, peak


def _chain(first, rest):
    yield first
    yield from rest


@pytest.mark.parametrize("n", [2**16, 2**20])   # W1 of 2^16×2^16 float32: 16 GiB; 2^20×2^20: 4 TiB
def test_npz_header_claiming_terabytes_is_a_parameter_file_error(tmp_path, n):
    """Defect 3: a member whose header claims 16 GiB or 4 TiB (consistent with 'sizes')."""
    arrays = {"sizes": np.array([n, n, 1]), "activation": np.array("sigmoid"),
              "output": np.array("sigmoid"), "cost": np.array("quadratic")}
    path = _npz(tmp_path / "huge.npz", arrays,
                extra=[("W1.npy", _npy_header((n, n))), ("b1.npy", _npy_header((n, 1))),
                       ("W2.npy", _npy_header((1, n))), ("b2.npy", _npy_header((1, 1)))])
    message, peak = _load_peak(path)
    assert "huge.npz" in message and "more than the" in message
    assert peak < 8 * 2**20


def test_npz_small_members_claiming_gigabytes_are_refused(tmp_path):
    """Defect 3: 'sizes' or a string member whose header claims gigabytes is refused unread."""
    for key, header, match in (("sizes", _npy_header((2**30,), "<i8"), "declares 1,073,741,824 layers"),
                               ("activation", _npy_header((), "<U268435456"), "must be a short string")):
        arrays = _good_arrays()
        del arrays[key]
        path = _npz(tmp_path / f"{key}.npz", arrays,
                    extra=[(f"{key}.npy", _chain(header, _zeros(16 * 2**20)))])
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
    """Defect 3: non-npy members, unsupported compression, encrypted flags, duplicates."""
    cases = {}
    cases["readme"] = _npz(tmp_path / "readme.npz", _good_arrays(), extra=[("README.txt", b"hi")])
    cases["lzma"] = _npz(tmp_path / "lzma.npz", _good_arrays(), compression=zipfile.ZIP_LZMA)
    method99 = _npz(tmp_path / "method99.npz", _good_arrays())

    def set_method(data, local, central):
        data[local + 8:local + 10] = struct.pack("<H", 99)
        data[central + 10:central + 12] = struct.pack("<H", 99)
    _patch_zip(method99, set_method)
    encrypted = _npz(tmp_path / "encrypted.npz", _good_arrays())

    def set_encrypted(data, local, central):
        data[local + 6] |= 1
        data[central + 8] |= 1
    _patch_zip(encrypted, set_encrypted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # zipfile warns about the duplicate name
        duplicate = _npz(tmp_path / "duplicate.npz", _good_arrays(),
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


# ----------------------------------------------------------------------------- defect 4: FIFOs, stdin
def test_a_fifo_as_params_or_idx_does_not_hang(tmp_path):
    """Defect 4: ``evaluate FIFO`` and ``read_idx(FIFO)`` waited forever for a writer."""
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    one_line_error(nnlib_cli("evaluate", fifo, timeout=60), "f: is a FIFO", "not supported")
    code = "import sys; from nnlib.idx import read_idx; read_idx(sys.argv[1])"
    result = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True,
                            text=True, timeout=60)
    assert "IDXError" in result.stderr and "is a FIFO" in result.stderr
    with pytest.raises(ImageError, match="is a FIFO"):   # was "empty file"
        load_grey(fifo)


def test_standard_input_works_from_a_file_and_is_refused_from_a_pipe(net_file):
    """Defect 4: /dev/stdin redirected from a file works; from a pipe it says 'not supported'."""
    digit = shipped_digits()[1]
    with open(digit, "rb") as f:
        result = nnlib_cli("predict", net_file, "/dev/stdin", stdin=f)
    assert result.returncode == 0 and result.stdout.startswith("/dev/stdin: "), result.stderr
    result = subprocess.run([sys.executable, "-m", "nnlib", "predict", str(net_file), "/dev/stdin"],
                            input=digit.read_bytes(), capture_output=True, timeout=120)
    stderr = result.stderr.decode()
    assert result.returncode == 1 and "Traceback" not in stderr
    assert "not supported" in stderr and "empty file" not in stderr


# ----------------------------------------------------------------------------- defect 5: umask
@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_honours_the_umask(tmp_path, umask, mode):
    """Defect 5: saved files were 0600 whatever the umask."""
    old = os.umask(umask)
    try:
        save_network(Network([2, 2], rng=0), tmp_path / "n.npz")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "n.npz").st_mode) == mode


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o640])
def test_an_overwritten_file_keeps_its_mode(tmp_path, mode):
    """Defect 5: overwriting a 0644 file downgraded it to 0600."""
    path = tmp_path / "n.npz"
    path.write_bytes(b"old")
    path.chmod(mode)
    old = os.umask(0o077)
    try:
        save_network(Network([2, 2], rng=0), path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert load_network(path).sizes == [2, 2]


# ----------------------------------------------------------------------------- defect 6: absurd weights
def test_finite_but_absurd_weights_are_refused(tmp_path, net_file):
    """Defect 6: 3e38 weights (float32) printed '0 (probability nan)' with exit status 0."""
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


# ----------------------------------------------------------------------------- defect 7: grey paper
def _draw(digit, paper, ink, size=160):
    """A digit drawn with Pillow strokes: ``ink`` on ``paper`` (grey levels)."""
    img = Image.new("L", (size, size), paper)
    d = ImageDraw.Draw(img)
    w = size // 14
    if digit == 0:
        d.ellipse([size * 0.3, size * 0.15, size * 0.7, size * 0.85], outline=ink, width=w)
    elif digit == 1:
        d.line([(size * 0.5, size * 0.15), (size * 0.5, size * 0.85)], fill=ink, width=w)
    elif digit == 4:
        d.line([(size * 0.6, size * 0.15), (size * 0.25, size * 0.6), (size * 0.75, size * 0.6)],
               fill=ink, width=w)
        d.line([(size * 0.6, size * 0.15), (size * 0.6, size * 0.85)], fill=ink, width=w)
    elif digit == 7:
        d.line([(size * 0.25, size * 0.2), (size * 0.75, size * 0.2), (size * 0.4, size * 0.85)],
               fill=ink, width=w)
    return img


@pytest.mark.parametrize("paper,ink", [(120, 30), (90, 20), (60, 25), (127, 80), (200, 150)])
@pytest.mark.parametrize("digit", [0, 1, 4, 7])
def test_dark_ink_on_grey_paper(tmp_path, digit, paper, ink):
    """Defect 7: dark ink on grey paper (paper <= 127) was called blank, 'within 0 grey levels'.
    Normalised by the picture's own range, it gives (nearly) what ink on white paper gives."""
    reference = to_mnist(np.asarray(_draw(digit, 255, 0)))
    path = tmp_path / f"{digit}-grey.png"
    _draw(digit, paper, ink).save(path)
    steps = load_digit(path)
    assert steps.inverted
    diff = np.abs(steps.mnist.astype(int) - reference.mnist.astype(int))
    assert diff.mean() < 4 and np.percentile(diff, 99) < 64, (diff.mean(), diff.max())


def test_shipped_digits_on_grey_paper_look_the_same(tmp_path):
    """Defect 7: the shipped pictures, darkened to an underexposed photo (paper ~100, ink ~20)."""
    for path in shipped_digits():
        grey = load_grey(path)
        dark = np.round(20 + grey.astype(float) * 80 / 255).astype(np.uint8)
        steps = to_mnist(dark, name=path.name)
        diff = np.abs(steps.mnist.astype(int) - load_digit(path).mnist.astype(int))
        assert diff.mean() < 4, (path.name, diff.mean())


# ----------------------------------------------------------------------------- defect 8: IDX gz bomb
@pytest.mark.parametrize("type_byte,itemsize", [(0x08, 1), (0x0D, 4)])
def test_idx_gzip_bomb_peaks_at_one_copy(tmp_path, type_byte, itemsize):
    """Defect 8: reading a gzip IDX file held the data twice (chunks + join) or more (byte swap).
    32 MiB of zeros compressed to ~32 KB must cost about one copy."""
    count = 32 * 2**20 // (28 * 28 * itemsize)
    nbytes = count * 28 * 28 * itemsize
    header = bytes([0, 0, type_byte, 3]) + struct.pack(">III", count, 28, 28)
    path = tmp_path / "bomb.gz"
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(header)
        for chunk in _zeros(nbytes):
            f.write(chunk)
    assert path.stat().st_size < 2**20
    tracemalloc.start()
    try:
        array = read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert array.shape == (count, 28, 28) and array.dtype.isnative and not array.any()
    assert peak < nbytes + 12 * 2**20, f"peak {peak:,} bytes for {nbytes:,} bytes of data"


def test_idx_big_endian_values_survive_the_in_place_swap(tmp_path):
    values = np.array([[1.5, -2.25], [3e38, -7.0]], dtype=">f4")
    raw = bytes([0, 0, 0x0D, 2]) + struct.pack(">II", 2, 2) + values.tobytes()
    for name, data in (("v.idx", raw), ("v.gz", gzip.compress(raw))):
        (tmp_path / name).write_bytes(data)
        got = read_idx(tmp_path / name)
        assert got.dtype == np.float32 and got.dtype.isnative
        np.testing.assert_array_equal(got, values.astype(np.float32))


# ----------------------------------------------------------------------------- defect 9: messages
def test_negative_seed_names_the_option():
    """Defect 9: ``--seed -1`` failed with numpy's message, naming no option."""
    result = nnlib_cli("train", "--seed", "-1", "-o", "x.npz")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "argument --seed: expected an integer in [0, 9223372036854775807]" in result.stderr


def test_a_symlink_loop_is_not_no_such_file(tmp_path, net_file):
    """Defect 9: a symbolic link loop was reported as 'no such file'."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    loop = tmp_path / "a"
    one_line_error(nnlib_cli("evaluate", loop), "a: a loop of symbolic links")
    result = nnlib_cli("predict", net_file, loop)
    one_line_error(result, "a: a loop of symbolic links")
    with pytest.raises(IDXError, match="loop of symbolic links"):
        read_idx(loop)
    with pytest.raises(ImageError, match="loop of symbolic links"):
        load_grey(loop)


def test_a_closed_pipe_on_stdout_stops_quietly(net_file):
    """Defect 9: ``predict ... | head -1`` ended with a BrokenPipeError message."""
    read_end, write_end = os.pipe()
    os.close(read_end)                     # the reader is gone before anything is written
    try:
        result = subprocess.run([sys.executable, "-m", "nnlib", "predict", str(net_file),
                                 *map(str, shipped_digits())], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert result.returncode == 141 and result.stderr == "", result.stderr


@needs_root
def test_a_full_disk_on_stdout_is_one_line(tmp_path, net_file):
    """Defect 9: stdout on /dev/full gave 'OSError: ...' and 'Exception ignored'.
    A scratch node with /dev/full's numbers (1, 7) in a temporary folder, never the real one."""
    full = scratch_device(tmp_path, "full", 1, 7)
    with open(full, "w") as out:
        result = nnlib_cli("predict", net_file, *shipped_digits()[:3], stdout=out,
                           stderr=subprocess.PIPE, capture_output=False)
    one_line_error(result, "cannot write to standard output", "No space left on device")
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_student_version_of_a_non_notebook_is_one_line(tmp_path):
    """Defect 9: a non-notebook given to scripts/student_version.py gave a jsonschema traceback."""
    text = tmp_path / "notes.ipynb"
    text.write_text("hello")
    other = tmp_path / "other.ipynb"
    other.write_text('{"a": 1}')
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "student_version.py"),
                             "--out", str(tmp_path / "out"), str(text), str(other)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "notes.ipynb" in lines[0] and "other.ipynb" in lines[1], lines


def test_run_notebooks_on_a_missing_file_is_one_line(tmp_path):
    """Defect 9: scripts/run_notebooks.py on a missing file gave a traceback."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "run_notebooks.py"),
                             str(tmp_path / "gone.ipynb")], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"error: {tmp_path / 'gone.ipynb'}: no such file"


def test_readme_exit_statuses_match_the_cli():
    """Defect 9: the README promised exit status 1 for every error; argparse's usage errors are 2."""
    readme = (ROOT / "README.md").read_text()
    assert "2 a usage error" in readme and "141" in readme
    result = nnlib_cli("train", "--epochs", "-1")
    assert result.returncode == 2 and "usage:" in result.stderr


# ----------------------------------------------------------------------------- defects 10 and 11
def test_nbval_matrix_runs_with_mplbackend_agg():
    """Defect 10: nbval must also pass with MPLBACKEND=Agg (headless CI)."""
    script = (ROOT / "scripts" / "nbval_matrix.sh").read_text()
    assert re.search(r'^run "[^"]*MPLBACKEND=Agg[^"]*" .*\bMPLBACKEND=Agg\b', script, re.M)
    # the fix itself: every chapter displays its figures whatever the backend
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        first_code = next(c for c in cells if c["cell_type"] == "code")
        assert "%matplotlib inline" in "".join(first_code["source"]), path.name


#: import name -> distribution name, where they differ
_DISTRIBUTIONS = {"PIL": "pillow", "yaml": "pyyaml", "sklearn": "scikit-learn"}


def _third_party_imports(paths):
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    local = ({p.stem for p in (ROOT / "tests").glob("*.py")}
             | {p.stem for p in (ROOT / "scripts").glob("*.py")} | {"nnlib", "conftest"})
    return {n for n in names if n not in sys.stdlib_module_names and n not in local}


def test_requirements_declare_what_the_tests_and_scripts_import():
    """Defect 11: the tests imported nbclient, which only arrived through jupyter-book."""
    declared = {"mutmut"}  # scripts/mutation.py installs it into its own venv (.venv-mut)
    for line in ((ROOT / "requirements.txt").read_text().splitlines()
                 + (ROOT / "requirements-instructors.txt").read_text().splitlines()):
        m = re.match(r"\s*([A-Za-z0-9_.\-]+)", line.split("#")[0])
        if m and not line.lstrip().startswith("-"):
            declared.add(m.group(1).lower().replace("_", "-"))
    files = list((ROOT / "tests").glob("*.py")) + list((ROOT / "scripts").glob("*.py"))
    missing = {n for n in _third_party_imports(files)
               if _DISTRIBUTIONS.get(n, n).lower().replace("_", "-") not in declared}
    assert not missing, f"imported but not in requirements*.txt: {sorted(missing)}"
