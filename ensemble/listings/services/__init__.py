"""Listings' services, one module per concern; import them from here.

- proposals: partners propose (and take up or discard what staff rejected), versions and
  restore, staff edits, the office's moderation settings;
- moderation: staff approve or reject a proposal field by field (or all of it at once);
- photos: upload (re-encoded, proposed like any change);
- availability: night by night, published at once;
- publication: confirmation by the partner, withdrawal and republication (CGV art. 2);
- amenities: the office's lists of amenities and labels.
"""

from ..fields import ListingError
from .amenities import (
    DEFAULT_AMENITIES,
    create_amenity,
    deactivate_amenity,
    install_default_amenities,
    reactivate_amenity,
    update_amenity,
)
from .availability import AVAILABILITY_HORIZON_DAYS, set_availability
from .moderation import Decision, approve_proposal, decide_proposal, reject_proposal
from .photos import PHOTO_RULES, upload_photo
from .proposals import (
    ProposalResult,
    clean_changes,
    discard_returned_changes,
    edit_listing,
    ensure_listing,
    moderation_settings,
    pending_values,
    propose_changes,
    restore_version,
    update_moderation_settings,
)
from .publication import (
    confirm_listing,
    mark_office_place,
    republish_listing,
    set_external_source,
    unpublish_listing,
)

__all__ = [
    "AVAILABILITY_HORIZON_DAYS",
    "DEFAULT_AMENITIES",
    "Decision",
    "PHOTO_RULES",
    "ListingError",
    "ProposalResult",
    "approve_proposal",
    "clean_changes",
    "confirm_listing",
    "create_amenity",
    "deactivate_amenity",
    "decide_proposal",
    "discard_returned_changes",
    "edit_listing",
    "ensure_listing",
    "install_default_amenities",
    "mark_office_place",
    "moderation_settings",
    "pending_values",
    "propose_changes",
    "reactivate_amenity",
    "reject_proposal",
    "republish_listing",
    "restore_version",
    "set_availability",
    "set_external_source",
    "unpublish_listing",
    "update_amenity",
    "update_moderation_settings",
    "upload_photo",
]
