"""GOV.UK Design System classes for Django form widgets, so templates stay plain."""

from __future__ import annotations

from typing import Any

from django import forms


class IsoDateInput(forms.DateInput):
    """A browser date picker (``<input type="date">``). Browsers only show a date given to it
    as YYYY-MM-DD: the UK format Django would otherwise render leaves a changed date empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


WIDGET_CLASSES: dict[type[forms.Widget], str] = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.PasswordInput: "govuk-input",
    forms.DateInput: "govuk-input govuk-input--width-10",
    IsoDateInput: "govuk-input govuk-input--width-10",
}


class GovukFormMixin:
    """Give every widget its GOV.UK class, and mark fields in error for screen readers."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = next(
                (c for kind, c in WIDGET_CLASSES.items() if type(widget) is kind), "govuk-input"
            )
            widget.attrs.setdefault("class", css)
