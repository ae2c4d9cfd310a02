"""Espace pro routes: listings (included by portal/urls.py, names in the "portal" namespace).

« Mes fiches », each listing's sections, photos and availability calendar. Every id is the
listing's (`listing_id`) or one of its photos' (`photo_id`); the calendar takes `year`/`month`.
"""

from django.urls import path

from . import listing_availability_views as availability_views
from . import listing_photo_views as photo_views
from . import listing_views as views

LISTING = "fiches/<int:listing_id>/"
PHOTO = LISTING + "photos/<int:photo_id>/"


def _section(route: str, name: str):
    return path(LISTING + route, views.ListingSectionView.as_view(section_name=name), name=name)


urlpatterns = [
    path("fiches/", views.ListingListView.as_view(), name="listings"),
    path(LISTING + "confirmer/", views.ListingConfirmView.as_view(), name="listing_confirm"),
    path(
        LISTING + "abandonner-refus/",
        views.ListingDiscardReturnedView.as_view(),
        name="listing_discard_returned",
    ),
    _section("", "listing_general"),
    _section("coordonnees/", "listing_contact"),
    _section("capacite/", "listing_capacity"),
    _section("equipements/", "listing_amenities"),
    _section("ouverture/", "listing_opening"),
    _section("tarifs/", "listing_prices"),
    path(LISTING + "photos/", photo_views.ListingPhotosView.as_view(), name="listing_photos"),
    path(LISTING + "photos/ajouter/", photo_views.PhotoUploadView.as_view(), name="listing_photo_upload"),
    path(PHOTO + "deplacer/", photo_views.PhotoMoveView.as_view(), name="listing_photo_move"),
    path(PHOTO + "modifier/", photo_views.PhotoEditView.as_view(), name="listing_photo_edit"),
    path(PHOTO + "retirer/", photo_views.PhotoRemoveView.as_view(), name="listing_photo_remove"),
    path(
        LISTING + "disponibilites/",
        availability_views.ListingAvailabilityNowView.as_view(),
        name="listing_availability_now",
    ),
    path(
        LISTING + "disponibilites/<int:year>/<int:month>/",
        availability_views.ListingAvailabilityView.as_view(),
        name="listing_availability",
    ),
]
