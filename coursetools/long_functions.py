"""List every function longer than 50 lines, docstring excluded (the developers' rule for nnlib).

    python -m coursetools.long_functions              # nnlib/: prints offenders; exit status 1 if any
    python -m coursetools.long_functions coursetools  # another folder of the repository

tests/test_long_functions.py runs it on nnlib/ with the unit tests.
"""
import argparse
import ast
import sys
from pathlib import Path

LIMIT = 50
ROOT = Path(__file__).resolve().parent.parent


def length(node):
    """Lines of a function from its ``def`` to its end, less the docstring's lines."""
    total = node.end_lineno - node.lineno + 1
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        total -= first.end_lineno - first.lineno + 1
    return total


def _shown(path):
    """``path`` relative to the repository when it lies inside it."""
    path = Path(path).resolve()
    return path.relative_to(ROOT) if ROOT in path.parents else path


def long_functions(folder=ROOT / "nnlib", limit=LIMIT):
    """Every function (methods and nested functions included) of the ``.py`` files under
    ``folder`` longer than ``limit`` lines: a list of ``"path:line name: N lines"``, the path
    relative to the repository, in the order of the files and lines."""
    offenders = []
    for path in sorted(Path(folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        functions = [node for node in ast.walk(tree)
                     if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in sorted(functions, key=lambda node: node.lineno):
            if length(node) > limit:
                offenders.append(f"{_shown(path)}:{node.lineno} {node.name}: {length(node)} lines")
    return offenders


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "nnlib",
                        help="the folder to read (default: nnlib/)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"error: {args.folder}: not a folder", file=sys.stderr)
        return 1
    offenders = long_functions(args.folder)
    print("\n".join(offenders) or f"no function in {_shown(args.folder)}/ is longer than {LIMIT} lines "
                                   "(docstrings excluded)")
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
