"""Side-by-side benchmarks (not timed tests; PERFORMANCE.md has the figures), run from the
repository root:

    .venv/bin/python -m bench.run      # nnlib against plain numpy loops and PyTorch
    .venv/bin/python -m bench.better   # chapter 7: the time to 98.5% validation accuracy

Not part of nnlib's wheel.
"""
