"""nnlib: the small numpy library of *Neural networks from scratch*.

Each module is one idea:

* :mod:`nnlib.activations` — sigmoid, tanh, ReLU, softmax and derivatives
* :mod:`nnlib.losses` — quadratic and cross-entropy costs and their gradients
* :mod:`nnlib.network` — :class:`Network`: feedforward and backpropagation
* :mod:`nnlib.gradcheck` — numerical gradients and gradient checking
* :mod:`nnlib.training` — mini-batch SGD (momentum, L2)
* :mod:`nnlib.datasets` — IDX files, the bundled MNIST, one-hot labels
* :mod:`nnlib.metrics` — accuracy, confusion matrix
* :mod:`nnlib.plotting` — digit grids, curves, confusion matrices, weights
* :mod:`nnlib.io` — saving and loading parameters safely
* :mod:`nnlib.images` — a picture of your own digit turned into MNIST's format
* :mod:`nnlib.seeds` — the four seed systems as written, mistakes included, for comparison
"""
from .activations import (identity, identity_prime, relu, relu_prime, sigmoid, sigmoid_prime,
                          softmax, softmax_backward, tanh, tanh_prime)
from .datasets import (DownloadError, IDXError, download_mnist, load_mnist, minibatches, one_hot,
                       read_idx, to_columns)
from .gradcheck import check_gradients, max_relative_error, numerical_gradient, relative_error
from .io import ParameterFileError, load_network, save_network
from .losses import (binary_cross_entropy, binary_cross_entropy_gradient, cross_entropy,
                     cross_entropy_gradient, quadratic, quadratic_gradient)
from .metrics import accuracy, confusion_matrix
from . import seeds
from .network import Network
from .training import TrainingDiverged, sgd

__version__ = "0.1.0"
