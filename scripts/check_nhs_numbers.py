"""Refuse files that contain what looks like a real NHS number.

An NHS number is ten digits whose last digit is a modulus 11 check digit. Synthetic and test
data must use the 999 range (999 000 0018, for example), which is never issued to a patient.
This checker reports every ten-digit string, written as ``9990000018``, ``999 000 0018`` or
``999-000-0018``, that passes the check and does not start with 999.

It never prints the number it found, only where it is: the point of the hook is that a real
NHS number goes no further, and that includes the terminal and CI logs.

A line may be exempted, visibly, with the marker ``nhs-number-check: allow``.

Usage::

    python scripts/check_nhs_numbers.py FILE...     # as the pre-commit hook calls it
    python scripts/check_nhs_numbers.py --staged    # what is staged in git, read from the index
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

TEST_RANGE_PREFIX = "999"
ALLOW_MARKER = "nhs-number-check: allow"
IGNORED_NAMES = frozenset({"uv.lock"})
BINARY_SNIFF_BYTES = 8192

# Ten digits, optionally grouped 3-3-4 with one kind of separator. The guards keep us off the
# middle of longer numbers, identifiers and hashes (letters or digits either side) and off
# decimals (a digit and a dot before, or a dot and a digit after).
NHS_SHAPED = re.compile(
    r"(?<![0-9A-Za-z])(?<!\d\.)"
    r"(?P<a>\d{3})(?P<sep>[ -]?)(?P<b>\d{3})(?P=sep)(?P<c>\d{4})"
    r"(?![0-9A-Za-z])(?!\.\d)"
)


def passes_modulus_11(digits: str) -> bool:
    """Whether ten digits carry a valid NHS check digit.

    >>> passes_modulus_11("9990000018"), passes_modulus_11("9990000019")
    (True, False)
    """
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def is_real_looking(digits: str) -> bool:
    """A valid NHS number outside the 999 test range."""
    return not digits.startswith(TEST_RANGE_PREFIX) and passes_modulus_11(digits)


def findings(text: str) -> Iterator[tuple[int, int]]:
    """(line, column) of each real-looking NHS number in text, both counted from 1."""
    for line_no, line in enumerate(text.splitlines(), start=1):
        if ALLOW_MARKER in line:
            continue
        for match in NHS_SHAPED.finditer(line):
            if is_real_looking(match["a"] + match["b"] + match["c"]):
                yield line_no, match.start() + 1


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:BINARY_SNIFF_BYTES]


def check(name: str, data: bytes) -> int:
    """Report findings in one file's content; return how many there were."""
    if Path(name).name in IGNORED_NAMES or is_binary(data):
        return 0
    found = 0
    for line_no, column in findings(data.decode("utf-8", errors="replace")):
        print(
            f"{name}:{line_no}:{column}: a valid NHS number outside the 999 test range "
            f"(not shown); use a 999 number, e.g. 999 000 0018"
        )
        found += 1
    return found


def staged_files() -> list[tuple[str, bytes]]:
    """Names and staged content of files added, copied, modified or renamed in the index."""
    names = subprocess.run(
        ["git", "diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [
        (name, subprocess.run(["git", "show", f":{name}"], check=True, capture_output=True).stdout)
        for name in names.split("\0")
        if name
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("files", nargs="*", help="files to check")
    parser.add_argument("--staged", action="store_true", help="check files staged in git")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Check the named (or staged) files; 1 if any holds a real-looking NHS number, else 0."""
    args = parse_args(argv)
    contents = staged_files() if args.staged else []
    for name in args.files:
        try:
            contents.append((name, Path(name).read_bytes()))
        except OSError as error:
            print(f"{name}: cannot read ({error.strerror})", file=sys.stderr)
            return 2
    found = sum(check(name, data) for name, data in contents)
    if found:
        print(
            f"{found} NHS-number-shaped value(s) outside the 999 test range. Real NHS numbers "
            f"must never enter the repository; if this is not one, mark the line with "
            f"'{ALLOW_MARKER}'.",
            file=sys.stderr,
        )
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
