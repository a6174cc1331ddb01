"""Execute notebooks top to bottom in a fresh kernel and save their outputs in place.

    python -m coursetools.run_notebooks book/01_neuron.ipynb [more.ipynb ...]
    python -m coursetools.run_notebooks            # every notebook in book/

Run this after editing a chapter: the book renders the stored outputs and nbval
compares against them.  Each notebook runs with book/ as its working directory.
"""
import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

BOOK = Path(__file__).resolve().parent.parent / "book"


def run(path):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def _one_line(e):
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def main(argv=None):
    """Run each notebook of ``argv`` (default: the command line; none: every chapter).  A file
    that is missing or not a notebook is reported in one line and the others still run.  Returns 0, or 1 if any notebook could not be run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="the notebooks to run (default: every notebook in book/)")
    paths = parser.parse_args(argv).notebooks or sorted(BOOK.glob("*.ipynb"))
    status = 0
    for given in paths:
        path = given.resolve()
        if not path.is_file():
            why = "no such file" if not path.exists() else "not a regular file"
            print(f"error: {given}: {why}", file=sys.stderr, flush=True)
            status = 1
            continue
        try:
            print(f"{path.name}: {run(path):.1f} s", flush=True)
        except CellExecutionError as e:   # the notebook's own error: its traceback is the message
            print(f"error: {given}: a cell failed:\n{e}", file=sys.stderr, flush=True)
            status = 1
        except Exception as e:   # not JSON, not a notebook, unreadable, no kernel
            print(f"error: {given}: cannot be run as a notebook ({type(e).__name__}: {_one_line(e)})",
                  file=sys.stderr, flush=True)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
