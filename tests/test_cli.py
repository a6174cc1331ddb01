"""The command line, driven as a user drives it: ``python -m nnlib ...`` in a subprocess."""
import os
import re
import stat
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from nnlib import Network, save_network
from nnlib.idx import IDXError, read_idx
from nnlib.images import ImageError, load_grey, shipped_digits

from conftest import ROOT, TINY, bad_pictures, needs_root, nnlib_cli, one_line_error, scratch_device


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("python -m nnlib")
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny network trained through the CLI (one epoch on 600 images): its path and the run."""
    path = tmp_path_factory.mktemp("cli") / "net.npz"
    return path, nnlib_cli("train", *TINY, "-o", path)


def test_train_reports_progress_and_saves(trained):
    path, result = trained
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "training Network([784, 16, 10], activation='relu', output='softmax'" in out
    assert "epoch 1/1: cost " in out and "validation " in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("validation accuracy ") and ", test accuracy " in last
    assert path.exists()


def test_train_is_reproducible(trained, tmp_path):
    path, _ = trained
    again = tmp_path / "again.npz"
    assert nnlib_cli("train", *TINY, "-q", "-o", again).returncode == 0
    a, b = np.load(path), np.load(again)
    for key in ("W1", "b1", "W2", "b2"):
        np.testing.assert_array_equal(a[key], b[key])


def test_train_options(tmp_path):
    out = tmp_path / "classic.npz"
    result = nnlib_cli("train", "--train-size", "300", "--epochs", "2", "--hidden", "12,8",
                       "--activation", "sigmoid", "--output-activation", "sigmoid", "--init", "normal",
                       "--eta", "3", "--batch-size", "10", "--momentum", "0", "--l2", "0.0001",
                       "--seed", "5", "--dtype", "float64", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "Network([784, 12, 8, 10], activation='sigmoid', output='sigmoid', cost='quadratic', " \
           "dtype=float64), init=normal" in result.stdout
    assert "epoch 2/2" in result.stdout
    data = np.load(out)
    assert data["W1"].dtype == np.float64 and data["W2"].shape == (8, 12)


def test_evaluate(trained):
    path, _ = trained
    result = nnlib_cli("evaluate", path)
    assert result.returncode == 0, result.stderr
    assert "[784, 16, 10] relu/softmax: test accuracy " in result.stdout
    assert "of 10,000 test images" in result.stdout


def test_predict_shipped_digits(trained):
    path, _ = trained
    digits = shipped_digits()
    result = nnlib_cli("predict", path, *digits)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(digits)
    for line, digit in zip(lines, digits):
        name, rest = line.rsplit(": ", 1)
        assert name == str(digit)
        predicted, probability = rest.split(" (probability ")
        assert predicted in "0123456789" and 0 <= float(probability.rstrip(")")) <= 1


def test_predict_show(trained):
    path, _ = trained
    result = nnlib_cli("predict", path, shipped_digits()[1], "--show")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1 + 28 and all(len(line) == 28 for line in lines[1:])


@pytest.mark.parametrize("command", [[], ["train"], ["evaluate"], ["predict"]])
def test_help(command):
    result = nnlib_cli(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m nnlib")


def test_help_lists_train_options():
    out = nnlib_cli("train", "--help").stdout
    for option in ("--hidden", "--activation", "--output-activation", "--cost", "--init", "--epochs",
                   "--eta", "--batch-size", "--momentum", "--l2", "--seed", "--out", "--train-size"):
        assert option in out
    assert "%%" not in out and "(default: None)" not in out
    assert "(default: 10)" in out  # --epochs


def test_no_command_prints_usage():
    result = nnlib_cli()
    assert result.returncode == 2 and "usage:" in result.stderr


def test_bad_option_values():
    for args in (["--epochs", "0"], ["--eta", "-1"], ["--momentum", "1"], ["--hidden", "10,x"],
                 ["--eta", "nan"], ["--activation", "softmax"]):
        result = nnlib_cli("train", *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, args
        assert "error:" in result.stderr


def test_missing_parameter_file(tmp_path):
    assert_one_line_error(nnlib_cli("evaluate", tmp_path / "nope.npz"), "nope.npz: no such file")
    assert_one_line_error(nnlib_cli("predict", tmp_path / "nope.npz", shipped_digits()[0]),
                          "nope.npz: no such file")


def test_parameter_file_that_is_not_one(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_text("hello")
    assert_one_line_error(nnlib_cli("evaluate", bad), "bad.npz")


def test_parameters_of_the_wrong_shape(tmp_path):
    small = tmp_path / "small.npz"
    save_network(Network([100, 5, 10], rng=0), small)
    assert_one_line_error(nnlib_cli("evaluate", small), "small.npz", "784 inputs")
    assert_one_line_error(nnlib_cli("predict", small, shipped_digits()[0]), "small.npz", "784 inputs")
    inconsistent = tmp_path / "inconsistent.npz"
    net = Network([784, 5, 10], rng=0)
    np.savez(inconsistent, sizes=np.array([784, 5, 10]), activation=np.array("sigmoid"),
             output=np.array("sigmoid"), cost=np.array("quadratic"), W1=net.weights[0],
             b1=net.biases[0], W2=np.zeros((10, 6)), b2=net.biases[1])
    assert_one_line_error(nnlib_cli("evaluate", inconsistent), "inconsistent.npz", "W2 has shape (10, 6)")


def test_predict_bad_images(trained, tmp_path):
    path, _ = trained
    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    blank = tmp_path / "blank.png"
    Image.new("L", (40, 40), 255).save(blank)
    result = nnlib_cli("predict", path, text, shipped_digits()[3], tmp_path / "gone.png", blank)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3
    assert "notes.png: not an image" in errors[0]
    assert "gone.png: no such file" in errors[1]
    assert "blank.png: blank image" in errors[2]
    assert result.stdout.count("\n") == 1 and "3-tilted.png: " in result.stdout   # the good one is still classified


def test_training_that_diverges(tmp_path):
    out = tmp_path / "diverged.npz"
    result = nnlib_cli("train", "--train-size", "200", "--epochs", "1", "--hidden", "16",
                       "--activation", "relu", "--init", "normal", "--output-activation", "softmax",
                       "--eta", "1e30", "--momentum", "0", "-q", "-o", out)
    assert_one_line_error(result, "training diverged")
    assert not out.exists()


def test_output_folder_missing(tmp_path):
    result = nnlib_cli("train", *TINY, "-o", tmp_path / "no" / "such" / "net.npz")
    assert_one_line_error(result, "does not exist")


def test_cost_that_does_not_fit_the_output(tmp_path):
    result = nnlib_cli("train", *TINY, "--cost", "cross_entropy", "--output-activation", "sigmoid",
                       "-o", tmp_path / "x.npz")
    assert_one_line_error(result, "does not fit")


# -----------------------------------------------------------------------------
# hostile input (issue 11): bad pictures, FIFOs, standard input, symbolic link loops,
# closed pipes, a full disk
def test_predict_reports_every_picture_on_its_own_line(net_file, tmp_path):
    """Issue 11, defect 2: one bad picture aborted the whole run; now every file gets a line."""
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


def test_a_fifo_as_params_or_idx_does_not_hang(tmp_path):
    """Issue 11, defect 4: ``evaluate FIFO`` and ``read_idx(FIFO)`` waited forever for a writer."""
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
    """Issue 11, defect 4: /dev/stdin redirected from a file works; from a pipe it says 'not supported'."""
    digit = shipped_digits()[1]
    with open(digit, "rb") as f:
        result = nnlib_cli("predict", net_file, "/dev/stdin", stdin=f)
    assert result.returncode == 0 and result.stdout.startswith("/dev/stdin: "), result.stderr
    result = subprocess.run([sys.executable, "-m", "nnlib", "predict", str(net_file), "/dev/stdin"],
                            input=digit.read_bytes(), capture_output=True, timeout=120)
    stderr = result.stderr.decode()
    assert result.returncode == 1 and "Traceback" not in stderr
    assert "not supported" in stderr and "empty file" not in stderr


def test_negative_seed_names_the_option():
    """Issue 11, defect 9: ``--seed -1`` failed with numpy's message, naming no option."""
    result = nnlib_cli("train", "--seed", "-1", "-o", "x.npz")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "argument --seed: expected an integer from 0" in result.stderr


def test_a_symlink_loop_is_not_no_such_file(tmp_path, net_file):
    """Issue 11, defect 9: a symbolic link loop was reported as 'no such file'."""
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
    """Issue 11, defect 9: ``predict ... | head -1`` ended with a BrokenPipeError message."""
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
    """Issue 11, defect 9: stdout on /dev/full gave 'OSError: ...' and 'Exception ignored'.
    A scratch node with /dev/full's numbers (1, 7) in a temporary folder, never the real one."""
    full = scratch_device(tmp_path, "full", 1, 7)
    with open(full, "w") as out:
        result = nnlib_cli("predict", net_file, *shipped_digits()[:3], stdout=out,
                           stderr=subprocess.PIPE, capture_output=False)
    one_line_error(result, "cannot write to standard output", "No space left on device")
    assert stat.S_ISCHR(os.stat(full).st_mode)


def test_readme_exit_statuses_match_the_cli():
    """Issue 11, defect 9: the README promised exit status 1 for every error; argparse's usage errors are 2."""
    readme = (ROOT / "README.md").read_text()
    assert "2 a usage error" in readme and "141" in readme
    result = nnlib_cli("train", "--epochs", "0")
    assert result.returncode == 2 and "usage:" in result.stderr
