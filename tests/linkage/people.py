"""Small hand-made lists whose right answer is known, for link-files."""

from __future__ import annotations

import csv
from pathlib import Path

# given, surname, date of birth (ISO), sex, postcode, address
PEOPLE = [
    ("William", "Hartley", "1961-04-12", "M", "PR7 1AA", "12 Church Street"),
    ("Margaret", "Dobson", "1948-11-03", "F", "PR6 0HT", "4 Mill Lane"),
    ("Aisha", "Khan", "1990-02-27", "F", "PR7 2QQ", "Flat 3, 9 Park Road"),
    ("Thomas", "Baxter", "2004-08-19", "M", "PR7 3EN", "29 Alder Lane"),
    ("Jennifer", "Rigby", "1975-06-30", "F", "PR6 7HJ", "7 Carr Croft"),
    ("Robert", "Ashworth", "1939-01-15", "M", "PR7 4YF", "1 Rowan Road"),
    ("Sophie", "Latham", "2011-09-09", "F", "PR25 3LN", "18 Euxton Lane"),
    ("Daniel", "O'Connor", "1983-12-01", "M", "PR7 5TL", "25 Hall Lane"),
    ("Emily", "Walsh", "2002-09-19", "F", "PR7 6JD", "3 Bolton Road"),
    ("Graham", "Pilkington", "1957-03-22", "M", "PR6 9SF", "14 Hodder Road"),
    ("Patricia", "Hesketh", "1944-07-08", "F", "PR7 7WB", "23 Leyland Street"),
    ("Mohammed", "Ali", "1995-05-05", "M", "PR7 1LR", "40 Victoria Street"),
    ("Chloe", "Fairclough", "1999-10-21", "F", "PR6 8ET", "16 Ash Street"),
    ("Kenneth", "Moss", "1952-02-11", "M", "PR7 3XQ", "12 Mill Close"),
    ("Joanne", "Crook", "1970-08-14", "F", "PR6 7LZ", "17 Fern Street"),
    ("Harry", "Whittle", "2008-01-30", "M", "PR7 2EJ", "38 Abbey Road"),
    ("Susan", "Bamber", "1963-04-04", "F", "PR7 4PT", "25 Hall Way"),
    ("Peter", "Gregson", "1930-05-05", "M", "PR7 6DG", "9 Canal Crescent"),
    ("Lucy", "Anderton", "1987-11-27", "F", "PR6 0EZ", "25 Wellington Gardens"),
    ("Ian", "Davidson", "1967-07-25", "M", "PR7 6WB", "22 Sycamore Avenue"),
    # Twins: one address, one birthday, one surname; two people.
    ("Oliver", "Marsden", "2010-03-03", "M", "PR7 5FD", "30 Priory Street"),
    ("Jack", "Marsden", "2010-03-03", "M", "PR7 5FD", "30 Priory Street"),
    # Namesakes: a father and son at one address.
    ("David", "Long", "1952-01-19", "M", "PR6 8RN", "2 Market Road"),
    ("David", "Long", "1980-12-23", "M", "PR6 8RN", "2 Market Road"),
]


def _noisy(index: int, row: tuple[str, str, str, str, str, str]) -> tuple[str, ...]:
    """The second list's record of person ``index``: how another partner might have keyed it."""
    given, surname, born, sex, postcode, address = row
    year, month, day = born.split("-")
    edits = {
        0: lambda: ("Bill", surname, born, sex, postcode, address),  # nickname
        1: lambda: (given, "Dobsen", born, sex, postcode, address),  # surname typo
        2: lambda: (
            given,
            surname,
            f"{year}-{day}-{month}" if int(day) <= 12 else born,
            sex,
            postcode.replace(" ", ""),
            address,
        ),
        3: lambda: ("Tom", surname, "", sex, postcode, address),  # nickname, no birth date
        4: lambda: (
            given,
            "Rigby-Shaw",
            born,
            sex,
            "PR7 1AB",
            "2 New Street",
        ),  # double name, moved
        5: lambda: (given, surname, f"{year}-{month}-{int(day) + 1:02d}", sex, postcode, address),
        6: lambda: (given, surname, born, sex, "PR25 3NL", address),  # postcode letters swapped
        7: lambda: (given, "OConnor", born, sex, postcode, address),
        8: lambda: (surname, given, born, sex, postcode, address),  # names swapped
        9: lambda: ("Grahame", surname, born, sex, postcode, ""),  # spelling, no address
    }
    fields = edits.get(index, lambda: (given, surname, born, sex, postcode, address))()
    return (f"B{index:03d}", *fields)


def write_lists(folder: Path) -> tuple[Path, Path, set[tuple[str, str]]]:
    """Two lists of the same people (the second with errors) and the true pairs between them."""
    header = ["id", "first", "last", "dob", "gender", "post_code", "street"]
    left, right = folder / "register.csv", folder / "signups.csv"
    with left.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i, row in enumerate(PEOPLE):
            writer.writerow([f"A{i:03d}", *row])
    with right.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i, row in enumerate(PEOPLE):
            writer.writerow(_noisy(i, row))
    return left, right, {(f"A{i:03d}", f"B{i:03d}") for i in range(len(PEOPLE))}


MAP = [
    "id=record_id",
    "first=given_name",
    "last=surname",
    "dob=date_of_birth",
    "gender=sex",
    "post_code=postcode",
    "street=address",
]
