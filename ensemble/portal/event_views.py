"""Espace pro: « Mes événements » — the events a partner proposes to the office's agenda.

Every page looks the event up among the person's organisations in the current office
(`events.selectors.event_of_user`): any other `event_id` answers 404, for GET and POST alike. A
new event waits for the office's validation; a change to a published event too, while the
agenda keeps the published version. A published event can be cancelled (it stays in the agenda,
marked cancelled); a proposal not yet published can be withdrawn.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import TemplateView, View

from ensemble.events import rules, services
from ensemble.events import selectors as event_selectors
from ensemble.events.errors import EventError
from ensemble.events.models import Event

from .event_forms import EventForm, initial_values

PER_PAGE = 30


def events_url(request) -> str:
    return reverse("portal:events", kwargs={"office_slug": request.office.slug})


class EventListView(LoginRequiredMixin, TemplateView):
    """Each event with its state: waiting for the office, published (with a change waiting),
    refused with the reason, cancelled."""

    template_name = "portal/event_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, office = self.request.user, self.request.office
        page = Paginator(event_selectors.events_of_user(user, office), PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context.update(
            page=page,
            events=page.object_list,
            can_submit=event_selectors.establishments_of_user(user, office).exists(),
            now=timezone.now(),
        )
        return context


class EventCreateView(LoginRequiredMixin, TemplateView):
    template_name = "portal/event_form.html"

    def make_form(self, data=None) -> EventForm:
        return EventForm(
            data,
            establishments=event_selectors.establishments_of_user(self.request.user, self.request.office),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.make_form())
        context["action"] = reverse("portal:event_create", kwargs={"office_slug": self.request.office.slug})
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            values = form.values()
            establishment = event_selectors.establishments_of_user(request.user, request.office).get(
                pk=values["establishment"]
            )
            try:
                event = services.submit_event(establishment.organisation, actor=request.user, **values)
            except EventError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    gettext(
                        "« %(title)s » est envoyé à l'office : il sera publié dans l'agenda après validation."
                    )
                    % {"title": event.title_fr},
                )
                return redirect(events_url(request))
        return self.render_to_response(self.get_context_data(form=form))


class PartnerEventMixin:
    """Resolves `event_id` to one of the person's events in the current office (`self.event`);
    404 for any other id. Put it after LoginRequiredMixin."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.event = event_selectors.event_of_user(request.user, request.office, kwargs["event_id"])
        return super().dispatch(request, *args, **kwargs)

    def event_url(self) -> str:
        return reverse(
            "portal:event_edit", kwargs={"office_slug": self.request.office.slug, "event_id": self.event.pk}
        )


class EventEditView(LoginRequiredMixin, PartnerEventMixin, TemplateView):
    template_name = "portal/event_form.html"

    @property
    def editable(self) -> bool:
        return self.event.status != Event.Status.CANCELLED and self.event.ends_at > timezone.now()

    def make_form(self, data=None) -> EventForm:
        return EventForm(
            data,
            establishments=event_selectors.establishments_of_user(self.request.user, self.request.office),
            initial=initial_values(self.event),
            pending=set(self.event.pending_changes),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        event = self.event
        if self.editable:
            context.setdefault("form", self.make_form())
        context.update(
            event=event,
            action=self.event_url(),
            editable=self.editable,
            pending_labels=[rules.label(key) for key in event.pending_changes],
            can_cancel=self.editable and event.status == Event.Status.PUBLISHED,
            can_withdraw=event.status in (Event.Status.PROPOSED, Event.Status.REJECTED),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                event = services.update_event(self.event, actor=request.user, **form.values())
            except EventError as error:
                if error.field is None and error.code in ("cancelled", "past"):
                    messages.error(request, error.message)
                    return redirect(self.event_url())
                form.add_service_error(error)
            else:
                messages.success(request, self.success_message(event))
                return redirect(events_url(request))
        return self.render_to_response(self.get_context_data(form=form))

    @staticmethod
    def success_message(event: Event) -> str:
        if event.status == Event.Status.PUBLISHED:
            if event.has_pending_change:
                return gettext(
                    "Vos modifications sont envoyées à l'office : l'agenda garde la version publiée "
                    "jusqu'à leur validation."
                )
            return gettext("Aucune modification en attente : l'agenda garde la version publiée.")
        return gettext("« %(title)s » est envoyé à l'office : il sera publié après validation.") % {
            "title": event.title_fr
        }


class _EventActionView(LoginRequiredMixin, PartnerEventMixin, View):
    """POST only (a GET goes back to the event's page)."""

    def get(self, request, *args, **kwargs):
        return redirect(self.event_url())

    def post(self, request, *args, **kwargs):
        try:
            message = self.act(request)
        except EventError as error:
            messages.error(request, error.message)
            return redirect(self.event_url())
        messages.success(request, message)
        return redirect(events_url(request))

    def act(self, request) -> str:
        raise NotImplementedError


class EventCancelView(_EventActionView):
    def act(self, request) -> str:
        services.cancel_event(self.event, actor=request.user, reason=request.POST.get("reason", ""))
        return gettext("« %(title)s » est annulé : l'agenda et les calendriers abonnés l'indiquent.") % {
            "title": self.event.title_fr
        }


class EventWithdrawView(_EventActionView):
    def act(self, request) -> str:
        title = self.event.title_fr
        services.withdraw_event(self.event, actor=request.user)
        return gettext("Votre proposition « %(title)s » est retirée.") % {"title": title}
