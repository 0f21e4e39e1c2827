"""Agreements over the API: list and read (view_agreements), create and change (the IG lead)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.api.schemas import AgreementIn, AgreementOut, Problem
from joinedup.web.governance.changes import save_agreement
from joinedup.web.governance.forms import AgreementForm, fields_as_text
from joinedup.web.governance.models import Agreement

router = Router(tags=["agreements"])


def _out(agreement: Agreement) -> AgreementOut:
    entry = agreement.as_register_entry()
    entry["reference"] = entry.pop("id")
    return AgreementOut.model_validate(entry)


@router.get("/agreements", response=list[AgreementOut], url_name="agreements")
def list_agreements(request: HttpRequest, q: str = "") -> list[AgreementOut]:
    found = Agreement.objects.all()
    if q:
        found = found.filter(title__icontains=q[:200]) | found.filter(reference__icontains=q[:200])
    return [_out(a) for a in found.order_by("reference")]


@router.post("/agreements", response={201: AgreementOut, 400: Problem}, url_name="agreements")
def create_agreement(request: HttpRequest, body: AgreementIn) -> Status[object]:
    return _save(request, Agreement(), body, created=True)


@router.get(
    "/agreements/{reference}", response={200: AgreementOut, 404: Problem}, url_name="agreement"
)
def read_agreement(request: HttpRequest, reference: str) -> AgreementOut:
    return _out(get_object_or_404(Agreement, reference=reference))


@router.put(
    "/agreements/{reference}",
    response={200: AgreementOut, 400: Problem, 404: Problem},
    url_name="agreement",
)
def update_agreement(request: HttpRequest, reference: str, body: AgreementIn) -> Status[object]:
    return _save(request, get_object_or_404(Agreement, reference=reference), body, created=False)


def _save(
    request: HttpRequest, instance: Agreement, body: AgreementIn, created: bool
) -> Status[object]:
    # Through the page's own form: the API gets exactly the same validation as the page.
    data = body.model_dump()
    data["fields_text"] = fields_as_text(data.pop("fields")) or ""
    data["purposes_text"] = ", ".join(data.pop("purposes"))
    form = AgreementForm(data, instance=instance)
    if not form.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
        )
        return Status(400, Problem(detail=problems))
    return Status((201 if created else 200), _out(save_agreement(form, signed_in_user(request))))
