"""What a case's state allows: the one place the order of casework is decided (AC-17).

A case is open or closed. An open case takes changes; a closed case takes none (it is the
record of what was done). Closing needs an outcome, and either no open actions or a reason,
given explicitly, to close with actions still open. An action is open, done or cancelled; only
an open action changes, and it changes once. Consent given needs no lawful basis; consent not
sought needs one (refused or withdrawn may name one, to share without it).
"""

from __future__ import annotations

from joinedup.web.cases.models import (
    ActionStatus,
    Case,
    CaseStatus,
    ClosureOutcome,
    ConsentDecision,
)

MINIMUM_REASON_LENGTH = 10

ACTION_MOVES: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.DONE, ActionStatus.CANCELLED}),
    ActionStatus.DONE: frozenset(),
    ActionStatus.CANCELLED: frozenset(),
}


class WorkflowError(ValueError):
    """A step the case's state does not allow; its message is for the person who tried it."""


def require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise WorkflowError(f"{case.reference} is closed: a closed case is not changed")


def require_action_move(current: str, new: str) -> None:
    """``current`` to ``new`` is a move an action may make.

    >>> require_action_move("open", "done")
    >>> require_action_move("done", "open")
    Traceback (most recent call last):
    ...
    joinedup.web.cases.workflow.WorkflowError: An action that is done does not change again
    """
    moves = ACTION_MOVES.get(ActionStatus(current), frozenset())
    if ActionStatus(new) not in moves:
        if not moves:
            label = ActionStatus(current).label.lower()
            raise WorkflowError(f"An action that is {label} does not change again")
        raise WorkflowError(f"An action cannot go from {current} to {new}")


def require_closable(case: Case, outcome: str, open_actions: int, reason: str) -> None:
    """Closing ``case`` with ``outcome`` is allowed, given its open actions and the reason."""
    require_open(case)
    if outcome not in ClosureOutcome.values:
        raise WorkflowError("Choose the outcome the case closes with")
    if open_actions and len(reason.strip()) < MINIMUM_REASON_LENGTH:
        raise WorkflowError(
            f"The case has {open_actions} open action{'s' if open_actions != 1 else ''}: "
            "finish or cancel them, or give the reason for closing with them open "
            f"(at least {MINIMUM_REASON_LENGTH} characters)"
        )


def require_consent_basis(decision: str, lawful_basis: str) -> None:
    if decision not in ConsentDecision.values:
        raise WorkflowError("Choose the consent decision")
    if decision == ConsentDecision.NOT_SOUGHT and not lawful_basis:
        raise WorkflowError("Sharing without consent needs its lawful basis")
    if decision == ConsentDecision.GIVEN and lawful_basis:
        raise WorkflowError("With consent given, leave the lawful basis empty")
