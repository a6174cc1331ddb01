"""nnlib.images: pictures of digits turned into MNIST's format, and bad pictures refused clearly."""
import io
import warnings

import numpy as np
import pytest
from PIL import Image, ImageDraw

from nnlib import images
from nnlib.images import (ImageError, label_from_name, load_digit, load_digits, load_grey,
                          shipped_digits, to_mnist)

from conftest import bad_pictures, digit_picture


def paper_with_bar(width=60, height=90, ink=20, paper=240, box=(20, 10, 30, 70)):
    """Dark vertical bar (a "1") on light paper: uint8 (height, width)."""
    a = np.full((height, width), paper, dtype=np.uint8)
    x0, y0, x1, y1 = box
    a[y0:y1, x0:x1] = ink
    return a


def test_pipeline_steps_on_dark_ink_on_light_paper():
    grey = paper_with_bar()
    steps = to_mnist(grey)
    assert steps.inverted
    assert steps.ink.shape == grey.shape and steps.ink.max() == 255 and steps.ink.min() == 0
    assert steps.cropped.shape == (60, 10)                  # the bar's bounding box
    assert steps.fitted.shape == (20, 3)                    # longer side 20, aspect ratio kept
    assert steps.mnist.shape == (28, 28) and steps.mnist.dtype == np.uint8
    rows, cols = np.nonzero(steps.mnist)
    assert rows.min() >= 4 and rows.max() <= 23             # inside the central 20×20 box
    mass = steps.mnist.astype(float)
    cy = (mass.sum(axis=1) @ np.arange(28)) / mass.sum()
    cx = (mass.sum(axis=0) @ np.arange(28)) / mass.sum()
    assert abs(cy - 13.5) <= 0.5 and abs(cx - 13.5) <= 0.5  # centred by centre of mass


def test_light_ink_on_dark_is_not_inverted_and_both_agree():
    grey = paper_with_bar()
    a, b = to_mnist(grey), to_mnist(255 - grey)
    assert a.inverted and not b.inverted
    np.testing.assert_array_equal(a.mnist, b.mnist)


def test_wide_digit_fits_width_20():
    steps = to_mnist(paper_with_bar(width=200, height=100, box=(10, 40, 190, 60)))
    assert steps.fitted.shape == (2, 20)


def test_off_centre_ink_is_centred():
    a = to_mnist(paper_with_bar(width=300, height=300, box=(10, 10, 20, 60)))
    b = to_mnist(paper_with_bar(width=300, height=300, box=(250, 200, 260, 250)))
    np.testing.assert_array_equal(a.mnist, b.mnist)


def test_column_matches_to_columns():
    steps = to_mnist(paper_with_bar())
    col = steps.column()
    assert col.shape == (784, 1) and col.dtype == np.float32
    assert 0 <= col.min() and col.max() == 1.0


@pytest.mark.parametrize("paper,noise,name", [(200, (200, 220), "blank.png"),
                                              (100, (90, 100), "grey.png")])
def test_blank_image_is_refused(paper, noise, name):
    """White or grey paper without ink is blank, and the message's numbers are true (issue 11, 7)."""
    with pytest.raises(ImageError, match=rf"{name.replace('.', '[.]')}: blank image: "
                                         r".*within 0 grey levels"):
        to_mnist(np.full((40, 40), paper, dtype=np.uint8), name=name)
    noisy = np.random.default_rng(0).integers(*noise, size=(40, 40))
    with pytest.raises(ImageError, match="blank image"):
        to_mnist(noisy.astype(np.uint8))


def test_blank_file_is_refused(tmp_path):
    path = tmp_path / "white.png"
    Image.new("L", (50, 50), 255).save(path)
    with pytest.raises(ImageError, match=r"white\.png: blank image"):
        load_digit(path)


def test_missing_empty_and_not_an_image(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothere\.png: no such file"):
        load_digit(tmp_path / "nothere.png")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ImageError, match=r"empty\.png: empty file"):
        load_digit(empty)
    text = tmp_path / "notes.png"
    text.write_text("this is not a picture\n")
    with pytest.raises(ImageError, match=r"notes\.png: not an image"):
        load_digit(text)
    with pytest.raises(ImageError, match="is a folder"):
        load_digit(tmp_path)


def test_truncated_png(tmp_path):
    path = tmp_path / "cut.png"
    Image.fromarray(paper_with_bar()).save(path)
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ImageError, match=r"cut\.png"):
        load_digit(path)


def test_rgba_is_composited_on_white(tmp_path):
    rgba = np.zeros((90, 60, 4), dtype=np.uint8)   # fully transparent black everywhere ...
    rgba[10:70, 20:30] = (0, 0, 0, 255)             # ... except an opaque black bar
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba).save(path)
    assert Image.open(path).mode == "RGBA"
    grey = load_grey(path)
    assert grey[0, 0] == 255 and grey[40, 25] == 0  # transparent -> white paper, ink stays black
    np.testing.assert_array_equal(load_digit(path).mnist, to_mnist(paper_with_bar(ink=0, paper=255)).mnist)


def test_16_bit_greyscale(tmp_path):
    a16 = paper_with_bar().astype(np.uint16) * 257   # the same levels on a 0..65535 scale
    path = tmp_path / "deep.png"
    Image.fromarray(a16).save(path)
    assert Image.open(path).mode.startswith("I")
    np.testing.assert_array_equal(load_grey(path), paper_with_bar())


def test_palette_image(tmp_path):
    path = tmp_path / "palette.png"
    Image.fromarray(paper_with_bar()).convert("P").save(path)
    assert Image.open(path).mode == "P"
    np.testing.assert_array_equal(load_digit(path).mnist, to_mnist(paper_with_bar()).mnist)


def test_rgb_and_jpeg(tmp_path):
    rgb = Image.fromarray(paper_with_bar()).convert("RGB")
    rgb.save(tmp_path / "d.png")
    rgb.save(tmp_path / "d.jpg", quality=95)
    exact = to_mnist(paper_with_bar()).mnist
    np.testing.assert_array_equal(load_digit(tmp_path / "d.png").mnist, exact)
    assert np.abs(load_digit(tmp_path / "d.jpg").mnist.astype(int) - exact).max() < 40


def test_huge_image_refused_before_decoding(tmp_path, monkeypatch):
    path = tmp_path / "huge.png"
    Image.new("L", (300, 200), 255).save(path)
    with pytest.raises(ImageError, match=r"huge\.png: too large: 300×200 = 60,000 pixels"):
        load_grey(path, max_pixels=50_000)
    # The size is checked before the pixels are decoded: load() must never be called.
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded a huge image"))
    with pytest.raises(ImageError, match="too large"):
        load_grey(path, max_pixels=50_000)


def test_shipped_digits():
    paths = images.shipped_digits()
    assert [label_from_name(p) for p in paths] == list(range(10))
    x, steps = load_digits(paths)
    assert x.shape == (784, 10) and x.dtype == np.float32
    modes = {Image.open(p).mode for p in paths}
    assert {"L", "RGB", "RGBA"} <= modes                   # the pictures exercise the conversions
    for p, s in zip(paths, steps):
        assert s.grey.shape != (28, 28) and s.inverted, p.name   # dark ink on light paper, not 28×28
        assert max(s.fitted.shape) == 20


def test_label_from_name():
    assert label_from_name("7-slanted.png") == 7
    with pytest.raises(ValueError, match="does not start with the digit"):
        label_from_name("seven.png")


def test_load_digits_empty():
    x, steps = load_digits([])
    assert x.shape == (784, 0) and steps == []


# -----------------------------------------------------------------------------
# hostile pictures (issue 11): corrupt files, fuzzing, grey paper
def test_bad_pictures_are_image_errors_naming_the_file(tmp_path):
    """Issue 11, defect 2: each of these escaped load_digit as a ValueError, struct.error or TypeError."""
    for path in bad_pictures(tmp_path):
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # no warning may leak out either
            try:
                load_digit(path)
            except ImageError as e:
                assert str(e).startswith(str(path)) and "\n" not in str(e), e


def _base_images():
    img = digit_picture()
    out = {}
    for fmt, mode in (("PNG", "L"), ("JPEG", "RGB"), ("PPM", "L"), ("XBM", "1"), ("SGI", "L"),
                      ("IM", "L"), ("DDS", "RGB")):
        b = io.BytesIO()
        kwargs = {"exif": _jpeg_exif_bytes()} if fmt == "JPEG" else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)   # IM: deprecated in Pillow 13
            img.convert(mode).save(b, fmt, **kwargs)
        out[fmt] = b.getvalue()
    return out


def _jpeg_exif_bytes():
    exif = Image.Exif()
    exif[0x0112] = 6
    return exif.tobytes()


def _mutate(data, rng):
    data = bytearray(data)
    kind = rng.integers(4)
    if kind == 0:        # a few bytes replaced, mostly in the header
        for _ in range(rng.integers(1, 5)):
            near = rng.random() < 0.7
            i = int(rng.integers(min(len(data), 64) if near else len(data)))
            data[i] = int(rng.integers(256))
    elif kind == 1:      # truncated
        data = data[:int(rng.integers(1, len(data)))]
    elif kind == 2:      # a few random bytes inserted
        i = int(rng.integers(len(data)))
        data[i:i] = rng.integers(0, 256, int(rng.integers(1, 9)), dtype=np.uint8).tobytes()
    else:                # one bit flipped
        i = int(rng.integers(len(data)))
        data[i] ^= 1 << int(rng.integers(8))
    return bytes(data)


def test_fuzzed_pictures_give_a_digit_or_an_image_error(tmp_path):
    """Issue 11, defect 2: 420 mutated pictures (seeded) in PNG, JPEG, PPM, XBM, SGI, IM and DDS: each one
    gives a digit or an ImageError naming its file; nothing else escapes, no warning leaks."""
    rng = np.random.default_rng(11)
    escaped = []
    for fmt, data in _base_images().items():
        for k in range(60):
            path = tmp_path / f"{fmt}-{k}.{fmt.lower()}"
            path.write_bytes(_mutate(data, rng))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    load_digit(path)
                except ImageError as e:
                    if not str(e).startswith(str(path)) or "\n" in str(e):
                        escaped.append((path.name, f"badly worded: {e}"))
                except Exception as e:   # noqa: BLE001 - exactly what this test looks for
                    escaped.append((path.name, f"{type(e).__name__}: {e}"))
            if caught:
                escaped.append((path.name, f"warning: {caught[0].message}"))
    assert not escaped, escaped


def _draw(digit, paper, ink, size=160):
    """A digit drawn with Pillow strokes: ``ink`` on ``paper`` (grey levels)."""
    img = Image.new("L", (size, size), paper)
    d = ImageDraw.Draw(img)
    w = size // 14
    if digit == 0:
        d.ellipse([size * 0.3, size * 0.15, size * 0.7, size * 0.85], outline=ink, width=w)
    elif digit == 1:
        d.line([(size * 0.5, size * 0.15), (size * 0.5, size * 0.85)], fill=ink, width=w)
    elif digit == 4:
        d.line([(size * 0.6, size * 0.15), (size * 0.25, size * 0.6), (size * 0.75, size * 0.6)],
               fill=ink, width=w)
        d.line([(size * 0.6, size * 0.15), (size * 0.6, size * 0.85)], fill=ink, width=w)
    elif digit == 7:
        d.line([(size * 0.25, size * 0.2), (size * 0.75, size * 0.2), (size * 0.4, size * 0.85)],
               fill=ink, width=w)
    return img


@pytest.mark.parametrize("paper,ink", [(120, 30), (90, 20), (60, 25), (127, 80), (200, 150)])
@pytest.mark.parametrize("digit", [0, 1, 4, 7])
def test_dark_ink_on_grey_paper(tmp_path, digit, paper, ink):
    """Issue 11, defect 7: dark ink on grey paper (paper <= 127) was called blank, 'within 0 grey levels'.
    Normalised by the picture's own range, it gives (nearly) what ink on white paper gives."""
    reference = to_mnist(np.asarray(_draw(digit, 255, 0)))
    path = tmp_path / f"{digit}-grey.png"
    _draw(digit, paper, ink).save(path)
    steps = load_digit(path)
    assert steps.inverted
    diff = np.abs(steps.mnist.astype(int) - reference.mnist.astype(int))
    assert diff.mean() < 4 and np.percentile(diff, 99) < 64, (diff.mean(), diff.max())


def test_shipped_digits_on_grey_paper_look_the_same(tmp_path):
    """Issue 11, defect 7: the shipped pictures, darkened to an underexposed photo (paper ~100, ink ~20)."""
    for path in shipped_digits():
        grey = load_grey(path)
        dark = np.round(20 + grey.astype(float) * 80 / 255).astype(np.uint8)
        steps = to_mnist(dark, name=path.name)
        diff = np.abs(steps.mnist.astype(int) - load_digit(path).mnist.astype(int))
        assert diff.mean() < 4, (path.name, diff.mean())
