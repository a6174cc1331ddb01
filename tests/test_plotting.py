"""nnlib.plotting: the figures of the chapters, and digit grids on one fixed grey scale (issue 15)."""
import matplotlib.pyplot as plt
import numpy as np

from nnlib import plotting


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


def _limits(fig):
    return [ax.images[0].get_clim() for ax in fig.axes if ax.images]


def test_fixed_scale_for_bytes_and_floats():
    faint = np.full((2, 28, 28), 0.2)
    faint[1] = 0.6
    fig = plotting.digit_grid(faint)
    assert _limits(fig) == [(0.0, 1.0), (0.0, 1.0)]
    plt.close(fig)
    fig = plotting.digit_grid(np.full((1, 28, 28), 40, np.uint8))
    assert _limits(fig) == [(0.0, 255.0)]
    plt.close(fig)
    assert plotting.ink_range(np.full((1, 784), 200.0)) == (0.0, 255.0)


def test_default_is_white_ink_on_black():
    fig = plotting.digit_grid(np.zeros((1, 28, 28), np.uint8))
    assert fig.axes[0].images[0].get_cmap().name == "gray"
    plt.close(fig)
