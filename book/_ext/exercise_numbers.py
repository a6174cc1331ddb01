"""Number each exercise as its label says: ``ex-03-2`` is "Exercise 3.2" in the book.

The chapters label their exercises ``ex-CC-N`` (CC the chapter: ``01``..``07``, ``A`` for the
appendix, ``gs`` for getting started), and the nbgrader assignments and the notebooks name them by
that label.  Sphinx numbers enumerable nodes by their order in the whole book instead (chapter 3's
second exercise was "Exercise 19"), so the book and the assignments disagreed.  Numbering the
table of contents (``numbered: true``) would give "Exercise N.M" only with the chapters' position
in the book as N (getting started would be chapter 1) and would number every heading as well.

This extension replaces, once Sphinx has assigned the numbers (``env-get-updated``), the number of
every exercise labelled ``ex-CC-N`` by ``(CC, N)``: "Exercise 3.2", "Exercise A.1",
"Exercise gs.1" (leading zeros dropped from a numeric CC).  The titles, the solutions' titles
and every ``{ref}``/``{numref}`` to an exercise follow, in HTML and in the PDF (single page).
An exercise without such a label is a warning (so a strict build fails), as is a number used twice.
"""
import re

from sphinx.util import logging

LABEL = re.compile(r"ex-([0-9]+|[A-Za-z]+)-([0-9]+)")
logger = logging.getLogger(__name__)


def number_of(label):
    """``(CC, N)`` of an ``ex-CC-N`` label, or None: ``ex-03-2`` -> ``(3, 2)``."""
    match = LABEL.fullmatch(label)
    if not match:
        return None
    chapter, number = match.groups()
    return (int(chapter) if chapter.isdigit() else chapter, int(number))


def renumber_exercises(app, env):
    seen = {}
    for docname, numbers in env.toc_fignumbers.items():
        exercises = numbers.get("exercise", {})
        for node_id in list(exercises):
            number = number_of(node_id)
            if number is None:
                logger.warning(f"exercise {node_id!r} has no label ex-CC-N (CC the chapter, N "
                               f"its number): the book could not number it as the assignments "
                               f"do", location=docname)
                continue
            if number in seen:
                logger.warning(f"exercise {node_id!r} has the number of {seen[number]!r}",
                               location=docname)
            seen[number] = node_id
            exercises[node_id] = number
    return []


def setup(app):
    app.setup_extension("sphinx_exercise")
    # After Sphinx's TocTreeCollector has assigned the numbers (env-get-updated, priority 500).
    app.connect("env-get-updated", renumber_exercises, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
