"""Listing moderation: the queue of partners' proposals, a proposal's diff and its decision, a
listing's page (published content, withdrawal, versions and restore). The settings and the
amenity lists are in listing_settings.py.

Every record is looked up through an office-scoped selector: another office's id answers 404,
GET and POST alike. A refusal of a service (ListingError) is shown on its field, or as a
message when it is about the whole record (a proposal already decided in another tab); a
success redirects with a message (PRG).
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.datatourisme import selectors as datatourisme_selectors
from ensemble.directory.validators import display_phone
from ensemble.listings import selectors
from ensemble.listings import services as listing_services
from ensemble.listings.fields import FIELDS, LANG_NAMES, LANGS, ListingError, snapshot
from ensemble.listings.models import ChangeProposal, Listing, Photo

from ..access import StaffRequiredMixin
from ..moderation_forms import (
    EDITABLE_KEYS,
    FieldDecisionForm,
    ListingEditForm,
    RejectForm,
    UnpublishForm,
)
from .directory_edits import NO_CHANGE

PER_PAGE = 50
VERSIONS_PER_PAGE = 50


@dataclass(frozen=True)
class PhotoItem:
    """A photo as a value of the listing shows it: the image, its credit and alt texts, and
    a note when a proposal adds it or takes it off."""

    photo: Photo | None
    credit: str
    alt_texts: list[tuple[str, str]]
    note: str = ""

    @property
    def alt(self) -> str:
        return next((text for _lang, text in self.alt_texts if text), "")


def photo_items(
    items: list[dict], listing: Listing, *, compared_to: list[dict] | None = None, note: str = ""
) -> list[PhotoItem]:
    """The photos of a field value (ids with credit and alt texts), with their images when the
    listing still has them (the listing's photos are prefetched). With `compared_to`, the
    photos that are not in it carry `note`."""
    by_id = {photo.pk: photo for photo in listing.photos.all()}
    others = {item["id"] for item in compared_to or []}
    return [
        PhotoItem(
            photo=by_id.get(item["id"]),
            credit=item.get("credit", ""),
            alt_texts=[(LANG_NAMES[lang], item.get(f"alt_text_{lang}", "")) for lang in LANGS],
            note=note if compared_to is not None and item["id"] not in others else "",
        )
        for item in items
    ]


def content_rows(data: dict, listing: Listing) -> list[dict]:
    """A listing's content (a snapshot or a version) as rows: label, text, and photos."""
    keys = [key for key in FIELDS if key in data]
    return [
        {
            "key": key,
            "label": label,
            "text": text,
            "photos": photo_items(data[key], listing) if key == "photos" else None,
        }
        for key, (label, text) in zip(keys, selectors.field_values_for_display(data), strict=True)
    ]


# ---- the queue and a proposal --------------------------------------------------------------


class ModerationQueueView(StaffRequiredMixin, TemplateView):
    """The proposals waiting for a decision, oldest first."""

    permission = Permission.VIEW

    template_name = "backoffice/moderation_queue.html"
    nav = "moderation"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.moderation_queue(self.office), PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context.update(page=page, proposals=page.object_list)
        return context


def recorded_diff(proposal: ChangeProposal) -> list[selectors.FieldChange]:
    """A decided proposal: the values as they were when proposed, and the proposed ones."""
    return [
        selectors.FieldChange(
            key=key,
            label=str(field.label),
            published=field.show(proposal.base[key]) if key in proposal.base else "",
            proposed=field.show(proposal.changes[key]),
        )
        for key, field in FIELDS.items()
        if key in proposal.changes
    ]


class ProposalView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    action_permission = Permission.MODERATE
    template_name = "backoffice/moderation_proposal.html"
    nav = "moderation"

    def load_object(self, **kwargs) -> None:
        self.proposal = selectors.proposal_detail(self.office, kwargs["pk"])

    def proposal_url(self) -> str:
        return self.office_url("moderation_proposal", pk=self.proposal.pk)

    def decide_form(self, data=None) -> FieldDecisionForm:
        return FieldDecisionForm(data, keys=list(self.proposal.changes), prefix="decide")

    def get_context_data(self, reject_form=None, decide_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        proposal = self.proposal
        pending = proposal.status == ChangeProposal.Status.PENDING
        rows = selectors.proposal_diff(proposal) if pending else recorded_diff(proposal)
        decide_form = decide_form or self.decide_form()
        fields = {key: (decision, reason) for key, decision, reason in decide_form.rows()}
        context.update(
            proposal=proposal,
            listing=proposal.listing,
            pending=pending,
            rows=[
                DecisionRow(row, *fields.get(row.key, (None, None)), proposal.decisions.get(row.key))
                for row in rows
            ],
            reject_form=reject_form or RejectForm(prefix="reject"),
            decide_form=decide_form,
        )
        if "photos" in proposal.changes:
            listing = selectors.listing_detail(self.office, proposal.listing_id)
            published = FIELDS["photos"].read(listing) if pending else proposal.base.get("photos", [])
            proposed = proposal.changes["photos"]
            context.update(
                published_photos=photo_items(
                    published, listing, compared_to=proposed, note=gettext("retirée par la proposition")
                ),
                proposed_photos=photo_items(
                    proposed, listing, compared_to=published, note=gettext("nouvelle photo")
                ),
            )
        return context


@dataclass(frozen=True)
class DecisionRow:
    """A row of the proposal's table: the change, and its decision (to take, or taken)."""

    change: selectors.FieldChange
    decision_field: object | None
    reason_field: object | None
    decided: dict | None  # {"approved": bool, "reason": str} once decided

    def __getattr__(self, name):  # key, label, published, proposed: the change's
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.change, name)


class ProposalDecisionView(ProposalView):
    """POST: decide, then the next proposal of the queue (or the queue). A GET goes back to
    the proposal's page."""

    http_method_names = ["get", "post"]
    form_class: type[RejectForm] | None = None
    form_context = "reject_form"

    def get(self, request, *args, **kwargs):
        return redirect(self.proposal_url())

    def make_form(self, data):
        return self.form_class(data, prefix="reject") if self.form_class else None

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(**{self.form_context: form}))
        try:
            message = self.decide(form)
        except ListingError as exc:
            if form is not None and exc.field in form.fields:
                form.add_service_error(exc)
                return self.render_to_response(self.get_context_data(**{self.form_context: form}))
            messages.error(request, exc.message)
            return redirect(self.proposal_url())
        messages.success(request, message)
        following = selectors.moderation_queue(self.office).exclude(pk=self.proposal.pk).first()
        if following is None:
            return redirect(self.office_url("moderation_queue"))
        return redirect(self.office_url("moderation_proposal", pk=following.pk))

    def decide(self, form) -> str:
        raise NotImplementedError


class ProposalApproveView(ProposalDecisionView):
    def decide(self, form) -> str:
        version = listing_services.approve_proposal(self.proposal, actor=self.request.user)
        return gettext(
            "Modifications de « %(name)s » validées : la version %(number)s est publiée "
            "et le partenaire est prévenu par e-mail."
        ) % {"name": self.proposal.listing.establishment.name, "number": version.number}


class ProposalDecideView(ProposalDecisionView):
    """Field by field: the approved fields are published, the rejected ones go back to the
    partner with their reasons."""

    form_context = "decide_form"

    def make_form(self, data):
        return self.decide_form(data)

    def decide(self, form) -> str:
        decision = listing_services.decide_proposal(
            self.proposal, decisions=form.decisions(), actor=self.request.user
        )
        name = self.proposal.listing.establishment.name
        if not decision.rejected:
            return gettext(
                "Modifications de « %(name)s » validées : la version %(number)s est publiée "
                "et le partenaire est prévenu par e-mail."
            ) % {"name": name, "number": decision.version.number}
        if not decision.approved:
            return gettext(
                "Modifications de « %(name)s » refusées : chaque motif est envoyé au partenaire, "
                "qui retrouve ses modifications dans son espace pro."
            ) % {"name": name}
        return gettext(
            "Modifications de « %(name)s » : %(approved)s publié(s) (version %(number)s), %(rejected)s "
            "renvoyé(s) au partenaire avec leur motif."
        ) % {
            "name": name,
            "approved": ", ".join(changed_labels(decision.approved)),
            "rejected": ", ".join(changed_labels(list(decision.rejected))),
            "number": decision.version.number,
        }


class ProposalRejectView(ProposalDecisionView):
    form_class = RejectForm

    def decide(self, form) -> str:
        listing_services.reject_proposal(
            self.proposal, actor=self.request.user, reason=form.cleaned_data["reason"]
        )
        return gettext("Modifications de « %(name)s » refusées : le motif est envoyé au partenaire.") % {
            "name": self.proposal.listing.establishment.name
        }


# ---- a listing, its withdrawal and its versions --------------------------------------------


class ListingMixin(StaffRequiredMixin):
    permission = Permission.VIEW
    action_permission = Permission.MODERATE
    nav = "organisations"

    def load_object(self, **kwargs) -> None:
        self.listing = selectors.listing_detail(self.office, kwargs["pk"])

    def listing_url(self) -> str:
        return self.office_url("listing", pk=self.listing.pk)


class ListingView(ListingMixin, TemplateView):
    """The published content, the pending proposal, withdrawal and the history of versions."""

    template_name = "backoffice/listing_detail.html"

    def get_context_data(self, unpublish_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        listing = self.listing
        page = Paginator(selectors.versions(listing), VERSIONS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        versions = [(version, changed_labels(version.changed_fields)) for version in page.object_list]
        context.update(
            listing=listing,
            organisation=listing.establishment.organisation,
            rows=content_rows(snapshot(listing), listing),
            pending=selectors.pending_proposal(listing),
            import_flag=datatourisme_selectors.import_flags(self.office, [listing.pk]).get(listing.pk),
            unpublish_form=unpublish_form or UnpublishForm(prefix="unpublish"),
            page=page,
            versions=versions,
        )
        return context


def changed_labels(keys: list[str]) -> list[str]:
    return [str(FIELDS[key].label) for key in FIELDS if key in keys]


class ListingUnpublishView(ListingView):
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(self.listing_url())

    def post(self, request, *args, **kwargs):
        form = UnpublishForm(request.POST, prefix="unpublish")
        if form.is_valid():
            try:
                listing_services.unpublish_listing(
                    self.listing, reason=form.cleaned_data["reason"], actor=request.user
                )
            except ListingError as exc:
                if exc.field not in form.fields:
                    messages.error(request, exc.message)
                    return redirect(self.listing_url())
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(unpublish_form=form))
        messages.success(
            request,
            gettext("La fiche est retirée des supports de l'office ; le partenaire est prévenu par e-mail."),
        )
        return redirect(self.listing_url())


class ListingRepublishView(ListingUnpublishView):
    def post(self, request, *args, **kwargs):
        try:
            listing_services.republish_listing(self.listing, actor=request.user)
        except ListingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("La fiche est de nouveau publiée."))
        return redirect(self.listing_url())


class ListingOfficePlaceView(ListingUnpublishView):
    """POST: publish the listing as a place of the office (not a partner), or back."""

    def post(self, request, *args, **kwargs):
        value = request.POST.get("is_office_place") == "1"
        listing_services.mark_office_place(self.listing, is_office_place=value, actor=request.user)
        if value:
            messages.success(request, gettext("La fiche est publiée comme lieu de l'office, sans adhésion."))
        else:
            messages.success(request, gettext("La fiche n'est publiée que si l'adhésion est active."))
        return redirect(self.listing_url())


EDIT_SECTIONS = {
    "general": gettext_lazy("Nom"),
    "texts": gettext_lazy("Descriptions"),
    "contact": gettext_lazy("Coordonnées"),
    "capacity": gettext_lazy("Capacité"),
}


def edit_initial(values: dict) -> dict:
    """The form's values: the published ones, phones as people read them, no value as empty
    (further phones, e-mails and websites are lists, shown one per line)."""
    initial = {key: "" if values[key] is None else values[key] for key in EDITABLE_KEYS}
    if initial.get("phone"):
        initial["phone"] = display_phone(initial["phone"])
    initial["extra_phones"] = [display_phone(phone) for phone in initial.get("extra_phones") or []]
    return initial


def _period_legend(period: dict) -> str:
    starts = datetime.date.fromisoformat(period["starts_on"])
    ends = datetime.date.fromisoformat(period["ends_on"])
    return gettext("Ouverture du %(start)s au %(end)s : précision") % {
        "start": date_format(starts, "SHORT_DATE_FORMAT"),
        "end": date_format(ends, "SHORT_DATE_FORMAT"),
    }


class ListingEditView(ListingMixin, TemplateView):
    """A staff correction, published at once (`edit_listing`); only the changed values count."""

    template_name = "backoffice/listing_edit.html"

    def make_form(self, data=None) -> ListingEditForm:
        values = snapshot(self.listing)
        return ListingEditForm(data, initial=edit_initial(values), periods=values["opening_periods"])

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        form = form or self.make_form()
        sections: dict[str, list] = {}
        for key in EDITABLE_KEYS:
            sections.setdefault(FIELDS[key].section, []).append(form[key])
        groups = [(EDIT_SECTIONS[section], fields) for section, fields in sections.items()]
        groups += [
            (_period_legend(period), form.note_fields(index)) for index, period in enumerate(form.periods)
        ]
        context.update(
            listing=self.listing,
            form=form,
            groups=groups,
            pending=selectors.pending_proposal(self.listing),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        version = None
        if form.is_valid():
            try:
                version = listing_services.edit_listing(
                    self.listing, changes=form.changes(), actor=request.user
                )
            except ListingError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(form=form))
        if version is None:
            messages.success(request, gettext(NO_CHANGE))
        else:
            messages.success(
                request,
                gettext("La fiche est modifiée : la version %(number)s est publiée.")
                % {"number": version.number},
            )
        return redirect(self.listing_url())


class ListingVersionView(ListingMixin, TemplateView):
    template_name = "backoffice/listing_version.html"

    def load_object(self, **kwargs) -> None:
        super().load_object(**kwargs)
        self.version = selectors.version_of(self.listing, kwargs["number"])

    def version_url(self) -> str:
        return self.office_url("listing_version", pk=self.listing.pk, number=self.version.number)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.version
        context.update(
            listing=self.listing,
            organisation=self.listing.establishment.organisation,
            version=version,
            changed=changed_labels(version.changed_fields),
            rows=content_rows(version.data, self.listing),
            is_current=version.number == self.listing.version_number,
        )
        return context


class ListingRestoreView(ListingVersionView):
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(self.version_url())

    def post(self, request, *args, **kwargs):
        try:
            restored = listing_services.restore_version(self.version, actor=request.user)
        except ListingError as exc:
            messages.error(request, exc.message)
            return redirect(self.version_url())
        messages.success(
            request,
            gettext("La version %(old)s est restaurée : elle est publiée comme version %(new)s.")
            % {"old": self.version.number, "new": restored.number},
        )
        return redirect(self.listing_url())


# ---- settings: what publishes at once ------------------------------------------------------
