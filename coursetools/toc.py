"""The pages of the book's table of contents, ``book/_toc.yml``: the one reader of that file.

    from coursetools import toc
    toc.pages()        # ['intro', 'getting_started', '01_neuron', ...]: root first, then every
                       # ``file:`` in reading order (parts, chapters, sections, nested)
    toc.notebooks()    # the pages that are notebooks, as paths

The file is read with ``yaml.safe_load`` and walked as Jupyter Book 1.x defines it (``root``,
then ``parts`` / ``chapters`` / ``sections``, or ``subtrees`` / ``entries``); an entry without
``file`` (a ``url`` or a ``glob``) names no page.  A malformed table of contents raises
:class:`TocError` with one line naming the file and what was expected.
"""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
# The keys under which Jupyter Book 1.x nests lists of entries.
NESTED = ("parts", "chapters", "sections", "subtrees", "entries")


class TocError(ValueError):
    """A table of contents that cannot be read: one line naming the file and what was expected."""


def _read(path):
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TocError(f"{path}: no such file (the book's table of contents)") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise TocError(f"{path}: not valid YAML{where}") from None
    if not isinstance(data, dict) or not isinstance(data.get("root"), str):
        raise TocError(f"{path}: expected a mapping with 'root: PAGE' (the first page)")
    return data


def _walk(node, path, where):
    """The ``file`` of ``node`` (a mapping) and of every entry nested in it, in order."""
    if not isinstance(node, dict):
        raise TocError(f"{path}: expected an entry (a mapping such as 'file: PAGE') in {where}, "
                       f"found {node!r}")
    names = []
    if "file" in node:
        if not isinstance(node["file"], str) or not node["file"].strip():
            raise TocError(f"{path}: expected a page name after 'file:' in {where}, "
                           f"found {node['file']!r}")
        names.append(node["file"].strip())
    for key in NESTED:
        if key in node:
            entries = node[key]
            if not isinstance(entries, list):
                raise TocError(f"{path}: expected a list under '{key}:' in {where}, "
                               f"found {entries!r}")
            for entry in entries:
                names += _walk(entry, path, f"'{key}:'")
    return names


def pages(book=BOOK):
    """Every page of ``book/_toc.yml`` in reading order: the root first, then every ``file:``
    (without its suffix, as the file writes it)."""
    path = Path(book) / "_toc.yml"
    data = _read(path)
    return [data["root"].strip(), *_walk({k: v for k, v in data.items() if k in NESTED},
                                          path, "the top level")]


def notebooks(book=BOOK):
    """The pages of :func:`pages` that are notebooks (``NAME.ipynb`` in ``book``), as paths."""
    book = Path(book)
    return [book / f"{name}.ipynb" for name in pages(book) if (book / f"{name}.ipynb").is_file()]
