"""The course tooling: editions, student notebooks, handout, assignments, API page, licence, outputs.

Every tool is a module with ``main(argv=None)``, run from the repository root (no install:
``python -m`` puts the current folder on ``sys.path``), e.g. ``.venv/bin/python -m
coursetools.build_book student``.  This package is not part of nnlib's wheel.

Tools (``python -m coursetools.NAME --help`` for each):

- ``build_book``: the student edition, the instructors' edition, and either as a PDF
  (``python -m coursetools.build_book student|instructors [--pdf] [--strict]``);
- ``student_version``: the chapters without solutions or hidden tests
  (``python -m coursetools.student_version [--out DIR] [--clear-outputs] [NOTEBOOK ...]``);
- ``make_handout``: the student handout, a folder and its .zip
  (``python -m coursetools.make_handout [--out DIR] [--notebooks DIR]``);
- ``make_assignments``: one nbgrader assignment per chapter
  (``python -m coursetools.make_assignments [--course DIR] [--variant FILE] [CHAPTER ...]``);
- ``make_api_page``: book/api.md from nnlib's docstrings (``python -m coursetools.make_api_page
  [--check]``);
- ``stamp_licence``: the licences in every notebook's metadata
  (``python -m coursetools.stamp_licence [--check] [NOTEBOOK ...]``);
- ``run_notebooks``: execute chapters and store their outputs
  (``python -m coursetools.run_notebooks [NOTEBOOK ...]``);
- ``make_digits``: the pictures of nnlib/data/digits/ (``python -m coursetools.make_digits``);
- ``long_functions``: every function over 50 lines, docstring excluded
  (``python -m coursetools.long_functions [FOLDER]``; tests/test_long_functions.py runs it on nnlib/);
- ``mutation``: mutation testing of nnlib with mutmut (``python3 -m coursetools.mutation``).

Modules the tools import (no command):

- ``chromium``: headless Chromium driven over the DevTools protocol (the PDF, the browser tests);
- ``plain_myst``: the MyST roles JupyterLab cannot render, written out for the handout;
- ``toc``: the pages of ``book/_toc.yml`` in reading order.

Imports are one way, everywhere (tools and tests): ``from coursetools import student_version``.
"""
