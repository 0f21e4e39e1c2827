"""The forms of the cohort pages: a run's parameters (built from the definition), a release."""

from __future__ import annotations

from typing import Any

from django import forms

from joinedup.analytics.cohorts.compiler import CohortParameterError, resolve_parameters
from joinedup.analytics.cohorts.language import Definition
from joinedup.web.govuk import GovukFormMixin


class RunForm(GovukFormMixin, forms.Form):
    """One field per parameter of the definition, its default filled in."""

    def __init__(self, definition: Definition, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for name, parameter in definition.parameters.items():
            help_text = parameter.help or ""
            kind = {"integer": "a whole number", "date": "a date such as 2019-12-31"}
            hint = kind.get(parameter.type, "text")
            field = forms.CharField(
                label=name.replace("_", " ").capitalize(),
                initial=parameter.default.text,
                max_length=100,
                required=False,  # left empty: the default
                help_text=f"{help_text} ({hint})" if help_text else hint.capitalize(),
            )
            width = "govuk-input--width-10" if parameter.type in ("integer", "date") else ""
            field.widget.attrs["class"] = f"govuk-input {width}".strip()
            self.fields[name] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = {name: str(cleaned.get(name) or "").strip() for name in self.fields}
        given = {name: value for name, value in given.items() if value}
        try:
            resolve_parameters(self.definition, given)
        except CohortParameterError as error:
            # The message names the file and line; the form says which field and why.
            raise forms.ValidationError(str(error).split(": parameter ", 1)[-1]) from None
        return given


class ReleaseForm(GovukFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Who the output is for and what it will be used for",
    )
