"""The old name of :mod:`nnlib.seed_systems` (the four seed *systems*), kept only because the
notebooks still import ``nnlib.seeds``; it is the same module object.  To be removed."""
import sys

from . import seed_systems

sys.modules[__name__] = seed_systems
