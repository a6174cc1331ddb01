"""The four seed systems the course grew out of, implemented as their write-ups specify them.

They are kept, mistakes included, so that the book can run each one, measure it
and say plainly where it is wrong or slow.  Do not use them as models: the rest
of nnlib is the corrected, tested version of the same ideas.

* :class:`InputBiasTanhNet` (system A): tanh 784-1024-10, softmax output, an
  extra input bias b0, squared-error loss, and a derivation that keeps only the
  diagonal of the softmax Jacobian.
* :class:`NumericalGradientNet` (system B): sigmoid layers, softmax output
  (shifted by the *global* maximum of the batch), cross-entropy with ``+ 1e-7``
  **summed** over the batch, gradients by central differences over every
  parameter.  Samples are rows.
* :class:`ClassicNetwork` (system C): the classic per-sample ``Network.SGD``,
  sigmoid everywhere, quadratic cost, one ``backprop(x, y)`` per sample.
* :class:`ThreeLayerNet` (system D): d inputs, q sigmoid hidden units, l sigmoid
  outputs, thresholds, squared error, per-sample updates derived by hand, every
  weight and threshold drawn from N(0, 1) (``randn``, as the write-up's code).

All randomness comes from a ``numpy.random.Generator`` passed in (the originals
used global state).
"""
import numpy as np

from .activations import sigmoid, softmax


# --------------------------------------------------------------------- system A
class InputBiasTanhNet:
    """System A: ``x_in = x + b0``, ``a1 = tanh(W1 x_in + b1)``, ``y = softmax(W2 a1 + b2)``,
    loss ``‖y − t‖²`` per sample (averaged over a batch here).

    Shapes (columns are samples): ``b0`` (784, 1), ``W1`` (1024, 784), ``b1``
    (1024, 1), ``W2`` (10, 1024), ``b2`` (10, 1).

    ``gradients(..., jacobian="diagonal")`` reproduces the write-up's derivation,
    which multiplies ∂loss/∂y by ``softmax(z)(1 − softmax(z))`` element by
    element; ``jacobian="full"`` uses the whole softmax Jacobian (correct).

    Introduced in chapter 4.
    """

    def __init__(self, n_in=784, n_hidden=1024, n_out=10, rng=None, scale=0.01):
        rng = np.random.default_rng(rng)
        self.b0 = np.zeros((n_in, 1))
        self.W1 = rng.standard_normal((n_hidden, n_in)) * scale
        self.b1 = np.zeros((n_hidden, 1))
        self.W2 = rng.standard_normal((n_out, n_hidden)) * scale
        self.b2 = np.zeros((n_out, 1))

    def params(self):
        """``{"b0": ..., "W1": ..., "b1": ..., "W2": ..., "b2": ...}`` (the arrays themselves)."""
        return {"b0": self.b0, "W1": self.W1, "b1": self.b1, "W2": self.W2, "b2": self.b2}

    def forward(self, x):
        """x: (784, m).  Returns ``(x_in, a1, y_pred)``."""
        x_in = x + self.b0
        a1 = np.tanh(self.W1 @ x_in + self.b1)
        y_pred = softmax(self.W2 @ a1 + self.b2)
        return x_in, a1, y_pred

    def loss(self, x, t):
        """Mean over the batch of ‖y_pred − t‖²; ``t`` one-hot columns (10, m)."""
        return float(np.sum((self.forward(x)[2] - t) ** 2) / x.shape[1])

    def gradients(self, x, t, jacobian="diagonal"):
        """Gradients of :meth:`loss` for every parameter, as the write-up derives them
        (``jacobian="diagonal"``) or correctly (``"full"``)."""
        m = x.shape[1]
        x_in, a1, y = self.forward(x)
        dy = 2 * (y - t) / m                                      # ∂loss/∂y_pred
        if jacobian == "diagonal":
            dz2 = dy * y * (1 - y)                                # the write-up: diagonal only
        elif jacobian == "full":
            dz2 = y * (dy - np.sum(y * dy, axis=0, keepdims=True))  # J^T dy, whole Jacobian
        else:
            raise ValueError(f"jacobian must be 'diagonal' or 'full', got {jacobian!r}")
        dz1 = (self.W2.T @ dz2) * (1 - a1 ** 2)
        return {"b0": (self.W1.T @ dz1).sum(axis=1, keepdims=True),
                "W1": dz1 @ x_in.T, "b1": dz1.sum(axis=1, keepdims=True),
                "W2": dz2 @ a1.T, "b2": dz2.sum(axis=1, keepdims=True)}

    def train(self, x, labels, epochs, batch_size, alpha, rng, jacobian="diagonal", test=None):
        """Mini-batch gradient descent with learning rate ``alpha`` (b0 is updated too).

        Returns ``{"loss": [...per epoch...], "test_accuracy": [...]}``.
        """
        rng = np.random.default_rng(rng)
        t = np.eye(self.b2.shape[0])[:, labels]
        history = {"loss": [], "test_accuracy": []}
        for _ in range(epochs):
            order = rng.permutation(x.shape[1])
            for k in range(0, x.shape[1], batch_size):
                idx = order[k:k + batch_size]
                grads = self.gradients(x[:, idx], t[:, idx], jacobian)
                for name, p in self.params().items():
                    p -= alpha * grads[name]
            history["loss"].append(self.loss(x, t))
            if test is not None:
                history["test_accuracy"].append(float(np.mean(self.predict(test[0]) == test[1])))
        return history

    def predict(self, x):
        """Predicted classes ``(m,)``."""
        return np.argmax(self.forward(x)[2], axis=0)


# --------------------------------------------------------------------- system B
def softmax_global_max(z):
    """System B's softmax over rows of ``z`` (m, k): it subtracts the maximum of the
    *whole batch*, not of each row, so a row far below the batch maximum underflows
    to 0/0.

    Introduced in appendix A.
    """
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=1, keepdims=True)


class NumericalGradientNet:
    """System B: sigmoid hidden layers and a softmax output, trained by numerical gradients.

    Samples are **rows** here, as in the write-up: ``x`` has shape (m, 784) and a
    layer computes ``a @ W + b`` with ``W`` of shape (n_in, n_out).

    Introduced in appendix A.
    """

    def __init__(self, sizes=(784, 50, 10), rng=None, weight_scale=0.01):
        rng = np.random.default_rng(rng)
        self.params = {}
        for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            self.params[f"W{l}"] = weight_scale * rng.standard_normal((n_in, n_out))
            self.params[f"b{l}"] = np.zeros(n_out)
        self.num_layers = len(sizes) - 1

    def forward(self, x):
        """Class probabilities, shape (m, k)."""
        a = x
        for l in range(1, self.num_layers):
            a = sigmoid(a @ self.params[f"W{l}"] + self.params[f"b{l}"])
        L = self.num_layers
        return softmax_global_max(a @ self.params[f"W{L}"] + self.params[f"b{L}"])

    def loss(self, x, labels):
        """Cross-entropy as written: −Σ log(p[label] + 1e-7), a **sum** over the batch (not
        a mean), so a learning rate η on it is η·m on the mean loss of a batch of m."""
        p = self.forward(x)
        return float(-np.sum(np.log(p[np.arange(len(labels)), labels] + 1e-7)))

    def numerical_gradient(self, x, labels, h=1e-5):
        """Central differences over every weight and bias: 2 forward passes per parameter."""
        grads = {}
        for name, p in self.params.items():
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + h
                f_plus = self.loss(x, labels)
                p[idx] = old - h
                f_minus = self.loss(x, labels)
                p[idx] = old
                g[idx] = (f_plus - f_minus) / (2 * h)
            grads[name] = g
        return grads

    def train_step(self, x, labels, lr=0.02):
        """One gradient-descent step with numerical gradients."""
        grads = self.numerical_gradient(x, labels)
        for name in self.params:
            self.params[name] -= lr * grads[name]

    def predict(self, x):
        """Predicted classes (m,), computed correctly."""
        return np.argmax(self.forward(x), axis=1)

    def predict_as_written(self, x):
        """The write-up's demo ``predict``: every layer, the last one included, computes
        ``sigmoid(a @ W) + b`` (the bias added *after* the activation), and the softmax
        comes last; it returns the predicted classes (m,).  The softmax does not change
        the largest entry, so it is left out here."""
        a = x
        for l in range(1, self.num_layers + 1):
            a = sigmoid(a @ self.params[f"W{l}"]) + self.params[f"b{l}"]
        return np.argmax(a, axis=1)


# --------------------------------------------------------------------- system C
class ClassicNetwork:
    """System C: the classic per-sample network (sigmoid, quadratic cost, N(0, 1) init).

    Data are lists of ``(x, y)`` pairs, ``x`` of shape (784, 1); for training
    ``y`` is a one-hot column (10, 1), for testing an integer label (see
    :func:`classic_data`).

    Introduced in chapter 4.
    """

    def __init__(self, sizes, rng=None):
        rng = np.random.default_rng(rng)
        self.rng = rng
        self.num_layers = len(sizes)
        self.sizes = list(sizes)
        self.biases = [rng.standard_normal((y, 1)) for y in sizes[1:]]
        self.weights = [rng.standard_normal((y, x)) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ a + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None, verbose=True):
        """Shuffle, cut into mini-batches, one :meth:`update_mini_batch` each.

        Prints ``Epoch j: correct / n`` after each epoch when ``test_data`` is
        given.  Returns the list of correct counts per epoch.
        """
        training_data = list(training_data)
        n = len(training_data)
        results = []
        for j in range(epochs):
            self.rng.shuffle(training_data)
            mini_batches = [training_data[k:k + mini_batch_size] for k in range(0, n, mini_batch_size)]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta)
            if test_data is not None:
                correct = self.evaluate(test_data)
                results.append(correct)
                if verbose:
                    print(f"Epoch {j}: {correct} / {len(test_data)}")
            elif verbose:
                print(f"Epoch {j} complete")
        return results

    def update_mini_batch(self, mini_batch, eta):
        """Sum the per-sample gradients, then ``w − (η/m) Σ∇w``."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        """Gradient of the per-sample cost ½‖a − y‖² for one sample ``x`` (784, 1)."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = w @ activation + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        s = sigmoid(zs[-1])
        delta = (activations[-1] - y) * s * (1 - s)
        nabla_b[-1] = delta
        nabla_w[-1] = delta @ activations[-2].T
        for l in range(2, self.num_layers):
            s = sigmoid(zs[-l])
            delta = (self.weights[-l + 1].T @ delta) * s * (1 - s)
            nabla_b[-l] = delta
            nabla_w[-l] = delta @ activations[-l - 1].T
        return nabla_b, nabla_w

    def evaluate(self, test_data):
        """Number of test pairs ``(x, label)`` classified correctly."""
        return sum(int(np.argmax(self.feedforward(x)) == y) for x, y in test_data)


def classic_data(x, labels, one_hot_targets=True):
    """Columns ``x`` (784, m) and labels (m,) as the classic list of pairs:
    ``(x_i (784, 1), y_i)`` with ``y_i`` a one-hot (10, 1) column, or the integer
    label when ``one_hot_targets=False`` (the classic test-data format).

    Introduced in appendix A.
    """
    x = np.asarray(x, dtype=np.float64)
    pairs = []
    for i, label in enumerate(labels):
        if one_hot_targets:
            y = np.zeros((10, 1))
            y[int(label)] = 1.0
        else:
            y = int(label)
        pairs.append((x[:, i:i + 1], y))
    return pairs


# --------------------------------------------------------------------- system D
class ThreeLayerNet:
    """System D: d inputs, q sigmoid hidden units, l sigmoid outputs, squared error.

    Hidden unit h: b_h = f(Σ_i v_ih x_i − γ_h); output j: ŷ_j = f(Σ_h w_hj b_h − θ_j),
    thresholds γ, θ subtracted.  Error E = ½ Σ_j (ŷ_j − y_j)².  Updates for one
    sample, as derived by hand::

        g_j  = ŷ_j (1 − ŷ_j)(y_j − ŷ_j)          (output rule)
        e_h  = b_h (1 − b_h) Σ_j w_hj g_j          (hidden rule: reuses g)
        w_hj += η g_j b_h,   θ_j −= η g_j
        v_ih += η e_h x_i,   γ_h −= η e_h

    Introduced in appendix A.
    """

    def __init__(self, d, q, l, rng=None):
        rng = np.random.default_rng(rng)
        self.v = rng.standard_normal((d, q))        # randn, as the write-up
        self.gamma = rng.standard_normal(q)
        self.w = rng.standard_normal((q, l))
        self.theta = rng.standard_normal(l)

    def forward(self, x):
        """x: (d,) or (m, d) rows.  Returns ``(b, y_hat)``."""
        b = sigmoid(x @ self.v - self.gamma)
        return b, sigmoid(b @ self.w - self.theta)

    def error(self, x, y):
        """Mean over samples of E = ½ Σ_j (ŷ_j − y_j)²."""
        y_hat = self.forward(x)[1]
        return float(0.5 * np.sum((y_hat - y) ** 2) / np.atleast_2d(x).shape[0])

    def update(self, x, y, eta):
        """One per-sample step of standard backpropagation (x: (d,), y: (l,))."""
        b, y_hat = self.forward(x)
        g = y_hat * (1 - y_hat) * (y - y_hat)
        e = b * (1 - b) * (self.w @ g)
        self.w += eta * np.outer(b, g)
        self.theta -= eta * g
        self.v += eta * np.outer(x, e)
        self.gamma -= eta * e

    def train(self, x, y, epochs, eta, rng):
        """Per-sample updates over shuffled rows for ``epochs``; returns the error per epoch."""
        rng = np.random.default_rng(rng)
        errors = []
        for _ in range(epochs):
            for i in rng.permutation(len(x)):
                self.update(x[i], y[i], eta)
            errors.append(self.error(x, y))
        return errors
