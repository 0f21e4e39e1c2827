"""A person over the API, for a practitioner with a legitimate relationship; break-glass.

The same rules as the person page (``people.opening``): without a relationship the answer is
404 whether or not the person exists, and every view or refusal is audited.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.api.schemas import Problem
from joinedup.web.people import access
from joinedup.web.people.opening import NoRelationshipError, PersonNotFoundError, open_person
from joinedup.web.throttle import person_lookup

router = Router(tags=["people"])
NOT_OPEN = "No person you may see has this key"


class AgencyOut(Schema):
    agency: str
    feed: str
    records: int
    first: dt.date | None
    last: dt.date | None


class PersonOut(Schema):
    person_key: str
    name: str
    other_names: list[str]
    birth_date: dt.date | None
    sex: str | None
    nhs_numbers: list[str]
    address: str | None
    agencies: list[AgencyOut]
    joined_because: list[str]
    purpose: str = Field(description="Why the caller may see the person: recorded with the view")


class BreakGlassIn(Schema):
    reason: str = Field(min_length=access.MINIMUM_REASON_LENGTH, max_length=2000)


class BreakGlassOut(Schema):
    person_key: str
    until: dt.datetime


@router.get("/people/{person_key}", response={200: PersonOut, 404: Problem}, url_name="person")
def person(request: HttpRequest, person_key: str) -> Status[object] | HttpResponse:
    if (refused := person_lookup(request)) is not None:
        return refused
    try:
        opened = open_person(signed_in_user(request), person_key, request.path)
    except (NoRelationshipError, PersonNotFoundError):
        return Status(404, Problem(detail=NOT_OPEN))
    details = opened.details
    return Status(
        200,
        PersonOut(
            person_key=details.person_key,
            name=details.name,
            other_names=details.other_names,
            birth_date=details.birth_date,
            sex=details.sex,
            nhs_numbers=details.nhs_numbers,
            address=details.address,
            agencies=[AgencyOut.model_validate(a, from_attributes=True) for a in details.agencies],
            joined_because=details.joined_because,
            purpose=opened.why.purpose,
        ),
    )


@router.post(
    "/people/{person_key}/break-glass",
    response={201: BreakGlassOut, 400: Problem},
    url_name="person_break_glass",
)
def break_glass(request: HttpRequest, person_key: str, body: BreakGlassIn) -> Status[object]:
    try:
        grant = access.break_glass(signed_in_user(request), person_key, body.reason)
    except access.BreakGlassRefusedError as refusal:
        return Status(400, Problem(detail=str(refusal)))
    return Status(201, BreakGlassOut(person_key=person_key, until=grant.expires_at))
