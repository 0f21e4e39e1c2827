"""Named, independent random streams, so that the same seed gives the same borough byte for byte.

Each part of the generator draws from its own stream, derived from the seed and the part's
name, so adding draws to one part never shifts the numbers another part sees.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """A generator for the part of the model called ``name``.

    >>> stream(42, "population").integers(10) == stream(42, "population").integers(10)
    True
    """
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, key])))
