"""Write book/api.md, the API reference, from the nnlib package itself.

    python -m coursetools.make_api_page          # rewrite book/api.md
    python -m coursetools.make_api_page --check  # exit 1 if book/api.md is out of date

Every module of nnlib gets a section (its docstring's first line as the title, then
Sphinx's automodule of its members), and every name ``import nnlib`` provides gets an
entry in the list at the end, so that both ``nnlib.sgd`` and ``nnlib.training.sgd``
can be linked.  A module not named in READING_ORDER still gets its section, after the others.
"""
import argparse
import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

import nnlib

ROOT = Path(__file__).resolve().parent.parent

# The order a reader meets the modules in; where the book uses each (shown under its title).
READING_ORDER = {
    "network": "Chapter 3, *The forward pass*, and chapter 4, *Backpropagation* (the four equations).",
    "activations": "Chapter 1, *The neuron*; softmax in chapter 3, *The forward pass*.",
    "losses": "Chapter 3, *The forward pass*; the gradients in chapter 4, *Backpropagation*.",
    "gradcheck": "Chapter 4, *Backpropagation*, and chapter 5, *Gradient checking*.",
    "optimizers": "Chapter 6, *Training* (SGD with momentum); chapter 7, *Training better* (L2, Nesterov, Adam, the cosine schedule).",
    "training": "Chapter 6, *Training* (a single neuron already in chapter 1); dropout and early stopping in chapter 7.",
    "checks": "Chapter 6, *Training*: the ranges `sgd`, `SGD` and the command line accept.",
    "idx": "Chapter 2, *MNIST*.",
    "mnist": "Chapter 2, *MNIST*.",
    "columns": "Chapter 2, *MNIST*; mini-batches and the validation split in chapter 6, *Training*.",
    "augment": "Chapter 7, *Training better*: more training data by small rotations and shifts.",
    "download": "Not needed by the course: MNIST ships with nnlib.",
    "files": "Used by `nnlib.saving` and `nnlib.download`.",
    "metrics": "Chapter 6, *Training*; `mean_and_standard_error` from chapter 3 on.",
    "plotting": "Chapter 2, *MNIST* (digit grids) and chapter 6, *Training* (curves, weights).",
    "saving": "The end of chapter 6, *Training*.",
    "images": "The end of chapter 6, *Training*, to classify a digit drawn by hand.",
    "seed_systems": "Appendix A, *The seed networks revisited*: the systems the course grew out of, "
             "reproduced as written (mistakes included). Do not use them as models: the modules "
             "above are the corrected, tested versions of the same ideas.",
}

HEADER = """\
# API reference: `nnlib`

This page is generated from `nnlib` itself by `coursetools/make_api_page.py` (the docstrings, through
Sphinx autodoc), so it always describes the code the chapters run. Each module is one idea; each
function and class says where the book introduces it. The [notation page](notation.md) lists every
symbol with its shape and its name here. The docstrings are the code's own, so they are in English
in every edition of the book; the prose of this page is translated.

Everything below is also importable from the package itself: `nnlib.sgd` is
{py:func}`nnlib.training.sgd`, `nnlib.Network` is {py:class}`nnlib.network.Network`, and so on
(the list at the end of the page gives every such name, and either name can be linked).

Conventions used throughout: a batch of $m$ samples is a matrix with one sample per **column**
(`x` has shape `(n_0, m)`); $W^l$ is `weights[l-1]` with shape `(n_l, n_{l-1})`; every cost is
the *mean* over the batch, and every gradient is the gradient of that mean.
"""


# Old module names kept as aliases of renamed modules while the notebooks still use them.
OLD_NAMES = {"seeds"}  # nnlib.seed_systems


def modules():
    """The public modules of nnlib, in reading order, then any others alphabetically."""
    found = sorted(m.name for m in pkgutil.iter_modules(nnlib.__path__)
                   if not m.name.startswith("_") and m.name not in OLD_NAMES)
    return [m for m in READING_ORDER if m in found] + [m for m in found if m not in READING_ORDER]


def module_section(name):
    module = importlib.import_module(f"nnlib.{name}")
    title = (module.__doc__ or name).strip().splitlines()[0].rstrip(".").replace("``", "`")
    where = READING_ORDER.get(name)
    lines = [f"## `nnlib.{name}` — {title[0].lower() + title[1:]}", ""]
    if where:
        lines += [where, ""]
    lines += ["```{eval-rst}", f".. automodule:: nnlib.{name}", "   :members:",
              "   :member-order: bysource", "```", ""]
    return lines


def top_level_entries():
    """``.. py:function:: nnlib.sgd`` entries pointing to where each name is documented."""
    lines = ["## Names available as `nnlib.<name>`", "",
             "`import nnlib` gives these names directly; each is the same object as the one documented",
             "above, and a chapter may refer to it by either name.", "",
             "```{eval-rst}", ".. py:currentmodule:: None", ""]
    for name in sorted(n for n in dir(nnlib) if not n.startswith("_")):
        obj = getattr(nnlib, name)
        if inspect.ismodule(obj) or not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            directive, role = "exception", "exc"
        elif inspect.isclass(obj):
            directive, role = "class", "class"
        else:
            directive, role = "function", "func"
        lines += [f".. py:{directive}:: nnlib.{name}", "",
                  f"   The same as :py:{role}:`{obj.__module__}.{obj.__qualname__}`.", ""]
    return lines + ["```", ""]


def api_page():
    lines = [HEADER]
    for name in modules():
        lines += module_section(name)
    lines += top_level_entries()
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that book/api.md is up to date")
    args = parser.parse_args(argv)
    path = ROOT / "book" / "api.md"
    text = api_page()
    if args.check:
        if path.read_text(encoding="utf-8") != text:
            print(f"{path} is out of date: run python -m coursetools.make_api_page", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
