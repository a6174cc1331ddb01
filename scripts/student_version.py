"""Write student versions of the chapter notebooks: every cell tagged ``solution`` removed.

    python scripts/student_version.py                       # every notebook in book/ -> book/_build/student/
    python scripts/student_version.py --out handout book/04_backpropagation.ipynb
    python scripts/student_version.py --clear-outputs --out handout

The originals are never modified: each student copy is written, under the same file name, to the
output folder (which must not be the folder of the originals).  In the book's notebooks a solution
is a gated sphinx-exercise solution::

    ```{solution-start} ex-04-1       <- markdown cell, tagged "solution"
    ...code and markdown cells...     <- each tagged "solution"
    ```{solution-end}                 <- markdown cell, tagged "solution"

so removing the tagged cells removes the solution and leaves the ``{exercise}`` cell, and every
other cell, exactly as it was.  A notebook whose solution directives are not all tagged is refused
(exit status 1, naming the cells), because removing part of a gated solution would leave a broken
notebook; so is a notebook with an untagged cell (code or markdown) between a ``{solution-start}``
and its ``{solution-end}``, which would otherwise leak into the student copy.  ``--clear-outputs`` also empties the outputs and execution counts of the remaining code
cells, for a copy the student runs from scratch.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
DEFAULT_OUT = BOOK / "_build" / "student"
TAG = "solution"
# Any sphinx-exercise solution directive, gated or not (```{solution} / ```{solution-start} / -end).
SOLUTION_DIRECTIVE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{solution(-start|-end)?\}", re.M)
SOLUTION_START = re.compile(r"^\s*(`{3,}|:{3,})\s*\{solution-start\}", re.M)
SOLUTION_END = re.compile(r"^\s*(`{3,}|:{3,})\s*\{solution-end\}", re.M)


class UntaggedSolutionError(ValueError):
    """A cell holds a solution directive but is not tagged ``solution``."""


def is_solution(cell):
    """True if the cell carries the ``solution`` tag in ``metadata.tags``."""
    return TAG in cell.get("metadata", {}).get("tags", [])


def untagged_solution_cells(nb):
    """Indices of cells that contain a solution directive but lack the ``solution`` tag."""
    return [i for i, cell in enumerate(nb.cells)
            if cell.cell_type == "markdown" and SOLUTION_DIRECTIVE.search(cell.source)
            and not is_solution(cell)]


def untagged_cells_inside_solutions(nb):
    """Indices of untagged cells between a ``{solution-start}`` cell and its ``{solution-end}``.

    Such a cell is part of the solution on the web page (sphinx-exercise gates everything between
    the two directives), so removing only the tagged cells would leak it into the student copy.
    """
    bad, inside = [], False
    for i, cell in enumerate(nb.cells):
        source = cell.source if cell.cell_type == "markdown" else ""
        if SOLUTION_START.search(source):
            inside = True
        elif inside and not is_solution(cell):
            bad.append(i)
        if SOLUTION_END.search(source):
            inside = False
    return bad


def strip_solutions(nb, clear_outputs=False):
    """Return ``(student_notebook, number_of_cells_removed)``; ``nb`` itself is left unchanged.

    Raises :class:`UntaggedSolutionError` (naming the cells) if a solution directive is not
    tagged, or if an untagged cell sits between a solution's start and end: removing the tagged
    cells alone would then leave half a solution in the student copy.
    """
    bad = untagged_solution_cells(nb)
    if bad:
        raise UntaggedSolutionError(
            f"cells {bad} contain a solution directive but are not tagged {TAG!r}: tag every cell "
            f"of the solution (solution-start, its code and markdown, solution-end)")
    bad = untagged_cells_inside_solutions(nb)
    if bad:
        raise UntaggedSolutionError(
            f"cells {bad} lie between a solution-start and its solution-end but are not tagged "
            f"{TAG!r}: they would leak the solution into the student copy; tag them {TAG!r} "
            f"(or move them out of the solution)")
    student = nbformat.from_dict(nb)          # a deep copy
    kept = [cell for cell in student.cells if not is_solution(cell)]
    removed = len(student.cells) - len(kept)
    student.cells = kept
    if clear_outputs:
        for cell in student.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
    return student, removed


def write_student_version(src, out_dir, clear_outputs=False):
    """Write the student copy of notebook ``src`` into ``out_dir``; return ``(path, removed)``."""
    src, out_dir = Path(src).resolve(), Path(out_dir).resolve()
    if out_dir == src.parent:
        raise ValueError(f"the output folder {out_dir} is the folder of the original notebooks; "
                         "choose another so the originals are not overwritten")
    nb = nbformat.read(src, as_version=4)
    try:
        student, removed = strip_solutions(nb, clear_outputs=clear_outputs)
    except UntaggedSolutionError as e:
        raise UntaggedSolutionError(f"{src.name}: {e}") from None
    out_dir.mkdir(parents=True, exist_ok=True)
    dest = out_dir / src.name
    nbformat.write(student, dest)
    return dest, removed


def _one_line(e):
    """An exception's message on one line (the first line of a long one)."""
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to convert (default: every notebook in book/)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output folder (default: {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--clear-outputs", action="store_true",
                        help="also remove the outputs of the remaining code cells")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(BOOK.glob("*.ipynb"))
    if not notebooks:
        parser.error("no notebooks found")
    status = 0
    for src in notebooks:
        try:
            dest, removed = write_student_version(src, args.out, clear_outputs=args.clear_outputs)
        except (UntaggedSolutionError, ValueError, OSError) as e:
            message = _one_line(e)
            if Path(src).name not in message:
                message = f"{src}: {message}"
            print(f"error: {message}", file=sys.stderr)
            status = 1
            continue
        except Exception as e:   # e.g. nbformat's schema errors on a file that is not a notebook
            print(f"error: {src}: not a Jupyter notebook ({_one_line(e)})", file=sys.stderr)
            status = 1
            continue
        print(f"{src.name}: {removed} solution cells removed -> {dest}")
    return status


if __name__ == "__main__":
    sys.exit(main())
