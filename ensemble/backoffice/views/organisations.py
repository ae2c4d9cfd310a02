"""Organisations: the searchable list, its export, and an organisation's page with its timeline."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from ensemble.accounts.roles import Permission
from ensemble.billing import selectors as billing_selectors
from ensemble.core import audit
from ensemble.core.errors import EnsembleError
from ensemble.datatourisme import selectors as datatourisme_selectors
from ensemble.directory import selectors as directory_selectors
from ensemble.directory import services as directory_services
from ensemble.directory.models import HISTORY_KIND_LABELS
from ensemble.listings import selectors as listing_selectors
from ensemble.memberships import selectors as membership_selectors

from ..access import StaffRequiredMixin, get_or_404
from ..exports import csv_export
from ..forms import NoteForm, SearchForm

PER_PAGE = 50
TIMELINE_PER_PAGE = 50


class OrganisationListView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/organisation_list.html"
    nav = "organisations"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        search = form.search() if form.is_bound else ""
        qs = directory_selectors.organisation_list(self.office, search=search)
        page = Paginator(qs, PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(form=form, page=page, organisations=page.object_list)
        return context


class OrganisationExportView(StaffRequiredMixin, View):
    permission = Permission.EXPORT

    def get(self, request, *args, **kwargs):
        form = SearchForm(request.GET or None)
        search = form.search() if form.is_bound else ""
        qs = directory_selectors.organisation_list(self.office, search=search)
        filename = f"organisations-{self.office.slug}-{timezone.localdate():%Y-%m-%d}.csv"
        return csv_export(filename, EXPORT_COLUMNS, qs.iterator(chunk_size=2000))


EXPORT_COLUMNS = [
    (_("N°"), lambda o: o.pk),
    (_("Raison sociale"), lambda o: o.name),
    (_("SIREN"), lambda o: o.siren),
    (_("SIRET"), lambda o: o.siret),
    (_("N° de TVA"), lambda o: o.vat_number),
    (_("Adresse"), lambda o: o.address),
    (_("Code postal"), lambda o: o.postcode),
    (_("Ville"), lambda o: o.city),
    (_("E-mail"), lambda o: o.email),
    (_("Téléphone"), lambda o: o.phone),
    (_("Établissements"), lambda o: o.establishment_count),
]


class OrganisationDetailView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    action_permission = Permission.PARTNERS
    template_name = "backoffice/organisation_detail.html"
    nav = "organisations"

    def load_object(self, **kwargs) -> None:
        self.organisation = get_or_404(directory_selectors.organisation_detail, self.office, kwargs["pk"])

    def get_context_data(self, note_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.organisation
        timeline = Paginator(directory_selectors.timeline(organisation), TIMELINE_PER_PAGE)
        page = timeline.get_page(self.request.GET.get("page"))
        context.update(
            organisation=organisation,
            memberships=membership_selectors.memberships_of_organisation(self.office, organisation.pk),
            invoices=billing_selectors.invoices_of_organisation(self.office, organisation.pk),
            timeline=page,
            timeline_rows=[timeline_row(entry) for entry in page.object_list],
            note_form=note_form or NoteForm(prefix="note"),
            this_year=timezone.localdate().year,
        )
        establishments = organisation.establishments.all()
        listing_ids = listing_selectors.listing_ids_by_establishment(
            self.office, (e.pk for e in establishments)
        )
        flags = datatourisme_selectors.import_flags(self.office, listing_ids.values())
        for establishment in establishments:
            establishment.listing_page_id = listing_ids.get(establishment.pk)
            establishment.import_flag = flags.get(establishment.listing_page_id)
        return context


# The badge of a timeline entry, from its action code's first part.
BADGES = {
    "membership": _("Adhésion"),
    "invoice": _("Facturation"),
    "credit_note": _("Facturation"),
    "payment": _("Paiement"),
    "quote": _("Devis"),
    "listing": _("Fiche et modération"),
    "campaign": _("Mise à jour annuelle"),
    "claim": _("Demande du partenaire"),
    "event": _("Agenda"),
    "portal_member": _("Accès à l'espace pro"),
    "account": _("Accès à l'espace pro"),
}


def timeline_row(entry) -> dict:
    """What the timeline shows of an audit entry: a badge, the sentence in the reader's language,
    and the note's own text."""
    data = entry.data or {}
    if entry.action in ("organisation.note_added", "history.imported"):
        badge = HISTORY_KIND_LABELS.get(data.get("kind"), _("Note"))
    else:
        badge = BADGES.get(entry.action.split(".")[0], _("Mise à jour"))
    body = data.get("body", "") if entry.action in ("organisation.note_added", "history.imported") else ""
    return {"entry": entry, "badge": badge, "text": audit.describe(entry), "body": body}


class OrganisationNoteView(OrganisationDetailView):
    """POST: a note after a phone call, an annual visit or anything worth remembering.
    A GET goes back to the organisation's page."""

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("organisation", pk=self.organisation.pk))

    def post(self, request, *args, **kwargs):
        form = NoteForm(request.POST, prefix="note")
        if form.is_valid():
            try:
                directory_services.add_timeline_note(
                    self.organisation,
                    kind=form.cleaned_data["kind"],
                    summary=form.cleaned_data["summary"],
                    body=form.cleaned_data["body"],
                    actor=request.user,
                )
            except EnsembleError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(note_form=form))
        messages.success(request, gettext("La note est ajoutée au fil de l'organisation."))
        return redirect(self.office_url("organisation", pk=self.organisation.pk))
