"""More training data by distortion: small rotations and shifts of the digits.

A digit turned by a few degrees or moved by a pixel or two is still the same
digit, so distorted copies of the training images are new, correctly labelled
examples (Simard et al., 2003).  Everything here is numpy: each output pixel is
looked up at its source position in the original image and interpolated
bilinearly between the four pixels around it; outside the image is black (0).

Images run along the first axis, ``(n, height, width)``, as
:func:`nnlib.load_mnist` returns them.  Introduced in chapter 7.
"""
import numpy as np

from .checks import Interval

_CHUNK = 512  # images per block: the coordinate arrays stay in the CPU cache


def _bilinear(padded, src_y, src_x):
    """Sample ``padded`` (n, h + 3, w + 3; 1 row/column of zeros before, 2 after)
    at the real positions ``src_y``, ``src_x`` (n, h, w) of the unpadded image."""
    n, hp, wp = padded.shape
    src_y = np.clip(src_y, -1, hp - 3)       # far outside: read the zero border
    src_x = np.clip(src_x, -1, wp - 3)
    y0, x0 = np.floor(src_y), np.floor(src_x)
    fy, fx = src_y - y0, src_x - x0          # where in the cell, 0 <= f < 1
    # flat index of the top-left neighbour (+1: the padding) in padded.ravel()
    corner = (y0.astype(np.intp) + 1) * wp + x0.astype(np.intp) + 1
    corner += (np.arange(n) * (hp * wp))[:, None, None]
    flat = padded.ravel()
    top = (1 - fx) * flat[corner] + fx * flat[corner + 1]
    bottom = (1 - fx) * flat[corner + wp] + fx * flat[corner + wp + 1]
    return (1 - fy) * top + fy * bottom


def _shift(images, shifts):
    """Move each image by whole pixels, ``shifts[i] = (dy, dx)`` (down, right); zeros come in.

    Exact (no interpolation) and fast: one slice assignment per distinct shift.
    """
    out = np.zeros_like(images)
    _, h, w = images.shape
    shifts = np.clip(shifts, [-h, -w], [h, w])  # a shift past the edge leaves nothing
    for dy, dx in np.unique(shifts, axis=0):
        which = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
        # out[r, c] = images[r − dy, c − dx] where that is inside the image
        out[which, max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
            images[which, max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def _rotate_and_shift(images, theta, shifts):
    """Turn each image by ``theta`` (radians, shape ``(n,)``) about its centre, then shift
    it by ``shifts`` (``(n, 2)``, real pixels); bilinear interpolation, float32 result."""
    n, h, w = images.shape
    cy, cx = (h - 1) / 2, (w - 1) / 2
    rows, cols = np.mgrid[0:h, 0:w].astype(np.float32)
    out = np.empty(images.shape, dtype=np.float32)
    for k in range(0, n, _CHUNK):
        part = slice(k, k + _CHUNK)
        cos = np.cos(theta[part])[:, None, None].astype(np.float32)
        sin = np.sin(theta[part])[:, None, None].astype(np.float32)
        # the output pixel (row, col) comes from the source point: undo the shift,
        # then turn back by -angle about the centre (rows point down, so the sign of
        # sin makes a positive angle anticlockwise on screen)
        y = rows - cy - shifts[part, 0, None, None].astype(np.float32)
        x = cols - cx - shifts[part, 1, None, None].astype(np.float32)
        src_y = cos * y + sin * x + cy
        src_x = cos * x - sin * y + cx
        padded = np.pad(images[part].astype(np.float32), ((0, 0), (1, 2), (1, 2)))
        out[part] = _bilinear(padded, src_y, src_x)
    return out


def transform(images, angles=0.0, shifts=(0, 0)):
    """Rotate each image by ``angles`` degrees about its centre, then shift it.

    ``images``: ``(n, h, w)``, uint8 or float; the result has the same shape and
    dtype (uint8 results are rounded).  ``angles``: one number or one per image
    (positive turns the digit anticlockwise as displayed).  ``shifts``: ``(dy,
    dx)`` in pixels (down, right) for all images, or an ``(n, 2)`` array.
    A zero angle with whole-pixel shifts moves pixels exactly, with no blurring
    (and without interpolating at all, which is much faster).  NaN or infinite
    pixels, angles or shifts are a ValueError (a NaN would spread to every
    neighbour it is interpolated with, and a NaN position has no pixel).
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    if images.dtype.kind == "f" and not np.isfinite(images).all():
        raise ValueError("images contain NaN or infinite pixels")
    n = len(images)
    theta = np.deg2rad(np.broadcast_to(np.asarray(angles, dtype=np.float64), (n,)))
    shifts = np.broadcast_to(np.asarray(shifts, dtype=np.float64), (n, 2))
    if not (np.isfinite(theta).all() and np.isfinite(shifts).all()):
        raise ValueError("angles and shifts must be finite numbers, got NaN or infinity")
    if not theta.any() and np.array_equal(shifts, np.round(shifts)):
        return _shift(images, shifts.astype(np.intp))
    out = _rotate_and_shift(images, theta, shifts)
    if images.dtype == np.uint8:
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return out.astype(images.dtype, copy=False)


def random_transform(images, rng, max_angle=10.0, max_shift=2):
    """A randomly distorted copy of every image: an angle drawn uniformly from
    [−max_angle, max_angle] degrees and a whole-pixel shift from −max_shift to
    max_shift in each direction, independently per image.

    ``rng``: a ``numpy.random.Generator`` (or a seed); the same seed gives the
    same distortions.  Shape and dtype are kept (see :func:`transform`).
    """
    Interval("max_angle", 0).check(max_angle)           # a finite number ≥ 0 (not NaN)
    Interval("max_shift", 0, integer=True).check(max_shift)
    rng = np.random.default_rng(rng)
    n = len(images)
    angles = rng.uniform(-max_angle, max_angle, size=n)
    shifts = rng.integers(-max_shift, max_shift + 1, size=(n, 2))
    return transform(images, angles, shifts)
