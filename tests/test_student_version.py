"""coursetools/student_version.py: the student notebooks (no solution, no hidden test), never the originals.

The convention (the course's exercise convention): every cell of a gated solution is tagged
``solution`` and removed, except the ``answer`` cell (tagged ``solution`` and ``answer``), which
becomes ``# YOUR CODE HERE``; the hidden tests (``solution`` and ``grader``) go; the visible
check (``check``) stays with its output cleared.
"""
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursetools import student_version as sv


ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


EXERCISE = re.compile(r"^\s*(`{3,}|:{3,}|~{3,})\s*\{exercise\}", re.M)
SOLUTION = re.compile(r"\{solution(-start|-end)?\}")


def tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


def small_notebook():
    """Prose, an exercise, a gated solution (4 tagged cells), then more material."""
    cells = [
        new_markdown_cell("# A chapter\nSome prose."),
        new_code_cell("x = 1\nprint(x)", execution_count=1,
                      outputs=[new_output("stream", name="stdout", text="1\n")]),
        tagged(new_code_cell("print('timing')", execution_count=2), "hide-input",
               "nbval-ignore-output"),
        new_markdown_cell("```{exercise} Double it\n:label: ex-99-1\nCompute 2x.\n```"),
        tagged(new_markdown_cell("```{solution-start} ex-99-1\n:class: dropdown\n```"), "solution"),
        tagged(new_code_cell("y = 2 * x\nassert y == 2", execution_count=3), "solution"),
        tagged(new_markdown_cell("Why: doubling."), "solution", "hide-input"),
        tagged(new_markdown_cell("```{solution-end}\n```"), "solution"),
        new_markdown_cell("## Summary\nThe end."),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return nb


def autograded_notebook():
    """An autograded exercise: solution prose, the answer, the hidden tests, then the check."""
    answer = tagged(new_code_cell("def double(x):\n    return 2 * x", execution_count=4,
                                  outputs=[new_output("stream", name="stdout", text="ok\n")]),
                    "solution", "answer")
    answer.metadata["nbgrader"] = {"grade_id": "ex-99-2-answer"}
    grader = tagged(new_code_cell("assert double(21) == 42, 'double(21) should be 42'"),
                    "solution", "grader")
    grader.metadata["points"] = 2
    check = tagged(new_code_cell("nnlib.feedback.check('double(21) is 42', lambda: double(21) == 42)",
                                 execution_count=6,
                                 outputs=[new_output("stream", name="stdout",
                                                     text="✓ double(21) is 42\n")]), "check")
    cells = [
        new_markdown_cell("~~~{exercise} Write double\n:label: ex-99-2\nWrite `double`.\n~~~"),
        tagged(new_markdown_cell("~~~{solution-start} ex-99-2\n~~~"), "solution"),
        tagged(new_markdown_cell("Multiply by two, the secret way."), "solution"),
        answer,
        grader,
        tagged(new_markdown_cell("~~~{solution-end}\n~~~"), "solution"),
        check,
        new_markdown_cell("After the exercise."),
    ]
    return new_notebook(cells=cells)


# ------------------------------------------------------------------------------------ stripping
def test_strip_removes_solution_cells_and_keeps_everything_else():
    nb = small_notebook()
    before = nbformat.writes(nb)
    student, removed = sv.strip_solutions(nb)
    assert removed == 4
    assert nbformat.writes(nb) == before, "the original notebook object was modified"
    kept = [c for c in nb.cells if not sv.is_solution(c)]
    assert len(student.cells) == len(kept) == 5
    for got, want in zip(student.cells, kept):
        assert got == want                      # outputs, metadata, tags: all unchanged
    assert not any(SOLUTION.search(c.source) for c in student.cells)
    assert any(EXERCISE.search(c.source) for c in student.cells)
    assert student.metadata == nb.metadata
    nbformat.validate(student)


def test_answer_becomes_a_stub_grader_goes_check_is_cleared():
    nb = autograded_notebook()
    student, removed = sv.strip_solutions(nb)
    assert removed == 4                         # start, prose, grader, end
    sources = [c.source for c in student.cells]
    assert sources == [nb.cells[0].source, "# YOUR CODE HERE", nb.cells[6].source,
                       "After the exercise."]
    stub = student.cells[1]
    assert stub.cell_type == "code" and stub.outputs == [] and stub.execution_count is None
    assert stub.metadata["tags"] == ["answer"]          # the solution tag dropped
    assert stub.metadata["nbgrader"] == {"grade_id": "ex-99-2-answer"}
    assert stub.get("id") == nb.cells[3].get("id")
    check = student.cells[2]
    assert check.outputs == [] and check.execution_count is None, "the check's output was kept"
    text = nbformat.writes(student)
    for secret in ("return 2 * x", "the secret way", "should be 42", '"points"'):
        assert secret not in text, f"{secret!r} leaked into the student notebook"
    nbformat.validate(student)


def test_stripping_twice_changes_nothing():
    once, _ = sv.strip_solutions(autograded_notebook())
    twice, removed = sv.strip_solutions(once)
    assert removed == 0 and nbformat.writes(twice) == nbformat.writes(once)


def test_clear_outputs():
    student, _ = sv.strip_solutions(small_notebook(), clear_outputs=True)
    code = [c for c in student.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_without_clear_outputs_other_outputs_stay():
    student, _ = sv.strip_solutions(small_notebook())
    assert student.cells[1].outputs[0]["text"] == "1\n" and student.cells[1].execution_count == 1


# ----------------------------------------------------------------- tags matched exactly (23.7)
@pytest.mark.parametrize("tag", ["solution-extra", "not-solution", "solutions", "Solution"])
def test_tags_are_matched_exactly_not_by_substring(tag):
    nb = small_notebook()
    nb.cells.append(tagged(new_code_cell("z = 3  # ordinary material"), tag))
    student, removed = sv.strip_solutions(nb)
    assert removed == 4 and student.cells[-1].source == "z = 3  # ordinary material"


@pytest.mark.parametrize("tags", ["solution", "solution-extra", {"solution": 1}, [1, "x"]],
                         ids=["str-solution", "str-extra", "dict", "non-string"])
def test_tags_that_are_not_a_list_of_strings_are_refused(tags):
    nb = small_notebook()
    nb.cells[1].metadata["tags"] = tags
    with pytest.raises(sv.UntaggedSolutionError, match=r"cells \[1\]: metadata.tags is not a list"):
        sv.strip_solutions(nb)


@pytest.mark.parametrize("fence", ["```", "~~~", ":::", "````", "~~~~"])
def test_solution_directives_are_found_in_every_fence(fence):
    nb = new_notebook(cells=[
        new_markdown_cell(f"{fence}{{exercise}} E\n:label: ex-99-1\nDo it.\n{fence}"),
        new_markdown_cell(f"{fence}{{solution-start}} ex-99-1\n{fence}"),
        new_code_cell("answer = 42"),
        tagged(new_markdown_cell(f"{fence}{{solution-end}}\n{fence}"), "solution"),
    ])
    with pytest.raises(sv.UntaggedSolutionError, match=r"cells \[1\] contain a solution directive"):
        sv.strip_solutions(nb)
    nb.cells[1].metadata["tags"] = ["solution"]
    with pytest.raises(sv.UntaggedSolutionError, match=r"cells \[2\] lie between"):
        sv.strip_solutions(nb)
    nb.cells[2].metadata["tags"] = ["solution"]
    student, removed = sv.strip_solutions(nb)
    assert removed == 3 and len(student.cells) == 1


# ---------------------------------------------------------- notebooks that break the convention
def test_untagged_solution_directive_is_refused():
    nb = small_notebook()
    nb.cells[7].metadata["tags"] = []          # the solution-end cell lost its tag
    with pytest.raises(sv.UntaggedSolutionError, match=r"cells \[7\]"):
        sv.strip_solutions(nb)


@pytest.mark.parametrize("make", [lambda: new_code_cell("y = 2 * x  # the answer"),
                                  lambda: new_markdown_cell("The answer is 2x.")],
                         ids=["code", "markdown"])
def test_untagged_cell_inside_a_solution_is_refused(make, tmp_path, capsys):
    """An untagged cell between solution-start and solution-end would leak: it is refused."""
    nb = small_notebook()
    nb.cells.insert(6, make())                 # between the tagged code and solution-end
    with pytest.raises(sv.UntaggedSolutionError, match=r"cells \[6\] lie between a solution-start"):
        sv.strip_solutions(nb)
    src = tmp_path / "99_leak.ipynb"
    nbformat.write(nb, src)
    assert sv.main(["--out", str(tmp_path / "out"), str(src)]) == 1
    err = capsys.readouterr().err
    assert "99_leak.ipynb" in err and "leak" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out" / src.name).exists(), "a leaking copy was written"


@pytest.mark.parametrize("index,tags,message", [
    (4, ["grader"], "cell 4 is tagged 'grader' but not 'solution'"),
    (3, ["answer"], "cell 3 is tagged 'answer' but not 'solution'"),
    (6, ["check", "solution"], "cell 6 is tagged 'check' and 'solution'"),
    (2, ["solution", "answer"], "cell 2 is tagged 'answer' but is a markdown cell"),
    (3, ["solution", "answer", "grader"], "cell 3 is tagged both 'answer' and 'grader'"),
], ids=["grader-untagged", "answer-untagged", "check-is-solution", "markdown-answer", "both"])
def test_misplaced_exercise_tags_are_refused(index, tags, message):
    nb = autograded_notebook()
    nb.cells[index].metadata["tags"] = tags
    if index in (3, 4) and "solution" not in tags:
        # outside the gate, so that only the tag rule (not the leak rule) can catch it
        cell = nb.cells.pop(index)
        nb.cells.insert(6, cell)
        message = message.replace(f"cell {index}", "cell 6")
    with pytest.raises(sv.UntaggedSolutionError, match=re.escape(message)):
        sv.strip_solutions(nb)


def test_untagged_cells_outside_solutions_are_kept():
    nb = small_notebook()
    nb.cells.append(new_code_cell("z = 3"))    # after solution-end: ordinary material
    student, removed = sv.strip_solutions(nb)
    assert removed == 4 and student.cells[-1].source == "z = 3"


# ----------------------------------------------------------------------------- the script
def test_script_writes_copies_and_leaves_originals(tmp_path):
    src_dir = tmp_path / "book"
    src_dir.mkdir()
    src = src_dir / "99_test.ipynb"
    nbformat.write(small_notebook(), src)
    original = src.read_bytes()
    out = tmp_path / "student"
    assert sv.main(["--out", str(out), str(src)]) == 0
    assert src.read_bytes() == original
    student = nbformat.read(out / src.name, as_version=4)
    assert len(student.cells) == len(small_notebook().cells) - 4
    assert not any(sv.is_solution(c) for c in student.cells)
    assert (out / sv.MARKER).is_file()
    # an earlier output (the marker) is written again
    assert sv.main(["--out", str(out), str(src)]) == 0


def test_script_refuses_to_overwrite_originals(tmp_path, capsys):
    src = tmp_path / "99_test.ipynb"
    nbformat.write(small_notebook(), src)
    original = src.read_bytes()
    assert sv.main(["--out", str(tmp_path), str(src)]) == 1
    assert "originals" in capsys.readouterr().err
    assert src.read_bytes() == original


def test_script_refuses_a_folder_it_did_not_make(tmp_path, capsys):
    """Issue 23 item 1: a non-empty folder that is not an earlier output is refused, untouched."""
    src = tmp_path / "99_test.ipynb"
    nbformat.write(small_notebook(), src)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "99_test.ipynb").write_text("my own notes")
    (out / "keep.txt").write_text("mine")
    assert sv.main(["--out", str(out), str(src)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(out) in err and sv.MARKER in err
    assert (out / "99_test.ipynb").read_text() == "my own notes"
    assert sorted(p.name for p in out.iterdir()) == ["99_test.ipynb", "keep.txt"]


def test_script_refuses_a_file_as_out(tmp_path, capsys):
    src = tmp_path / "99_test.ipynb"
    nbformat.write(small_notebook(), src)
    out = tmp_path / "a-file"
    out.write_text("x")
    assert sv.main(["--out", str(out), str(src)]) == 1
    assert "is not a folder" in capsys.readouterr().err and out.read_text() == "x"


def test_an_empty_folder_is_accepted(tmp_path):
    src = tmp_path / "99_test.ipynb"
    nbformat.write(small_notebook(), src)
    out = tmp_path / "empty"
    out.mkdir()
    assert sv.main(["--out", str(out), str(src)]) == 0
    assert (out / "99_test.ipynb").is_file()


def test_a_missing_notebook_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "coursetools.student_version",
                             "--out", str(tmp_path / "out"), str(tmp_path / "gone.ipynb")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "gone.ipynb" in result.stderr


# ----------------------------------------------------------------------- the book's notebooks
BOOK_NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


@pytest.mark.parametrize("path", BOOK_NOTEBOOKS, ids=lambda p: p.name)
def test_book_notebooks_lose_their_solutions_and_keep_their_exercises(path, tmp_path):
    original = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    exercises = [c.source for c in nb.cells if c.cell_type == "markdown" and EXERCISE.search(c.source)]
    dest, removed = sv.write_student_version(path, tmp_path)
    assert path.read_bytes() == original
    student = nbformat.read(dest, as_version=4)
    assert exercises, f"{path.name} has no {{exercise}} cell"
    assert removed > 0, f"{path.name} has no cell tagged 'solution'"
    assert not any(sv.is_solution(c) for c in student.cells), "a cell tagged solution survived"
    stubs = [c for c in student.cells if sv.has_tag(c, sv.ANSWER)]
    assert all(c.source == sv.STUB for c in stubs), "an answer cell kept its solution"
    answers = sum(sv.has_tag(c, sv.ANSWER) for c in nb.cells)
    assert len(stubs) == answers
    assert not any(sv.has_tag(c, sv.GRADER) for c in student.cells), "a hidden test survived"
    assert all(c.outputs == [] for c in student.cells if sv.has_tag(c, sv.CHECK))
    assert not any(SOLUTION.search(c.source) for c in student.cells if c.cell_type == "markdown"), \
        "a solution directive survived"
    assert [c.source for c in student.cells if c.cell_type == "markdown" and EXERCISE.search(c.source)] \
        == exercises
    assert len(student.cells) == len(nb.cells) - removed


# That every student version runs top to bottom is tested by tests/test_handout.py, which runs
# every chapter of the handout (the student versions, outputs cleared) in a fresh venv.


def test_student_version_of_a_non_notebook_is_one_line(tmp_path):
    """Issue 11, defect 9: a non-notebook given to coursetools/student_version.py gave a jsonschema traceback."""
    text = tmp_path / "notes.ipynb"
    text.write_text("hello")
    other = tmp_path / "other.ipynb"
    other.write_text('{"a": 1}')
    result = subprocess.run([sys.executable, "-m", "coursetools.student_version",
                             "--out", str(tmp_path / "out"), str(text), str(other)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "notes.ipynb" in lines[0] and "other.ipynb" in lines[1], lines
