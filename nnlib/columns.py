"""Arrays for a network: images as columns, one-hot targets, mini-batches, a validation split."""
import numpy as np

from .checks import HYPERPARAMETERS, MAX_PARAMETERS, Interval


def to_columns(images, dtype=np.float32):
    """Flatten images ``(m, 28, 28)`` into a matrix of columns ``(784, m)``.

    uint8 pixels are scaled to [0, 1]; floats are kept as they are.  The
    result is the transpose of a row-per-image array: column i is image i.

    Introduced in chapter 2.
    """
    images = np.asarray(images)
    x = images.reshape(images.shape[0], -1)
    if images.dtype == np.uint8:
        x = x.astype(dtype) / dtype(255)
    else:
        x = x.astype(dtype, copy=False)
    return x.T


def one_hot(labels, num_classes=10, dtype=np.float64):
    """One-hot targets as columns: labels ``(m,)`` -> ``(num_classes, m)``.

    Column i has a 1 in row ``labels[i]`` and 0 elsewhere.

    Introduced in chapter 2.
    """
    # at most as many classes as a network may have outputs: never a matrix of 10**12 rows
    Interval("num_classes", 1, MAX_PARAMETERS, integer=True).check(num_classes)
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-D array, got shape {labels.shape}")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers in 0..{num_classes - 1}, got {labels.dtype} "
                         f"values such as {labels[0].tolist()!r}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be integers in 0..{num_classes - 1}, got values "
                         f"from {labels.min()} to {labels.max()} ({labels.dtype})")
    y = np.zeros((num_classes, labels.size), dtype=dtype)
    y[labels, np.arange(labels.size)] = 1
    return y


def minibatches(x, y, batch_size, rng=None):
    """Yield ``(x_batch, y_batch)`` pairs covering every column once.

    ``x``: ``(n_0, m)``; ``y``: ``(n_L, m)`` targets or ``(m,)`` labels.  With
    a ``numpy.random.Generator`` the columns are shuffled first; the last
    batch may be smaller.

    Introduced in chapter 6.
    """
    m = x.shape[1]
    if y.shape[-1] != m:
        raise ValueError(f"x has {m} samples (columns) but y has {y.shape[-1]}")
    HYPERPARAMETERS["batch_size"].check(batch_size)
    order = rng.permutation(m) if rng is not None else np.arange(m)
    for k in range(0, m, batch_size):
        idx = order[k:k + batch_size]
        yield x[:, idx], y[..., idx]


def split_validation(images, labels, size=10_000, rng=None):
    """Split a training set into ``(train_images, train_labels, val_images, val_labels)``.

    Settings (a learning rate, the number of epochs, a network size) are chosen on
    the validation part, never on the test set, so that the test accuracy stays an
    honest estimate of how the network does on digits it has never influenced.

    Samples run along the first axis (``images`` ``(m, 28, 28)``, ``labels`` ``(m,)``,
    as :func:`nnlib.load_mnist` returns them).  With ``rng=None`` the last ``size``
    samples become the validation set — for MNIST the last 10,000 of the 60,000
    training images, as in Nielsen's book — so the split is the same everywhere.
    With a ``numpy.random.Generator`` (or an int seed) the validation samples are
    drawn at random instead, reproducibly for a given seed.

    Introduced in chapter 6.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    m = len(images)
    if len(labels) != m:
        raise ValueError(f"{m} images but {len(labels)} labels")
    Interval("size", 1, m - 1, integer=True).check(size)
    order = np.arange(m) if rng is None else np.random.default_rng(rng).permutation(m)
    train, val = order[:m - size], order[m - size:]
    return images[train], labels[train], images[val], labels[val]
