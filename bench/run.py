"""Side-by-side benchmarks for nnlib (a script, not a test).

    python -m bench.run                  # everything (several minutes)
    python -m bench.run --quick          # fewer repeats and samples
    python -m bench.run --only scaling   # one part: classic, overhead, torch, target, scaling, notebooks
    OPENBLAS_NUM_THREADS=1 python -m bench.run --only torch   # one thread for numpy and torch alike

Parts:

* classic   -- nnlib's matrix mini-batch backprop against the classic per-sample loop
               (nnlib.seed_systems.ClassicNetwork): 784-30-10 sigmoid, quadratic cost, batch 10, eta 3.0.
* overhead  -- what nnlib.sgd costs beyond its arithmetic: one epoch of 784-30-10 sigmoid, quadratic
               cost, eta 3.0, against the same maths written as a plain numpy loop (same shuffle,
               same gathered batches, same sigmoid, no checks, no monitoring), at batch 10 and 128,
               float32 and float64; nnlib with monitor_train off and on.
* torch     -- nnlib against PyTorch on the CPU: the same MLP (ReLU hidden layer, softmax +
               cross-entropy, SGD with momentum 0.9), float32, batch 64, the same number of threads,
               for 784-30-10, 784-100-10 and 784-256-10.  Skipped with a message if torch is missing.
* target    -- wall time until the test accuracy first reaches 98% (ReLU 784-256-10, he init,
               softmax + cross-entropy, momentum 0.9, eta 0.1, batch 128, float32).
* scaling   -- how the cost grows with size: per-epoch time and GFLOP/s of nnlib for
               784-{30,100,256,1024}-10 and 784-1024-1024-10 (ReLU, softmax + cross-entropy, SGD
               momentum 0.9, batch 128, float32), next to numpy's own float32 matrix-product rate
               on large square matrices measured in the same run (and PyTorch's time for the same
               network when torch is installed).
* notebooks -- the whole nbval suite over book/ and a strict book build into a temporary folder.

Candidates are interleaved (A, B, A, B, ...) so that noise from other processes hits both, and
each figure is the median over the repeats; the spread (min-max) is printed too.  Per-epoch times
are measured on a slice of the training set and scaled to 60,000 samples.
"""
import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import nnlib
from nnlib import Network, seed_systems, sgd, to_columns

ROOT = Path(__file__).resolve().parent.parent
EPOCH = 60_000


def blas_threads():
    """The number of threads numpy's BLAS uses: threadpoolctl if installed, else the
    OPENBLAS_NUM_THREADS / OMP_NUM_THREADS variables, else the CPU count."""
    try:
        from threadpoolctl import threadpool_info
        counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
        if counts:
            return max(counts)
    except ImportError:
        pass
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


def describe_machine():
    """CPU model, logical CPUs, Python, numpy, BLAS (with its threads) and nnlib, as one line."""
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = f"unknown BLAS (OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')})"
    try:
        from threadpoolctl import threadpool_info
        libs = [f"{p['internal_api']} {p.get('version') or ''} ({p['num_threads']} threads)".strip()
                for p in threadpool_info() if p.get("user_api") == "blas"]
        blas = ", ".join(libs) or blas
    except ImportError:
        pass
    return (f"{cpu}, {os.cpu_count()} logical CPUs; Python {platform.python_version()}, "
            f"numpy {np.__version__}, BLAS: {blas}; nnlib {nnlib.__version__}")


def spread(values):
    return f"median {statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"


def interleave(candidates, repeats):
    """Run each candidate once per round, ``repeats`` rounds; returns {name: [seconds, ...]}."""
    times = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            times[name].append(fn())
    return times


def mnist_columns():
    mnist = nnlib.load_mnist()
    return (to_columns(mnist.train_images), mnist.train_labels,
            to_columns(mnist.test_images), mnist.test_labels)


# ------------------------------------------------------------------------------------ parts
def bench_classic(data, repeats, n):
    x, labels = data[0][:, :n], data[1][:n]
    pairs = seed_systems.classic_data(x, labels)
    scale = EPOCH / n

    def classic():
        net = seed_systems.ClassicNetwork([784, 30, 10], rng=1)
        start = time.perf_counter()
        net.SGD(pairs, 1, 10, 3.0, verbose=False)
        return (time.perf_counter() - start) * scale

    def matrix(dtype):
        def run():
            net = Network([784, 30, 10], rng=1, dtype=dtype)
            h = sgd(net, x, labels, epochs=1, batch_size=10, eta=3.0, rng=2, monitor_train=False)
            return h["seconds"][0] * scale
        return run

    print(f"\n== matrix mini-batch backprop vs the classic per-sample loop "
          f"(784-30-10 sigmoid, batch 10, {n:,} samples per timing, scaled to one epoch of {EPOCH:,})")
    times = interleave({"classic per-sample (float64)": classic,
                        "nnlib matrix (float64)": matrix(np.float64),
                        "nnlib matrix (float32)": matrix(np.float32)}, repeats)
    for name, t in times.items():
        print(f"  {name:32s} {spread(t)} per epoch")
    classic_times = times["classic per-sample (float64)"]
    for name in ("nnlib matrix (float64)", "nnlib matrix (float32)"):
        # the median of the per-round ratios: each round's runs shared the machine's load
        ratio = statistics.median(t / c for t, c in zip(times[name], classic_times))
        print(f"  ratio {name} / classic: {ratio:.3f} ({1 / ratio:.1f}x faster; median of the "
              f"per-round ratios)")


def plain_numpy_epoch(net, x, targets, batch, eta, seed):
    """One epoch of mini-batch SGD for a 2-layer sigmoid network with the quadratic cost, written
    as a plain numpy loop: the arithmetic of nnlib.sgd (same permutation, same batches, same
    stable sigmoid) and nothing else.  Returns the seconds of the loop (the shuffle included)."""
    w1, w2 = (w.copy() for w in net.weights)
    b1, b2 = (b.copy() for b in net.biases)
    sigmoid = nnlib.sigmoid
    m = x.shape[1]
    start = time.perf_counter()
    order = np.random.default_rng(seed).permutation(m)
    for k in range(0, m, batch):
        idx = order[k:k + batch]
        xb, yb = x[:, idx], targets[:, idx]
        a1 = sigmoid(w1 @ xb + b1)
        a2 = sigmoid(w2 @ a1 + b2)
        d2 = (a2 - yb) / len(idx) * (a2 * (1.0 - a2))
        d1 = (w2.T @ d2) * (a1 * (1.0 - a1))
        w2 -= eta * (d2 @ a1.T)
        b2 -= eta * d2.sum(axis=1, keepdims=True)
        w1 -= eta * (d1 @ xb.T)
        b1 -= eta * d1.sum(axis=1, keepdims=True)
    return time.perf_counter() - start


def bench_overhead(data, repeats, n):
    """nnlib.sgd against plain_numpy_epoch, interleaved; the median of the per-round ratios."""
    labels = data[1][:n]
    print(f"\n== overhead: nnlib.sgd vs the same maths as a plain numpy loop (784-30-10 sigmoid, "
          f"quadratic, eta 3.0; {n:,} samples per timing; medians of {repeats} interleaved rounds)")
    results = {}
    for dtype in (np.float32, np.float64):
        x = np.asfortranarray(data[0][:, :n].astype(dtype))
        targets = nnlib.one_hot(labels, 10, dtype=dtype)
        for batch in (10, 128):
            def nnlib_epoch(monitor):
                def run():
                    net = Network([784, 30, 10], rng=1, dtype=dtype)
                    h = sgd(net, x, labels, epochs=1, batch_size=batch, eta=3.0, rng=2,
                            monitor_train=monitor)
                    return h["seconds"][0]
                return run

            def plain():
                return plain_numpy_epoch(Network([784, 30, 10], rng=1, dtype=dtype), x, targets,
                                         batch, 3.0, 2)

            candidates = {"plain": plain, "nnlib": nnlib_epoch(False), "nnlib+monitor": nnlib_epoch(True)}
            for fn in candidates.values():
                fn()  # warm up
            times = interleave(candidates, repeats)
            ratios = {name: statistics.median(a / b for a, b in zip(times[name], times["plain"]))
                      for name in ("nnlib", "nnlib+monitor")}
            results[np.dtype(dtype).name, batch] = ratios
            print(f"  {np.dtype(dtype).name} batch {batch:3d}: plain {statistics.median(times['plain']):.3f} s, "
                  f"nnlib {statistics.median(times['nnlib']):.3f} s, with monitor_train "
                  f"{statistics.median(times['nnlib+monitor']):.3f} s; ratio to plain "
                  f"{ratios['nnlib']:.2f} ({ratios['nnlib+monitor']:.2f} monitored)"
                  f"  goal <= {1.3 if batch == 10 else 1.1}", flush=True)
    return results


def bench_torch(data, repeats, n, batch=64):
    try:
        import torch
    except ImportError:
        print("\n== nnlib vs PyTorch: skipped (torch is not installed; pip install torch to run it)")
        return
    threads = blas_threads()
    torch.set_num_threads(threads)
    x, labels = data[0][:, :n], data[1][:n]
    x_rows = torch.from_numpy(np.ascontiguousarray(x.T))          # torch's layout: one sample per row
    y_rows = torch.from_numpy(labels.astype(np.int64))
    scale = EPOCH / n
    print(f"\n== nnlib vs PyTorch {torch.__version__} on the CPU ({threads} threads each; float32; "
          f"ReLU, softmax + cross-entropy, SGD momentum 0.9; batch {batch}; {n:,} samples per timing, "
          f"scaled to one epoch of {EPOCH:,})")

    for hidden in (30, 100, 256):
        def nnlib_epoch():
            net = Network([784, hidden, 10], activation="relu", output="softmax", cost="cross_entropy",
                          init="he", rng=0, dtype=np.float32)
            h = sgd(net, x, labels, epochs=1, batch_size=batch, eta=0.1, rng=1, momentum=0.9,
                    monitor_train=False)
            return h["seconds"][0] * scale

        def torch_epoch():
            torch.manual_seed(0)
            model = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
            opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
            gen = torch.Generator().manual_seed(1)
            start = time.perf_counter()
            order = torch.randperm(n, generator=gen)
            for k in range(0, n, batch):
                idx = order[k:k + batch]
                loss = torch.nn.functional.cross_entropy(model(x_rows[idx]), y_rows[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            return (time.perf_counter() - start) * scale

        nnlib_epoch(), torch_epoch()  # warm up both
        times = interleave({"nnlib": nnlib_epoch, "torch": torch_epoch}, repeats)
        ratio = statistics.median(times["nnlib"]) / statistics.median(times["torch"])
        per_round = [a / b for a, b in zip(times["nnlib"], times["torch"])]
        print(f"  784-{hidden}-10: nnlib {spread(times['nnlib'])}; torch {spread(times['torch'])}")
        print(f"  784-{hidden}-10: ratio nnlib/torch {ratio:.3f} (per-round ratios "
              f"{min(per_round):.2f}-{max(per_round):.2f})")


def bench_target(data, repeats, target=0.98, max_epochs=30):
    x, labels, xt, lt = data
    print(f"\n== time to {target:.0%} test accuracy (ReLU 784-256-10, he init, softmax + cross-entropy, "
          f"momentum 0.9, eta 0.1, batch 128, float32; the clock includes the per-epoch test evaluation)")
    results = []
    for r in range(repeats):
        net = Network([784, 256, 10], activation="relu", output="softmax", cost="cross_entropy", init="he",
                      rng=r, dtype=np.float32)
        reached = {}

        def stop(epoch, history):
            if history["validation_accuracy"][-1] >= target:
                reached.update(epoch=epoch, accuracy=history["validation_accuracy"][-1])
                return True  # early stop
            return False

        start = time.perf_counter()
        sgd(net, x, labels, epochs=max_epochs, batch_size=128, eta=0.1, rng=100 + r, momentum=0.9,
            validation=(xt, lt), monitor_train=False, callback=stop)
        seconds = time.perf_counter() - start
        if reached:
            results.append(seconds)
            print(f"  seed {r}: {reached['accuracy']:.2%} after {reached['epoch']} epochs, {seconds:.2f} s")
        else:
            print(f"  seed {r}: did not reach {target:.0%} in {max_epochs} epochs ({seconds:.1f} s)")
    if results:
        print(f"  time to {target:.0%}: {spread(results)}")


def matmul_gflops(n=2048, repeats=5):
    """numpy's own float32 rate on an n x n @ n x n product (2 n^3 FLOP), median of the repeats."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))
    a @ b  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * n ** 3 / statistics.median(times) / 1e9


def training_flops(sizes):
    """FLOPs of one SGD step per sample, counting the matrix products only.

    Forward 2 n_in n_out per layer (z = W a); backward 2 n_in n_out for ∂C/∂W = δ a^T, and
    another 2 n_in n_out for W^T δ in every layer but the first (nnlib never computes δ^0).
    """
    layers = list(zip(sizes[:-1], sizes[1:]))
    return sum(6 * n_in * n_out for n_in, n_out in layers) - 2 * sizes[0] * sizes[1]


def bench_scaling(data, repeats, n, batch=128):
    """nnlib's rate against numpy's matmul rate, each round measuring both (the machine may be shared)."""
    x, labels = data[0][:, :n], data[1][:n]
    print(f"\n== scaling (ReLU, softmax + cross-entropy, SGD momentum 0.9, batch {batch}, float32; "
          f"{n:,} samples per timing, scaled to one epoch of {EPOCH:,}; {blas_threads()} BLAS threads)")
    print(f"  numpy float32 matmul 2048x2048 @ 2048x2048: {matmul_gflops():.1f} GFLOP/s (median of 5)")
    try:
        import torch
    except ImportError:
        torch = None
        print("  PyTorch: skipped (torch is not installed)")
    for sizes in ([784, 30, 10], [784, 100, 10], [784, 256, 10], [784, 1024, 10], [784, 1024, 1024, 10]):
        def nnlib_epoch():
            net = Network(sizes, activation="relu", output="softmax", cost="cross_entropy", init="he",
                          rng=0, dtype=np.float32)
            h = sgd(net, x, labels, epochs=1, batch_size=batch, eta=0.05, rng=1, momentum=0.9,
                    monitor_train=False)
            return h["seconds"][0]

        candidates = {"matmul": lambda: 1 / matmul_gflops(1024, 3), "nnlib": nnlib_epoch}
        if torch is not None:
            candidates["torch"] = _torch_epoch(torch, sizes, x, labels, batch)
        for fn in candidates.values():
            fn()  # warm up
        times = interleave(candidates, repeats)
        rates = [training_flops(sizes) * n / t / 1e9 for t in times["nnlib"]]
        fractions = [rate * inverse_peak for rate, inverse_peak in zip(rates, times["matmul"])]
        line = (f"  {'-'.join(map(str, sizes)):18s} nnlib {statistics.median(times['nnlib']) * EPOCH / n:7.2f}"
                f" s/epoch, {statistics.median(rates):6.1f} GFLOP/s = {statistics.median(fractions):5.1%} of "
                f"the matmul rate measured in the same rounds ({1 / statistics.median(times['matmul']):.1f})")
        if torch is not None:
            line += f"; torch {statistics.median(times['torch']) * EPOCH / n:7.2f} s/epoch"
        print(line, flush=True)


def _torch_epoch(torch, sizes, x, labels, batch):
    """One epoch of the same network in PyTorch (ReLU, cross-entropy, SGD momentum 0.9)."""
    x_rows = torch.from_numpy(np.ascontiguousarray(x.T))
    y_rows = torch.from_numpy(labels.astype(np.int64))
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])

    def run():
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        start = time.perf_counter()
        for k in range(0, x_rows.shape[0], batch):
            loss = torch.nn.functional.cross_entropy(model(x_rows[k:k + batch]), y_rows[k:k + batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
        return time.perf_counter() - start
    return run


def bench_notebooks():
    notebooks = sorted((ROOT / "book").glob("*.ipynb"))
    print(f"\n== notebooks: nbval over {len(notebooks)} notebooks in book/, and the strict book build")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                           "--nbval-current-env", "book"], cwd=ROOT, capture_output=True, text=True)
    last = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
    print(f"  nbval suite: {time.perf_counter() - start:.1f} s (exit {proc.returncode}: {last})")
    jb = shutil.which("jupyter-book") or str(Path(sys.executable).parent / "jupyter-book")
    if not Path(jb).exists():
        print("  book build: skipped (jupyter-book not found next to this Python)")
        return
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        proc = subprocess.run([jb, "build", "-W", "-n", "--keep-going", "book", "--path-output", out],
                              cwd=ROOT, capture_output=True, text=True)
        print(f"  book build: {time.perf_counter() - start:.1f} s (exit {proc.returncode})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", choices=["classic", "overhead", "torch", "target", "scaling", "notebooks"],
                        help="run only this part (may be given several times)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and samples")
    parser.add_argument("--repeats", type=int, help="rounds per comparison (default 5, quick 3)")
    args = parser.parse_args(argv)
    parts = args.only or ["classic", "overhead", "torch", "target", "scaling", "notebooks"]
    repeats = args.repeats or (3 if args.quick else 5)
    print("machine:", describe_machine())
    data = mnist_columns() if set(parts) - {"notebooks"} else None
    if "classic" in parts:
        bench_classic(data, repeats, n=3_000 if args.quick else 10_000)
    if "overhead" in parts:
        bench_overhead(data, repeats, n=3_000 if args.quick else 10_000)
    if "torch" in parts:
        bench_torch(data, repeats, n=5_000 if args.quick else 10_000)
    if "target" in parts:
        bench_target(data, 1 if args.quick else 3)
    if "scaling" in parts:
        bench_scaling(data, repeats, n=2_560 if args.quick else 6_400)
    if "notebooks" in parts:
        bench_notebooks()


if __name__ == "__main__":
    sys.exit(main())
