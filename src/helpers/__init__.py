"""Shared logic of the Iran–Iraq trade collection.

Notebooks hold narrative, parameters and calls; everything they compute comes from
the modules of this package, each covered by unit tests in ``tests/``.
Importing the package is cheap: heavy libraries are imported by the modules that use them.
"""

__version__ = "0.1.0"
