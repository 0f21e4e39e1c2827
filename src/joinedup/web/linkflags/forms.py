"""The practitioner's flag on a person's linkage, and the hub coordinator's resolution of it."""

from __future__ import annotations

from typing import Any

from django import forms

from joinedup.linkage.persons import SourceRecord
from joinedup.web.linkflags.models import FlagKind, FlagOutcome
from joinedup.web.referrals.forms import GovukForm, choose, text

# A partner record as a checkbox's value: its feed, then its id (which may hold a colon itself).
SEPARATOR = ":"
PERSON_KEY = r"^[A-Za-z0-9_-]{4,64}$"


def record_value(record: SourceRecord) -> str:
    return f"{record.feed}{SEPARATOR}{record.record_id}"


def flaggable(records: list[SourceRecord]) -> list[SourceRecord]:
    """The records that carry a name or a date of birth: records without identifiers (an
    appointment, say) follow the partner's own record of the person, so they are not offered."""
    return [r for r in records if r.name or r.birth_date]


class FlagForm(GovukForm):
    kind = choose(FlagKind.choices, "Select what is wrong", "What is wrong?")
    records = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Which records are not this person?",
        help_text="Tick the records that belong to someone else. Leave this person's records "
        "unticked. Records without a name or date of birth follow their agency's own record.",
    )
    details = text(
        "Details",
        "Say what makes you think the records are wrong",
        max_length=2000,
        label="What makes you think so?",
        help_text="For example: a different date of birth, or a brother at the same address. "
        "The hub coordinator reads this.",
        rows=4,
    )

    def __init__(self, *args: Any, records: list[SourceRecord], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = flaggable(records)
        self.by_value = {record_value(r): r for r in offered}
        fields: Any = self.fields
        fields["records"].choices = [
            (record_value(r), f"{r.agency}: {r.record_id}") for r in offered
        ]

    def hint(self, value: str) -> str:
        return _hint(self.by_value[value]) if value in self.by_value else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = cleaned.get("records") or []
        if cleaned.get("kind") == FlagKind.NOT_SAME_PERSON:
            if not chosen:
                self.add_error("records", "Select the records that are not this person")
            elif len(chosen) == len(self.by_value):
                self.add_error(
                    "records", "Leave this person's own records unticked: tick only the others"
                )
        else:
            cleaned["records"] = []
        return cleaned

    def chosen(self) -> list[SourceRecord]:
        return [self.by_value[v] for v in self.cleaned_data["records"]]


def _hint(record: SourceRecord) -> str:
    parts = [record.event_date.strftime("%-d %b %Y") if record.event_date else "No date"]
    who = record.name or "No name"
    if record.birth_date:
        who += f", born {record.birth_date:%-d %b %Y}"
    return "; ".join([*parts, who])


class ResolveForm(GovukForm):
    outcome = choose(FlagOutcome.choices, "Select what you found", "What did you find?")
    other_person_key = forms.RegexField(
        regex=PERSON_KEY,
        required=False,
        label="The other record's person key",
        help_text="The person key the other record has now (from `joinedup link review` or "
        "`joinedup link explain`)",
        error_messages={"invalid": "Enter a person key, such as P000001234"},
    )
    note = text(
        "Note",
        "Say what you checked",
        max_length=2000,
        label="Note for the practitioner",
        help_text="What you checked and what you found. The practitioner sees it on the "
        "person page.",
        rows=3,
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind != FlagKind.ANOTHER_RECORD:
            del self.fields["other_person_key"]

    def revealed(self, value: str) -> list[str]:
        merging = self.kind == FlagKind.ANOTHER_RECORD and value == FlagOutcome.CHANGED
        return ["other_person_key"] if merging else []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        merging = self.kind == FlagKind.ANOTHER_RECORD and cleaned.get("outcome") == (
            FlagOutcome.CHANGED
        )
        if merging and not cleaned.get("other_person_key"):
            self.add_error("other_person_key", "Enter the other record's person key")
        return cleaned
