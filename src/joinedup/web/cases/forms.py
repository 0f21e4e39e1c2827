"""The case forms. Each names the fields a person may set and nothing else, so an extra field
in a request (``author``, ``organisation``, ``status``, ``role``) is ignored (AC-06)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from joinedup.web.accounts.models import User
from joinedup.web.accounts.policy import Permission, roles_with
from joinedup.web.cases import workflow
from joinedup.web.cases.casework import current_workers
from joinedup.web.cases.measures import PAM_LEVELS, SWEMWBS_ANSWERS, SWEMWBS_ITEM_NAMES
from joinedup.web.cases.models import (
    ActionStatus,
    Case,
    ClosureOutcome,
    ConsentDecision,
    Domain,
    GoalStatus,
    LawfulBasis,
)
from joinedup.web.govuk import GovukFormMixin


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic in the stubs only
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return f"{obj.full_name or obj.email} ({obj.organisation})"


def choose(choices: Any) -> list[tuple[Any, str]]:
    """The choices after an empty "Choose" first, so that nothing is chosen by default."""
    return [("", "Choose"), *choices]


def date_field(label: str, **options: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **options)


def workers_of(case: Case) -> QuerySet[User]:
    return User.objects.filter(pk__in=current_workers(case).values("user_id")).select_related(
        "organisation"
    )


class CaseForm(GovukFormMixin, forms.Form):
    """A form about one case: some of its choices (owners, assessors) are the case's workers."""

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        self.case = case
        super().__init__(*args, **kwargs)


class WorkerForm(CaseForm):
    worker = UserChoiceField(
        queryset=User.objects.none(),
        label="Who joins the case",
        help_text="Anyone in the partnership whose role works on cases",
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        field = self.fields["worker"]
        assert isinstance(field, UserChoiceField)
        field.queryset = (
            User.objects.filter(
                is_active=True,
                role_assignments__role__in=[r.value for r in roles_with(Permission.WORK_CASES)],
            )
            .exclude(pk__in=current_workers(case).values("user_id"))
            .select_related("organisation")
            .distinct()
            .order_by("organisation__name", "full_name", "email")
        )


class NeedForm(CaseForm):
    domain = forms.ChoiceField(choices=choose(Domain.choices), label="Domain")
    need = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What the person needs, in their words where you can",
    )
    goal = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The goal agreed with the person",
    )


class GoalForm(CaseForm):
    goal_status = forms.ChoiceField(choices=GoalStatus.choices, label="Goal")


class ActionForm(CaseForm):
    description = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label="Action"
    )
    owner = UserChoiceField(
        queryset=User.objects.none(), label="Owner", help_text="Someone working on the case"
    )
    due = date_field("Due by")

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, UserChoiceField)
        field.queryset = workers_of(case)


class ActionStatusForm(CaseForm):
    status = forms.ChoiceField(
        choices=choose((s.value, s.label) for s in (ActionStatus.DONE, ActionStatus.CANCELLED)),
        label="The action is now",
    )


class NoteForm(CaseForm):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        label="Case note",
        help_text="A note is kept as written, with your name and the time: it cannot be changed later",
    )


class ConsentForm(CaseForm):
    decision = forms.ChoiceField(choices=choose(ConsentDecision.choices), label="Consent")
    decided_on = date_field("Date of the decision")
    lawful_basis = forms.ChoiceField(
        choices=[("", "None: share only with consent"), *LawfulBasis.choices],
        required=False,
        label="Lawful basis for sharing without consent",
        help_text="Needed when consent was not sought; may be given when it was refused or withdrawn",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "decision" in data:
            try:
                workflow.require_consent_basis(data["decision"], data.get("lawful_basis", ""))
            except workflow.WorkflowError as error:
                self.add_error("lawful_basis", str(error))
        return data


class ReviewForm(CaseForm):
    next_review = date_field("Next review", help_text="The case goes on the MDT agenda by then")


class AssessmentForm(CaseForm):
    assessed_on = date_field("Date of the assessment")
    assessor = UserChoiceField(queryset=User.objects.none(), label="Assessor")

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        field = self.fields["assessor"]
        assert isinstance(field, UserChoiceField)
        field.queryset = workers_of(case)


class PamForm(AssessmentForm):
    level = forms.TypedChoiceField(
        choices=choose((n, f"Level {n}") for n in PAM_LEVELS), coerce=int, label="PAM level"
    )
    score = forms.DecimalField(
        min_value=0, max_value=100, max_digits=4, decimal_places=1, label="PAM score (0 to 100)"
    )
    field_order = ("level", "score", "assessed_on", "assessor")


ANSWER_CHOICES = [
    (1, "1: none of the time"),
    (2, "2: rarely"),
    (3, "3: some of the time"),
    (4, "4: often"),
    (5, "5: all of the time"),
]
assert [value for value, _ in ANSWER_CHOICES] == list(SWEMWBS_ANSWERS)


class SwemwbsForm(AssessmentForm):
    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        for number, name in enumerate(SWEMWBS_ITEM_NAMES, start=1):
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                choices=choose(ANSWER_CHOICES),
                coerce=int,
                label=f"{number}. {name}",
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )
        self.order_fields([f"item_{n}" for n in range(1, 8)])

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{n}"] for n in range(1, len(SWEMWBS_ITEM_NAMES) + 1)]


class CloseForm(CaseForm):
    outcome = forms.ChoiceField(choices=choose(ClosureOutcome.choices), label="Outcome")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label="Reason to close with actions still open",
        help_text="Only if actions are still open: why the case closes before they are done",
    )
