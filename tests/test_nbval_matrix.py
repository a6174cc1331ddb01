"""scripts/nbval_matrix.sh: the nbval runs of CI, and what they need from the chapters."""
import json
import re

from conftest import ROOT


def test_nbval_matrix_runs_with_mplbackend_agg():
    """Issue 11, defect 10: nbval must also pass with MPLBACKEND=Agg (headless CI)."""
    script = (ROOT / "scripts" / "nbval_matrix.sh").read_text()
    assert re.search(r'^run "[^"]*MPLBACKEND=Agg[^"]*" .*\bMPLBACKEND=Agg\b', script, re.M)
    # the fix itself: every chapter displays its figures whatever the backend
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        first_code = next(c for c in cells if c["cell_type"] == "code")
        assert "%matplotlib inline" in "".join(first_code["source"]), path.name
