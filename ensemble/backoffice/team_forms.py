"""Forms of the team page and of the audit log's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import Role

from .forms import BackofficeForm


class StaffInviteForm(BackofficeForm):
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices, initial=Role.READ_ONLY)
    pole = forms.ChoiceField(label=_("Pôle"), choices=StaffMembership.Pole.choices)


class StaffRoleForm(BackofficeForm):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


class AuditFilterForm(BackofficeForm):
    """The GET form above the log. Bad values are ignored, never an error page."""

    action = forms.CharField(label=_("Action (code ou début de code)"), required=False, max_length=80)
    actor = forms.EmailField(label=_("Auteur (e-mail)"), required=False)
    target = forms.CharField(
        label=_("Objet (type:identifiant)"),
        required=False,
        max_length=120,
        help_text=_("Par exemple billing.invoice:12"),
    )
    organisation = forms.IntegerField(label=_("Organisation (n°)"), required=False, min_value=1)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
