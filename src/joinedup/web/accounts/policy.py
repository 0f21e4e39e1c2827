"""THE policy table: what each role may do, and which permission each page needs.

This module is the only place where access is written down; ``enforcement.PolicyMiddleware``
is the only place where it is enforced, for every request. A URL name missing from
``URL_PERMISSIONS`` and from ``PUBLIC_URLS`` is refused (and a test fails), so a new page
cannot be forgotten. docs/web-app.md prints this table (``joinedup web policy``).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    HUB_COORDINATOR = "hub_coordinator"
    ANALYST = "analyst"
    PRACTITIONER = "practitioner"
    EXECUTIVE_MEMBER = "executive_member"
    PROGRAMME_OFFICER = "programme_officer"
    IG_LEAD = "ig_lead"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.HUB_COORDINATOR: "Hub coordinator",
    Role.ANALYST: "Analyst",
    Role.PRACTITIONER: "Practitioner",
    Role.EXECUTIVE_MEMBER: "Executive member",
    Role.PROGRAMME_OFFICER: "Programme officer",
    Role.IG_LEAD: "Information governance lead",
    Role.ADMINISTRATOR: "Administrator",
}


class Permission(StrEnum):
    SIGNED_IN = "signed_in"  # the home page and one's own account
    VIEW_AGGREGATES = "view_aggregates"  # disclosure-controlled figures
    VIEW_PSEUDONYMOUS = "view_pseudonymous"  # person_keys, never identities
    VIEW_IDENTIFIABLE = "view_identifiable"  # identities, within a legitimate relationship
    WORK_CASES = "work_cases"  # referrals, cases, MDT
    CHAIR_MDT = "chair_mdt"  # schedule and chair MDT meetings; manage workers on own cases
    MANAGE_PROGRAMME = "manage_programme"  # themes, meetings, actions, risks
    REQUEST_OUTPUTS = "request_outputs"  # ask for an output to leave the airlock
    RELEASE_OUTPUTS = "release_outputs"  # approve someone else's output
    VIEW_AGREEMENTS = "view_agreements"
    MANAGE_AGREEMENTS = "manage_agreements"
    VIEW_AUDIT = "view_audit"
    EXPORT_SUBJECT_ACCESS = "export_subject_access"
    MANAGE_USERS = "manage_users"
    # Referrals: every agency's practitioners refer on the one standard referral; the hub
    # coordinator triages them, seeing who is referred (so needs two-factor sign-in).
    MAKE_REFERRALS = "make_referrals"
    TRIAGE_REFERRALS = "triage_referrals"
    # Frontline teams, development sessions and who completed them (staff, not residents).
    MANAGE_WORKFORCE = "manage_workforce"
    # The community asset directory: adding, changing, reviewing and closing its entries.
    MANAGE_DIRECTORY = "manage_directory"
    # Partner feeds: upload a delivery, and see and fix the rows it quarantined (the partner's
    # rows as sent, identifiable).
    LOAD_FEEDS = "load_feeds"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.HUB_COORDINATOR: frozenset(
        {
            P.SIGNED_IN,
            P.VIEW_AGGREGATES,
            P.VIEW_PSEUDONYMOUS,
            P.REQUEST_OUTPUTS,
            P.RELEASE_OUTPUTS,
            P.VIEW_AGREEMENTS,
            P.MAKE_REFERRALS,
            P.TRIAGE_REFERRALS,
            P.WORK_CASES,
            P.CHAIR_MDT,
            P.MANAGE_WORKFORCE,
            P.MANAGE_DIRECTORY,
            P.LOAD_FEEDS,
        }
    ),
    Role.ANALYST: frozenset(
        {P.SIGNED_IN, P.VIEW_AGGREGATES, P.VIEW_PSEUDONYMOUS, P.REQUEST_OUTPUTS}
    ),
    Role.PRACTITIONER: frozenset(
        {P.SIGNED_IN, P.VIEW_IDENTIFIABLE, P.WORK_CASES, P.MAKE_REFERRALS}
    ),
    Role.EXECUTIVE_MEMBER: frozenset({P.SIGNED_IN, P.VIEW_AGGREGATES}),
    Role.PROGRAMME_OFFICER: frozenset(
        {
            P.SIGNED_IN,
            P.VIEW_AGGREGATES,
            P.MANAGE_PROGRAMME,
            P.MANAGE_WORKFORCE,
            P.MANAGE_DIRECTORY,
        }
    ),
    Role.IG_LEAD: frozenset(
        {
            P.SIGNED_IN,
            P.VIEW_AGGREGATES,
            P.VIEW_AGREEMENTS,
            P.MANAGE_AGREEMENTS,
            P.VIEW_AUDIT,
            P.EXPORT_SUBJECT_ACCESS,
            P.RELEASE_OUTPUTS,
        }
    ),
    Role.ADMINISTRATOR: frozenset({P.SIGNED_IN, P.MANAGE_USERS, P.VIEW_AGREEMENTS}),
}

# Holding any of these means two-factor sign-in is required: they reach identifiable data, or
# can give someone else the means to.
TWO_FACTOR_PERMISSIONS = frozenset(
    {
        P.VIEW_IDENTIFIABLE,
        P.EXPORT_SUBJECT_ACCESS,
        P.MANAGE_USERS,
        P.VIEW_AUDIT,
        # Referrals: a referral names the person; the triage queue names everyone referred.
        P.MAKE_REFERRALS,
        P.TRIAGE_REFERRALS,
        # Case notes, actions and MDT records are about named people.
        P.WORK_CASES,
        # Quarantined rows are the partners' rows as sent, with names and dates of birth.
        P.LOAD_FEEDS,
    }
)

# Reachable without signing in. The OpenAPI document describes the API, not any data.
PUBLIC_URLS = frozenset({"accounts:login", "health", "api:openapi-json"})
# Reachable signed in before the second factor is given (else nobody could give it).
BEFORE_TWO_FACTOR_URLS = frozenset(
    {"accounts:two_factor_enrol", "accounts:two_factor_verify", "accounts:logout"}
)

URL_PERMISSIONS: dict[str, Permission] = {
    "home": P.SIGNED_IN,
    "accounts:logout": P.SIGNED_IN,
    "accounts:two_factor_enrol": P.SIGNED_IN,
    "accounts:two_factor_verify": P.SIGNED_IN,
    "accounts:users": P.MANAGE_USERS,
    "accounts:user_roles": P.MANAGE_USERS,
    "accounts:user_active": P.MANAGE_USERS,
    "governance:agreements": P.VIEW_AGREEMENTS,
    "governance:agreement": P.VIEW_AGREEMENTS,
    "governance:agreement_create": P.MANAGE_AGREEMENTS,
    "governance:agreement_edit": P.MANAGE_AGREEMENTS,
    "audit:events": P.VIEW_AUDIT,
    # The airlock: a requester reaches only their own outputs, a reviewer only others' (the
    # object rules are in airlock/release.py; these are the role rules).
    "airlock:outputs": P.REQUEST_OUTPUTS,
    "airlock:output": P.REQUEST_OUTPUTS,
    "airlock:request_cohort": P.REQUEST_OUTPUTS,
    "airlock:request_table": P.REQUEST_OUTPUTS,
    "airlock:download": P.REQUEST_OUTPUTS,
    "airlock:queue": P.RELEASE_OUTPUTS,
    "airlock:review": P.RELEASE_OUTPUTS,
    "accounts:api_tokens": P.SIGNED_IN,
    # A person's identifiable details: the role rule here, the relationship rule (a case they
    # work on, or break-glass) in people/access.py, for every request.
    "people:person": P.VIEW_IDENTIFIABLE,
    "people:break_glass": P.VIEW_IDENTIFIABLE,
    "people:break_glass_reviews": P.VIEW_AUDIT,
    "people:break_glass_review": P.VIEW_AUDIT,
    "people:subject_access": P.EXPORT_SUBJECT_ACCESS,
    "people:requests": P.EXPORT_SUBJECT_ACCESS,
    "people:request": P.EXPORT_SUBJECT_ACCESS,
    # The JSON API (joinedup.web.api): the same operations, under the same permissions.
    "api:api-root": P.SIGNED_IN,
    "api:agreements": P.VIEW_AGREEMENTS,
    "api:agreement": P.VIEW_AGREEMENTS,
    "api:audit_events": P.VIEW_AUDIT,
    "api:outputs": P.REQUEST_OUTPUTS,
    "api:output": P.REQUEST_OUTPUTS,
    "api:output_request_table": P.REQUEST_OUTPUTS,
    "api:output_request_cohort": P.REQUEST_OUTPUTS,
    "api:output_download": P.REQUEST_OUTPUTS,
    "api:reviews": P.RELEASE_OUTPUTS,
    "api:person": P.VIEW_IDENTIFIABLE,
    "api:person_break_glass": P.VIEW_IDENTIFIABLE,
    "api:review_decision": P.RELEASE_OUTPUTS,
    # Referrals: the standard referral, one question a page, then the referrer's own referrals
    # (another's is "not found": referrals/views.py); the coordinator's triage queue.
    "referrals:start": P.MAKE_REFERRALS,
    "referrals:person": P.MAKE_REFERRALS,
    "referrals:consent": P.MAKE_REFERRALS,
    "referrals:lawful_basis": P.MAKE_REFERRALS,
    "referrals:needs": P.MAKE_REFERRALS,
    "referrals:risks": P.MAKE_REFERRALS,
    "referrals:urgency": P.MAKE_REFERRALS,
    "referrals:tried": P.MAKE_REFERRALS,
    "referrals:check": P.MAKE_REFERRALS,
    "referrals:sent": P.MAKE_REFERRALS,
    "referrals:mine": P.MAKE_REFERRALS,
    "referrals:referral": P.MAKE_REFERRALS,
    "referrals:triage": P.TRIAGE_REFERRALS,
    "referrals:triage_referral": P.TRIAGE_REFERRALS,
    # Cases and MDT meetings. A case is reached only through cases_of (cases/casework.py): one
    # the user does not work on now is "not found", audited. The hub coordinator works on cases
    # too (they chair the MDT and join the cases brought to it); chair-only pages need
    # CHAIR_MDT, and then only for meetings that user chairs. The team's outcome measures are
    # disclosure-controlled figures, for whoever may see aggregates.
    "cases:cases": P.WORK_CASES,
    "cases:case": P.WORK_CASES,
    "cases:worker_add": P.WORK_CASES,
    "cases:worker_remove": P.WORK_CASES,
    "cases:need_add": P.WORK_CASES,
    "cases:need_edit": P.WORK_CASES,
    "cases:action_add": P.WORK_CASES,
    "cases:action_edit": P.WORK_CASES,
    "cases:note_add": P.WORK_CASES,
    "cases:consent": P.WORK_CASES,
    "cases:review": P.WORK_CASES,
    "cases:pam_add": P.WORK_CASES,
    "cases:swemwbs_add": P.WORK_CASES,
    "cases:close": P.WORK_CASES,
    "cases:outcomes": P.VIEW_AGGREGATES,
    "mdt:meetings": P.WORK_CASES,
    "mdt:meeting": P.WORK_CASES,
    "mdt:agenda_print": P.WORK_CASES,
    "mdt:record_print": P.WORK_CASES,
    "mdt:meeting_new": P.CHAIR_MDT,
    "mdt:agenda": P.CHAIR_MDT,
    "mdt:attendance": P.CHAIR_MDT,
    "mdt:item": P.CHAIR_MDT,
    "mdt:item_action": P.CHAIR_MDT,
    "api:cases": P.WORK_CASES,
    "api:case": P.WORK_CASES,
    "api:case_notes": P.WORK_CASES,
    "api:case_actions": P.WORK_CASES,
    # Linkage flags and case finding. A practitioner flags a person's linkage only inside a
    # relationship with them (people/opening.py, checked by the view, like the person page);
    # the hub coordinator resolves flags, and turns a cohort's case-finding list into referrals.
    "linkflags:flag": P.VIEW_IDENTIFIABLE,
    "linkflags:flags": P.TRIAGE_REFERRALS,
    "linkflags:resolve": P.TRIAGE_REFERRALS,
    "referrals:case_finding": P.TRIAGE_REFERRALS,
    "referrals:case_finding_people": P.TRIAGE_REFERRALS,
    # Linkage review: the queue shows both records' names, dates of birth and addresses, so it
    # is the hub coordinator's (who signs in with two factors), as resolving flags is; they
    # start the next run too. What a run changed and quality over time are counts about the
    # linkage and person keys: analysts see them as well (docs/linkage.md).
    "linkage_review:queue": P.TRIAGE_REFERRALS,
    "linkage_review:run_now": P.TRIAGE_REFERRALS,
    "linkage_review:run": P.VIEW_PSEUDONYMOUS,
    "linkage_review:quality": P.VIEW_PSEUDONYMOUS,
    # Background jobs: each person sees the jobs they started, and no one else's.
    "jobs:jobs": P.SIGNED_IN,
    "jobs:job": P.SIGNED_IN,
    # Cohorts: the library, runs and their results are the analysts' and the hub coordinator's
    # work on the pseudonymous analytic zone (runs publish controlled counts only); asking for
    # a result's release goes to the airlock, where someone else decides.
    "cohorts:library": P.VIEW_PSEUDONYMOUS,
    "cohorts:definition": P.VIEW_PSEUDONYMOUS,
    "cohorts:run": P.VIEW_PSEUDONYMOUS,
    "cohorts:result": P.VIEW_PSEUDONYMOUS,
    "cohorts:download": P.VIEW_PSEUDONYMOUS,
    "cohorts:release": P.REQUEST_OUTPUTS,
    # Programme management: the work programme, its funding and the risk register. Whoever may
    # see aggregates (executive members, hub coordinators) reads; programme officers change.
    "programme:overview": P.VIEW_AGGREGATES,
    "programme:timeline": P.VIEW_AGGREGATES,
    "programme:workstream": P.VIEW_AGGREGATES,
    "programme:workstream_status": P.MANAGE_PROGRAMME,
    "programme:grants": P.VIEW_AGGREGATES,
    "programme:grant": P.VIEW_AGGREGATES,
    "programme:spend_add": P.MANAGE_PROGRAMME,
    "programme:risks": P.VIEW_AGGREGATES,
    "programme:risk": P.VIEW_AGGREGATES,
    "programme:risk_new": P.MANAGE_PROGRAMME,
    "programme:risk_edit": P.MANAGE_PROGRAMME,
    "programme:theme_new": P.MANAGE_PROGRAMME,
    "programme:theme_edit": P.MANAGE_PROGRAMME,
    "programme:workstream_new": P.MANAGE_PROGRAMME,
    "programme:workstream_edit": P.MANAGE_PROGRAMME,
    "programme:phase_new": P.MANAGE_PROGRAMME,
    "programme:phase_edit": P.MANAGE_PROGRAMME,
    "programme:grant_new": P.MANAGE_PROGRAMME,
    "programme:grant_edit": P.MANAGE_PROGRAMME,
    "programme:measures": P.VIEW_AGGREGATES,
    "programme:measures_check": P.MANAGE_PROGRAMME,
    "programme:measure_edit": P.MANAGE_PROGRAMME,
    "programme:risk_measure_new": P.MANAGE_PROGRAMME,
    "programme:workstream_measure_new": P.MANAGE_PROGRAMME,
    "programme:meetings": P.VIEW_AGGREGATES,
    "programme:body": P.VIEW_AGGREGATES,
    "programme:body_member_new": P.MANAGE_PROGRAMME,
    "programme:body_member_edit": P.MANAGE_PROGRAMME,
    "programme:body_member_end": P.MANAGE_PROGRAMME,
    "programme:meeting_members_present": P.MANAGE_PROGRAMME,
    "programme:meeting": P.VIEW_AGGREGATES,
    "programme:meeting_pack_pdf": P.VIEW_AGGREGATES,
    "programme:meeting_pack_xlsx": P.VIEW_AGGREGATES,
    "programme:meeting_new": P.MANAGE_PROGRAMME,
    "programme:meeting_edit": P.MANAGE_PROGRAMME,
    "programme:meeting_attendance_new": P.MANAGE_PROGRAMME,
    "programme:meeting_attendance_edit": P.MANAGE_PROGRAMME,
    "programme:meeting_attendance_remove": P.MANAGE_PROGRAMME,
    "programme:meeting_item_new": P.MANAGE_PROGRAMME,
    "programme:meeting_item_edit": P.MANAGE_PROGRAMME,
    "programme:meeting_item_move": P.MANAGE_PROGRAMME,
    "programme:meeting_item_remove": P.MANAGE_PROGRAMME,
    "programme:meeting_approve_minutes": P.MANAGE_PROGRAMME,
    "programme:meeting_remind": P.MANAGE_PROGRAMME,
    "programme:minutes_import": P.MANAGE_PROGRAMME,
    "programme:actions": P.VIEW_AGGREGATES,
    "programme:action_update": P.MANAGE_PROGRAMME,
    # The frontline workforce: coverage of shared training is read by whoever may see
    # aggregates; the programme officer and the hub coordinator keep the teams, sessions and
    # registers, and only they see staff names (a session's page, a team's register).
    "workforce:overview": P.VIEW_AGGREGATES,
    "workforce:download": P.VIEW_AGGREGATES,
    "workforce:programme_new": P.MANAGE_WORKFORCE,
    "workforce:programme_edit": P.MANAGE_WORKFORCE,
    "workforce:team": P.VIEW_AGGREGATES,
    "workforce:team_new": P.MANAGE_WORKFORCE,
    "workforce:team_edit": P.MANAGE_WORKFORCE,
    "workforce:sessions": P.VIEW_AGGREGATES,
    "workforce:session_new": P.MANAGE_WORKFORCE,
    "workforce:session": P.MANAGE_WORKFORCE,
    "workforce:session_edit": P.MANAGE_WORKFORCE,
    "workforce:register_import": P.MANAGE_WORKFORCE,
    # The Executive dashboard: disclosure-controlled figures only, and their downloads.
    "dashboard:dashboard": P.VIEW_AGGREGATES,
    "dashboard:download": P.VIEW_AGGREGATES,
    "dashboard:localities": P.VIEW_AGGREGATES,
    "dashboard:locality": P.VIEW_AGGREGATES,
    # Locality profiles for the hub's analysts: disclosure-controlled figures only, and their
    # downloads (each download audited).
    "localities:map": P.VIEW_AGGREGATES,
    "localities:map_download": P.VIEW_AGGREGATES,
    "localities:area": P.VIEW_AGGREGATES,
    "localities:area_download": P.VIEW_AGGREGATES,
    "localities:compare": P.VIEW_AGGREGATES,
    "localities:compare_download": P.VIEW_AGGREGATES,
    # Community capacity: the directory of community assets is for everyone signed in (it
    # names groups, not people; take-up counts are disclosure-controlled); the programme office
    # keeps it (the community audit). Needs against assets are aggregates. Referring a person
    # to an asset is casework: only from a case the user works on (else "not found").
    "community:directory": P.SIGNED_IN,
    "community:asset": P.SIGNED_IN,
    "community:import": P.MANAGE_DIRECTORY,
    "community:asset_new": P.MANAGE_DIRECTORY,
    "community:asset_edit": P.MANAGE_DIRECTORY,
    "community:asset_review": P.MANAGE_DIRECTORY,
    "community:asset_close": P.MANAGE_DIRECTORY,
    "community:gaps": P.VIEW_AGGREGATES,
    "community:befriending": P.VIEW_AGGREGATES,
    "community:case_support": P.WORK_CASES,
    "community:refer": P.WORK_CASES,
    "community:take_up": P.WORK_CASES,
    "community:triage_support": P.TRIAGE_REFERRALS,
    # Partner feeds: the hub team (coordinator and analysts, view_pseudonymous) follows the
    # deliveries, their load reports and where and why rows were refused. Not view_aggregates:
    # these are operational counts of records, not disclosure-controlled figures of people, and
    # not for the Executive. Only the coordinator uploads, and sees and fixes a refused row.
    "feeds:overview": P.VIEW_PSEUDONYMOUS,
    "feeds:feed": P.VIEW_PSEUDONYMOUS,
    "feeds:delivery": P.VIEW_PSEUDONYMOUS,
    "feeds:upload": P.LOAD_FEEDS,
    "feeds:fix": P.LOAD_FEEDS,
    "feeds:close": P.LOAD_FEEDS,
}

# Where one URL both reads and changes (an API resource: GET to read, POST or PUT to change),
# a change needs this permission instead of the one above.
URL_WRITE_PERMISSIONS: dict[str, Permission] = {
    "api:agreements": P.MANAGE_AGREEMENTS,
    "api:agreement": P.MANAGE_AGREEMENTS,
}
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def permission_needed(url_name: str, method: str) -> Permission | None:
    """The permission a request needs; None when the URL is not in the table (refused).

    >>> permission_needed("api:agreements", "GET"), permission_needed("api:agreements", "POST")
    (<Permission.VIEW_AGREEMENTS: 'view_agreements'>, <Permission.MANAGE_AGREEMENTS: 'manage_agreements'>)
    """
    if method.upper() not in READ_METHODS and url_name in URL_WRITE_PERMISSIONS:
        return URL_WRITE_PERMISSIONS[url_name]
    return URL_PERMISSIONS.get(url_name)


def permissions_of(roles: frozenset[Role]) -> frozenset[Permission]:
    """Everything the given roles allow, together.

    >>> sorted(permissions_of(frozenset({Role.EXECUTIVE_MEMBER})))
    ['signed_in', 'view_aggregates']
    """
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def permission_flags(granted: frozenset[Permission]) -> dict[str, bool]:
    """Whether each permission, by its value, is among ``granted``: for pages to offer only what
    their reader may do. A plain dict: Django templates call anything callable, an Enum class
    included."""
    return {p.value: p in granted for p in Permission}


def needs_two_factor(roles: frozenset[Role]) -> bool:
    return bool(permissions_of(roles) & TWO_FACTOR_PERMISSIONS)


def roles_with(permission: Permission) -> list[Role]:
    return [role for role in Role if permission in ROLE_PERMISSIONS[role]]


def policy_table_markdown() -> str:
    """The role table as docs/web-app.md prints it (a test keeps the two the same)."""
    header = "| permission | " + " | ".join(role.label for role in Role) + " |"
    rule = "| --- |" + " --- |" * len(Role)
    rows = [
        f"| {permission.value} | "
        + " | ".join("yes" if permission in ROLE_PERMISSIONS[role] else "" for role in Role)
        + " |"
        for permission in Permission
    ]
    return "\n".join([header, rule, *rows])
