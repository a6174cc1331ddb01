"""Make the "your own digit" pictures shipped in nnlib/data/digits/.

    python -m coursetools.make_digits          # rewrites nnlib/data/digits/*.png

Each picture is one digit drawn with Pillow's built-in scalable font
(``ImageFont.load_default(size=...)``, Pillow >= 10.1, no font file or network
needed), in dark ink on a light background, like a digit written on paper:
strokes of different widths, a slant, a rotation, a canvas that is not 28×28
and not square, the digit off-centre, a little paper noise.  So the
preprocessing of nnlib.images (grey, invert, crop, fit to 20×20, centre by
centre of mass) has real work to do.  Several file types are used on purpose:
greyscale, RGB with coloured ink, RGBA with a transparent background.

The file name starts with the digit drawn (``3-tilted.png``).  The output is
deterministic for a given Pillow version (a seeded numpy generator); another
version of Pillow may render the font slightly differently.
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import PIL
from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "nnlib" / "data" / "digits"

# digit, name, canvas (width, height), font size, stroke width, rotation (degrees), slant, mode
SPECS = [
    (0, "round", (120, 160), 110, 1, 4, 0.10, "L"),
    (1, "plain", (100, 150), 120, 1, 8, 0.15, "L"),
    (2, "wide", (200, 140), 110, 2, 3, 0.05, "RGB"),
    (3, "tilted", (150, 150), 100, 2, -5, 0.12, "L"),
    (4, "blue-ink", (130, 180), 120, 2, 8, 0.0, "RGB"),
    (5, "small", (90, 120), 70, 1, -3, 0.15, "L"),
    (6, "transparent", (140, 170), 120, 1, 6, 0.08, "RGBA"),
    (7, "slanted", (160, 200), 130, 2, -10, 0.25, "L"),
    (8, "corner", (240, 180), 90, 2, 2, 0.10, "L"),
    (9, "thin", (110, 150), 120, 1, 5, 0.10, "RGB"),
]


def draw(digit, name, canvas, size, stroke, angle, slant, mode, rng):
    """One digit, dark ink on a light paper background, as a Pillow image of the given mode."""
    font = ImageFont.load_default(size=size)
    # Draw white ink on black (a mask), large, then slant, rotate and place it.
    glyph = Image.new("L", (2 * size, 2 * size), 0)
    ImageDraw.Draw(glyph).text((size, size), str(digit), fill=255, font=font, anchor="mm",
                               stroke_width=stroke, stroke_fill=255)
    glyph = glyph.transform(glyph.size, Image.AFFINE, (1, slant, -slant * size, 0, 1, 0),
                            resample=Image.BICUBIC)
    glyph = glyph.rotate(angle, resample=Image.BICUBIC, expand=False)
    glyph = glyph.crop(glyph.getbbox())
    width, height = canvas
    scale = min(0.8 * width / glyph.width, 0.8 * height / glyph.height, 1.0)
    glyph = glyph.resize((max(1, round(glyph.width * scale)), max(1, round(glyph.height * scale))),
                         Image.LANCZOS)
    mask = Image.new("L", canvas, 0)
    free_x, free_y = width - glyph.width, height - glyph.height
    if name == "corner":   # this digit sits well away from the centre
        pos = (free_x * 3 // 4, free_y // 4)
    else:
        pos = (int(rng.integers(free_x // 3, 2 * free_x // 3 + 1)),
               int(rng.integers(free_y // 3, 2 * free_y // 3 + 1)))
    mask.paste(glyph, pos)
    ink = np.asarray(mask, dtype=np.float64) / 255
    paper = 235 + rng.normal(0, 4, size=ink.shape)           # light, slightly noisy paper
    if mode == "RGBA":   # dark ink on a transparent background
        rgba = np.zeros(ink.shape + (4,), dtype=np.uint8)
        rgba[..., :3] = 20
        rgba[..., 3] = np.round(ink * 255).astype(np.uint8)
        return Image.fromarray(rgba)   # mode RGBA inferred from the (h, w, 4) uint8 array
    if mode == "RGB":
        ink_colour = np.array([30, 40, 150.0]) if name == "blue-ink" else np.array([25, 25, 25.0])
        rgb = paper[..., None] * (1 - ink[..., None]) + ink_colour * ink[..., None]
        return Image.fromarray(np.clip(np.round(rgb), 0, 255).astype(np.uint8))
    grey = paper * (1 - ink) + 25 * ink
    return Image.fromarray(np.clip(np.round(grey), 0, 255).astype(np.uint8))


def main(argv=None):
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args(argv)
    if tuple(int(p) for p in PIL.__version__.split(".")[:2]) < (10, 1):
        sys.exit(f"this script needs Pillow >= 10.1 (a scalable built-in font); found {PIL.__version__}")
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2024)
    for digit, name, canvas, size, stroke, angle, slant, mode in SPECS:
        img = draw(digit, name, canvas, size, stroke, angle, slant, mode, rng)
        assert img.mode == mode, (img.mode, mode)
        path = OUT / f"{digit}-{name}.png"
        img.save(path, optimize=True)
        print(f"{path.name}: {img.width}×{img.height} {img.mode}")


if __name__ == "__main__":
    sys.exit(main())
