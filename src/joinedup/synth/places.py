"""Postal geography of the borough: towns and postcode sectors by locality, and places outside it.

Postcode districts and sectors are the real ones that cover each locality (Royal Mail PAF
district boundaries as published on OS Open Names); the unit (last two letters) is generated.
"""

from __future__ import annotations

# Locality (the House of Commons Library MSOA name in the reference data) -> postal town and
# the postcode sectors that cover it.
LOCALITY_POSTAL: dict[str, tuple[str, tuple[str, ...]]] = {
    "Adlington & Rivington": ("Adlington", ("PR6 9", "PR7 4")),
    "Brindle & Withnell": ("Withnell", ("PR6 8",)),
    "Chorley East": ("Chorley", ("PR6 0", "PR7 1")),
    "Chorley North": ("Chorley", ("PR7 1", "PR6 0")),
    "Chorley South West": ("Chorley", ("PR7 3",)),
    "Chorley Town & South": ("Chorley", ("PR7 2", "PR7 3")),
    "Chorley West": ("Chorley", ("PR7 2", "PR7 7")),
    "Clayton Brook": ("Preston", ("PR5 8",)),
    "Clayton-le-Woods": ("Chorley", ("PR6 7", "PR25 5")),
    "Coppull": ("Coppull", ("PR7 5", "PR7 4")),
    "Croston & Mawdesley": ("Leyland", ("PR26 9", "L40 3")),
    "Eccleston & Charnock Richard": ("Chorley", ("PR7 5",)),
    "Euxton": ("Chorley", ("PR7 6",)),
    "Whittle-le-Woods & Anglezarke": ("Chorley", ("PR6 7", "PR7 7")),
}

# Where residents who leave the borough go: postal town and a sector there.
ELSEWHERE: tuple[tuple[str, str], ...] = (
    ("Preston", "PR1 5"),
    ("Preston", "PR2 6"),
    ("Leyland", "PR25 2"),
    ("Leyland", "PR26 7"),
    ("Wigan", "WN1 2"),
    ("Wigan", "WN6 0"),
    ("Bolton", "BL1 4"),
    ("Bolton", "BL6 5"),
    ("Blackburn", "BB2 3"),
    ("Manchester", "M14 6"),
    ("Liverpool", "L15 4"),
    ("Blackpool", "FY1 3"),
)

# Letters Royal Mail uses in the unit part of a postcode (never C, I, K, M, O or V).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# GP practices of the borough (reference data codes) and the localities each mainly serves.
PRACTICE_LOCALITIES: dict[str, tuple[str, ...]] = {
    "P81010": ("Brindle & Withnell",),
    "P81033": ("Coppull",),
    "P81038": ("Chorley Town & South", "Chorley South West", "Chorley East"),
    "P81044": ("Chorley Town & South", "Chorley North", "Chorley West", "Chorley South West"),
    "P81062": ("Chorley Town & South", "Chorley East", "Chorley North"),
    "P81127": ("Chorley North", "Chorley East"),
    "P81143": ("Whittle-le-Woods & Anglezarke", "Clayton-le-Woods", "Clayton Brook"),
    "P81154": ("Adlington & Rivington",),
    "P81171": ("Euxton",),
    "P81655": ("Croston & Mawdesley", "Eccleston & Charnock Richard"),
    "P81701": ("Clayton-le-Woods", "Clayton Brook"),
    "P81740": ("Adlington & Rivington", "Coppull"),
    "Y00347": ("Chorley South West", "Chorley Town & South"),
    "Y02466": ("Chorley West", "Whittle-le-Woods & Anglezarke"),
}
