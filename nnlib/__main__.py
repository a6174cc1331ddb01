"""The command line: train a network on MNIST, evaluate it, classify your own digits.

    python -m nnlib train -o net.npz                  # ReLU 784-100-10, softmax, ~98%
    python -m nnlib evaluate net.npz                  # accuracy on the 10,000 test images
    python -m nnlib predict net.npz my-digit.png ...  # one line per picture

``python -m nnlib COMMAND --help`` lists each command's options.  Errors (a
missing file, a file that is not an image or not a parameter file, a network
of the wrong shape, training that diverges) are reported in one line on stderr
with exit status 1; a usage error (an unknown option, a value out of range) is
reported by argparse with exit status 2; an interrupt gives 130.  ``predict``
reports every picture on its own line (the result on stdout, or the error on
stderr) and exits with 1 if any picture failed.  When the reader of standard
output goes away (``| head``), the command stops quietly; when standard output
is closed (``>&-``), nothing is done (exit status 1).  File names that are not
printable or that the terminal cannot encode are printed quoted, with escapes.

A network may have at most 50,000,000 weights and biases
(``nnlib.checks.MAX_PARAMETERS``): ``--hidden`` and parameter files beyond that are
refused before anything is allocated.  ``evaluate`` runs the test images in slices,
so that its memory stays within a few times that of the parameters.
"""
import argparse
import errno
import os
import sys
import time

import numpy as np

from . import __version__
from .checks import (HYPERPARAMETERS, LAYER_SIZE, MAX_PARAMETERS, SAMPLE_COUNT, SEED,
                     check_network_size)
from .columns import split_validation, to_columns
from .idx import IDXError
from .mnist import CLASSES, PIXELS, load_mnist
from .images import ImageError, load_digit
from .files import OutputPathError, check_output_path
from .saving import ParameterFileError, load_network, save_network
from .network import INITS, Network, check_output_and_cost
from .training import TrainingDiverged, progress_line, sgd

PROG = "python -m nnlib"


class CLIError(Exception):
    """A problem to report in one line (no traceback)."""


def _option(interval):
    """An argparse type: a value in ``interval``, one of the constraints of :mod:`nnlib.checks`
    that the library checks too (an integer if the interval holds integers)."""
    def parse(text):
        try:
            value = int(text) if interval.integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {interval.expected()}, got {text!r}") from None
        if value not in interval:
            raise argparse.ArgumentTypeError(f"expected {interval.expected()}, got {text!r}")
        return value
    return parse


def _hidden_sizes(text):
    """``"100"`` -> [100]; ``"128,64"`` -> [128, 64]; ``""`` or ``"none"`` -> [] (no hidden layer).

    Each size is a positive integer, and the network 784-...-10 stays within the limits of
    :mod:`nnlib.checks` (MAX_PARAMETERS, MAX_LAYERS): checked here, before anything is allocated.
    """
    if text.strip().lower() in ("", "none"):
        return []
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer sizes such as 100 or 128,64, got {text!r}") from None
    if any(n not in LAYER_SIZE for n in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive integers, got {text!r}")
    try:
        check_network_size([PIXELS, *sizes, CLASSES])
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r}: {e}") from None
    return sizes


class _DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show each option's default, except where the default is chosen later (None)."""

    def _get_help_string(self, action):
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG, description="Train, evaluate and use nnlib networks on MNIST (bundled, offline).",
        epilog=f"Run '{PROG} COMMAND --help' for the options of a command.")
    parser.add_argument("--version", action="version", version=f"nnlib {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_train_parser(commands)
    _add_evaluate_and_predict_parsers(commands)
    return parser


def _add_train_parser(commands):
    train = commands.add_parser(
        "train", help="train a network on MNIST and save its parameters (.npz)",
        description="Train a network on the bundled MNIST training images by mini-batch SGD, report "
                    "progress after every epoch, and save the parameters to an .npz file.  The defaults "
                    "(ReLU 784-100-10, softmax + cross-entropy, momentum 0.9) reach about 98%.",
        formatter_class=_DefaultsFormatter)
    train.add_argument("-o", "--out", default="nnlib-mnist.npz", metavar="PATH",
                       help="where to save the trained parameters")
    train.add_argument("--hidden", type=_hidden_sizes, default=[100], metavar="N[,N...]",
                       help="hidden layer sizes, comma-separated (input 784 and output 10 are added); "
                            f"'none' for no hidden layer; the network may have at most "
                            f"{MAX_PARAMETERS:,} parameters")
    train.add_argument("--activation", choices=["sigmoid", "tanh", "relu"], default="relu",
                       help="hidden-layer activation")
    train.add_argument("--output-activation", choices=["sigmoid", "softmax"], default="softmax",
                       help="output-layer activation")
    train.add_argument("--cost", choices=["quadratic", "cross_entropy", "binary_cross_entropy"],
                       default=None, help="cost function (default: cross_entropy for a softmax output, "
                                          "quadratic for a sigmoid output, as in the classic network)")
    train.add_argument("--init", choices=INITS, default=None,
                       help="weight initialisation (default: he for ReLU, scaled otherwise)")
    train.add_argument("--epochs", type=_option(HYPERPARAMETERS["epochs"]), default=10,
                       help="passes over the training set (0 saves the untrained network)")
    train.add_argument("--eta", "--learning-rate", dest="eta", type=_option(HYPERPARAMETERS["eta"]),
                       default=0.05, help="learning rate η")
    train.add_argument("--batch-size", type=_option(HYPERPARAMETERS["batch_size"]), default=128,
                       help="mini-batch size")
    train.add_argument("--momentum", type=_option(HYPERPARAMETERS["momentum"]), default=0.9,
                       help=f"momentum μ in {HYPERPARAMETERS['momentum']}; 0 is plain SGD")
    train.add_argument("--l2", type=_option(HYPERPARAMETERS["l2"]), default=0.0, help="L2 weight decay λ")
    train.add_argument("--seed", type=_option(SEED), default=0, help="seed of the initial weights and the shuffling")
    train.add_argument("--train-size", type=_option(SAMPLE_COUNT), default=None, metavar="N",
                       help="train on the first N of the 50,000 training images only (the last 10,000 "
                            "of MNIST's 60,000 are kept for validation; default: all 50,000)")
    train.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                       help="floating-point type of the parameters")
    train.add_argument("-q", "--quiet", action="store_true", help="no progress lines, only the result")


def _add_evaluate_and_predict_parsers(commands):
    evaluate = commands.add_parser(
        "evaluate", help="accuracy of saved parameters on the 10,000 MNIST test images",
        description="Load parameters saved by 'train' (or nnlib.save_network) and report the accuracy "
                    "on the 10,000 bundled MNIST test images.")
    evaluate.add_argument("params", metavar="PARAMS", help="an .npz parameter file")

    predict = commands.add_parser(
        "predict", help="classify pictures of digits (PNG, JPEG, ...)",
        description="Classify pictures of single handwritten digits with saved parameters.  Each picture "
                    "is converted to MNIST's format first: grey, inverted if the ink is darker than the paper, "
                    "cropped to the ink, fitted into 20x20 and centred by centre of mass in 28x28.  "
                    "Prints one line per picture: its name, the predicted digit and the network's "
                    "output for that digit.")
    predict.add_argument("params", metavar="PARAMS", help="an .npz parameter file")
    predict.add_argument("images", metavar="IMAGE", nargs="+", help="picture files of single digits")
    predict.add_argument("--show", action="store_true",
                         help="also print each 28x28 digit the network sees, as text")


def _outputs(net, images):
    """The network's outputs ``(n_L, m)`` for ``images`` ``(m, 28, 28)``, a slice of images at a time.

    Each slice is :meth:`Network.slice_size` images, the rule that :meth:`Network.predict`
    and :meth:`Network.evaluate` follow too.
    """
    step = net.slice_size()
    with np.errstate(all="ignore"):
        return np.hstack([net.feedforward(to_columns(images[k:k + step], dtype=net.dtype.type))
                          for k in range(0, len(images), step)])


def _shown(name):
    """A file name as printed: unchanged if it is printable and standard output can encode it,
    otherwise quoted with escapes (``'a\\nb.png'``), so that a newline in a name cannot forge a
    line of output and a name the terminal's encoding lacks does not stop the command."""
    name = os.fsdecode(name)
    try:
        name.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except UnicodeEncodeError:
        return ascii(name)
    return name if name.isprintable() else ascii(name)


def _printable(message):
    """An error message on one line: whitespace runs become one space, other control characters
    (from file names) are escaped."""
    text = " ".join(message.split())
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _check_mnist_shape(net, path):
    if net.sizes[0] != PIXELS or net.sizes[-1] != CLASSES:
        raise CLIError(f"{path}: the network has sizes {net.sizes}: it takes {net.sizes[0]} inputs and "
                       f"gives {net.sizes[-1]} outputs, but MNIST needs {PIXELS} inputs and "
                       f"{CLASSES} outputs")


def _load_params(path):
    try:
        net = load_network(path)
    except FileNotFoundError:
        raise CLIError(f"{path}: no such file") from None
    _check_mnist_shape(net, path)
    return net


def _check_train_args(args):
    """``(cost, init)`` for ``train``, after every check that can be made before loading MNIST."""
    # Before training, not after it: the save will succeed (see nnlib.files.check_output_path).
    check_output_path(args.out)
    cost = args.cost or ("cross_entropy" if args.output_activation == "softmax" else "quadratic")
    try:
        check_output_and_cost(args.output_activation, cost)
    except ValueError as e:
        raise CLIError(f"--cost and --output-activation: {e}") from None
    tiny = np.finfo(args.dtype).tiny
    if args.eta < tiny:   # in this dtype every step would round to nothing
        raise CLIError(f"--eta {args.eta!r} is below the smallest normal {args.dtype} number "
                       f"({tiny:.3g}): every step would round to nothing; use a larger --eta")
    return cost, args.init or ("he" if args.activation == "relu" else "scaled")


def cmd_train(args, out=None):
    out = sys.stdout if out is None else out
    cost, init = _check_train_args(args)
    mnist = load_mnist()
    # Settings are judged on the last 10,000 training images (validation); the test set is used
    # once, at the end, for the final number.
    train_images, train_labels, val_images, val_labels = split_validation(
        mnist.train_images, mnist.train_labels)
    n = len(train_labels) if args.train_size is None else min(args.train_size, len(train_labels))
    dtype = np.dtype(args.dtype).type
    x = to_columns(train_images[:n], dtype=dtype)
    x_val = to_columns(val_images, dtype=dtype)
    rng = np.random.default_rng(args.seed)
    net = Network([PIXELS, *args.hidden, CLASSES], activation=args.activation, output=args.output_activation,
                  cost=cost, init=init, rng=rng, dtype=dtype)
    if not args.quiet:
        print(f"training {net!r}, init={init}, {net.num_parameters():,} parameters", file=out)
        print(f"on {n:,} images: {args.epochs} epochs, batch size {args.batch_size}, eta {args.eta:g}, "
              f"momentum {args.momentum:g}, l2 {args.l2:g}, seed {args.seed}", file=out, flush=True)

    def progress(epoch, history):
        if not args.quiet:
            print(progress_line(history, args.epochs), file=out, flush=True)

    start = time.perf_counter()
    history = sgd(net, x, train_labels[:n], epochs=args.epochs, batch_size=args.batch_size,
                  eta=args.eta, rng=rng, momentum=args.momentum, l2=args.l2,
                  validation=(x_val, val_labels), callback=progress)
    seconds = time.perf_counter() - start
    save_network(net, args.out)
    acc = float(np.mean(net.classify(_outputs(net, mnist.test_images)) == mnist.test_labels))
    val = history["validation_accuracy"][-1] if history["validation_accuracy"] else \
        float(np.mean(net.classify(_outputs(net, val_images)) == val_labels))   # 0 epochs
    print(f"validation accuracy {val:.2%}, test accuracy {acc:.2%} "
          f"after {args.epochs} epochs ({seconds:.1f} s); parameters saved to {_shown(args.out)}",
          file=out)
    return 0


def cmd_evaluate(args, out=None):
    out = sys.stdout if out is None else out
    net = _load_params(args.params)
    mnist = load_mnist()
    a = _outputs(net, mnist.test_images)
    if not np.isfinite(a).all():
        raise CLIError(f"{args.params}: the network's output is not finite (NaN or infinite) on "
                       f"some test images: the parameters are absurd")
    predicted = net.classify(a)
    correct = int(np.sum(predicted == mnist.test_labels))
    total = len(mnist.test_labels)
    print(f"{_shown(args.params)}: {net.sizes} {net.activation}/{net.output}: test accuracy {correct / total:.2%} "
          f"({correct} of {total:,} test images)", file=out)
    return 0


def ascii_digit(image):
    """A 28×28 uint8 image as 28 lines of text, darker characters for brighter ink."""
    shades = " .:-=+*#%@"
    return "\n".join("".join(shades[min(9, int(v) * 10 // 256)] for v in row) for row in image)


def _classify(net, path):
    """``(steps, digit, value)`` for one picture, or raise CLIError/ImageError naming it."""
    try:
        steps = load_digit(path)
    except FileNotFoundError:
        raise CLIError(f"{path}: no such file") from None
    except ImageError:
        raise
    except MemoryError:
        raise CLIError(f"{path}: too large to decode") from None
    except Exception as e:   # never let one picture stop the others
        raise CLIError(f"{path}: cannot be read as a digit ({type(e).__name__}: {e})") from None
    with np.errstate(all="ignore"):
        a = net.feedforward(steps.column(net.dtype.type))[:, 0]
    if not np.isfinite(a).all():
        raise CLIError(f"{path}: the network's output is not finite (NaN or infinite): the "
                       f"parameters are absurd")
    digit = int(np.argmax(a))
    return steps, digit, float(a[digit])


def cmd_predict(args, out=None, err=None):
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    net = _load_params(args.params)
    failures = 0
    what = "probability" if net.output == "softmax" else "output"
    for path in args.images:
        try:
            steps, digit, value = _classify(net, path)
        except (CLIError, ImageError) as e:
            # Each failure on its own line, naming the file; the other pictures go on.
            out.flush()
            message = str(e)
            if message.startswith(path):   # the name as the result lines show it
                message = _shown(path) + message[len(path):]
            print(f"{PROG} predict: error: {_printable(message)}", file=err, flush=True)
            failures += 1
            continue
        print(f"{_shown(path)}: {digit} ({what} {value:.2f})", file=out, flush=True)
        if args.show:
            print(ascii_digit(steps.mnist), file=out, flush=True)
    return 1 if failures else 0


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict}


class StdoutError(Exception):
    """Writing to standard output failed (a full disk, /dev/full, a closed pipe)."""


class _Stdout:
    """Standard output whose write errors become :class:`StdoutError` (told apart from others)."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        try:
            return self.stream.write(text)
        except OSError as e:
            raise StdoutError(e) from None

    def flush(self):
        try:
            self.stream.flush()
        except OSError as e:
            raise StdoutError(e) from None


def _silence_stdout():
    """Point file descriptor 1 at the null device, so that the interpreter's final flush of the
    unwritable standard output neither fails nor prints 'Exception ignored'."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def _standard_streams():
    """Prepare standard output and error for a run as a program; False if output is closed.

    A closed file descriptor 1 or 2 (``>&-``, ``2>&-``) is pointed at the null device, so that
    no file opened later takes its number and receives what was meant for the terminal; and
    a character the streams' encoding lacks (``LANG=C``, ``PYTHONIOENCODING=ascii``) is written
    as an escape instead of raising.
    """
    open_fds = {}
    for fd in (1, 2):
        try:
            os.fstat(fd)
            open_fds[fd] = True
        except OSError:
            null = os.open(os.devnull, os.O_WRONLY)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            open_fds[fd] = False
    if not open_fds[2] or sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False)
    if not open_fds[1] or sys.stdout is None:
        sys.stdout = open(1, "w", closefd=False)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    return open_fds[1]


def main(argv=None):
    """Entry point of ``python -m nnlib`` (and the ``nnlib`` script); returns the exit status.

    Run as a program (``argv`` None), standard output and error are prepared first: a closed
    standard output is refused in one line (exit status 1) before any work, a closed standard
    error is replaced by the null device (the exit status still tells what happened).
    """
    if argv is None and not _standard_streams():
        print(f"{PROG}: error: standard output is closed, so no result could be shown; "
              f"redirect it to /dev/null to discard it", file=sys.stderr)
        return 1
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        out = _Stdout(sys.stdout)
        status = COMMANDS[args.command](args, out=out)
        out.flush()
        return status
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return 130
    except StdoutError as e:
        _silence_stdout()
        cause = e.args[0]
        if isinstance(cause, BrokenPipeError) or getattr(cause, "errno", None) == errno.EPIPE:
            return 141   # the reader went away (| head): stop quietly, like a program killed by SIGPIPE
        message = f"cannot write to standard output ({cause.strerror or cause})"
    except (CLIError, ParameterFileError, ImageError, IDXError, TrainingDiverged, OutputPathError) as e:
        message = str(e)
    except FileNotFoundError as e:
        message = f"{e.filename}: no such file" if e.filename else str(e)
    except (OSError, ValueError) as e:
        message = f"{type(e).__name__}: {e}"
    except Exception as e:   # a bug: still one line, but say what it was
        message = f"internal error ({type(e).__name__}: {e}); please report it"
    print(f"{PROG} {args.command}: error: {_printable(message)}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
