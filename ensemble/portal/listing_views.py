"""Espace pro: « Mes fiches » — a partner's listings, edited section by section, their photos
and their availability.

Every page looks the listing up among the person's organisations in the current office
(`selectors.listing_of_user`): any other `listing_id` (or a `photo_id` not of that listing)
answers 404, for GET and POST alike. Changes go through `services.propose_changes`: the fields
the office publishes at once are public now, the others wait for its validation.
"""

import calendar
import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from ensemble.campaigns import services as campaign_services
from ensemble.core.errors import EnsembleError
from ensemble.listings import selectors, services
from ensemble.listings.fields import FIELDS, ListingError, snapshot
from ensemble.listings.models import Availability, ChangeProposal, Listing, Photo

from .listing_forms import (
    AmenitiesForm,
    AvailabilityForm,
    CapacityForm,
    ContactForm,
    PeriodsSection,
    PhotoEditForm,
    PhotoUploadForm,
    PricesSection,
    TextsForm,
    field_label,
    photo_help_text,
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

    @property
    def has_availability(self) -> bool:
        return self.listing.establishment.category.has_availability


def listing_row(listing: Listing) -> ListingRow:
    pending = selectors.pending_proposal(listing)
    labels = [field_label(key) for key in FIELDS if pending and key in pending.changes]
    return ListingRow(
        listing=listing,
        pending=pending,
        pending_labels=labels,
        photo_count=len(selectors.published_photos(listing)),
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
        context["rows"] = [listing_row(listing) for listing in selectors.listings_of_user(user, office)]
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
        context.update(
            listing=self.listing,
            establishment=self.listing.establishment,
            pending=selectors.pending_proposal(self.listing),
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
        return self.section.form_class(
            data,
            office=self.request.office,
            values=services.pending_values(self.listing),
            published=snapshot(self.listing),
            pending=set(pending.changes) if pending else set(),
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


# ---- photos --------------------------------------------------------------------------------


THUMB_WIDTH = 320


@dataclass
class PhotoRow:
    photo: Photo
    item: dict  # as it will be published: credit and alternative texts
    state: str  # "new", "changed" or "published"
    form: PhotoEditForm
    first: bool
    last: bool

    @property
    def thumb_height(self) -> int:
        width, height = self.photo.width or 3, self.photo.height or 2
        return round(THUMB_WIDTH * height / width)

    thumb_width = THUMB_WIDTH


def photo_rows(listing: Listing, bound: tuple[int, PhotoEditForm] | None = None):
    """The photos as they will be once the pending proposal is validated, in order, and the
    published photos that proposal removes."""
    items = services.pending_values(listing)["photos"]
    published = {item["id"]: (position, item) for position, item in enumerate(FIELDS["photos"].read(listing))}
    by_id = {photo.pk: photo for photo in listing.photos.all()}
    rows = []
    for position, item in enumerate(items):
        photo = by_id.get(item["id"])
        if photo is None:
            continue
        if photo.status != Photo.Status.PUBLISHED:
            state = "new"
        else:
            state = "published" if published.get(photo.pk) == (position, item) else "changed"
        form = bound[1] if bound and bound[0] == photo.pk else None
        form = form or PhotoEditForm(prefix=f"photo-{photo.pk}", initial=item)
        rows.append(PhotoRow(photo, item, state, form, first=position == 0, last=position == len(items) - 1))
    kept = {item["id"] for item in items}
    removed = [by_id[pk] for pk in published if pk not in kept and pk in by_id]
    return rows, removed


class ListingPhotosView(LoginRequiredMixin, PartnerListingMixin, TemplateView):
    template_name = "portal/listing_photos.html"
    nav_name = "listing_photos"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows, removed = photo_rows(self.listing, kwargs.get("bound"))
        context.update(
            rows=rows,
            removed=removed,
            upload_form=kwargs.get("upload_form") or PhotoUploadForm(),
            photo_help=photo_help_text(),
        )
        return context

    def to_photos(self):
        return redirect(self.listing_url("listing_photos"))


class PhotoUploadView(ListingPhotosView):
    """POST only: upload a photo, proposed as the listing's last one."""

    def get(self, request, *args, **kwargs):
        return self.to_photos()

    def post(self, request, *args, **kwargs):
        form = PhotoUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                photo = services.upload_photo(
                    self.listing,
                    image=form.cleaned_data["image"],
                    credit=form.cleaned_data["credit"],
                    alt_texts=form.alt_texts(),
                    rights_declared=form.cleaned_data["rights_declared"],
                    actor=request.user,
                )
                campaign_services.record_listing_changes(self.listing, actor=request.user)
            except EnsembleError as exc:
                form.add_service_error(exc)
            else:
                photo.refresh_from_db(fields=["status"])
                if photo.status == Photo.Status.PUBLISHED:
                    messages.success(request, gettext("Photo ajoutée et publiée aussitôt."))
                else:
                    messages.info(
                        request,
                        gettext("Photo envoyée : elle sera publiée après validation par l'office."),
                    )
                return self.to_photos()
        return self.render_to_response(self.get_context_data(upload_form=form))


class _PhotoActionView(ListingPhotosView):
    """POST only, on one photo of the listing's list (`photo_id`); 404 for any other."""

    def resolve(self, **kwargs) -> None:
        self.items = services.pending_values(self.listing)["photos"]
        ids = [item["id"] for item in self.items]
        if kwargs["photo_id"] not in ids:
            raise Http404
        self.index = ids.index(kwargs["photo_id"])

    def get(self, request, *args, **kwargs):
        return self.to_photos()

    def propose(self, items: list[dict]):
        result = services.propose_changes(self.listing, changes={"photos": items}, actor=self.request.user)
        campaign_services.record_listing_changes(self.listing, actor=self.request.user)
        announce(self.request, result, ["photos"])
        return self.to_photos()


class PhotoMoveView(_PhotoActionView):
    def post(self, request, *args, **kwargs):
        step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
        target = self.index + (step or 0)
        if step is None or not 0 <= target < len(self.items):
            return self.to_photos()
        items = list(self.items)
        items[self.index], items[target] = items[target], items[self.index]
        return self.propose(items)


class PhotoEditView(_PhotoActionView):
    def post(self, request, *args, **kwargs):
        photo_id = kwargs["photo_id"]
        form = PhotoEditForm(request.POST, prefix=f"photo-{photo_id}")
        if form.is_valid():
            items = list(self.items)
            items[self.index] = form.item(photo_id)
            try:
                return self.propose(items)
            except ListingError as exc:
                form.add_service_error(exc)
        return self.render_to_response(self.get_context_data(bound=(photo_id, form)))


class PhotoRemoveView(_PhotoActionView):
    def post(self, request, *args, **kwargs):
        items = [item for index, item in enumerate(self.items) if index != self.index]
        return self.propose(items)


# ---- availability --------------------------------------------------------------------------

WEEKDAY_HEADERS = [
    (_("lun."), _("lundi")),
    (_("mar."), _("mardi")),
    (_("mer."), _("mercredi")),
    (_("jeu."), _("jeudi")),
    (_("ven."), _("vendredi")),
    (_("sam."), _("samedi")),
    (_("dim."), _("dimanche")),
]


@dataclass
class DayCell:
    day: datetime.date
    status: str
    field: object | None  # the day's select, or None when it cannot be changed

    @property
    def status_label(self) -> str:
        return Availability.Status(self.status).label if self.status else gettext("Non renseigné")


def _add_month(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


class _AvailabilityMixin(PartnerListingMixin):
    nav_name = "listing_availability"

    def resolve(self, **kwargs) -> None:
        if not self.listing.establishment.category.has_availability:
            raise Http404


class ListingAvailabilityNowView(LoginRequiredMixin, _AvailabilityMixin, View):
    """The current month's calendar."""

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        return redirect(self.listing_url("listing_availability", year=today.year, month=today.month))


class ListingAvailabilityView(LoginRequiredMixin, _AvailabilityMixin, TemplateView):
    """One month: a select per day (past days read-only), a quick setting for several days,
    one call to `set_availability` with the days that changed."""

    template_name = "portal/listing_availability.html"

    def resolve(self, **kwargs) -> None:
        super().resolve(**kwargs)
        year, month = kwargs["year"], kwargs["month"]
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise Http404
        self.first = datetime.date(year, month, 1)
        length = calendar.monthrange(year, month)[1]
        self.days = [self.first + datetime.timedelta(days=n) for n in range(length)]
        self.today = timezone.localdate()
        self.horizon = self.today + datetime.timedelta(days=services.AVAILABILITY_HORIZON_DAYS)
        self.editable = {day for day in self.days if self.today <= day <= self.horizon}
        self.current = selectors.availability(self.listing, start=self.days[0], end=self.days[-1])

    def make_form(self, data=None) -> AvailabilityForm:
        return AvailabilityForm(data, days=self.days, current=self.current)

    def month_url(self, first: datetime.date) -> str:
        return self.listing_url("listing_availability", year=first.year, month=first.month)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.make_form()
        weeks = [
            [
                DayCell(
                    day, self.current.get(day, ""), form[form.name_of(day)] if day in self.editable else None
                )
                if day.month == self.first.month
                else None
                for day in week
            ]
            for week in calendar.Calendar().monthdatescalendar(self.first.year, self.first.month)
        ]
        previous, following = _add_month(self.first, -1), _add_month(self.first, 1)
        context.update(
            form=form,
            weeks=weeks,
            weekdays=WEEKDAY_HEADERS,
            month_name=capfirst(date_format(self.first, "F Y")),
            has_editable=bool(self.editable),
            action=self.month_url(self.first),
            previous_url=self.month_url(previous) if previous >= self.today.replace(day=1) else "",
            previous_name=capfirst(date_format(previous, "F Y")),
            next_url=self.month_url(following) if following <= self.horizon else "",
            next_name=capfirst(date_format(following, "F Y")),
            statuses=Availability.Status,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            days = form.changed_days(editable=self.editable, action=request.POST.get("action", ""))
            try:
                if days:
                    services.set_availability(self.listing, days=days, actor=request.user)
            except ListingError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    gettext("%(month)s : %(count)s jour(s) mis à jour, publiés aussitôt.")
                    % {"month": capfirst(date_format(self.first, "F Y")), "count": len(days)}
                    if days
                    else gettext("Aucun changement à enregistrer."),
                )
                return redirect(self.month_url(self.first))
        return self.render_to_response(self.get_context_data(form=form))
