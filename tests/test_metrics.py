"""nnlib.metrics: accuracy, the confusion matrix, the mean and its standard error."""
import numpy as np
import pytest

from nnlib import accuracy, confusion_matrix, mean_and_standard_error


def test_confusion_matrix_and_accuracy():
    labels = np.array([0, 1, 2, 2, 1])
    predicted = np.array([0, 2, 2, 2, 1])
    c = confusion_matrix(labels, predicted, num_classes=3)
    np.testing.assert_array_equal(c, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])
    assert accuracy(labels, predicted) == 0.8 == np.trace(c) / c.sum()
    with pytest.raises(ValueError, match="shape"):
        confusion_matrix(labels, predicted[:4])


def test_mean_and_standard_error_uses_the_sample_standard_deviation():
    # [1, 2, 3, 4]: mean 2.5, s = sqrt(5/3) (ddof=1; ddof=0 would give 0.559), s / 2
    mean, se = mean_and_standard_error([1, 2, 3, 4])
    assert mean == 2.5
    assert se == pytest.approx(0.6454972, abs=1e-7)
    assert type(mean) is float and type(se) is float
    # three seeds' accuracies, as the chapters pass them (a float32 array too)
    mean, se = mean_and_standard_error(np.array([0.91, 0.93, 0.95], dtype=np.float32))
    assert mean == pytest.approx(0.93, abs=1e-7)
    assert se == pytest.approx(0.02 / np.sqrt(3), abs=1e-7)
    assert mean_and_standard_error([0.5, 0.5]) == (0.5, 0.0)
    # bench/better.py's cases, from when it had its own standard_error
    assert mean_and_standard_error([1.0, 2.0, 3.0])[1] == pytest.approx(1 / np.sqrt(3))
    assert mean_and_standard_error([0.98, 0.98, 0.98]) == (0.98, 0.0)


@pytest.mark.parametrize("values, message", [
    ([0.9], "at least 2 values, got 1"),
    ([], "at least 2 values, got 0"),
    ([0.9, float("nan"), 0.8], "finite"),
    ([0.9, float("inf")], "finite"),
    ([[0.9, 0.8], [0.7, 0.6]], r"shape \(n,\).*\(2, 2\)"),
])
def test_mean_and_standard_error_refuses_what_has_no_standard_error(values, message):
    with pytest.raises(ValueError, match=message) as error:
        mean_and_standard_error(values)
    assert "\n" not in str(error.value)


def test_accuracy_names_both_shapes_when_they_differ():
    with pytest.raises(ValueError, match=r"labels have shape \(3,\) but predicted \(2,\)"):
        accuracy(np.array([1, 2, 3]), np.array([1, 2]))


def test_the_confusion_matrix_is_ten_by_ten_integer_counts_by_default():
    c = confusion_matrix(np.array([0, 9, 9]), np.array([0, 9, 4]))
    assert c.shape == (10, 10) and c.dtype == np.int64
    assert c[9, 4] == 1 and c.sum() == 3


def test_float32_results_are_averaged_in_float64():
    """A float32 mean would differ in the last digits: the values are widened first."""
    x32 = np.array([0.9812, 0.9797, 0.9830, 0.9805, 0.9821], dtype=np.float32)
    x64 = x32.astype(np.float64)
    mean, se = mean_and_standard_error(x32)
    assert mean == float(x64.mean())
    assert se == float(x64.std(ddof=1) / np.sqrt(5))
