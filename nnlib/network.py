"""A fully connected feed-forward network and backpropagation.

Notation (as in the book):

* ``sizes = [n_0, n_1, ..., n_L]``: n_0 inputs, n_L outputs.
* ``weights[l-1]`` is W^l, shape ``(n_l, n_{l-1})``: entry ``[j, k]`` is w^l_jk,
  the weight from neuron k in layer l-1 to neuron j in layer l.
* ``biases[l-1]`` is b^l, shape ``(n_l, 1)``.
* A batch of m samples is a matrix with one sample per **column**: the input
  ``x`` has shape ``(n_0, m)``, z^l and a^l have shape ``(n_l, m)``.

(Most frameworks store the transpose, one sample per row, and compute ``x @ W.T``;
the arithmetic is the same.)
"""
import numpy as np

from .activations import get_activation, prime_at, softmax_backward
from .checks import HYPERPARAMETERS, LAYER_SIZE, check_network_size
from .losses import get_cost, pairing

INITS = ("normal", "scaled", "he")


def parameter_names(l):
    """``("W3", "b3")`` for l = 3: the names of W^l and b^l in files, checks and optimisers.

    The one place where the naming scheme is written.  Introduced in chapter 4.
    """
    return f"W{l}", f"b{l}"


def is_weight(name):
    """True for a weight's name (``"W2"``), False for a bias's (``"b2"``).  Introduced in chapter 6."""
    return name.startswith("W")


def check_output_and_cost(output, cost):
    """Raise a ValueError if ``cost`` does not fit the ``output`` activation.

    Cross-entropy needs a softmax output (its a^L is a probability distribution);
    binary cross-entropy needs sigmoid outputs (each a^L_j a probability); the
    quadratic cost fits any output (the table ``nnlib.losses.PAIRINGS``).
    Introduced in chapter 3.
    """
    pairing(output, cost)


def _check_sizes(sizes):
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise ValueError(f"sizes must be a list of layer sizes such as [784, 30, 10], got {sizes!r}")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least an input and an output layer, got {sizes!r}")
    for i, n in enumerate(sizes):
        if n not in LAYER_SIZE:   # a positive integer (not a bool, not 2.0)
            raise ValueError(f"layer sizes must be positive integers, got {n!r} for layer {i} "
                             f"in sizes {sizes!r}")
    return check_network_size([int(n) for n in sizes])   # refused before anything is allocated


def _float_dtype(dtype):
    """``dtype`` as a numpy dtype in the machine's byte order; a ValueError unless float32 or float64."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        dtype = dtype.newbyteorder("=")   # a big-endian '>f4' is float32 too
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    return dtype


class Network:
    """A feed-forward network ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

    Introduced in chapter 1.

    Parameters
    ----------
    sizes : list of int
        Neurons per layer, input first, e.g. ``[784, 30, 10]``.
    activation : str
        Hidden-layer activation: ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"identity"``.
    output : str
        Output-layer activation: any of the above or ``"softmax"``.
    cost : str
        ``"quadratic"``, ``"cross_entropy"`` (with a softmax output) or
        ``"binary_cross_entropy"`` (with sigmoid outputs).
    init : str
        ``"normal"``: weights and biases N(0, 1) (the classic choice, which
        saturates sigmoid units); ``"scaled"``: weights N(0, 1/n_in), biases 0;
        ``"he"``: weights N(0, 2/n_in), biases 0 (for ReLU).
    rng : numpy.random.Generator or int or None
        Source of the initial weights (an int is used as a seed).
    dtype : numpy dtype
        ``float64`` (the default; use it for gradient checks) or ``float32``
        (faster training).
    """

    def __init__(self, sizes, activation="sigmoid", output="sigmoid", cost="quadratic",
                 init="normal", rng=None, dtype=np.float64):
        self._configure(sizes, activation, output, cost, init, dtype)
        rng = np.random.default_rng(rng)
        self.weights, self.biases = [], []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            w = rng.standard_normal((n_out, n_in))
            if init == "normal":
                b = rng.standard_normal((n_out, 1))
            else:
                w *= np.sqrt((1.0 if init == "scaled" else 2.0) / n_in)
                b = np.zeros((n_out, 1))
            self.weights.append(w.astype(self.dtype))
            self.biases.append(b.astype(self.dtype))

    def _configure(self, sizes, activation, output, cost, init, dtype):
        """Check and set everything but the parameters (sizes within the limits of nnlib.checks)."""
        self.sizes = _check_sizes(sizes)
        if output == "softmax" and self.sizes[-1] < 2:
            raise ValueError("a softmax output needs at least 2 output neurons")
        if activation == "softmax":
            raise ValueError("softmax is an output activation; choose sigmoid, tanh, relu or identity")
        self.activation, self.output, self.cost = activation, output, cost
        self.sigma, self.sigma_prime = get_activation(activation)
        self.out_fn, self.out_prime = get_activation(output)
        self.cost_fn, self.cost_gradient = get_cost(cost)
        self.pairing = pairing(output, cost)  # δ^L shortcut and from-logits cost, if any
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; expected one of {INITS}")
        self.init = init
        self.dtype = _float_dtype(dtype)

    @classmethod
    def from_parameters(cls, weights, biases, activation="sigmoid", output="sigmoid",
                        cost="quadratic", dtype=None):
        """A network with the given parameters instead of random ones.

        ``weights[l-1]`` is W^l, shape ``(n_l, n_{l-1})``, and ``biases[l-1]`` is b^l,
        shape ``(n_l, 1)``; the layer sizes follow from them.  The arrays are copied.
        ``dtype`` defaults to that of ``weights[0]`` (float32 or float64).

        Introduced in chapter 1.
        """
        weights = [np.array(w) for w in weights]
        biases = [np.array(b) for b in biases]
        if not weights or len(weights) != len(biases) or any(w.ndim != 2 for w in weights):
            raise ValueError("from_parameters needs one 2-D weight matrix and one bias per layer")
        sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
        for l, (w, b) in enumerate(zip(weights, biases), start=1):
            if w.shape != (sizes[l], sizes[l - 1]) or b.shape != (sizes[l], 1):
                w_name, b_name = parameter_names(l)
                raise ValueError(f"layer {l}: {w_name} has shape {w.shape} and {b_name} {b.shape}; expected "
                                 f"({sizes[l]}, {sizes[l - 1]}) and ({sizes[l]}, 1)")
        dtype = weights[0].dtype if dtype is None else dtype
        net = cls.__new__(cls)   # no random parameters drawn only to be replaced
        net._configure(sizes, activation, output, cost, "scaled", dtype)
        net.weights = [w.astype(net.dtype, copy=False) for w in weights]
        net.biases = [b.astype(net.dtype, copy=False) for b in biases]
        return net

    def __repr__(self):
        return (f"Network({self.sizes}, activation={self.activation!r}, output={self.output!r}, "
                f"cost={self.cost!r}, dtype={self.dtype.name})")

    @property
    def num_layers(self):
        """The number of layers, L + 1 (the input layer included)."""
        return len(self.sizes)

    def num_parameters(self):
        """Total number of weights and biases.

        Introduced in chapter 3.
        """
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def parameters(self):
        """``[("W1", W^1), ("b1", b^1), ...]``: the arrays themselves, not copies.

        Introduced in chapter 3.
        """
        return self._named(self.weights, self.biases)

    @staticmethod
    def _named(per_layer_w, per_layer_b):
        """``[("W1", w[0]), ("b1", b[0]), ("W2", w[1]), ...]`` from per-layer lists."""
        pairs = []
        for l, (w, b) in enumerate(zip(per_layer_w, per_layer_b), start=1):
            w_name, b_name = parameter_names(l)
            pairs += [(w_name, w), (b_name, b)]
        return pairs

    # ----------------------------------------------------------------- forward
    def as_batch(self, x):
        """``x`` as an array of this network's dtype with one sample per column, ``(n_0, m)``.

        A single sample of shape ``(n_0,)`` becomes one column; any other shape whose
        first axis is not ``n_0`` is a ValueError.

        Introduced in chapter 3.
        """
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim == 1:
            x = x.reshape(-1, 1)
        if x.ndim != 2 or x.shape[0] != self.sizes[0]:
            raise ValueError(f"input must have shape ({self.sizes[0]}, m), one sample per column; "
                             f"got {x.shape}")
        return x

    def forward(self, x, masks=None):
        """Run the network on a batch, keeping every layer.

        ``x``: shape ``(n_0, m)``.  Returns ``(zs, activations)``:
        ``zs[l-1]`` is z^l (shape ``(n_l, m)``) for l = 1..L, and
        ``activations[l]`` is a^l for l = 0..L (``activations[0]`` is x).
        ``masks`` (training with dropout, see :meth:`dropout_masks`): one array per
        hidden layer, shaped like a^l, so that a^l = σ(z^l) ⊙ mask^l.

        Introduced in chapter 3; ``masks`` in chapter 7.
        """
        a = self.as_batch(x)
        zs, activations = [], [a]
        L = len(self.weights)
        for l, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            z = w @ a + b                                    # z^l = W^l a^{l-1} + b^l
            a = self.out_fn(z) if l == L else self.sigma(z)  # a^l = σ(z^l)
            if masks is not None and l < L:
                a = a * masks[l - 1]                         # dropout: a^l ⊙ mask^l
            zs.append(z)
            activations.append(a)
        return zs, activations

    def feedforward(self, x):
        """The output a^L for a batch ``x`` of shape ``(n_0, m)``; returns shape ``(n_L, m)``.

        A single sample of shape ``(n_0,)`` is treated as one column.

        Introduced in chapter 3.
        """
        return self.forward(x)[1][-1]

    def classify(self, a):
        """The class each column of an output ``a`` (shape ``(n_L, m)``) stands for, shape ``(m,)``.

        With several outputs it is the most active one, ``argmax_j a^L_j``.  A single
        output neuron answers yes (1) or no (0): yes when its activation is above 0.5
        for a sigmoid output, above 0 for any other.

        Introduced in chapter 3.
        """
        if self.sizes[-1] == 1:
            threshold = 0.5 if self.output == "sigmoid" else 0.0
            return (a[0] > threshold).astype(np.int64)
        return np.argmax(a, axis=0)

    def slice_size(self):
        """How many samples :meth:`predict` and :meth:`evaluate` feed forward at once.

        As many as the memory of the parameters themselves allows (at least 4 MiB), counting
        z^l and a^l of every layer per sample: the layers' activations of a 784-30000-10
        network for all 10,000 MNIST test images at once would take 2.4 GB, twelve times its
        parameters.
        """
        per_sample = 2 * sum(self.sizes) * self.dtype.itemsize   # z^l and a^l of every layer
        budget = max(self.num_parameters() * self.dtype.itemsize, 1 << 22)
        return max(1, budget // per_sample)

    def predict(self, x):
        """The predicted class of each column of ``x``, shape ``(m,)`` (see :meth:`classify`).

        The columns go through the network :meth:`slice_size` at a time, so that memory
        stays within a few times that of the parameters however many samples there are.

        Introduced in chapter 3.
        """
        x = self.as_batch(x)
        step = self.slice_size()
        return np.concatenate([self.classify(self.feedforward(x[:, k:k + step]))
                               for k in range(0, max(1, x.shape[1]), step)])

    def evaluate(self, x, labels):
        """Fraction of the columns of ``x`` whose predicted class equals ``labels`` (shape ``(m,)``).

        Computed by :meth:`predict`, :meth:`slice_size` samples at a time.

        Introduced in chapter 3.
        """
        labels = np.asarray(labels).ravel()
        x = self.as_batch(x)
        if labels.shape[0] != x.shape[1]:
            raise ValueError(f"{x.shape[1]} samples but {labels.shape[0]} labels")
        return float(np.mean(self.predict(x) == labels))

    def total_cost(self, x, y, l2=0.0):
        """The cost C for inputs ``x`` ``(n_0, m)`` and targets ``y`` ``(n_L, m)``.

        C is the mean over the batch of the per-sample cost, plus the L2 term
        (λ/2) Σ_l ‖W^l‖² when ``l2`` = λ > 0 (the cost that :func:`nnlib.sgd`
        minimises with that λ; biases are not penalised).

        Introduced in chapter 3.
        """
        zs, activations = self.forward(x)
        return self.output_cost(zs[-1], activations[-1], y, l2)

    def output_cost(self, z, a, y, l2=0.0):
        """The cost given the output layer's z^L and a^L from :meth:`forward` (see :meth:`total_cost`).

        For softmax with cross-entropy and sigmoid with binary cross-entropy the
        value is computed from z^L (log-sum-exp), so it is finite for finite z even
        where a^L rounds to exactly 0 or 1.

        Introduced in chapter 3.
        """
        y = np.asarray(y, dtype=self.dtype)
        if y.shape != a.shape:
            raise ValueError(f"targets must have shape {a.shape} (one column per sample), got {y.shape}")
        from_logits = self.pairing.from_logits
        cost = float(from_logits(z, y) if from_logits else self.cost_fn(a, y))
        if l2:
            cost += 0.5 * l2 * sum(float(np.sum(w.astype(np.float64) ** 2)) for w in self.weights)
        return cost

    # ---------------------------------------------------------------- backward
    def output_error(self, z, a, y):
        """δ^L = ∂C/∂z^L for the output layer (BP1).

        In general δ^L = ∇_a C ⊙ σ'(z^L).  A softmax output couples its
        neurons, so its δ^L is the full Jacobian times ∇_a C
        (``softmax_backward``).  For softmax with cross-entropy, and sigmoid
        with binary cross-entropy, the terms cancel to δ^L = (a − y)/m.

        σ'(z^L) is computed from a^L = σ(z^L) (e.g. a(1 − a) for the sigmoid; see
        :func:`nnlib.activations.prime_at`), the activation the forward pass already has.

        Introduced in chapter 4.
        """
        if self.pairing.shortcut:
            return (a - y) / a.shape[1]
        grad_a = self.cost_gradient(a, y)
        if self.output == "softmax":
            return softmax_backward(a, grad_a)
        return grad_a * prime_at(self.out_prime, z, a)      # BP1: δ^L = ∇_a C ⊙ σ'(z^L)

    def gradients(self, x, y, masks=None, forward=None):
        """``[("W1", ∂C/∂W^1), ("b1", ∂C/∂b^1), ...]``, in the order of :meth:`parameters`.

        The gradients of :meth:`backprop` (with dropout ``masks`` and an already
        computed ``forward`` pass if given), named, as an optimiser's ``step`` takes
        them.  Introduced in chapter 6.
        """
        if forward is None:  # (so that a backprop of one's own without ``forward`` still works here)
            nabla_b, nabla_w = self.backprop(x, y, masks)
        else:
            nabla_b, nabla_w = self.backprop(x, y, masks, forward=forward)
        return self._named(nabla_w, nabla_b)

    def backprop(self, x, y, masks=None, forward=None):
        """Gradients of the cost (mean over the batch) by backpropagation.

        ``x``: inputs, shape ``(n_0, m)``; ``y``: targets, shape ``(n_L, m)``.
        Returns ``(nabla_b, nabla_w)``, lists shaped like ``biases`` and
        ``weights``: ``nabla_w[l-1]`` is ∂C/∂W^l, ``nabla_b[l-1]`` is ∂C/∂b^l.
        The whole batch goes through as matrices; there is no loop over samples.
        With dropout ``masks`` (see :meth:`forward`) the same masks scale BP2.
        ``forward``: the ``(zs, activations)`` that :meth:`forward` returned for this
        ``x`` and ``masks``, if the caller has them already (:func:`nnlib.sgd` uses the
        same pass for the training cost); otherwise the forward pass is run here.

        The backward pass reuses the forward pass's numbers: BP4 multiplies by the
        activations a^{l-1}, and σ'(z^l) in BP2 is computed from a^l = σ(z^l)
        (a(1 − a) for the sigmoid, 1 − a² for tanh, [a > 0] for ReLU, 1 for the
        identity; :func:`nnlib.activations.prime_at`) instead of evaluating σ again.
        Under dropout a^l is σ(z^l) ⊙ mask^l, so σ'(z^l) is computed from z^l.

        Introduced in chapter 4; ``masks`` in chapter 7.
        """
        zs, activations = self.forward(x, masks) if forward is None else forward
        y = np.asarray(y, dtype=self.dtype)
        if y.shape != activations[-1].shape:
            raise ValueError(f"targets must have shape {activations[-1].shape} "
                             f"(one column per sample), got {y.shape}")
        L = len(self.weights)
        nabla_b, nabla_w = [None] * L, [None] * L
        delta = self.output_error(zs[-1], activations[-1], y)            # BP1
        for l in range(L, 0, -1):                                       # l = L, L-1, ..., 1
            nabla_b[l - 1] = delta.sum(axis=1, keepdims=True)           # BP3: ∂C/∂b^l = δ^l
            nabla_w[l - 1] = delta @ activations[l - 1].T               # BP4: ∂C/∂w^l_jk = a^{l-1}_k δ^l_j
            if l > 1:
                a = activations[l - 1] if masks is None else None  # a^{l-1}, unless masked
                delta = (self.weights[l - 1].T @ delta) * prime_at(self.sigma_prime, zs[l - 2], a)  # BP2
                if masks is not None:
                    delta *= masks[l - 2]                   # dropout: a dropped unit passes no δ
        return nabla_b, nabla_w

    def dropout_masks(self, m, rate, rng):
        """Inverted-dropout masks for a batch of ``m`` samples: one per hidden layer.

        Each entry is 0 with probability ``rate`` (the unit is dropped) and
        1/(1 − rate) otherwise, so a hidden activation keeps its expected value
        and nothing needs rescaling at test time, where no mask is used.
        ``rate`` in [0, 1); ``rng``: a ``numpy.random.Generator``.  Shapes ``(n_l, m)``
        for the hidden layers l = 1..L−1.  Introduced in chapter 7.
        """
        rate = HYPERPARAMETERS["dropout"].check(rate)
        keep = self.dtype.type(1 / (1 - rate))
        return [(rng.random((n, m), dtype=self.dtype) >= rate) * keep
                for n in self.sizes[1:-1]]
