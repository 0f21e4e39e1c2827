"""Saving a change to the register, with its audit event, for the pages and the API alike."""

from __future__ import annotations

from django.db import transaction

from joinedup.web.accounts.models import User
from joinedup.web.audit.chain import record_by
from joinedup.web.governance.forms import AgreementForm
from joinedup.web.governance.models import Agreement


def save_agreement(form: AgreementForm, editor: User) -> Agreement:
    """Save a valid form; the audit event names the fields that changed (AC-16, AUD-01)."""
    instance: Agreement = form.instance
    verb = "agreement.changed" if instance.pk else "agreement.created"
    before = Agreement.objects.get(pk=instance.pk).as_register_entry() if instance.pk else {}
    with transaction.atomic():
        saved = form.save()
        after = saved.as_register_entry()
        record_by(
            editor,
            verb,
            "agreement",
            saved.reference,
            {"changed": sorted(k for k in after if before.get(k) != after[k])},
        )
    return saved
