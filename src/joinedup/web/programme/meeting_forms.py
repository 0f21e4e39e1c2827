"""The programme officer's forms for meetings: a meeting, its attendance and agenda items,
approving the previous minutes, importing minutes, updating an action."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from joinedup.web.govuk import GovukFormMixin
from joinedup.web.programme.meetings import BODIES, MeetingDetails
from joinedup.web.programme.models import (
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceKind,
    Meeting,
)

MAX_MINUTES_BYTES = 1024 * 1024
MINUTES_SUFFIXES = (".txt", ".html", ".htm")


class MinutesForm(GovukFormMixin, forms.Form):
    body = forms.ChoiceField(
        choices=[("", "Work it out from the minutes"), *((b, b) for b in BODIES)],
        required=False,
        label="Whose meeting",
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        max_length=MAX_MINUTES_BYTES,
        label="Paste the minutes",
    )
    upload = forms.FileField(
        required=False, label="Or upload them", help_text="A .txt or .html file, up to 1 MB"
    )

    def clean_upload(self) -> str | None:
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if not str(upload.name).lower().endswith(MINUTES_SUFFIXES):
            raise forms.ValidationError("The file must be a .txt or .html file")
        if upload.size is None or upload.size > MAX_MINUTES_BYTES:
            raise forms.ValidationError("The file must be smaller than 1 MB")
        raw: bytes = upload.read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("text") and not cleaned.get("upload"):
            self.add_error("text", "Paste the minutes or upload a file")
        return cleaned

    def minutes(self) -> str:
        return str(self.cleaned_data.get("upload") or self.cleaned_data.get("text") or "")


class ActionUpdateForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, label="Update"
    )
    status = forms.ChoiceField(choices=ActionStatus.choices, label="Status afterwards")


class MeetingForm(GovukFormMixin, forms.Form):
    body = forms.ChoiceField(choices=[(b, b) for b in BODIES], label="Whose meeting")
    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Date"
    )
    title = forms.CharField(
        max_length=300,
        required=False,
        label="Title",
        help_text="For example, Public Service Reform Executive",
    )
    venue = forms.CharField(max_length=300, required=False, label="Venue")
    next_meeting_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        label="Next meeting's date",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, following = cleaned.get("date"), cleaned.get("next_meeting_on")
        if day and following and following <= day:
            self.add_error("next_meeting_on", "The next meeting must be after this one")
        return cleaned

    def details(self) -> MeetingDetails:
        return MeetingDetails(**self.cleaned_data)

    @staticmethod
    def initial_of(meeting: Meeting) -> dict[str, Any]:
        return {
            "body": meeting.body.name,
            "date": meeting.date,
            "title": meeting.title,
            "venue": meeting.venue,
            "next_meeting_on": meeting.next_meeting_on,
        }


CHAIR_CHOICES = [(False, "No"), (True, "Yes")]


class AttendanceForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    kind = forms.ChoiceField(
        choices=[
            (AttendanceKind.ATTENDED, "Present"),
            (AttendanceKind.APOLOGIES, "Sent apologies"),
            (AttendanceKind.OBSERVER, "Observer"),
        ],
        label="Attendance",
    )
    chair = forms.TypedChoiceField(
        choices=CHAIR_CHOICES,
        coerce=lambda value: value in (True, "True"),
        label="Chaired the meeting",
    )

    class Meta:
        model = Attendance
        fields: ClassVar[list[str]] = ["kind", "name", "role", "organisation", "chair"]


class AgendaItemForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # generic only in the stubs
    class Meta:
        model = AgendaItem
        fields: ClassVar[list[str]] = ["number", "title", "text", "decisions"]
        labels: ClassVar[dict[str, str]] = {
            "number": "Item number",
            "text": "What was discussed",
            "decisions": "Decisions",
        }
        help_texts: ClassVar[dict[str, str]] = {
            "number": "For example, 4 or 4a (optional)",
            "decisions": "One decision a line",
        }
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }


class ApproveMinutesForm(GovukFormMixin, forms.Form):
    amendments = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
        label="Amendments (optional)",
        help_text="Any corrections the meeting made before approving them",
    )
