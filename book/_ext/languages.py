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
  While a page is translated, such a role reads the page's own notebook data instead.
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

# The page being translated (set before Sphinx's Locale transform runs on it).
_PAGE = {"document": None}

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
    translatable, and the page remembered for its glued values (see above)."""

    default_priority = 10          # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs):
        _PAGE["document"] = self.document
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


def glue_of_the_page_being_translated():
    """Let myst-nb's glue roles and directives find the page's values inside a translation."""
    try:
        from myst_nb.ext.glue import directives, roles, utils
    except ImportError:
        return
    original = utils.retrieve_glue_data

    def retrieve_glue_data(document, key):
        page = _PAGE["document"]
        if ("nb_renderer" not in document and page is not None and "nb_renderer" in page
                and str(document.get("source", "")).startswith(f"{page.get('source')}:")):
            document = page                        # a translated message of that page
        return original(document, key)

    roles.retrieve_glue_data = directives.retrieve_glue_data = retrieve_glue_data


def messages_rebuilt_after_reading(app, doctree, docname):
    """For the gettext builder: alt texts and exercise titles as messages, with the uid (and
    position) that Sphinx gives messages when it reads a page, lost when the nodes were rebuilt."""
    if app.builder.name != "gettext":
        return
    for node in [*doctree.findall(nodes.image), *exercise_subtitles(doctree)]:
        if isinstance(node, nodes.image) and not node.get("alt"):
            continue
        if not hasattr(node, "uid"):
            node.uid = uuid.uuid4().hex
        node.source = node.source or doctree.get("source")
        if not isinstance(node, nodes.image):
            node.rawsource = node.rawsource or node.astext()


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
    app.connect("doctree-resolved", messages_rebuilt_after_reading)
    app.connect("html-page-context", switch_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

