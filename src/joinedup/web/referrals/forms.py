"""The standard referral's question pages, and the hub coordinator's triage decision.

Every form lists its fields: anything else a request carries (a role, an organisation, a
referrer) is not a field, so it is never read (AC-06). The referrer and their organisation are
the signed-in user's, set by the view. Messages follow the GOV.UK Design System's wording.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError

from joinedup.feeds.rules import POSTCODE_SHAPE
from joinedup.synth.nhs_numbers import is_valid as nhs_number_is_valid
from joinedup.web.accounts.models import User
from joinedup.web.airlock.forms import parse_parameters
from joinedup.web.cases.models import Case
from joinedup.web.governance.sharing import Domain, LawfulBasis
from joinedup.web.govuk import GovukFormMixin
from joinedup.web.referrals.models import (
    CaseFindingPurpose,
    Consent,
    Referral,
    RiskFlag,
    Urgency,
)

NO_KNOWN_RISKS = "none"
CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


def text(
    name: str,
    required: str,
    *,
    max_length: int,
    label: str = "",
    help_text: str = "",
    rows: int = 0,
) -> forms.CharField:
    """A text field with GOV.UK messages: ``required`` when empty (``""``: optional), and
    "<name> must be N characters or fewer"."""
    widget = (
        forms.Textarea(attrs={"rows": rows, "class": "govuk-textarea"})
        if rows
        else forms.TextInput(attrs={"class": "govuk-input"})
    )
    return forms.CharField(
        label=label or name,
        help_text=help_text,
        required=bool(required),
        max_length=max_length,
        widget=widget,
        error_messages={
            "required": required,
            "max_length": f"{name} must be {max_length} characters or fewer",
        },
    )


@dataclass(frozen=True)
class Option:
    """One radio or checkbox, with the fields it reveals when chosen."""

    id: str
    value: str
    label: str
    checked: bool
    hint: str = ""
    reveals: list[forms.BoundField] = field(default_factory=list)
    exclusive: bool = False  # "none of these": unticks the others


@dataclass(frozen=True)
class DatePart:
    """One box of a GOV.UK date input."""

    id: str  # also its name
    label: str
    value: str
    width: int  # characters


class GovukForm(GovukFormMixin, forms.Form):
    """A form whose element ids are its field names, with GOV.UK error links.

    A radio or checkbox is ``<field>-<value>``; a date's parts are ``<field>_day``, ``_month``
    and ``_year``: stable ids for labels, error links and browser tests.
    """

    hints: ClassVar[dict[str, str]] = {}
    reveals: ClassVar[dict[str, list[str]]] = {}  # choice value -> the fields it reveals
    exclusive: ClassVar[dict[str, str]] = {}  # field -> its "none of these" choice

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def choices(self) -> dict[str, list[Option]]:
        """Each radio or checkbox field's options, by field name, for the templates."""
        return {
            name: self.options(name)
            for name, found in self.fields.items()
            if isinstance(found.widget, CHOICE_WIDGETS)
        }

    def date_inputs(self) -> dict[str, list[DatePart]]:
        """Each date field's day, month and year boxes, by field name, for the templates."""
        inputs: dict[str, list[DatePart]] = {}
        for name, found in self.fields.items():
            if isinstance(found, GovukDateField):
                value = self[name].value()
                typed = value if isinstance(value, list) else found.widget.decompress(value)
                inputs[name] = [
                    DatePart(
                        f"{name}_{part}", part.title(), str(v or ""), 4 if part == "year" else 2
                    )
                    for part, v in zip(GovukDateField.PARTS, typed, strict=True)
                ]
        return inputs

    def options(self, name: str) -> list[Option]:
        bound = self[name]
        value = bound.value()
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        choices: Any = getattr(self.fields[name], "choices", [])
        return [
            Option(
                id=f"{name}-{key}",
                value=str(key),
                label=str(label),
                checked=str(key) in chosen,
                hint=self.hint(str(key)),
                reveals=[self[f] for f in self.revealed(str(key))],
                exclusive=str(key) == self.exclusive.get(name),
            )
            for key, label in choices
            if str(key)
        ]

    def hint(self, value: str) -> str:
        """A choice's hint (a form whose choices are made per request overrides this)."""
        return self.hints.get(value, "")

    def revealed(self, value: str) -> list[str]:
        """The fields a choice reveals when chosen."""
        return self.reveals.get(value, [])

    def error_links(self) -> list[tuple[str, str]]:
        """(element id, message) for the error summary, each linking to the field in error."""
        links: list[tuple[str, str]] = []
        for name, errors in self.errors.as_data().items():
            for error in errors:
                links.extend((self._anchor(name, error), message) for message in error.messages)
        return links

    def _anchor(self, name: str, error: ValidationError) -> str:
        found = self.fields.get(name)
        if found is None:
            return ""
        if isinstance(found, GovukDateField):
            part = (error.params or {}).get("part", "day")
            return f"{name}_{part}"
        if isinstance(found.widget, CHOICE_WIDGETS):
            first = next((o.id for o in self.options(name)), name)
            return first
        return name


class StepForm(GovukForm):
    """One question page: its answers are kept in the session until the referral is sent."""

    def answers(self) -> dict[str, Any]:
        """What the session keeps (JSON), by the referral's field names."""
        return dict(self.cleaned_data)

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        """The form's initial values from what the session kept."""
        return dict(answers)


class DateParts(forms.MultiWidget):
    def __init__(self) -> None:
        super().__init__(
            {"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput}
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """The GOV.UK date input: day, month and year boxes, checked as one date in the past."""

    PARTS = ("day", "month", "year")

    def __init__(self, name: str, **kwargs: Any) -> None:
        self.name = name
        parts = tuple(forms.CharField(required=False, max_length=4) for _ in self.PARTS)
        super().__init__(
            parts,
            widget=DateParts(),
            require_all_fields=False,
            error_messages={"required": f"Enter the person's {name.lower()}"},
            **kwargs,
        )

    def compress(self, data_list: list[str]) -> dt.date | None:
        values = [(v or "").strip() for v in data_list] or ["", "", ""]
        missing = [part for part, v in zip(self.PARTS, values, strict=True) if not v]
        if missing:
            raise ValidationError(
                f"{self.name} must include a {' and '.join(missing)}", params={"part": missing[0]}
            )
        day, month, year = values
        try:
            if len(year) != 4:
                raise ValueError(year)
            date = dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(
                f"{self.name} must be a real date", params={"part": "day"}
            ) from None
        if date >= dt.date.today():
            raise ValidationError(f"{self.name} must be in the past", params={"part": "day"})
        if date.year < 1900:
            raise ValidationError(f"{self.name} must be after 1900", params={"part": "year"})
        return date


def squeezed(value: str) -> str:
    return re.sub(r"[\s-]", "", value)


class PersonForm(StepForm):
    given_name = text("Given name", "Enter the person's given name", max_length=100)
    family_name = text("Family name", "Enter the person's family name", max_length=100)
    birth_date = GovukDateField(
        "Date of birth", label="Date of birth", help_text="For example, 27 3 1957"
    )
    nhs_number = text(
        "NHS number",
        "",
        max_length=20,
        label="NHS number (optional)",
        help_text="A 10 digit number, like 943 476 5919",
    )
    address = text("Address", "Enter the person's address", max_length=500, rows=3)
    postcode = text("Postcode", "Enter the person's postcode", max_length=10)

    def clean_nhs_number(self) -> str:
        number = squeezed(self.cleaned_data["nhs_number"])
        if number and not (len(number) == 10 and number.isdigit()):
            raise ValidationError("NHS number must be 10 digits")
        if number and not nhs_number_is_valid(number):
            raise ValidationError("Enter a real NHS number: check each digit")
        return number

    def clean_postcode(self) -> str:
        code = squeezed(self.cleaned_data["postcode"]).upper()
        if not re.match(POSTCODE_SHAPE, code):
            raise ValidationError("Enter a real postcode, like PR7 1DP")
        return f"{code[:-3]} {code[-3:]}"

    def answers(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["birth_date"] = data["birth_date"].isoformat()
        return data

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        initial = dict(answers)
        if answers.get("birth_date"):
            born = dt.date.fromisoformat(answers["birth_date"])
            initial["birth_date"] = [str(born.day), str(born.month), str(born.year)]
        return initial


def choose(
    choices: Any, required: str, label: str, help_text: str = "", *, many: bool = False
) -> forms.ChoiceField:
    """Radios (or checkboxes, when ``many``) with one message for no choice or a wrong one."""
    kind = forms.MultipleChoiceField if many else forms.ChoiceField
    return kind(
        choices=choices,
        widget=forms.CheckboxSelectMultiple if many else forms.RadioSelect,
        label=label,
        help_text=help_text,
        error_messages={"required": required, "invalid_choice": required},
    )


class ConsentForm(StepForm):
    consent = choose(
        Consent.choices,
        "Select whether the person agreed to this referral",
        "Does the person agree to this referral?",
        "Ask them if it is safe to: the team will contact them",
    )
    hints: ClassVar[dict[str, str]] = {
        Consent.NOT_ASKED: "For example, it was not safe or not possible to ask",
    }


class LawfulBasisForm(StepForm):
    lawful_basis = choose(
        LawfulBasis.choices,
        "Select the lawful basis for sharing without the person's agreement",
        "Why can the referral be shared without the person's agreement?",
        "Choose the lawful basis that applies. Ask your information governance lead if unsure",
    )


class NeedsForm(StepForm):
    needs = choose(
        Domain.choices,
        "Select what the person needs help with",
        "What does the person need help with?",
        "Select all that apply, and describe each need",
        many=True,
    )
    reveals: ClassVar[dict[str, list[str]]] = {d.value: [f"detail_{d.value}"] for d in Domain}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for domain in Domain:
            self.fields[f"detail_{domain.value}"] = text(
                f"The description of the {domain.label.lower()} need",
                "",
                max_length=1000,
                label=f"Describe the {domain.label.lower()} need",
                rows=3,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for domain in Domain:
            chosen = domain.value in data.get("needs", [])
            if chosen and not data.get(f"detail_{domain.value}", "").strip():
                self.add_error(
                    f"detail_{domain.value}", f"Describe the {domain.label.lower()} need"
                )
        return data

    def answers(self) -> dict[str, Any]:
        chosen = self.cleaned_data["needs"]
        return {
            "needs": [
                {"domain": d.value, "description": self.cleaned_data[f"detail_{d.value}"].strip()}
                for d in Domain
                if d.value in chosen
            ]
        }

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        needs = answers.get("needs", [])
        return {
            "needs": [n["domain"] for n in needs],
            **{f"detail_{n['domain']}": n["description"] for n in needs},
        }


class RisksForm(StepForm):
    risks = choose(
        [*RiskFlag.choices, (NO_KNOWN_RISKS, "No known risks")],
        "Select the risks to people visiting, or select no known risks",
        "Are there any risks to people visiting?",
        "Select all that apply",
        many=True,
    )
    exclusive: ClassVar[dict[str, str]] = {"risks": NO_KNOWN_RISKS}
    risk_details = text(
        "Details of the risks",
        "",
        max_length=1000,
        label="Details of the risks (optional)",
        help_text="For example, what happened before, or how to visit safely",
        rows=3,
    )

    def clean_risks(self) -> list[str]:
        risks: list[str] = self.cleaned_data["risks"]
        if NO_KNOWN_RISKS in risks and len(risks) > 1:
            raise ValidationError("Select no known risks only if there are none")
        return risks

    def answers(self) -> dict[str, Any]:
        return {
            "risks": [r for r in self.cleaned_data["risks"] if r != NO_KNOWN_RISKS],
            "risk_details": self.cleaned_data["risk_details"].strip(),
        }

    @classmethod
    def initial_from(cls, answers: dict[str, Any]) -> dict[str, Any]:
        return {
            "risks": answers.get("risks") or [NO_KNOWN_RISKS],
            "risk_details": answers.get("risk_details", ""),
        }


class UrgencyForm(StepForm):
    urgency = choose(Urgency.choices, "Select how urgent the referral is", "Urgency")
    hints: ClassVar[dict[str, str]] = {
        Urgency.ROUTINE: "The person needs support, and nobody is at risk now",
        Urgency.URGENT: "The person's situation may get worse quickly without help",
        Urgency.IMMEDIATE: "Someone may come to harm now: call 999 first, then refer",
    }


class TriedForm(StepForm):
    tried = text(
        "What has been tried already",
        "Enter what has been tried already",
        max_length=2000,
        label="What has been tried already?",
        help_text="Support given by you or others, and what happened",
        rows=5,
    )

    def answers(self) -> dict[str, Any]:
        return {"tried": self.cleaned_data["tried"].strip()}


class Decision:
    MERGE = "merge"
    ACCEPT_NEW = "accept_new"
    ACCEPT_EXISTING = "accept_existing"
    SIGNPOST = "signpost"
    DECLINE = "decline"


def pick(model: Any, label: str, one: str, key: str | None) -> forms.ModelChoiceField:  # type: ignore[type-arg]  # the stubs make it generic; django does not subscript it
    """A drop-down of ``model`` rows, by ``key`` (the primary key if None), empty until set."""
    return forms.ModelChoiceField(
        queryset=model.objects.none(),
        required=False,
        empty_label=f"Select {one}",
        label=label,
        to_field_name=key,
    )


class TriageForm(GovukForm):
    """The coordinator's decision on one referral, and what that decision needs."""

    decision = choose([], "Select a decision", "Your decision")
    # Each list is the referral's own (set in __init__); none is needed for every decision.
    into = pick(Referral, "Which referral should it join?", "a referral", "reference")
    lead_professional = pick(User, "Lead professional", "a practitioner", None)
    case = pick(Case, "Which case?", "a case", "reference")
    signposted_to = text(
        "Where it is signposted to", "", max_length=300, label="Where is it signposted to?"
    )
    reason = text("The reason", "", max_length=1000, label="Why is the referral declined?", rows=3)
    reveals: ClassVar[dict[str, list[str]]] = {
        Decision.MERGE: ["into"],
        Decision.ACCEPT_NEW: ["lead_professional"],
        Decision.ACCEPT_EXISTING: ["case"],
        Decision.SIGNPOST: ["signposted_to"],
        Decision.DECLINE: ["reason"],
    }
    NEEDED: ClassVar[dict[str, tuple[str, str]]] = {
        Decision.MERGE: ("into", "Select the referral to join it with"),
        Decision.ACCEPT_NEW: ("lead_professional", "Select the lead professional"),
        Decision.ACCEPT_EXISTING: ("case", "Select the case"),
        Decision.SIGNPOST: ("signposted_to", "Enter where the referral is signposted to"),
        Decision.DECLINE: ("reason", "Enter why the referral is declined"),
    }

    def __init__(
        self,
        *args: Any,
        waiting: Any,
        open_cases: Any,
        leads: Any,
        matched: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        if matched and waiting.exists():
            choices.append(
                (Decision.MERGE, "Join it with another waiting referral for this person")
            )
        if matched:
            choices.append((Decision.ACCEPT_NEW, "Accept it into a new case"))
        if matched and open_cases.exists():
            choices.append((Decision.ACCEPT_EXISTING, "Accept it into the person's open case"))
        choices += [
            (Decision.SIGNPOST, "Signpost it elsewhere"),
            (Decision.DECLINE, "Decline it"),
        ]
        fields: Any = self.fields
        fields["decision"].choices = choices
        fields["into"].queryset = waiting
        fields["into"].label_from_instance = lambda r: (
            f"{r.reference}, sent {r.submitted_at:%d %B %Y}"
        )
        fields["lead_professional"].queryset = leads
        fields["lead_professional"].label_from_instance = lambda u: (
            f"{u.full_name or u.email} ({u.organisation})"
        )
        fields["case"].queryset = open_cases
        fields["case"].label_from_instance = lambda c: (
            f"{c.reference}, opened {c.opened_at:%d %B %Y}"
        )
        for name, message in self.NEEDED.values():
            fields[name].error_messages["invalid_choice"] = message

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = self.NEEDED.get(data.get("decision", ""))
        if needed is not None:
            name, message = needed
            value = data.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.add_error(name, message)
        return data


class CaseFindingForm(GovukForm):
    """A cohort from the library, its parameters, and the purpose its people are found for."""

    cohort = forms.ChoiceField(
        label="Cohort",
        help_text="A definition from the hub's cohort library",
        error_messages={"required": "Select a cohort", "invalid_choice": "Select a cohort"},
    )
    parameters = text(
        "Parameters",
        "",
        max_length=2000,
        label="Parameters (optional)",
        help_text="One a line, as name=value, such as attendances=10. Left out: the defaults",
        rows=3,
    )
    purpose = choose(
        CaseFindingPurpose.choices,
        "Select the purpose",
        "What are the people found for?",
        "Every agreement the cohort's data comes under must allow this purpose",
    )

    def __init__(self, *args: Any, cohorts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: Any = [("", "Select a cohort"), *cohorts]
        fields: Any = self.fields
        fields["cohort"].choices = choices

    def clean_parameters(self) -> dict[str, str]:
        return parse_parameters(self.cleaned_data["parameters"])


class CaseFindingPeopleForm(GovukForm):
    """Which of the people a case-finding run found become referrals."""

    person_keys = choose(
        [],
        "Select the people to refer",
        "Who should be referred?",
        many=True,
    )

    def __init__(
        self, *args: Any, person_keys: list[str], hints: dict[str, str], cap: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap
        fields: Any = self.fields
        fields["person_keys"].choices = [(k, k) for k in person_keys]
        fields["person_keys"].help_text = f"Select up to {cap} people at a time"
        self.known = hints

    def hint(self, value: str) -> str:
        return self.known.get(value, "")

    def clean_person_keys(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["person_keys"]
        if len(chosen) > self.cap:
            raise ValidationError(f"Select {self.cap} people or fewer at a time")
        return chosen
