"""Staff keep the directory current: an organisation, its establishments and its contacts.

Each page is a form that calls one directory service. A refusal (DirectoryError) is shown on its
field and nothing is written; a success goes back to the organisation's page with a message.
An establishment or contact is looked up through its organisation, itself looked up in
`request.office`: another organisation's or office's id answers 404, GET and POST alike.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext, gettext_noop
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.directory import selectors, services
from ensemble.directory.models import Contact, Establishment, Organisation
from ensemble.directory.services import DirectoryError
from ensemble.directory.validators import display_phone

from ..access import StaffRequiredMixin, get_or_404
from ..forms import ContactForm, DirectoryForm, EstablishmentForm, OrganisationForm

NO_CHANGE = gettext_noop("Aucune modification à enregistrer.")


def initial_from(instance, form_class: type[DirectoryForm]) -> dict:
    """The form's initial values from a record: phones as people read them, categories by id."""
    initial = {}
    for name in form_class.base_fields:
        value = getattr(instance, f"{name}_id" if name == "category" else name)
        initial[name] = display_phone(value) if name == "phone" else value
    return initial


class DirectoryFormView(StaffRequiredMixin, TemplateView):
    """GET: the form. POST: the service, then back to the organisation's page (PRG)."""

    permission = Permission.PARTNERS

    nav = "organisations"
    form_class: type[DirectoryForm]
    organisation: Organisation | None = None
    instance = None  # the record being edited; None when adding one

    def form_kwargs(self) -> dict:
        return {}

    def make_form(self, data=None) -> DirectoryForm:
        initial = initial_from(self.instance, self.form_class) if self.instance else {}
        return self.form_class(data, initial=initial, **self.form_kwargs())

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=form or self.make_form(), organisation=self.organisation, instance=self.instance)
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                message = self.save(form)
            except DirectoryError as exc:
                form.add_service_error(exc)
                self.load_object(**kwargs)  # the service may have changed the record in memory
        if form.errors:
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, message)
        return redirect(self.office_url("organisation", pk=self.organisation.pk))

    def save(self, form: DirectoryForm) -> str:
        """Call the service with the form's values; return the success message."""
        raise NotImplementedError


class OrganisationFormView(DirectoryFormView):
    """A new organisation (no pk), or an organisation's details."""

    template_name = "backoffice/organisation_form.html"
    form_class = OrganisationForm

    def load_object(self, **kwargs) -> None:
        if "pk" in kwargs:
            self.organisation = get_or_404(selectors.organisation_by_pk, self.office, kwargs["pk"])
            self.instance = self.organisation

    def save(self, form: DirectoryForm) -> str:
        actor = self.request.user
        if self.organisation is None:
            self.organisation = services.create_organisation(self.office, actor=actor, **form.cleaned_data)
            return gettext("L'organisation « %(name)s » est créée.") % {"name": self.organisation.name}
        changed = form.changed_fields()
        if not changed:
            return gettext(NO_CHANGE)
        services.update_organisation(self.organisation, actor=actor, **changed)
        return gettext("Les coordonnées de l'organisation sont enregistrées.")


class OrganisationChildView(DirectoryFormView):
    """A page about one establishment or contact of an organisation of this office."""

    child_kwarg = ""  # the URL keyword of the child's id

    @staticmethod
    def child_selector(organisation: Organisation, pk: int):
        raise NotImplementedError

    def load_object(self, **kwargs) -> None:
        self.organisation = get_or_404(selectors.organisation_by_pk, self.office, kwargs["pk"])
        if self.child_kwarg in kwargs:
            self.instance = get_or_404(self.child_selector, self.organisation, kwargs[self.child_kwarg])

    def save(self, form: DirectoryForm) -> str:
        fields = form.cleaned_data if self.instance is None else form.changed_fields()
        if not fields:
            return gettext(NO_CHANGE)
        record = self.save_record(fields)
        return self.success_message(record, created=self.instance is None)

    def save_record(self, fields: dict):
        raise NotImplementedError

    def success_message(self, record, *, created: bool) -> str:
        raise NotImplementedError


class EstablishmentFormView(OrganisationChildView):
    """A new establishment of the organisation (no est_pk), or one of its establishments."""

    template_name = "backoffice/establishment_form.html"
    form_class = EstablishmentForm
    child_kwarg = "est_pk"
    child_selector = staticmethod(selectors.establishment_of)

    def form_kwargs(self) -> dict:
        return {"categories": selectors.categories(self.office)}

    def save_record(self, fields: dict) -> Establishment:
        return services.save_establishment(
            self.organisation, actor=self.request.user, establishment=self.instance, **fields
        )

    def success_message(self, record: Establishment, *, created: bool) -> str:
        if created:
            return gettext("L'établissement « %(name)s » est ajouté.") % {"name": record.name}
        return gettext("L'établissement « %(name)s » est enregistré.") % {"name": record.name}


class ContactFormView(OrganisationChildView):
    """A new contact of the organisation (no contact_pk), or one of its contacts."""

    template_name = "backoffice/contact_form.html"
    form_class = ContactForm
    child_kwarg = "contact_pk"
    child_selector = staticmethod(selectors.contact_of)

    def save_record(self, fields: dict) -> Contact:
        return services.save_contact(
            self.organisation, actor=self.request.user, contact=self.instance, **fields
        )

    def success_message(self, record: Contact, *, created: bool) -> str:
        if created:
            return gettext("Le contact « %(name)s » est ajouté.") % {"name": record.full_name}
        return gettext("Le contact « %(name)s » est enregistré.") % {"name": record.full_name}
