"""List every function in nnlib longer than 50 lines, docstring excluded (the developers' rule).

    python scripts/long_functions.py        # prints offenders; exit status 1 if there are any
"""
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


def main():
    offenders = []
    for path in sorted((ROOT / "nnlib").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and length(node) > LIMIT:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length(node)} lines")
    print("\n".join(offenders) or f"no function in nnlib is longer than {LIMIT} lines (docstrings excluded)")
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
