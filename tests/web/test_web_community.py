"""The community directory: import (all or nothing), search, signposting from a case with
take-up through disclosure control, and who may do what."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from conftest import signed_in, today
from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.models import AuditEvent
from joinedup.web.cases.casework import CaseworkError, add_need, close_case, open_case
from joinedup.web.cases.models import Case
from joinedup.web.community.directory import Search, capacity, search
from joinedup.web.community.importer import AssetFileError, import_assets
from joinedup.web.community.models import Asset, AssetReferral
from joinedup.web.community.seed import SEED_ASSETS, seed_directory
from joinedup.web.community.signposting import record_take_up, refer, take_up_counts
from joinedup.web.community.vocabulary import AssetKind, Day, Need, TakeUp

pytestmark = pytest.mark.django_db

HEADER = (
    "name,kind,sector,run_by,needs,age_group,address,postcode,ward,days,times,"
    "places_per_week,contact,owner,review_on,description"
)
GOOD = (
    "Euxton Friends,befriending,voluntary,Euxton Friends,Loneliness and isolation,older_people,"
    "Community Centre,PR7 6AA,Euxton,Mon;Wed,10am,12,friends@x.example,Dee Owner,2030-01-31,\n"
    "Coppull Pantry,food bank,community,Coppull Group,food_poverty;debt,all_ages,Parish Centre,,"
    "coppull,sat,10am to 12,40,pantry@x.example,Dee Owner,2020-01-31,Cheap food"
)


def write(tmp_path: Path, *lines: str, name: str = "assets.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_a_good_file_is_imported_and_importing_it_again_changes_nothing(tmp_path: Path) -> None:
    report = import_assets(write(tmp_path, GOOD), actor="test")
    assert report.as_dict() == {"created": 2, "updated": 0}
    friends = Asset.objects.get(name="Euxton Friends")
    assert (friends.kind, friends.ward_code, friends.days) == (
        "befriending",
        "E05013077",
        "mon,wed",
    )
    assert friends.need_labels == ["Loneliness and isolation"]
    assert friends.places_per_week == 12 and not friends.is_stale
    pantry = Asset.objects.get(name="Coppull Pantry")
    assert sorted(n.need for n in pantry.needs.all()) == ["debt", "food_poverty"]
    assert pantry.is_stale  # reviewed by 2020: flagged
    again = import_assets(write(tmp_path, GOOD), actor="test")
    assert again.as_dict() == {"created": 0, "updated": 2}
    assert Asset.objects.count() == 2
    assert AuditEvent.objects.filter(verb="community.assets_imported").count() == 2


def test_a_broken_row_refuses_the_whole_file_naming_its_line_and_column(tmp_path: Path) -> None:
    broken = GOOD.replace(",40,", ",forty,").replace("coppull", "Atlantis")
    with pytest.raises(AssetFileError) as refused:
        import_assets(write(tmp_path, broken), actor="test")
    problems = {(p.line, p.field) for p in refused.value.problems}
    assert problems == {(3, "places_per_week"), (3, "ward")}
    assert "Line 3, ward" in str(refused.value)
    assert not Asset.objects.exists()  # the good first row was not saved either
    assert not AuditEvent.objects.filter(verb="community.assets_imported").exists()


def test_unknown_needs_missing_fields_and_bad_dates_are_each_named(tmp_path: Path) -> None:
    row = "X,befriending,voluntary,R,loneliness;wishes,older_people,,,Euxton,,,1,c,o,31/01/2030,"
    with pytest.raises(AssetFileError) as refused:
        import_assets(write(tmp_path, row), actor="test")
    assert {(p.line, p.field) for p in refused.value.problems} == {
        (2, "needs"),
        (2, "address"),
        (2, "review_on"),
    }


def test_a_missing_column_and_a_row_given_twice_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "no-ward.csv"
    path.write_text(HEADER.replace(",ward,", ",area,") + "\n" + GOOD + "\n", encoding="utf-8")
    with pytest.raises(AssetFileError) as refused:
        import_assets(path, actor="test")
    assert [(p.line, p.field, p.message) for p in refused.value.problems] == [
        (1, "ward", "is missing from the header")
    ]
    first = GOOD.splitlines()[0]
    with pytest.raises(AssetFileError) as twice:
        import_assets(
            write(tmp_path, first, first.replace("Euxton Friends", "EUXTON friends")), actor="test"
        )
    assert [(p.line, p.field) for p in twice.value.problems] == [(3, "name")]
    assert not Asset.objects.exists()


def test_an_excel_workbook_is_read_like_a_csv(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(
        ["Tea Club", "lunch_club", "faith", "Church", "loneliness", "older_people", "Hall", "",
         "Coppull", "Tue", "noon", 20, "c@x.example", "Owner", dt.datetime(2031, 5, 1), ""]
    )  # fmt: skip
    sheet.append(["Bad", "lunch_club", "faith", "Church", "loneliness", "older_people", "Hall"])
    path = tmp_path / "assets.xlsx"
    book.save(path)
    with pytest.raises(AssetFileError) as refused:
        import_assets(path, actor="test")
    assert {p.line for p in refused.value.problems} == {3}
    assert "ward" in {p.field for p in refused.value.problems}
    book.active.delete_rows(3)  # type: ignore[union-attr]
    book.save(path)
    assert import_assets(path, actor="test").created == 1
    assert Asset.objects.get().review_on == dt.date(2031, 5, 1)


def test_search_by_need_ward_and_day() -> None:
    seed_directory()
    assert Asset.objects.count() == 40
    befriending_in_coppull = search(Search(needs=(Need.LONELINESS,), wards=("E05013074",)))
    names = {a.name for a in befriending_in_coppull}
    assert names == {"Coppull Circle of Friends", "Coppull Luncheon Club"}
    on_saturday = search(Search(needs=(Need.FOOD_POVERTY,), days=(Day.SATURDAY,)))
    assert {a.name for a in on_saturday} == {"Chorley South Community Pantry"}
    either = search(Search(needs=(Need.CARER_STRAIN, Need.DIGITAL_EXCLUSION)))
    assert all(
        {"carer_strain", "digital_exclusion"} & {n.need for n in a.needs.all()} for a in either
    )
    assert len(either) == 8
    overdue = search(Search(stale_on=dt.date(2026, 9, 1)))
    assert {a.name for a in overdue} == {
        "Chorley North West Friendship Calls",
        "Clayton Carers' Coffee Morning",
        "Croston Tuesday Lunch",
        "Astley Hall Heritage Volunteers",
    }
    befriending = capacity([AssetKind.BEFRIENDING])
    # 11 befriending schemes, 164 places; one also meets low mood, so counts there too.
    assert sum(p.places for p in befriending if p.need == Need.LONELINESS) == 164
    assert sum(p.places for p in befriending if p.need == Need.MENTAL_WELLBEING) == 25
    assert {p.need for p in befriending} == {Need.LONELINESS, Need.MENTAL_WELLBEING}


def test_the_befriending_audit_names_the_ward_with_the_largest_gap(
    client_as: Callable[..., object],
) -> None:
    seed_directory()
    client = client_as(Role.EXECUTIVE_MEMBER)
    page = client.get(reverse("community:befriending"))  # type: ignore[attr-defined]
    assert page.status_code == 200
    text = page.content.decode()
    # No befriending in Clayton East, Brindle & Hoghton: 496 residents 66+ living alone.
    assert "Largest gap: Clayton East, Brindle &amp; Hoghton" in text
    assert 'data-highlight="1"' in text and 'data-code="E05013072"' in text
    assert page.context["gaps"][0].ward_code == "E05013072"
    assert page.context["gaps"][0].people == 496


@pytest.fixture
def worked_case(practitioner: User) -> Case:
    case = open_case(
        "P000000042",
        organisation=practitioner.organisation,
        opened_by=practitioner,
        lead_professional=practitioner,
    )
    add_need(case, by=practitioner, domain="loneliness", need="Lives alone", goal="A group")
    return case


def test_a_practitioner_finds_an_asset_for_the_cases_needs_refers_and_records_take_up(
    practitioner: User, worked_case: Case
) -> None:
    seed_directory()
    client = signed_in(practitioner)
    finder = client.get(reverse("community:case_support", args=[worked_case.pk]))
    assert finder.status_code == 200
    found = finder.context["assets"]
    assert found and all("loneliness" in {n.need for n in a.needs.all()} for a in found)
    asset = Asset.objects.get(name="Euxton Neighbours Befriending")
    url = reverse("community:refer", args=[worked_case.pk, asset.pk])
    assert client.get(url).status_code == 200
    sent = client.post(url, {"need": "loneliness", "referred_on": today().isoformat()})
    assert sent.status_code == 302
    made = AssetReferral.objects.get()
    assert (made.case, made.asset, made.referred_by, made.take_up) == (
        worked_case, asset, practitioner, "referred"
    )  # fmt: skip
    update = reverse("community:take_up", args=[worked_case.pk, made.pk])
    saved = client.post(
        update, {"take_up": "attended", "outcome": "Enjoyed it", "outcome_score": 7}
    )
    assert saved.status_code == 302
    made.refresh_from_db()
    assert (made.take_up, made.outcome, made.outcome_score) == ("attended", "Enjoyed it", 7)
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="community.", object_id=worked_case.reference)
        .order_by("sequence")
        .values_list("verb", flat=True)
    )
    assert verbs == ["community.referred", "community.take_up_recorded"]
    detail = AuditEvent.objects.get(verb="community.take_up_recorded").detail
    assert "Enjoyed" not in str(detail)


def test_a_referral_is_for_a_need_the_asset_meets_and_not_in_the_future(
    practitioner: User, worked_case: Case
) -> None:
    seed_directory()
    pantry = Asset.objects.get(name="Chorley South Community Pantry")
    with pytest.raises(CaseworkError):
        refer(worked_case, pantry, by=practitioner, need=Need.LONELINESS, on=today())
    with pytest.raises(CaseworkError):
        refer(
            worked_case,
            pantry,
            by=practitioner,
            need=Need.FOOD_POVERTY,
            on=today() + dt.timedelta(days=1),
        )
    assert not AssetReferral.objects.exists()


def test_take_up_counts_people_once_through_disclosure_control(
    practitioner: User, make_user: Callable[..., User]
) -> None:
    seed_directory()
    asset = Asset.objects.get(name="Chorley Health Walks")
    on = today()
    for n in range(12):
        case = open_case(
            f"P{n:09d}",
            organisation=practitioner.organisation,
            opened_by=practitioner,
            lead_professional=practitioner,
        )
        made = refer(case, asset, by=practitioner, need=Need.PHYSICAL_INACTIVITY, on=on)
        if n < 10:
            record_take_up(made, by=practitioner, take_up=TakeUp.ATTENDED, outcome="", score=None)
    table = take_up_counts(asset)
    assert table.cells[TakeUp.ATTENDED].display == "10"
    assert table.cells[TakeUp.REFERRED].display == "[c]"  # 2 people: hidden
    assert table.total.display == "[c]"  # else 10 + hidden = total would give it away
    page = signed_in(make_user(Role.ANALYST)).get(reverse("community:asset", args=[asset.pk]))
    assert page.status_code == 200
    assert "[c]" in page.content.decode()


def test_an_executive_member_may_read_the_gaps_but_not_refer(
    make_user: Callable[..., User], worked_case: Case
) -> None:
    seed_directory()
    executive = signed_in(make_user(Role.EXECUTIVE_MEMBER))
    gaps_page = executive.get(reverse("community:gaps"), {"need": "carer_strain", "reach": "on"})
    assert gaps_page.status_code == 200
    largest = {g.need: g.rank for g in gaps_page.context["largest_by_need"]}
    assert largest == dict.fromkeys(Need, 1)  # every need has a measure
    assert gaps_page.context["need"] == Need.CARER_STRAIN and gaps_page.context["reach"]
    asset = Asset.objects.first()
    assert asset is not None
    url = reverse("community:refer", args=[worked_case.pk, asset.pk])
    refused = executive.post(url, {"need": "loneliness", "referred_on": "2026-01-01"})
    assert refused.status_code == 403
    assert not AssetReferral.objects.exists()


def test_a_practitioner_refers_only_from_their_own_open_cases(
    practitioner: User, make_user: Callable[..., User], worked_case: Case
) -> None:
    seed_directory()
    asset = Asset.objects.get(name="Euxton Neighbours Befriending")
    other = signed_in(make_user(Role.PRACTITIONER, email="other@nhs.example"))
    for name, args in (
        ("community:case_support", [worked_case.pk]),
        ("community:refer", [worked_case.pk, asset.pk]),
    ):
        assert other.get(reverse(name, args=args)).status_code == 404
    posted = other.post(
        reverse("community:refer", args=[worked_case.pk, asset.pk]),
        {"need": "loneliness", "referred_on": "2026-01-01"},
    )
    assert posted.status_code == 404
    assert not AssetReferral.objects.exists()
    close_case(worked_case, closed_by=practitioner, outcome="goals_met")
    own = signed_in(practitioner)
    closed = own.post(
        reverse("community:refer", args=[worked_case.pk, asset.pk]),
        {"need": "loneliness", "referred_on": today().isoformat()},
    )
    assert closed.status_code == 409
    assert not AssetReferral.objects.exists()


def test_the_import_page_refuses_a_broken_file_and_names_the_line(
    make_user: Callable[..., User],
) -> None:
    officer = signed_in(make_user(Role.PROGRAMME_OFFICER))
    broken = "\n".join([HEADER, GOOD.replace("2020-01-31", "someday")]).encode()
    response = officer.post(
        reverse("community:import"), {"file": SimpleUploadedFile("a.csv", broken)}
    )
    assert response.status_code == 400
    assert "Line 3, column review_on" in response.content.decode()
    assert not Asset.objects.exists()
    good = SimpleUploadedFile("a.csv", SEED_ASSETS.read_bytes())
    assert officer.post(reverse("community:import"), {"file": good}).status_code == 200
    assert Asset.objects.count() == 40
    practitioner = signed_in(make_user(Role.PRACTITIONER))
    file = SimpleUploadedFile("a.csv", io.BytesIO(broken).read())
    assert practitioner.post(reverse("community:import"), {"file": file}).status_code == 403


def test_the_triage_page_links_to_assets_for_the_referrals_needs(
    coordinator: User, practitioner: User
) -> None:
    from joinedup.web.referrals.models import Referral

    seed_directory()
    referral = Referral.objects.create(
        reference="REF-000009",
        consent="given",
        urgency="routine",
        tried="t",
        referred_by=practitioner,
        organisation=practitioner.organisation,
        match="none",
        needs=[{"domain": "money", "description": "Arrears"}],
    )
    client = signed_in(coordinator)
    triage = client.get(reverse("referrals:triage_referral", args=[referral.reference]))
    assert reverse("community:triage_support", args=[referral.reference]) in triage.content.decode()
    page = client.get(reverse("community:triage_support", args=[referral.reference]))
    assert page.status_code == 200
    assert page.context["needs"] == [Need.DEBT, Need.FOOD_POVERTY]
    assert "Chorley Advice Centre" in page.content.decode()


def test_the_import_command_refuses_a_broken_file_then_imports_a_good_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from joinedup.cli import app

    runner = CliRunner()
    home = ["--home", str(tmp_path / "hub")]
    monkeypatch.setenv("JOINEDUP_HOME", home[1])  # the command sets it: put it back after
    broken = write(tmp_path, GOOD.replace("Euxton,Mon", "Nowhere,Mon"))
    refused = runner.invoke(app, ["community", "import", str(broken), *home])
    assert refused.exit_code == 1
    assert "Line 2, ward" in refused.output
    assert not Asset.objects.exists()
    done = runner.invoke(app, ["community", "import", str(write(tmp_path, GOOD)), *home, "--json"])
    assert done.exit_code == 0, done.output
    assert '{"created": 2, "updated": 0}' in done.output
    assert Asset.objects.count() == 2


def test_the_directory_page_searches_and_lists_entries_past_review(
    make_user: Callable[..., User],
) -> None:
    seed_directory()
    client = signed_in(make_user(Role.ADMINISTRATOR))
    page = client.get(reverse("community:directory"), {"needs": ["carer_strain"], "day": "tue"})
    assert [a.name for a in page.context["assets"]] == [
        "Chorley Social Prescribing Service",  # weekdays, and meets carer strain among others
        "Clayton Carers' Coffee Morning",
    ]
    overdue = client.get(reverse("community:directory"), {"stale": "on"})
    assert overdue.context["assets"] and all(a.is_stale for a in overdue.context["assets"])
    assert overdue.context["stale"] == len(overdue.context["assets"])
    assert "past their review date" in overdue.content.decode()
