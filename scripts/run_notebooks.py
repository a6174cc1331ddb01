"""Execute notebooks top to bottom in a fresh kernel and save their outputs in place.

    python scripts/run_notebooks.py book/01_neuron.ipynb [more.ipynb ...]
    python scripts/run_notebooks.py            # every notebook in book/

Run this after editing a chapter: the book renders the stored outputs and nbval
compares against them.  Each notebook runs with book/ as its working directory.
"""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

BOOK = Path(__file__).resolve().parent.parent / "book"


def run(path):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv):
    paths = [Path(p).resolve() for p in argv] or sorted(BOOK.glob("*.ipynb"))
    for path in paths:
        print(f"{path.name}: {run(path):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
