"""Identifier errors as real partner records contain them: typos, nicknames, swapped day and
month, mistyped NHS numbers and postcodes. Each function changes one value, reproducibly."""

from __future__ import annotations

import numpy as np

from joinedup.synth import names

# Neighbouring keys on a UK keyboard, for substitution typos.
KEYBOARD = {
    "a": "qsz",
    "b": "vgn",
    "c": "xdv",
    "d": "sfe",
    "e": "wrd",
    "f": "dgr",
    "g": "fht",
    "h": "gjy",
    "i": "uok",
    "j": "hku",
    "k": "jli",
    "l": "kop",
    "m": "nk",
    "n": "bmj",
    "o": "ipl",
    "p": "ol",
    "q": "wa",
    "r": "etf",
    "s": "adw",
    "t": "ryg",
    "u": "yij",
    "v": "cbf",
    "w": "qes",
    "x": "zcs",
    "y": "tuh",
    "z": "xa",
}
POSTCODE_CONFUSIONS = {
    "0": "O",
    "O": "0",
    "1": "I",
    "I": "1",
    "5": "S",
    "S": "5",
    "8": "B",
    "B": "8",
}


def typo(value: str, draw: float, where: float) -> str:
    """One keying error: a neighbouring key, a dropped letter, a doubled letter or a transposition."""
    if len(value) < 3:
        return value
    position = 1 + int(where * (len(value) - 2))
    kind = int(draw * 4)
    before, letter, after = value[:position], value[position], value[position + 1 :]
    if kind == 0 and letter.lower() in KEYBOARD:
        options = KEYBOARD[letter.lower()]
        replacement = options[int(where * 997) % len(options)]
        return before + (replacement.upper() if letter.isupper() else replacement) + after
    if kind == 1:
        return before + after
    if kind == 2:
        return before + letter + letter + after
    if after:
        return before + after[0] + letter + after[1:]
    return before + letter + letter


def nickname(value: str, draw: float) -> str:
    """An informal form of a forename (William to Bill), where one is known."""
    forms = names.nicknames().get(value)
    return forms[int(draw * len(forms))] if forms else value


def swapped_day_month(year: int, month: int, day: int) -> tuple[int, int, int]:
    """Day and month exchanged, as when a US-style date is keyed as UK-style; unchanged if invalid."""
    return (year, day, month) if day <= 12 and day != month else (year, month, day)


def nhs_typo(number: str, draw: float) -> str:
    """Two neighbouring digits transposed or one digit mistyped."""
    position = int(draw * 8) + 1
    digits = list(number)
    if int(draw * 1000) % 2:
        digits[position], digits[position + 1] = digits[position + 1], digits[position]
    else:
        digits[position] = str((int(digits[position]) + 1 + int(draw * 97) % 8) % 10)
    return "".join(digits)


def postcode_typo(postcode: str, draw: float) -> str:
    """A postcode keyed wrongly: letter/digit confusion, space dropped, or last letters swapped."""
    kind = int(draw * 3)
    if kind == 0:
        for index, character in enumerate(postcode):
            if character in POSTCODE_CONFUSIONS and index > 0:
                return postcode[:index] + POSTCODE_CONFUSIONS[character] + postcode[index + 1 :]
    if kind == 1:
        return postcode.replace(" ", "")
    return postcode[:-2] + postcode[-1] + postcode[-2]


def apply(
    values: np.ndarray, chosen: np.ndarray, rng: np.random.Generator, change: object
) -> np.ndarray:
    """``values`` with ``change(value, draw, where)`` applied to the rows where ``chosen`` is set.

    Only the chosen few rows are touched in Python; the rest stay as they are.
    """
    result = values.copy()
    rows = np.flatnonzero(chosen)
    draws, wheres = rng.random(len(rows)), rng.random(len(rows))
    assert callable(change)
    result[rows] = [change(values[r], d, w) for r, d, w in zip(rows, draws, wheres, strict=True)]
    return result
