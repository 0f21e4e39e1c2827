"""The programme officer's forms: the work programme (themes, workstreams, phases), grants
and their spend, a workstream's status, a risk."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from joinedup.analytics.cohorts import library
from joinedup.home import resolve_home
from joinedup.web.govuk import GovukFormMixin
from joinedup.web.programme.changes import (
    GRANT_FIELDS,
    PHASE_FIELDS,
    RISK_FIELDS,
    dependency_loop,
)
from joinedup.web.programme.models import (
    Direction,
    Grant,
    Measure,
    MeasureKind,
    Phase,
    Risk,
    SpendKind,
    SpendLine,
    Status,
    Theme,
    Workstream,
)

SCORES = [(n, str(n)) for n in range(1, 6)]


def date_input() -> forms.DateInput:
    """A browser date picker, given the date as it needs it (ISO) for a form that changes one."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
            "review_on": date_input(),
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
        widgets: ClassVar[dict[str, forms.Widget]] = {"on": date_input()}


class ThemeForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = Theme
        fields: ClassVar[list[str]] = ["name"]


class WorkstreamForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = Workstream
        fields: ClassVar[list[str]] = [
            "theme",
            "name",
            "objective",
            "lead_name",
            "lead_organisation",
        ]
        labels: ClassVar[dict[str, str]] = {
            "lead_name": "Lead",
            "lead_organisation": "Lead's organisation",
        }
        help_texts: ClassVar[dict[str, str]] = {"lead_name": "A person, or a team or group"}
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "objective": forms.Textarea(attrs={"rows": 3}),
        }


class PhaseChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # generic only in the stubs
    def label_from_instance(self, obj: Phase) -> str:
        return f"{obj.title} ({obj.workstream.name})"


class PhaseCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose error-summary link goes to the first box, as GOV.UK asks."""

    def id_for_label(self, id_: str, index: str | None = "0") -> str:
        return f"{id_}_{index or 0}" if id_ else id_


class PhaseForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    depends_on = PhaseChoices(
        queryset=Phase.objects.none(),
        widget=PhaseCheckboxes(attrs={"class": "govuk-checkboxes__input"}),
        required=False,
        label="Waits for",
        help_text="The phases that must end before this one can",
    )

    class Meta:
        model = Phase
        fields: ClassVar[list[str]] = [*PHASE_FIELDS, "depends_on"]
        labels: ClassVar[dict[str, str]] = {"start": "Start date", "end": "End date"}
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "start": date_input(),
            "end": date_input(),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        others = Phase.objects.select_related("workstream").order_by(
            "workstream__theme__position", "workstream__position", "start", "id"
        )
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        field = self.fields["depends_on"]
        assert isinstance(field, PhaseChoices)
        field.queryset = others

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        assert data is not None
        loop = dependency_loop(self.instance, data.get("depends_on") or [])
        if loop is not None:
            self.add_error(
                "depends_on",
                "Phases cannot wait for each other in a loop: " + " waits for ".join(loop),
            )
        return data


class GrantForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="In pounds, for example 245000"
    )

    class Meta:
        model = Grant
        fields: ClassVar[list[str]] = list(GRANT_FIELDS)
        labels: ClassVar[dict[str, str]] = {"spend_by": "Spend by"}
        help_texts: ClassVar[dict[str, str]] = {
            "spend_by": "The date by which the money must be spent"
        }
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "conditions": forms.Textarea(attrs={"rows": 4}),
            "spend_by": date_input(),
        }


class MeasureForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    kind = forms.ChoiceField(choices=MeasureKind.choices, label="What it measures")
    cohort = forms.ChoiceField(
        required=False,
        help_text="For people in a cohort: which cohort (its default parameters are used)",
    )
    days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3660,
        label="Days",
        help_text="For referrals received: how many days back to count",
    )
    grant = forms.ModelChoiceField(
        queryset=Grant.objects.all(),
        required=False,
        empty_label="None",
        help_text="For money left unspent: which grant",
    )
    threshold = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="A number of people or referrals, or an amount in pounds",
    )
    direction = forms.ChoiceField(
        choices=Direction.choices,
        label="Goes to the Executive when the figure is",
        help_text="Above or below the threshold",
    )

    class Meta:
        model = Measure
        fields: ClassVar[list[str]] = [
            "name",
            "kind",
            "cohort",
            "days",
            "grant",
            "threshold",
            "direction",
        ]
        labels: ClassVar[dict[str, str]] = {"name": "Name"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cohort"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "None"),
            *(
                (name, f"{entry.definition.title} ({name})")
                for name, entry in sorted(library.entries(resolve_home()).items())
            ),
        ]
