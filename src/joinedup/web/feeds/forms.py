"""The feed pages' forms: a delivery to upload, and the refused fields of one quarantined row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from joinedup.feeds.contract import Contract
from joinedup.feeds.fixing import Problem, QuarantinedRow
from joinedup.feeds.incoming import Offer
from joinedup.feeds.quarantine import describe
from joinedup.web.govuk import GovukFormMixin


class UploadForm(GovukFormMixin, forms.Form):
    feed = forms.ChoiceField(
        label="Which partner feed is this file?",
        help_text="Only feeds covered by a data sharing agreement in force are offered",
    )
    file = forms.FileField(
        label="The partner's extract",
        help_text="The file exactly as the partner sent it (CSV, delimited text or Excel)",
    )

    def __init__(self, *args: Any, offers: list[Offer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a feed")] + [
            (o.contract.name, f"{o.contract.partner}: {o.contract.description or o.contract.name}")
            for o in offers
            if not o.not_offered_because
        ]
        self.fields["feed"].choices = choices  # type: ignore[attr-defined]


# Shows a date format by example: the fifth of April, so that day and month cannot be confused.
EXAMPLE_MOMENT = dt.datetime(2016, 4, 5, 14, 30, 0)


def field_name(index: int) -> str:
    return f"column_{index}"


class FixRowForm(GovukFormMixin, forms.Form):
    """One text field per refused column, filled with the value as sent."""

    def __init__(self, *args: Any, contract: Contract, row: QuarantinedRow, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns: dict[str, str] = {}
        values = row.values or {}
        for index, column in enumerate(contract.columns):
            if column.name not in row.refused_columns(contract):
                continue
            hint = [f"Type: {column.type}"]
            if column.format:
                example = EXAMPLE_MOMENT.strftime(column.format)
                hint.append(f"written like {example} ({column.format})")
            if column.codes:
                hint.append("one of " + ", ".join(column.codes))
            if column.required:
                hint.append("required")
            name = field_name(index)
            self.fields[name] = forms.CharField(
                label=column.name,
                required=False,
                max_length=10_000,
                initial=values.get(column.name, ""),
                help_text="; ".join(hint),
                # Added after GovukFormMixin has styled the form's declared fields.
                widget=forms.TextInput(attrs={"class": "govuk-input govuk-!-width-two-thirds"}),
            )
            self.columns[name] = column.name

    def fixed_values(self, row: QuarantinedRow) -> dict[str, str]:
        values = dict(row.values or {})
        for name, column in self.columns.items():
            values[column] = self.cleaned_data[name]
        return values

    def refuse(self, problems: list[Problem]) -> None:
        """Put the contract's objections beside the fields they are about."""
        by_column = {column: name for name, column in self.columns.items()}
        for problem in problems:
            message = f"{problem.column}: {describe(problem.reason)} ({problem.reason})"
            self.add_error(by_column.get(problem.column), message)


class CloseRowForm(GovukFormMixin, forms.Form):
    note = forms.CharField(
        label="Why is this row closed without a fix?",
        help_text="For example: the partner re-sent the whole extract; it was a test row",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
