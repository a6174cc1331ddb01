"""coursetools/make_handout.py never deletes what is not its own (issue 23 item 1).

``--out DIR`` is created, or used only if it is empty or an earlier handout (its ``.nnlib-handout``
lists every file in it); anything else is refused with one line naming it, before any change.
The wheel build is replaced by a stand-in here (the slow tier builds the real one:
tests/test_floors.py, tests/test_handout.py).
"""
import zipfile

import nbformat
import pytest

from coursetools import make_handout


@pytest.fixture
def quick(monkeypatch, tmp_path):
    """make_handout with a stand-in wheel and two small notebooks (no pip, no book chapters)."""
    def fake_wheel(dest):
        wheel = tmp_path.joinpath("fake-wheel", "nnlib-0.1.0-py3-none-any.whl")
        wheel.parent.mkdir(exist_ok=True)
        wheel.write_bytes(b"not a real wheel")
        return wheel
    monkeypatch.setattr(make_handout, "build_wheel", fake_wheel)
    notebooks = tmp_path / "release"
    notebooks.mkdir()
    for name in ("01_a", "02_b"):
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(name)]),
                       notebooks / f"{name}.ipynb")
    return notebooks


def run_main(capsys, out, notebooks):
    code = make_handout.main(["--out", str(out), "--notebooks", str(notebooks)])
    captured = capsys.readouterr()
    return code, captured.err.strip()


def test_a_new_folder_is_created_with_the_marker(quick, tmp_path, capsys):
    out = tmp_path / "new" / "handout"
    code, err = run_main(capsys, out, quick)
    assert code == 0, err
    listed = [line for line in (out / ".nnlib-handout").read_text().splitlines()
              if not line.startswith("#")]
    assert sorted(listed) == sorted(p.name for p in out.iterdir() if p.name != ".nnlib-handout")
    assert {"01_a.ipynb", "02_b.ipynb", "requirements.txt", "README.md",
            "nnlib-0.1.0-py3-none-any.whl"} <= set(listed)
    with zipfile.ZipFile(out.with_name("handout.zip")) as z:
        assert "handout/.nnlib-handout" not in z.namelist()
        assert "handout/01_a.ipynb" in z.namelist()


def test_a_folder_holding_a_users_file_is_refused_and_kept(quick, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("my work")
    code, err = run_main(capsys, out, quick)
    assert code == 1
    assert err == (f"error: {out} is not empty and is not a handout made by this script "
                   "(no .nnlib-handout in it); choose a new or empty folder")
    assert (out / "thesis.tex").read_text() == "my work"
    assert sorted(p.name for p in out.iterdir()) == ["thesis.tex"]
    assert not out.with_name("mine.zip").exists()


def test_an_empty_folder_is_used(quick, tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    code, err = run_main(capsys, out, quick)
    assert code == 0, err
    assert (out / "01_a.ipynb").is_file()


def test_an_earlier_handout_is_replaced_file_by_file(quick, tmp_path, capsys):
    out = tmp_path / "handout"
    assert run_main(capsys, out, quick)[0] == 0
    (quick / "02_b.ipynb").unlink()                       # this time one notebook fewer
    code, err = run_main(capsys, out, quick)
    assert code == 0, err
    assert not (out / "02_b.ipynb").exists()              # the earlier run's file: ours to remove
    assert (out / "01_a.ipynb").is_file()


def test_a_users_file_inside_an_earlier_handout_is_named_and_kept(quick, tmp_path, capsys):
    out = tmp_path / "handout"
    assert run_main(capsys, out, quick)[0] == 0
    (out / ".venv").mkdir()                               # e.g. the instructor tried it there
    (out / "notes.md").write_text("mine")
    before = sorted(p.name for p in out.iterdir())
    code, err = run_main(capsys, out, quick)
    assert code == 1
    assert err == (f"error: {out / '.venv'} was not written by an earlier run of this script; "
                   "move it away or choose another --out")
    assert sorted(p.name for p in out.iterdir()) == before
    assert (out / "notes.md").read_text() == "mine"


def test_a_file_given_as_out_is_refused(quick, tmp_path, capsys):
    out = tmp_path / "a-file"
    out.write_text("mine")
    code, err = run_main(capsys, out, quick)
    assert code == 1
    assert err == f"error: {out} exists and is not a folder; choose another --out"
    assert out.read_text() == "mine"


def test_a_zip_of_the_users_beside_a_new_folder_is_refused(quick, tmp_path, capsys):
    out = tmp_path / "handout"
    archive = tmp_path / "handout.zip"
    archive.write_bytes(b"mine")
    code, err = run_main(capsys, out, quick)
    assert code == 1
    assert err == (f"error: {archive} exists and was not made by this script; "
                   "move it away or choose another --out")
    assert archive.read_bytes() == b"mine"
    assert not out.exists()


def test_the_repository_is_refused(quick, capsys):
    code, err = run_main(capsys, make_handout.ROOT, quick)
    assert code == 1 and err.startswith("error: refusing to write the handout into")
    assert "\n" not in err
