"""scripts/student_version.py removes exactly the cells tagged ``solution``, and never the originals."""
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

sv = load_script("student_version")

EXERCISE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{exercise\}", re.M)
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
        tagged(new_code_cell("# NBVAL_IGNORE_OUTPUT\nprint('timing')", execution_count=2), "hide-input"),
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


def test_strip_removes_solution_cells_and_keeps_everything_else():
    nb = small_notebook()
    before = nbformat.writes(nb)
    student, removed = sv.strip_solutions(nb)
    assert removed == 4
    assert nbformat.writes(nb) == before, "the original notebook object was modified"
    assert [c.source for c in student.cells] == [c.source for c in nb.cells if not sv.is_solution(c)]
    kept = [c for c in nb.cells if not sv.is_solution(c)]
    for got, want in zip(student.cells, kept):
        assert got == want                      # outputs, metadata, tags: all unchanged
    assert not any(SOLUTION.search(c.source) for c in student.cells)
    assert any(EXERCISE.search(c.source) for c in student.cells)
    assert student.metadata == nb.metadata
    nbformat.validate(student)


def test_clear_outputs():
    student, _ = sv.strip_solutions(small_notebook(), clear_outputs=True)
    code = [c for c in student.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


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
    assert "99_leak.ipynb" in err and "leak" in err
    assert not (tmp_path / "out" / src.name).exists(), "a leaking copy was written"


def test_untagged_cells_outside_solutions_are_kept():
    nb = small_notebook()
    nb.cells.append(new_code_cell("z = 3"))    # after solution-end: ordinary material
    student, removed = sv.strip_solutions(nb)
    assert removed == 4 and student.cells[-1].source == "z = 3"


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


def test_script_refuses_to_overwrite_originals(tmp_path, capsys):
    src = tmp_path / "99_test.ipynb"
    nbformat.write(small_notebook(), src)
    original = src.read_bytes()
    assert sv.main(["--out", str(tmp_path), str(src)]) == 1
    assert "originals" in capsys.readouterr().err
    assert src.read_bytes() == original


BOOK_NOTEBOOKS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.skipif(not BOOK_NOTEBOOKS, reason="no chapter notebooks (book/NN_*.ipynb) yet")
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
    assert not any(sv.is_solution(c) for c in student.cells)
    assert not any(SOLUTION.search(c.source) for c in student.cells if c.cell_type == "markdown"), \
        "a solution directive survived"
    assert [c.source for c in student.cells if c.cell_type == "markdown" and EXERCISE.search(c.source)] \
        == exercises
    assert len(student.cells) == len(nb.cells) - removed


# That every student version runs top to bottom is tested by tests/test_handout.py, which runs
# every chapter of the handout (the student versions, outputs cleared) in a fresh venv.


def test_student_version_of_a_non_notebook_is_one_line(tmp_path):
    """Issue 11, defect 9: a non-notebook given to scripts/student_version.py gave a jsonschema traceback."""
    text = tmp_path / "notes.ipynb"
    text.write_text("hello")
    other = tmp_path / "other.ipynb"
    other.write_text('{"a": 1}')
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "student_version.py"),
                             "--out", str(tmp_path / "out"), str(text), str(other)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "notes.ipynb" in lines[0] and "other.ipynb" in lines[1], lines
