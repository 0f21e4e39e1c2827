"""Isolated older residents counted from the hub's own linked records: each ward's count is the
households of one resident aged 65 or over, through disclosure control, and the befriending
audit can rank wards on them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import signed_in
from joinedup.analytics import base, provenance
from joinedup.analytics.disclosure import control_count
from joinedup.analytics.households import members_sql
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.community.hub_needs import isolated_older_residents
from joinedup.web.community.seed import seed_directory
from joinedup.web.community.wards import wards

pytestmark = pytest.mark.django_db


def _by_hand(home: Path) -> Counter[str]:
    """Households of one member aged 65+, counted in Python from the members' rows."""
    connection = base.open_base(home)
    try:
        at = base.snapshot(connection).last_event
        rows = connection.execute(
            f"SELECT m.household_key, m.age, a.ward_code FROM ({members_sql(at)}) AS m "
            "JOIN areas AS a USING (lsoa21)"
        ).fetchall()
    finally:
        connection.close()
    members: dict[str, list[tuple[int, str]]] = {}
    for household, age, ward in rows:
        members.setdefault(household, []).append((age, ward))
    return Counter(
        people[0][1] for people in members.values() if len(people) == 1 and people[0][0] >= 65
    )


def test_each_ward_is_counted_and_controlled(linked_home: Path) -> None:
    counted = isolated_older_residents(linked_home)
    expected = _by_hand(linked_home)
    assert sum(expected.values()) > 0
    assert list(counted.by_ward.cells) == [w.code for w in wards()]
    for code, cell in counted.by_ward.cells.items():
        if cell.value is not None:
            assert cell.value == control_count(expected.get(code, 0)).value, code
    assert counted.need_counts(), "the small borough still publishes some wards"
    published = {n.ward_code for n in counted.need_counts()}
    assert published | set(counted.hidden()) == {w.code for w in wards()}
    logged = [e for e in provenance.history(linked_home) if e.get("run_id") == counted.run_id]
    assert logged and logged[0]["purpose"] == "locality_profiling"


def test_the_befriending_audit_ranks_on_the_hubs_counts(
    on_linked_home: Path, make_user: Callable[..., User]
) -> None:
    seed_directory()
    client = signed_in(make_user(Role.HUB_COORDINATOR))
    page = client.get(reverse("community:befriending"), {"source": "hub"})
    assert page.status_code == 200
    assert page.context["from_hub"] and not page.context["unavailable"]
    assert not page.context["measure"].published
    ranked = page.context["gaps"]
    assert all(g.people % 5 == 0 for g in ranked)  # rounded, as disclosure control does
    assert "shown only through disclosure control" in page.content.decode()


def test_without_linked_records_the_census_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_user: Callable[..., User]
) -> None:
    monkeypatch.setenv("JOINEDUP_HOME", str(tmp_path))
    client = signed_in(make_user(Role.HUB_COORDINATOR))
    page = client.get(reverse("community:befriending"), {"source": "hub"})
    assert page.status_code == 200
    assert not page.context["from_hub"] and page.context["unavailable"]
    assert page.context["measure"].published
