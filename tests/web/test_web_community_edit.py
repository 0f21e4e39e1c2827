"""Keeping the community directory up to date in the browser: add, change, mark reviewed and
close an asset, who may, and the audit of each change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import signed_in, today
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.casework import CaseworkError, add_need, open_case
from joinedup.web.community.directory import Search, capacity, search
from joinedup.web.community.models import Asset, AssetNeed, AssetReferral
from joinedup.web.community.signposting import refer
from joinedup.web.community.upkeep import REVIEW_MONTHS, next_review
from joinedup.web.community.vocabulary import Need

pytestmark = pytest.mark.django_db

EUXTON = "E05013077"


def entry(**changes: Any) -> dict[str, Any]:
    """A complete, valid form for a befriending service in Euxton."""
    fields: dict[str, Any] = {
        "name": "Euxton Friends",
        "kind": "befriending",
        "sector": "voluntary",
        "run_by": "Euxton Friends Group",
        "description": "Weekly visits",
        "needs": ["loneliness"],
        "age_group": "older_people",
        "address": "Community Centre",
        "postcode": "PR7 6AA",
        "ward_code": EUXTON,
        "days": ["wed", "mon"],
        "times": "10am to 12 noon",
        "places_per_week": "12",
        "contact": "friends@x.example",
        "owner": "Euxton Friends coordinator",
        "review_on": (today() + dt.timedelta(days=90)).isoformat(),
    }
    return fields | changes


def make_asset(**changes: Any) -> Asset:
    fields: dict[str, Any] = {
        "name": "Coppull Pantry",
        "kind": "food_bank",
        "sector": "community",
        "run_by": "Coppull Group",
        "age_group": "all_ages",
        "address": "Parish Centre",
        "ward_code": "E05013071",
        "days": "sat",
        "places_per_week": 40,
        "contact": "pantry@x.example",
        "owner": "Pantry lead",
        "review_on": today() - dt.timedelta(days=30),
    }
    asset = Asset.objects.create(**(fields | changes))
    AssetNeed.objects.create(asset=asset, need="food_poverty")
    return asset


@pytest.fixture
def officer(make_user: Callable[..., User]) -> Client:
    return signed_in(make_user(Role.PROGRAMME_OFFICER, email="olu@council.example"))


def verbs(asset: Asset) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="asset", object_id=str(asset.pk))
        .order_by("sequence")
        .values_list("verb", flat=True)
    )


def test_an_officer_adds_an_asset_with_every_field_and_it_is_audited(officer: Client) -> None:
    assert officer.get(reverse("community:asset_new")).status_code == 200
    added = officer.post(reverse("community:asset_new"), entry())
    assert added.status_code == 302
    asset = Asset.objects.get()
    assert added["Location"] == reverse("community:asset", args=[asset.pk])
    assert (asset.kind, asset.ward_code, asset.days, asset.places_per_week) == (
        "befriending",
        EUXTON,
        "mon,wed",  # in week order
        12,
    )
    assert asset.need_labels == ["Loneliness and isolation"]
    assert asset.closed_on is None and not asset.is_stale
    event = AuditEvent.objects.get(verb="community.asset_added")
    assert event.actor == "olu@council.example" and event.object_id == str(asset.pk)
    assert event.detail["needs"] == ["loneliness"]
    # The fields are named, never their text: the contact and owner may name a person.
    assert "friends@x.example" not in str(event.detail)
    assert "coordinator" not in str(event.detail)
    assert search(Search(needs=(Need.LONELINESS,))).get() == asset


def test_a_broken_entry_is_refused_with_an_error_summary_and_nothing_saved(
    officer: Client,
) -> None:
    make_asset(name="Euxton Friends", ward_code=EUXTON)
    broken = entry(
        name="euxton friends",  # already in this ward
        needs=[],
        places_per_week="-3",
        review_on="31/02/2030",
    )
    refused = officer.post(reverse("community:asset_new"), broken)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_needs_0">Select at least one need the asset meets' in page
    assert 'href="#id_places_per_week"' in page and 'href="#id_review_on"' in page
    assert Asset.objects.count() == 1
    # The form's own checks pass; the directory's rule (one name a ward) is named.
    duplicate = officer.post(reverse("community:asset_new"), entry(name="EUXTON FRIENDS"))
    assert duplicate.status_code == 400
    assert "already in the directory in this ward" in duplicate.content.decode()
    past = officer.post(reverse("community:asset_new"), entry(name="New", review_on="2020-01-01"))
    assert "must be today or in the future" in past.content.decode()
    assert Asset.objects.count() == 1
    assert not AuditEvent.objects.filter(verb="community.asset_added").exists()


def test_an_officer_changes_an_asset_whose_dates_show_as_iso(officer: Client) -> None:
    asset = make_asset(review_on=dt.date(2031, 3, 9))
    form = officer.get(reverse("community:asset_edit", args=[asset.pk]))
    assert form.status_code == 200
    page = form.content.decode()
    assert 'type="date"' in page and 'value="2031-03-09"' in page
    assert 'value="food_poverty" checked' in page and 'value="sat" checked' in page
    changed = entry(
        name="Coppull Pantry",
        kind="food_bank",
        ward_code="E05013071",
        needs=["food_poverty", "debt"],
        review_on="2031-03-09",
        places_per_week="55",
    )
    assert (
        officer.post(reverse("community:asset_edit", args=[asset.pk]), changed).status_code == 302
    )
    asset.refresh_from_db()
    assert asset.places_per_week == 55 and asset.days == "mon,wed"
    assert sorted(n.need for n in asset.needs.all()) == ["debt", "food_poverty"]
    event = AuditEvent.objects.get(verb="community.asset_changed")
    assert "places_per_week" in event.detail["changed"] and "needs" in event.detail["changed"]
    assert "review_on" not in event.detail["changed"] and "name" not in event.detail["changed"]
    # Saving it again unchanged records nothing.
    officer.post(reverse("community:asset_edit", args=[asset.pk]), changed)
    assert verbs(asset) == ["community.asset_changed"]


def test_marking_a_stale_entry_reviewed_moves_its_review_date_on_a_period(
    officer: Client,
) -> None:
    asset = make_asset()
    stale_list = officer.get(reverse("community:directory"), {"stale": "on"})
    assert [a.pk for a in stale_list.context["assets"]] == [asset.pk]
    page = stale_list.content.decode()
    assert reverse("community:asset_review", args=[asset.pk]) in page
    assert "Mark as reviewed" in page
    done = officer.post(reverse("community:asset_review", args=[asset.pk]), {"back": "stale"})
    assert done.status_code == 302 and done["Location"].endswith("?stale=on")
    asset.refresh_from_db()
    assert asset.review_on == next_review(today()) and not asset.is_stale
    assert (asset.review_on - today()).days in range(365, 367)  # a year on
    assert not officer.get(reverse("community:directory"), {"stale": "on"}).context["assets"]
    event = AuditEvent.objects.get(verb="community.asset_reviewed")
    assert event.detail["now"] == asset.review_on.isoformat()
    # Marking reviewed is a POST only: a link cannot do it.
    assert officer.get(reverse("community:asset_review", args=[asset.pk])).status_code == 405


def test_the_hub_coordinator_keeps_the_directory_too(make_user: Callable[..., User]) -> None:
    coordinator = signed_in(make_user(Role.HUB_COORDINATOR, email="hana@council.example"))
    asset = make_asset()
    assert "Add an asset" in coordinator.get(reverse("community:directory")).content.decode()
    done = coordinator.post(reverse("community:asset_review", args=[asset.pk]), {})
    assert done.status_code == 302
    asset.refresh_from_db()
    assert not asset.is_stale


def test_the_review_period_is_twelve_months_and_keeps_to_real_dates() -> None:
    assert REVIEW_MONTHS == 12
    assert next_review(dt.date(2026, 11, 27)) == dt.date(2027, 11, 27)
    assert next_review(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


def test_a_closed_asset_leaves_search_and_the_gaps_but_keeps_its_referrals(
    officer: Client, practitioner: User
) -> None:
    asset = make_asset()
    case = open_case(
        "P000000042",
        organisation=practitioner.organisation,
        opened_by=practitioner,
        lead_professional=practitioner,
    )
    add_need(case, by=practitioner, domain="money", need="Short of food", goal="Food")
    referral = refer(case, asset, by=practitioner, need=Need.FOOD_POVERTY, on=today())
    assert officer.get(reverse("community:asset_close", args=[asset.pk])).status_code == 200
    closed = officer.post(
        reverse("community:asset_close", args=[asset.pk]), {"closed_on": today().isoformat()}
    )
    assert closed.status_code == 302
    asset.refresh_from_db()
    assert asset.closed_on == today() and asset.is_closed
    assert not search(Search(needs=(Need.FOOD_POVERTY,))).exists()
    assert capacity() == []
    assert AssetReferral.objects.get() == referral  # the history stays
    page = officer.get(reverse("community:asset", args=[asset.pk])).content.decode()
    assert "stopped running on" in page and "Close the asset" not in page
    with pytest.raises(CaseworkError, match="has closed"):
        refer(case, asset, by=practitioner, need=Need.FOOD_POVERTY, on=today())
    assert verbs(asset) == ["community.asset_closed"]
    # Closed by mistake: reopened, it is found again.
    assert "Reopen the asset" in page
    reopened = officer.post(reverse("community:asset_close", args=[asset.pk]), {"reopen": "yes"})
    assert reopened.status_code == 302
    assert list(search(Search(needs=(Need.FOOD_POVERTY,)))) == [asset]
    assert verbs(asset) == ["community.asset_closed", "community.asset_reopened"]


def test_an_asset_closing_later_is_found_until_then(officer: Client) -> None:
    asset = make_asset()
    later = (today() + dt.timedelta(days=7)).isoformat()
    officer.post(reverse("community:asset_close", args=[asset.pk]), {"closed_on": later})
    assert list(search(Search())) == [asset]
    bad = officer.post(reverse("community:asset_close", args=[asset.pk]), {"closed_on": "soon"})
    assert bad.status_code == 400 and "There is a problem" in bad.content.decode()


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.EXECUTIVE_MEMBER])
def test_a_practitioner_or_executive_member_may_not_change_the_directory(
    make_user: Callable[..., User], role: Role
) -> None:
    asset = make_asset()
    client = signed_in(make_user(role))
    attempts = [
        ("post", reverse("community:asset_new"), entry()),
        ("get", reverse("community:asset_edit", args=[asset.pk]), {}),
        ("post", reverse("community:asset_edit", args=[asset.pk]), entry()),
        ("post", reverse("community:asset_review", args=[asset.pk]), {}),
        ("post", reverse("community:asset_close", args=[asset.pk]), {"closed_on": "2026-01-01"}),
    ]
    for method, url, data in attempts:
        assert getattr(client, method)(url, data).status_code == 403
    asset.refresh_from_db()
    assert (asset.review_on, asset.closed_on, asset.places_per_week) == (
        today() - dt.timedelta(days=30),
        None,
        40,
    )
    assert Asset.objects.count() == 1
    denied = AuditEvent.objects.filter(verb="access.denied").values_list("object_id", flat=True)
    assert sorted(set(denied)) == [
        "community:asset_close",
        "community:asset_edit",
        "community:asset_new",
        "community:asset_review",
    ]
    # Neither sees the buttons that would lead there.
    page = client.get(reverse("community:asset", args=[asset.pk])).content.decode()
    assert "Change the entry" not in page and "Mark as reviewed" not in page
    stale = client.get(reverse("community:directory"), {"stale": "on"}).content.decode()
    assert "Mark as reviewed" not in stale
