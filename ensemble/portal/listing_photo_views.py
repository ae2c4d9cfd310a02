"""Espace pro: a listing's photos — the list as it will be published, uploading one, moving,
editing (credit, alternative texts) and removing one.

A `photo_id` that is not in the listing's list answers 404. Every change but the upload is a
proposal of the whole list (`services.propose_changes` on "photos").
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.generic import TemplateView

from ensemble.campaigns import services as campaign_services
from ensemble.core.errors import EnsembleError
from ensemble.listings import selectors, services
from ensemble.listings.fields import FIELDS, ListingError
from ensemble.listings.models import Listing, Photo

from .listing_photo_forms import PhotoEditForm, PhotoUploadForm, photo_help_text
from .listing_views import PartnerListingMixin, announce

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
    pending = selectors.pending_proposal(listing)
    # The list the office rejected, kept for the partner to correct (not waiting for anyone).
    refused = "photos" in selectors.returned_fields(listing) and not (pending and "photos" in pending.changes)
    rows = []
    for position, item in enumerate(items):
        photo = by_id.get(item["id"])
        if photo is None:
            continue
        if photo.status != Photo.Status.PUBLISHED:
            state = "refused" if refused else "new"
        elif published.get(photo.pk) == (position, item):
            state = "published"
        else:
            state = "refused" if refused else "changed"
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
