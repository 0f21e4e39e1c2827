"""The case forms. Each names the fields a person may set and nothing else, so an extra field
in a request (``author``, ``organisation``, ``status``, ``role``) is ignored (AC-06)."""

from __future__ import annotations

from typing import Any, ClassVar

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
    GoalStatus,
)
from joinedup.web.governance.sharing import Domain, LawfulBasis
from joinedup.web.govuk import GovukFormMixin, IsoDateInput


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic in the stubs only
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return f"{obj.full_name or obj.email} ({obj.organisation})"


def choose(choices: Any) -> list[tuple[Any, str]]:
    """The choices after an empty "Choose" first, so that nothing is chosen by default."""
    return [("", "Choose"), *choices]


def date_field(label: str, **options: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=IsoDateInput(), **options)


def workers_of(case: Case) -> QuerySet[User]:
    return User.objects.filter(pk__in=current_workers(case).values("user_id")).select_related(
        "organisation"
    )


class CaseForm(GovukFormMixin, forms.Form):
    """A form about one case: the choices of its ``worker_fields`` are the case's workers.

    ``title``, ``button`` and ``intro`` are its page's words; ``changes`` what it gives the
    casework function that makes the change.
    """

    title: ClassVar[str] = ""
    button: ClassVar[str] = "Save"
    intro: ClassVar[str] = ""
    worker_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        self.case = case
        super().__init__(*args, **kwargs)
        for name in self.worker_fields:
            field = self.fields[name]
            assert isinstance(field, UserChoiceField)
            field.queryset = workers_of(case)

    def changes(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class WorkerForm(CaseForm):
    title, button = "Add a worker to the case", "Add to the case"
    intro = (
        "They see the case, and its person, from their next page. Only the lead professional "
        "or the hub coordinator adds workers."
    )
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
    title, button = "Add a need and its goal", "Add the need"
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
    title = "Change the goal"
    goal_status = forms.ChoiceField(choices=GoalStatus.choices, label="Goal")


class ActionForm(CaseForm):
    title, button = "Add an action", "Add the action"
    description = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label="Action"
    )
    owner = UserChoiceField(
        queryset=User.objects.none(), label="Owner", help_text="Someone working on the case"
    )
    due = date_field("Due by")
    worker_fields = ("owner",)


class ActionStatusForm(CaseForm):
    title = "Finish or cancel an action"
    status = forms.ChoiceField(
        choices=choose((s.value, s.label) for s in (ActionStatus.DONE, ActionStatus.CANCELLED)),
        label="The action is now",
    )


class NoteForm(CaseForm):
    title, button = "Add a case note", "Add the note"
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        label="Case note",
        help_text="A note is kept as written, with your name and the time: it cannot be changed later",
    )


class ConsentForm(CaseForm):
    title = button = "Record consent"
    intro = "Record each decision as it is made: earlier decisions are kept."
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
    title, button = "Set the next review", "Set the review date"
    next_review = date_field("Next review", help_text="The case goes on the MDT agenda by then")


class AssessmentForm(CaseForm):
    assessed_on = date_field("Date of the assessment")
    assessor = UserChoiceField(queryset=User.objects.none(), label="Assessor")
    worker_fields = ("assessor",)


class PamForm(AssessmentForm):
    title, button = "Record a Patient Activation Measure", "Record the PAM"
    intro = (
        "Enter the level and score exactly as the licensed PAM tool gave them. JoinedUp does "
        "not compute, check or estimate PAM: it only records what the tool reported. The "
        "first assessment is the baseline; later ones are follow-ups."
    )
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
    title, button = "Record a SWEMWBS assessment", "Record the SWEMWBS"
    intro = (
        "Enter the person's answer to each of the seven statements over the last two weeks. "
        "JoinedUp adds them up and converts the total to the metric score with the published "
        "SWEMWBS conversion table."
    )

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

    def changes(self) -> dict[str, Any]:
        items = range(1, len(SWEMWBS_ITEM_NAMES) + 1)
        return {
            "answers": [self.cleaned_data[f"item_{n}"] for n in items],
            "assessed_on": self.cleaned_data["assessed_on"],
            "assessor": self.cleaned_data["assessor"],
        }


class CloseForm(CaseForm):
    title = button = "Close the case"
    intro = (
        "A case closes with its outcome. Finish or cancel its open actions first, or say why "
        "it closes with them open. A closed case is kept, and no longer changes."
    )
    outcome = forms.ChoiceField(choices=choose(ClosureOutcome.choices), label="Outcome")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        label="Reason to close with actions still open",
        help_text="Only if actions are still open: why the case closes before they are done",
    )
