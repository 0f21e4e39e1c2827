"""Linkage review in the web app: the hub coordinator decides pairs from the queue (both records
side by side, Splink's match weights), the decisions are audited and applied by a linkage run
started from the browser; analysts see linkage quality, never the pairs. On a small synthetic
borough, loaded and linked for real."""

from __future__ import annotations

import html
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from conftest import signed_in
from joinedup.home import HOME_ENVIRONMENT_VARIABLE
from joinedup.linkage import review
from joinedup.linkage.published import connect_linked
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import verify
from joinedup.web.audit.models import AuditEvent
from joinedup.web.jobs.models import Job, JobStatus
from joinedup.web.linkage_review.waterfall import prior_weight, waterfall
from joinedup.web.linkflags.models import LinkageFlag

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_linked_home")]
QUEUE = "/linkage-review/"


def rows(home: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    connection = connect_linked(home)
    try:
        return connection.execute(sql, params or []).fetchall()
    finally:
        connection.close()


def person_of(home: Path, node: str) -> str:
    return str(
        rows(home, "SELECT person_key FROM link_person_nodes WHERE node_id = ?", [node])[0][0]
    )


def apart(home: Path, wanted: int) -> list[tuple[int, str, str]]:
    """``wanted`` queued pairs (pair_id, node, node) whose four people are all different, so
    that deciding one cannot change what another does."""
    chosen: list[tuple[int, str, str]] = []
    people: set[str] = set()
    queued = rows(home, "SELECT pair_id, node_id_l, node_id_r FROM link_review_queue ORDER BY 1")
    for pair_id, left, right in queued:
        keys = {person_of(home, str(left)), person_of(home, str(right))}
        if not keys & people:
            chosen.append((int(str(pair_id)), str(left), str(right)))
            people |= keys
    assert len(chosen) >= wanted, "the borough's queue has too few separate pairs"
    return chosen[:wanted]


def run_id(home: Path) -> int:
    return int(str(rows(home, "SELECT max(run_id) FROM link_runs")[0][0]))


@pytest.fixture
def hub_copy(on_linked_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The linked hub copied, for tests that record decisions or link again."""
    copy = tmp_path / "hub"
    shutil.copytree(on_linked_home, copy, symlinks=True)
    monkeypatch.setenv(HOME_ENVIRONMENT_VARIABLE, str(copy))
    return copy


def decide(client: Client, home: Path, pair_id: int, decision: str, note: str = "") -> object:
    form = {"run_id": run_id(home), "pair_id": pair_id, "decision": decision, "note": note}
    return client.post(QUEUE, form)


def test_the_queue_shows_the_likeliest_pair_side_by_side_with_its_match_weights(
    coordinator: User, practitioner: User, linked_home: Path
) -> None:
    first = review.queue(linked_home)[0]
    LinkageFlag.objects.create(
        person_key="P000000007", kind="not_same_person", details="d", flagged_by=practitioner
    )
    page = signed_in(coordinator).get(QUEUE)
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Pair {first.pair_id}:" in text
    for side in (first.left, first.right):
        for field in ("given", "family", "postcode"):
            if side[field]:
                assert html.escape(str(side[field])) in text, field
    assert "Differs" in text or "Missing" in text
    # The waterfall, as an image with its words and as a table: the prior, every comparison.
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in text
    assert "Match weights for this pair, as a table" in text and ">Prior<" in text
    for level in first.levels.values():
        assert html.escape(level.rsplit(" (", 1)[0]) in text
    assert f"{first.match_probability:.1%}" in text
    # Practitioners' flags arrive here, each linked to resolving it.
    flag = LinkageFlag.objects.get()
    assert f'href="/linkage-flags/{flag.pk}/"' in text and flag.reference in text
    assert 'data-shortcut="a"' in text and "review-keys.js" in text


def test_the_waterfall_adds_up_from_the_models_prior_to_splinks_match_weight(
    linked_home: Path,
) -> None:
    model_version = str(rows(linked_home, "SELECT max(model_version) FROM link_runs")[0][0])
    prior = prior_weight(linked_home, model_version)
    assert prior < -5  # two records chosen at random are rarely the same person
    for pair in review.queue(linked_home)[:5]:
        chart = waterfall(pair, prior)
        assert chart.steps[0].name == "Prior"
        assert len(chart.steps) == 1 + len(pair.levels)
        # Each level's weight is kept to one decimal place: the parts add up to within that.
        assert chart.steps[-1].running == pytest.approx(
            pair.match_weight, abs=0.05 * len(chart.steps)
        )


def test_a_decision_is_recorded_audited_and_shown_until_the_next_run(
    coordinator: User, hub_copy: Path
) -> None:
    client = signed_in(coordinator)
    first = review.queue(hub_copy)[0]
    sent = decide(client, hub_copy, first.pair_id, "same_person", note="Same NHS number on file")
    assert sent.status_code == 302 and sent["Location"] == f"{QUEUE}?done=same_person"  # type: ignore[attr-defined]
    page = client.get(sent["Location"]).content.decode()  # type: ignore[attr-defined]
    assert "Decided: same person. Applied at the next linkage run." in page
    assert "Decided, applied at the next run" in page and "Same NHS number on file" in page
    assert f"Pair {first.pair_id}:" not in page  # the next pair is shown

    connection = connect_linked(hub_copy)
    review.load_decisions(connection, hub_copy)
    kept = connection.execute(
        "SELECT node_id_l, node_id_r, decision, reviewer FROM link_decisions"
    ).fetchall()
    connection.close()
    assert len(kept) == 1 and kept[0][2:] == ("same_person", coordinator.email)
    event = AuditEvent.objects.get(verb="linkage.pair_decided")
    assert event.actor == coordinator.email
    assert event.object_type == "linkage_pair" and event.object_id == f"{kept[0][0]}|{kept[0][1]}"
    assert event.detail == {
        "decision": "same_person",
        "run_id": run_id(hub_copy),
        "pair_id": first.pair_id,
    }
    assert "note" not in event.detail
    assert verify().intact


def test_a_skipped_pair_waits_and_a_pair_from_an_older_run_is_refused(
    coordinator: User, hub_copy: Path
) -> None:
    client = signed_in(coordinator)
    first, second = review.queue(hub_copy)[:2]
    skipped = decide(client, hub_copy, first.pair_id, "skip")
    assert skipped["Location"] == f"{QUEUE}?done=skip"  # type: ignore[index]
    page = client.get(QUEUE).content.decode()
    assert f"Pair {second.pair_id}:" in page and "1 skipped for now" in page
    assert not AuditEvent.objects.filter(verb="linkage.pair_decided").exists()

    stale = client.post(
        QUEUE,
        {"run_id": run_id(hub_copy) - 1, "pair_id": first.pair_id, "decision": "same_person"},
    )
    assert stale.status_code == 409
    assert "Linkage has run again" in stale.content.decode()
    assert not AuditEvent.objects.filter(verb="linkage.pair_decided").exists()
    unknown = decide(client, hub_copy, 999_999, "not_same_person")
    assert unknown.status_code == 409  # type: ignore[attr-defined]
    assert not AuditEvent.objects.filter(verb="linkage.pair_decided").exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PRACTITIONER, Role.EXECUTIVE_MEMBER])
def test_nobody_but_the_coordinator_sees_the_pairs_and_the_refusal_is_audited(
    role: Role, client_as: Callable[..., Client], linked_home: Path
) -> None:
    client = client_as(role)
    first = review.queue(linked_home)[0]
    for url in (QUEUE, "/linkage-review/run/"):
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert html.escape(str(first.left["family"])) not in refused.content.decode()
    refused = client.post(QUEUE, {"run_id": 1, "pair_id": first.pair_id, "decision": "same_person"})
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(verb="access.denied").count() == 3
    assert not AuditEvent.objects.filter(verb="linkage.pair_decided").exists()


def test_an_analyst_sees_linkage_quality_over_time_and_what_a_run_changed(
    client_as: Callable[..., Client], linked_home: Path
) -> None:
    client = client_as(Role.ANALYST)
    page = client.get("/linkage-review/quality/")
    assert page.status_code == 200
    text = page.content.decode()
    persons = int(
        str(rows(linked_home, "SELECT count(DISTINCT person_key) FROM link_person_nodes")[0][0])
    )
    assert "Every run, latest first" in text and f">{persons:,}<" in text
    assert text.count('role="img"') == 2
    assert "Linkage review queue" not in text  # not theirs to open
    summary = client.get(f"/linkage-review/runs/{run_id(linked_home)}/")
    assert summary.status_code == 200 and f">{persons:,}" in summary.content.decode()
    assert client.get("/linkage-review/runs/999/").status_code == 404
    assert client_as(Role.EXECUTIVE_MEMBER).get("/linkage-review/quality/").status_code == 403


def test_three_decisions_then_a_run_from_the_browser_change_the_person_index(
    coordinator: User, hub_copy: Path
) -> None:
    client = signed_in(coordinator)
    (same_a, *a), (apart_b, *b), (same_c, *c) = apart(hub_copy, 3)
    before = run_id(hub_copy)
    persons_before = rows(hub_copy, "SELECT count(DISTINCT person_key) FROM link_person_nodes")[0][
        0
    ]
    assert person_of(hub_copy, a[0]) != person_of(hub_copy, a[1])
    for pair_id, decision in (
        (same_a, "same_person"),
        (apart_b, "not_same_person"),
        (same_c, "same_person"),
    ):
        assert decide(client, hub_copy, pair_id, decision).status_code == 302  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(verb="linkage.pair_decided").count() == 3

    confirm = client.get("/linkage-review/run/").content.decode()
    assert "3 decisions made since the last run will be applied." in confirm
    started = client.post("/linkage-review/run/")
    job = Job.objects.get(kind="linkage.run")
    assert started.status_code == 302 and started["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (
        job.result["run_id"] == before + 1
        and job.result["url"] == f"/linkage-review/runs/{before + 1}/"
    )
    job_page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f'href="/linkage-review/runs/{before + 1}/"' in job_page

    # Decided "same person": one person_key now; "not the same person": still two.
    assert person_of(hub_copy, a[0]) == person_of(hub_copy, a[1])
    assert person_of(hub_copy, c[0]) == person_of(hub_copy, c[1])
    assert person_of(hub_copy, b[0]) != person_of(hub_copy, b[1])
    persons_after = rows(hub_copy, "SELECT count(DISTINCT person_key) FROM link_person_nodes")[0][0]
    assert persons_after == persons_before - 2  # type: ignore[operator]

    summary = client.get(job.result["url"]).content.decode()
    assert f"{persons_after:,} (run {before}: {persons_before:,}; 2 fewer)" in summary
    assert '<dd class="govuk-summary-list__value" id="decided-merges">2</dd>' in summary
    assert summary.count(">Merged<") == 2
    queue = client.get(QUEUE).content.decode()
    assert "No decisions are waiting for the next run." in queue
    assert f"Queue of linkage run {before + 1}" in queue
    quality = client.get("/linkage-review/quality/").content.decode()
    assert f"Run {before + 1}" in quality and f"Run {before}" in quality


def test_a_second_run_is_not_started_while_one_is_going(
    coordinator: User, make_user: Callable[..., User], hub_copy: Path
) -> None:
    other = make_user(Role.HUB_COORDINATOR, email="second@council.example")
    going = Job.objects.create(kind="linkage.run", title="Run linkage now", started_by=other)
    before = run_id(hub_copy)
    client = signed_in(coordinator)
    refused = client.post("/linkage-review/run/")
    assert refused.status_code == 409
    assert (
        "A linkage run is already going: started by second@council.example"
        in refused.content.decode()
    )
    assert list(Job.objects.values_list("pk", flat=True)) == [going.pk]
    assert run_id(hub_copy) == before
