"""The programme office's forms: a team, a session, a completion at a session, a register file."""

from __future__ import annotations

from typing import ClassVar

from django import forms

from joinedup.web.govuk import GovukFormMixin
from joinedup.web.workforce.models import DevelopmentProgramme, Session, Team

MAX_REGISTER_BYTES = 5 * 1024 * 1024


def _yes(value: str) -> bool:
    return value == "True"


class TeamForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    frontline = forms.TypedChoiceField(
        choices=[(True, "Yes"), (False, "No")],
        coerce=_yes,
        label="Frontline team",
        help_text="Staff who meet residents face to face or on the phone",
    )

    class Meta:
        model = Team
        fields: ClassVar[list[str]] = [
            "organisation",
            "name",
            "frontline",
            "headcount",
            "manager_name",
        ]
        labels: ClassVar[dict[str, str]] = {"name": "Team name"}


class ProgrammeForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = DevelopmentProgramme
        fields: ClassVar[list[str]] = ["name", "kind", "goal", "goal_percent", "target_date"]
        labels: ClassVar[dict[str, str]] = {
            "kind": "Kind of programme",
            "goal_percent": "Goal: share of frontline staff (%)",
        }
        help_texts: ClassVar[dict[str, str]] = {
            "goal": "In words, for example: All frontline staff",
            "goal_percent": "100 for all frontline staff",
            "target_date": "For example 2027-03-31",
        }
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "target_date": forms.DateInput(attrs={"type": "date"}),
        }


class SessionForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = Session
        fields: ClassVar[list[str]] = [
            "programme",
            "date",
            "venue",
            "trainer",
            "capacity",
            "places_booked",
        ]
        labels: ClassVar[dict[str, str]] = {"capacity": "Places", "places_booked": "Places booked"}
        help_texts: ClassVar[dict[str, str]] = {
            "date": "For example 2027-03-15",
            "capacity": "How many can attend",
        }
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "date": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        capacity, booked = cleaned.get("capacity"), cleaned.get("places_booked")
        if isinstance(capacity, int) and isinstance(booked, int) and booked > capacity:
            self.add_error("places_booked", "Places booked must not be more than the places")
        return cleaned


class CompletionForm(GovukFormMixin, forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.select_related("organisation"), empty_label="Choose a team"
    )
    staff_name = forms.CharField(
        max_length=200,
        label="Name or staff reference",
        help_text="Only what the register needs to count each person once",
    )
    staff_role = forms.CharField(max_length=200, label="Role", required=False)


class RegisterForm(GovukFormMixin, forms.Form):
    register = forms.FileField(
        widget=forms.FileInput(attrs={"class": "govuk-file-upload"}),
        label="Training register",
        help_text="A CSV or Excel (.xlsx) file with the headings Organisation, Team, Programme, "
        "Name or staff reference, Role and Completed on",
    )

    def clean_register(self) -> object:
        upload = self.cleaned_data["register"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("The file must be a CSV or an Excel (.xlsx) file")
        if upload.size > MAX_REGISTER_BYTES:
            raise forms.ValidationError("The file must be smaller than 5 MB")
        return upload
