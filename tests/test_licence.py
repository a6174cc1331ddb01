"""The licences are stated where issue 13 asks: files, README, the book's footer, each notebook."""
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from coursetools import stamp_licence


ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def test_licence_files():
    mit = (ROOT / "LICENSE").read_text()
    assert mit.startswith("MIT License") and "THE SOFTWARE IS PROVIDED \"AS IS\"" in mit
    text = (ROOT / "LICENSE-text.md").read_text()
    assert "CC BY 4.0" in text and "creativecommons.org/licenses/by/4.0" in text
    assert "CC BY-SA 3.0" in text, "MNIST keeps its own notice"


def test_readme_states_the_licences():
    readme = (ROOT / "README.md").read_text()
    for needle in ("MIT", "CC BY 4.0", "LICENSE-text.md", "CC BY-SA 3.0"):
        assert needle in readme, needle


def test_footer_of_every_page_states_the_licences():
    footer = yaml.safe_load((BOOK / "_config.yml").read_text())["html"]["extra_footer"]
    assert "CC BY 4.0" in footer and "MIT" in footer and "CC BY-SA 3.0" in footer


def test_shipped_digit_pictures_carry_their_licence():
    notice = (ROOT / "nnlib" / "data" / "digits" / "README.md").read_text()
    assert "CC BY 4.0" in notice and "make_digits.py" in notice
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "data/digits/README.md" in pyproject, "the notice must ship with the pictures"


def test_stamp_is_idempotent_and_touches_only_the_metadata(tmp_path):
    src = sorted(BOOK.glob("*.ipynb"))[0]
    copy = tmp_path / src.name
    shutil.copy(src, copy)
    before = nbformat.read(copy, as_version=4)
    assert stamp_licence.main([str(copy)]) == 0
    once = copy.read_bytes()
    assert stamp_licence.main([str(copy)]) == 0
    assert copy.read_bytes() == once, "a second run changed the file"
    after = nbformat.read(copy, as_version=4)
    assert after.cells == before.cells
    assert after.metadata["license"] == {**stamp_licence.LICENSE}
    assert after.metadata["license"]["text"] == "CC-BY-4.0"
    assert after.metadata["license"]["code"] == "MIT"
    assert stamp_licence.main(["--check", str(copy)]) == 0


@pytest.mark.parametrize("path", sorted(BOOK.glob("*.ipynb")), ids=lambda p: p.name)
def test_every_notebook_carries_the_licence(path):
    nb = nbformat.read(path, as_version=4)
    assert stamp_licence.is_stamped(nb), \
        f"{path.name} has no licence in its metadata: run python -m coursetools.stamp_licence"
