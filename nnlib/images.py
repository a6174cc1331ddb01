"""Your own digit: turning a picture of a handwritten digit into MNIST's format.

MNIST's digits were prepared like this (LeCun et al.): the ink was scaled to
fit a 20×20 box, keeping its aspect ratio, with anti-aliasing giving grey
levels; the 20×20 digit was then placed in a 28×28 field so that its centre of
mass sits at the centre.  Ink is bright (255) on a black (0) background.

:func:`to_mnist` does the same to any picture, with Pillow, in five steps:

1. **grey**: one channel, 0–255 (transparency is composited on white first);
2. **ink**: inverted if the ink is darker than the background (judged by the
   picture's own range, so dark ink on grey paper works too), so that ink is
   bright, and stretched so the background is 0 and the strongest ink 255;
3. **cropped**: cut to the bounding box of the ink;
4. **fitted**: resized so the longer side is 20 pixels, aspect ratio kept;
5. **mnist**: pasted into 28×28 with its centre of mass at the centre.

It returns every step (:class:`DigitSteps`), so they can be drawn.
:func:`load_digit` reads a file and refuses, with a message naming the file,
anything that is not a usable picture: a missing or empty file, a file that is
not an image, an image too large to decode safely, or a blank one.
"""
import math
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .columns import to_columns
from .files import as_path, regular_file
from .mnist import PIXELS, SIDE

#: The pictures shipped with nnlib (made by ``coursetools/make_digits.py``); the first
#: character of each file name is the digit drawn.
DIGITS_DIR = Path(__file__).parent / "data" / "digits"

#: Refuse pictures with more pixels than this (checked before decoding them).
MAX_PIXELS = 4096 * 4096

#: The picture formats read (Pillow's names); anything else, EPS (which would run Ghostscript)
#: included, is refused without being handed to its decoder.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP", "PPM")

#: A picture whose ink differs from its paper by fewer than this many grey levels has no ink to
#: find (the picture is then stretched by its own range, so low-contrast pictures still work).
MIN_CONTRAST = 24

#: After stretching, pixels at or below this level (of 255) count as background when cropping.
INK_THRESHOLD = 32

_RESAMPLE = getattr(Image, "Resampling", Image).LANCZOS  # Pillow >= 9.1 has Image.Resampling


class ImageError(ValueError):
    """A picture cannot be turned into a digit: the message names the file and the reason.

    Introduced in chapter 6.
    """


@dataclass
class DigitSteps:
    """The intermediate pictures of :func:`to_mnist`, each a uint8 array.

    ``grey`` (the input, one channel), ``ink`` (inverted if needed and
    stretched: ink bright on 0), ``cropped`` (the ink's bounding box),
    ``fitted`` (longer side 20), ``mnist`` (28×28, centred by centre of mass).
    ``inverted`` says whether the grey picture was inverted.

    Introduced in chapter 6.
    """
    grey: np.ndarray
    inverted: bool
    ink: np.ndarray
    cropped: np.ndarray
    fitted: np.ndarray
    mnist: np.ndarray

    def column(self, dtype=np.float32):
        """The 28×28 result as one input column ``(784, 1)`` scaled to [0, 1], like :func:`nnlib.to_columns`."""
        return to_columns(self.mnist[np.newaxis], dtype=dtype)


def shipped_digits():
    """The paths of the PNGs shipped in ``nnlib/data/digits``, sorted by name.

    Introduced in chapter 6.
    """
    return sorted(DIGITS_DIR.glob("*.png"))


def label_from_name(path):
    """The digit a shipped file shows: the first character of its name (``"7-slanted.png"`` -> 7).

    Introduced in chapter 6.
    """
    name = Path(path).name
    if not name[:1].isdigit():
        raise ValueError(f"{name}: the file name does not start with the digit it shows")
    return int(name[0])


def _composite(rgba, background):
    """An RGBA picture composited on a plain ``background`` grey level, as grey levels."""
    plain = Image.new("RGBA", rgba.size, (background, background, background, 255))
    return np.asarray(Image.alpha_composite(plain, rgba).convert("L"))


def _to_grey(img):
    """One channel, uint8 0–255.

    Transparent parts become white paper, unless that leaves no ink (white ink on a transparent
    background): then they become black.  16-bit and 32-bit levels are scaled by their real
    depth, the fewest bits (8 at least) that hold the picture's maximum: a 16-bit PNG holding
    12-bit data (0–4095) is scaled by 4095 and keeps its contrast.  Memory: a few bytes per
    pixel, whatever the mode.
    """
    mode = img.mode
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        mode = img.mode
    if mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        grey = _composite(rgba, 255)
        if int(grey.max()) - int(grey.min()) < MIN_CONTRAST:
            grey = _composite(rgba, 0)   # the ink may be the opaque part, whatever its colour
        return grey
    if mode.startswith("I;16") or mode in ("I", "F"):
        a = np.asarray(img)
        if a.dtype.kind == "f":
            a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
        high = float(a.max()) if a.size else 0.0
        if mode == "F" and high <= 1.0:
            top = 1.0
        else:   # the fewest bits (8 at least) that hold the maximum: 12-bit data -> 4095
            top = float(2 ** max(8, math.ceil(math.log2(high + 1))) - 1)
        grey = a.astype(np.float32)   # in place from here: one float array
        grey *= np.float32(255 / top)
        np.rint(grey, out=grey)
        np.clip(grey, 0, 255, out=grey)
        return grey.astype(np.uint8)
    return np.asarray(img.convert("L"))


def load_grey(path, max_pixels=MAX_PIXELS):
    """Read a picture file as a 2-D uint8 array of grey levels (0 black … 255 white).

    Raises FileNotFoundError for a missing file and :class:`ImageError` (naming
    the file) for an empty file, a file that is not an image in one of
    :data:`FORMATS` (no other decoder is ever run: EPS would start Ghostscript),
    a corrupt or truncated image, or one with more than ``max_pixels`` pixels
    (checked from the header, before the pixels are decoded).  Memory while
    reading stays within a few bytes per pixel.

    Introduced in chapter 6.
    """
    path = as_path(path)
    st = regular_file(path, ImageError, "image file")
    if st.st_size == 0:
        raise ImageError(f"{path}: empty file (0 bytes), not an image")
    # Pillow's decoders raise many kinds of exception on malformed files (ValueError,
    # struct.error, SyntaxError, IndexError, ...) and warn about some (corrupt EXIF data):
    # every one of them becomes an ImageError naming the file, and no warning is printed.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            img = Image.open(path, formats=FORMATS)   # lazy: reads the header, not the pixels
        except UnidentifiedImageError:
            raise ImageError(f"{path}: not an image in a format read here "
                             f"({', '.join(FORMATS)})") from None
        except Image.DecompressionBombError:   # Pillow's own limit, 2 * Image.MAX_IMAGE_PIXELS
            raise ImageError(f"{path}: too large: {_bomb_limit(max_pixels)}") from None
        except FileNotFoundError:
            raise
        except MemoryError:
            raise ImageError(f"{path}: too large to decode") from None
        except Exception as e:
            raise ImageError(f"{path}: cannot be read as an image ({_reason(e)})") from None
        with img:
            try:
                width, height = img.size
            except Exception as e:
                raise ImageError(f"{path}: corrupt or unsupported image ({_reason(e)})") from None
            if width * height > max_pixels:
                raise ImageError(f"{path}: too large: {width}×{height} = {width * height:,} pixels, "
                                 f"more than the {max_pixels:,} accepted; scale it down first")
            if width <= 0 or height <= 0:
                raise ImageError(f"{path}: has no pixels ({width}×{height})")
            try:
                img.load()
                img = ImageOps.exif_transpose(img)   # photos: apply the camera's rotation
                return _to_grey(img)
            except MemoryError:
                raise ImageError(f"{path}: too large to decode") from None
            except Exception as e:
                raise ImageError(f"{path}: corrupt or unsupported image ({_reason(e)})") from None


def _bomb_limit(max_pixels):
    """Which limit a picture that Pillow refused as a decompression bomb exceeds, in words."""
    pillow = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    if not pillow or max_pixels <= pillow:
        return f"more than the {max_pixels:,} pixels accepted"
    return f"more than the {pillow:,} pixels Pillow decodes (2 × PIL.Image.MAX_IMAGE_PIXELS)"


def _reason(e):
    """An exception in a few words, on one line: its message, or its type when it has none."""
    text = " ".join(str(e).split())
    if len(text) > 200:
        text = text[:200] + "..."
    return text if text else type(e).__name__


def _border(a):
    """The pixels of the outermost rows and columns of a 2-D array."""
    return np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])


def to_mnist(grey, name="image"):
    """Turn a grey picture (2-D uint8 array, any size) into a 28×28 MNIST-style digit.

    Returns :class:`DigitSteps` with every intermediate picture.  ``name``
    appears in the error raised (an :class:`ImageError`) for a blank picture.

    Introduced in chapter 6.
    """
    grey = np.asarray(grey)
    if grey.ndim != 2 or grey.dtype != np.uint8:
        raise ValueError(f"{name}: expected a 2-D uint8 array of grey levels, got {grey.dtype} {grey.shape}")
    if grey.size == 0:
        raise ImageError(f"{name}: has no pixels ({grey.shape[0]}×{grey.shape[1]})")
    # 1. Which way round?  The border of the picture is background (paper); the ink is whichever
    #    extreme of the picture's own range lies farther from it.  MNIST wants the paper dark.
    #    Judging by the picture's own range (not by 127) handles dark ink on grey paper, as in
    #    underexposed photos, whose paper may be darker than mid-grey.
    paper = float(np.median(_border(grey)))
    darkest, brightest = float(grey.min()), float(grey.max())
    inverted = bool(paper - darkest > brightest - paper)
    ink = 255 - grey if inverted else grey.copy()
    # 2. Stretch: background (the border's median) -> 0, strongest ink -> 255.
    background = float(np.median(_border(ink)))
    top = float(ink.max())
    if top - background < MIN_CONTRAST:
        raise ImageError(f"{name}: blank image: no ink found (every pixel is within "
                         f"{int(max(0.0, top - background))} grey levels of the background, "
                         f"{MIN_CONTRAST} needed)")
    stretched = ink.astype(np.float64)   # in place from here: one float array, 8 bytes a pixel
    stretched -= background
    stretched /= top - background
    stretched *= 255
    np.clip(stretched, 0, 255, out=stretched)
    ink = np.round(stretched, out=stretched).astype(np.uint8)
    del stretched
    # 3. Crop to the bounding box of the ink.
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    cropped = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    # 4. Fit into 20×20, keeping the aspect ratio (anti-aliased resampling gives grey edges).
    h, w = cropped.shape
    scale = 20 / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))   # Pillow sizes are (width, height)
    fitted = np.asarray(Image.fromarray(cropped).resize(size, _RESAMPLE))
    # 5. Paste into 28×28 so that the centre of mass lands on the centre.
    mnist = _paste_centred(fitted, name)
    return DigitSteps(grey=grey, inverted=inverted, ink=ink, cropped=cropped, fitted=fitted, mnist=mnist)


def _paste_centred(fitted, name="image"):
    """Step 5 of :func:`to_mnist`: paste ``fitted`` (uint8, shape (h, w), h, w ≤ 20) into a
    28×28 uint8 picture so that its centre of mass lands on the centre (13.5, 13.5), as far
    as the borders allow.  ``ImageError`` naming ``name`` if no ink is left."""
    mass = fitted.astype(np.float64)
    total = mass.sum()
    if total == 0:   # a speck too small to survive resizing
        raise ImageError(f"{name}: blank image: the ink vanished when fitted into 20×20")
    fh, fw = fitted.shape
    cy = (mass.sum(axis=1) @ np.arange(fh)) / total
    cx = (mass.sum(axis=0) @ np.arange(fw)) / total
    centre = (SIDE - 1) / 2   # 13.5
    top_row = int(np.clip(round(centre - cy), 0, SIDE - fh))
    left_col = int(np.clip(round(centre - cx), 0, SIDE - fw))
    mnist = np.zeros((SIDE, SIDE), dtype=np.uint8)
    mnist[top_row:top_row + fh, left_col:left_col + fw] = fitted
    return mnist


def load_digit(path, max_pixels=MAX_PIXELS):
    """Read a picture of one digit and turn it into MNIST's format: :class:`DigitSteps`.

    Errors (FileNotFoundError, :class:`ImageError`) name the file.

    Introduced in chapter 6.
    """
    return to_mnist(load_grey(path, max_pixels=max_pixels), name=as_path(path))


def load_digits(paths, dtype=np.float32):
    """Load several pictures: returns ``(x, steps)`` with ``x`` of shape ``(784, n)``, one column per picture.

    Introduced in chapter 6.
    """
    steps = [load_digit(p) for p in paths]
    x = np.hstack([s.column(dtype) for s in steps]) if steps else np.zeros((PIXELS, 0), dtype=dtype)
    return x, steps
