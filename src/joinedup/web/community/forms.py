"""The community pages' forms: search, refer, take-up, import, and which need to compare."""

from __future__ import annotations

from django import forms

from joinedup.web.community.gaps import MEASURES
from joinedup.web.community.vocabulary import Day, Need, TakeUp
from joinedup.web.community.wards import ward_choices
from joinedup.web.govuk import GovukFormMixin

ANY = [("", "Any")]


class SearchForm(GovukFormMixin, forms.Form):
    needs = forms.MultipleChoiceField(
        choices=Need.choices(), required=False, widget=forms.CheckboxSelectMultiple
    )
    ward = forms.ChoiceField(choices=ANY + ward_choices(), required=False, label="Ward")
    day = forms.ChoiceField(choices=ANY + Day.choices(), required=False, label="Day")
    stale = forms.BooleanField(required=False, label="Only entries past their review date")

    def chosen_needs(self) -> tuple[Need, ...]:
        return tuple(Need(n) for n in self.cleaned_data.get("needs") or ())


class ReferForm(GovukFormMixin, forms.Form):
    need = forms.ChoiceField(label="Which need is this referral for?")
    referred_on = forms.DateField(
        label="Date of the referral",
        help_text="The day you made it, today or earlier",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args: object, needs: list[Need], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = [(n.value, n.label) for n in needs]  # type: ignore[attr-defined]


class TakeUpForm(GovukFormMixin, forms.Form):
    take_up = forms.ChoiceField(label="Did they take it up?", choices=TakeUp.choices())
    outcome = forms.CharField(
        label="Outcome",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What came of it, in the person's words where you can. No names of others.",
    )
    outcome_score = forms.IntegerField(
        label="Outcome score (optional)",
        required=False,
        min_value=0,
        max_value=100,
        help_text="A score on the measure you used, for example ONS life satisfaction, 0 to 10",
    )


class ImportForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="Spreadsheet of assets",
        help_text="A CSV file or an Excel workbook (.xlsx), with the columns listed below",
    )


class GapsForm(GovukFormMixin, forms.Form):
    need = forms.ChoiceField(
        label="Need", choices=[(n.value, n.label) for n in MEASURES], required=False
    )
    reach = forms.BooleanField(
        label="Count places in neighbouring wards as within reach", required=False
    )

    def chosen_need(self) -> Need:
        value = self.cleaned_data.get("need") if self.is_valid() else ""
        return Need(value) if value else Need.LONELINESS
