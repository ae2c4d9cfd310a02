"""Espace pro: « Mes fiches » — a partner's listings, edited section by section; the shared
mixin (`PartnerListingMixin`) and messages (`announce`) of every listing page. The photo pages
are in listing_photo_views.py, the availability calendar in listing_availability_views.py.

Every page looks the listing up among the person's organisations in the current office
(`selectors.listing_of_user`): any other `listing_id` answers 404, for GET and POST alike.
Changes go through `services.propose_changes`: the fields the office publishes at once are
public now, the others wait for its validation.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from ensemble.campaigns import services as campaign_services
from ensemble.listings import selectors, services
from ensemble.listings.fields import FIELDS, ListingError, snapshot
from ensemble.listings.models import ChangeProposal, Listing
from ensemble.publishing.visibility import Visibility, listings_visibility

from .listing_forms import (
    AmenitiesForm,
    CapacityForm,
    ContactForm,
    PeriodsSection,
    PricesSection,
    TextsForm,
    field_label,
)


@dataclass(frozen=True)
class Section:
    url_name: str
    title: str
    form_class: type
    template: str
    intro: str = ""


SECTIONS = [
    Section(
        "listing_general",
        _("Présentation"),
        TextsForm,
        "portal/listing_section_texts.html",
        _(
            "Le nom et les descriptions publiés sur le site, l'application et les éditions de "
            "l'office, en français, en anglais et en néerlandais. Le texte est repris tel quel : "
            "la mise en forme HTML est retirée, les retours à la ligne sont gardés."
        ),
    ),
    Section("listing_contact", _("Coordonnées"), ContactForm, "portal/listing_section_fields.html"),
    Section(
        "listing_capacity",
        _("Capacité"),
        CapacityForm,
        "portal/listing_section_fields.html",
        _("Laissez vide ce qui ne concerne pas votre établissement."),
    ),
    Section(
        "listing_amenities",
        _("Équipements et labels"),
        AmenitiesForm,
        "portal/listing_section_amenities.html",
    ),
    Section(
        "listing_opening",
        _("Ouverture"),
        PeriodsSection,
        "portal/listing_section_periods.html",
        _(
            "Une ligne par période de l'année, avec ses horaires et ses jours de fermeture. Deux "
            "lignes vides permettent d'en ajouter ; enregistrez pour en obtenir d'autres."
        ),
    ),
    Section(
        "listing_prices",
        _("Tarifs"),
        PricesSection,
        "portal/listing_section_prices.html",
        _(
            "Chaque tarif indique sa saison. Un tarif d'une saison passée reste affiché comme tel : "
            "vérifiez-le, puis changez son prix et son année, ou supprimez-le."
        ),
    ),
]
SECTION_BY_NAME = {section.url_name: section for section in SECTIONS}


def _labels(keys) -> str:
    return ", ".join(field_label(key) for key in keys)


def announce(request, result: services.ProposalResult, keys) -> None:
    """Say what was published at once and what waits for the office."""
    published = [key for key in keys if key in result.published]
    waiting = [key for key in keys if result.pending is not None and key in result.pending.changes]
    if published:
        messages.success(request, gettext("Publié aussitôt : %(fields)s.") % {"fields": _labels(published)})
    if waiting:
        messages.info(
            request,
            gettext(
                "Envoyé à l'office pour validation : %(fields)s. La fiche publique garde la version "
                "validée jusque-là."
            )
            % {"fields": _labels(waiting)},
        )
    if not published and not waiting:
        messages.info(request, gettext("Aucune modification en attente : la fiche publiée est conservée."))


# ---- the list ------------------------------------------------------------------------------


@dataclass
class ListingRow:
    listing: Listing
    pending: ChangeProposal | None
    pending_labels: list[str] = field(default_factory=list)
    photo_count: int = 0
    # Rejected by the office, still hers to correct: (label, reason).
    returned: list[tuple[str, str]] = field(default_factory=list)
    # What visitors see today, from the public site's own rule (publishing.visibility).
    visibility: Visibility | None = None

    @property
    def has_availability(self) -> bool:
        return self.listing.establishment.category.has_availability


def listing_row(listing: Listing, visibility: Visibility | None = None) -> ListingRow:
    pending = selectors.pending_proposal(listing)
    labels = [field_label(key) for key in FIELDS if pending and key in pending.changes]
    return ListingRow(
        listing=listing,
        pending=pending,
        pending_labels=labels,
        photo_count=len(selectors.published_photos(listing)),
        visibility=visibility,
        returned=[
            (field_label(key), item.reason) for key, item in selectors.returned_fields(listing).items()
        ],
    )


class ListingListView(LoginRequiredMixin, TemplateView):
    """ "Mes fiches": each listing with its status, what waits for moderation and when it was
    last confirmed. An establishment without a listing gets one first."""

    template_name = "portal/listing_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, office = self.request.user, self.request.office
        for establishment in selectors.establishments_without_listing(user, office):
            services.ensure_listing(establishment)
        listings = list(selectors.listings_of_user(user, office))
        visibility = listings_visibility(office, listings)
        context["rows"] = [listing_row(listing, visibility[listing.pk]) for listing in listings]
        return context


class PartnerListingMixin:
    """Resolves `listing_id` to one of the person's listings in the current office
    (`self.listing`); 404 for any other id. Put it after LoginRequiredMixin."""

    nav_name = ""

    def dispatch(self, request, *args, **kwargs):
        self.listing = selectors.listing_of_user(request.user, request.office, kwargs["listing_id"])
        self.resolve(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def resolve(self, **kwargs) -> None:
        """Look up the other parts of the URL, within `self.listing`; raise Http404."""

    def listing_url(self, name: str, **kwargs) -> str:
        return reverse(
            f"portal:{name}",
            kwargs={"office_slug": self.request.office.slug, "listing_id": self.listing.pk, **kwargs},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        nav = [(self.listing_url(s.url_name), s.title, s.url_name == self.nav_name) for s in SECTIONS]
        nav.append((self.listing_url("listing_photos"), _("Photos"), self.nav_name == "listing_photos"))
        if self.listing.establishment.category.has_availability:
            nav.append(
                (
                    self.listing_url("listing_availability_now"),
                    _("Disponibilités"),
                    self.nav_name == "listing_availability",
                )
            )
        returned = selectors.returned_fields(self.listing)
        context.update(
            listing=self.listing,
            establishment=self.listing.establishment,
            pending=selectors.pending_proposal(self.listing),
            returned=[(field_label(key), item.reason) for key, item in returned.items()],
            listing_nav=nav,
        )
        return context


class ListingConfirmView(LoginRequiredMixin, PartnerListingMixin, View):
    """POST only: « Confirmer que ma fiche est à jour » (a GET goes back to the list)."""

    def get(self, request, *args, **kwargs):
        return redirect("portal:listings", office_slug=request.office.slug)

    def post(self, request, *args, **kwargs):
        # Counts for any running update campaign as well (campaigns.record_listing_confirmation
        # dates the listing through listings.confirm_listing).
        campaign_services.record_listing_confirmation(self.listing, actor=request.user)
        listing = self.listing
        listing.refresh_from_db(fields=["last_confirmed_at"])
        messages.success(
            request,
            gettext("Merci : la fiche « %(name)s » est confirmée à jour le %(date)s.")
            % {
                "name": listing.establishment.name,
                "date": date_format(timezone.localtime(listing.last_confirmed_at), "d/m/Y"),
            },
        )
        return redirect("portal:listings", office_slug=request.office.slug)


class ListingDiscardReturnedView(LoginRequiredMixin, PartnerListingMixin, View):
    """POST only: drop the changes the office rejected (the forms show the published content
    again). A GET goes back to the listing."""

    def get(self, request, *args, **kwargs):
        return redirect(self.listing_url("listing_general"))

    def post(self, request, *args, **kwargs):
        keys = services.discard_returned_changes(self.listing, actor=request.user)
        if keys:
            messages.success(
                request,
                gettext("Modifications non retenues abandonnées : %(fields)s.") % {"fields": _labels(keys)},
            )
        return redirect(self.listing_url("listing_general"))


# ---- sections ------------------------------------------------------------------------------


class ListingSectionView(LoginRequiredMixin, PartnerListingMixin, TemplateView):
    """One section of the listing: the form shows the published content with the pending
    proposal applied; submitting proposes the section's fields."""

    template_name = "portal/listing_section.html"
    section_name = ""

    @property
    def section(self) -> Section:
        return SECTION_BY_NAME[self.section_name]

    @property
    def nav_name(self) -> str:
        return self.section_name

    def make_form(self, data=None):
        pending = selectors.pending_proposal(self.listing)
        returned = selectors.returned_fields(self.listing)
        return self.section.form_class(
            data,
            office=self.request.office,
            values=services.pending_values(self.listing),
            published=snapshot(self.listing),
            pending=set(pending.changes) if pending else set(),
            returned={key: item.reason for key, item in returned.items()},
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.make_form())
        context.update(section=self.section, action=self.listing_url(self.section_name))
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                result = services.propose_changes(self.listing, changes=form.changes(), actor=request.user)
                campaign_services.record_listing_changes(self.listing, actor=request.user)
            except ListingError as exc:
                form.add_service_error(exc)
            else:
                announce(request, result, form.keys)
                return redirect(self.listing_url(self.section_name))
        return self.render_to_response(self.get_context_data(form=form))
