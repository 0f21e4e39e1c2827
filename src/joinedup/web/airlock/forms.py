"""The airlock's forms: ask for a cohort's counts or an uploaded table; decide with a reason."""

from __future__ import annotations

from django import forms

from joinedup.web.govuk import GovukFormMixin


def parse_parameters(text: str) -> dict[str, str]:
    """``name=value`` lines into a dict.

    >>> parse_parameters("ward = Astley\\n\\nmin_age=18")
    {'ward': 'Astley', 'min_age': '18'}
    """
    parsed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, equals, value = line.partition("=")
        if not equals or not name.strip():
            raise forms.ValidationError(f"Line {number} needs a name, an equals sign and a value")
        parsed[name.strip()] = value.strip()
    return parsed


class _RequestForm(GovukFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Who the output is for and what it will be used for",
    )


class CohortRequestForm(_RequestForm):
    cohort = forms.CharField(max_length=200, help_text="The cohort's name in the library")
    parameters = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One parameter per line, as name=value",
    )

    def clean_parameters(self) -> dict[str, str]:
        return parse_parameters(self.cleaned_data["parameters"])


class TableRequestForm(_RequestForm):
    table = forms.FileField(
        help_text="A CSV file of counts: a header row, then a label and counts on each row",
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload", "accept": ".csv"}),
    )


class DecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve release"), ("reject", "Reject")],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Recorded with the decision and shown to the requester",
    )
