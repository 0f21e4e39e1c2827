"""The partnership's words for why a person's information is shared, used by every form that
asks: the domains of need, and the lawful bases for sharing without the person's consent."""

from __future__ import annotations

from django.db import models


class Domain(models.TextChoices):
    """The areas of a person's life a need (and its goal) belongs to, on the standard referral
    and in a case."""

    HOUSING = "housing", "Housing"
    MONEY = "money", "Money"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    LONELINESS = "loneliness", "Loneliness"
    SUBSTANCE_USE = "substance_use", "Substance use"
    SAFETY = "safety", "Safety and safeguarding"
    FAMILY = "family", "Family"


class LawfulBasis(models.TextChoices):
    """Bases for sharing without consent (UK GDPR Article 6 with the Article 9 condition, or the
    Data Protection Act 2018 condition for special category data)."""

    PUBLIC_TASK = (
        "public_task",
        "Public task and health or social care (UK GDPR Article 6(1)(e) and 9(2)(h))",
    )
    SAFEGUARDING = (
        "safeguarding",
        "Safeguarding a child or an adult at risk (Data Protection Act 2018, Schedule 1, paragraph 18)",
    )
    VITAL_INTERESTS = (
        "vital_interests",
        "Vital interests: to protect someone's life (UK GDPR Article 6(1)(d) and 9(2)(c))",
    )
    CRIME = (
        "crime",
        "Preventing or detecting crime (Data Protection Act 2018, Schedule 1, paragraph 10)",
    )
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (UK GDPR Article 6(1)(c))"
