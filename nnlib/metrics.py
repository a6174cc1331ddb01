"""Measuring a classifier: accuracy and the confusion matrix.

And, to compare settings trained with several seeds, the mean of the results and its
standard error (:func:`mean_and_standard_error`).
"""
import numpy as np


def accuracy(labels, predicted):
    """Fraction of samples whose predicted class equals the true one; both of shape ``(m,)``.

    True labels first, as in :func:`confusion_matrix`.  Introduced in chapter 6.
    """
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    if labels.shape != predicted.shape:
        raise ValueError(f"labels have shape {labels.shape} but predicted {predicted.shape}")
    return float(np.mean(labels == predicted))


def confusion_matrix(labels, predicted, num_classes=10):
    """Counts ``C[i, j]`` of samples with true class i predicted as class j; shape ``(k, k)``.

    Introduced in chapter 6.
    """
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    if labels.shape != predicted.shape:
        raise ValueError(f"labels have shape {labels.shape} but predicted {predicted.shape}")
    c = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(c, (labels, predicted), 1)
    return c


def mean_and_standard_error(values):
    """The mean of ``values``, shape ``(n,)`` (one result per seed), and its standard error.

    With n values x_1, ..., x_n, mean x̄ = Σ x_i / n and standard error
    s / √n, where s = √(Σ (x_i − x̄)² / (n − 1)) is the sample standard deviation
    (``ddof=1``).  Returns ``(mean, standard_error)`` as two Python floats.  Needs at
    least 2 values, all finite.  Introduced in chapter 3.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"values must have shape (n,), one per seed; got shape {x.shape}")
    if len(x) < 2:
        raise ValueError(f"a standard error needs at least 2 values, got {len(x)}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"values must all be finite, got {x.tolist()}")
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x)))
