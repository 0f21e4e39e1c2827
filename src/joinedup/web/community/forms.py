"""The community pages' forms: search, refer, take-up, import, which need to compare, and an
asset's entry (add, change, close)."""

from __future__ import annotations

from typing import Any

from django import forms

from joinedup.web.community.gaps import MEASURES
from joinedup.web.community.models import Asset
from joinedup.web.community.upkeep import ENTRY_FIELDS, EntryError
from joinedup.web.community.vocabulary import AgeGroup, AssetKind, Day, Need, Sector, TakeUp
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
        label="Need", choices=[(n.value, n.label) for n in Need if n in MEASURES], required=False
    )
    reach = forms.BooleanField(
        label="Count places in neighbouring wards as within reach", required=False
    )

    def chosen_need(self) -> Need:
        value = self.cleaned_data.get("need") if self.is_valid() else ""
        return Need(value) if value else Need.LONELINESS


def _date_input() -> forms.DateInput:
    # ISO values, so that a browser's date picker shows the date it is given.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class AssetForm(GovukFormMixin, forms.Form):
    """Every field of an asset's entry; the directory's own rules are ``upkeep.check_entry``."""

    name = forms.CharField(label="Name", max_length=200)
    kind = forms.ChoiceField(label="Kind of asset", choices=AssetKind.choices())
    sector = forms.ChoiceField(label="Sector", choices=Sector.choices())
    run_by = forms.CharField(label="Run by", max_length=200, help_text="The group that runs it")
    description = forms.CharField(
        label="Description (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    needs = forms.MultipleChoiceField(
        label="Needs it meets",
        choices=Need.choices(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one need the asset meets"},
    )
    age_group = forms.ChoiceField(label="Who it is for", choices=AgeGroup.choices())
    address = forms.CharField(label="Address", max_length=300, help_text="Where it meets")
    postcode = forms.CharField(label="Postcode (optional)", max_length=10, required=False)
    ward_code = forms.ChoiceField(label="Ward", choices=ward_choices())
    days = forms.MultipleChoiceField(
        label="Days it runs (optional)",
        choices=Day.choices(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    times = forms.CharField(
        label="Times (optional)",
        max_length=200,
        required=False,
        help_text="As people say them, for example 10am to 12 noon",
    )
    places_per_week = forms.IntegerField(
        label="Places a week", min_value=0, help_text="How many people it can take each week"
    )
    contact = forms.CharField(
        label="Contact", max_length=300, help_text="A phone number or email address"
    )
    owner = forms.CharField(
        label="Owner", max_length=200, help_text="Who keeps this entry up to date"
    )
    review_on = forms.DateField(
        label="Next review date",
        help_text="When the owner will next check this entry",
        widget=_date_input(),
    )

    @classmethod
    def initial_for(cls, asset: Asset) -> dict[str, Any]:
        initial: dict[str, Any] = {f: getattr(asset, f) for f in ENTRY_FIELDS}
        initial["needs"] = [n.need for n in asset.needs.all()]
        initial["days"] = [d for d in asset.days.split(",") if d]
        return initial

    def entry(self) -> dict[str, Any]:
        """The cleaned fields as the asset holds them (days as codes joined by commas)."""
        fields = {f: self.cleaned_data[f] for f in ENTRY_FIELDS if f != "days"}
        chosen = set(self.cleaned_data["days"])
        fields["days"] = ",".join(d.value for d in Day if d.value in chosen)
        return fields

    def chosen_needs(self) -> list[Need]:
        return [Need(n) for n in self.cleaned_data["needs"]]

    def refuse(self, error: EntryError) -> None:
        for field, why in error.problems.items():
            self.add_error(field if field in self.fields else None, why)

    def error_links(self) -> list[tuple[str, str]]:
        """(the id to link to, the message) for the error summary: a group of checkboxes
        links to its first box."""
        links = []
        for bound in self:
            target = bound.id_for_label or f"{bound.auto_id}_0"
            links += [(target, str(e)) for e in bound.errors]
        return links


class CloseForm(GovukFormMixin, forms.Form):
    closed_on = forms.DateField(
        label="Date it stopped running",
        help_text="From this day the directory no longer offers it",
        widget=_date_input(),
    )
