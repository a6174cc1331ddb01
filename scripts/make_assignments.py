"""Turn the chapters' autograded exercises into nbgrader assignments (one per chapter).

    python scripts/make_assignments.py                          # every chapter -> book/_build/course/
    python scripts/make_assignments.py --course ~/teaching/nn   # into your own course folder
    python scripts/make_assignments.py --course C book/04_backpropagation.ipynb

then, in the course folder, with nbgrader (``pip install -r requirements-instructors.txt``)::

    nbgrader generate_assignment 04_backpropagation   # release/04_backpropagation/: hand this out
    # collect: put each student's notebook in submitted/<student>/04_backpropagation/
    nbgrader autograde 04_backpropagation              # runs them, hidden tests restored
    nbgrader export                                    # grades.csv
    nbgrader generate_feedback 04_backpropagation      # feedback/<student>/...: one HTML each

The convention (book/instructors.md, "Autograding with nbgrader"): an exercise is autograded when its gated
solution holds one code cell tagged ``solution`` and ``answer`` (the learner's code) followed by one
code cell tagged ``solution`` and ``grader`` with cell metadata ``"points": N`` (plain asserts).
For each chapter this script writes ``source/<chapter>/<chapter>.ipynb``, the notebook nbgrader
works from:

* the ``answer`` cell becomes an nbgrader *autograded answer* cell, its code between
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` (the handout shows ``# YOUR CODE HERE`` instead);
* the ``grader`` cell becomes a locked *autograder tests* cell worth N points, its asserts between
  ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``: students do not see them, ``nbgrader
  autograde`` puts them back;
* every other cell tagged ``solution`` (the solution's directives, prose and other code) is
  removed, with the same checks as ``scripts/student_version.py`` (nothing untagged inside a
  solution); every other cell stays as it is, outputs cleared.

It also writes ``nbgrader_config.py`` (course id, no ``raise NotImplementedError()`` in the stub so
that a handout runs top to bottom, a 10-minute cell timeout for the training chapters) unless one is
there.  Chapters without an autograded exercise get no assignment (reported).
"""
import argparse
import importlib.util
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
DEFAULT_COURSE = BOOK / "_build" / "course"
COURSE_ID = "nn-from-scratch"

_spec = importlib.util.spec_from_file_location("student_version",
                                               Path(__file__).resolve().parent / "student_version.py")
student_version = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student_version)

SOLUTION_START = re.compile(r"\{solution-start\}\s+(\S+)")
CODE_STUB = "# YOUR CODE HERE"
NBGRADER_CONFIG = f'''\
# nbgrader configuration of the course "Neural networks from scratch"
# (written by scripts/make_assignments.py; edit freely, it is not overwritten).
c = get_config()
c.CourseDirectory.course_id = "{COURSE_ID}"
# The handout's answer cells hold only this comment, so a handout runs top to bottom; an
# unanswered exercise fails its hidden tests (NameError) and scores 0.
c.ClearSolutions.code_stub = {{"python": "{CODE_STUB}"}}
# Chapters that train a network need more than nbgrader's default 30 s for some cells.
c.Execute.timeout = 600
'''


class ConventionError(ValueError):
    """A graded exercise does not follow the convention (answer cell, then grader cell)."""


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def graded_exercises(nb):
    """``[(label, answer_index, grader_index, points)]`` for every autograded exercise."""
    found, label = [], None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            match = SOLUTION_START.search(cell.source)
            if match:
                label = match.group(1)
        if "answer" not in tags(cell):
            if "grader" in tags(cell) and not (i > 0 and "answer" in tags(nb.cells[i - 1])):
                raise ConventionError(f"cell {i}: a 'grader' cell must follow an 'answer' cell")
            continue
        where = f"cell {i} (exercise {label})"
        if cell.cell_type != "code" or "solution" not in tags(cell):
            raise ConventionError(f"{where}: an 'answer' cell must be a code cell tagged 'solution'")
        grader = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
        if grader is None or "grader" not in tags(grader) or grader.cell_type != "code" \
                or "solution" not in tags(grader):
            raise ConventionError(f"{where}: the 'answer' cell must be followed by a code cell "
                                  "tagged 'solution' and 'grader'")
        points = grader.metadata.get("points")
        if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
            raise ConventionError(f"{where}: the grader cell needs metadata \"points\": N "
                                  f"(a positive int), not {points!r}")
        if label is None:
            raise ConventionError(f"{where}: no {{solution-start}} before the answer cell")
        if any(label == other for other, *_ in found):
            raise ConventionError(f"{where}: a second autograded answer for {label}")
        found.append((label, i, i + 1, points))
    return found


def nbgrader_metadata(grade_id, *, solution, grade, locked, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def to_assignment(nb):
    """Return ``(nbgrader_source_notebook, exercises)``; ``nb`` is left unchanged."""
    student_version.strip_solutions(nb)          # raises on untagged cells inside a solution
    exercises = graded_exercises(nb)
    keep = {}
    for label, answer, grader, points in exercises:
        keep[answer] = ("answer", label, points)
        keep[grader] = ("grader", label, points)
    source = nbformat.from_dict(nb)               # a deep copy
    cells = []
    for i, cell in enumerate(source.cells):
        if i in keep:
            kind, label, points = keep[i]
            cell.metadata["tags"] = [t for t in tags(cell) if t != "solution"]
            body = cell.source.strip("\n")
            if kind == "answer":
                cell.source = f"### BEGIN SOLUTION\n{body}\n### END SOLUTION"
                cell.metadata["nbgrader"] = nbgrader_metadata(
                    f"{label}-answer", solution=True, grade=False, locked=False)
            else:
                cell.source = (f"# Hidden tests of exercise {label} ({points} points): they run "
                               f"when the notebook is graded.\n"
                               f"### BEGIN HIDDEN TESTS\n{body}\n### END HIDDEN TESTS")
                cell.metadata["nbgrader"] = nbgrader_metadata(
                    f"{label}-tests", solution=False, grade=True, locked=True, points=points)
        elif student_version.is_solution(cell):
            continue
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    source.cells = cells
    return source, exercises


def write_assignment(src, course):
    """Write ``course/source/<name>/<name>.ipynb`` from chapter ``src``; return
    ``(path or None, exercises)`` (None when the chapter has no autograded exercise)."""
    src, course = Path(src), Path(course)
    nb = nbformat.read(src, as_version=4)
    assignment, exercises = to_assignment(nb)
    if not exercises:
        return None, []
    folder = course / "source" / src.stem
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / src.name
    nbformat.write(assignment, dest)
    return dest, exercises


def write_config(course):
    path = Path(course) / "nbgrader_config.py"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(NBGRADER_CONFIG, encoding="utf-8")
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="chapters to convert (default: every notebook in book/)")
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE,
                        help="the nbgrader course folder (default: book/_build/course)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted(BOOK.glob("*.ipynb"))
    write_config(args.course)
    status = 0
    for src in notebooks:
        try:
            dest, exercises = write_assignment(src, args.course)
        except (student_version.UntaggedSolutionError, ConventionError) as e:
            print(f"error: {src.name}: {e}", file=sys.stderr)
            status = 1
            continue
        except (OSError, ValueError) as e:
            print(f"error: {src}: {e}", file=sys.stderr)
            status = 1
            continue
        if dest is None:
            print(f"{src.name}: no autograded exercise, no assignment")
        else:
            total = sum(points for *_, points in exercises)
            print(f"{src.name}: {len(exercises)} autograded exercises, {total} points -> {dest}")
    return status


if __name__ == "__main__":
    sys.exit(main())
