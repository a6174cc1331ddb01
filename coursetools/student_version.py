"""Write the student versions of the chapter notebooks: no solution, no hidden test.

    .venv/bin/python -m coursetools.student_version                 # book/*.ipynb -> book/_build/student/
    .venv/bin/python -m coursetools.student_version --out handout book/04_backpropagation.ipynb
    .venv/bin/python -m coursetools.student_version --clear-outputs --out handout

The student version is what the student edition of the book, the handout and the launch buttons
give a learner.  It follows the exercise convention of the chapters:

* an exercise is a markdown cell ```` ```{exercise} Title ```` (label ``ex-CC-N``): kept;
* its solution is gated, every cell of it tagged ``solution``::

      ```{solution-start} ex-04-1       <- markdown cell, tagged "solution"
      ...code and markdown cells...     <- each tagged "solution"
      ```{solution-end}                 <- markdown cell, tagged "solution"

  every such cell is removed, except
* the learner's code of an autograded exercise (a code cell tagged ``solution`` and ``answer``),
  which becomes a code cell holding ``# YOUR CODE HERE`` (metadata kept, the ``solution`` tag
  dropped, no output);
  the hidden tests (tagged ``solution`` and ``grader``) are removed with the rest;
* the visible check after the solution (a code cell tagged ``check``, never ``solution``) stays,
  its output cleared, so that the student runs it for feedback.

So a student's notebook runs top to bottom even unanswered.  Tags are matched exactly
(``solution-extra`` is not ``solution``), and solution directives are recognised in every MyST
fence (```` ``` ````, ``~~~``, ``:::``).  A notebook that breaks the convention is refused with one
line naming the file and the cells: a solution directive not tagged ``solution``, an untagged cell
between a ``{solution-start}`` and its ``{solution-end}`` (it would leak), an ``answer`` or
``grader`` cell not tagged ``solution`` or not code, a ``check`` cell tagged ``solution``, tags
that are not a list of strings.

The originals are never modified: each student copy is written, under the same file name, to the
output folder, which must not be the folder of the originals.  The script creates that folder and
leaves a marker file (``.student_version``) in it; an existing folder is used only if it is empty
or holds that marker (an earlier output), else it is refused.  Nothing is ever deleted.
``--clear-outputs`` also empties the outputs and execution counts of every remaining code cell, for
a copy the student runs from scratch.
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
DEFAULT_OUT = BOOK / "_build" / "student"
MARKER = ".student_version"
TAG = "solution"
ANSWER, GRADER, CHECK = "answer", "grader", "check"
STUB = "# YOUR CODE HERE"
# A sphinx-exercise solution directive, gated or not, in any MyST fence: ``` ~~~ :::
FENCE = r"^[ \t]*(?:`{3,}|~{3,}|:{3,})[ \t]*"
SOLUTION_DIRECTIVE = re.compile(FENCE + r"\{solution(-start|-end)?\}", re.M)
SOLUTION_START = re.compile(FENCE + r"\{solution-start\}", re.M)
SOLUTION_END = re.compile(FENCE + r"\{solution-end\}", re.M)


class UntaggedSolutionError(ValueError):
    """The notebook breaks the exercise convention: removing the tagged cells would leak or break."""


def tags(cell):
    """The cell's tags, a list of strings; anything else is an error (not matched by substring)."""
    value = cell.get("metadata", {}).get("tags", [])
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise UntaggedSolutionError(f"tags {value!r} are not a list of strings")
    return value


def has_tag(cell, tag):
    """True if ``tag`` is one of the cell's tags (exactly: ``not-solution`` is not ``solution``)."""
    return tag in tags(cell)


def is_solution(cell):
    """True if the cell carries the ``solution`` tag in ``metadata.tags``."""
    return has_tag(cell, TAG)


def bad_tags(nb):
    """Indices of cells whose tags are not a list of strings."""
    bad = []
    for i, cell in enumerate(nb.cells):
        try:
            tags(cell)
        except UntaggedSolutionError:
            bad.append(i)
    return bad


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


def is_stub(cell):
    """True for the empty answer cell of a student's copy (:func:`stub`)."""
    return (cell.cell_type == "code" and has_tag(cell, ANSWER) and not is_solution(cell)
            and cell.source == STUB)


def misplaced_exercise_tags(nb):
    """``(index, what is wrong)`` for ``answer``/``grader``/``check`` cells that break the convention."""
    wrong = []
    for i, cell in enumerate(nb.cells):
        for tag in (ANSWER, GRADER):
            if tag == ANSWER and is_stub(cell):
                continue                       # a student's copy: nothing left to hide
            if has_tag(cell, tag) and not is_solution(cell):
                wrong.append((i, f"tagged {tag!r} but not {TAG!r} (it would be left in)"))
            elif has_tag(cell, tag) and cell.cell_type != "code":
                wrong.append((i, f"tagged {tag!r} but is a {cell.cell_type} cell, not code"))
        if has_tag(cell, ANSWER) and has_tag(cell, GRADER):
            wrong.append((i, f"tagged both {ANSWER!r} and {GRADER!r}"))
        if has_tag(cell, CHECK) and is_solution(cell):
            wrong.append((i, f"tagged {CHECK!r} and {TAG!r} (a visible check is never a solution)"))
        elif has_tag(cell, CHECK) and cell.cell_type != "code":
            wrong.append((i, f"tagged {CHECK!r} but is a {cell.cell_type} cell, not code"))
    return wrong


def check_convention(nb):
    """Raise :class:`UntaggedSolutionError` (naming the cells) if ``nb`` breaks the convention."""
    bad = bad_tags(nb)
    if bad:
        raise UntaggedSolutionError(f"cells {bad}: metadata.tags is not a list of strings")
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
    wrong = misplaced_exercise_tags(nb)
    if wrong:
        index, what = wrong[0]
        more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
        raise UntaggedSolutionError(f"cell {index} is {what}{more}")


def stub(cell):
    """The learner's empty answer cell in place of an ``answer`` cell: its metadata kept, but
    the ``solution`` tag dropped (the student's copy holds no cell tagged ``solution``)."""
    empty = nbformat.v4.new_code_cell(STUB)
    empty.metadata = cell.metadata
    empty.metadata["tags"] = [tag for tag in tags(cell) if tag != TAG]
    if "id" in cell:
        empty["id"] = cell["id"]
    return empty


def strip_solutions(nb, clear_outputs=False):
    """Return ``(student_notebook, number_of_cells_removed)``; ``nb`` itself is left unchanged.

    Every cell tagged ``solution`` is removed, except ``answer`` cells, which become
    ``# YOUR CODE HERE``; ``check`` cells lose their outputs; with ``clear_outputs`` every code
    cell does.  Raises :class:`UntaggedSolutionError` (naming the cells) if the notebook breaks
    the convention (see :func:`check_convention`).
    """
    check_convention(nb)
    student = nbformat.from_dict(nb)          # a deep copy
    kept, removed = [], 0
    for cell in student.cells:
        if has_tag(cell, ANSWER):
            kept.append(stub(cell))
        elif is_solution(cell):
            removed += 1
        else:
            kept.append(cell)
    student.cells = kept
    for cell in student.cells:
        if cell.cell_type == "code" and (clear_outputs or has_tag(cell, CHECK)):
            cell.outputs = []
            cell.execution_count = None
    return student, removed


def write_student_version(src, out_dir, clear_outputs=False):
    """Write the student copy of notebook ``src`` into ``out_dir``; return ``(path, removed)``.

    ``out_dir`` is created if missing; checking that an existing one may be written is the
    caller's business (:func:`prepare_out`).
    """
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


def prepare_out(out_dir):
    """Create ``out_dir`` (with the marker), or accept it if empty or an earlier output.

    Raises ``ValueError`` naming the folder if it is a file, or a non-empty folder without the
    marker: the script never writes into, let alone empties, a folder it did not make.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"--out {out_dir}: exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise ValueError(f"--out {out_dir}: the folder exists, is not empty and was not made by "
                         f"this script (no {MARKER} in it); choose a new or empty folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("made by coursetools/student_version.py: student notebooks\n",
                                  encoding="utf-8")
    return out_dir


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
    originals = {Path(src).resolve().parent for src in notebooks}
    if args.out.resolve() in originals:
        print(f"error: --out {args.out}: the folder of the original notebooks; choose another "
              "so the originals are not overwritten", file=sys.stderr)
        return 1
    try:
        prepare_out(args.out)
    except (ValueError, OSError) as e:
        print(f"error: {_one_line(e)}", file=sys.stderr)
        return 1
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
