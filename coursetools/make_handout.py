"""Make the student handout: a folder (and a .zip of it) that installs with one command.

    .venv/bin/python -m coursetools.make_handout            # -> book/_build/handout/nn-from-scratch/
    .venv/bin/python -m coursetools.make_handout --out DIR  # the folder to write (new, empty, or an
                                                        # earlier handout: see below)
    .venv/bin/python -m coursetools.make_handout --notebooks course/release/04_backpropagation
                                                        # ship nbgrader's release notebooks instead

The folder holds
* the chapters without their solutions (``coursetools/student_version.py``: every cell tagged
  ``solution`` removed, outputs cleared), or the notebooks of ``--notebooks`` (e.g. an nbgrader
  release folder, so that the handout can be autograded); in both, the roles JupyterLab cannot
  render (glued numbers, citations, links to other pages) written out as the book shows them
  (``coursetools/plain_myst.py``);
* ``nnlib-<version>-py3-none-any.whl``: the companion library, MNIST and the digit pictures inside;
* ``requirements.txt``: one line, the wheel with its extras ``notebooks`` (numpy, matplotlib,
  pillow, ipykernel, myst-nb) and ``lab`` (JupyterLab and jupyterlab-myst, which renders the
  notebooks' MyST prose).  The version ranges are the wheel's own metadata, i.e. nnlib's
  ``pyproject.toml``: written once (tests/test_project.py);
* ``README.md`` with the one command a student runs in the folder::

      python3 -m venv .venv && .venv/bin/pip install -r requirements.txt

  then ``.venv/bin/jupyter lab``.  Nothing else from the repository is needed.
* ``LICENSE`` and ``LICENSE-text.md``;
* ``.nnlib-handout``: the names of the files this script wrote (not in the .zip).

Never deleting what is not ours: ``--out`` is created if it does not exist; an existing folder is
used only if it is empty or an earlier handout (it has ``.nnlib-handout``, and nothing in it that
the earlier run did not write); then only the files the earlier run wrote are replaced.  Anything
else is refused with one line naming it, before anything is written; so is an existing
``DIR.zip`` next to a folder that is not an earlier handout.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat

from coursetools import plain_myst, student_version, toc

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
DEFAULT_OUT = BOOK / "_build" / "handout" / "nn-from-scratch"
MARKER = ".nnlib-handout"
MARKER_HEADER = "# written by coursetools/make_handout.py: the files of this handout, one a line\n"



# The handout's requirements: the wheel and its extras.  No version here: the ranges are the
# wheel's metadata (pyproject.toml), the one place they are written.
EXTRAS = "notebooks,lab"
REQUIREMENTS = """\
# Install (in this folder):  python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
# nnlib (the wheel, MNIST inside) with what the notebooks need (numpy, matplotlib, pillow,
# ipykernel, myst-nb) and JupyterLab with jupyterlab-myst; the version ranges are the wheel's own.
./{wheel}[{extras}]
"""
README = """\
# Neural networks from scratch — student handout

The chapters of the course as notebooks without their solutions, and the companion library
`nnlib` (with the MNIST data inside) as a wheel. Tested with Python 3.11; expected to work with
Python 3.10–3.13.

**Install** (once, in this folder; on Windows use `.venv\\Scripts\\` instead of `.venv/bin/`):

```bash
python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
```

**Work:** `.venv/bin/jupyter lab`, then open `getting_started.ipynb` first. Every chapter runs top
to bottom in a fresh kernel. Write your answers in the cells marked `# YOUR CODE HERE` (where there
are some) or in new cells under each exercise.

Licences: code MIT (`LICENSE`); text and figures CC BY 4.0 (`LICENSE-text.md`); MNIST
CC BY-SA 3.0 (LeCun, Cortes, Burges).
"""


class NotOursError(ValueError):
    """``--out`` (or the .zip beside it) holds something this script did not write."""


def claim(out):
    """Check that the folder ``out`` may be written; return the files an earlier handout wrote
    there (to be replaced).  Raises NotOursError, naming what is not ours, before any change."""
    archive = out.with_name(out.name + ".zip")
    marker = out / MARKER
    if out.exists() and not out.is_dir():
        raise NotOursError(f"{out} exists and is not a folder; choose another --out")
    earlier = []
    if out.is_dir() and any(out.iterdir()):
        if not marker.is_file():
            raise NotOursError(f"{out} is not empty and is not a handout made by this script "
                               f"(no {MARKER} in it); choose a new or empty folder")
        listed = {line for line in marker.read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#")}
        for path in sorted(out.iterdir()):
            if path.name != MARKER and (path.name not in listed or path.is_dir()
                                        or path.is_symlink()):
                raise NotOursError(f"{path} was not written by an earlier run of this script; "
                                   "move it away or choose another --out")
        earlier = [out / name for name in sorted(listed) if (out / name).is_file()]
    if (archive.exists() or archive.is_symlink()) and not (
            marker.is_file() and archive.is_file() and not archive.is_symlink()):
        raise NotOursError(f"{archive} exists and was not made by this script; "
                           "move it away or choose another --out")
    return earlier


def build_wheel(dest):
    """Build nnlib's wheel into ``dest`` (offline when setuptools is installed); return its path."""
    base = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dest),
            str(ROOT)]
    proc = subprocess.run(base + ["--no-build-isolation"], capture_output=True, text=True)
    if proc.returncode != 0:            # no setuptools here: let pip fetch the build backend
        proc = subprocess.run(base, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("building the nnlib wheel failed:\n" + proc.stdout + proc.stderr)
    [wheel] = sorted(Path(dest).glob("nnlib-*.whl"))
    return wheel


def make_handout(out, notebooks=None):
    """Write the handout folder ``out`` and ``out.zip``; return ``(folder, zip_path)``."""
    out = Path(out).absolute()
    if out.resolve() == ROOT or out.resolve() in ROOT.parents or out.resolve() == BOOK:
        raise NotOursError(f"refusing to write the handout into {out}")
    if notebooks:
        sources = sorted(Path(notebooks).glob("*.ipynb"))
    else:
        sources = toc.notebooks(BOOK)
    if not sources:
        raise ValueError(f"no notebook to hand out in {notebooks or BOOK}")
    for path in claim(out):
        path.unlink()
    out.mkdir(parents=True, exist_ok=True)
    marker = out / MARKER
    marker.write_text(MARKER_HEADER, encoding="utf-8")
    written = []

    def record(name):                   # listed before it is written: a failed run stays ours
        written.append(name)
        with open(marker, "a", encoding="utf-8") as f:
            f.write(name + "\n")
        return out / name

    # JupyterLab shows glued numbers, citations and links to other pages as their keys: write
    # them out as the book shows them (coursetools/plain_myst.py; MYST-IN-JUPYTERLAB.md).
    book = plain_myst.Book(BOOK, shipped=[src.stem for src in sources])
    for src in sources:
        nb = book.plain(src.stem, nbformat.read(src, as_version=4))
        if not notebooks:
            try:
                nb, _ = student_version.strip_solutions(nb, clear_outputs=True)
            except student_version.UntaggedSolutionError as e:
                raise student_version.UntaggedSolutionError(f"{src.name}: {e}") from None
        nbformat.write(nb, record(src.name))
    with tempfile.TemporaryDirectory() as staging:
        wheel = build_wheel(staging)
        shutil.move(str(wheel), str(record(wheel.name)))
    record("requirements.txt").write_text(REQUIREMENTS.format(wheel=wheel.name, extras=EXTRAS),
                                          encoding="utf-8")
    record("README.md").write_text(README, encoding="utf-8")
    for name in ("LICENSE", "LICENSE-text.md"):
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, record(name))
    archive = out.with_name(out.name + ".zip")
    with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.zip.",
                                     delete=False) as f:   # a new name: nothing overwritten
        partial = Path(f.name)
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(written):
            z.write(out / name, f"{out.name}/{name}")
    os.replace(partial, archive)
    return out, archive


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="the folder to write: new, empty, or an earlier handout "
                             f"(default: {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--notebooks", type=Path,
                        help="ship the notebooks of this folder (e.g. an nbgrader release folder) "
                             "instead of the chapters without solutions")
    args = parser.parse_args(argv)
    try:
        folder, archive = make_handout(args.out, args.notebooks)
    except (student_version.UntaggedSolutionError, RuntimeError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    names = sorted(p.name for p in folder.iterdir())
    print(f"handout: {folder} ({len(names)} files: {', '.join(names)}); archive: {archive}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
