"""The role {chapter-time}`NAME`: a chapter's time, read from the chapter's own header.

Each chapter's first cell says how long it takes, in the form ``**Time:** about 75 minutes``
(or ``about 2 hours``).  The introduction's table writes ``{chapter-time}`01_neuron``` instead of
a number, and this extension puts in the time the notebook ``book/01_neuron.ipynb`` states, so
the two can never disagree.  Hours are shown as minutes ("about 2 hours" -> "120 min"; in the
Chinese edition "120 分钟").

A name without a notebook, or a notebook without a time line, is a build error of one line that
names the file and what was expected.

Enabled in ``_config.yml`` under ``sphinx.local_extensions`` (``chapter_times: _ext``).
"""
import json
import re
from pathlib import Path

from docutils import nodes

# "**Time:** about 75 minutes", "**Time**: about 2 hours", "**Time:** about\n55 minutes"
TIME_LINE = re.compile(r"\*\*Time(?::\*\*|\*\*:)\s+about\s+(\d+)\s+(minutes?|hours?)\b")


# "min" in the book's language (the Chinese edition: book/locales/zh_CN).
MINUTES = {"en": "min", "zh": "分钟"}


class ChapterTimeError(ValueError):
    """A chapter named in the role has no notebook or no time line."""


def chapter_minutes(notebook):
    """The minutes that the header of ``notebook`` (a path to an .ipynb) states.

    The header is the first markdown cell that contains a ``**Time:** about N minutes`` (or
    ``hours``) line.  Raises :class:`ChapterTimeError` (one line naming the file) if the file is
    missing, is not a notebook, or states no time.
    """
    path = Path(notebook)
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except FileNotFoundError:
        raise ChapterTimeError(f"{path}: no such chapter notebook") from None
    except (ValueError, KeyError, TypeError):
        raise ChapterTimeError(f"{path}: not a notebook (expected JSON with 'cells')") from None
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        match = TIME_LINE.search(text)
        if match:
            number, unit = int(match.group(1)), match.group(2)
            return number * 60 if unit.startswith("hour") else number
    raise ChapterTimeError(f"{path}: no '**Time:** about N minutes' line in a markdown cell")


def chapter_time_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{chapter-time}`01_neuron``` -> "75 min", from book/01_neuron.ipynb."""
    env = inliner.document.settings.env
    notebook = Path(env.srcdir) / f"{text.strip()}.ipynb"
    try:
        minutes = chapter_minutes(notebook)
    except ChapterTimeError as e:
        message = inliner.reporter.error(str(e), line=lineno)
        problem = inliner.problematic(rawtext, rawtext, message)
        return [problem], [message]
    # rebuild the page that uses the role when the chapter changes
    env.note_dependency(str(notebook))
    unit = MINUTES.get((env.config.language or "en").split("_")[0], "min")
    return [nodes.Text(f"{minutes} {unit}")], []


def setup(app):
    app.add_role("chapter-time", chapter_time_role)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
