"""coursetools/plain_myst.py: the roles JupyterLab cannot render, written out as the book shows them."""
import nbformat
import pytest

from coursetools import plain_myst as pm


BIB = """@article{solo, author = {Nielsen, Michael}, title = {T}, year = {2015}}
@article{pair, author = {Glorot, Xavier and Bengio, Yoshua}, title = {T}, year = {2010}}
@article{many, author = {LeCun, Yann and Bottou, L{\\'e}on and Bengio, Yoshua}, title = {T}, year = {1998}}
"""


def glue_cell(key, text_plain):
    """A code cell with the stored output myst_nb.glue(key, value, display=False) leaves."""
    cell = nbformat.v4.new_code_cell("glue(...)")
    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"application/papermill.record/text/plain": text_plain},
        metadata={"scrapbook": {"name": key, "mime_prefix": "application/papermill.record/"}})]
    return cell


@pytest.fixture
def book(tmp_path):
    one = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 1. One\n\n(sec-one)=\n## A section"),
        glue_cell("acc", "0.91234"), glue_cell("name", "'sigmoid'")])
    two = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 2. Two")])
    nbformat.write(one, tmp_path / "one.ipynb")
    nbformat.write(two, tmp_path / "two.ipynb")
    (tmp_path / "notes.md").write_text("# Notation\n")
    (tmp_path / "references.bib").write_text(BIB)
    return pm.Book(tmp_path, shipped=["one", "two"])


def plain(book, name, text):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    return book.plain(name, nb).cells[0].source


def test_glue_is_the_glued_value_formatted_as_myst_nb_does(book):
    assert plain(book, "one", "{glue:text}`acc:.1%` and {glue:text}`acc:.3f`") == "91.2% and 0.912"
    assert plain(book, "one", "the {glue:text}`name` output") == "the sigmoid output"
    assert plain(book, "two", "{glue:text}`one.ipynb::acc:.0%` in chapter 1") == "91% in chapter 1"
    assert plain(book, "two", "{glue:text}`one.ipynb::name:s`") == "sigmoid"


def test_citations_are_author_and_year(book):
    assert plain(book, "one", "{cite}`solo`") == "(Nielsen, 2015)"
    assert plain(book, "one", "{cite}`pair,many`") == "(Glorot and Bengio, 2010; LeCun et al., 1998)"
    assert plain(book, "one", "{cite:t}`many`") == "LeCun et al. (1998)"


def test_doc_links_to_a_shipped_notebook_or_names_the_page(book):
    assert plain(book, "one", "see {doc}`two`") == "see [2. Two](two.ipynb)"
    assert plain(book, "one", "see {doc}`chapter 2 <two>`") == "see [chapter 2](two.ipynb)"
    assert plain(book, "one", "see {doc}`notes`") == "see *Notation*"


def test_ref_kept_inside_a_notebook_and_written_out_across(book):
    assert plain(book, "one", "{ref}`sec-one`") == "{ref}`sec-one`"
    assert plain(book, "two", "{ref}`sec-one`") == "A section (*1. One*)"
    assert plain(book, "two", "{ref}`this part <sec-one>`") == "this part"


@pytest.mark.parametrize("text, named", [("{glue:text}`nope`", "'nope'"),
                                         ("{cite}`nobody`", "'nobody'"),
                                         ("{doc}`missing`", "'missing'"),
                                         ("{ref}`no-label`", "'no-label'")])
def test_an_unknown_target_is_an_error_naming_notebook_and_key(book, text, named):
    with pytest.raises(pm.PlainMystError, match=rf"^two\.ipynb: .*{named}"):
        plain(book, "two", text)


def test_every_role_of_the_book_resolves():
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent / "book"
    book = pm.Book(root, shipped=[p.stem for p in root.glob("*.ipynb")])
    for name, nb in book.notebooks.items():
        for cell in book.plain(name, nb).cells:
            if cell.cell_type == "markdown":
                assert not pm.ROLE.search(cell.source.replace("{ref}", "")), (name, cell.source)


def test_a_glued_numpy_scalar_is_formatted_as_its_number(tmp_path):
    """numpy 2 stores np.float64(0.3929...) as the glued text/plain; the book shows 39.30%."""
    nb = nbformat.v4.new_notebook(cells=[glue_cell("acc", "np.float64(0.3929666666666667)"),
                                         glue_cell("n", "np.int64(12)")])
    nbformat.write(nb, tmp_path / "one.ipynb")
    book = pm.Book(tmp_path, shipped=["one"])
    assert plain(book, "one", "{glue:text}`acc:.2%` and {glue:text}`n`") == "39.30% and 12"
