"""The book in two languages: display maths kept out of translation, and a language switch.

The Chinese edition is the same notebooks with the prose translated through Sphinx's gettext
catalogues (``book/locales/zh_CN/LC_MESSAGES/PAGE.po``; ``coursetools/translations.py`` extracts,
updates and checks them).  Code, outputs, glued numbers and maths are shared, never translated:

* **Display maths is not a message.**  A ``$$ … $$`` block (a ``math_block`` node) is marked
  untranslatable, so it is neither extracted into the catalogues nor replaced by a translation;
  the maths of both editions is one source.  (Inline ``$…$`` lives inside sentences, which are
  translated; ``coursetools/translations.py`` checks that each translation keeps every one of them.)
* **Glued numbers inside translations.**  Sphinx parses each translated message as a document of
  its own, which lacks myst-nb's notebook data, so a ``{glue:text}`` role of the page itself
  found no value there (myst-nb 1.x: ``retrieve_glue_data`` reads ``document["nb_renderer"]``).
  Inside a translated message, such a role refers to the page's own glue as another page's
  would (``/PAGE.ipynb::key``).
* **Exercise titles and alt text are messages.**  sphinx-exercise's title (``{exercise} Title``)
  carries no source position, so Sphinx neither extracts nor translates it; it is given its
  exercise's position (and its text) before translation.  The alt text of the notebooks' figures
  is a message too (Sphinx translates image ``alt``); the gettext builder, which sees the pages
  after myst-nb and sphinx-exercise have rebuilt those nodes, is given them back.
* **The language switch.**  Every page of one edition links to the same page of the other: a
  button in the page's header ("中文" on the English page, "English" on the Chinese one), to the
  address ``language_switch_root + page.html``, relative to the root of this edition.  The
  student editions are published as one site, the English one at its root and the Chinese one in
  ``zh_CN/`` (``coursetools/build_book.py student`` and ``… student --language zh_CN``), so the English
  edition sets ``language_switch_root`` to ``"zh_CN/"`` and the Chinese one to ``"../"``; empty
  (the default, and the instructors' edition) shows no switch.

Settings (``sphinx.config``): ``language_switch_root`` and ``language_switch_label`` (the
button's text, the other language's own name), both set by ``coursetools/build_book.py``.  The
button is the template ``book/_templates/language-switch.html``, placed by
``html_theme_options.article_header_end``.
"""
import uuid

from docutils import nodes
from sphinx.transforms import SphinxTransform

# The other language of each edition, as the button names it (in that language) and as HTML
# names it (hreflang).
OTHER = {"en": ("中文", "zh-CN"), "zh_CN": ("English", "en")}


def exercise_subtitles(document):
    """The ``{exercise} Title`` nodes of ``document`` (none without sphinx-exercise)."""
    try:
        from sphinx_exercise.nodes import exercise_subtitle
    except ImportError:
        return []
    return list(document.findall(exercise_subtitle))


class PrepareTranslation(SphinxTransform):
    """Before Sphinx translates a page: display maths untranslatable, exercise titles
    translatable (see above)."""

    default_priority = 10          # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs):
        for node in self.document.findall(nodes.math_block):
            node["translatable"] = False
        for subtitle in exercise_subtitles(self.document):
            exercise = subtitle.parent.parent if subtitle.parent else None
            subtitle.source = subtitle.source or getattr(exercise, "source", None) \
                or self.document.get("source")
            subtitle.line = subtitle.line or getattr(exercise, "line", None)
            subtitle.rawsource = subtitle.rawsource or subtitle.astext()
            if subtitle.parent is not None:
                subtitle.parent["translatable"] = False     # "Exercise" + title: not a message


def translated_glue(run, formatted=False):
    """A glue role's ``run`` that, inside a translated message, reads the page's own glue.

    A translated message is parsed as a document of its own (its source ends in
    ``:<translated>``), which holds none of the notebook's glue data; there, the role's key
    becomes a reference to this page's glue, ``/PAGE.ipynb::key``, which myst-nb resolves after
    reading from the data it saved for the page, as it does for another page's key.
    """
    def run_in_translation(self):
        if str(self.document.get("source", "")).endswith(":<translated>") and "::" not in self.text:
            env = self.document.settings.env
            text = self.text
            if formatted and ":" not in text:
                text += ":s"              # {glue:text} splits its format off at the last colon
            self.text = f"/{env.doc2path(env.docname, False)}::{text}"
        return run(self)
    return run_in_translation


def glue_of_the_page_being_translated():
    """Let myst-nb's glue roles find the page's values inside a translation (myst-nb 1.x)."""
    try:
        from myst_nb.ext.glue import roles
    except ImportError:
        return
    for role in (roles.PasteRoleAny, roles.PasteMarkdownRole):
        role.run = translated_glue(role.run)
    roles.PasteTextRole.run = translated_glue(roles.PasteTextRole.run, formatted=True)


def remember_exercise_titles(app, doctree):
    """For the gettext builder: the page's exercise titles, as read (sphinx-exercise rebuilds the
    title nodes before the messages are extracted)."""
    if app.builder.name == "gettext":
        titles = getattr(app.env, "nnlib_exercise_titles", {})
        # rawsource, as set before translation (the text before smart quotes), so that the
        # message is the text the translation is looked up by
        titles[app.env.docname] = [(s.rawsource or s.astext(), s.line)
                                   for s in exercise_subtitles(doctree)]
        app.env.nnlib_exercise_titles = titles


def messages_rebuilt_after_reading(app, doctree, docname):
    """For the gettext builder: alt texts and exercise titles as messages, with the uid (and
    position) that Sphinx gives messages when it reads a page, lost when the nodes were rebuilt.
    (The figures are kept for this builder by ``nb_mime_priority_overrides`` in _config.yml.)"""
    if app.builder.name != "gettext":
        return
    for node in doctree.findall(nodes.image):
        if node.get("alt") and not hasattr(node, "uid"):
            node.uid = uuid.uuid4().hex
            node.source = node.source or doctree.get("source")
    for text, line in getattr(app.env, "nnlib_exercise_titles", {}).get(docname, []):
        title = nodes.paragraph(text, text)        # extracted only: the gettext builder
        title.source, title.line, title.uid = doctree.get("source"), line, uuid.uuid4().hex
        doctree += title


def switch_context(app, pagename, templatename, context, doctree):
    """Give the template the address of this page in the other edition (or nothing)."""
    root = app.config.language_switch_root
    if not root or doctree is None:
        context["language_switch"] = None
        return
    label, hreflang = OTHER.get(app.config.language or "en", OTHER["en"])
    depth = pagename.count("/")
    context["language_switch"] = {
        "url": "../" * depth + root + pagename + app.builder.out_suffix,
        "label": app.config.language_switch_label or label,
        "hreflang": hreflang,
    }


def setup(app):
    app.add_config_value("language_switch_root", "", "html", types=[str])
    app.add_config_value("language_switch_label", "", "html", types=[str])
    app.add_transform(PrepareTranslation)
    glue_of_the_page_being_translated()
    app.connect("doctree-read", remember_exercise_titles)
    app.connect("doctree-resolved", messages_rebuilt_after_reading)
    app.connect("html-page-context", switch_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

