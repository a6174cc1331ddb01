"""Pictures: digit grids, learning curves, confusion matrices, weights as images.

Each matplotlib function returns its Figure.  In a notebook write
``fig = plot_...(...)`` (or end the line with ``;``) so the figure is shown once.
"""
import numpy as np
from PIL import Image

from .mnist import PIXELS, SIDE


def digit_grid_image(images, ncols=10, scale=2, padding=2):
    """Paste 28×28 images into one Pillow image, ``ncols`` per row.

    MNIST's own convention: white ink (255) on a black background (0), frames
    dark grey.  uint8 images are pasted as they are; float images are read on
    the fixed scale 0..1 (pixels scaled as by :func:`nnlib.to_columns`), never
    stretched per image, so a faint digit stays faint.

    Introduced in chapter 2.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    if images.dtype != np.uint8:
        images = np.clip(np.round(images * 255), 0, 255).astype(np.uint8)
    n, h, w = images.shape
    nrows = -(-n // ncols)
    grid = Image.new("L", (ncols * (w + padding) + padding,
                           nrows * (h + padding) + padding), 40)
    for i, img in enumerate(images):
        r, c = divmod(i, ncols)
        grid.paste(Image.fromarray(img),
                   (padding + c * (w + padding), padding + r * (h + padding)))
    return grid.resize((grid.width * scale, grid.height * scale), Image.NEAREST)


def ink_range(images):
    """The fixed grey scale ``(vmin, vmax)`` for MNIST-like images.

    ``(0, 255)`` for integer images (bytes as stored in the files) and for float
    images whose largest value exceeds 1; ``(0, 1)`` for float images in [0, 1]
    (pixels divided by 255).  The scale never depends on one image's own
    darkest pixel, so averages and faint digits keep their true contrast.
    """
    images = np.asarray(images)
    if np.issubdtype(images.dtype, np.integer) or (images.size and images.max() > 1):
        return 0.0, 255.0
    return 0.0, 1.0


def digit_grid(images, labels=None, ncols=10, titles=None, cmap="gray", size=1.0,
               vmin=None, vmax=None):
    """Draw images ``(n, 28, 28)`` (or ``(n, 784)``) in a grid, a title above each.

    The default ``cmap="gray"`` shows MNIST as it is stored: white ink (high
    values) on black.  Every image is drawn on the same fixed scale
    ``vmin..vmax`` (by default :func:`ink_range`: 0..255 for bytes, 0..1 for
    scaled pixels), not stretched to its own minimum and maximum; pass
    ``cmap="gray_r"`` for black ink on white.

    Introduced in chapter 2.
    """
    import matplotlib.pyplot as plt
    images = np.asarray(images)
    lo, hi = ink_range(images)
    vmin = lo if vmin is None else vmin
    vmax = hi if vmax is None else vmax
    n = len(images)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.15),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            image = images[i].reshape(SIDE, SIDE) if images[i].size == PIXELS else images[i]
            ax.imshow(image, cmap=cmap, vmin=vmin, vmax=vmax)
            if titles is not None:
                ax.set_title(titles[i], fontsize=8)
            elif labels is not None:
                ax.set_title(str(labels[i]), fontsize=9)
    fig.tight_layout()
    return fig


def plot_history(history, title=None):
    """Training cost and train/validation accuracy per epoch, from :func:`nnlib.training.sgd`'s history.

    Introduced in chapter 6.
    """
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    epochs = history["epoch"]
    if history.get("cost"):
        ax1.plot(epochs, history["cost"], marker=".")
    ax1.set(xlabel="epoch", ylabel="training cost", title="cost")
    for key in ("train_accuracy", "validation_accuracy"):
        if history.get(key):
            ax2.plot(epochs, np.array(history[key]) * 100, marker=".", label=key.replace("_", " "))
    ax2.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    ax2.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(matrix, title="confusion matrix"):
    """Draw a ``(k, k)`` confusion matrix (rows: true class, columns: predicted) with counts.

    Introduced in chapter 6.
    """
    import matplotlib.pyplot as plt
    matrix = np.asarray(matrix)
    k = matrix.shape[0]
    fig, ax = plt.subplots(figsize=(6, 5.5))
    ax.imshow(np.log1p(matrix), cmap="Blues")
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if i == j else "black")
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted", ylabel="true", title=title)
    fig.tight_layout()
    return fig


def plot_weights(weights, ncols=10, shape=(SIDE, SIDE), size=1.0):
    """Draw each row of a first-layer weight matrix ``(n_1, 784)`` as a 28×28 image.

    Red is positive, blue negative, on a symmetric scale per image.

    Introduced in chapter 6.
    """
    import matplotlib.pyplot as plt
    weights = np.asarray(weights)
    n = weights.shape[0]
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            lim = np.abs(weights[i]).max() or 1.0
            ax.imshow(weights[i].reshape(shape), cmap="RdBu_r", vmin=-lim, vmax=lim)
    fig.tight_layout()
    return fig
