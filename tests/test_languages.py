"""book/_ext/languages.py: the language switch's address and the display maths kept untranslated."""
from types import SimpleNamespace

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document

from conftest import book_extension

languages = book_extension("languages")


def app(language, root, label=""):
    config = SimpleNamespace(language=language, language_switch_root=root,
                             language_switch_label=label)
    return SimpleNamespace(config=config, builder=SimpleNamespace(out_suffix=".html"))


@pytest.mark.parametrize("language, root, page, url, label, hreflang", [
    ("en", "zh_CN/", "04_backpropagation", "zh_CN/04_backpropagation.html", "中文", "zh-CN"),
    ("zh_CN", "../", "04_backpropagation", "../04_backpropagation.html", "English", "en"),
    ("zh_CN", "../", "part/page", "../../part/page.html", "English", "en"),
])
def test_the_switch_points_at_the_same_page_of_the_other_edition(language, root, page, url, label,
                                                                  hreflang):
    context = {}
    languages.switch_context(app(language, root), page, "page.html", context, nodes.document(
        None, None))
    assert context["language_switch"] == {"url": url, "label": label, "hreflang": hreflang}


def test_no_root_no_switch_and_no_switch_on_generated_pages():
    context = {}
    languages.switch_context(app("en", ""), "intro", "page.html", context, nodes.document(None, None))
    assert context["language_switch"] is None
    languages.switch_context(app("en", "zh_CN/"), "genindex", "genindex.html", context, None)
    assert context["language_switch"] is None


def test_display_maths_is_marked_untranslatable_and_prose_is_not():
    document = new_document("page", get_default_settings(Parser))
    document += nodes.paragraph("The error is", "The error is")
    document += nodes.math_block("\\delta = a - y", "\\delta = a - y")
    transform = languages.PrepareTranslation(document)
    transform.apply()
    maths = next(iter(document.findall(nodes.math_block)))
    paragraph = next(iter(document.findall(nodes.paragraph)))
    assert maths["translatable"] is False
    assert "translatable" not in paragraph
