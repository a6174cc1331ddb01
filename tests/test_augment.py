"""Distorted digits (nnlib.augment), chapter 7."""
import numpy as np
import pytest

from nnlib import augment, load_mnist


@pytest.fixture(scope="module")
def digits():
    return load_mnist().train_images[:50]


def test_shapes_and_dtypes_are_kept(digits):
    out = augment.random_transform(digits, np.random.default_rng(0))
    assert out.shape == digits.shape and out.dtype == np.uint8
    floats = augment.transform(digits.astype(np.float32) / 255, 7.0, (1, 1))
    assert floats.shape == digits.shape and floats.dtype == np.float32
    assert floats.min() >= 0 and floats.max() <= 1 + 1e-6


def test_zero_angle_and_zero_shift_is_the_identity(digits):
    np.testing.assert_array_equal(augment.transform(digits, 0.0, (0, 0)), digits)
    same = augment.random_transform(digits, 1, max_angle=0.0, max_shift=0)
    np.testing.assert_array_equal(same, digits)


def test_integer_shift_moves_pixels_exactly(digits):
    out = augment.transform(digits, 0.0, (2, -3))     # 2 down, 3 left
    np.testing.assert_array_equal(out[:, 2:, :-3], digits[:, :-2, 3:])
    assert np.all(out[:, :2, :] == 0) and np.all(out[:, :, -3:] == 0)


def test_rotation_turns_anticlockwise_and_back():
    img = np.zeros((1, 29, 29), np.uint8)
    img[0, 14, 20] = 255                                # right of the centre (14, 14)
    np.testing.assert_array_equal(np.argwhere(augment.transform(img, 90)[0]), [[8, 14]])
    np.testing.assert_array_equal(np.argwhere(augment.transform(img, -90)[0]), [[20, 14]])


def test_small_rotations_keep_the_ink(digits):
    out = augment.transform(digits, 10.0)
    ink_before = digits.astype(float).sum(axis=(1, 2))
    ink_after = out.astype(float).sum(axis=(1, 2))
    assert np.all(np.abs(ink_after / ink_before - 1) < 0.05)
    assert not np.array_equal(out, digits)


def test_random_transform_is_seeded(digits):
    a = augment.random_transform(digits, np.random.default_rng(7))
    b = augment.random_transform(digits, np.random.default_rng(7))
    c = augment.random_transform(digits, np.random.default_rng(8))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_per_image_angles_and_shifts(digits):
    angles = np.zeros(len(digits))
    shifts = np.zeros((len(digits), 2))
    shifts[0] = (0, 1)
    out = augment.transform(digits, angles, shifts)
    np.testing.assert_array_equal(out[1:], digits[1:])
    np.testing.assert_array_equal(out[0, :, 1:], digits[0, :, :-1])


def test_bad_shape_is_refused(digits):
    with pytest.raises(ValueError):
        augment.transform(digits[0], 5.0)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_the_exact_shift_equals_interpolation_at_whole_pixels(digits, dtype):
    images = digits.astype(dtype)
    shifts = np.random.default_rng(3).integers(-3, 4, size=(len(images), 2))
    fast = augment.transform(images, 0.0, shifts)
    slow = augment._rotate_and_shift(images, np.zeros(len(images)), shifts.astype(float))
    assert fast.dtype == dtype
    np.testing.assert_array_equal(fast, slow.astype(dtype))
    assert len(np.unique(shifts, axis=0)) > 20 and not np.array_equal(fast, images)


def test_shifts_beyond_the_image_leave_it_blank(digits):
    np.testing.assert_array_equal(augment.transform(digits, 0.0, (28, 0)), 0)
    np.testing.assert_array_equal(augment.transform(digits, 0.0, (0, -40)), 0)


# ----------------------------------------------------------------------------- issue 23 (hostile input, round 3)
def test_nan_and_infinity_are_refused_clearly(digits):
    """Item 18: a NaN angle made garbage indices (an IndexError from deep inside), and NaN pixels
    spread silently to their neighbours.  Each is now a ValueError saying what is wrong."""
    floats = digits[:3].astype(np.float32)
    for kwargs in ({"angles": np.nan}, {"angles": [0, np.inf, 1]}, {"shifts": (np.nan, 0)},
                   {"shifts": (0, -np.inf)}):
        with pytest.raises(ValueError, match="angles and shifts must be finite"):
            augment.transform(digits[:3], **kwargs)
    floats[1, 5, 5] = np.nan
    with pytest.raises(ValueError, match="images contain NaN or infinite pixels"):
        augment.transform(floats, angles=5.0)
    with pytest.raises(ValueError, match=r"max_angle must be a number in \[0, inf\), got nan"):
        augment.random_transform(digits[:3], 0, max_angle=np.nan)
    with pytest.raises(ValueError, match=r"max_shift must be an integer in \[0, inf\), got 1.5"):
        augment.random_transform(digits[:3], 0, max_shift=1.5)
