"""The referral pages: the journey (start, one question a page, check, sent), the referrer's own
referrals, and the hub coordinator's triage. Who reaches each page is the policy table's
business; which referrals a page reaches is decided here."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.analytics.base import NotReadyError
from joinedup.analytics.cohorts import library
from joinedup.feeds.agreements import AgreementRefusedError
from joinedup.home import resolve_home
from joinedup.linkage.published import NotLinkedError
from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.accounts.models import User
from joinedup.web.cases.models import Case, CaseStatus
from joinedup.web.referrals import case_finding, journey, triage, workflow
from joinedup.web.referrals.forms import (
    CaseFindingForm,
    CaseFindingPeopleForm,
    Decision,
    TriageForm,
)
from joinedup.web.referrals.matching import match_referral
from joinedup.web.referrals.models import CaseFindingPurpose, Referral, Status
from joinedup.web.throttle import counts_as_lookup


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    kept = journey.answers(request.session)
    if request.method == "POST":
        journey.clear(request.session)
        return redirect("referrals:person")
    missing = journey.first_missing(kept)
    resume = (missing.name if missing else journey.CHECK) if kept else ""
    return render(request, "referrals/start.html", {"resume": resume})


@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, step: str) -> HttpResponse:
    """One question page of the journey (``step`` is fixed by the URL, not by the request)."""
    page = journey.BY_NAME[step]
    kept = journey.answers(request.session)
    if not page.applies(kept):
        return redirect("referrals:check")
    missing = journey.first_missing(kept, before=page)
    if missing is not None:
        return redirect(f"referrals:{missing.name}")
    changing = request.GET.get("from") == journey.CHECK
    if request.method == "POST":
        form = page.form(request.POST)
        if form.is_valid():
            kept = journey.save(request.session, page, form.answers())
            following = journey.after(kept, page, changing)
            suffix = "?from=check" if changing and following != journey.CHECK else ""
            return redirect(reverse(f"referrals:{following}") + suffix)
    else:
        form = page.form(initial=page.form.initial_from(kept.get(page.name, {})))
    back = reverse(f"referrals:{journey.before(kept, page, changing)}")
    context = {
        "form": form,
        "choices": form.choices(),
        "page": page,
        "back": back,
        "errors": form.error_links(),
    }
    return render(request, f"referrals/{page.name}.html", context)


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    kept = journey.answers(request.session)
    missing = journey.first_missing(kept)
    if missing is not None:
        return redirect(f"referrals:{missing.name}")
    user = signed_in_user(request)
    if request.method == "POST":
        referral = journey.referral_from(kept, user)
        match_referral(referral, resolve_home())
        workflow.submit(referral)
        journey.clear(request.session)
        request.session[journey.SENT_KEY] = referral.reference
        return redirect("referrals:sent")
    back = reverse(f"referrals:{journey.path(kept)[-1].name}")
    return render(
        request, "referrals/check.html", {"rows": journey.rows(kept), "back": back, "user": user}
    )


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(journey.SENT_KEY)
    if not reference:
        return redirect("referrals:mine")
    return render(request, "referrals/sent.html", {"reference": reference})


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    made = [(r, triage.outcome(r)) for r in triage.own_referrals(signed_in_user(request))]
    return render(request, "referrals/mine.html", {"referrals": made})


@require_GET
@counts_as_lookup
def referral(request: HttpRequest, reference: str) -> HttpResponse:
    user = signed_in_user(request)
    found = triage.own_referrals(user).filter(reference=reference).first()
    if found is None:
        # Another's referral is "not found", not "forbidden": its existence is not confirmed.
        reason = "not the referrer"
        workflow.audit("access.denied", reference[:64], user, path=request.path, reason=reason)
        raise Http404
    context = {
        "referral": found,
        "rows": journey.rows(journey.answers_of(found)),
        "outcome": triage.outcome(found),
    }
    return render(request, "referrals/referral.html", context)


@require_GET
def triage_queue(request: HttpRequest) -> HttpResponse:
    waiting = list(triage.queue())
    known = triage.duplications(waiting)
    rows = [(r, known.get(r.pk, triage.Duplication())) for r in waiting]
    return render(request, "referrals/triage.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@counts_as_lookup
def triage_referral(request: HttpRequest, reference: str) -> HttpResponse:
    coordinator = signed_in_user(request)
    found = get_object_or_404(
        Referral.objects.select_related("referred_by", "organisation", "case", "merged_into"),
        reference=reference,
    )
    known = triage.duplication(found)
    form = TriageForm(
        request.POST if request.method == "POST" else None,
        waiting=Referral.objects.filter(
            status=Status.SUBMITTED, person_key=found.person_key
        ).exclude(pk=found.pk),
        open_cases=Case.objects.filter(person_key=found.person_key, status=CaseStatus.OPEN),
        leads=triage.practitioners(),
        matched=bool(found.person_key),
    )
    refusal, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            _decide(found, coordinator, form)
        except workflow.WorkflowError as error:
            refusal, status = str(error), 409
        else:
            return redirect("referrals:triage_referral", reference=found.reference)
    if request.method == "GET":
        workflow.audit("referral.viewed", found.reference, coordinator, person_key=found.person_key)
    options = form.options("decision")
    errors = [(options[0].id, refusal)] if refusal else form.error_links()
    context = {
        "referral": found,
        "rows": journey.rows(journey.answers_of(found)),
        "needs": triage.combined_needs(found),
        "known": known,
        "form": form,
        "errors": errors,
        "outcome": triage.outcome(found),
        "choices": form.choices(),
    }
    return render(request, "referrals/triage_referral.html", context, status=status)


def _decide(referral: Referral, coordinator: User, form: TriageForm) -> None:
    data, decision = form.cleaned_data, form.cleaned_data["decision"]
    if decision == Decision.MERGE:
        workflow.merge(referral, data["into"], by=coordinator)
    elif decision == Decision.ACCEPT_NEW:
        workflow.accept_into_new_case(
            referral, by=coordinator, lead_professional=data["lead_professional"]
        )
    elif decision == Decision.ACCEPT_EXISTING:
        workflow.accept_into_open_case(referral, data["case"], by=coordinator)
    elif decision == Decision.SIGNPOST:
        workflow.signpost(referral, by=coordinator, to=data["signposted_to"])
    else:
        workflow.decline(referral, by=coordinator, reason=data["reason"])


MADE_KEY = "case_finding_made"


@require_http_methods(["GET", "POST"])
def case_finding_start(request: HttpRequest) -> HttpResponse:
    """Choose a cohort, its parameters and the purpose; run it for its person_keys."""
    home = resolve_home()
    cohorts = library.entries(home)
    form = CaseFindingForm(
        request.POST if request.method == "POST" else None,
        cohorts=[(name, f"{e.definition.title} ({name})") for name, e in sorted(cohorts.items())],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = case_finding.find(
                home, data["cohort"], data["parameters"], data["purpose"], signed_in_user(request)
            )
        except AgreementRefusedError as refusal:
            label = CaseFindingPurpose(data["purpose"]).label.lower()
            form.add_error("purpose", f"This cohort cannot be run for {label}: {refusal}")
        except (LookupError, ValueError, NotReadyError, NotLinkedError, OSError) as error:
            form.add_error("cohort", f"The cohort could not be run: {error}")
        else:
            request.session[case_finding.SESSION_KEY] = found.as_session()
            request.session.pop(MADE_KEY, None)
            return redirect("referrals:case_finding_people")
    context = {
        "form": form,
        "choices": form.choices(),
        "errors": form.error_links(),
        "cohorts": [cohorts[name] for name in sorted(cohorts)],
    }
    return render(
        request, "referrals/case_finding.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def case_finding_people(request: HttpRequest) -> HttpResponse:
    """The people the last run found, and referrals made for those the coordinator selects."""
    found = case_finding.Found.from_session(request.session.get(case_finding.SESSION_KEY))
    if found is None:
        return redirect("referrals:case_finding")
    known = triage.known_people(found.person_keys)
    form = CaseFindingPeopleForm(
        request.POST if request.method == "POST" else None,
        person_keys=found.person_keys,
        hints={k: _known_hint(d) for k, d in known.items() if d.found},
        cap=case_finding.MAX_AT_ONCE,
    )
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            made = case_finding.refer(
                found, form.cleaned_data["person_keys"], signed_in_user(request)
            )
        except case_finding.CaseFindingError as error:
            refusal = str(error)
        else:
            request.session[MADE_KEY] = [r.reference for r in made]
            return redirect("referrals:case_finding_people")
    options = form.options("person_keys")
    anchor = options[0].id if options else ""
    errors = [(anchor, refusal)] if refusal else form.error_links()
    context = {
        "found": found,
        "form": form,
        "choices": form.choices(),
        "errors": errors,
        "made": request.session.get(MADE_KEY, []) if request.method == "GET" else [],
        "listed_all": found.people <= len(found.person_keys),
    }
    return render(
        request, "referrals/case_finding_people.html", context, status=400 if errors else 200
    )


def _known_hint(known: triage.Duplication) -> str:
    cases = [f"Open case {c.reference}" for c in known.open_cases]
    recent = len(known.recent)
    referrals = [f"{recent} referral{'s' if recent != 1 else ''} in 90 days"] if recent else []
    return "Already known: " + ", ".join(cases + referrals)
