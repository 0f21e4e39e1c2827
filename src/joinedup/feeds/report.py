"""What a load did, for each delivery: the figures a hub coordinator reconciles."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class LoadReport:
    feed: str
    file: str
    status: str = "loaded"  # loaded, already_loaded or refused
    delivery_id: int | None = None
    message: str = ""
    refusal_reason: str | None = None
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    deduplicated: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    new: int = 0
    superseded: int = 0
    unchanged: int = 0
    nhs_number_invalid: int = 0
    postcode_invalid: int = 0
    free_text_to_review: int = 0
    already_loaded_as: int | None = None
    # For a resubmission: quarantined rows its fixed rows replace.
    resolved: int = 0
    seconds: float = 0.0

    @property
    def reconciles(self) -> bool:
        """Every row read is loaded, quarantined or a counted duplicate: none lost, none twice."""
        return self.read == self.loaded + self.quarantined + self.deduplicated

    @property
    def rows_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "reconciles": self.reconciles,
            "rows_per_second": round(self.rows_per_second),
        }
