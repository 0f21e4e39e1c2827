"""The analysts' locality profiles: the borough's map by any indicator, an area's profile beside
the borough, two places compared, and each as CSV or Excel. Who may see them is the policy
table's business (VIEW_AGGREGATES); what they show is the domain's (dashboard.localities,
comparison.py, tables.py)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from joinedup.analytics.profiles import AreaProfile
from joinedup.home import resolve_home
from joinedup.web.accounts.enforcement import signed_in_user
from joinedup.web.audit.chain import record_by
from joinedup.web.dashboard import localities as places
from joinedup.web.dashboard.downloads import MEDIA_TYPES, Format, Sheet
from joinedup.web.localities import comparison, tables

NO_PROFILES = "localities/no_data.html"


def _found() -> tuple[places.Localities | None, str]:
    return places.available(resolve_home(), timezone.localdate())


def _format(file_format: str) -> Format:
    if file_format not in MEDIA_TYPES:
        raise Http404("No such format")
    return "xlsx" if file_format == "xlsx" else "csv"


def _known(found: places.Localities, code: str) -> AreaProfile | None:
    """The ward or LSOA with ``code``; None for any other code, the borough's included."""
    try:
        area = found.profiles.area(code)
    except KeyError:
        return None
    return area if area.level in places.LEVELS else None


def _area(found: places.Localities, code: str) -> AreaProfile:
    area = _known(found, code)
    if area is None:
        raise Http404("No such area")
    return area


def _choices(found: places.Localities) -> list[tuple[str, list[AreaProfile]]]:
    return [(label, list(found.profiles.areas(level))) for level, label in places.LEVELS.items()]


def _sent(
    request: HttpRequest,
    found: places.Localities,
    sheet: Sheet,
    file_format: Format,
    name: str,
    *areas: AreaProfile,
) -> HttpResponse:
    data = tables.as_file(found.profiles, sheet, file_format, *areas)
    with transaction.atomic():
        record_by(
            signed_in_user(request),
            "localities.downloaded",
            "locality_profile",
            name,
            {
                "table": sheet[0].lower(),
                "format": file_format,
                "bytes": len(data),
                "rows": len(sheet[2]),
                "profile_run": found.profiles.run_id,
            },
        )
    response = HttpResponse(data, content_type=MEDIA_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


def _no_profiles(request: HttpRequest, why_not: str) -> HttpResponse:
    return render(request, NO_PROFILES, {"why_not": why_not})


@require_GET
def choropleth(request: HttpRequest) -> HttpResponse:
    found, why_not = _found()
    if found is None:
        return _no_profiles(request, why_not)
    level = places.level_of(request.GET.get("level"))
    indicator = found.indicator(request.GET.get("indicator", places.DEFAULT_INDICATOR))
    areas = found.profiles.areas(level)
    return render(
        request,
        "localities/map.html",
        {
            "found": found,
            "level": level,
            "levels": places.LEVELS,
            "indicator": indicator,
            "themes": places.by_theme(found.profiles.indicators),
            "map": places.map_svg(
                found, indicator, level, lambda code: reverse("localities:area", args=[code])
            ),
            "rows": [(area, places.line(found, area, indicator)) for area in areas],
            "borough": places.line(found, found.profiles.borough, indicator),
        },
    )


@require_GET
def choropleth_download(request: HttpRequest, file_format: str) -> HttpResponse:
    chosen = _format(file_format)
    found, _ = _found()
    if found is None:
        return redirect("localities:map")  # which says why there is nothing to download
    level = places.level_of(request.GET.get("level"))
    indicator = found.indicator(request.GET.get("indicator", places.DEFAULT_INDICATOR))
    sheet = tables.map_table(found.profiles, indicator, level)
    return _sent(request, found, sheet, chosen, f"localities-{level}-{indicator.key}")


@require_GET
def area(request: HttpRequest, code: str) -> HttpResponse:
    found, why_not = _found()
    if found is None:
        return _no_profiles(request, why_not)
    chosen = _area(found, code)
    return render(
        request,
        "localities/area.html",
        {
            "found": found,
            "area": chosen,
            "lines": places.lines(found, chosen),
            "spine": comparison.spine_svg(found, chosen),
        },
    )


@require_GET
def area_download(request: HttpRequest, code: str, file_format: str) -> HttpResponse:
    chosen_format = _format(file_format)
    found, _ = _found()
    if found is None:
        return redirect("localities:map")  # which says why there is nothing to download
    chosen = _area(found, code)
    sheet = tables.profile_table(found.profiles, chosen)
    return _sent(request, found, sheet, chosen_format, f"locality-{chosen.code}", chosen)


def _pair(
    found: places.Localities, first: str, second: str
) -> tuple[AreaProfile | None, AreaProfile | None, dict[str, str]]:
    """The two areas asked for, and an error for each choice that is missing or wrong."""
    chosen = _known(found, first), _known(found, second)
    errors = {
        field: f"Choose the {field} area"
        for field, area in zip(("first", "second"), chosen, strict=True)
        if area is None
    }
    if not errors and first == second:
        errors["second"] = "Choose a different area from the first"
    return chosen[0], chosen[1], errors


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    found, why_not = _found()
    if found is None:
        return _no_profiles(request, why_not)
    first_code = request.GET.get("first", "")
    second_code = request.GET.get("second", "")
    context: dict[str, object] = {
        "found": found,
        "choices": _choices(found),
        "first_code": first_code,
        "second_code": second_code,
        "method": comparison.METHOD,
    }
    if "second" in request.GET:
        first, second, errors = _pair(found, first_code, second_code)
        context["errors"] = errors
        if first is not None and second is not None and not errors:
            context |= {
                "first": first,
                "second": second,
                "rows": [
                    (pair, pair.verdict(first.name))
                    for pair in comparison.pairs(found, first, second)
                ],
                "chart": comparison.pair_svg(found, first, second),
            }
    return render(request, "localities/compare.html", context)


@require_GET
def compare_download(request: HttpRequest, file_format: str) -> HttpResponse:
    chosen = _format(file_format)
    found, _ = _found()
    if found is None:
        return redirect("localities:map")  # which says why there is nothing to download
    first, second, errors = _pair(
        found, request.GET.get("first", ""), request.GET.get("second", "")
    )
    if first is None or second is None or errors:
        raise Http404("Choose two different areas")
    sheet = tables.comparison_table(found.profiles, first, second)
    name = f"localities-{first.code}-{second.code}"
    return _sent(request, found, sheet, chosen, name, first, second)
