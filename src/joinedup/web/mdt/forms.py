"""The MDT chair's forms: schedule a meeting, adjust the agenda, attendance, an item's outcome.
An item's new action is the case's own action form (``cases.forms.ActionForm``)."""

from __future__ import annotations

from typing import Any

from django import forms

from joinedup.web.accounts.models import User
from joinedup.web.cases.forms import UserChoiceField, date_field
from joinedup.web.govuk import GovukFormMixin
from joinedup.web.mdt import meetings


class MeetingForm(GovukFormMixin, forms.Form):
    held_on = date_field("Date")
    starts_at = forms.TimeField(
        label="Start time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(max_length=200, label="Place")
    chair = UserChoiceField(
        queryset=User.objects.none(),
        label="Chair",
        help_text="The agenda is built from the chair's own cases",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["chair"]
        assert isinstance(field, UserChoiceField)
        field.queryset = meetings.chairs().order_by("full_name", "email")


class PeopleField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]  # generic in the stubs only
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return f"{obj.full_name or obj.email} ({obj.organisation})"


class AttendanceForm(GovukFormMixin, forms.Form):
    present = PeopleField(queryset=User.objects.none(), required=False, label="Present")
    apologies = PeopleField(queryset=User.objects.none(), required=False, label="Apologies")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("present", "apologies"):
            field = self.fields[name]
            assert isinstance(field, PeopleField)
            field.queryset = meetings.team()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        both = set(data.get("present", ())) & set(data.get("apologies", ()))
        if both:
            self.add_error("apologies", "Someone is either present or sends apologies, not both")
        return data


class OutcomeForm(GovukFormMixin, forms.Form):
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Summary of the discussion",
        help_text="A few lines: the record is seen by everyone who works on the case",
    )
    decision = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Decision"
    )
    next_review = date_field(
        "Next review (optional)",
        required=False,
        help_text="Brings the case back to the MDT by this date",
    )
