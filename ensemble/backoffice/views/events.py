"""The agenda in the back office: the queue of what partners propose (new events and changes to
published ones) with its decisions, the list of every event (filters: state, date range; CSV
export), the office's own events (create, edit) and cancellation.

Every event is looked up through an office-scoped selector: another office's id answers 404,
GET and POST alike. A refusal of a service (EventError) is shown on its field, or as a message
when it is about the whole event (already decided in another tab); a success redirects (PRG).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.events import rules, services
from ensemble.events import selectors as event_selectors
from ensemble.events.errors import EventError
from ensemble.events.models import Event

from ..access import StaffRequiredMixin
from ..event_forms import EventCancelForm, EventFilterForm, EventRejectForm, OfficeEventForm
from ..exports import csv_export

PER_PAGE = 50
S = Event.Status


def pending_rows(event: Event, office) -> list[dict]:
    """A waiting change, field by field: the published value and the proposed one."""
    current = rules.snapshot(event)
    proposed = rules.from_json(event.pending_changes)
    names = event_selectors.establishment_names(
        office, [current["establishment"], proposed.get("establishment")]
    )
    return [
        {
            "label": rules.label(key),
            "published": rules.show(key, current[key], establishments=names),
            "proposed": rules.show(key, value, establishments=names),
        }
        for key, value in proposed.items()
    ]


# ---- lists ---------------------------------------------------------------------------------


class EventQueueView(StaffRequiredMixin, TemplateView):
    """Proposed events and changes to published ones, oldest first."""

    permission = Permission.VIEW

    template_name = "backoffice/event_queue.html"
    nav = "events"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(event_selectors.moderation_queue(self.office), PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context.update(page=page, events=page.object_list)
        return context


class EventFilterMixin(StaffRequiredMixin):
    permission = Permission.VIEW
    nav = "events"

    def filter_form(self) -> EventFilterForm:
        return EventFilterForm(self.request.GET or None)

    def filtered(self, form: EventFilterForm):
        if form.is_bound and not form.is_valid():
            return Event.objects.none()
        data = form.cleaned_data if form.is_bound else {}
        return event_selectors.office_events(
            self.office, status=data.get("statut", ""), start=data.get("du"), end=data.get("au")
        )


class EventListView(EventFilterMixin, TemplateView):
    template_name = "backoffice/event_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filter_form()
        page = Paginator(self.filtered(form), PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(form=form, page=page, events=page.object_list)
        return context


EXPORT_COLUMNS = [
    (_("N°"), lambda e: e.pk),
    (_("Titre"), lambda e: e.title_fr),
    (_("Catégorie"), lambda e: e.get_category_display()),
    (_("Début"), lambda e: e.starts_at),
    (_("Fin"), lambda e: e.ends_at),
    (_("Toute la journée"), lambda e: gettext("oui") if e.all_day else gettext("non")),
    (_("Lieu"), lambda e: e.place_name),
    (_("Ville"), lambda e: e.city),
    (_("Organisateur"), lambda e: e.organisation.name if e.organisation_id else gettext("L'office")),
    (_("Établissement"), lambda e: e.establishment.name if e.establishment_id else ""),
    (_("État"), lambda e: e.get_status_display()),
    (_("Gratuit"), lambda e: gettext("oui") if e.is_free else gettext("non")),
    (_("Tarifs"), lambda e: e.price_text),
    (_("Lien de réservation"), lambda e: e.booking_url),
    (_("Version (SEQUENCE)"), lambda e: e.sequence),
]


class EventExportView(EventFilterMixin, View):
    """The filtered list as CSV (same filters as the list, every page)."""

    permission = Permission.EXPORT

    def get(self, request, *args, **kwargs):
        events = self.filtered(self.filter_form()).iterator(chunk_size=2000)
        filename = f"evenements-{self.office.slug}-{timezone.localdate():%Y-%m-%d}.csv"
        return csv_export(filename, EXPORT_COLUMNS, events)


# ---- one event -----------------------------------------------------------------------------


class EventMixin(StaffRequiredMixin):
    permission = Permission.VIEW
    action_permission = Permission.MODERATE
    nav = "events"

    def load_object(self, **kwargs) -> None:
        self.event = event_selectors.event_detail(self.office, kwargs["pk"])

    def event_url(self) -> str:
        return self.office_url("event", pk=self.event.pk)


class EventDetailView(EventMixin, TemplateView):
    template_name = "backoffice/event_detail.html"

    def get_context_data(self, reject_form=None, cancel_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.event
        upcoming = event.ends_at > timezone.now()
        context.update(
            event=event,
            waiting=event.status == S.PROPOSED or event.has_pending_change,
            pending_rows=pending_rows(event, self.office) if event.has_pending_change else [],
            reject_form=reject_form or EventRejectForm(prefix="reject"),
            cancel_form=cancel_form or EventCancelForm(prefix="cancel"),
            can_edit=event.status != S.CANCELLED and upcoming,
            can_cancel=event.status == S.PUBLISHED and upcoming,
        )
        return context


class _EventDecisionView(EventDetailView):
    """POST: a decision, then the next event of the queue (or the event). A GET goes back to
    the event's page."""

    form_class = None
    form_name = ""

    def get(self, request, *args, **kwargs):
        return redirect(self.event_url())

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, prefix=self.form_name) if self.form_class else None
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(**{f"{self.form_name}_form": form}))
        try:
            message = self.decide(form)
        except EventError as error:
            if form is not None and error.field in form.fields:
                form.add_service_error(error)
                return self.render_to_response(self.get_context_data(**{f"{self.form_name}_form": form}))
            messages.error(request, error.message)
            return redirect(self.event_url())
        messages.success(request, message)
        return redirect(self.next_url())

    def next_url(self) -> str:
        following = event_selectors.moderation_queue(self.office).exclude(pk=self.event.pk).first()
        if following is None:
            return self.office_url("event_queue")
        return self.office_url("event", pk=following.pk)

    def decide(self, form) -> str:
        raise NotImplementedError


class EventApproveView(_EventDecisionView):
    def decide(self, form) -> str:
        event = services.approve_event(self.event, actor=self.request.user)
        return gettext("« %(title)s » est publié dans l'agenda ; le partenaire est prévenu par e-mail.") % {
            "title": event.title_fr
        }


class EventRejectView(_EventDecisionView):
    form_class = EventRejectForm
    form_name = "reject"

    def decide(self, form) -> str:
        services.reject_event(self.event, actor=self.request.user, reason=form.cleaned_data["reason"])
        return gettext("« %(title)s » : refus envoyé au partenaire avec son motif.") % {
            "title": self.event.title_fr
        }


class EventCancelView(_EventDecisionView):
    # Cancelling is running the agenda, like creating and editing the office's events.
    action_permission = Permission.COMMUNICATION
    form_class = EventCancelForm
    form_name = "cancel"

    def decide(self, form) -> str:
        services.cancel_event(
            self.event, actor=self.request.user, reason=form.cleaned_data["reason"], by_office=True
        )
        return gettext("« %(title)s » est annulé : l'agenda et les calendriers abonnés l'indiquent.") % {
            "title": self.event.title_fr
        }

    def next_url(self) -> str:
        return self.event_url()


# ---- the office's events and staff edits ---------------------------------------------------


class EventFormView(StaffRequiredMixin, TemplateView):
    """Create an office event (published at once) or edit any event (a published one gets a
    new SEQUENCE)."""

    permission = Permission.COMMUNICATION

    template_name = "backoffice/event_form.html"
    nav = "events"
    event: Event | None = None

    def load_object(self, **kwargs) -> None:
        if "pk" in kwargs:
            self.event = event_selectors.event_detail(self.office, kwargs["pk"])

    def make_form(self, data=None) -> OfficeEventForm:
        initial = rules.snapshot(self.event) if self.event else None
        return OfficeEventForm(data, initial=initial)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.make_form())
        context["event"] = self.event
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                event = self.save(form.values())
            except EventError as error:
                if error.field is None and error.code in ("cancelled", "past"):
                    messages.error(request, error.message)
                    return redirect(self.office_url("event", pk=self.event.pk))
                form.add_service_error(error)
            else:
                messages.success(
                    request, gettext("« %(title)s » est enregistré.") % {"title": event.title_fr}
                )
                return redirect(self.office_url("event", pk=event.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def save(self, values: dict) -> Event:
        if self.event is None:
            return services.create_office_event(self.office, actor=self.request.user, **values)
        return services.edit_event(self.event, actor=self.request.user, **values)
