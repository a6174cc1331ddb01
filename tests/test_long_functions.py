"""coursetools/long_functions.py: no function of nnlib longer than 50 lines, docstring excluded
(the developers' rule: a learner reads nnlib, one screen a function)."""
import textwrap

from coursetools import long_functions


def test_no_function_of_nnlib_is_longer_than_50_lines():
    offenders = long_functions.long_functions()
    assert not offenders, ("over 50 lines (docstring excluded), split them:\n"
                           + "\n".join(offenders))


def test_the_count_excludes_the_docstring_and_includes_methods_and_nested_functions(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(49))
    (tmp_path / "m.py").write_text(textwrap.dedent('''\
        def fits():
            """A docstring
            of three lines.
            """
        ''') + body + textwrap.dedent('''\

        class C:
            def method(self):
        ''') + textwrap.indent(body + "    y = 1\n", "    ") + textwrap.dedent('''\

        def outer():
            def inner():
        ''') + textwrap.indent(body + "    y = 1\n", "    "))
    # fits: lines 1-53, less its 3 docstring lines = 50 (allowed); method: lines 56-106 = 51;
    # outer: 108-159 = 52 (it holds inner); inner: 109-159 = 51.
    assert long_functions.long_functions(tmp_path) == [
        f"{tmp_path / 'm.py'}:{line} {name}: {n} lines"
        for line, name, n in [(56, "method", 51), (108, "outer", 52), (109, "inner", 51)]]


def test_the_command_names_each_offender_and_fails(tmp_path, capsys):
    (tmp_path / "m.py").write_text("def f():\n" + "    pass\n" * 60)
    assert long_functions.main([str(tmp_path)]) == 1
    assert capsys.readouterr().out == f"{tmp_path / 'm.py'}:1 f: 61 lines\n"
    assert long_functions.main([str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope'}: not a folder\n"
