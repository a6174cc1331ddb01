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
    assert "Epoch  1/1, cost " in out and "validation " in out
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
    assert "Epoch  2/2, cost " in result.stdout
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
    for args in (["--epochs", "-1"], ["--eta", "-1"], ["--momentum", "1"], ["--hidden", "10,x"],
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
    assert "argument --seed: expected an integer in [0, 9223372036854775807]" in result.stderr


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
    result = nnlib_cli("train", "--epochs", "-1")
    assert result.returncode == 2 and "usage:" in result.stderr

# ----------------------------------------------------------------------------- issue 23 (hostile input, round 3)
def test_hidden_sizes_over_the_parameter_limit_are_a_usage_error():
    """Item 6: --hidden 1000000000 ended in 'internal error (MemoryError: Unable to allocate
    5.70 TiB ...)'; now a usage error naming the limit, before anything is loaded or allocated."""
    for hidden in ("1000000000", "60000,1000", "99999999999999999999999"):
        result = nnlib_cli("train", "--hidden", hidden)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "more than the 50,000,000 accepted" in result.stderr.splitlines()[-1]
    help_text = nnlib_cli("train", "--help").stdout
    assert "at most 50,000,000 parameters" in " ".join(help_text.split())


def test_evaluate_keeps_memory_within_a_small_multiple_of_the_parameters(tmp_path):
    """Item 2: 'evaluate' ran the 10,000 test images as one batch: a 784-30000-10 file of zeros
    (92 KB) cost 2.6 GB.  Measured with tracemalloc in a fresh interpreter: beyond what MNIST
    itself takes, evaluating costs at most a few times the parameters (plus 4 MiB per batch)."""
    from conftest import run_python
    from test_saving import _zero_parameter_file
    path = tmp_path / "zeros.npz"
    _zero_parameter_file(path, [784, 1000, 10])
    nbytes = (784 * 1000 + 1000 + 1000 * 10 + 10) * 4
    code = f"""
import contextlib, io, json, tracemalloc
from nnlib import load_mnist, to_columns
from nnlib.__main__ import main
tracemalloc.start()
mnist = load_mnist(); x = to_columns(mnist.test_images); del mnist, x
base = tracemalloc.get_traced_memory()[1]
tracemalloc.reset_peak()
with contextlib.redirect_stdout(io.StringIO()) as out:
    status = main(["evaluate", {str(path)!r}])
print(json.dumps({{"base": base, "peak": tracemalloc.get_traced_memory()[1], "status": status,
                  "out": out.getvalue()}}))
"""
    measured = run_python(code, timeout=120)
    assert measured["status"] == 0 and "test accuracy 9.80% (980 of 10,000" in measured["out"], measured
    extra = measured["peak"] - measured["base"]
    assert extra < 4 * nbytes + 3 * 2**22, (extra, nbytes)


def test_output_paths_the_save_would_fail_on_are_refused_before_training(tmp_path):
    """Items 3 and 10: a read-only file, a name too long for the temporary file beside it,
    and ``link/..`` through a symbolic link were found out only after training."""
    read_only = tmp_path / "ro.npz"
    read_only.write_bytes(b"keep me")
    read_only.chmod(0o444)
    (tmp_path / "link").symlink_to(tmp_path / "nowhere" / "deeper")
    for out, fragment in ((read_only, "is read-only (mode 0444)"),
                          (tmp_path / ("n" * 300 + ".npz"), "bytes long, more than the 255"),
                          (tmp_path / "link" / ".." / "x.npz", "does not exist")):
        result = nnlib_cli("train", *TINY, "-o", out)
        assert_one_line_error(result, fragment)
        assert result.stdout == ""   # refused before training started
    assert read_only.read_bytes() == b"keep me"


def _run(args, env=None, shell_redirect=""):
    """``python -m nnlib ARGS`` through bash, so that a redirection such as ``>&-`` can close a
    standard stream.  The arguments travel as environment variables, so that bytes (file names
    that are not valid text) arrive unchanged."""
    import os
    import shlex
    env = dict(os.environ if env is None else env)
    for i, arg in enumerate(args):
        env[f"NNLIB_ARG{i}"] = os.fsdecode(arg if isinstance(arg, bytes) else str(arg))
    quoted = " ".join(f'"$NNLIB_ARG{i}"' for i in range(len(args)))
    command = f"{shlex.quote(sys.executable)} -m nnlib {quoted} {shell_redirect}"
    return subprocess.run(["bash", "-c", command], capture_output=True, timeout=120, env=env)


def test_names_are_shown_so_that_they_cannot_forge_lines_or_stop_predict(trained, tmp_path):
    """Items 4 and 12: a newline in a picture's name forged an extra line of predict's output,
    and a name that standard output cannot encode (undecodable bytes, or 'é' on an ASCII
    terminal) aborted predict for every picture.  Such names are now quoted with escapes."""
    import os
    import shutil
    net, _ = trained
    seven = shipped_digits()[7]
    forged = tmp_path / "x.png: 9 (probability 1.00)\nseven.png"
    accented = tmp_path / "é7.png"
    undecodable = os.fsencode(tmp_path) + b"/\xff7.png"
    for name in (forged, accented, os.fsdecode(undecodable)):
        shutil.copy(seven, name)
    result = _run(["predict", net, forged, undecodable, seven])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(ascii(str(forged)) + ": ")
    assert lines[1].startswith(ascii(os.fsdecode(undecodable)) + ": ")
    assert lines[2].startswith(f"{seven}: ")
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    result = _run(["predict", net, accented, seven], env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 2 and lines[0].startswith(ascii(str(accented)) + ": ")
    missing = _run(["predict", net, tmp_path / "gone\n7.png"]).stderr.decode()
    assert missing.count("\n") == 1 and "gone\\n7.png': no such file" in missing


def test_help_and_errors_on_an_ascii_or_c_locale_terminal():
    """Item 4: 'train --help' with ASCII output raised UnicodeEncodeError (η, μ, λ in the help)."""
    import os
    for env in (dict(os.environ, PYTHONIOENCODING="ascii"), dict(os.environ, LANG="C", LC_ALL="C")):
        result = _run(["train", "--help"], env=env)
        assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
        assert b"--learning-rate" in result.stdout


def test_closed_standard_output_or_error(trained, tmp_path):
    """Item 9: with standard output or error closed (>&-, 2>&-) nnlib crashed with a traceback,
    or wrote its error to whatever file took the closed descriptor's number.  A closed output
    is refused in one line before any work; with error closed, the exit status still tells."""
    net, _ = trained
    for args in (["train", "--help"], ["evaluate", net], ["predict", net, shipped_digits()[0]]):
        result = _run(args, shell_redirect=">&-")
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.decode().splitlines() == [
            "python -m nnlib: error: standard output is closed, so no result could be shown; "
            "redirect it to /dev/null to discard it"]
    result = _run(["evaluate", tmp_path / "missing.npz"], shell_redirect="2>&-")
    assert result.returncode == 1 and result.stdout == b""
    result = _run(["predict", net, shipped_digits()[3], tmp_path / "missing.png"], shell_redirect="2>&-")
    assert result.returncode == 1 and result.stdout.decode().startswith(f"{shipped_digits()[3]}: ")
    assert len(result.stdout.decode().splitlines()) == 1


# ----------------------------------------------------------------------------- issue 24: one set of constraints
OPTION_RANGES = {"--epochs": "epochs", "--batch-size": "batch_size", "--eta": "eta",
                 "--momentum": "momentum", "--l2": "l2"}


@pytest.mark.parametrize("option,key", sorted(OPTION_RANGES.items()))
def test_option_ranges_are_the_library_ranges(option, key, capsys):
    """Issue 24: the CLI checked its ranges by hand and disagreed with the library (--epochs 0
    refused, sgd(epochs=0) allowed).  Every range now comes from nnlib.checks: each boundary
    value is accepted by the command line exactly when the library accepts it."""
    from nnlib.__main__ import build_parser
    from nnlib.checks import HYPERPARAMETERS
    interval = HYPERPARAMETERS[key]
    parser = build_parser()
    for text in ("-1", "0", "0.5", "1", "1e-300", "128", "inf", "nan", "2.0"):
        try:
            value = int(text) if interval.integer else float(text)
        except ValueError:
            value = None
        try:
            parsed = getattr(parser.parse_args(["train", option, text]), key)
            accepted = True
        except SystemExit:
            accepted = False
        assert accepted == (value is not None and value in interval), (option, text)
        if accepted:
            assert parsed == value
    assert interval.expected() in capsys.readouterr().err


def test_the_other_options_use_nnlib_checks_too(capsys):
    from nnlib.__main__ import build_parser
    from nnlib.checks import SAMPLE_COUNT, SEED
    parser = build_parser()
    for option, interval, good, bad in (("--seed", SEED, ["0", str(2**63 - 1)], ["-1", str(2**63)]),
                                        ("--train-size", SAMPLE_COUNT, ["1"], ["0", "1.5"])):
        for text in good:
            parser.parse_args(["train", option, text])
        for text in bad:
            with pytest.raises(SystemExit):
                parser.parse_args(["train", option, text])
            assert f"expected {interval.expected()}, got {text!r}" in capsys.readouterr().err


def test_zero_epochs_saves_the_untrained_network(tmp_path):
    """Issue 24: --epochs 0, like sgd(epochs=0), trains nothing; the network is still saved and
    evaluated (the initial one)."""
    out = tmp_path / "untrained.npz"
    result = nnlib_cli("train", "--epochs", "0", "--train-size", "100", "--hidden", "8", "-q", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "after 0 epochs" in result.stdout and load_network_sizes(out) == [784, 8, 10]


def load_network_sizes(path):
    from nnlib import load_network
    return load_network(path).sizes


def test_messages_name_the_right_thing(tmp_path):
    """Item 11: --eta 1e-320 was accepted, trained nothing in float32 and said nothing; now one
    line naming --eta, before MNIST is even loaded."""
    result = nnlib_cli("train", "--eta", "1e-320", "-o", tmp_path / "n.npz")
    assert_one_line_error(result, "--eta 1e-320 is below the smallest normal float32 number")
    assert not (tmp_path / "n.npz").exists()
