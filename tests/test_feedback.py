"""nnlib.feedback.check: one line per property, never an exception."""
from nnlib.feedback import check


def test_pass_prints_tick_and_returns_true(capsys):
    assert check("two is even", lambda: 2 % 2 == 0) is None
    assert capsys.readouterr().out == "✓ two is even\n"


def test_false_prints_cross(capsys):
    assert check("three is even", lambda: 3 % 2 == 0) is None
    assert capsys.readouterr().out == "✗ three is even\n"


def test_undefined_name_means_not_answered(capsys):
    assert check("f(1) == 2", lambda: my_undefined_function(1) == 2) is None  # noqa: F821
    out = capsys.readouterr().out
    assert out == "… not answered yet: define my_undefined_function above (f(1) == 2)\n"


def test_exception_is_reported_on_one_line(capsys):
    def broken():
        raise ValueError("shapes (3, 2) and (3, 2) not aligned\nsecond line")
    assert check("shapes agree", broken) is None
    assert capsys.readouterr().out == (
        "✗ shapes agree: ValueError: shapes (3, 2) and (3, 2) not aligned\n")


def test_exception_without_message(capsys):
    def broken():
        raise ZeroDivisionError
    assert check("divides", broken) is None
    assert capsys.readouterr().out == "✗ divides: ZeroDivisionError\n"
