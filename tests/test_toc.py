"""coursetools/toc.py: the one reader of book/_toc.yml (yaml, not regular expressions)."""
import pytest

from coursetools import toc

ROOT_TOC = "format: jb-book\nroot: intro\n"


def write(tmp_path, text):
    (tmp_path / "_toc.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_books_pages_start_with_the_root_and_follow_the_reading_order():
    pages = toc.pages()
    assert pages[:3] == ["intro", "getting_started", "01_neuron"]
    assert pages.index("07_training_better") < pages.index("a_seed_networks") < pages.index(
        "instructors")
    assert len(pages) == len(set(pages)) == 17
    notebooks = [path.name for path in toc.notebooks()]
    assert notebooks[0] == "getting_started.ipynb" and "a_seed_networks.ipynb" in notebooks
    assert "intro.ipynb" not in notebooks and len(notebooks) == 9


def test_nested_sections_and_top_level_chapters_are_walked_in_order(tmp_path):
    book = write(tmp_path, ROOT_TOC + """\
chapters:
  - file: one
    sections:
      - file: one_a
        sections:
          - file: one_a_i
      - url: https://example.org
        title: not a page
  - glob: extra/*
  - file: two
""")
    assert toc.pages(book) == ["intro", "one", "one_a", "one_a_i", "two"]
    (book / "two.ipynb").write_text("{}")
    (book / "one.md").write_text("# One")
    assert toc.notebooks(book) == [book / "two.ipynb"]


def test_parts_keep_their_order_and_a_root_alone_is_one_page(tmp_path):
    book = write(tmp_path, ROOT_TOC + """\
parts:
  - caption: B
    chapters: [{file: b1}, {file: b2}]
  - caption: A
    chapters: [{file: a1}]
""")
    assert toc.pages(book) == ["intro", "b1", "b2", "a1"]
    assert toc.pages(write(tmp_path, ROOT_TOC)) == ["intro"]


@pytest.mark.parametrize("text, expected", [
    (None, "no such file"),
    ("root: [intro\n", "not valid YAML at line 2"),
    ("- file: intro\n", "expected a mapping with 'root: PAGE'"),
    ("format: jb-book\nchapters: []\n", "expected a mapping with 'root: PAGE'"),
    (ROOT_TOC + "chapters:\n  file: one\n", "expected a list under 'chapters:' in the top level"),
    (ROOT_TOC + "parts:\n  - chapters:\n    - one\n", "expected an entry (a mapping such as "
                                                     "'file: PAGE') in 'chapters:', found 'one'"),
    (ROOT_TOC + "chapters:\n  - file:\n", "expected a page name after 'file:' in 'chapters:'"),
])
def test_a_malformed_toc_is_one_line_naming_the_file(tmp_path, text, expected):
    if text is not None:
        write(tmp_path, text)
    with pytest.raises(toc.TocError) as e:
        toc.pages(tmp_path)
    message = str(e.value)
    assert message.startswith(f"{tmp_path / '_toc.yml'}: ") and "\n" not in message
    assert expected in message, message
