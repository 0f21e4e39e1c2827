"""Each partner's own record of a resident: a local id and identifiers as that partner keyed them.

A partner keeps one record per resident (occasionally two: a duplicate registration), with its
own errors, and does not always learn of a new surname or a new address.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from joinedup.synth import noise
from joinedup.synth.dates import NO_DATE, month_and_day, years_of
from joinedup.synth.params import Noise
from joinedup.synth.table import Table

Ints = npt.NDArray[np.int64]


def days_from_ymd(year: Ints, month: Ints, day: Ints) -> npt.NDArray[np.int32]:
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    return np.asarray(days.astype(np.int64), dtype=np.int32)


def noisy_birth_days(
    rng: np.random.Generator, born: npt.NDArray[np.int32], rates: Noise
) -> npt.NDArray[np.int32]:
    """Dates of birth with day and month swapped, mistyped, or missing, at the partner's rates."""
    year = years_of(born).astype(np.int64)
    month, day = (x.astype(np.int64) for x in month_and_day(born))
    swap = (rng.random(len(born)) < rates.dob_swap_day_month) & (day <= 12) & (day != month)
    result = np.where(swap, days_from_ymd(year, day, month), born)
    mistyped = rng.random(len(born)) < rates.dob_typo
    shift = np.array([-365, -1, 1, 365, 31, -31])[rng.integers(0, 6, len(born))]
    result = np.where(mistyped, result + shift, result)
    missing = rng.random(len(born)) < rates.dob_missing
    return np.where(missing, NO_DATE, result).astype(np.int32)


def nhs_as_recorded(
    rng: np.random.Generator, nhs: npt.NDArray[np.int64], rates: Noise
) -> npt.NDArray[np.object_]:
    """NHS numbers as text: missing ('') or mistyped at the partner's rates."""
    text = nhs.astype(str).astype(object)
    text = noise.apply(
        text, rng.random(len(text)) < rates.nhs_typo, rng, lambda v, d, w: noise.nhs_typo(v, d)
    )
    return np.where(rng.random(len(text)) < rates.nhs_missing, "", text)


def partner_records(
    rng: np.random.Generator, rates: Noise, people: Table, nhs: Ints, person_of_row: Ints
) -> tuple[Table, Ints]:
    """The partner's person records for the residents in its rows, and the record of each row."""
    person = np.unique(person_of_row)
    duplicated = rng.random(len(person)) < rates.duplicate_record
    record_person = np.concatenate([person, person[duplicated]])
    count = len(record_person)
    forename = people["forename"][record_person]
    forename = noise.apply(
        forename, rng.random(count) < rates.nickname, rng, lambda v, d, w: noise.nickname(v, d)
    )
    forename = noise.apply(forename, rng.random(count) < rates.forename_typo, rng, noise.typo)
    surname_typo = rng.random(count) < rates.surname_typo
    before = noise.apply(people["surname"][record_person], surname_typo, rng, noise.typo)
    after = noise.apply(people["surname_after"][record_person], surname_typo, rng, noise.typo)
    hyphenated = rng.random(count) < rates.hyphenated_surname
    partner = people["partner"][record_person]
    partner_surname = people["surname"][np.maximum(partner, 0)]
    double = np.where(partner >= 0, partner_surname, people["surname"][np.roll(record_person, 1)])
    before = np.where(hyphenated, before + "-" + double, before)
    after = np.where(hyphenated, after + "-" + double, after)
    records = Table(
        {
            "person": record_person,
            "forename": forename,
            "surname_before": before,
            "surname_after": after,
            "keeps_old_surname": rng.random(count) < rates.surname_stale,
            "birth_day": noisy_birth_days(rng, people["birth_day"][record_person], rates),
            "nhs_number": nhs_as_recorded(rng, nhs[record_person], rates),
            "female": people["female"][record_person],
            "keeps_old_address": rng.random(count) < rates.address_stale,
            "postcode_typo": rng.random(count) < rates.postcode_typo,
            "typo_draw": rng.random(count),
        }
    )
    first_record = np.searchsorted(person, person_of_row)
    duplicate_of = np.full(len(person), -1, dtype=np.int64)
    duplicate_of[np.flatnonzero(duplicated)] = len(person) + np.arange(int(duplicated.sum()))
    use_duplicate = (duplicate_of[first_record] >= 0) & (rng.random(len(person_of_row)) < 0.5)
    record_of_row = np.where(use_duplicate, duplicate_of[first_record], first_record)
    return records, record_of_row


def identity_of_rows(
    records: Table,
    record_of_row: Ints,
    day: npt.NDArray[np.int32],
    address: Ints,
    people: Table,
    register: Table,
) -> Table:
    """Identifiers as written on each row: the surname and address the record held on that day."""
    record = records.take(record_of_row)
    person = record["person"]
    change = people["name_change_day"][person]
    renamed = (change != NO_DATE) & (day >= change) & ~record["keeps_old_surname"]
    old_address = people["address_before"][person]
    stale = record["keeps_old_address"] & (address != old_address)
    where = np.where(stale, old_address, address)
    postcode = register["postcode"][where].astype(object)
    typo = record["postcode_typo"]
    postcode[typo] = [
        noise.postcode_typo(p, d)
        for p, d in zip(postcode[typo], record["typo_draw"][typo], strict=True)
    ]
    # Partner systems refuse a birth date after the event being recorded; keep the true one then.
    birth_day = np.where(
        record["birth_day"] > day, people["birth_day"][person], record["birth_day"]
    )
    return Table(
        {
            "forename": record["forename"],
            "surname": np.where(renamed, record["surname_after"], record["surname_before"]),
            "birth_day": birth_day.astype(np.int32),
            "nhs_number": record["nhs_number"],
            "female": record["female"],
            "line1": register["line1"][where],
            "town": register["town"][where],
            "postcode": postcode,
        }
    )
