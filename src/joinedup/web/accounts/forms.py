"""Forms for signing in, two-factor codes and role assignment."""

from __future__ import annotations

from django import forms

from joinedup.web.accounts.policy import Role
from joinedup.web.govuk import GovukFormMixin


class SignInForm(GovukFormMixin, forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)


class CodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=10,
        help_text="The 6-digit code from your authenticator app",
    )


class RolesForm(GovukFormMixin, forms.Form):
    """Only the roles: nothing else about a user can be posted through it (AC-06)."""

    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=[(r.value, r.label) for r in Role],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
