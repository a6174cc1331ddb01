"""Make the student handout: a folder (and a .zip of it) that installs with one command.

    python scripts/make_handout.py                      # -> book/_build/handout/nn-from-scratch/
    python scripts/make_handout.py --out DIR            # the folder to create (replaced if there)
    python scripts/make_handout.py --notebooks course/release/04_backpropagation
                                                        # ship nbgrader's release notebooks instead

The folder holds
* the chapters without their solutions (``scripts/student_version.py``: every cell tagged
  ``solution`` removed, outputs cleared), or the notebooks of ``--notebooks`` (e.g. an nbgrader
  release folder, so that the handout can be autograded);
* ``nnlib-<version>-py3-none-any.whl``: the companion library, MNIST and the digit pictures inside;
* ``requirements.txt``: what the notebooks need (numpy, matplotlib, pillow, ipykernel, JupyterLab)
  and the wheel;
* ``README.md`` with the one command a student runs in the folder::

      python3 -m venv .venv && .venv/bin/pip install -r requirements.txt

  then ``.venv/bin/jupyter lab``.  Nothing else from the repository is needed.
* ``LICENSE`` and ``LICENSE-text.md``.
"""
import argparse
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
DEFAULT_OUT = BOOK / "_build" / "handout" / "nn-from-scratch"

_spec = importlib.util.spec_from_file_location("student_version",
                                               Path(__file__).resolve().parent / "student_version.py")
student_version = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student_version)

# What the notebooks import, as ranges (the same as the project's requirements.txt).
REQUIREMENTS = """\
# Install (in this folder):  python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
numpy>=1.23,<3
matplotlib>=3.6,<4
pillow>=9,<14
ipykernel>=6,<8
jupyterlab>=4,<5
./{wheel}
"""
README = """\
# Neural networks from scratch — student handout

The chapters of the course as notebooks without their solutions, and the companion library
`nnlib` (with the MNIST data inside) as a wheel. Python 3.10–3.13.

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


def build_wheel(dest):
    """Build nnlib's wheel into ``dest`` (offline when setuptools is installed); return its path."""
    base = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dest), str(ROOT)]
    proc = subprocess.run(base + ["--no-build-isolation"], capture_output=True, text=True)
    if proc.returncode != 0:            # no setuptools here: let pip fetch the build backend
        proc = subprocess.run(base, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError("building the nnlib wheel failed:\n" + proc.stdout + proc.stderr)
    [wheel] = sorted(Path(dest).glob("nnlib-*.whl"))
    return wheel


def make_handout(out, notebooks=None):
    """Write the handout folder ``out`` and ``out.zip``; return ``(folder, zip_path)``."""
    out = Path(out).resolve()
    if out == ROOT or out in ROOT.parents or out == BOOK:
        raise ValueError(f"refusing to replace {out}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if notebooks:
        for src in sorted(Path(notebooks).glob("*.ipynb")):
            shutil.copy(src, out / src.name)
    else:
        toc = [line.split("file:")[1].strip() for line in (BOOK / "_toc.yml").read_text().splitlines()
               if "file:" in line]
        for name in toc:
            if (BOOK / f"{name}.ipynb").is_file():
                student_version.write_student_version(BOOK / f"{name}.ipynb", out, clear_outputs=True)
    if not list(out.glob("*.ipynb")):
        raise ValueError("no notebook to hand out")
    wheel = build_wheel(out)
    (out / "requirements.txt").write_text(REQUIREMENTS.format(wheel=wheel.name), encoding="utf-8")
    (out / "README.md").write_text(README, encoding="utf-8")
    for name in ("LICENSE", "LICENSE-text.md"):
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, out / name)
    archive = shutil.make_archive(str(out), "zip", root_dir=out.parent, base_dir=out.name)
    return out, Path(archive)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"the folder to create (default: {DEFAULT_OUT.relative_to(ROOT)})")
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
