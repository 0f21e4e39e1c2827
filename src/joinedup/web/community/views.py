"""The community pages. Who may open each is the policy table's business; a case is reached
only through ``cases_of`` (another's is "not found"); every rule lives in the domain modules."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.analytics.base import NotReadyError
from joinedup.feeds.agreements import AgreementRefusedError
from joinedup.home import resolve_home
from joinedup.linkage.published import NotLinkedError
from joinedup.spreadsheets import Problem
from joinedup.web.accounts.enforcement import render_with_permissions, signed_in_user
from joinedup.web.cases.casework import audit, find_case
from joinedup.web.cases.models import Case
from joinedup.web.cases.workflow import WorkflowError
from joinedup.web.community import (
    directory,
    gaps,
    hub_needs,
    importer,
    maps,
    signposting,
    upkeep,
    wards,
)
from joinedup.web.community.forms import (
    AssetForm,
    CloseForm,
    GapsForm,
    ImportForm,
    ReferForm,
    SearchForm,
    TakeUpForm,
)
from joinedup.web.community.models import Asset, AssetReferral
from joinedup.web.community.vocabulary import AssetKind, Day, Need, TakeUp, needs_for_domains
from joinedup.web.referrals.models import Referral


def _search(form: SearchForm) -> directory.Search:
    if not form.is_valid():
        return directory.Search()
    ward, day = form.cleaned_data["ward"], form.cleaned_data["day"]
    return directory.Search(
        needs=form.chosen_needs(),
        wards=(ward,) if ward else (),
        days=(Day(day),) if day else (),
        stale_on=timezone.localdate() if form.cleaned_data["stale"] else None,
    )


def _assets_map(found: list[Asset]) -> str:
    counts = Counter(asset.ward_code for asset in found)
    values = {ward.code: counts.get(ward.code, 0) for ward in wards.wards()}
    return mark_safe(  # drawn by ElementTree, every text escaped
        maps.count_map_svg(values, "Assets found, by ward", "Number of assets")
    )


@require_GET
def directory_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    found = list(directory.search(_search(form)))
    return render_with_permissions(
        request,
        "community/directory.html",
        {
            "form": form,
            "assets": found,
            "map": _assets_map(found),
            "stale": sum(asset.is_stale for asset in found),
            "stale_list": bool(form.is_valid() and form.cleaned_data["stale"]),
        },
    )


@require_GET
def asset_page(request: HttpRequest, asset_id: int) -> HttpResponse:
    found = get_object_or_404(Asset.objects.prefetch_related("needs"), pk=asset_id)
    return render_with_permissions(
        request,
        "community/asset.html",
        {"asset": found, "take_up": signposting.take_up_counts(found)},
    )


@require_http_methods(["GET", "POST"])
def asset_new(request: HttpRequest) -> HttpResponse:
    form = AssetForm(request.POST or None, initial={"review_on": upkeep.next_review(_today())})
    if request.method == "POST" and form.is_valid():
        try:
            added = upkeep.add_asset(form.entry(), form.chosen_needs(), by=signed_in_user(request))
        except upkeep.EntryError as error:
            form.refuse(error)
        else:
            return redirect("community:asset", asset_id=added.pk)
    return _entry_form(request, form, None)


@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = get_object_or_404(Asset.objects.prefetch_related("needs"), pk=asset_id)
    form = AssetForm(request.POST or None, initial=AssetForm.initial_for(asset))
    if request.method == "POST" and form.is_valid():
        try:
            upkeep.change_asset(
                asset, form.entry(), form.chosen_needs(), by=signed_in_user(request)
            )
        except upkeep.EntryError as error:
            form.refuse(error)
        else:
            return redirect("community:asset", asset_id=asset.pk)
    return _entry_form(request, form, asset)


def _entry_form(request: HttpRequest, form: AssetForm, asset: Asset | None) -> HttpResponse:
    return render_with_permissions(
        request,
        "community/asset_form.html",
        {"form": form, "asset": asset},
        status=400 if form.errors else 200,
    )


@require_POST
def asset_review(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = get_object_or_404(Asset, pk=asset_id)
    upkeep.mark_reviewed(asset, by=signed_in_user(request))
    if request.POST.get("back") == "stale":
        return redirect(f"{reverse('community:directory')}?stale=on")
    return redirect("community:asset", asset_id=asset.pk)


@require_http_methods(["GET", "POST"])
def asset_close(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = get_object_or_404(Asset, pk=asset_id)
    if request.method == "POST" and "reopen" in request.POST:
        upkeep.reopen_asset(asset, by=signed_in_user(request))
        return redirect("community:asset", asset_id=asset.pk)
    form = CloseForm(request.POST or None, initial={"closed_on": asset.closed_on or _today()})
    if request.method == "POST" and form.is_valid():
        upkeep.close_asset(asset, by=signed_in_user(request), on=form.cleaned_data["closed_on"])
        return redirect("community:asset", asset_id=asset.pk)
    return render_with_permissions(
        request,
        "community/asset_close.html",
        {"form": form, "asset": asset},
        status=400 if form.errors else 200,
    )


def _today() -> dt.date:
    return timezone.localdate()


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[Problem] = []
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        user = signed_in_user(request)
        try:
            rows = importer.check_rows(importer.read_table(upload.name, upload.read()))
            report = importer.save_rows(rows, user.email, upload.name, actor_id=user.pk)
        except importer.AssetFileError as error:
            problems = error.problems
    return render_with_permissions(
        request,
        "community/import.html",
        {
            "form": form,
            "problems": problems,
            "report": report,
            "columns": (*importer.REQUIRED, *importer.OPTIONAL),
            "vocabularies": _vocabularies(),
        },
        status=400 if problems else 200,
    )


def _vocabularies() -> list[tuple[str, list[str]]]:
    return [
        ("kind", [k.label for k in AssetKind]),
        ("needs", [n.label for n in Need]),
        ("days", [d.label for d in Day]),
        ("ward", [w.name for w in wards.wards()]),
    ]


def _all_gaps(
    reach: bool, kinds: tuple[AssetKind, ...], counts: Sequence[gaps.NeedCount] | None = None
) -> list[gaps.Gap]:
    return gaps.rank_gaps(
        gaps.published_need_counts() if counts is None else counts,
        directory.capacity(kinds),
        wards.wards(),
        wards.neighbours() if reach else (),
    )


def _gap_context(
    need: Need,
    reach: bool,
    kinds: tuple[AssetKind, ...],
    every: list[gaps.Gap],
    measure: gaps.Measure | None = None,
) -> dict[str, object]:
    ranked = gaps.gaps_for(need, every)
    measure = measure or gaps.MEASURES[need]
    offer = " and ".join(k.label.lower() for k in kinds) if kinds else "community asset"
    title = f"{need.label}: {offer} places per 100 {measure.who.lower()}"
    return {
        "need": need,
        "measure": measure,
        "gaps": ranked,
        "largest": ranked[0] if ranked and ranked[0].people > 0 else None,
        "reach": reach,
        "map": mark_safe(  # drawn by ElementTree, every text escaped
            maps.gap_map_svg(ranked, title, "Places a week per 100 people in need")
        ),
    }


@require_GET
def gaps_page(request: HttpRequest) -> HttpResponse:
    form = GapsForm(request.GET or None)
    need = form.chosen_need()
    reach = bool(form.is_valid() and form.cleaned_data["reach"])
    every = _all_gaps(reach, ())
    largest = [g for g in every if g.rank == 1 and g.people > 0]
    context = {"form": form, "largest_by_need": largest, **_gap_context(need, reach, (), every)}
    return render_with_permissions(request, "community/gaps.html", context)


@require_GET
def befriending_page(request: HttpRequest) -> HttpResponse:
    reach = request.GET.get("reach") == "on"
    kinds = (AssetKind.BEFRIENDING,)
    counted: hub_needs.HubCounts | None = None
    unavailable = ""
    if request.GET.get("source") == "hub":
        try:
            counted = hub_needs.isolated_older_residents(resolve_home())
        except (NotReadyError, NotLinkedError):
            unavailable = "The hub has no linked records yet, so the census figures are shown."
        except AgreementRefusedError:
            unavailable = (
                "No data sharing agreement allows the GP register for locality profiling, "
                "so the census figures are shown."
            )
    every = _all_gaps(reach, kinds, counted.need_counts() if counted else None)
    measure = counted.measure() if counted else None
    context = _gap_context(Need.LONELINESS, reach, kinds, every, measure)
    names = wards.ward_names()
    hidden = [names[code] for code in counted.hidden()] if counted else []
    context |= {"from_hub": counted is not None, "unavailable": unavailable, "hidden": hidden}
    return render_with_permissions(request, "community/befriending.html", context)


def _case(request: HttpRequest, case_id: int) -> Case:
    user = signed_in_user(request)
    found = find_case(user, case_id, path=request.path, method=request.method or "GET")
    if found is None:
        raise Http404("No such case")
    return found


@require_GET
def case_support(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    domains = list(case.needs.values_list("domain", flat=True))
    starting = {"needs": [n.value for n in needs_for_domains(domains)]}
    form = SearchForm(request.GET or starting)
    found = list(directory.search(_search(form)))
    referrals = case.asset_referrals.select_related("asset", "referred_by")
    return render_with_permissions(
        request,
        "community/case_support.html",
        {"case": case, "form": form, "assets": found, "referrals": referrals},
    )


@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest, case_id: int, asset_id: int) -> HttpResponse:
    case = _case(request, case_id)
    asset = get_object_or_404(Asset.objects.prefetch_related("needs"), pk=asset_id)
    needs = [Need(n.need) for n in asset.needs.all()]
    wanted = set(needs_for_domains(list(case.needs.values_list("domain", flat=True))))
    first = next((n for n in needs if n in wanted), needs[0] if needs else None)
    form = ReferForm(
        request.POST or None,
        needs=needs,
        initial={"referred_on": timezone.localdate(), "need": first.value if first else ""},
    )
    return _case_step(
        request,
        case,
        form,
        lambda: signposting.refer(
            case,
            asset,
            by=signed_in_user(request),
            need=Need(form.cleaned_data["need"]),
            on=form.cleaned_data["referred_on"],
        ),
        "community/refer.html",
        {"asset": asset},
    )


@require_http_methods(["GET", "POST"])
def take_up(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    case = _case(request, case_id)
    referral = get_object_or_404(
        AssetReferral.objects.select_related("asset", "case"), pk=referral_id, case=case
    )
    form = TakeUpForm(
        request.POST or None,
        initial={
            "take_up": referral.take_up,
            "outcome": referral.outcome,
            "outcome_score": referral.outcome_score,
        },
    )
    return _case_step(
        request,
        case,
        form,
        lambda: signposting.record_take_up(
            referral,
            by=signed_in_user(request),
            take_up=TakeUp(form.cleaned_data["take_up"]),
            outcome=form.cleaned_data["outcome"],
            score=form.cleaned_data["outcome_score"],
        ),
        "community/take_up.html",
        {"referral": referral},
    )


def _case_step(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    act: Callable[[], object],
    template: str,
    context: dict[str, object],
) -> HttpResponse:
    """A step of a case's support: when the form is sent and valid, ``act``, then back to the
    case's support page; a step the workflow refuses shows on the form's page (409)."""
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            act()
        except WorkflowError as error:
            refusal = str(error)
        else:
            return redirect("community:case_support", case_id=case.pk)
    return render_with_permissions(
        request,
        template,
        {**context, "case": case, "form": form, "error": refusal},
        status=409 if refusal else 200,
    )


@require_GET
def triage_support(request: HttpRequest, reference: str) -> HttpResponse:
    found = get_object_or_404(Referral, reference=reference)
    domains = [need.get("domain", "") for need in found.needs if isinstance(need, dict)]
    needs = needs_for_domains(domains)
    with transaction.atomic():
        audit(
            "community.support_found",
            signed_in_user(request),
            "referral",
            found.reference,
            person_key=found.person_key,
        )
    return render_with_permissions(
        request,
        "community/triage_support.html",
        {
            "referral": found,
            "needs": needs,
            "assets": list(directory.search(directory.Search(needs=tuple(needs)))),
        },
    )
