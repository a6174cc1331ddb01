"""Training by mini-batch stochastic gradient descent.

One epoch: shuffle the training columns with a seeded generator, cut them into
mini-batches, and for each batch take one step

    v ← μ v − η (∇C + λ W)        (momentum μ; μ = 0 is plain SGD)
    W ← W + v,  b ← b + v_b        (L2 weight decay λ acts on weights only)

where ∇C comes from :meth:`nnlib.network.Network.backprop` (the mean over the batch).
"""
import numbers
import time

import numpy as np

from .data import one_hot


class TrainingDiverged(FloatingPointError):
    """Raised when the cost or a gradient becomes NaN or infinite during training."""


def _targets_and_labels(net, y):
    """Accept integer labels ``(m,)`` or target columns ``(n_L, m)``; return both.

    For a network with one output neuron, labels are 0 or 1 and the target is the
    label itself, shape ``(1, m)``.
    """
    y = np.asarray(y)
    if y.ndim == 1:
        if net.sizes[-1] == 1:
            return one_hot(y, 2, dtype=net.dtype)[1:], y  # row 1 of the one-hot: the label as 0/1
        return one_hot(y, net.sizes[-1], dtype=net.dtype), y
    if y.ndim == 2 and y.shape[0] == net.sizes[-1]:
        targets = y.astype(net.dtype, copy=False)
        return targets, net.classify(targets)
    raise ValueError(f"y must be labels of shape (m,) or targets of shape ({net.sizes[-1]}, m); got {y.shape}")


def _check_hyperparameters(epochs, batch_size, eta, momentum, l2):
    def is_int(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)
    for name, value in (("the learning rate eta", eta), ("momentum", momentum), ("the L2 coefficient", l2)):
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise ValueError(f"{name} must be a number, got {value!r}")
    if not is_int(epochs) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    if not is_int(batch_size) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not np.isfinite(eta) or eta <= 0:
        raise ValueError(f"the learning rate eta must be a positive number, got {eta!r}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must lie in [0, 1), got {momentum!r}")
    if not np.isfinite(l2) or l2 < 0:
        raise ValueError(f"the L2 coefficient must be >= 0, got {l2!r}")


def _first_nonfinite_parameter(net):
    """The name (``"W2"``, ...) of the first parameter holding a NaN or inf, or None."""
    if all(np.isfinite(w).all() and np.isfinite(b).all() for w, b in zip(net.weights, net.biases)):
        return None  # the fast path, taken after every batch
    return next(name for name, p in net.parameters() if not np.isfinite(p).all())


def sgd(net, x, y, epochs, batch_size, eta, rng, momentum=0.0, l2=0.0,
        validation=None, callback=None, verbose=False, monitor_train=True):
    """Train ``net`` in place by mini-batch SGD; return the per-epoch history.

    Parameters
    ----------
    net : nnlib.network.Network
    x : array ``(n_0, m)``
        Training inputs, one sample per column.
    y : array ``(m,)`` of integer labels, or ``(n_L, m)`` of targets
    epochs, batch_size : int
    eta : float
        Learning rate η.
    rng : numpy.random.Generator or int
        Shuffles the samples each epoch (an int is used as a seed).  No global
        random state is touched, so the same seed gives the same run.
    momentum : float
        μ in [0, 1); 0 gives plain SGD.
    l2 : float
        λ: adds (λ/2) Σ w² to the cost, i.e. λ W to each weight gradient.
    validation : tuple ``(x_validation, labels_validation)`` or None
        Held-out data evaluated after every epoch, on which settings are compared
        (see :func:`nnlib.split_validation`); keep the test set for the final number.
    callback : callable(epoch, history) or None
        Called after every epoch (epochs count from 1).  If it returns True,
        training stops after that epoch (early stopping).
    verbose : bool
        Print one line per epoch.
    monitor_train : bool
        Also compute the cost and accuracy on the whole training set after each epoch.

    Returns
    -------
    dict of lists, one entry per epoch: ``"epoch"``, ``"cost"`` (the training cost,
    including the L2 term (λ/2) Σ w² when ``l2`` > 0), ``"train_accuracy"``,
    ``"validation_accuracy"``, ``"seconds"`` (time of the epoch's updates).

    Raises
    ------
    TrainingDiverged
        If a weight, a bias or the cost becomes NaN or infinite, whichever layer
        it starts in; the message names the epoch, the batch and the parameter.
        The network keeps the parameters of the failing step.
    ValueError
        For a bad hyperparameter, labels out of range, or inputs holding NaN/inf.
    """
    _check_hyperparameters(epochs, batch_size, eta, momentum, l2)
    rng = np.random.default_rng(rng)
    # Keep each sample (column) contiguous in memory, so that gathering a mini-batch's columns
    # reads 784 neighbouring numbers per sample instead of one number every m (no copy if the
    # columns already are contiguous, as to_columns returns them).
    x = np.asfortranarray(net.as_batch(x))
    if not np.isfinite(x).all():
        raise ValueError("the training inputs x contain NaN or infinite values")
    targets, labels = _targets_and_labels(net, y)
    m = x.shape[1]
    if targets.shape[1] != m:
        raise ValueError(f"x has {m} samples (columns) but y has {targets.shape[1]}")
    if validation is not None:
        _targets_and_labels(net, np.asarray(validation[1]).ravel())  # labels out of range: ValueError
    velocity_w = [np.zeros_like(w) for w in net.weights]
    velocity_b = [np.zeros_like(b) for b in net.biases]
    history = {"epoch": [], "cost": [], "train_accuracy": [], "validation_accuracy": [], "seconds": []}

    for epoch in range(1, epochs + 1):
        # A NaN or inf anywhere (a layer's z, a gradient, an update that overflows) ends up in
        # the parameters; we check them after every step and raise TrainingDiverged, so numpy's
        # own overflow/invalid warnings would only repeat the news: they are silenced here.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            start = time.perf_counter()
            order = rng.permutation(m)
            for batch, k in enumerate(range(0, m, batch_size), start=1):
                idx = order[k:k + batch_size]
                nabla_b, nabla_w = net.backprop(x[:, idx], targets[:, idx])
                for w, b, vw, vb, nw, nb in zip(net.weights, net.biases, velocity_w, velocity_b,
                                                nabla_w, nabla_b):
                    if l2:
                        nw = nw + l2 * w
                    vw *= momentum
                    vw -= eta * nw
                    vb *= momentum
                    vb -= eta * nb
                    w += vw
                    b += vb
                bad = _first_nonfinite_parameter(net)
                if bad is not None:
                    raise TrainingDiverged(
                        f"training diverged at epoch {epoch}, batch {batch}: {bad} became NaN or "
                        f"infinite (learning rate eta={eta:g}); try a smaller learning rate")
            seconds = time.perf_counter() - start

            history["epoch"].append(epoch)
            history["seconds"].append(seconds)
            if monitor_train:
                zs, activations = net.forward(x)
                a = activations[-1]
                cost = net.output_cost(zs[-1], a, targets, l2)
                if not np.isfinite(cost):
                    raise TrainingDiverged(f"training diverged at epoch {epoch}: the training cost is "
                                           f"{cost} (learning rate eta={eta:g}); try a smaller learning rate")
                history["cost"].append(cost)
                history["train_accuracy"].append(float(np.mean(net.classify(a) == labels)))
            if validation is not None:
                history["validation_accuracy"].append(net.evaluate(*validation))
        if verbose:
            parts = [f"Epoch {epoch:2d}"]
            if monitor_train:
                parts += [f"cost {history['cost'][-1]:.4f}", f"train {history['train_accuracy'][-1]:.2%}"]
            if validation is not None:
                parts.append(f"validation {history['validation_accuracy'][-1]:.2%}")
            parts.append(f"{seconds:.2f} s")
            print(", ".join(parts), flush=True)
        if callback is not None and callback(epoch, history):
            break  # the callback asked to stop early
    return history
