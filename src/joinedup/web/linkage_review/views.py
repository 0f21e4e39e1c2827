"""The linkage review pages: the queue (hub coordinator), the next run, and quality over time.

The queue shows both records' names, dates of birth and addresses: identity-zone data, so it is
the hub coordinator's alone (the policy table; they sign in with two factors). A run's summary
and linkage quality over time are counts about the linkage, for analysts too.
"""

from __future__ import annotations

from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.home import resolve_home
from joinedup.linkage import review
from joinedup.linkage.published import NotLinkedError
from joinedup.web.accounts.enforcement import signed_in_user, user_holds
from joinedup.web.accounts.policy import Permission
from joinedup.web.linkage_review import pairs, quality, running, trend
from joinedup.web.linkage_review.waterfall import prior_weight, waterfall, waterfall_svg
from joinedup.web.linkflags.flags import open_flags

SKIPPED = "linkage_review_skipped"  # {"run": run_id, "pairs": [pair_id, ...]} in the session
DONE = {"same_person": "same person", "not_same_person": "not the same person", "skip": "skipped"}
NOTE_LIMIT = 500


@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    home = resolve_home()
    try:
        run_id, finished_at, model_version = pairs.published_run(home)
    except NotLinkedError as not_linked:
        return render(request, "linkage_review/not_linked.html", {"reason": str(not_linked)})
    refusal = ""
    if request.method == "POST":
        outcome = _decide(request, home, run_id)
        if outcome.startswith("done:"):
            return redirect(f"{reverse('linkage_review:queue')}?done={outcome[5:]}")
        refusal = outcome
    skipped = _skipped(request, run_id)
    pair, waiting = pairs.next_pair(home, skipped)
    context: dict[str, object] = {
        "run_id": run_id,
        "finished_at": finished_at,
        "pair": pair,
        "waiting": waiting,
        "skipped": len(skipped),
        "done": DONE.get(request.GET.get("done", "")),
        "error": refusal,
        "pending": pairs.pending_decisions(home, finished_at),
        "flags": list(open_flags()),
    }
    if pair is not None:
        chart = waterfall(pair, prior_weight(home, model_version))
        context |= {
            "fields": pairs.compared_fields(pair),
            "steps": [
                {
                    "name": step.name,
                    "level": step.level,
                    "weight": f"{step.weight:+.1f}",
                    "probability": _percent(step.probability),
                }
                for step in chart.steps
            ],
            "total": f"{chart.total:+.2f}",
            "probability": f"{chart.match_probability:.1%}",
            "chart_svg": mark_safe(waterfall_svg(chart)),
        }
    return render(request, "linkage_review/queue.html", context, status=409 if refusal else 200)


def _percent(chance: float) -> str:
    """A probability as people read it: a chance below one in a thousand is not "0.0%"."""
    return f"{chance:.1%}" if chance >= 0.001 else "under 0.1%"


def _decide(request: HttpRequest, home: Path, run_id: int) -> str:
    """'done:<decision>' when recorded, else the reason it was not."""
    decision = request.POST.get("decision", "")
    note = request.POST.get("note", "")[:NOTE_LIMIT]
    try:
        shown_run, pair_id = int(request.POST["run_id"]), int(request.POST["pair_id"])
    except (KeyError, ValueError):
        return "Choose a pair from the queue."
    if decision == "skip":
        if shown_run == run_id:
            request.session[SKIPPED] = {
                "run": run_id,
                "pairs": [*_skipped(request, run_id), pair_id],
            }
        return "done:skip"
    try:
        pairs.decide(signed_in_user(request), home, shown_run, pair_id, decision, note)
    except (pairs.StaleQueueError, review.ReviewError) as refused:
        return str(refused)
    return f"done:{decision}"


def _skipped(request: HttpRequest, run_id: int) -> list[int]:
    kept = request.session.get(SKIPPED) or {}
    return [int(p) for p in kept.get("pairs", [])] if kept.get("run") == run_id else []


@require_http_methods(["GET", "POST"])
def run_now(request: HttpRequest) -> HttpResponse:
    """Confirm, then start the next linkage run as a job and follow it on the job's page."""
    under_way = running.run_under_way()
    if request.method == "POST" and under_way is None:
        job = running.start_run(resolve_home(), signed_in_user(request))
        return redirect("jobs:job", job_id=job.pk)
    home = resolve_home()
    try:
        _, finished_at, _ = pairs.published_run(home)
    except NotLinkedError as error:
        return render(request, "linkage_review/not_linked.html", {"reason": str(error)})
    context = {"pending": pairs.pending_decisions(home, finished_at), "under_way": under_way}
    status = 409 if request.method == "POST" else 200
    return render(request, "linkage_review/run_now.html", context, status=status)


def _can_review(request: HttpRequest) -> bool:
    return user_holds(request, Permission.TRIAGE_REFERRALS)


@require_GET
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    """What one run changed: the person index before and after, and the reviewers' changes."""
    home = resolve_home()
    try:
        found = quality.run_of(home, run_id)
    except NotLinkedError as error:
        return render(request, "linkage_review/not_linked.html", {"reason": str(error)})
    if found is None:
        raise Http404("No such run")
    this, before = found
    context = {
        "run": this,
        "before": before,
        "change": this.persons - before.persons if before else None,
        "decided": quality.decided_changes(home, run_id),
        "can_review": _can_review(request),
    }
    return render(request, "linkage_review/run.html", context)


@require_GET
def quality_over_time(request: HttpRequest) -> HttpResponse:
    try:
        history = quality.runs(resolve_home())
    except NotLinkedError as error:
        return render(request, "linkage_review/not_linked.html", {"reason": str(error)})
    labels = [f"Run {r.run_id}" for r in history]
    review_chart = trend.line_chart(
        "review-rate",
        "Share of uncertain and linked pairs sent to review, by run",
        labels,
        [trend.Series("Review rate", [100 * r.review_share for r in history])],
        shown=lambda v: f"{v:.1f}%",
    )
    changes_chart = trend.line_chart(
        "key-changes",
        "Person keys merged and split, by run",
        labels,
        [
            trend.Series("Merges", [float(r.merges) for r in history]),
            trend.Series("Splits", [float(r.splits) for r in history]),
            trend.Series(
                "Reviewers' decisions applied", [float(r.decisions_applied) for r in history]
            ),
        ],
    )
    context = {
        "runs": list(reversed(history)),
        "review_chart": mark_safe(review_chart),
        "changes_chart": mark_safe(changes_chart),
        "can_review": _can_review(request),
    }
    return render(request, "linkage_review/quality.html", context)
