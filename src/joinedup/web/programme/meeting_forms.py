"""The programme officer's forms for meetings: importing minutes; updating an action."""

from __future__ import annotations

from typing import Any

from django import forms

from joinedup.web.govuk import GovukFormMixin
from joinedup.web.programme.meetings import BODIES
from joinedup.web.programme.models import ActionStatus

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
