"""The Chinese edition's catalogues (coursetools/translations.py) and its build.

Unit tests: what a translation must keep (placeholders), how a broken catalogue is reported
(one line naming the file and the message), export/import, and the catalogues in the
repository (every placeholder kept, nothing fuzzy).  Slow: every message of the book is in its
catalogue and translated (a sentence changed in English without its translation turns this red),
and the Chinese edition builds.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from coursetools import build_book, toc, translations

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "book" / "locales" / "zh_CN" / "LC_MESSAGES"


def write_catalogue(path, pairs, fuzzy=()):
    catalogue = Catalog(locale="zh_CN")
    for msgid, msgstr in pairs:
        catalogue.add(msgid, msgstr, flags=["fuzzy"] if msgid in fuzzy else [])
    with open(path, "wb") as f:
        write_po(f, catalogue)
    return path


# ------------------------------------------------------------------------------- placeholders
@pytest.mark.parametrize("text, expected", [
    ("the error $\\delta^l_j$ of `net.backprop`", ["$\\delta^l_j$", "`net.backprop`"]),
    ("{glue:text}`acc:.2%` after {cite}`nielsen2015`", ["{glue:text}`acc:.2%`",
                                                       "{cite}`nielsen2015`"]),
    ("the {doc}`notation page <notation>`", ["{doc}`…<notation>`"]),
    ("see [the API](api.md) and {{ version }}", ["](api.md)", "{{ version }}"]),
    ("a cost of $5 and $C$", ["$5 and $"]),          # a lone dollar pairs with the next
    ("$$a = b$$ then $x$", ["$$a = b$$", "$x$"]),
    ("no placeholder at all", []),
    ("the `{solution-start}` cell and `{solution-end}`", ["`{solution-start}`", "`{solution-end}`"]),
])
def test_placeholders_are_roles_maths_code_and_targets(text, expected):
    assert sorted(translations.placeholders(text).elements()) == sorted(expected)


def test_a_titled_role_may_translate_its_title_but_not_its_target():
    english = "the {doc}`notation page <notation>` and {ref}`the table <sizes>`"
    assert translations.placeholder_problem(english, "{doc}`符号页 <notation>` 与 {ref}`表 <sizes>`") \
        is None
    problem = translations.placeholder_problem(english, "{doc}`符号页 <api>` 与 {ref}`表 <sizes>`")
    assert problem == "lost {doc}`…<notation>`; added {doc}`…<api>`"


@pytest.mark.parametrize("translation, problem", [
    ("误差 $\\delta^l_j$", "lost `net.backprop`"),
    ("误差 $\\delta^l_j$ 与 `net.backprop` 与 `net.backprop`", "added `net.backprop`"),
    ("误差 $\\delta^l$ 与 `net.backprop`", "lost $\\delta^l_j$; added $\\delta^l$"),
    ("误差 \\delta^l_j$ 与 `net.backprop`", "lost $\\delta^l_j$"),
])
def test_a_lost_changed_or_added_placeholder_is_named(translation, problem):
    assert translations.placeholder_problem("the error $\\delta^l_j$ of `net.backprop`",
                                            translation) == problem


def test_a_broken_role_is_a_lost_placeholder():
    english = "the accuracy {glue:text}`acc:.2%`"
    assert translations.placeholder_problem(english, "准确率 {glue:text}`acc:.2%`") is None
    assert "lost {glue:text}`acc:.2%`" in translations.placeholder_problem(english,
                                                                           "准确率 {glue:text`acc:.2%`")
    assert "lost" in translations.placeholder_problem(english, "准确率 {glue:text}`accuracy:.2%`")


def test_a_rest_role_of_the_api_page_is_translated_as_the_myst_role():
    english = "The same as :py:class:`nnlib.optimizers.Adam`."
    assert translations.placeholder_problem(english, "与 {py:class}`nnlib.optimizers.Adam` 相同。") \
        is None
    assert translations.placeholder_problem(english, "与 :py:class:`nnlib.optimizers.Adam` 相同。") \
        == "lost {py:class}`nnlib.optimizers.Adam`; added `nnlib.optimizers.Adam`"


def test_a_translation_read_as_a_numbered_list_is_named():
    problem = translations.placeholder_problem("4. The four equations", "4. 反向传播的四个方程")
    assert problem.startswith("starts '4.', which MyST reads as a numbered list")
    assert translations.placeholder_problem("4. The four equations", "4\\. 反向传播的四个方程") is None


@pytest.mark.parametrize("msgid, own", [("$\\eta$", True), ("`net.sgd`", True), ("反向传播", True),
                                        ("$W^l$ (weights)", False), ("BP1", False),
                                        ("{doc}`03_forward_pass`", True),
                                        ("{doc}`The forward pass <03_forward_pass>`", False)])
def test_a_message_of_placeholders_only_is_its_own_translation(msgid, own):
    assert translations.nothing_to_translate(msgid) is own


# ----------------------------------------------------------------------- catalogue problems
def test_every_problem_is_one_line_naming_file_and_message(tmp_path):
    path = write_catalogue(tmp_path / "04_backpropagation.po", [
        ("Notation", "符号"),
        ("The **error** of neuron $j$", ""),
        ("how much the cost $C$ changes", "代价 $C$ 变化多少"),
        ("the accuracy {glue:text}`acc:.2%`", "准确率 {glue:text`acc:.2%`"),
    ], fuzzy={"how much the cost $C$ changes"})
    problems = translations.catalogue_problems(path)
    assert len(problems) == 3
    assert all("\n" not in p and p.startswith(f"{path}: message '") for p in problems)
    assert "'The **error** of neuron $j$' is not translated" in problems[0]
    assert "'how much the cost $C$ changes' is fuzzy" in problems[1]
    assert problems[2].endswith("the translation lost {glue:text}`acc:.2%`; added `acc:.2%`")


def test_a_message_of_the_book_missing_from_its_catalogue_is_named(tmp_path):
    path = write_catalogue(tmp_path / "intro.po", [("Welcome", "欢迎")])
    template = Catalog()
    template.add("Welcome")
    template.add("A sentence added in English")
    problems = translations.catalogue_problems(path, template)
    assert problems == [f"{path}: message 'A sentence added in English' is missing: run "
                        "python -m coursetools.translations update"]


@pytest.mark.parametrize("content", [b"a line that is not gettext\n", b"\xff\xfe\x00 binary",
                                     b'msgid "a" msgstr\n'])
def test_a_file_that_is_not_a_catalogue_is_one_line(tmp_path, content):
    path = tmp_path / "bad.po"
    path.write_bytes(content)
    with pytest.raises(translations.CatalogueError) as e:
        translations.read_catalogue(path)
    assert str(e.value).startswith(f"{path}: not a readable gettext catalogue")
    assert "\n" not in str(e.value)


def test_export_then_import_writes_the_translations(tmp_path, monkeypatch):
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    monkeypatch.setattr(translations, "LOCALES", tmp_path)
    write_catalogue(folder / "page.po", [("Notation", "符号"), ("The error $\\delta$", ""),
                                         ("Changed", "旧译")], fuzzy={"Changed"})
    blocks = translations.export("page")
    assert blocks == "=== 2\nThe error $\\delta$\n---\n\n=== 3\nChanged\n---\n\n"
    filled = blocks.replace("---\n\n=== 3", "---\n误差 $\\delta$\n=== 3").rstrip() + "\n改过\n"
    assert translations.import_blocks("page", filled) == []
    assert translations.export("page") == ""
    assert translations.export("page", everything=True).count("===") == 3
    with pytest.raises(translations.CatalogueError, match="block 2: its English is not message 2"):
        translations.import_blocks("page", "=== 2\nSomething else\n---\n译文\n")


# --------------------------------------------------------------- the catalogues in the repository
def catalogues():
    return sorted(LOCALES.glob("*.po"))


def test_there_is_a_catalogue_for_every_page_of_the_book():
    names = {p.stem for p in catalogues()}
    assert set(toc.pages()) - {"bibliography"} <= names
    assert {"01_neuron", "04_backpropagation", "a_seed_networks", "notation", "glossary",
            "instructors", "syllabus", "intro", "getting_started", "api"} <= names


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: p.stem)
def test_every_translation_keeps_its_placeholders_and_none_is_fuzzy(path):
    problems = [p for p in translations.catalogue_problems(path) if "not translated" not in p]
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------- the build
def test_a_broken_catalogue_stops_the_chinese_build_with_one_line(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    write_catalogue(folder / "intro.po", [("see {doc}`notation`", "见 {doc}`notation"),
                                          ("$a$ and $b$", "$a$ 与 b")])
    monkeypatch.setattr(build_book.translations, "LOCALES", tmp_path)
    status = build_book.main(["student", "--language", "zh_CN", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 1 and not (tmp_path / "out").exists()
    assert err.count("\n") == 1
    assert err.startswith(f"error: {folder / 'intro.po'}: message 'see {{doc}}`notation`': "
                          "the translation lost {doc}`notation`")
    assert err.rstrip().endswith("(2 such messages; python -m coursetools.translations check lists them)")


def test_only_the_student_edition_is_translated(capsys):
    assert build_book.main(["instructors", "--language", "zh_CN"]) == 1
    assert capsys.readouterr().err == ("error: --language zh_CN: only the student edition is "
                                       "translated\n")


def test_the_chinese_edition_has_its_title_and_language_and_a_switch_back():
    config = build_book.edition_config("student", language="zh_CN")
    assert config["title"] == "从零实现神经网络"
    assert config["sphinx"]["config"]["language"] == "zh_CN"
    assert config["sphinx"]["config"]["language_switch_root"] == "../"
    english = build_book.edition_config("student")
    assert english["sphinx"]["config"]["language_switch_root"] == "zh_CN/"
    assert english["title"] == "Neural networks from scratch"
    assert "language_switch_root" not in build_book.edition_config("instructors")["sphinx"]["config"]


def test_rebuilding_the_english_edition_keeps_the_chinese_one(tmp_path):
    site = tmp_path / "html"
    (site / "zh_CN").mkdir(parents=True)
    (site / build_book.MARKER).write_text("earlier output\n")
    (site / "zh_CN" / build_book.MARKER).write_text("earlier output\n")
    (site / "zh_CN" / "index.html").write_text("中文")
    (site / "index.html").write_text("old")
    built = tmp_path / "new"
    built.mkdir()
    (built / "index.html").write_text("new")
    build_book.put_in_place(built, site, "test")
    assert (site / "index.html").read_text() == "new"
    assert (site / "zh_CN" / "index.html").read_text() == "中文"


@pytest.mark.slow
def test_every_message_of_the_book_is_translated_and_none_is_fuzzy():
    """A sentence added or changed in English without its translation is named here."""
    proc = subprocess.run([sys.executable, "-m", "coursetools.translations", "check"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    problems = [line for line in proc.stdout.splitlines() if ": message " in line
                or ": missing" in line]
    assert proc.returncode == 0 and not problems, "\n".join(problems[:40]) or proc.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("page", toc.pages())
def test_the_chinese_page_is_translated_and_shows_every_glued_value(site, page):
    """Its title is Chinese (a translation Sphinx silently dropped keeps the English), and every
    value glued into the English page is in the Chinese one, not blank."""
    english = (site / f"{page}.html").read_text(encoding="utf-8")
    chinese = (site / "zh_CN" / f"{page}.html").read_text(encoding="utf-8")
    title = re.search(r"<h1>(.*?)<a class=\"headerlink\"", chinese, re.S).group(1)
    assert re.search(r"[\u4e00-\u9fff]", title), f"zh_CN/{page}.html: its title {title!r} is English"
    glued = re.compile(r'<span class="pasted-text">([^<]*)</span>')
    values, translated = glued.findall(english), glued.findall(chinese)
    assert all(v.strip() for v in translated), f"zh_CN/{page}.html: a glued value is blank"
    assert sorted(translated) == sorted(values), \
        f"zh_CN/{page}.html: glued values {sorted(set(values) ^ set(translated))[:5]} differ"
