"""The office's listing settings: which fields publish without moderation (managers change
them) and the lists of amenities and labels partners choose from (all staff)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.listings import selectors
from ensemble.listings import services as listing_services
from ensemble.listings.fields import FIELDS, LANGS, ListingError
from ensemble.listings.models import Amenity

from ..access import StaffRequiredMixin
from ..moderation_forms import (
    AmenityForm,
    ModerationSettingsForm,
)
from .directory_edits import NO_CHANGE


class ModerationSettingsView(StaffRequiredMixin, TemplateView):
    """Every staff member sees the settings; only a manager changes them (403 otherwise), as on
    the office's settings page."""

    permission = Permission.VIEW
    action_permission = Permission.SETTINGS

    template_name = "backoffice/moderation_settings.html"
    nav = "moderation"

    def load_object(self, **kwargs) -> None:
        self.settings = listing_services.moderation_settings(self.office)
        self.can_edit = self.can(Permission.SETTINGS)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        immediate = set(self.settings.immediate_fields)
        context.update(
            can_edit=self.can_edit,
            form=form or ModerationSettingsForm(initial={"immediate_fields": sorted(immediate)}),
            fields=[(field.label, key in immediate) for key, field in FIELDS.items()],
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ModerationSettingsForm(request.POST)
        if form.is_valid():
            try:
                listing_services.update_moderation_settings(
                    self.office, immediate_fields=form.cleaned_data["immediate_fields"], actor=request.user
                )
            except ListingError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, gettext("Les règles de modération sont enregistrées."))
        return redirect(self.office_url("moderation_settings"))


# ---- the lists of amenities and labels -----------------------------------------------------


def grouped(amenities) -> list[tuple[str, str, list[Amenity]]]:
    """(group, label, amenities) for every list, in the order of Amenity.Group."""
    by_group: dict[str, list[Amenity]] = {group: [] for group in Amenity.Group.values}
    for amenity in amenities:
        by_group[amenity.group].append(amenity)
    return [(group, label, by_group[group]) for group, label in Amenity.Group.choices]


AMENITY_SAVED = gettext_lazy("« %(name)s » est enregistré dans la liste « %(group)s ».")


class AmenityListView(StaffRequiredMixin, TemplateView):
    """The office's lists (active and withdrawn entries), and the form to add one."""

    permission = Permission.VIEW
    action_permission = Permission.PARTNERS  # office-wide lists, not one listing's moderation

    template_name = "backoffice/amenity_list.html"
    nav = "amenities"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        amenities = selectors.amenities(self.office, active_only=False).order_by("group", "position", "pk")
        context.update(groups=grouped(amenities), form=form or AmenityForm())
        return context

    def post(self, request, *args, **kwargs):
        form = AmenityForm(request.POST)
        if form.is_valid():
            try:
                amenity = listing_services.create_amenity(
                    self.office, actor=request.user, **form.service_kwargs()
                )
            except ListingError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request, AMENITY_SAVED % {"name": amenity.name_fr, "group": amenity.get_group_display()}
        )
        return redirect(self.office_url("amenities"))


class AmenityEditView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    action_permission = Permission.PARTNERS  # office-wide lists, not one listing's moderation
    template_name = "backoffice/amenity_form.html"
    nav = "amenities"

    def load_object(self, **kwargs) -> None:
        self.amenity = get_object_or_404(selectors.amenities(self.office, active_only=False), pk=kwargs["pk"])

    def make_form(self, data=None) -> AmenityForm:
        amenity = self.amenity
        initial = {
            "group": amenity.group,
            "position": amenity.position,
            **{f"name_{lang}": getattr(amenity, f"name_{lang}") or "" for lang in LANGS},
        }
        return AmenityForm(data, initial=initial, editing=True)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(amenity=self.amenity, form=form or self.make_form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        changed = []
        if form.is_valid():
            try:
                changed = listing_services.update_amenity(
                    self.amenity, actor=request.user, **form.service_kwargs()
                )
            except ListingError as exc:
                form.add_service_error(exc)
        if form.errors:
            self.amenity.refresh_from_db()
            return self.render_to_response(self.get_context_data(form=form))
        amenity = self.amenity
        message = (
            AMENITY_SAVED % {"name": amenity.name_fr, "group": amenity.get_group_display()}
            if changed
            else gettext(NO_CHANGE)
        )
        messages.success(request, message)
        return redirect(self.office_url("amenities"))


class AmenityActiveView(AmenityEditView):
    """POST: withdraw an amenity from the lists offered to partners, or offer it again."""

    http_method_names = ["get", "post"]
    active = False

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("amenities"))

    def post(self, request, *args, **kwargs):
        service = listing_services.reactivate_amenity if self.active else listing_services.deactivate_amenity
        try:
            service(self.amenity, actor=request.user)
        except ListingError as exc:
            messages.error(request, exc.message)
        else:
            message = (
                gettext("« %(name)s » est de nouveau proposé aux partenaires.")
                if self.active
                else gettext(
                    "« %(name)s » n'est plus proposé aux partenaires ; les fiches qui l'affichent le gardent."
                )
            )
            messages.success(request, message % {"name": self.amenity.name_fr})
        return redirect(self.office_url("amenities"))
