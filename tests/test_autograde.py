"""Autograding with nbgrader, offline (issue 13, item 3).

Every step of the workflow on book/instructors.md is run here, as an instructor would run it:
``scripts/make_assignments.py`` (nbgrader source notebooks from the chapters),
``nbgrader generate_assignment`` (the handout), collecting into ``submitted/``,
``nbgrader autograde``, ``nbgrader export`` (grades.csv) and ``nbgrader generate_feedback``.
They are run on a small fixture chapter made here (two autograded exercises worth 2 and 3 points,
one exercise without autograding) and on every chapter of book/ that has autograded exercises.
Proven for each: the reference solutions score full marks; the blank handout scores zero on the
graded cells; a planted wrong answer to one exercise loses exactly that exercise's points.

nbgrader is an instructors' extra (requirements-instructors.txt): without it the tests are
skipped, unless $NNLIB_REQUIRE_INSTRUCTOR_TOOLS is set (CI), where they fail.
"""
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
BIN = Path(sys.executable).parent

ma = load_script("make_assignments")


@pytest.fixture(scope="module")
def nbgrader():
    exe = BIN / "nbgrader"
    if not exe.exists():
        message = ("nbgrader is not installed: pip install -r requirements-instructors.txt")
        if os.environ.get("NNLIB_REQUIRE_INSTRUCTOR_TOOLS"):
            pytest.fail(message + " ($NNLIB_REQUIRE_INSTRUCTOR_TOOLS is set)", pytrace=False)
        pytest.skip(message)
    return str(exe)


def run(cmd, cwd):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONPATH=str(ROOT))
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, f"{cmd} failed:\n{(proc.stdout + proc.stderr)[-4000:]}"
    return proc.stdout + proc.stderr


def tagged(cell, *tags, **metadata):
    cell.metadata["tags"] = list(tags)
    cell.metadata.update(metadata)
    return cell


def fixture_chapter():
    """A chapter in the book's convention: two autograded exercises, one that is not."""
    cells = [
        new_markdown_cell("# 99. A fixture chapter\nSome prose."),
        new_code_cell("%matplotlib inline\nimport numpy as np\nx = np.arange(-2.0, 3.0)"),
        new_markdown_cell("```{exercise} Double\n:label: ex-99-1\n"
                          "Write a function `double(v)` that returns `2 * v`.\n```"),
        tagged(new_markdown_cell("```{solution-start} ex-99-1\n:class: dropdown\n```"), "solution"),
        tagged(new_code_cell("def double(v):\n    return 2 * v"), "solution", "answer"),
        tagged(new_code_cell("assert double(3) == 6\nassert np.array_equal(double(x), 2 * x)"),
               "solution", "grader", points=2),
        tagged(new_markdown_cell("Multiplying by two is all."), "solution"),
        tagged(new_markdown_cell("```{solution-end}\n```"), "solution"),
        new_markdown_cell("```{exercise} ReLU\n:label: ex-99-2\n"
                          "Write `relu(z)`, the rectified linear unit, for arrays.\n```"),
        tagged(new_markdown_cell("```{solution-start} ex-99-2\n:class: dropdown\n```"), "solution"),
        tagged(new_code_cell("def relu(z):\n    return np.maximum(z, 0.0)"), "solution", "answer"),
        tagged(new_code_cell("assert np.array_equal(relu(x), [0, 0, 0, 1, 2])\n"
                             "assert relu(np.array([-1e9]))[0] == 0"),
               "solution", "grader", points=3),
        tagged(new_markdown_cell("```{solution-end}\n```"), "solution"),
        new_markdown_cell("```{exercise} Think\n:label: ex-99-3\nWhy is ReLU cheap?\n```"),
        tagged(new_markdown_cell("```{solution-start} ex-99-3\n```"), "solution"),
        tagged(new_code_cell("secret_explanation = 'one comparison per entry'"), "solution"),
        tagged(new_markdown_cell("```{solution-end}\n```"), "solution"),
        new_code_cell("assert x.shape == (5,)\nprint('the chapter runs to the end')"),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    return nb


WRONG_RELU = "def relu(z):\n    return z          # planted mistake: no clipping"


def grade(nbgrader, course, chapter, submissions, feedback=True):
    """Autograde ``{student: notebook}`` for ``chapter``; return ``{student: (score, max)}``
    from grades.csv, and the per-exercise scores from the gradebook."""
    for student, nb in submissions.items():
        folder = course / "submitted" / student / chapter
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{chapter}.ipynb")
    run([nbgrader, "autograde", chapter], cwd=course)
    run([nbgrader, "export"], cwd=course)
    if feedback:
        run([nbgrader, "generate_feedback", chapter], cwd=course)
    with open(course / "grades.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["assignment"] == chapter]
    totals = {r["student_id"]: (float(r["score"]), float(r["max_score"])) for r in rows}
    from nbgrader.api import Gradebook

    per_exercise = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in submissions:
            sub = gb.find_submission_notebook(chapter, chapter, student)
            per_exercise[student] = {g.name: g.score for g in sub.grades}
            if feedback:
                assert (course / "feedback" / student / chapter / f"{chapter}.html").is_file()
    return totals, per_exercise


def make_course(nbgrader, tmp_path, notebook_path):
    course = tmp_path / "course"
    chapter = notebook_path.stem
    run([sys.executable, str(ROOT / "scripts" / "make_assignments.py"), "--course", str(course),
         str(notebook_path)], cwd=ROOT)
    run([nbgrader, "generate_assignment", chapter], cwd=course)
    source = nbformat.read(course / "source" / chapter / f"{chapter}.ipynb", as_version=4)
    release = nbformat.read(course / "release" / chapter / f"{chapter}.ipynb", as_version=4)
    return course, chapter, source, release


def test_fixture_assignment_is_graded_exactly(nbgrader, tmp_path):
    path = tmp_path / "99_fixture.ipynb"
    nbformat.write(fixture_chapter(), path)
    course, chapter, source, release = make_course(nbgrader, tmp_path, path)

    # the handout: no solution, no hidden test, the non-graded solution gone, exercises kept
    text = "\n".join(c.source for c in release.cells)
    for secret in ("return 2 * v", "np.maximum", "assert double", "assert np.array_equal(relu",
                   "secret_explanation", "Multiplying by two", "solution-start", "solution-end"):
        assert secret not in text, f"{secret!r} is in the handout"
    assert text.count(ma.CODE_STUB) == 2
    assert all(f"ex-99-{k}" in text for k in (1, 2, 3))

    # the handout of an nbgrader release (the page's `make_handout.py --notebooks ...`)
    make_handout = load_script("make_handout")
    folder, _ = make_handout.make_handout(tmp_path / "handout",
                                          notebooks=course / "release" / chapter)
    assert nbformat.read(folder / f"{chapter}.ipynb", as_version=4) == release

    wrong = nbformat.from_dict(source)
    [cell] = [c for c in wrong.cells if c.metadata.get("nbgrader", {}).get("grade_id")
              == "ex-99-2-answer"]
    cell.source = WRONG_RELU
    totals, per_exercise = grade(nbgrader, course, chapter,
                                 {"reference": source, "blank": release, "wrong": wrong})
    assert totals["reference"] == (5.0, 5.0)
    assert totals["blank"] == (0.0, 5.0)
    assert totals["wrong"] == (2.0, 5.0)          # exactly ex-99-2's 3 points lost
    assert per_exercise["wrong"] == {"ex-99-1-tests": 2.0, "ex-99-2-tests": 0.0}
    assert per_exercise["reference"] == {"ex-99-1-tests": 2.0, "ex-99-2-tests": 3.0}


def test_convention_errors_are_reported():
    nb = fixture_chapter()
    del nb.cells[5].metadata["points"]
    with pytest.raises(ma.ConventionError, match="points"):
        ma.to_assignment(nb)
    nb = fixture_chapter()
    nb.cells[5].metadata["tags"] = ["solution"]          # the grader cell lost its tag
    with pytest.raises(ma.ConventionError, match="followed by"):
        ma.to_assignment(nb)


GRADED = [p for p in sorted(BOOK.glob("*.ipynb"))
          if ma.graded_exercises(nbformat.read(p, as_version=4))]


@pytest.mark.skipif(not GRADED, reason="no chapter in book/ has autograded exercises yet")
@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.name)
def test_book_chapter_assignment(nbgrader, tmp_path, path):
    """Reference: full marks; blank handout: zero; the first exercise left wrong (its answer cell
    replaced by a wrong definition of nothing, i.e. the handout's stub): exactly its points lost."""
    course, chapter, source, release = make_course(nbgrader, tmp_path, path)
    exercises = ma.graded_exercises(nbformat.read(path, as_version=4))
    total = float(sum(points for *_, points in exercises))
    first_label, *_, first_points = exercises[0]
    wrong = nbformat.from_dict(source)
    [cell] = [c for c in wrong.cells if c.metadata.get("nbgrader", {}).get("grade_id")
              == f"{first_label}-answer"]
    cell.source = "# planted mistake: the exercise is left undone\n" + ma.CODE_STUB
    totals, per_exercise = grade(nbgrader, course, chapter,
                                 {"reference": source, "blank": release, "wrong": wrong},
                                 feedback=False)      # feedback is tested on the fixture
    assert totals["reference"] == (total, total), per_exercise["reference"]
    assert totals["blank"] == (0.0, total), per_exercise["blank"]
    assert totals["wrong"] == (total - first_points, total), per_exercise["wrong"]
