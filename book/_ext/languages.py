"""The book in two languages: display maths kept out of translation, and a language switch.

The Chinese edition is the same notebooks with the prose translated through Sphinx's gettext
catalogues (``book/locales/zh_CN/LC_MESSAGES/PAGE.po``; ``coursetools/translations.py`` extracts,
updates and checks them).  Code, outputs, glued numbers and maths are shared, never translated:

* **Display maths is not a message.**  A ``$$ … $$`` block (a ``math_block`` node) is marked
  untranslatable, so it is neither extracted into the catalogues nor replaced by a translation;
  the maths of both editions is one source.  (Inline ``$…$`` lives inside sentences, which are
  translated; ``coursetools/translations.py`` checks that each translation keeps every one of them.)
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
from docutils import nodes
from sphinx.transforms import SphinxTransform

# The other language of each edition, as the button names it (in that language) and as HTML
# names it (hreflang).
OTHER = {"en": ("中文", "zh-CN"), "zh_CN": ("English", "en")}


class UntranslatableMaths(SphinxTransform):
    """Display maths is one source for both editions: mark it untranslatable (see above)."""

    default_priority = 10          # before sphinx.transforms.i18n.Locale (20)

    def apply(self, **kwargs):
        for node in self.document.findall(nodes.math_block):
            node["translatable"] = False


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
    app.add_transform(UntranslatableMaths)
    app.connect("html-page-context", switch_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

