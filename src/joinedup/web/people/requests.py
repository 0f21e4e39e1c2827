"""The register of subject access requests: logging one, the steps that move its clock, and
answering it. Each step is audited; the deadline is always computed, never stored."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.people.deadlines import MAXIMUM_EXTENSION_MONTHS, Pause, response_deadline
from joinedup.web.people.models import RequestStatus, SubjectAccessRequest
from joinedup.web.references import save_with_reference


class RequestStepError(ValueError):
    """A step the request's state does not allow; the message says why, for the form."""


def deadline_of(request: SubjectAccessRequest) -> dt.date:
    return response_deadline(
        request.received_on,
        identity_received=request.identity_received_on,
        pauses=pauses_of(request),
        extension_months=request.extension_months,
    )


def pauses_of(request: SubjectAccessRequest) -> list[Pause]:
    return [Pause(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in request.pauses]


def log_request(received_on: dt.date, description: str, by: User) -> SubjectAccessRequest:
    with transaction.atomic():
        request = SubjectAccessRequest(
            received_on=received_on, description=description, created_by=by
        )
        save_with_reference(request, lambda pk: f"SAR-{received_on.year}-{pk:04d}")
        _audit(by, "subject_access.logged", request, {"received_on": received_on.isoformat()})
    return request


def take_step(
    request: SubjectAccessRequest, step: str, on: dt.date, by: User, note: str = ""
) -> None:
    """One step on an open request: ``identity_asked``, ``identity_received``,
    ``clarification`` (asked ``on`` and answered ``note`` as an ISO date), ``extend``,
    ``identify`` (``note`` is the person key), ``responded`` or ``withdrawn``."""
    if request.status != RequestStatus.OPEN:
        raise RequestStepError(f"{request.reference} is {request.get_status_display().lower()}")
    if on < request.received_on:
        raise RequestStepError("The date cannot be before the request was received")
    with transaction.atomic():
        detail = _apply(request, step, on, note)
        request.save()
        _audit(by, f"subject_access.{step}", request, detail)


def _apply(request: SubjectAccessRequest, step: str, on: dt.date, note: str) -> dict[str, object]:
    if step == "identity_asked":
        request.identity_asked_on = on
    elif step == "identity_received":
        request.identity_received_on = on
    elif step == "clarification":
        answered = _date(note)
        if answered < on:
            raise RequestStepError("The clarification cannot arrive before it was asked for")
        request.pauses = [*request.pauses, [on.isoformat(), answered.isoformat()]]
        return {"asked": on.isoformat(), "answered": answered.isoformat()}
    elif step == "extend":
        if request.extension_months >= MAXIMUM_EXTENSION_MONTHS:
            raise RequestStepError("A request can be extended by two months at most")
        if not note.strip():
            raise RequestStepError("Say why the request is complex enough to extend")
        request.extension_months += 1
        request.extension_reason = note.strip()
        return {"extension_months": request.extension_months}
    elif step == "identify":
        request.person_key = note.strip()
        return {"person_key": request.person_key}
    elif step in ("responded", "withdrawn"):
        request.status = RequestStatus(step)
        request.responded_on = on
        return {"on": on.isoformat(), "deadline": deadline_of(request).isoformat()}
    else:
        raise RequestStepError(f"Unknown step {step!r}")
    return {"on": on.isoformat()}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as error:
        raise RequestStepError("Give the date the clarification arrived as YYYY-MM-DD") from error


def _audit(by: User, verb: str, request: SubjectAccessRequest, detail: dict[str, object]) -> None:
    record_by(by, verb, "subject_access_request", request.reference, detail)
