"""Personal data in the back office (RGPD): find what the office holds about a person by e-mail,
download it as a zip, erase it after a confirmation; the processing register and the retention
durations it is written from.

Reading the counts needs PARTNERS, the export EXPORT; the erasure and the durations are a
direction-level act (SETTINGS). The e-mail travels in POST bodies for the export and the erasure,
so it stays out of the server's access logs once the person is erased.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.privacy import services
from ensemble.privacy.errors import PrivacyError
from ensemble.privacy.register import processing_register
from ensemble.privacy.selectors import retention_policy
from ensemble.privacy.services.retention import POLICY_FIELDS

from ..access import StaffRequiredMixin
from ..exports import csv_response
from ..forms import BackofficeForm


class EmailForm(BackofficeForm):
    email = forms.EmailField(label=_("Adresse e-mail de la personne"), max_length=254)


class EraseForm(EmailForm):
    confirm = forms.EmailField(
        label=_("Saisissez à nouveau l'adresse pour confirmer l'effacement"), max_length=254
    )

    def clean(self):
        data = super().clean()
        if data.get("email") and data.get("confirm", "").lower() != data["email"].lower():
            self.add_error("confirm", gettext("Les deux adresses ne sont pas identiques."))
        return data


class RetentionForm(BackofficeForm):
    email_body_days = forms.IntegerField(label=_("Contenu des e-mails envoyés (jours)"), min_value=1)
    connection_ip_days = forms.IntegerField(
        label=_("Adresses IP de connexion et du journal (jours)"), min_value=1
    )
    evidence_years = forms.IntegerField(
        label=_("Preuves d'acceptation après la fin du contrat (années)"), min_value=1
    )
    task_result_days = forms.IntegerField(label=_("Résultats des tâches de fond (jours)"), min_value=1)


class PrivacySearchView(StaffRequiredMixin, TemplateView):
    """Type an e-mail, see what is held (counts per kind)."""

    permission = Permission.PARTNERS
    template_name = "backoffice/privacy_search.html"
    nav = "privacy"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = EmailForm(self.request.GET or None)
        counts = None
        if form.is_valid():
            try:
                counts = services.held_counts(self.office, email=form.cleaned_data["email"])
            except PrivacyError as error:
                form.add_service_error(error)
        context.update(form=form, counts=counts, can_export=self.can(Permission.EXPORT))
        context["can_erase"] = self.can(Permission.SETTINGS)
        return context


class PrivacyExportView(StaffRequiredMixin, View):
    """The zip of everything about the person (POST: the address stays out of the URL)."""

    permission = Permission.EXPORT

    def post(self, request, *args, **kwargs):
        form = EmailForm(request.POST)
        if form.is_valid():
            try:
                content = services.export_person(
                    self.office, email=form.cleaned_data["email"], actor=request.user
                )
            except PrivacyError as error:
                messages.error(request, error.message)
            else:
                response = HttpResponse(content, content_type="application/zip")
                name = f"donnees-personnelles-{timezone.localdate():%Y-%m-%d}.zip"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
        else:
            messages.error(
                request, gettext("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")
            )
        return redirect(self.office_url("privacy"))


class PrivacyEraseView(StaffRequiredMixin, TemplateView):
    """Confirm, then erase; the report lists what was kept and why."""

    permission = Permission.SETTINGS
    template_name = "backoffice/privacy_erase.html"
    nav = "privacy"

    def get(self, request, *args, **kwargs):
        form = EraseForm(initial={"email": request.GET.get("email", "")})
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = EraseForm(request.POST)
        if form.is_valid():
            try:
                report = services.erase_person(
                    self.office, email=form.cleaned_data["email"], actor=request.user
                )
            except PrivacyError as error:
                form.add_service_error(error)
            else:
                self.template_name = "backoffice/privacy_report.html"
                return self.render_to_response(self.get_context_data(report=report))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ProcessingRegisterView(StaffRequiredMixin, TemplateView):
    """The register (every staff member reads it) and the durations (SETTINGS changes them)."""

    permission = Permission.VIEW
    action_permission = Permission.SETTINGS
    template_name = "backoffice/privacy_register.html"
    nav = "privacy"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        policy = retention_policy(self.office)
        context.setdefault(
            "form", RetentionForm(initial={name: getattr(policy, name) for name in POLICY_FIELDS})
        )
        context.update(processings=processing_register(self.office), can_edit=self.can(Permission.SETTINGS))
        return context

    def post(self, request, *args, **kwargs):
        form = RetentionForm(request.POST)
        if form.is_valid():
            try:
                services.update_retention_policy(self.office, actor=request.user, **form.cleaned_data)
            except PrivacyError as error:
                form.add_service_error(error)
            else:
                messages.success(request, gettext("Les durées de conservation sont enregistrées."))
                return redirect(self.office_url("privacy_register"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


REGISTER_HEADER = ("Traitement", "Finalité", "Base légale", "Données", "Destinataires", "Conservation")


class ProcessingRegisterCsvView(StaffRequiredMixin, View):
    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        rows = (
            (p.name, p.purpose, p.legal_basis, p.data, p.recipients, p.retention)
            for p in processing_register(self.office)
        )
        return csv_response(f"registre-des-traitements-{self.office.slug}.csv", REGISTER_HEADER, rows)
