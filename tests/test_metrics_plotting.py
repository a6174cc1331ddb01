import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib import accuracy, confusion_matrix, plotting


def test_confusion_matrix_and_accuracy():
    labels = np.array([0, 1, 2, 2, 1])
    predicted = np.array([0, 2, 2, 2, 1])
    c = confusion_matrix(labels, predicted, num_classes=3)
    np.testing.assert_array_equal(c, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])
    assert accuracy(labels, predicted) == 0.8 == np.trace(c) / c.sum()
    with pytest.raises(ValueError, match="shape"):
        confusion_matrix(labels, predicted[:4])


def test_digit_grid_image_layout():
    images = np.zeros((12, 28, 28), np.uint8)
    images[3] = 255
    img = plotting.digit_grid_image(images, ncols=5, scale=1, padding=2)
    assert img.size == (5 * 30 + 2, 3 * 30 + 2) and img.mode == "L"
    px = np.asarray(img)
    assert px[2 + 10, 2 + 3 * 30 + 10] == 255 and px[12, 12] == 0


def test_figures_are_returned():
    history = {"epoch": [1, 2], "cost": [0.5, 0.3], "train_accuracy": [0.8, 0.9], "validation_accuracy": [0.8, 0.85]}
    for fig in (plotting.plot_history(history), plotting.plot_confusion_matrix(np.eye(10, dtype=int)),
                plotting.plot_weights(np.zeros((12, 784))), plotting.digit_grid(np.zeros((3, 28, 28)), labels=[1, 2, 3])):
        assert isinstance(fig, plt.Figure)
        plt.close(fig)
