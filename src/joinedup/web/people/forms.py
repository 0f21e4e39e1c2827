"""Break-glass, the IG lead's review of it, and the subject access search."""

from __future__ import annotations

from django import forms

from joinedup.web.govuk import GovukFormMixin, IsoDateInput
from joinedup.web.people.access import MINIMUM_REASON_LENGTH
from joinedup.web.people.models import ReviewOutcome


class BreakGlassForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=MINIMUM_REASON_LENGTH,
        max_length=2000,
        label="Why must you see this person's record now?",
        help_text=(
            "Who is at risk of harm and why you cannot wait for a case to be opened. "
            "Your information governance lead reads every reason."
        ),
    )


class BreakGlassReviewForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
        label="Was this access justified?",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Note",
        help_text="What you checked, and any action taken",
    )


class SubjectAccessForm(GovukFormMixin, forms.Form):
    person_key = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{4,64}$",
        required=False,
        label="Person key",
        help_text="If you know it, from a case or an earlier request",
    )
    nhs_number = forms.RegexField(
        regex=r"^\d{3} ?\d{3} ?\d{4}$",
        required=False,
        label="NHS number",
        help_text="10 digits",
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not cleaned.get("person_key") and not cleaned.get("nhs_number"):
            raise forms.ValidationError("Enter a person key or an NHS number")
        return cleaned


class LogRequestForm(GovukFormMixin, forms.Form):
    received_on = forms.DateField(
        label="Date received",
        help_text="The day the request arrived, working day or not (YYYY-MM-DD)",
        widget=IsoDateInput(),
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="Who asked, and how",
        help_text="For example: by email to the council's data protection officer",
    )


STEPS = [
    ("identity_asked", "Asked for proof of identity"),
    ("identity_received", "Proof of identity received (the month starts again)"),
    ("clarification", "Asked for clarification (stops the clock)"),
    ("extend", "Extended by a month: the request is complex"),
    ("identify", "Found the person in the index"),
    ("responded", "Responded"),
    ("withdrawn", "Withdrawn by the requester"),
]


class RequestStepForm(GovukFormMixin, forms.Form):
    step = forms.ChoiceField(choices=STEPS, label="What happened")
    on = forms.DateField(label="On", help_text="YYYY-MM-DD", widget=IsoDateInput())
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="Details",
        help_text=(
            "For clarification: the date it arrived (YYYY-MM-DD). For an extension: why. "
            "For finding the person: their person key."
        ),
    )
