"""Measuring a classifier: accuracy and the confusion matrix."""
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
