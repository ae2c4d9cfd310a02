"""Paramètres de l'office: the seller printed on invoices, and the billing settings.

One page, two forms (prefixes "office" and "billing"), each with its own button; a hidden
`section` field says which one was sent. Every staff member of the office sees the values; only
a role with the settings permission (accounts.roles) may change them: the others get the values
read-only, and a POST from them answers 403. A refusal of the service is shown on its field and nothing is
written; a success comes back to the page with a message (PRG).
"""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView
from schwifty import IBAN

from ensemble.accounts.roles import Permission
from ensemble.billing import services as billing_services
from ensemble.billing.models import BillingProfile
from ensemble.core import services as core_services
from ensemble.core.errors import EnsembleError
from ensemble.core.models import Office
from ensemble.directory.validators import display_phone

from ..access import StaffRequiredMixin
from ..forms import BillingSettingsForm, DirectoryForm, OfficeSettingsForm, format_amount
from .directory_edits import NO_CHANGE

SAVED = {
    "office": gettext_lazy("Les informations de l'office sont enregistrées."),
    "billing": gettext_lazy("Les paramètres de facturation sont enregistrés."),
}


def grouped_iban(iban: str) -> str:
    """FR7630006000011234567890189 → FR76 3000 6000 0112 3456 7890 189 (as stored if invalid)."""
    try:
        return IBAN(iban).formatted
    except ValueError:
        return iban


def office_initial(office: Office) -> dict:
    initial = {name: getattr(office, name) for name in OfficeSettingsForm.base_fields}
    if office.iban:
        initial["iban"] = grouped_iban(office.iban)
    return initial


def billing_initial(profile: BillingProfile) -> dict:
    return {
        "payment_terms_days": profile.payment_terms_days,
        "late_penalty_rate": format_amount(profile.late_penalty_rate),
        "recovery_indemnity": format_amount(profile.recovery_indemnity),
        "vat_on_debits": profile.vat_on_debits,
        "reminder_offsets": profile.reminder_offsets,
    }


def read_only(form: DirectoryForm, labels: dict, values: dict) -> list[tuple]:
    """(legend, [(name, label, value)]) for each fieldset of the form."""
    return [
        (legend, [(name, labels[name], values[name]) for name in names]) for legend, names in form.fieldsets
    ]


def office_labels() -> dict:
    """The model's names ("Raison sociale"), not the form's ("Raison sociale (facultatif)")."""
    return {
        name: capfirst(Office._meta.get_field(name).verbose_name) for name in OfficeSettingsForm.base_fields
    }


class SettingsView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    action_permission = Permission.SETTINGS
    template_name = "backoffice/settings.html"
    nav = "settings"
    forms = {"office": OfficeSettingsForm, "billing": BillingSettingsForm}

    def load_object(self, **kwargs) -> None:
        self.profile = billing_services.billing_profile(self.office)
        self.can_edit = self.can(Permission.SETTINGS)

    def make_form(self, section: str, data=None) -> DirectoryForm:
        initial = office_initial(self.office) if section == "office" else billing_initial(self.profile)
        return self.forms[section](data, initial=initial, prefix=section)

    def get_context_data(self, bound: DirectoryForm | None = None, **kwargs):
        context = super().get_context_data(**kwargs)
        office_form = bound if bound is not None and bound.prefix == "office" else self.make_form("office")
        billing_form = bound if bound is not None and bound.prefix == "billing" else self.make_form("billing")
        context.update(
            can_edit=self.can_edit,
            office_form=office_form,
            billing_form=billing_form,
            has_errors=bool(bound is not None and bound.errors),
        )
        if not self.can_edit:
            context.update(
                office_facts=read_only(office_form, office_labels(), self.office_values()),
                billing_facts=read_only(
                    billing_form,
                    {name: field.label for name, field in billing_form.fields.items()},
                    self.billing_values(),
                ),
            )
        return context

    def office_values(self) -> dict:
        values = {name: getattr(self.office, name) for name in OfficeSettingsForm.base_fields}
        values["iban"] = grouped_iban(self.office.iban)
        values["phone"] = display_phone(self.office.phone)
        return values

    def billing_values(self) -> dict:
        values = billing_initial(self.profile)
        values["payment_terms_days"] = str(self.profile.payment_terms_days)  # 0 is a value, not "—"
        values["vat_on_debits"] = gettext("Oui") if self.profile.vat_on_debits else gettext("Non")
        return values

    def post(self, request, *args, **kwargs):
        section = request.POST.get("section")
        if section not in self.forms:
            return HttpResponseBadRequest()
        form = self.make_form(section, request.POST)
        if form.is_valid():
            try:
                changed = self.save(section, form.cleaned_data)
            except EnsembleError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(bound=form))
        messages.success(request, SAVED[section] if changed else gettext(NO_CHANGE))
        return redirect(self.office_url("settings"))

    def save(self, section: str, fields: dict) -> list[str]:
        actor = self.request.user
        if section == "office":
            return core_services.update_office_settings(self.office, actor=actor, **fields)
        return billing_services.update_billing_profile(self.profile, actor=actor, **fields)
