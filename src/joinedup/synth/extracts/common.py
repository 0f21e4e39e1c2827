"""Pieces every partner extract is made of: identities as the partner holds them, ids, codes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from joinedup.synth.borough import Borough
from joinedup.synth.dates import NO_DATE, render
from joinedup.synth.identity import identity_of_rows, partner_records
from joinedup.synth.rng import stream
from joinedup.synth.table import Table

Ints = npt.NDArray[np.int64]

# Date layouts partners use (strftime patterns).
UK_DATE, UK_DATETIME = "%d/%m/%Y", "%d/%m/%Y %H:%M"
ISO_DATE, ISO_DATETIME = "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class ExtractRows:
    """An extract's columns in order, and the true resident behind each row (for truth/)."""

    columns: dict[str, pa.Array]
    key_column: str
    person: Ints
    # Where the key column alone is not unique (practice-local patient ids), the unique key.
    unique_key: pa.Array | None = None

    @property
    def keys(self) -> pa.Array:
        return self.unique_key if self.unique_key is not None else self.columns[self.key_column]

    @property
    def rows(self) -> int:
        return len(self.person)


@dataclass(frozen=True)
class StreamedRows:
    """An extract too large to hold whole: its columns arrive in batches. It carries no identifiers,
    so it has no truth of its own (its rows point at another extract's records)."""

    batches: Iterator[dict[str, pa.Array]]
    key_column: str


def text(values: npt.NDArray[np.object_] | npt.NDArray[np.str_]) -> pa.Array:
    """Strings, with '' as null so it is written as an empty field."""
    array = pa.array(values.tolist() if values.dtype == object else values, type=pa.string())
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def upper(values: npt.NDArray[np.object_]) -> pa.Array:
    return pc.utf8_upper(text(values))


def numbered(prefix: str, numbers: Ints, width: int) -> pa.Array:
    """Identifiers like ``RXN0001234``."""
    digits = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def coded(flags: npt.NDArray[np.bool_], if_true: str, if_false: str) -> pa.Array:
    return pa.array(np.where(flags, if_true, if_false))


def local_numbers(rng: np.random.Generator, count: int, start: int) -> Ints:
    """Distinct, unordered local numbers, as a partner system allocates them."""
    return start + rng.permutation(count).astype(np.int64)


def identities(
    b: Borough, partner: str, person: Ints, day: npt.NDArray[np.int32], address: Ints
) -> tuple[Table, Ints, Table]:
    """For each row: the identifiers written on it, its partner record, and the records."""
    rng = stream(b.config.seed, f"identity:{partner}")
    records, record_of_row = partner_records(
        rng, b.params.noise(partner), b.people, b.nhs_number, person
    )
    rows = identity_of_rows(records, record_of_row, day, address, b.people, b.addresses)
    return rows, record_of_row, records


def dates(
    days: npt.NDArray[np.int32], fmt: str, seconds: npt.NDArray[np.int32] | None = None
) -> pa.Array:
    return render(days.astype(np.int32), fmt, seconds)


def date_values(days: npt.NDArray[np.int32]) -> pa.Array:
    """Real dates (for Excel cells), null where missing."""
    missing = days == NO_DATE
    return pa.array(np.where(missing, 0, days).astype(np.int32), type=pa.date32(), mask=missing)


def times_of_day(
    rng: np.random.Generator, count: int, opens: int = 0, closes: int = 24
) -> npt.NDArray[np.int32]:
    """Seconds past midnight, busiest mid-afternoon, whole minutes."""
    fraction = rng.beta(2.2, 1.8, count)
    seconds = (opens + fraction * (closes - opens)) * 3600
    return (seconds // 60 * 60).astype(np.int32)


def person_address_on(b: Borough, person: Ints, day: npt.NDArray[np.int32]) -> Ints:
    moved = (b.people["move_day"][person] != NO_DATE) & (day >= b.people["move_day"][person])
    return np.where(moved, b.people["address_after"][person], b.people["address_before"][person])
