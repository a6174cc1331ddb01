"""nnlib.metrics: accuracy and the confusion matrix."""
import numpy as np
import pytest

from nnlib import accuracy, confusion_matrix


def test_confusion_matrix_and_accuracy():
    labels = np.array([0, 1, 2, 2, 1])
    predicted = np.array([0, 2, 2, 2, 1])
    c = confusion_matrix(labels, predicted, num_classes=3)
    np.testing.assert_array_equal(c, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])
    assert accuracy(labels, predicted) == 0.8 == np.trace(c) / c.sum()
    with pytest.raises(ValueError, match="shape"):
        confusion_matrix(labels, predicted[:4])
