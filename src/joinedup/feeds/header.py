"""Checking a delivery's header against its contract, before any row is read."""

from __future__ import annotations

from joinedup.feeds.contract import Contract, packaged_contracts
from joinedup.feeds.reader import FileRefusedError


def check_header(contract: Contract, header: list[str]) -> list[str]:
    """The header as the contract's column names, or a refusal naming what is wrong."""
    cleaned = [h.strip().lstrip("\ufeff") for h in header]
    duplicated = sorted({h for h in cleaned if cleaned.count(h) > 1})
    if duplicated:
        raise FileRefusedError("duplicate_columns", f"the header repeats {', '.join(duplicated)}")
    expected = [c.name for c in contract.columns]
    if contract.header == "normalised":
        by_key = {c.casefold().replace(" ", ""): c for c in expected}
        cleaned = [by_key.get(h.casefold().replace(" ", ""), h) for h in cleaned]
    missing = [c for c in expected if c not in cleaned]
    if missing:
        hint = _looks_like(header)
        raise FileRefusedError(
            "missing_columns",
            f"the file lacks the column(s) {', '.join(missing)} that feed {contract.name} requires{hint}",
        )
    extra = [h for h in cleaned if h not in expected]
    if extra:
        raise FileRefusedError(
            "unexpected_columns",
            f"the file has column(s) {', '.join(extra)} that the contract for {contract.name} does not",
        )
    if contract.header == "exact" and cleaned != expected:
        raise FileRefusedError(
            "column_order",
            f"the columns of {contract.name} are in a different order from the contract",
        )
    return cleaned


def _looks_like(header: list[str]) -> str:
    names = {h.strip().lstrip("\ufeff") for h in header}
    for other in packaged_contracts():
        if {c.name for c in other.columns} == names:
            return f"; it looks like a {other.name} extract"
    return ""
