"""Every change to seasons, offers, terms and memberships goes through these functions."""

from .catalogue import (
    create_season,
    install_seed_catalogue,
    open_season,
    prepare_next_season,
    publish_terms,
    set_offer_texts,
    set_season_sales,
)
from .entitlements import consume_entitlement, grant_entitlements
from .join import Evidence, JoinApplication, JoinResult, submit_join_request
from .lifecycle import (
    accept_membership,
    close_due_memberships,
    give_notice,
    record_membership_paid,
    record_signed_bulletin,
    refuse_membership,
    reinstate_membership,
    suspend_membership,
    terminate_membership,
)
from .renewal import (
    check_portal_notice,
    give_notice_from_portal,
    notice_end_date,
    portal_renewal_season,
    renew_from_portal,
    renew_membership,
    renewal_lines,
    renewal_refusal,
)

__all__ = [
    "Evidence",
    "JoinApplication",
    "JoinResult",
    "accept_membership",
    "check_portal_notice",
    "close_due_memberships",
    "consume_entitlement",
    "create_season",
    "give_notice",
    "give_notice_from_portal",
    "grant_entitlements",
    "install_seed_catalogue",
    "notice_end_date",
    "open_season",
    "portal_renewal_season",
    "prepare_next_season",
    "publish_terms",
    "record_membership_paid",
    "record_signed_bulletin",
    "refuse_membership",
    "reinstate_membership",
    "renew_from_portal",
    "renew_membership",
    "renewal_lines",
    "renewal_refusal",
    "set_offer_texts",
    "set_season_sales",
    "submit_join_request",
    "suspend_membership",
    "terminate_membership",
]
