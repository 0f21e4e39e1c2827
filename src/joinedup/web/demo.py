"""Demo organisations and users for ``joinedup demo``: the partnership, and one user per role.

Seeding is idempotent: organisations and users that exist are left alone, and an existing
user's password is only replaced when asked (``reset_passwords``). New passwords are returned
to the caller to print once; they are stored only as Argon2 hashes and never written to the
audit log or any other log.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from joinedup.analytics.service_use import high_need_residents
from joinedup.web.accounts.models import Organisation, User
from joinedup.web.accounts.policy import Role
from joinedup.web.audit.chain import record
from joinedup.web.cases.casework import (
    add_action,
    add_need,
    add_note,
    open_case,
    record_consent,
    record_pam,
    set_review,
)
from joinedup.web.cases.models import Case
from joinedup.web.community.seed import seed_directory
from joinedup.web.mdt.meetings import schedule
from joinedup.web.workforce.seed import seed_workforce

ACTOR = "joinedup demo"

DEMO_ORGANISATIONS = (
    "Chorley Council",
    "Chorley GP Federation",
    "Lancashire Teaching Hospitals",
    "Lancashire Constabulary",
    "Lancashire Fire and Rescue",
    "Chorley Voluntary Sector Partnership",
)


@dataclass(frozen=True)
class DemoUser:
    role: Role
    email: str
    organisation: str
    full_name: str


# One user per role, in the organisation that would plausibly hold it. The .example domain
# (RFC 2606) can never deliver mail, so a demo address cannot reach a real person.
DEMO_USERS = (
    DemoUser(Role.HUB_COORDINATOR, "hub.coordinator@demo.example", "Chorley Council", "Hana Coordinator"),
    DemoUser(Role.ANALYST, "analyst@demo.example", "Chorley Council", "Ade Analyst"),
    DemoUser(Role.PRACTITIONER, "practitioner@demo.example", "Lancashire Constabulary", "Pat Practitioner"),
    DemoUser(Role.EXECUTIVE_MEMBER, "executive@demo.example", "Lancashire Teaching Hospitals", "Eve Executive"),
    DemoUser(Role.PROGRAMME_OFFICER, "programme.officer@demo.example", "Chorley Voluntary Sector Partnership", "Priya Officer"),
    DemoUser(Role.IG_LEAD, "ig.lead@demo.example", "Chorley Council", "Iris Lead"),
    DemoUser(Role.ADMINISTRATOR, "administrator@demo.example", "Chorley GP Federation", "Alex Administrator"),
)  # fmt: skip


# The rest of the Integrated Action Team, so that a practitioner who signs in finds colleagues
# from other agencies on their cases.
DEMO_TEAM = (
    DemoUser(Role.PRACTITIONER, "social.prescriber@demo.example", "Chorley Voluntary Sector Partnership", "Sam Prescriber"),
    DemoUser(Role.PRACTITIONER, "community.nurse@demo.example", "Lancashire Teaching Hospitals", "Nia Nurse"),
    DemoUser(Role.PRACTITIONER, "housing.officer@demo.example", "Chorley Council", "Hal Housing"),
)  # fmt: skip
CASELOAD = 12


@dataclass
class SeedReport:
    organisations_created: list[str] = field(default_factory=list)
    users_created: list[str] = field(default_factory=list)
    passwords_reset: list[str] = field(default_factory=list)
    # email -> the password made by this run; the only copy in clear, for printing once.
    new_passwords: dict[str, str] = field(default_factory=dict)
    cases_opened: list[str] = field(default_factory=list)
    programme_seeded: bool = False


def new_password() -> str:
    """20 random URL-safe characters: well past the 12-character minimum."""
    return secrets.token_urlsafe(15)


def seed_demo(reset_passwords: bool = False) -> SeedReport:
    """Create what is missing of the demo partnership; every creation and reset is audited."""
    report = SeedReport()
    with transaction.atomic():
        organisations = {name: _organisation(name, report) for name in DEMO_ORGANISATIONS}
        for demo_user in (*DEMO_USERS, *DEMO_TEAM):
            _user(demo_user, organisations[demo_user.organisation], reset_passwords, report)
        seed_workforce(organisations)
    seed_directory()
    return report


def seed_programme(report: SeedReport) -> None:
    """The partnership's work programme, the Transformation Challenge Award and the risk
    register from ``programme/seed_programme.toml``, once: a second run leaves the programme
    officer's changes alone."""
    from joinedup.web.programme.importer import import_programme
    from joinedup.web.programme.models import Theme

    if Theme.objects.exists():
        return
    import_programme(actor="joinedup demo")
    report.programme_seeded = True


# What the team is working on with each demo resident: a need by domain, its goal, a first action.
DEMO_PLANS = (
    ("safety", "Repeated calls to the police about disputes at home", "Feels safe at home",
     "Joint visit with the neighbourhood officer"),
    ("physical_health", "Frequent A&E attendances with breathlessness", "Manages COPD at home",
     "Book a review with the practice nurse"),
    ("mental_health", "Low mood and isolated since losing their job", "Back in touch with friends",
     "Referral to the talking therapies service"),
    ("housing", "Damp flat and rent arrears", "Repairs done and arrears on a plan",
     "Call the landlord about the damp"),
    ("money", "Struggling with bills; no benefits check done", "Income maximised",
     "Benefits check with the welfare rights team"),
    ("loneliness", "Lives alone and rarely leaves the house", "Goes to a group each week",
     "Introduce to the social prescriber's walking group"),
)  # fmt: skip


def seed_caseload(home: Path, report: SeedReport, how_many: int = CASELOAD) -> None:
    """Open cases for the borough's residents with the most emergency contacts, each led by one
    of the team with a colleague from another agency and the coordinator, dated just after their
    latest crisis so that the before-and-after panel has something to show; each with a need,
    an action, a note, consent, a baseline PAM and a review date; and the next MDT meeting with
    its agenda. Skipped if any case exists."""
    if Case.objects.exists():
        return
    team = [
        User.objects.get(email=u.email)
        for u in DEMO_USERS + DEMO_TEAM
        if u.role == Role.PRACTITIONER
    ]
    coordinator = User.objects.get(email=_email_of(Role.HUB_COORDINATOR))
    today = timezone.localdate()
    for number, (person_key, latest) in enumerate(high_need_residents(home, how_many)):
        lead, colleague = team[number % len(team)], team[(number + 1) % len(team)]
        with transaction.atomic():
            case = open_case(
                person_key,
                organisation=lead.organisation,
                opened_by=coordinator,
                lead_professional=lead,
                workers=(colleague, coordinator),
            )
            _plan(case, lead, DEMO_PLANS[number % len(DEMO_PLANS)], today, number)
            opened = dt.datetime.combine(latest + dt.timedelta(days=1), dt.time(10), dt.UTC)
            Case.objects.filter(pk=case.pk).update(opened_at=opened)
        report.cases_opened.append(case.reference)
    if report.cases_opened:
        next_week = today + dt.timedelta(days=7)
        schedule(
            by=coordinator, chair=coordinator, held_on=next_week, starts_at=dt.time(10),
            place="Chorley Town Hall, committee room 2",
        )  # fmt: skip


def _plan(case: Case, lead: User, plan: tuple[str, str, str, str], today: dt.date, n: int) -> None:
    domain, need, goal, action = plan
    add_need(case, by=lead, domain=domain, need=need, goal=goal)
    add_action(case, by=lead, description=action, owner=lead, due=today + dt.timedelta(days=14))
    add_note(case, author=lead, text="First visit done; agreed the plan with them.")
    record_consent(case, by=lead, decision="given", decided_on=today - dt.timedelta(days=20))
    record_pam(
        case, by=lead, level=1 + n % 2, score=Decimal(38 + 5 * (n % 3)),
        assessed_on=today - dt.timedelta(days=20), assessor=lead,
    )  # fmt: skip
    set_review(case, by=lead, next_review=today + dt.timedelta(days=3 + n % 10))


def _email_of(role: Role) -> str:
    return next(u.email for u in DEMO_USERS if u.role == role)


def _organisation(name: str, report: SeedReport) -> Organisation:
    organisation, created = Organisation.objects.get_or_create(name=name)
    if created:
        report.organisations_created.append(name)
        record("organisation.created", actor=ACTOR, object_type="organisation", object_id=name)
    return organisation


def _user(
    demo_user: DemoUser, organisation: Organisation, reset_password: bool, report: SeedReport
) -> None:
    existing = User.objects.filter(email=demo_user.email).first()
    if existing is not None and not reset_password:
        return
    password = new_password()
    if existing is None:
        user = User.objects.create_user(
            demo_user.email,
            password,
            organisation=organisation,
            full_name=demo_user.full_name,
            roles=(demo_user.role,),
        )
        report.users_created.append(user.email)
        verb, detail = "user.created", {"roles": [demo_user.role.value]}
    else:
        user = existing
        user.set_password(password)
        user.save(update_fields=["password"])
        report.passwords_reset.append(user.email)
        verb, detail = "user.password_reset", {}
    report.new_passwords[user.email] = password
    record(verb, actor=ACTOR, object_type="user", object_id=str(user.pk), detail=detail)
