"""Mutation testing of nnlib's core modules with mutmut (a developer tool, not part of CI).

    python3 -m coursetools.mutation                       # all core modules, 2 workers
    python3 -m coursetools.mutation --modules training    # one module (faster)
    python3 -m coursetools.mutation --jobs 1 --show-survivors

What it does:

1. Creates (once) its own virtual environment ``.venv-mut`` at the repository root with
   mutmut 3.x, numpy, pytest, hypothesis, pillow and matplotlib (``--venv`` to put it
   elsewhere), and re-runs itself with that environment's Python.
2. Copies ``nnlib/*.py`` and the fast unit tests of the core modules into a scratch
   folder ``build/mutation`` (wiped each run), with a ``setup.cfg`` that tells mutmut
   which files to mutate and which tests to run: ``tests/test_<module>.py`` for each
   core module (with ``tests/conftest.py``).  No notebooks, no CLI subprocesses, no
   browser, no student versions; the one slow MNIST training test is deselected.
3. Runs ``mutmut run --max-children JOBS`` there (mutmut's own progress output goes to
   ``build/mutation/mutmut.log``), with one BLAS thread per worker.
4. Prints per module: mutants, killed, survived, equivalent.  A mutant that survives is
   *equivalent* when it matches an entry of ``EQUIVALENT`` below (module, function,
   original line, mutated line, and a reason why no test can tell the difference);
   every other survivor (including "no tests": a mutated function that no selected
   test calls) is printed with its diff.  Exit status 1 if any non-equivalent mutant
   survived, 0 otherwise.

mutmut 3 mutates code inside functions and methods only (module-level constants such
as ``ACTIVATIONS`` or ``PAIRINGS`` are not mutated).  Mutants that make the tests
time out count as killed (mutmut's convention).  The scratch folder stays after the
run, so ``cd build/mutation && ../../.venv-mut/bin/mutmut show NAME`` shows a mutant.
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VENV = ROOT / ".venv-mut"
WORK = ROOT / "build" / "mutation"
REQUIREMENTS = ["mutmut>=3.8,<4", "numpy>=1.23,<3", "pytest>=7,<10", "hypothesis>=6.80,<7",
                "pillow>=9,<14", "matplotlib>=3.6,<4"]
CORE = ["activations", "losses", "network", "gradcheck", "training"]
OPTIONAL = ["optimizers"]  # mutated too when present (it holds the SGD, Nesterov and Adam steps)
SLOW_TESTS = ["tests/test_training.py::test_short_mnist_run_beats_90_percent"]

KILLED = {"killed", "timeout", "segfault", "caught by type check"}

# (module, function, original line, mutated line, why no test can tell them apart).
# Lines are compared with surrounding whitespace stripped; "Class.method" for methods.
KEEPDIMS = ("reducing axis 0 without keepdims leaves the trailing axes, and broadcasting "
            "aligns trailing axes, so each column still gets its own value (any ndim)")
MASKED = "where y == 0 the next line replaces the result by 0, so any finite placeholder will do"
COPY_NONE = ("astype copies only if needed with copy=None (numpy 2) and with copy=False (any "
             "numpy; numpy 1 reads None as False): the same arrays, the same memory")
PROMOTED = ("the other operand is still float64, and numpy promotes a - b and "
            "max(|a|, |b|, floor) to float64, so the arithmetic is the same")
ONE_HOT = ("0/1 targets are exact in every float dtype, and backprop and output_cost "
           "convert the targets to the network's dtype: only memory use changes")
UNUSED_X = 'with forward given, backprop skips the forward pass, the only place x is used, so the x passed along does not matter'
NO_WRITE = 'sgd never writes to the targets, so copying them or not changes memory use only'

EQUIVALENT = [
    ('activations', 'sigmoid',
     'return np.where(z >= 0, 1.0, e) / (1.0 + e)',
     'return np.where(z > 0, 1.0, e) / (1.0 + e)',
     'at z = 0 (and -0.0) e = 1, so both branches give 1 / (1 + 1) = 0.5 exactly'),
    ('training', '_first_non_finite',
     'if not math.isfinite(p.sum()) and not np.isfinite(p).all():',
     'if not math.isfinite(p.sum()) or not np.isfinite(p).all():',
     'a finite sum means every entry is finite, so the element-wise test gives the same '
     'answer: the sum only spares that test, it never changes the verdict'),
    ('activations', 'softmax',
     'e = np.exp(z - z.max(axis=0, keepdims=True))',
     'e = np.exp(z - z.max(axis=0, ))',
     KEEPDIMS),
    ('activations', 'softmax',
     'e = np.exp(z - z.max(axis=0, keepdims=True))',
     'e = np.exp(z - z.max(axis=0, keepdims=False))',
     KEEPDIMS),
    ('activations', 'softmax',
     'return e / e.sum(axis=0, keepdims=True)',
     'return e / e.sum(axis=0, )',
     KEEPDIMS),
    ('activations', 'softmax',
     'return e / e.sum(axis=0, keepdims=True)',
     'return e / e.sum(axis=0, keepdims=False)',
     KEEPDIMS),
    ('activations', 'log_softmax',
     'shifted = z - z.max(axis=0, keepdims=True)',
     'shifted = z - z.max(axis=0, )',
     KEEPDIMS),
    ('activations', 'log_softmax',
     'shifted = z - z.max(axis=0, keepdims=True)',
     'shifted = z - z.max(axis=0, keepdims=False)',
     KEEPDIMS),
    ('activations', 'log_softmax',
     'return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))',
     'return shifted - np.log(np.exp(shifted).sum(axis=0, ))',
     KEEPDIMS),
    ('activations', 'log_softmax',
     'return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))',
     'return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=False))',
     KEEPDIMS),
    ('activations', 'softmax_backward',
     'return s * (grad_a - np.sum(s * grad_a, axis=0, keepdims=True))',
     'return s * (grad_a - np.sum(s * grad_a, axis=0, ))',
     KEEPDIMS),
    ('activations', 'softmax_backward',
     'return s * (grad_a - np.sum(s * grad_a, axis=0, keepdims=True))',
     'return s * (grad_a - np.sum(s * grad_a, axis=0, keepdims=False))',
     KEEPDIMS),
    ('losses', '_y_log',
     'safe_a = np.where(y == 0, 1.0, a)',
     'safe_a = np.where(y == 0, 2.0, a)',
     MASKED),
    ('losses', '_y_log',
     'return np.where(y == 0, 0.0, y * np.log(safe_a))',
     'return np.where(None, 0.0, y * np.log(safe_a))',
     'where y == 0, safe_a is 1, so y * ln(safe_a) is 0 * 0 = 0 already'),
    ('losses', 'cross_entropy_gradient',
     'safe_a = np.where(y == 0, 1.0, a)',
     'safe_a = np.where(y == 0, 2.0, a)',
     MASKED),
    ('losses', 'cross_entropy_gradient',
     'return np.where(y == 0, 0.0, -y / safe_a) / a.shape[1]',
     'return np.where(None, 0.0, -y / safe_a) / a.shape[1]',
     'where y == 0 it gives -0 / 1 = -0.0 instead of 0.0, and -0.0 == 0.0'),
    ('network', 'Network.from_parameters',
     'net.weights = [w.astype(net.dtype, copy=False) for w in weights]',
     'net.weights = [w.astype(net.dtype, copy=None) for w in weights]',
     COPY_NONE),
    ('network', 'Network.from_parameters',
     'net.biases = [b.astype(net.dtype, copy=False) for b in biases]',
     'net.biases = [b.astype(net.dtype, copy=None) for b in biases]',
     COPY_NONE),
    ('network', 'Network.as_batch',
     'x = x.reshape(-1, 1)',
     'x = x.reshape(-2, 1)',
     "numpy (2.x) takes any negative size in reshape as 'infer this dimension'"),
    ('network', 'Network.output_cost',
     'cost += 0.5 * l2 * sum(float(np.sum(w.astype(np.float64) ** 2)) for w in self.weights)',
     'cost += 0.5 * l2 * sum(float(np.sum(w.astype(None) ** 2)) for w in self.weights)',
     "astype(None) converts to float64, numpy's default float type"),
    ('gradcheck', 'numerical_gradient',
     'grad = np.zeros(x.shape, dtype=np.float64)',
     'grad = np.zeros(x.shape, dtype=None)',
     'np.zeros makes float64 by default'),
    ('gradcheck', 'numerical_gradient',
     'grad = np.zeros(x.shape, dtype=np.float64)',
     'grad = np.zeros(x.shape, )',
     'np.zeros makes float64 by default'),
    ('gradcheck', 'relative_error',
     'a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)',
     'a, b = np.asarray(a, dtype=None), np.asarray(b, dtype=np.float64)',
     PROMOTED),
    ('gradcheck', 'relative_error',
     'a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)',
     'a, b = np.asarray(a, ), np.asarray(b, dtype=np.float64)',
     PROMOTED),
    ('gradcheck', 'relative_error',
     'a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)',
     'a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=None)',
     PROMOTED),
    ('gradcheck', 'relative_error',
     'a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)',
     'a, b = np.asarray(a, dtype=np.float64), np.asarray(b, )',
     PROMOTED),
    ('gradcheck', 'check_gradients',
     'if num_samples is None or num_samples >= param.size:',
     'if num_samples is None or num_samples > param.size:',
     "with num_samples == size every entry is checked either way, only in a random order "
     "(and the rng's later draws, which the contract leaves open, change)"),
    ('gradcheck', 'check_gradients',
     'flat = rng.choice(param.size, size=num_samples, replace=False)',
     'flat = rng.choice(param.size, size=num_samples, replace=None)',
     'Generator.choice tests replace for truth: None samples without replacement, like False'),
    ('gradcheck', 'check_gradients',
     'g_bp, g_num = analytic[name][rows].astype(np.float64), numerical[rows]',
     'g_bp, g_num = analytic[name][rows].astype(None), numerical[rows]',
     "astype(None) converts to float64, numpy's default float type"),
    ('training', '_targets_and_labels',
     'return one_hot(y, 2, dtype=net.dtype)[1:], y  # row 1 of the one-hot: the label as 0/1',
     'return one_hot(y, 2, dtype=None)[1:], y  # row 1 of the one-hot: the label as 0/1',
     ONE_HOT),
    ('training', '_targets_and_labels',
     'return one_hot(y, 2, dtype=net.dtype)[1:], y  # row 1 of the one-hot: the label as 0/1',
     'return one_hot(y, 2, )[1:], y  # row 1 of the one-hot: the label as 0/1',
     ONE_HOT),
    ('training', '_targets_and_labels',
     'return one_hot(y, net.sizes[-1], dtype=net.dtype), y',
     'return one_hot(y, net.sizes[-1], dtype=None), y',
     ONE_HOT),
    ('training', '_targets_and_labels',
     'return one_hot(y, net.sizes[-1], dtype=net.dtype), y',
     'return one_hot(y, net.sizes[-1], ), y',
     ONE_HOT),
    ('training', '_targets_and_labels',
     'targets = y.astype(net.dtype, copy=False)',
     'targets = y.astype(net.dtype, copy=None)',
     'astype tests copy for truth: None copies only when needed, like False'),
    ('training', '_targets_and_labels',
     'targets = y.astype(net.dtype, copy=False)',
     'targets = y.astype(net.dtype, )',
     NO_WRITE),
    ('training', '_targets_and_labels',
     'targets = y.astype(net.dtype, copy=False)',
     'targets = y.astype(net.dtype, copy=True)',
     NO_WRITE),
    ('training', '_train_epoch',
     'l2 = getattr(optimizer, "l2", 0.0)',
     'l2 = getattr(optimizer, "l2", None)',
     "output_cost adds the L2 term only 'if l2:', and None is as false as 0.0"),
    ('training', 'sgd',
     'cost, accuracy = _end_of_epoch(net, data, getattr(optimizer, "l2", 0.0))',
     'cost, accuracy = _end_of_epoch(net, data, getattr(optimizer, "l2", None))',
     "output_cost adds the L2 term only 'if l2:', and None is as false as 0.0"),
    ('training', '_train_epoch',
     'optimizer.step(params, net.gradients(x_batch, y_batch, masks, forward=(zs, activations)))',
     'optimizer.step(params, net.gradients(None, y_batch, masks, forward=(zs, activations)))',
     UNUSED_X),
    ('network', 'Network.gradients',
     'nabla_b, nabla_w = self.backprop(x, y, masks, forward=forward)',
     'nabla_b, nabla_w = self.backprop(None, y, masks, forward=forward)',
     UNUSED_X),
    ('training', '_Best.__init__',
     'self.accuracy, self.epoch, self.copies = -np.inf, 0, None',
     'self.accuracy, self.epoch, self.copies = -np.inf, 1, None',
     'the first update always replaces the epoch (every accuracy is > -inf), and restore() '
     'returns 0 without reading it when no epoch ran'),
]


# --------------------------------------------------------------------------- environment
def ensure_venv(path):
    """Create the tool's virtual environment if it lacks mutmut; return its python."""
    python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    probe = [str(python), "-c", "import mutmut, numpy, pytest, hypothesis, PIL, matplotlib"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"creating {path} with {', '.join(REQUIREMENTS)}", flush=True)
    venv.EnvBuilder(with_pip=True, clear=python.exists()).create(path)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
    return python


def prepare_work(modules):
    """Fill build/mutation with the sources, the selected tests and mutmut's setup.cfg."""
    if WORK.exists():
        shutil.rmtree(WORK)
    (WORK / "nnlib").mkdir(parents=True)
    (WORK / "tests").mkdir()
    for source in (ROOT / "nnlib").glob("*.py"):
        shutil.copy2(source, WORK / "nnlib" / source.name)
    tests = ["conftest.py"] + [f"test_{m}.py" for m in dict.fromkeys(CORE + OPTIONAL + list(modules))]
    tests = [t for t in tests if (ROOT / "tests" / t).exists()]
    for name in tests:
        shutil.copy2(ROOT / "tests" / name, WORK / "tests" / name)
    pytest_args = ["-p", "no:cacheprovider"]
    for node in SLOW_TESTS:
        pytest_args += ["--deselect", node]
    lines = ["[mutmut]", "source_paths = nnlib/",
             "only_mutate =", *[f"    nnlib/{m}.py" for m in modules],
             "pytest_add_cli_args_test_selection =", "    tests/",
             "pytest_add_cli_args =", *[f"    {a}" for a in pytest_args], ""]
    (WORK / "setup.cfg").write_text("\n".join(lines))
    return [t for t in tests if t != "conftest.py"]


# --------------------------------------------------------------------------- report
def function_of(mutant_name, module):
    """``nnlib.network.xǁNetworkǁforward__mutmut_3`` -> ``Network.forward``."""
    name = mutant_name[len(f"nnlib.{module}."):].rsplit("__mutmut_", 1)[0]
    if name.startswith("xǁ"):
        return ".".join(name[2:].split("ǁ"))
    return name[2:] if name.startswith("x_") else name


def changed_lines(diff):
    """The removed and the added lines of a unified diff, whitespace-stripped."""
    body = diff.splitlines()[2:]
    removed = [l[1:].strip() for l in body if l.startswith("-")]
    added = [l[1:].strip() for l in body if l.startswith("+")]
    return "\n".join(removed), "\n".join(added)


def report(modules, show_survivors):
    os.chdir(WORK)
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    equivalent = {(m, f, o, n): why for m, f, o, n, why in EQUIVALENT}
    used = set()
    counts = collections.OrderedDict()
    equivalents, survivors = [], []
    for module in modules:
        meta = json.loads((WORK / "mutants" / "nnlib" / f"{module}.py.meta").read_text())
        c = counts[module] = collections.Counter()
        for name, code in meta["exit_code_by_key"].items():
            status = status_by_exit_code[code]
            c["mutants"] += 1
            if status in KILLED:
                c["killed"] += 1
                continue
            diff = get_diff_for_mutant(name, path=Path("nnlib") / f"{module}.py")
            old, new = changed_lines(diff)
            key = (module, function_of(name, module), old, new)
            if key in equivalent:
                c["equivalent"] += 1
                used.add(key)
                equivalents.append((name, old, new, equivalent[key]))
            else:
                c["survived"] += 1
                survivors.append((name, status, diff))

    total = collections.Counter()
    print(f"\n{'module':<14}{'mutants':>8}{'killed':>8}{'survived':>10}{'equivalent':>12}")
    for module, c in counts.items():
        total.update(c)
        print(f"{module:<14}{c['mutants']:>8}{c['killed']:>8}{c['survived']:>10}{c['equivalent']:>12}")
    print(f"{'total':<14}{total['mutants']:>8}{total['killed']:>8}{total['survived']:>10}"
          f"{total['equivalent']:>12}")
    checked = total["mutants"] - total["equivalent"]
    if checked:
        print(f"mutation score (killed / non-equivalent mutants): {total['killed'] / checked:.1%}")
    if equivalents:
        print("\nequivalent mutants (they survive; no test can tell them apart):")
        for name, old, new, why in equivalents:
            print(f"  {name}: {old!r} -> {new!r}\n      {why}")
    stale = [k for k in equivalent if k not in used and k[0] in modules]
    if stale:
        print("\nEQUIVALENT entries that matched no surviving mutant (killed now, or the code changed):")
        for k in stale:
            print(f"  {k[0]}.{k[1]}: {k[2]!r} -> {k[3]!r}")
    if survivors:
        print(f"\n{len(survivors)} non-equivalent mutant(s) survived:")
        for name, status, diff in survivors:
            print(f"  {name} ({status})")
            if show_survivors:
                print("    " + diff.replace("\n", "\n    "))
        if not show_survivors:
            print("(--show-survivors prints their diffs)")
    return 1 if survivors else 0


# --------------------------------------------------------------------------- main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", default=",".join(CORE + OPTIONAL),
                        help="comma-separated nnlib modules to mutate (default: %(default)s; "
                             "those that do not exist are skipped)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel workers (default: 2)")
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV,
                        help="the tool's virtual environment (default: .venv-mut)")
    parser.add_argument("--show-survivors", action="store_true", help="print each survivor's diff")
    parser.add_argument("--report-only", action="store_true",
                        help="recount an existing build/mutation run without running mutmut")
    args = parser.parse_args(argv)
    modules = [m for m in args.modules.split(",") if (ROOT / "nnlib" / f"{m}.py").exists()]
    if not modules:
        parser.error(f"no such module in nnlib/: {args.modules}")

    python = ensure_venv(args.venv.resolve())
    if Path(sys.prefix).resolve() != args.venv.resolve():  # go on inside the tool's venv
        os.chdir(ROOT)                                      # where -m finds coursetools
        os.execv(str(python), [str(python), "-m", "coursetools.mutation",
                               *(sys.argv[1:] if argv is None else argv),
                               "--venv", str(args.venv.resolve())])

    if not args.report_only:
        tests = prepare_work(modules)
        print(f"mutating nnlib/{{{','.join(modules)}}}.py; tests: {' '.join(tests)}", flush=True)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # mutmut sets sys.path
        env.update(MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                   MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
        mutmut = Path(python).parent / "mutmut"
        start = time.perf_counter()
        with open(WORK / "mutmut.log", "w") as log:
            rc = subprocess.run([str(mutmut), "run", "--max-children", str(args.jobs)], cwd=WORK,
                                env=env, stdout=log, stderr=subprocess.STDOUT).returncode
        seconds = time.perf_counter() - start
        if rc != 0:
            print((WORK / "mutmut.log").read_text()[-3000:])
            sys.exit(f"mutmut run failed (exit {rc}); see build/mutation/mutmut.log")
        print(f"mutmut run took {seconds:.0f} s with {args.jobs} worker(s)")
    return report(modules, args.show_survivors)


if __name__ == "__main__":
    sys.exit(main())
