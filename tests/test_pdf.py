"""The printable edition (issue 13, item 6): ``.venv/bin/python -m coursetools.build_book student --pdf``.

Checks that the PDF exists, that its text (``pdftotext``, Debian's poppler-utils) holds every
chapter's title and the exercises, that it has figures, and that no page shows raw TeX (``\\(``,
``\\)``, ``$$``): the maths was typeset by MathJax before printing.  The PDF is
``$NNLIB_BOOK_PDF`` if set (CI builds it first), else it is built here (a single-page build, then
headless Chromium: a few minutes).  Wide equations fit the paper: the build shrinks each display
equation wider than the column (book/_static/maths.js) and fails if one still does not fit, and
the test checks that every tagged equation's tag, at its right end, is on the paper.  Without Chromium or pdftotext the test is skipped, unless
``$NNLIB_REQUIRE_BROWSER`` is set (CI), where it fails.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from coursetools import build_book, chromium, toc


ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


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
    if chromium.find_chromium() is None:
        need("chromium", "chromium")
    return build_book.build_pdf("student", out=tmp_path_factory.mktemp("pdf"))


def chapter_titles():
    """The first heading of every page in _toc.yml (notebooks and markdown pages)."""
    titles = {}
    for name in toc.pages(BOOK):
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


pytestmark = pytest.mark.slow


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


def test_wide_tagged_equations_fit_the_paper(pdf):
    """Each \\tag{X} of a display equation (BP1-BP4 ...) is printed: an equation cut off at the
    column's edge would lose its right end, the tag.  (The build itself fails if an equation does
    not fit: build_book.fit_maths_to_paper.)"""
    tags = set()
    for path in sorted(BOOK.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown" and "solution" not in cell.metadata.get("tags", []):
                tags |= set(re.findall(r"\\tag\{([^}]+)\}", cell.source))
    assert {"BP1", "BP2", "BP3", "BP4"} <= tags
    text = " ".join(" ".join(pages_text(pdf)).split())
    missing = sorted(tag for tag in tags if f"({tag})" not in text)
    assert not missing, f"equation tags not on the paper (equations cut off?): {missing}"


def test_fitting_shrinks_a_wide_equation_and_fails_when_it_cannot(tmp_path):
    """book/_static/maths.js, as --pdf runs it: a wide equation is shrunk to the paper's width;
    one that would need less than half size is reported (the build then fails)."""
    exe = chromium.find_chromium()
    if exe is None:
        need("chromium", "chromium")
    page = tmp_path / "page.html"
    script = (BOOK / "_static" / "maths.js").resolve().as_uri()
    page.write_text(f"""<!DOCTYPE html><html><head><script src="{script}"></script></head><body>
<div style="width: 600px"><mjx-container display="true" id="wide"
 style="display:block; overflow-x:auto; font-size: 20px"><span
 style="display:inline-block; width: 45em">wide</span></mjx-container>
<mjx-container display="true" id="huge" style="display:block; overflow-x:auto;
 font-size: 20px"><span style="display:inline-block; width: 200em">huge</span></mjx-container>
<mjx-container display="true" id="fits" style="display:block; overflow-x:auto;
 font-size: 20px"><span style="display:inline-block; width: 10em">fits</span></mjx-container>
</div></body></html>""")
    (tmp_path / "profile").mkdir()
    browser = chromium.Browser(exe, tmp_path / "profile")
    try:
        assert browser.open_page(page.as_uri()) is None
        report = browser.evaluate("""(() => {
            const n = nnlibFitMaths();
            const size = id => parseFloat(document.getElementById(id).style.fontSize);
            const fits = id => { const m = document.getElementById(id);
                                 return m.scrollWidth <= m.clientWidth + 1; };
            return {n: n, tooWide: window.nnlibMathsTooWide.length, wide: size('wide'),
                    wideFits: fits('wide'), fits: size('fits'), huge: size('huge')};
        })()""")
    finally:
        browser.close()
    assert report["n"] == 2 and report["tooWide"] == 1, report
    assert report["wideFits"] and 10 < report["wide"] < 20, report
    assert report["fits"] == 20, "an equation that fits was changed"
    assert report["huge"] >= 8, "shrunk below half size"
