"""The printable edition (issue 13, item 6): ``python scripts/build_book.py student --pdf``.

Checks that the PDF exists, that its text (``pdftotext``, Debian's poppler-utils) holds every
chapter's title and the exercises, that it has figures, and that no page shows raw TeX (``\\(``,
``\\)``, ``$$``): the maths was typeset by MathJax before printing.  The PDF is
``$NNLIB_BOOK_PDF`` if set (CI builds it first), else it is built here (a single-page build, then
headless Chromium: a few minutes).  Without Chromium or pdftotext the test is skipped, unless
``$NNLIB_REQUIRE_BROWSER`` is set (CI), where it fails.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

build_book = load_script("build_book")


def need(tool, install):
    if shutil.which(tool) is None:
        message = f"{tool} not found: install it (Debian: apt-get install -y {install})"
        if os.environ.get("NNLIB_REQUIRE_BROWSER"):
            pytest.fail(message + " ($NNLIB_REQUIRE_BROWSER is set)", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    need("pdftotext", "poppler-utils")
    given = os.environ.get("NNLIB_BOOK_PDF")
    if given:
        assert Path(given).is_file(), f"$NNLIB_BOOK_PDF={given} does not exist"
        return Path(given)
    import sys
    sys.path.insert(0, str(ROOT / "scripts"))
    import cdp
    if cdp.find_chromium() is None:
        need("chromium", "chromium")
    out = tmp_path_factory.mktemp("pdf")
    html = build_book.build("student", builder="singlehtml", out=out)
    return build_book.print_pdf(html, out / "student.pdf")


def chapter_titles():
    """The first heading of every page in _toc.yml (notebooks and markdown pages)."""
    toc = (BOOK / "_toc.yml").read_text()
    names = [re.search(r"^root:\s*(\S+)", toc, re.M).group(1)]
    names += re.findall(r"^\s*-\s*file:\s*(\S+)", toc, re.M)
    titles = {}
    for name in names:
        if (BOOK / f"{name}.ipynb").is_file():
            nb = nbformat.read(BOOK / f"{name}.ipynb", as_version=4)
            text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        else:
            text = (BOOK / f"{name}.md").read_text()
        heading = re.search(r"^#\s+(.+)$", text, re.M).group(1)
        titles[name] = re.sub(r"[`*_]|\{[^}]*\}", "", heading).strip()
    return titles


def pages_text(pdf):
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out.split("\f")


def test_pdf_has_every_chapter_maths_figures_and_exercises(pdf):
    pages = pages_text(pdf)
    text = " ".join(" ".join(pages).split())
    assert len(pages) > 50, f"only {len(pages)} pages"
    missing = [f"{name}: {title!r}" for name, title in chapter_titles().items()
               if " ".join(title.split()) not in text]
    assert not missing, "chapter titles not in the PDF: " + "; ".join(missing)
    assert text.count("Exercise") >= 10
    raw = [(number, line.strip()) for number, page in enumerate(pages, 1)
           for line in page.splitlines() if re.search(r"\\\(|\\\)|\$\$", line)]
    assert not raw, f"raw TeX on pages (maths not rendered): {raw[:5]}"
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    if images.returncode == 0:
        assert len(images.stdout.splitlines()) - 2 >= 10, "fewer than 10 figures in the PDF"
