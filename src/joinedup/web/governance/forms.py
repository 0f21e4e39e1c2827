"""The agreement form: datasets and their fields are typed one dataset per line."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from joinedup.web.governance.models import Agreement
from joinedup.web.govuk import GovukFormMixin, IsoDateInput

FIELDS_HELP = (
    "One dataset per line: the dataset's name, a colon, then its fields separated by commas"
)


def fields_as_text(fields: dict[str, list[str]]) -> str:
    """The inverse of ``parse_fields``.

    >>> fields_as_text({"gp_patients": ["NHS Number", "Sex"]})
    'gp_patients: NHS Number, Sex'
    """
    return "\n".join(f"{dataset}: {', '.join(names)}" for dataset, names in fields.items())


def parse_fields(text: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        dataset, colon, names = line.partition(":")
        if not colon or not dataset.strip():
            raise forms.ValidationError(
                f"Line {number} needs a dataset name, a colon, then its fields"
            )
        parsed[dataset.strip()] = [n.strip() for n in names.split(",") if n.strip()]
    if not parsed:
        raise forms.ValidationError("Enter at least one dataset and its fields")
    return parsed


class AgreementForm(GovukFormMixin, forms.ModelForm):  # type: ignore[type-arg]  # the stubs make ModelForm generic; django does not subscript it at run time
    fields_text = forms.CharField(
        label="Datasets and fields", help_text=FIELDS_HELP, widget=forms.Textarea(attrs={"rows": 6})
    )
    purposes_text = forms.CharField(
        label="Purpose codes",
        help_text="The purposes a cohort or profile can name, separated by commas, for example direct_care",
        required=False,
    )

    class Meta:
        model = Agreement
        fields: ClassVar[list[str]] = [
            "reference",
            "title",
            "partner",
            "recipient",
            "purpose",
            "lawful_basis",
            "special_category_condition",
            "start",
            "review",
            "end",
            "status",
        ]
        widgets: ClassVar[dict[str, Any]] = {
            "start": IsoDateInput(),
            "review": IsoDateInput(),
            "end": IsoDateInput(),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "special_category_condition": forms.Textarea(attrs={"rows": 2}),
        }
        labels: ClassVar[dict[str, str]] = {
            "lawful_basis": "Lawful basis (UK GDPR Article 6)",
            "special_category_condition": "Special category condition (Article 9, or None)",
            "start": "Start date",
            "review": "Review date",
            "end": "End date",
            "partner": "Partner sharing the data",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["fields_text"].initial = fields_as_text(dict(self.instance.fields_in_order))
            self.fields["purposes_text"].initial = ", ".join(self.instance.purposes)

    def clean_fields_text(self) -> dict[str, list[str]]:
        return parse_fields(self.cleaned_data["fields_text"])

    def clean_purposes_text(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data["purposes_text"].split(",") if p.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        start, review, end = cleaned.get("start"), cleaned.get("review"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date must be on or after the start date")
        if start and review and end and not start <= review <= end:
            self.add_error("review", "The review date must be between the start and end dates")
        return cleaned

    def save(self, commit: bool = True) -> Agreement:
        agreement: Agreement = super().save(commit=False)
        agreement.fields = self.cleaned_data["fields_text"]
        agreement.datasets = list(agreement.fields)
        agreement.purposes = self.cleaned_data["purposes_text"]
        if commit:
            agreement.save()
        return agreement
