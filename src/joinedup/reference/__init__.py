"""Real public reference data for Chorley, packaged with its sources (see data/SOURCES.md)."""

from joinedup.reference.files import read_reference_csv, reference_path
from joinedup.reference.geography import Lsoas, lsoas

__all__ = ["Lsoas", "lsoas", "read_reference_csv", "reference_path"]
