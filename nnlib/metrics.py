"""Measuring a classifier: accuracy and the confusion matrix."""
import numpy as np


def accuracy(predicted, labels):
    """Fraction of equal entries in two label arrays of shape ``(m,)``."""
    predicted, labels = np.asarray(predicted), np.asarray(labels)
    if predicted.shape != labels.shape:
        raise ValueError(f"predicted has shape {predicted.shape} but labels {labels.shape}")
    return float(np.mean(predicted == labels))


def confusion_matrix(labels, predicted, num_classes=10):
    """Counts ``C[i, j]`` of samples with true class i predicted as class j; shape ``(k, k)``."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    if labels.shape != predicted.shape:
        raise ValueError(f"labels have shape {labels.shape} but predicted {predicted.shape}")
    c = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(c, (labels, predicted), 1)
    return c
