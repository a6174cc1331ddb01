"""MyST that JupyterLab cannot render, written out as plain Markdown for the student notebooks.

The book's prose uses roles that only the book build resolves.  jupyterlab-myst (the MyST renderer
the handout installs) renders exercises, admonitions, maths and references inside one notebook, but
shows a glued number as its key, a citation as its key and a link to another page as a broken link
(measured in a real JupyterLab; see CONTRIBUTING.md).  So the student notebooks (the handout, the
notebooks the launch buttons open) get those roles replaced by what the book shows:

* ``{glue:text}`key:fmt``` (also ``doc::key``) -> the value glued by the notebook's own stored
  outputs, formatted as myst-nb formats it (so the number is the book's number);
* ``{cite}`a,b``` / ``{cite:p}`` / ``{cite:t}`` -> "(LeCun et al., 1998; Nielsen, 2015)" or
  "LeCun et al. (1998)", from ``book/references.bib``;
* ``{doc}`target``` / ``{doc}`text <target>``` -> a Markdown link to ``target.ipynb`` when that
  notebook ships beside it, else the page's title in italics;
* ``{ref}`label``` to a label of another page -> its text (or the heading it labels).

Roles that JupyterLab renders (``{ref}`` inside one notebook, maths, directives) are kept.  An
unknown glue key or citation key raises :class:`PlainMystError` naming the notebook and the key:
a silently unresolved role would show a reader a variable name.
"""
import copy
import re
from pathlib import Path

import nbformat

from myst_nb.core.variables import format_plain_text
from myst_nb.ext.glue import extract_glue_data_cell

ROLE = re.compile(r"\{(?P<role>glue(?::text|:any)?|cite(?::p|:t)?|doc|ref)\}`(?P<body>[^`]*)`")
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
LABEL = re.compile(r"^\((?P<label>[A-Za-z0-9_-]+)\)=\s*\n#+\s*(?P<heading>.+)$", re.M)


class PlainMystError(ValueError):
    """A role that cannot be written out (an unknown glue key, citation or page)."""


def glue_values(nb):
    """``{key: text/plain}`` of every value the notebook ``nb`` glues (from its stored outputs)."""
    values = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            for key, output in extract_glue_data_cell(nbformat.from_dict(cell)):
                if "text/plain" in output.get("data", {}):
                    values[key] = output["data"]["text/plain"]
    return values


def page_title(source):
    """The first ``# Title`` of a notebook (a dict) or of a Markdown page's text."""
    texts = ([cell_source(c) for c in source["cells"] if c["cell_type"] == "markdown"]
             if isinstance(source, dict) else [source])
    for text in texts:
        match = re.search(r"^#\s+(.+)$", text, re.M)
        if match:
            return match.group(1).strip()
    return None


def cell_source(cell):
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def labels_of(nb):
    """``{label: text}`` for the ``(label)=`` headings and ``:label:`` directives of ``nb``."""
    found = {}
    for cell in nb["cells"]:
        text = cell_source(cell)
        for match in LABEL.finditer(text):
            found[match.group("label")] = match.group("heading").strip()
        for match in re.finditer(r"^:label:\s*(\S+)", text, re.M):
            found.setdefault(match.group(1), match.group(1))
    return found


def citation_text(keys, bibliography, parenthetical):
    """"(LeCun et al., 1998; Nielsen, 2015)" (``parenthetical``) or "LeCun et al. (1998)"."""
    parts = []
    for key in keys:
        if key not in bibliography:
            raise PlainMystError(f"citation {key!r} is not in references.bib")
        authors, year = bibliography[key]
        parts.append(f"{authors}, {year}" if parenthetical else f"{authors} ({year})")
    return f"({'; '.join(parts)})" if parenthetical else "; ".join(parts)


def read_bibliography(path):
    """``{key: (authors as cited, year)}`` from a BibTeX file (pybtex, as the book build uses)."""
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    def last(person):
        return str(Text.from_latex(" ".join(person.last_names))).replace("{", "").replace("}", "")

    entries = {}
    for key, entry in parse_file(str(path)).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [last(p) for p in people]
        if not names:
            cited = str(entry.fields.get("organization") or entry.fields.get("title") or key)
        elif len(names) == 1:
            cited = names[0]
        elif len(names) == 2:
            cited = f"{names[0]} and {names[1]}"
        else:
            cited = f"{names[0]} et al."
        entries[key] = (cited, entry.fields.get("year", "n.d."))
    return entries


class Book:
    """What the roles of one notebook may point to: the book's pages, glue values, bibliography."""

    def __init__(self, book_dir, shipped=()):
        self.dir = Path(book_dir)
        self.shipped = set(shipped)        # notebook stems that ship beside the converted one
        self.notebooks = {p.stem: nbformat.read(p, as_version=4)
                          for p in sorted(self.dir.glob("*.ipynb"))}
        self.pages = {p.stem: p.read_text(encoding="utf-8") for p in sorted(self.dir.glob("*.md"))}
        self.glue = {name: glue_values(nb) for name, nb in self.notebooks.items()}
        self.labels = {name: labels_of(nb) for name, nb in self.notebooks.items()}
        bib = self.dir / "references.bib"
        self.bibliography = read_bibliography(bib) if bib.exists() else {}

    def title(self, target):
        if target in self.notebooks:
            return page_title(self.notebooks[target]) or target
        if target in self.pages:
            return page_title(self.pages[target]) or target
        raise PlainMystError(f"no page {target!r} in the book")

    def replace(self, name, match):
        role, body = match.group("role"), match.group("body")
        explicit = EXPLICIT.match(body)
        if role.startswith("glue"):
            doc, _, key = body.rpartition("::")
            key, _, fmt = key.partition(":")
            doc = Path(doc).stem if doc else name      # "03_forward_pass.ipynb::key" as myst-nb
            values = self.glue.get(doc, {})
            if key not in values:
                raise PlainMystError(f"glue key {key!r} is not glued by {doc}")
            # numpy 2 stores a glued numpy scalar as its repr, np.float64(0.39): the number inside
            scalar = re.fullmatch(r"np\.\w+\((.*)\)", values[key].strip())
            return format_plain_text(scalar.group(1) if scalar else values[key], fmt)
        if role.startswith("cite"):
            keys = [k.strip() for k in body.split(",") if k.strip()]
            return citation_text(keys, self.bibliography, parenthetical=role != "cite:t")
        if role == "doc":
            text, target = ((explicit.group("text"), explicit.group("target")) if explicit
                            else (None, body))
            target = target.strip().removesuffix(".ipynb").removesuffix(".md")
            title = self.title(target)
            if target in self.shipped:
                return f"[{text or title}]({target}.ipynb)"
            return text if text else f"*{title}*"
        # {ref}: JupyterLab resolves labels of the same notebook; write out the others.
        text, label = ((explicit.group("text"), explicit.group("target")) if explicit
                       else (None, body))
        if label in self.labels.get(name, {}):
            return match.group(0)
        for page, labels in self.labels.items():
            if label in labels:
                return text or f"{labels[label]} (*{self.title(page)}*)"
        raise PlainMystError(f"{{ref}} label {label!r} is defined on no page")

    def plain(self, name, nb):
        """A copy of notebook ``nb`` (the page ``name``) with its markdown written out."""
        out = copy.deepcopy(nb)
        for cell in out["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            try:
                cell["source"] = ROLE.sub(lambda m: self.replace(name, m), cell_source(cell))
            except PlainMystError as e:
                raise PlainMystError(f"{name}.ipynb: {e}") from None
        return out
