"""Record the licences in every notebook's metadata (idempotent).

    python -m coursetools.stamp_licence                 # every notebook in book/
    python -m coursetools.stamp_licence book/01_neuron.ipynb
    python -m coursetools.stamp_licence --check         # exit 1 if a notebook lacks the stamp

Sets ``nb.metadata["license"]`` to :data:`LICENSE` (text and figures CC BY 4.0, code MIT; the
data's own notice is named).  Only the metadata is touched: cells and outputs stay as they are,
the file is written by nbformat as every notebook of the book is, and a notebook that already
carries the stamp is not rewritten, so running the script twice changes nothing.
"""
import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
LICENSE = {
    "text": "CC-BY-4.0",
    "code": "MIT",
    "data": "MNIST: CC-BY-SA-3.0 (Yann LeCun, Corinna Cortes, Christopher J.C. Burges)",
    "notice": "Text and figures: CC BY 4.0 (LICENSE-text.md); code: MIT (LICENSE).",
}


def is_stamped(nb):
    """True if the notebook dict carries exactly :data:`LICENSE` in its metadata."""
    return nb.get("metadata", {}).get("license") == LICENSE


def stamp(path):
    """Add the licence to one notebook file; return True if the file was changed."""
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    if is_stamped(nb):
        return False
    nb.metadata["license"] = dict(LICENSE)
    nbformat.write(nb, path)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to stamp (default: every notebook in book/)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook lacks the stamp")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(BOOK.glob("*.ipynb"))
    status = 0
    for path in paths:
        if args.check:
            if not is_stamped(nbformat.read(path, as_version=nbformat.NO_CONVERT)):
                print(f"{path}: no licence in the metadata; run coursetools/stamp_licence.py",
                      file=sys.stderr)
                status = 1
        else:
            print(f"{path.name}: {'stamped' if stamp(path) else 'already stamped'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
