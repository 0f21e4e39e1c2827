"""The register of data sharing agreements: who shares which fields of which datasets, why,
on which lawful basis, and until when."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

LAWFUL_BASES = [
    "UK GDPR Article 6(1)(a): consent",
    "UK GDPR Article 6(1)(b): contract",
    "UK GDPR Article 6(1)(c): legal obligation",
    "UK GDPR Article 6(1)(d): vital interests",
    "UK GDPR Article 6(1)(e): public task",
    "UK GDPR Article 6(1)(f): legitimate interests",
]


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"


class Agreement(models.Model):
    reference = models.CharField(max_length=64, unique=True)  # e.g. DSA-GP-001
    title = models.CharField(max_length=300)
    partner = models.CharField(max_length=300)  # the party that shares
    recipient = models.CharField(max_length=300)
    # The datasets in the register's order (a list: PostgreSQL's jsonb does not keep key order),
    # and {dataset: [field, ...]} for each of them.
    datasets = models.JSONField(default=list)
    fields = models.JSONField(default=dict)
    purpose = models.TextField()
    purposes = models.JSONField(default=list)  # the purpose codes a cohort or profile names
    lawful_basis = models.CharField(max_length=100, choices=[(b, b) for b in LAWFUL_BASES])
    # Article 9 condition (and Article 10, DPA 2018 Schedule 1) as the agreement words it.
    special_category_condition = models.TextField()
    start = models.DateField()
    review = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["reference"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def fields_in_order(self) -> list[tuple[str, list[str]]]:
        return [(dataset, self.fields.get(dataset, [])) for dataset in self.datasets]

    def as_register_entry(self) -> dict[str, object]:
        """The agreement as the TOML seed writes it: the form the import compares with, and the
        one ``feeds.agreements.register_from_entries`` reads for the loader and the analytics."""
        return {
            "id": self.reference,
            "title": self.title,
            "partner": self.partner,
            "recipient": self.recipient,
            "datasets": self.datasets,
            "fields": self.fields,
            "purpose": self.purpose,
            "purposes": list(self.purposes),
            "lawful_basis": self.lawful_basis,
            "special_category_condition": self.special_category_condition,
            "start": self.start.isoformat(),
            "review": self.review.isoformat(),
            "end": self.end.isoformat(),
            "status": self.status,
        }
