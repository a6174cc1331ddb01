"""The Chinese edition's catalogues: extract the book's messages, update the catalogues, check them.

    .venv/bin/python -m coursetools.translations update     # extract, then update book/locales/zh_CN
    .venv/bin/python -m coursetools.translations check      # every message translated, none fuzzy,
                                                       # every placeholder kept (exit status 1 if not)
    .venv/bin/python -m coursetools.translations export 04_backpropagation > ch4.txt
    .venv/bin/python -m coursetools.translations import 04_backpropagation ch4.txt

The Chinese edition is built from the same notebooks as the English one (``coursetools/build_book.py
student --language zh_CN``): only the prose is translated, through Sphinx's gettext catalogues,
one per page, ``book/locales/zh_CN/LC_MESSAGES/PAGE.po``.  Code, outputs, glued numbers and display
maths are shared (``book/_ext/languages.py``).

**update** builds the student edition with Sphinx's ``gettext`` builder (the messages, one
template a page) and merges each template into its catalogue with Babel (which Sphinx already
depends on): a new message is added untranslated, a message whose English changed keeps its old
translation marked *fuzzy* (with the old English beside it, ``#| msgid``), a message gone from the
page is dropped.  The API page's docstrings (from ``nnlib``'s source, read by learners in English
in the code itself) are left out: that page's own prose is translated.

A message with no words outside its placeholders (a table cell ``$\\eta$``) is filled in as its
own translation.

**check** lists every problem of the catalogues, one line each, naming the file and the message:

* a message of the book missing from its catalogue, untranslated or fuzzy (so a sentence changed
  in English without its translation is reported);
* a translation that does not keep every *placeholder* of its message: inline maths ``$…$``, code
  ``` ``…`` ```, every role (``{glue:text}`…```, ``{cite}`…```, ``{ref}`…``` …; a role with a
  title, ``{doc}`title <target>```, keeps its name and target and may translate its title), every
  MyST substitution ``{{ … }}`` and every link target ``](…)``.  A broken placeholder would
  otherwise be a silently wrong page.

**export** and **import** are for translating a page in a text editor: ``export PAGE`` prints
the messages of ``PAGE.po`` that need work (untranslated or fuzzy; ``--all``: every one), each as
a block::

    === 12
    The **error** of neuron $j$ in layer $l$ is
    ---
    （the translation, empty until written）

and ``import PAGE FILE`` writes the translation of each block back into the catalogue (the
number is the message's place in the catalogue, the English line is checked against it), clears
its fuzzy flag, and lists the placeholder problems of the page.

``coursetools/build_book.py`` refuses to build a language whose catalogues have a broken placeholder
(one line naming the file and message).
"""
import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
LOCALES = BOOK / "locales"
LANGUAGES = ("zh_CN",)

# A role with its content: {glue:text}`name:.2%`, {doc}`notation page <notation>`.
ROLE = re.compile(r"(?<!`)\{[A-Za-z][\w:.+-]*\}`[^`]*`")
TITLED = re.compile(r"(\{[A-Za-z][\w:.+-]*\}`)(?:[^`<]*<([^`>]+)>)`")
MATHS = re.compile(r"\$\$.+?\$\$|(?<!\\)\$(?:[^$\\]|\\.)+?\$", re.S)
CODE = re.compile(r"``.+?``|`[^`]+`")
SUBSTITUTION = re.compile(r"\{\{.*?\}\}")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")


class CatalogueError(ValueError):
    """A catalogue that cannot be read."""


def placeholders(text):
    """What a translation of ``text`` must keep, as a Counter of strings.

    Roles first (a titled role counts as its name and target), then maths, code spans,
    substitutions and link targets in what is left.
    """
    found = Counter()
    for match in ROLE.finditer(text):
        titled = TITLED.fullmatch(match.group())
        found[f"{titled.group(1)}…<{titled.group(2)}>`" if titled else match.group()] += 1
    rest = ROLE.sub(" ", text)
    for pattern in (MATHS, CODE, SUBSTITUTION):
        found.update(m.group() for m in pattern.finditer(rest))
        rest = pattern.sub(" ", rest)
    found.update(f"]({m.group(1)})" for m in LINK_TARGET.finditer(rest))
    return found


def nothing_to_translate(msgid):
    """True for a message with no words outside its placeholders (a table cell holding only
    maths or code, or a message already in Chinese): it is its own translation.  A role's
    title (``{doc}`The forward pass <03_forward_pass>```) is words to translate."""
    rest = TITLED.sub(lambda m: m.group().split("`", 1)[1].rsplit("<", 1)[0], msgid)
    for pattern in (ROLE, MATHS, CODE, SUBSTITUTION):
        rest = pattern.sub(" ", rest)
    return not re.search(r"[A-Za-z]{2,}", rest)


# A translation that MyST would read as another kind of block than its message: "4. 反向传播"
# is an ordered list (Sphinx then keeps the English, silently), unless written "4\. 反向传播".
NUMBERED = re.compile(r"\d+[.)]\s")


# A reST role in a message of an ``{eval-rst}`` block (the API page): Sphinx parses every
# translation of a page as that page's markup, MyST, so the translation writes it as MyST.
REST_ROLE = re.compile(r"(?<![\w`}]):((?:[a-z]+:)?[a-z]+):`([^`]+)`")


def placeholder_problem(msgid, msgstr):
    """One phrase saying which placeholders ``msgstr`` lost or added, or None.

    A reST role of the message, ``:py:class:`x```, is kept as the MyST role ``{py:class}`x```.
    """
    source = placeholders(REST_ROLE.sub(r"{\1}`\2`", msgid))
    target = placeholders(msgstr)
    lost, added = source - target, target - source
    if NUMBERED.match(msgstr):
        return (f"starts {msgstr[:msgstr.index(' ')]!r}, which MyST reads as a numbered list (the "
                f"page then keeps its English): write {NUMBERED.match(msgstr).group()[:-2]}\\"
                f"{NUMBERED.match(msgstr).group()[-2:]}")
    if not lost and not added:
        return None
    parts = []
    if lost:
        parts.append("lost " + ", ".join(sorted(lost)))
    if added:
        parts.append("added " + ", ".join(sorted(added)))
    return "; ".join(parts)


def short(msgid, width=60):
    one_line = " ".join(msgid.split())
    return repr(one_line if len(one_line) <= width else one_line[:width - 1] + "…")


def shown(path):
    """``path`` relative to the repository when it is inside it (as error messages name it)."""
    path = Path(path)
    return path.resolve().relative_to(ROOT) if ROOT in path.resolve().parents else path


def read_catalogue(path):
    """The Babel catalogue at ``path``; ``CatalogueError`` (one line) if it is not a .po file."""
    try:
        with open(path, "rb") as f:
            return read_po(f, abort_invalid=True)
    except Exception as e:                              # babel raises several kinds
        raise CatalogueError(f"{path}: not a readable gettext catalogue "
                             f"({str(e).strip().splitlines()[0] if str(e).strip() else e})") \
            from None


def catalogue_problems(path, template=None):
    """Every problem of the catalogue at ``path``, one line each (see the module's docstring).

    With ``template`` (a Babel catalogue of the page's messages), a message of the template
    that the catalogue lacks is a problem too.
    """
    catalogue = read_catalogue(path)
    name = shown(path)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        if not message.string:
            problems.append(f"{name}: message {short(message.id)} is not translated")
        elif message.fuzzy:
            problems.append(f"{name}: message {short(message.id)} is fuzzy (its English changed): "
                            "check the translation, then remove the fuzzy flag")
        else:
            problem = placeholder_problem(message.id, message.string)
            if problem:
                problems.append(f"{name}: message {short(message.id)}: the translation {problem}")
    if template is not None:
        for message in template:
            if message.id and message.id not in catalogue:
                problems.append(f"{name}: message {short(message.id)} is missing: run "
                                "python -m coursetools.translations update")
    return problems


def broken_placeholders(language):
    """The placeholder problems of ``language``'s catalogues (what makes a build refuse)."""
    return [p for path in sorted((LOCALES / language / "LC_MESSAGES").glob("*.po"))
            for p in catalogue_problems(path) if ": the translation " in p]


def docstring_only(message):
    """True for a message that comes only from autodoc (a docstring of nnlib), not a page."""
    return not any(location.endswith((".md", ".ipynb")) for location, _ in message.locations)


def templates(out):
    """Build the student edition's message templates into ``out``; {page: Babel catalogue}."""
    from coursetools import build_book            # (build_book imports this module)

    build_book.build("student", builder="gettext", out=out)
    pages = {}
    for pot in sorted(Path(out).glob("*.pot")):
        template = read_catalogue(pot)
        for message in list(template):
            if message.id and docstring_only(message):
                del template[message.id, message.context]
        if any(m.id for m in template):
            pages[pot.stem] = template
    return pages


def update(language):
    """Merge the book's messages into ``language``'s catalogues; print what changed."""
    folder = LOCALES / language / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nnlib-gettext-") as tmp:
        pages = templates(Path(tmp) / "gettext")
    for page, template in pages.items():
        path = folder / f"{page}.po"
        if path.exists():
            catalogue = read_catalogue(path)
        else:
            from babel.messages.catalog import Catalog
            catalogue = Catalog(locale=language, project="Neural networks from scratch",
                                fuzzy=False)
        before = {m.id for m in catalogue if m.id}
        catalogue.update(template, update_header_comment=False)
        catalogue.obsolete.clear()
        for message in catalogue:
            if message.id and not message.string and nothing_to_translate(message.id):
                message.string = message.id
        with open(path, "wb") as f:
            write_po(f, catalogue, width=0, omit_header=False, include_previous=True,
                     sort_output=False)
        after = {m.id for m in catalogue if m.id}
        print(f"{path.relative_to(ROOT)}: {len(after)} messages "
              f"({len(after - before)} new, {len(before - after)} gone, "
              f"{sum(1 for m in catalogue if m.id and m.fuzzy)} fuzzy)")
    for stale in sorted(set(p.stem for p in folder.glob("*.po")) - set(pages)):
        print(f"{folder.relative_to(ROOT)}/{stale}.po: no page has this name any more "
              "(remove it if the page was removed)")


def check(language, complete=True):
    """Every problem of ``language``'s catalogues; with ``complete``, against the book's messages."""
    folder = LOCALES / language / "LC_MESSAGES"
    problems = []
    if complete:
        with tempfile.TemporaryDirectory(prefix="nnlib-gettext-") as tmp:
            pages = templates(Path(tmp) / "gettext")
        for page, template in pages.items():
            path = folder / f"{page}.po"
            if not path.exists():
                problems.append(f"{path.relative_to(ROOT)}: missing (run python -m coursetools.translations "
                                "update)")
            else:
                problems += catalogue_problems(path, template)
    else:
        for path in sorted(folder.glob("*.po")):
            problems += catalogue_problems(path)
    return problems


BLOCK = re.compile(r"^=== (\d+)\n(.*?)\n---\n(.*?)(?=^=== \d+\n|\Z)", re.S | re.M)


def messages_of(page, language="zh_CN"):
    path = LOCALES / language / "LC_MESSAGES" / f"{page}.po"
    if not path.is_file():
        raise CatalogueError(f"{path}: no such catalogue")
    catalogue = read_catalogue(path)
    return path, catalogue, [m for m in catalogue if m.id]


def export(page, everything=False, language="zh_CN"):
    """The blocks of ``page``'s messages that need work (or all), as text."""
    _, _, messages = messages_of(page, language)
    return "".join(f"=== {n}\n{m.id}\n---\n{m.string if everything else ''}\n"
                   for n, m in enumerate(messages, 1)
                   if everything or not m.string or m.fuzzy)


def import_blocks(page, text, language="zh_CN"):
    """Write the translations of the blocks in ``text`` into ``page``'s catalogue."""
    path, catalogue, messages = messages_of(page, language)
    written = 0
    for match in BLOCK.finditer(text):
        n, english, chinese = int(match.group(1)), match.group(2), match.group(3).strip()
        if not 1 <= n <= len(messages) or messages[n - 1].id != english:
            raise CatalogueError(f"block {n}: its English is not message {n} of {path.name}; "
                                 "export again")
        if chinese:
            messages[n - 1].string = chinese
            messages[n - 1].flags.discard("fuzzy")
            messages[n - 1].previous_id = ()
            written += 1
    with open(path, "wb") as f:
        write_po(f, catalogue, width=0, include_previous=True)
    print(f"{shown(path)}: {written} translations written")
    return [p for p in catalogue_problems(path) if "not translated" not in p]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["update", "check", "export", "import"])
    parser.add_argument("page", nargs="?", help="export, import: the page (e.g. 04_backpropagation)")
    parser.add_argument("file", nargs="?", type=Path, help="import: the file of blocks")
    parser.add_argument("--language", default="zh_CN", choices=LANGUAGES)
    parser.add_argument("--all", action="store_true", help="export: every message")
    parser.add_argument("--catalogues-only", action="store_true",
                        help="check: only the catalogues themselves (no build of the messages)")
    args = parser.parse_args(argv)
    try:
        if args.command == "update":
            update(args.language)
            return 0
        if args.command in ("export", "import") and not args.page:
            parser.error(f"{args.command} needs a PAGE")
        if args.command == "export":
            sys.stdout.write(export(args.page, args.all, args.language))
            return 0
        if args.command == "import":
            if not args.file:
                parser.error("import needs a PAGE and a FILE")
            problems = import_blocks(args.page, args.file.read_text(encoding="utf-8"),
                                     args.language)
        else:
            problems = check(args.language, complete=not args.catalogues_only)
    except (CatalogueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for line in problems:
        print(line)
    print(f"{len(problems)} problems in book/locales/{args.language}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
