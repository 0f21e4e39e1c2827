"""The programme officer's forms: a workstream's status; a risk."""

from __future__ import annotations

from typing import ClassVar

from django import forms

from joinedup.web.govuk import GovukFormMixin
from joinedup.web.programme.changes import RISK_FIELDS
from joinedup.web.programme.models import Risk, SpendKind, SpendLine, Status, Workstream

SCORES = [(n, str(n)) for n in range(1, 6)]


class WorkstreamStatusForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="Why the status changed (kept in the workstream's history)",
    )


class RiskForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    likelihood = forms.TypedChoiceField(
        choices=SCORES, coerce=int, help_text="1 (rare) to 5 (almost certain)"
    )
    impact = forms.TypedChoiceField(
        choices=SCORES, coerce=int, help_text="1 (negligible) to 5 (severe)"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text="Why (kept in the risk's history when the score changes)",
    )

    class Meta:
        model = Risk
        fields: ClassVar[list[str]] = list(RISK_FIELDS)
        labels: ClassVar[dict[str, str]] = {"review_on": "Next review"}
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "cause": forms.Textarea(attrs={"rows": 2}),
            "effect": forms.Textarea(attrs={"rows": 2}),
            "mitigations": forms.Textarea(attrs={"rows": 3}),
            "review_on": forms.DateInput(attrs={"type": "date"}),
        }


class SpendLineForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    workstream = forms.ModelChoiceField(
        queryset=Workstream.objects.select_related("theme"), required=False, empty_label="None"
    )
    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="In pounds, for example 1250.00"
    )
    kind = forms.ChoiceField(choices=SpendKind.choices, label="Actual or forecast")

    class Meta:
        model = SpendLine
        fields: ClassVar[list[str]] = ["on", "workstream", "description", "amount", "kind"]
        labels: ClassVar[dict[str, str]] = {"on": "Date", "description": "What it pays for"}
        widgets: ClassVar[dict[str, forms.Widget]] = {"on": forms.DateInput(attrs={"type": "date"})}
