"""The standard referral: who is referred, why, how urgently, by whom; its match in the person
index; and what triage decided.

A referral holds the identifiers the referrer typed (they know the person: they are referring
them for direct care). The person index is reached through ``person_key`` only; what other
agencies hold stays in the identity zone.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import Organisation, User
from joinedup.web.cases.models import Case
from joinedup.web.governance.sharing import Domain, LawfulBasis


class Consent(models.TextChoices):
    GIVEN = "given", "Yes, they agreed to this referral"
    REFUSED = "refused", "No, they refused"
    NOT_ASKED = "not_asked", "They were not asked"


class RiskFlag(models.TextChoices):
    RISK_TO_STAFF = "risk_to_staff", "Risk to staff"
    WEAPONS = "weapons", "Weapons at the address"
    DOG = "dog", "Dog at the address"
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    VISIT_IN_PAIRS = "visit_in_pairs", "Visit in pairs only"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    IMMEDIATE = "immediate", "Immediate risk"


class MatchResult(models.TextChoices):
    MATCHED = "matched", "Matched"
    NONE = "none", "Not in the person index"
    AMBIGUOUS = "ambiguous", "More than one possible person"
    UNAVAILABLE = "unavailable", "Person index not available"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for triage"
    ACCEPTED = "accepted", "Accepted"
    MERGED = "merged", "Joined with another referral"
    SIGNPOSTED = "signposted", "Signposted"
    DECLINED = "declined", "Declined"


class Source(models.TextChoices):
    STANDARD = "standard", "The standard referral"
    CASE_FINDING = "case_finding", "Case finding"


class CaseFindingPurpose(models.TextChoices):
    """The purposes (agreements.toml) for which a cohort's people may become referrals."""

    DIRECT_CARE = "direct_care", "Direct care"
    INTEGRATED_LOCALITY_WORKING = "integrated_locality_working", "Integrated locality working"


class Referral(models.Model):
    reference = models.CharField(max_length=48, unique=True)
    # Who is referred, as the referrer typed them. A referral from case finding has none: it
    # comes with its person_key (see case_finding.py).
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    consent = models.CharField(max_length=16, choices=Consent.choices)
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices, blank=True)
    # [{"domain": Domain, "description": str}, ...] in the form's order (a list: PostgreSQL's
    # jsonb does not keep a dict's key order).
    needs = models.JSONField(default=list)
    risks = models.JSONField(default=list)  # [RiskFlag, ...]
    risk_details = models.TextField(blank=True)
    urgency = models.CharField(max_length=16, choices=Urgency.choices)
    tried = models.TextField()
    referred_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="referrals_made")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    # The person index's answer at submission: a person_key only when one person was likeliest.
    person_key = models.CharField(max_length=64, blank=True, db_index=True)
    match = models.CharField(max_length=16, choices=MatchResult.choices)
    match_confidence = models.CharField(max_length=16, blank=True)  # "certain" or "probable"
    match_fields = models.JSONField(default=list)  # the fields that agreed
    match_candidates = models.PositiveIntegerField(default=0)
    # Triage.
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)  # where to, when signposted; why, when declined
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    # Where the referral came from: a referrer's form, or the coordinator's case finding (with
    # the cohort, its run in the provenance log, and the purpose the person was found for).
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.STANDARD)
    cohort = models.CharField(max_length=100, blank=True)
    cohort_run_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=32, choices=CaseFindingPurpose.choices, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-submitted_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # The database keeps the workflow's outcomes whole (defence in depth, AC-17).
            models.CheckConstraint(
                condition=models.Q(status="merged", merged_into__isnull=False)
                | (~models.Q(status="merged") & models.Q(merged_into__isnull=True)),
                name="merged_referral_names_its_referral",
            ),
            models.CheckConstraint(
                condition=models.Q(status="accepted", case__isnull=False)
                | (~models.Q(status="accepted") & models.Q(case__isnull=True)),
                name="accepted_referral_names_its_case",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def need_labels(self) -> list[str]:
        return [Domain(need["domain"]).label for need in self.needs]
