"""nnlib.data: one-hot targets, images as columns, and minibatches."""
import numpy as np
import pytest

from nnlib.data import minibatches, one_hot, to_columns


def test_one_hot():
    y = one_hot(np.array([2, 0, 1]), 3)
    np.testing.assert_array_equal(y, [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="integers in 0..9"):
        one_hot(np.array([3, 10]))
    with pytest.raises(ValueError, match="integers in 0..9"):
        one_hot(np.array([-1]))
    with pytest.raises(ValueError, match="1-D"):
        one_hot(np.zeros((2, 2), int))


def test_to_columns_and_minibatches():
    images = np.arange(3 * 28 * 28).reshape(3, 28, 28).astype(np.uint8)
    x = to_columns(images)
    assert x.shape == (784, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x[:, 1], images[1].ravel() / 255)
    labels = np.array([0, 1, 2])
    batches = list(minibatches(x, labels, 2, rng=np.random.default_rng(0)))
    assert [b[0].shape for b in batches] == [(784, 2), (784, 1)]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == [0, 1, 2]
    for xb, yb in batches:  # columns stay with their labels
        for col, lab in zip(xb.T, yb):
            np.testing.assert_array_equal(col, x[:, lab])
    with pytest.raises(ValueError, match="batch_size"):
        list(minibatches(x, labels, 0))


@pytest.mark.parametrize("batch_size", [True, np.bool_(True), 0, 2.0])
def test_minibatches_refuses_a_batch_size_that_is_not_a_positive_integer(batch_size):
    from nnlib import minibatches

    x, y = np.zeros((2, 4)), np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, inf\)"):
        list(minibatches(x, y, batch_size))
