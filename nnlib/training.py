"""Training by mini-batch stochastic gradient descent.

One epoch: shuffle the training columns with a seeded generator, cut them into
mini-batches, and for each batch let the optimiser take one step with the
gradients from :meth:`nnlib.network.Network.gradients` (the mean over the batch).
With the default optimiser, :class:`nnlib.optimizers.SGD`, that step is

    v ← μ v − η (∇C + λ W)        (momentum μ; μ = 0 is plain SGD)
    W ← W + v,  b ← b + v_b        (L2 weight decay λ acts on weights only)

Around the steps, :func:`sgd` checks its arguments, stops with
:class:`TrainingDiverged` when a parameter or the cost stops being finite, and
records (and optionally prints) every epoch's training cost and accuracy, measured
on the forward passes of the steps themselves (no second pass over the data), and
the validation accuracy after the epoch; with ``patience`` it stops early and
restores the best epoch's parameters.
"""
import math
import time

import numpy as np

from .checks import HYPERPARAMETERS, Interval
from .columns import one_hot
from .optimizers import SGD


PATIENCE = Interval("patience", 1, integer=True)


class TrainingDiverged(FloatingPointError):
    """Raised when the cost or a parameter becomes NaN or infinite during training.

    Introduced in chapter 6.
    """


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


def _training_data(net, x, y):
    """``(x, targets, labels)`` checked: same number of samples, at least one, all finite."""
    # Keep each sample (column) contiguous in memory, so that gathering a mini-batch's columns
    # reads 784 neighbouring numbers per sample instead of one number every m (no copy if the
    # columns already are contiguous, as to_columns returns them).
    x = np.asfortranarray(net.as_batch(x))
    if x.shape[1] == 0:
        raise ValueError(f"x has 0 samples (shape {x.shape}); training needs at least one column")
    if not np.isfinite(x).all():
        raise ValueError("the training inputs x contain NaN or infinite values")
    targets, labels = _targets_and_labels(net, y)
    if not np.isfinite(targets).all():
        raise ValueError("the training targets y contain NaN or infinite values")
    if targets.shape[1] != x.shape[1]:
        raise ValueError(f"x has {x.shape[1]} samples (columns) but y has {targets.shape[1]}")
    return x, targets, labels


def _check_validation(net, validation):
    """Refuse, before any training, validation data that :meth:`Network.evaluate` would refuse."""
    if validation is None:
        return
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        what = f"a {type(validation).__name__} of length {len(validation)}" \
            if isinstance(validation, (tuple, list)) else repr(validation)
        raise ValueError(f"validation must be a pair (x_validation, labels_validation), got {what}")
    x_val, labels = net.as_batch(validation[0]), np.asarray(validation[1]).ravel()
    if not np.isfinite(x_val).all():
        raise ValueError("the validation inputs contain NaN or infinite values")
    _targets_and_labels(net, labels)  # labels that are not classes of this network: ValueError
    if labels.shape[0] != x_val.shape[1]:
        raise ValueError(f"validation has {x_val.shape[1]} samples but {labels.shape[0]} labels")


def _default_optimizer(eta, momentum, l2, optimizer):
    """The optimiser to use: ``optimizer`` itself, or ``SGD(eta, momentum, l2)``."""
    if optimizer is None:
        if eta is None:
            raise ValueError("give the learning rate eta (or an optimizer)")
        return SGD(eta, momentum=momentum, l2=l2)
    if eta is not None or momentum or l2:
        raise ValueError("give either an optimizer or eta/momentum/l2, not both "
                         f"(got optimizer={optimizer!r} and eta={eta!r})")
    return optimizer


def _check_eta_fits(optimizer, dtype):
    """Refuse a learning rate that the parameters' float type rounds to nothing (1e-320 in float32
    is 0: training would silently change nothing)."""
    eta, tiny = getattr(optimizer, "eta", None), np.finfo(dtype).tiny
    if isinstance(eta, (int, float, np.floating)) and 0 < eta < tiny:
        raise ValueError(f"the learning rate eta={eta!r} is below the smallest normal {dtype.name} "
                         f"number ({tiny:.3g}): every step would round to nothing; use a larger eta")


def _divergence_advice(optimizer):
    """What to change when training diverged: η, or λ if λ ≥ 1 and η·λ ≥ 2.

    Weight decay alone multiplies W by (1 − ηλ) each step, which grows |W| once ηλ > 2;
    λ (a coefficient of the *mean* cost) is then to blame if it is large itself.
    """
    eta, l2 = getattr(optimizer, "eta", None), getattr(optimizer, "l2", 0.0)
    if eta is None:
        return f"try a smaller learning rate for {optimizer!r}"
    if l2 >= 1 and not eta * l2 < 2:
        return (f"the L2 coefficient l2={l2:g} is too large: with eta={eta:g}, η·λ = {eta * l2:g} "
                "is not below 2, so weight decay alone makes the weights grow; use a smaller l2")
    return f"learning rate eta={eta:g}; try a smaller learning rate"


def _first_non_finite(params):
    """The name of the first parameter holding a NaN or an inf, or None if all are finite.

    The cheap test is one sum per array: a NaN or inf anywhere makes the sum NaN or
    inf.  Only when a sum is not finite (which finite values that overflow the sum
    can also cause) is that array checked element by element.
    """
    for name, p in params:
        if not math.isfinite(p.sum()) and not np.isfinite(p).all():
            return name
    return None


def _train_epoch(net, optimizer, data, batch_size, rng, epoch, dropout, monitor_train):
    """One pass over the shuffled training columns, one optimiser step per mini-batch.

    With ``dropout`` > 0, each mini-batch gets fresh masks (:meth:`Network.dropout_masks`).
    Returns ``(cost, accuracy)`` measured on the mini-batches' own forward passes, each
    batch with the parameters it was trained from (``(None, None)`` unless
    ``monitor_train``): the sample-weighted mean of the batch costs (the L2 term
    included) and the fraction of samples classified correctly.  No second pass
    over the data.
    """
    x, targets, labels = data
    m = x.shape[1]
    order = rng.permutation(m)
    l2 = getattr(optimizer, "l2", 0.0)
    params = net.parameters()  # the arrays themselves: the optimiser updates them in place
    cost_sum, correct = 0.0, 0
    for batch, k in enumerate(range(0, m, batch_size), start=1):
        idx = order[k:k + batch_size]
        x_batch, y_batch = x[:, idx], targets[:, idx]
        masks = net.dropout_masks(len(idx), dropout, rng) if dropout else None
        zs, activations = net.forward(x_batch, masks)
        if monitor_train:
            cost_sum += net.output_cost(zs[-1], activations[-1], y_batch, l2) * len(idx)
            correct += int(np.count_nonzero(net.classify(activations[-1]) == labels[idx]))
        optimizer.step(params, net.gradients(x_batch, y_batch, masks, forward=(zs, activations)))
        name = _first_non_finite(params)
        if name is not None:
            raise TrainingDiverged(f"training diverged at epoch {epoch}, batch {batch}: {name} "
                                   f"became NaN or infinite ({_divergence_advice(optimizer)})")
    if not monitor_train:
        return None, None
    return cost_sum / m, correct / m


def _end_of_epoch(net, data, l2):
    """The training cost (L2 term included) and accuracy of the current weights: a second pass."""
    x, targets, labels = data
    zs, activations = net.forward(x)
    cost = net.output_cost(zs[-1], activations[-1], targets, l2)
    return cost, float(np.mean(net.classify(activations[-1]) == labels))


def _record(history, net, cost, accuracy, validation, optimizer):
    """Append the epoch's training cost and accuracy (if measured) and validation accuracy."""
    if cost is not None:
        if not np.isfinite(cost):
            raise TrainingDiverged(f"training diverged at epoch {history['epoch'][-1]}: the training "
                                   f"cost is {cost} ({_divergence_advice(optimizer)})")
        history["cost"].append(cost)
        history["train_accuracy"].append(accuracy)
    if validation is not None:
        history["validation_accuracy"].append(net.evaluate(*validation))


class _Best:
    """Early stopping's memory: the best validation accuracy so far, its epoch and parameters."""

    def __init__(self, net):
        self.params = net.parameters()  # the arrays themselves, restored in place
        self.accuracy, self.epoch, self.copies = -np.inf, 0, None

    def update(self, epoch, accuracy, patience):
        """Remember this epoch if it is the best so far; True once ``patience`` epochs brought nothing better."""
        if accuracy > self.accuracy:
            self.accuracy, self.epoch = accuracy, epoch
            self.copies = [p.copy() for _, p in self.params]
        return epoch - self.epoch >= patience

    def restore(self):
        """Put the best epoch's parameters back into the network; return that epoch (0: none ran)."""
        if self.copies is None:
            return 0
        for (_, p), best in zip(self.params, self.copies):
            p[...] = best
        return self.epoch


def progress_line(history, epochs=None):
    """``"Epoch  3, cost 0.2101, train 94.12%, validation 93.80%, 1.20 s"`` for the last epoch.

    With ``epochs`` the epoch reads ``"Epoch  3/10"``.  The one format of a progress line:
    ``sgd(verbose=True)`` and ``python -m nnlib train`` print it.  Introduced in chapter 6.
    """
    parts = [f"Epoch {history['epoch'][-1]:2d}" + (f"/{epochs}" if epochs is not None else "")]
    if history["cost"]:
        parts += [f"cost {history['cost'][-1]:.4f}", f"train {history['train_accuracy'][-1]:.2%}"]
    if history["validation_accuracy"]:
        parts.append(f"validation {history['validation_accuracy'][-1]:.2%}")
    parts.append(f"{history['seconds'][-1]:.2f} s")
    return ", ".join(parts)


def sgd(net, x, y, *, epochs, batch_size, eta=None, rng=None, momentum=0.0, l2=0.0,
        validation=None, callback=None, verbose=False, monitor_train=True, optimizer=None,
        dropout=0.0, patience=None):
    """Train ``net`` in place by mini-batch SGD; return the per-epoch history.

    Introduced in chapter 1 (a single neuron); mini-batches, η and momentum in
    chapter 6; L2, other optimisers, dropout and early stopping in chapter 7.

    Parameters
    ----------
    net : nnlib.network.Network
    x : array ``(n_0, m)``
        Training inputs, one sample per column.
    y : array ``(m,)`` of integer labels, or ``(n_L, m)`` of targets
    epochs, batch_size : int
    eta : float
        Learning rate η of the default optimiser, ``SGD(eta, momentum, l2)``.
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
        training stops after that epoch.
    verbose : bool
        Print one line per epoch.
    monitor_train : bool or "end"
        Also record the training cost and accuracy of each epoch.  True: they are
        measured on the forward passes the training steps make anyway, not by a
        second pass over the data: the mean over the epoch's mini-batches (weighted
        by their sizes), each batch measured with the parameters *before* its step,
        so while the weights change — not the cost of the final weights of the
        epoch.  ``"end"``: the cost and accuracy of the weights at the end of each
        epoch on the whole training set, at the price of that second pass (it shows
        what the weights are after the epoch, e.g. a cost that bounces from epoch to
        epoch when η is too large).  False: neither.
    optimizer : object with ``step(params, grads)`` and ``eta``, or None
        Takes each step instead of ``SGD(eta, momentum, l2)`` (see
        :mod:`nnlib.optimizers`); then leave ``eta``, ``momentum`` and ``l2`` out
        (give λ to the optimiser itself, e.g. ``Adam(1e-3, l2=1e-4)``).
    dropout : float
        The probability in [0, 1) of dropping each hidden unit while training
        (inverted dropout, :meth:`nnlib.network.Network.dropout_masks`, with fresh
        masks drawn from ``rng`` for every mini-batch); 0 turns it off.  The
        recorded training cost and accuracy are those of the thinned networks that
        were trained (the batches' own forward passes); validation and evaluation
        never drop units.
    patience : int or None
        Early stopping (needs ``validation``): stop once the validation accuracy
        has not risen above its best for ``patience`` epochs, and in any case,
        at the end, **restore the parameters of the best epoch** (the first one
        with the highest validation accuracy); ``history["best_epoch"]`` names it.
        None (the default) trains all ``epochs`` and keeps the last parameters.

    Returns
    -------
    history : dict of lists
        One entry per epoch: ``"epoch"``, ``"cost"`` (the training cost, including
        the L2 term (λ/2) Σ w² when λ > 0, ``l2`` or the optimiser's own; with
        ``monitor_train=True`` the mean over the epoch's mini-batches measured while
        the weights change, with ``"end"`` that of the weights at the end of the
        epoch; empty with False), ``"train_accuracy"`` (measured the same way),
        ``"validation_accuracy"`` (after the epoch; empty without ``validation``),
        ``"seconds"`` (time of the epoch's training steps, with
        ``monitor_train=True`` the per-batch cost included; not the second pass of
        ``"end"`` nor the validation); with ``patience``, also ``"best_epoch"``
        (an int).

    Raises
    ------
    TrainingDiverged
        If a weight, a bias or the cost becomes NaN or infinite, whichever layer
        it starts in; the message names the epoch, the batch, the parameter and
        the likely culprit (η, or an L2 λ so large that η·λ ≥ 2).
        The network keeps the parameters of the failing step.
    ValueError
        For a bad hyperparameter (a learning rate too small for the parameters'
        float type included), no samples, labels out of range, inputs, targets or
        validation inputs holding NaN/inf, or ``validation`` that is not a pair
        ``(x, labels)``.
    """
    HYPERPARAMETERS["epochs"].check(epochs)
    HYPERPARAMETERS["batch_size"].check(batch_size)
    optimizer = _default_optimizer(eta, momentum, l2, optimizer)
    _check_eta_fits(optimizer, net.dtype)
    HYPERPARAMETERS["dropout"].check(dropout)
    if isinstance(monitor_train, str) and monitor_train != "end":
        raise ValueError(f"monitor_train must be True, False or 'end', got {monitor_train!r}")
    per_batch = bool(monitor_train) and monitor_train != "end"
    if patience is not None:
        PATIENCE.check(patience)
        if validation is None:
            raise ValueError("early stopping (patience) needs validation data to watch")
    rng = np.random.default_rng(rng)
    data = _training_data(net, x, y)
    _check_validation(net, validation)
    best = _Best(net) if patience is not None else None
    history = {"epoch": [], "cost": [], "train_accuracy": [], "validation_accuracy": [], "seconds": []}
    for epoch in range(1, epochs + 1):
        # A NaN or inf anywhere (a layer's z, a gradient, an update that overflows) ends up in
        # the parameters, which are checked after every step, one sum per array, and in the
        # training cost, checked after every epoch (TrainingDiverged); numpy's own
        # overflow/invalid warnings would only repeat the news, so they are silenced here.
        with np.errstate(over="ignore", invalid="ignore"):
            start = time.perf_counter()
            cost, accuracy = _train_epoch(net, optimizer, data, batch_size, rng, epoch, dropout,
                                          per_batch)
            history["seconds"].append(time.perf_counter() - start)
            history["epoch"].append(epoch)
            if monitor_train == "end":
                cost, accuracy = _end_of_epoch(net, data, getattr(optimizer, "l2", 0.0))
            _record(history, net, cost, accuracy, validation, optimizer)
        if verbose:
            print(progress_line(history), flush=True)
        if callback is not None and callback(epoch, history):
            break  # the callback asked to stop early
        if best is not None and best.update(epoch, history["validation_accuracy"][-1], patience):
            break  # early stopping: no better validation accuracy for `patience` epochs
    if best is not None:
        history["best_epoch"] = best.restore()
    return history
