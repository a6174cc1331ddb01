"""coursetools/run_notebooks.py: executes the chapters and stores their outputs."""
import subprocess
import sys

from conftest import ROOT


def test_run_notebooks_on_a_missing_file_is_one_line(tmp_path):
    """Issue 11, defect 9: coursetools/run_notebooks.py on a missing file gave a traceback."""
    result = subprocess.run([sys.executable, "-m", "coursetools.run_notebooks",
                             str(tmp_path / "gone.ipynb")], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"error: {tmp_path / 'gone.ipynb'}: no such file"
