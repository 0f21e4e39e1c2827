"""NHS numbers: the modulus 11 check, and unique synthetic numbers that no patient holds.

Synthetic numbers come from the 999 test range first (about 909,000 valid numbers), then from
990-998: 9-prefixed numbers are not issued to patients in England, Wales or the Isle of Man.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)
TEST_RANGE_STEMS = 1_000_000


def check_digits(stems: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Modulus 11 check digit of each nine-digit stem; 10 means the stem cannot be used."""
    digits = (stems[:, None] // 10 ** np.arange(8, -1, -1, dtype=np.int64)) % 10
    remainder = (digits * WEIGHTS).sum(axis=1) % 11
    return np.where(remainder == 0, 0, 11 - remainder)


def is_valid(number: str) -> bool:
    """True when ``number`` (digits only, or with spaces) passes the modulus 11 check.

    >>> is_valid("999 000 0018"), is_valid("9990000019")
    (True, False)
    """
    digits = number.replace(" ", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = int(check_digits(np.array([int(digits[:9])], dtype=np.int64))[0])
    return check != 10 and check == int(digits[9])


def synthetic(count: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """``count`` distinct valid ten-digit numbers, in random order."""
    space = TEST_RANGE_STEMS if count < 0.85 * TEST_RANGE_STEMS else 10 * TEST_RANGE_STEMS
    base = 999_000_000 if space == TEST_RANGE_STEMS else 990_000_000
    # One in eleven stems has no valid check digit: draw enough to cover them.
    wanted = min(space, int(count * 1.15) + 1_000)
    stems = base + rng.permutation(space)[:wanted].astype(np.int64)
    checks = check_digits(stems)
    usable = checks != 10
    numbers = (stems[usable] * 10 + checks[usable])[:count]
    if len(numbers) < count:
        raise ValueError(f"cannot make {count} distinct synthetic NHS numbers")
    return np.asarray(numbers, dtype=np.int64)
