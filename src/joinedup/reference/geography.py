"""The borough's neighbourhoods (2021 LSOAs) with their population, households and deprivation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from joinedup.reference.files import read_reference_csv

AGE6_COLUMNS = ("age_0_15", "age_16_24", "age_25_34", "age_35_49", "age_50_64", "age_65_plus")
AGE6_LOWER_BOUNDS = (0, 16, 25, 35, 50, 65)


@dataclass(frozen=True)
class Lsoas:
    """One entry per 2021 LSOA of the borough, in code order; arrays are aligned."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    msoa_codes: tuple[str, ...]
    localities: tuple[str, ...]
    ward_codes: tuple[str, ...]
    ward_names: tuple[str, ...]
    residents: npt.NDArray[np.int64]
    residents_by_age6: npt.NDArray[np.int64]
    households: npt.NDArray[np.int64]
    imd2019_decile: npt.NDArray[np.int64]
    imd2025_decile: npt.NDArray[np.int64]
    latitude: npt.NDArray[np.float64]
    longitude: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.codes)

    def index_of(self, code: str) -> int:
        return self.codes.index(code)


def _by_code(name: str, key: str) -> dict[str, dict[str, str]]:
    return {row[key]: row for row in read_reference_csv(name)}


@cache
def lsoas() -> Lsoas:
    """The borough's 2021 LSOAs.

    Deprivation for 2015-2019 is the IMD 2019 decile of the best-fitting 2011 LSOA (the index
    in force over the period); the IMD 2025 decile is kept beside it.
    """
    lookup = _by_code("chorley_lsoa21_lookup.csv", "lsoa21_code")
    ages = _by_code("chorley_lsoa21_census2021_age6.csv", "lsoa21_code")
    households = _by_code("chorley_lsoa21_census2021_household_deprivation.csv", "lsoa21_code")
    imd2019 = _by_code("chorley_lsoa11_imd2019.csv", "lsoa11_code")
    imd2025 = _by_code("chorley_lsoa21_imd2025.csv", "lsoa21_code")
    codes = tuple(sorted(lookup))
    rows = [lookup[code] for code in codes]
    by_age = np.array([[int(ages[c][col]) for col in AGE6_COLUMNS] for c in codes], dtype=np.int64)
    return Lsoas(
        codes=codes,
        names=tuple(r["lsoa21_name"] for r in rows),
        msoa_codes=tuple(r["msoa21_code"] for r in rows),
        localities=tuple(r["msoa_hcl_name"] for r in rows),
        ward_codes=tuple(r["ward2025_code"] for r in rows),
        ward_names=tuple(r["ward2025_name"] for r in rows),
        residents=np.array([int(ages[c]["usual_residents_total"]) for c in codes]),
        residents_by_age6=by_age,
        households=np.array([int(households[c]["households_total"]) for c in codes]),
        imd2019_decile=np.array(
            [int(imd2019[r["lsoa11_code_bestfit"]]["imd_decile"]) for r in rows], dtype=np.int64
        ),
        imd2025_decile=np.array([int(imd2025[c]["imd_decile"]) for c in codes], dtype=np.int64),
        latitude=np.array([float(r["pwc_lat"]) for r in rows]),
        longitude=np.array([float(r["pwc_lon"]) for r in rows]),
    )
