"""The community asset directory, and the referrals of people on cases to its assets.

An asset is a group, service, venue or activity of the voluntary, community and faith sector
or of a public service. It says whom it is for through the needs it meets (the vocabulary of
``vocabulary.Need``, one ``AssetNeed`` row each, so that a search by need is one indexed
query on every database). Its entry has an owner and a review date: past that date it is stale.

A referral to an asset belongs to a case: the person is held by the case's ``person_key``
only, as everywhere in the operational zone.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from joinedup.web.accounts.models import User
from joinedup.web.cases.models import Case
from joinedup.web.community.vocabulary import AgeGroup, AssetKind, Day, Need, Sector, TakeUp
from joinedup.web.community.wards import ward_choices, ward_names


class Asset(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=AssetKind.choices())
    sector = models.CharField(max_length=16, choices=Sector.choices())
    run_by = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    age_group = models.CharField(max_length=32, choices=AgeGroup.choices())
    address = models.CharField(max_length=300)
    postcode = models.CharField(max_length=10, blank=True)
    ward_code = models.CharField(max_length=9, choices=ward_choices(), db_index=True)
    # The days it runs, as day codes joined by commas ("mon,wed"); the times, as people say them.
    days = models.CharField(max_length=40, blank=True)
    times = models.CharField(max_length=200, blank=True)
    places_per_week = models.PositiveIntegerField()
    contact = models.CharField(max_length=300)
    owner = models.CharField(max_length=200)
    review_on = models.DateField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def ward_name(self) -> str:
        return ward_names().get(self.ward_code, self.ward_code)

    @property
    def kind_label(self) -> str:
        return AssetKind(self.kind).label

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label

    @property
    def age_group_label(self) -> str:
        return AgeGroup(self.age_group).label

    @property
    def day_labels(self) -> list[str]:
        return [Day(code).label for code in self.days.split(",") if code]

    @property
    def need_labels(self) -> list[str]:
        return [Need(n.need).label for n in self.needs.all()]

    def stale(self, today: dt.date | None = None) -> bool:
        """Past its review date: the directory may be wrong about it."""
        return self.review_on < (today or timezone.localdate())

    @property
    def is_stale(self) -> bool:
        return self.stale()


class AssetNeed(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(max_length=32, choices=Need.choices(), db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["need"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["asset", "need"], name="one_row_per_asset_need")
        ]

    def __str__(self) -> str:
        return f"{self.asset} meets {self.need}"


class AssetReferral(models.Model):
    """A person on a case referred (signposted, or socially prescribed) to an asset."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="asset_referrals")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="referrals")
    need = models.CharField(max_length=32, choices=Need.choices())
    referred_on = models.DateField()
    referred_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    take_up = models.CharField(max_length=16, choices=TakeUp.choices(), default=TakeUp.REFERRED)
    outcome = models.TextField(max_length=2000, blank=True)
    # A score on whatever scale the outcome text names (for example ONS4 life satisfaction 0-10).
    outcome_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-referred_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.case} to {self.asset}"

    @property
    def take_up_label(self) -> str:
        return TakeUp(self.take_up).label

    @property
    def need_label(self) -> str:
        return Need(self.need).label
