"""The end of the person page: the flags on this person's linkage, and the form to flag it."""

from __future__ import annotations

from joinedup.linkage.persons import PersonDetails
from joinedup.web.linkflags.flags import flags_about
from joinedup.web.linkflags.forms import FlagForm


def flag_panel(details: PersonDetails, form: FlagForm | None = None) -> dict[str, object]:
    form = form or FlagForm(records=details.records)
    return {
        "flags": list(flags_about(details.person_key)),
        "flag_form": form,
        "flag_choices": form.choices(),
        "flag_errors": form.error_links(),
    }
