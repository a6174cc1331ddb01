"""Turn the chapters' autograded exercises into nbgrader assignments (one per chapter).

    .venv/bin/python -m coursetools.make_assignments --course course                 # every chapter
    .venv/bin/python -m coursetools.make_assignments --course course 04_backpropagation
    .venv/bin/python -m coursetools.make_assignments --course course --variant ~/private/nn-2027.yml

then, in the course folder, with nbgrader (``.venv/bin/pip install -r requirements-instructors.txt``)::

    nbgrader generate_assignment 04_backpropagation   # release/04_backpropagation/: hand this out
    # collect: put each student's notebook in submitted/<student>/04_backpropagation/
    nbgrader autograde 04_backpropagation              # runs them, hidden tests restored
    nbgrader export                                    # grades.csv
    nbgrader generate_feedback 04_backpropagation      # feedback/<student>/...: one HTML each

The convention (book/instructors.md, "Autograding with nbgrader"): an exercise is autograded when
its gated solution holds one code cell tagged ``solution`` and ``answer`` (the learner's code)
followed by one code cell tagged ``solution`` and ``grader`` with cell metadata ``"points": N``
(asserts with messages); right after the solution's ``{solution-end}`` comes a visible code cell
tagged ``check`` (calls of ``nnlib.feedback.check``).  For each chapter this script writes
``source/<chapter>/<chapter>.ipynb``, the notebook nbgrader works from:

* the ``answer`` cell becomes an nbgrader *autograded answer* cell, its code between
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` (the release shows ``# YOUR CODE HERE`` instead);
* the ``grader`` cell becomes a locked *autograder tests* cell worth N points, its asserts between
  ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``: students do not see them, ``nbgrader
  autograde`` puts them back;
* each ``check`` cell stays visible, outputs cleared, as a locked (read-only) cell: autograding
  restores its code, so a student cannot edit the check into passing;
* a cell tagged ``parameters`` (the exercises' named parameters) is locked too; a *variant* file
  (``--variant FILE``, YAML, kept outside the repository) overrides its values per chapter, so that
  the expected answers differ from the published ones::

      04_backpropagation:        # chapter
        SEED: 7                  # NAME: value, for names assigned in its 'parameters' cell
        N_SAMPLES: 300

* cells tagged ``assignment-skip`` (demonstrations no exercise needs) are left out, so that a
  student's chapter grades quickly;
* every other cell tagged ``solution`` is removed, with the same checks as
  ``coursetools/student_version.py`` (nothing untagged inside a solution); every other cell stays as
  it is, outputs cleared.

It also writes ``nbgrader_config.py`` (course id; a stub without ``raise NotImplementedError()``
so that a release runs top to bottom; feedback that shows scores and the hidden tests' messages but
not their code) unless the course folder has one, which is kept as it is.

Nothing is overwritten: a chapter whose ``source/<chapter>/`` folder exists is refused, and so is
an unknown chapter, a chapter named on the command line that has no autograded exercise, and a
notebook that breaks the convention; each error is one line, and then nothing is written.
"""
import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat

from coursetools import student_version

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
DEFAULT_COURSE = BOOK / "_build" / "course"
COURSE_ID = "nn-from-scratch"

SOLUTION_START = re.compile(r"\{solution-start\}\s+(\S+)")
SOLUTION_END = re.compile(r"\{solution-end\}")
CODE_STUB = "# YOUR CODE HERE"
CHECK, SKIP, PARAMETERS = "check", "assignment-skip", "parameters"
NBGRADER_CONFIG = f'''\
# nbgrader configuration of the course "Neural networks from scratch"
# (written by coursetools/make_assignments.py; edit freely, it is never overwritten).
import os
import sys

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades, NbGraderPreprocessor

# nbgrader runs the program `alembic` (found on PATH) when it creates the gradebook: put the
# folder of the Python that runs nbgrader first on PATH, so that `../.venv/bin/nbgrader ...`
# works without an activated virtual environment.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

c = get_config()
c.CourseDirectory.course_id = "{COURSE_ID}"
# The release's answer cells hold only this comment, so a release runs top to bottom; an
# unanswered exercise fails its hidden tests (NameError) and scores 0.
c.ClearSolutions.code_stub = {{"python": "{CODE_STUB}"}}
# A generous limit per cell (a chapter's cells take seconds; a student's loop may not end).
c.Execute.timeout = 600


class HideTestCode(NbGraderPreprocessor):
    """Feedback: a failed hidden test shows its message ("AssertionError: the shape of ..."),
    not its traceback, whose lines quote the test's code."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {{}})
        if meta.get("grade") and not meta.get("solution"):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{{output.ename}}: {{output.evalue}}"]
        return cell, resources


# The feedback HTML shows each exercise's score and the tests' messages; nbgrader's own
# ClearHiddenTests removes the hidden tests' code from it (by default feedback shows it:
# https://github.com/jupyter/nbgrader/issues/917).
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, HideTestCode,
                                    CSSHTMLHeaderPreprocessor]
'''


class ConventionError(ValueError):
    """A notebook does not follow the exercise convention (tags, points, parameters)."""


class InputError(ValueError):
    """Bad input on the command line or in the variant file."""


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


def check_labels(nb):
    """``{check_cell_index: label}``: each cell tagged ``check``, named after the solution whose
    ``{solution-end}`` comes before it."""
    labels, label = {}, None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            match = SOLUTION_START.search(cell.source)
            if match:
                label = match.group(1)
        if CHECK in tags(cell):
            if cell.cell_type != "code" or "solution" in tags(cell):
                raise ConventionError(f"cell {i}: a 'check' cell must be a code cell, not tagged "
                                      "'solution' (students run it)")
            labels[i] = label or "chapter"
    return labels


def exercises_without_check(nb, exercises):
    """Labels of autograded exercises whose ``{solution-end}`` is not followed by a check cell."""
    missing = []
    for label, answer, *_ in exercises:
        end = next((j for j in range(answer, len(nb.cells))
                    if nb.cells[j].cell_type == "markdown"
                    and SOLUTION_END.search(nb.cells[j].source)), None)
        after = nb.cells[end + 1] if end is not None and end + 1 < len(nb.cells) else None
        if after is None or CHECK not in tags(after):
            missing.append(label)
    return missing


def nbgrader_metadata(grade_id, *, solution, grade, locked, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _literal(value):
    """True for what a variant may set: numbers, strings, booleans, None, lists of them."""
    if isinstance(value, (list, tuple)):
        return all(_literal(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


def apply_variant(source, values):
    """``source`` (a parameters cell) with the assignments of the names in ``values`` replaced.

    Every name must be assigned (``NAME = ...``, once, at top level) in ``source``; raises
    :class:`InputError` naming the first one that is not, or a value that is not a literal.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        raise ConventionError(f"the 'parameters' cell is not valid Python ({e.msg}, line "
                              f"{e.lineno})") from None
    where = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            where.setdefault(node.targets[0].id, []).append((node.lineno, node.end_lineno))
    lines = source.split("\n")
    known = ", ".join(sorted(where)) or "none"
    for name, value in values.items():
        if len(where.get(name, [])) != 1:
            raise InputError(f"parameter {name!r} is not assigned once in the chapter's "
                             f"'parameters' cell (its parameters: {known})")
        if not _literal(value):
            raise InputError(f"parameter {name!r}: {value!r} is not a number, string, boolean "
                             "or list of them")
    # replace from the bottom up, so that earlier line numbers stay right
    for name, value in sorted(values.items(), key=lambda kv: -where[kv[0]][0][0]):
        first, last = where[name][0]
        lines[first - 1:last] = [f"{name} = {value!r}"]
    return "\n".join(lines)


def to_assignment(nb, variant=None):
    """Return ``(nbgrader_source_notebook, exercises)``; ``nb`` is left unchanged.

    ``variant``: ``{parameter: value}`` for the chapter's ``parameters`` cell, or None.
    """
    student_version.strip_solutions(nb)          # raises on untagged cells inside a solution
    exercises = graded_exercises(nb)
    checks = check_labels(nb)
    parameters = [i for i, cell in enumerate(nb.cells) if PARAMETERS in tags(cell)]
    if len(parameters) > 1:
        raise ConventionError(f"cells {parameters} are all tagged 'parameters': one only")
    if variant and not parameters:
        raise InputError("the variant sets parameters but the chapter has no cell tagged "
                         "'parameters'")
    keep = {}
    for label, answer, grader, points in exercises:
        keep[answer] = ("answer", label, points)
        keep[grader] = ("grader", label, points)
    for i, cell in enumerate(nb.cells):
        if SKIP in tags(cell) and (i in keep or i in checks or i in parameters):
            raise ConventionError(f"cell {i}: an answer, grader, check or parameters cell "
                                  f"cannot be tagged {SKIP!r}")
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
                cell.source = (f"# Hidden tests of exercise {label} ({points} point"
                               f"{'s' if points != 1 else ''}): they run "
                               f"when the notebook is graded.\n"
                               f"### BEGIN HIDDEN TESTS\n{body}\n### END HIDDEN TESTS")
                cell.metadata["nbgrader"] = nbgrader_metadata(
                    f"{label}-tests", solution=False, grade=True, locked=True, points=points)
        elif student_version.is_solution(cell) or SKIP in tags(cell):
            continue
        elif i in checks:
            same = sum(1 for j in checks if j < i and checks[j] == checks[i])
            suffix = f"-{same + 1}" if same else ""
            cell.metadata["nbgrader"] = nbgrader_metadata(
                f"{checks[i]}-check{suffix}", solution=False, grade=False, locked=True)
        elif i in parameters:
            if variant:
                cell.source = apply_variant(cell.source, variant)
            cell.metadata["nbgrader"] = nbgrader_metadata(
                "parameters", solution=False, grade=False, locked=True)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    source.cells = cells
    return source, exercises


def chapter_path(name):
    """The notebook for ``name``: a path to a notebook, or a chapter of book/ by name."""
    path = Path(name)
    if path.suffix == ".ipynb" and path.is_file():
        return path
    candidate = BOOK / f"{path.name.removesuffix('.ipynb')}.ipynb"
    if len(path.parts) == 1 and candidate.is_file():
        return candidate
    known = ", ".join(p.stem for p in sorted(BOOK.glob("*.ipynb")))
    raise InputError(f"unknown chapter {str(name)!r}: expected a notebook file or one of {known}")


def read_variant(path):
    """``{chapter: {parameter: value}}`` from the YAML file ``path``; InputError if malformed."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"variant file {path}: {e.strerror or e}") from None
    except (UnicodeDecodeError, yaml.YAMLError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise InputError(f"variant file {path}: not YAML ({first})") from None
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, dict) and all(isinstance(n, str) for n in v)
            for k, v in data.items()):
        raise InputError(f"variant file {path}: expected 'chapter: {{NAME: value, ...}}' "
                         "mappings, one per chapter")
    return data


def write_config(course):
    """Write ``course/nbgrader_config.py`` unless it exists; return ``(path, written)``."""
    path = Path(course) / "nbgrader_config.py"
    if path.exists() or path.is_symlink():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as f:      # "x": never replace a file
        f.write(NBGRADER_CONFIG)
    return path, True


def plan(notebooks, course, variant=None, explicit=True):
    """Convert every chapter in memory: ``[(src, dest_folder, notebook, exercises)]`` and a list
    of one-line errors.  Nothing is written."""
    planned, errors = [], []
    variant = dict(variant or {})
    for src in notebooks:
        try:
            nb = nbformat.read(src, as_version=4)
        except (OSError, ValueError) as e:
            errors.append(f"{src}: not a readable notebook ({student_version._one_line(e)})")
            continue
        try:
            assignment, exercises = to_assignment(nb, variant.pop(src.stem, None))
        except (ConventionError, InputError, student_version.UntaggedSolutionError) as e:
            errors.append(f"{src.name}: {student_version._one_line(e)}")
            continue
        if not exercises:
            if explicit:
                errors.append(f"{src.name}: no autograded exercise (no code cells tagged "
                              "'answer' and 'grader'): nothing to assign")
            planned.append((src, None, None, []))
            continue
        missing = exercises_without_check(nb, exercises)
        if missing:
            print(f"warning: {src.name}: no visible check cell (tag 'check') after the solution "
                  f"of {', '.join(missing)}", file=sys.stderr)
        dest = Path(course) / "source" / src.stem
        if dest.exists() or dest.is_symlink():
            errors.append(f"{dest} exists: make_assignments.py never overwrites an assignment "
                          "(remove it yourself, or choose another --course)")
            continue
        planned.append((src, dest, assignment, exercises))
    for chapter in variant:
        errors.append(f"the variant names chapter {chapter!r}, which is not among those converted")
    course = Path(course)
    if course.exists() and not course.is_dir():
        errors.insert(0, f"--course {course}: exists and is not a folder")
    return planned, errors


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("chapters", nargs="*",
                        help="chapters to convert, by name (04_backpropagation) or notebook path "
                             "(default: every chapter of book/ that has autograded exercises)")
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE,
                        help="the nbgrader course folder (default: book/_build/course)")
    parser.add_argument("--variant", type=Path, metavar="FILE",
                        help="YAML file of parameter values per chapter (keep it private)")
    args = parser.parse_args(argv)
    try:
        notebooks = [chapter_path(c) for c in args.chapters] or sorted(BOOK.glob("*.ipynb"))
        variant = read_variant(args.variant) if args.variant else None
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    planned, errors = plan(notebooks, args.course, variant, explicit=bool(args.chapters))
    if errors:
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        print("error: nothing written", file=sys.stderr)
        return 1
    try:
        config, written = write_config(args.course)
        for src, dest, assignment, exercises in planned:
            if dest is None:
                print(f"{src.name}: no autograded exercise, no assignment")
                continue
            dest.mkdir(parents=True, exist_ok=False)
            nbformat.write(assignment, dest / src.name)
            total = sum(points for *_, points in exercises)
            print(f"{src.name}: {len(exercises)} autograded exercises, {total} points -> "
                  f"{dest / src.name}")
    except OSError as e:
        print(f"error: {e.filename or args.course}: {e.strerror or e}", file=sys.stderr)
        return 1
    if not written:
        print(f"{config} exists: kept as it is (the settings this course expects are in "
              "book/instructors.md, 'Autograding with nbgrader')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
