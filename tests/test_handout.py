"""The student handout installs with its one command and runs every chapter (issue 13, item 4).

``scripts/make_handout.py`` writes a folder; this test unpacks its .zip elsewhere, creates a fresh
venv there and runs the handout's one command, ``.venv/bin/pip install -r requirements.txt``, with
``--no-index`` (no network at test time).  What that proves and what it does not:

* proven: the wheel of nnlib in the handout installs and is the nnlib the notebooks import (from
  the new venv's site-packages, not the repository: PYTHONPATH is cleared, the working directory
  is the handout); MNIST and the pictures ship inside it; every notebook of the handout runs top
  to bottom in a fresh kernel of that venv without any solution, with no error;
* not proven here: that pip can fetch numpy, matplotlib, pillow, ipykernel and JupyterLab from
  PyPI.  To stay offline and fast, the fresh venv sees the third-party packages of the venv
  running the tests (a ``.pth`` file naming a folder of links to them, nnlib left out), so pip
  finds those requirements already satisfied.
"""
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent

make_handout = load_script("make_handout")

RUN_ALL = r"""
import sys, time
from pathlib import Path
import nbformat, nnlib
from nbclient import NotebookClient
print("nnlib from", nnlib.__file__, flush=True)
failed = []
for path in sorted(Path(".").glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    try:
        NotebookClient(nb, timeout=900, kernel_name="python3",
                       resources={"metadata": {"path": "."}}).execute()
    except Exception as e:
        failed.append(f"{path.name}: {type(e).__name__}: {str(e)[-1500:]}")
    print(f"{path.name}: {time.perf_counter() - start:.1f} s", flush=True)
print("FAILED:" if failed else "ALL RAN", *failed, sep="\n")
sys.exit(1 if failed else 0)
"""


def third_party_view(folder):
    """A folder of links to every entry of this venv's site-packages except nnlib's."""
    site = Path(sysconfig.get_paths()["purelib"])
    folder.mkdir()
    for entry in site.iterdir():
        if "nnlib" in entry.name.lower() or entry.suffix == ".pth":
            continue
        (folder / entry.name).symlink_to(entry)
    return folder


def test_handout_installs_and_every_chapter_runs(tmp_path):
    folder, archive = make_handout.make_handout(tmp_path / "made" / "nn-from-scratch")
    names = {p.name for p in folder.iterdir()}
    assert {"requirements.txt", "README.md", "LICENSE", "LICENSE-text.md"} <= names
    assert any(n.startswith("nnlib-") and n.endswith(".whl") for n in names)
    command = "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt"
    assert command in (folder / "README.md").read_text()

    with zipfile.ZipFile(archive) as z:                     # a student gets the archive
        z.extractall(tmp_path / "student")
    handout = tmp_path / "student" / "nn-from-scratch"
    notebooks = sorted(handout.glob("*.ipynb"))
    assert len(notebooks) == len(list((ROOT / "book").glob("*.ipynb")))

    venv = handout / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "zz_third_party.pth").write_text(str(third_party_view(tmp_path / "tp")) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run([str(py), "-m", "pip", "install", "--no-index", "-r", "requirements.txt"],
                             cwd=handout, env=env, capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout + install.stderr
    where = subprocess.run([str(py), "-c", "import nnlib; print(nnlib.__file__); "
                            "print(nnlib.load_mnist().train_images.shape)"],
                           cwd=handout, env=env, capture_output=True, text=True, check=True).stdout
    assert str(venv) in where and "(60000, 28, 28)" in where, where

    proc = subprocess.run([str(py), "-c", RUN_ALL], cwd=handout,
                          env=dict(env, MPLBACKEND="Agg"), capture_output=True, text=True, timeout=3000)
    print(proc.stdout)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-6000:]
    assert f"nnlib from {venv}" in proc.stdout
