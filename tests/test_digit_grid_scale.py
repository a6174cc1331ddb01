"""digit_grid draws every image on one fixed grey scale (issue 15)."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from nnlib import plotting

matplotlib.use("Agg")


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
