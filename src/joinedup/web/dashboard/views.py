"""The Executive dashboard's pages and downloads. Who may see them is the policy table's business
(VIEW_AGGREGATES); what they show is the domain's (dashboard.py, localities.py)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from joinedup.analytics.disclosure import RULE
from joinedup.home import resolve_home
from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.audit.chain import record_by
from joinedup.web.dashboard import dashboard as figures
from joinedup.web.dashboard import localities as places
from joinedup.web.dashboard.cards import card
from joinedup.web.dashboard.downloads import MEDIA_TYPES, Format, as_file


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    built = figures.build(resolve_home())
    sections = [(s.title, [card(f) for f in s.figures]) for s in built.sections]
    return render(
        request,
        "dashboard/dashboard.html",
        {"sections": sections, "built": built, "rule": RULE},
    )


@require_GET
def download(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in MEDIA_TYPES:
        raise Http404("No such format")
    chosen: Format = "xlsx" if file_format == "xlsx" else "csv"
    built = figures.build(resolve_home())
    data = as_file(built.figures, chosen)
    with transaction.atomic():
        record_by(
            signed_in_user(request),
            "dashboard.downloaded",
            "dashboard",
            "executive",
            {"format": chosen, "bytes": len(data), "figures": len(built.figures)},
        )
    response = HttpResponse(data, content_type=MEDIA_TYPES[chosen])
    stamp = timezone.localtime(built.at).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{stamp}.{chosen}"'
    return response


def _localities() -> tuple[places.Localities | None, str]:
    return places.available(resolve_home(), timezone.localdate())


@require_GET
def localities(request: HttpRequest) -> HttpResponse:
    found, why_not = _localities()
    context: dict[str, object] = {"found": found, "why_not": why_not, "levels": places.LEVELS}
    if found is not None:
        level = places.level_of(request.GET.get("level"))
        indicator = found.indicator(request.GET.get("indicator", places.DEFAULT_INDICATOR))
        context |= {
            "level": level,
            "indicator": indicator,
            "themes": places.by_theme(found.profiles.indicators),
            "counts_residents": places.counts_residents(indicator),
            "map": places.map_svg(
                found, indicator, level, lambda code: reverse("dashboard:locality", args=[code])
            ),
            "areas": [
                (area, places.shown(area.figures[indicator.key], indicator, level))
                for area in found.profiles.areas(level)
            ],
            "borough": places.shown(
                found.profiles.borough.figures[indicator.key], indicator, "borough"
            ),
        }
    return render(request, "dashboard/localities.html", context)


@require_GET
def locality(request: HttpRequest, code: str) -> HttpResponse:
    found, why_not = _localities()
    if found is None:
        return render(request, "dashboard/localities.html", {"found": None, "why_not": why_not})
    try:
        area = found.profiles.area(code)
    except KeyError:
        raise Http404("No such area") from None
    return render(
        request,
        "dashboard/locality.html",
        {"found": found, "area": area, "lines": places.lines(found, area)},
    )
