"""The shapes the API reads and writes (pydantic, through django-ninja).

Input schemas name every field a client may set; anything else in a body is ignored, so
``role``, ``requested_by`` or ``status`` cannot be slipped into a request (AC-06).
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class Problem(Schema):
    detail: str


class AgreementOut(Schema):
    reference: str
    title: str
    partner: str
    recipient: str
    datasets: list[str]
    fields: dict[str, list[str]]
    purpose: str
    purposes: list[str]
    lawful_basis: str
    special_category_condition: str
    start: dt.date
    review: dt.date
    end: dt.date
    status: str


class AgreementIn(Schema):
    reference: str = Field(max_length=64)
    title: str = Field(max_length=300)
    partner: str = Field(max_length=300)
    recipient: str = Field(max_length=300)
    fields: dict[str, list[str]]
    purpose: str
    purposes: list[str] = Field(default_factory=list)
    lawful_basis: str
    special_category_condition: str
    start: dt.date
    review: dt.date
    end: dt.date
    status: str = "draft"


class AuditEventOut(Schema):
    sequence: int
    at: dt.datetime
    actor: str
    verb: str
    object_type: str
    object_id: str
    detail: dict[str, object]


class OutputOut(Schema):
    id: int
    title: str
    purpose: str
    kind: str
    status: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str
    header: list[str]
    rows: list[list[str | int | float]]
    disclosure_control: str


class TableRequestIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=2000)
    csv: str = Field(description="The table of counts as CSV text: a header, then label,count...")


class CohortRequestIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=2000)
    cohort: str = Field(min_length=1, max_length=200)
    parameters: dict[str, str] = Field(default_factory=dict)


class DecisionIn(Schema):
    approve: bool
    reason: str = Field(min_length=1, max_length=2000)
