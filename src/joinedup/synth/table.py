"""A table as aligned numpy columns: the generator's working form, vectorised end to end."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

Column = npt.NDArray[Any]


class Table(Mapping[str, Column]):
    """Named columns of equal length. Rows are never touched one at a time."""

    def __init__(self, columns: Mapping[str, Column]) -> None:
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of unequal length: {sorted(lengths)}")
        self._columns = dict(columns)

    def __getitem__(self, name: str) -> Column:
        return self._columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    @property
    def rows(self) -> int:
        return len(next(iter(self._columns.values()))) if self._columns else 0

    def take(self, index: npt.NDArray[np.integer[Any]] | npt.NDArray[np.bool_]) -> Table:
        return Table({name: values[index] for name, values in self._columns.items()})

    def with_columns(self, **columns: Column) -> Table:
        return Table({**self._columns, **columns})

    @staticmethod
    def concat(tables: list[Table]) -> Table:
        names = list(tables[0])
        return Table({n: np.concatenate([t[n] for t in tables]) for n in names})


def rank_within_groups(groups: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Position of each row within its run of equal, already sorted group values."""
    starts = np.searchsorted(groups, groups, side="left")
    return np.arange(len(groups), dtype=np.int64) - starts


def weighted_choice(
    rng: np.random.Generator, probabilities: npt.NDArray[np.float64], size: int
) -> npt.NDArray[np.int64]:
    """Indices drawn with the given probabilities (inverse CDF, stable across numpy versions)."""
    cumulative = np.cumsum(probabilities)
    cumulative /= cumulative[-1]
    drawn = np.searchsorted(cumulative, rng.random(size), side="right")
    return np.minimum(drawn, len(probabilities) - 1).astype(np.int64)
