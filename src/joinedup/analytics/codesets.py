"""Named lists of clinical codes (SNOMED CT) that cohort definitions refer to by name.

Each list is packaged reference data (reference/data/condition_codesets.csv); a list can also be
made of other lists (``GROUPS``), so that "long-term conditions" is one name in a definition and
one place to change.
"""

from __future__ import annotations

from functools import cache

from joinedup.reference.files import read_reference_csv

CODESETS_FILE = "condition_codesets.csv"

# Lists made of other lists. Long-term conditions are the Quality and Outcomes Framework registers
# a GP would call ongoing but manageable; complex conditions are those that make care complex.
GROUPS: dict[str, tuple[str, ...]] = {
    "long_term_conditions": (
        "hypertension",
        "diabetes",
        "asthma",
        "copd",
        "chd",
        "ckd",
        "depression",
        "obesity",
    ),
    "complex_conditions": (
        "heart_failure",
        "dementia",
        "serious_mental_illness",
        "learning_disability",
        "frailty_recorded",
    ),
}


@cache
def _lists() -> dict[str, tuple[str, ...]]:
    lists: dict[str, list[str]] = {}
    for row in read_reference_csv(CODESETS_FILE):
        lists.setdefault(row["codeset"], []).append(row["code"])
    for group, members in GROUPS.items():
        lists[group] = [code for member in members for code in lists[member]]
    return {name: tuple(dict.fromkeys(codes)) for name, codes in lists.items()}


def names() -> list[str]:
    return sorted(_lists())


def codes(name: str) -> list[str]:
    """The codes of the list called ``name``; KeyError if there is none."""
    return list(_lists()[name])
