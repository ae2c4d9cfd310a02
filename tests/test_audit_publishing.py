"""Listings, update campaigns and the agenda write one audit entry per service call (issue 10,
item 6): proposals (one entry however the change is split between published and pending),
moderation, versions, withdrawal, photos, availability, amenity lists, campaigns and events; the
daily campaign jobs one entry per object they change; a refused call none."""

import datetime
import zoneinfo

import pytest
import time_machine

from ensemble.campaigns import services as campaign_services
from ensemble.campaigns.errors import CampaignError
from ensemble.campaigns.models import CampaignTarget
from ensemble.core import audit
from ensemble.core.models import AuditEntry
from ensemble.events import services as event_services
from ensemble.events.errors import EventError
from ensemble.events.models import Event
from ensemble.listings import services as listing_services
from ensemble.listings.models import Amenity, ChangeProposal, Photo
from ensemble.listings.services import ListingError

from .images import jpeg_upload

pytestmark = pytest.mark.django_db

PRO = "ensemble.listings.services.proposals."
PUB = "ensemble.listings.services.publication."
AME = "ensemble.listings.services.amenities."
MOD = "ensemble.listings.services.moderation."
CAM = "ensemble.campaigns.services."
EVE = "ensemble.events.services."
SNA = "ensemble.publishing.services."

AUDITED = {
    PRO + "ensure_listing": "listing.created",
    PRO + "update_moderation_settings": "listing.moderation_settings_changed",
    # One entry whatever the split: data "published" and "pending" say which fields went where.
    PRO + "propose_changes": (
        "listing.proposal_submitted",
        "listing.published_at_once",
        "listing.proposal_withdrawn",
        # A rejected value brought back to the published one, and nothing else changed.
        "listing.returned_changes_discarded",
    ),
    PRO + "discard_returned_changes": "listing.returned_changes_discarded",
    MOD + "approve_proposal": "listing.proposal_approved",
    MOD + "reject_proposal": "listing.proposal_rejected",
    # One entry for the decision, its data saying which fields were approved and which rejected.
    MOD + "decide_proposal": "listing.proposal_decided",
    PRO + "edit_listing": "listing.edited",
    PRO + "restore_version": "listing.version_restored",
    # The proposal of the new photo is part of the upload's one entry.
    "ensemble.listings.services.photos.upload_photo": "listing.photo_uploaded",
    "ensemble.listings.services.availability.set_availability": "listing.availability_set",
    PUB + "confirm_listing": "listing.confirmed",
    PUB + "unpublish_listing": "listing.unpublished",
    PUB + "republish_listing": "listing.republished",
    PUB + "mark_office_place": ("listing.office_place_marked", "listing.office_place_unmarked"),
    PUB + "set_external_source": "listing.external_source_set",
    # One entry for the set of defaults added (none when they are all there already).
    AME + "install_default_amenities": "amenity.defaults_installed",
    AME + "create_amenity": "amenity.created",
    AME + "update_amenity": "amenity.updated",
    AME + "deactivate_amenity": "amenity.deactivated",
    AME + "reactivate_amenity": "amenity.reactivated",
    CAM + "create_campaign": "campaign.created",
    CAM + "update_campaign": "campaign.updated",
    # One entry for the launch (with the number of targets); the invitations are OutboundEmails.
    CAM + "launch_campaign": "campaign.launched",
    # The partner's confirmation is the listing's one entry (listings.confirm_listing), its data
    # listing the campaign targets it closes.
    CAM + "record_confirmation": "listing.confirmed",
    CAM + "record_listing_confirmation": "listing.confirmed",
    CAM + "record_listing_changes": "listing.confirmed",
    CAM + "close_campaign": "campaign.closed",
    EVE + "submit_event": "event.submitted",
    EVE + "update_event": (
        "event.updated",
        "event.resubmitted",
        "event.change_proposed",
        "event.change_withdrawn",
    ),
    # Written before the proposal is deleted: the entry keeps its id and title.
    EVE + "withdraw_event": "event.withdrawn",
    EVE + "approve_event": ("event.approved", "event.change_approved"),
    EVE + "reject_event": ("event.rejected", "event.change_rejected"),
    EVE + "create_office_event": "event.created",
    EVE + "edit_event": "event.edited",
    EVE + "cancel_event": "event.cancelled",
}
COMPOSED = {}
BATCH = {
    CAM + "send_due_reminders": "campaign.reminder_sent (actor None), one per partner reminded",
    CAM + "flag_overdue": "campaign.target_flagged (actor None), one per target flagged",
    # A staff action over many listings: each listing withdrawn is listings.unpublish_listing's
    # entry (actor: the staff member; data "campaign").
    CAM + "unpublish_overdue": "listing.unpublished, one per listing withdrawn",
}
NOT_AUDITED = {
    PRO + "moderation_settings": "reads the office's moderation settings (the default row is created on "
    "first read)",
    PRO + "clean_changes": "pure validation of proposed values",
    PRO + "pending_values": "reads: the published content with the pending changes",
    CAM + "listing_path": "pure: the URL of a listing's page in the espace pro",
    CAM + "unpublish_reason": "pure: the reason given to the partner",
    # Publication snapshots are a derived copy of content whose every change is audited by the
    # service that made it (in the same transaction); rewriting the copy is not a change of its own.
    SNA + "refresh_listing_snapshot": "derived copy, rewritten inside the audited change",
    SNA + "refresh_organisation_snapshots": "derived copy, rewritten inside the audited change",
    SNA + "refresh_office_snapshots": "derived copy (manage.py refresh_snapshots, after a deploy)",
    SNA + "apply_change": "the core.publication listener: refreshes inside the audited change",
    SNA + "refresh_starting_seasons": "daily: touches the copies of partners whose season starts",
    SNA + "snapshot_source": "reads: the rows a document is built from",
    SNA + "live_spans": "reads: the span of an organisation's live memberships",
}
MODULES = [
    "ensemble.listings.services.proposals",
    "ensemble.listings.services.moderation",
    "ensemble.listings.services.publication",
    "ensemble.listings.services.photos",
    "ensemble.listings.services.amenities",
    "ensemble.listings.services.availability",
    "ensemble.campaigns.services",
    "ensemble.events.services",
    "ensemble.publishing.services",
]
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEADLINE = datetime.date(2023, 1, 31)


class Log:
    """The entries written since it was made."""

    def __init__(self):
        self.last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def new(self) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(id__gt=self.last).order_by("id"))

    def one(self, action: str, actor, office, organisation_id=None) -> AuditEntry:
        """Exactly one new entry, with this code, actor, office and organisation."""
        [entry] = self.new()
        assert (entry.action, entry.actor, entry.office_id) == (action, actor, office.pk)
        assert entry.organisation_id == organisation_id
        self.last = entry.pk
        return entry

    def none(self):
        assert self.new() == []


def org(partner) -> int:
    return partner.membership.organisation_id


# --- The tables ------------------------------------------------------------------------------


# --- Listings: proposals and moderation ------------------------------------------------------


def test_a_new_listing_is_one_entry_and_only_once(submit, office):
    establishment = submit(email="nina@gite.example", establishment_name="Gîte des Faiseurs").membership
    log = Log()
    listing = listing_services.ensure_listing(establishment.establishment)
    entry = log.one("listing.created", None, office, establishment.organisation_id)
    assert (entry.target_type, entry.target_id, entry.data) == (
        "listings.listing",
        str(listing.pk),
        {"version": 1},
    )
    assert audit.describe(entry) == "Fiche Gîte des Faiseurs créée"
    listing_services.ensure_listing(establishment.establishment)
    log.none()


def test_moderation_settings(office, staff_user):
    log = Log()
    listing_services.update_moderation_settings(office, immediate_fields=["covers", "beds"], actor=staff_user)
    entry = log.one("listing.moderation_settings_changed", staff_user, office)
    assert entry.data == {"immediate_fields": {"old": ["opening_periods"], "new": ["beds", "covers"]}}
    assert audit.describe(entry) == (
        "Champs des fiches publiés sans modération : opening_periods → beds, covers"
    )
    listing_services.update_moderation_settings(office, immediate_fields=["covers", "beds"], actor=staff_user)
    with pytest.raises(ListingError):
        listing_services.update_moderation_settings(office, immediate_fields=["nope"], actor=staff_user)
    log.none()


def test_a_proposal_split_between_published_and_pending_is_one_entry(partner, office, staff_user):
    listing_services.update_moderation_settings(office, immediate_fields=["covers"], actor=staff_user)
    log = Log()
    result = listing_services.propose_changes(
        partner.listing,
        changes={"covers": 60, "short_description_fr": "Cuisine de saison."},
        actor=partner.user,
    )
    entry = log.one("listing.proposal_submitted", partner.user, office, org(partner))
    assert entry.data == {
        "published": ["covers"],
        "pending": ["short_description_fr"],
        "proposal": result.pending.pk,
    }
    assert audit.describe(entry) == (
        "Fiche Le Moulin des Marais : modifications proposées (en attente : short_description_fr ; "
        "publiées aussitôt : covers)"
    )

    listing_services.propose_changes(partner.listing, changes={"covers": 70}, actor=partner.user)
    entry = log.one("listing.published_at_once", partner.user, office, org(partner))
    assert (entry.data["published"], entry.data["pending"]) == (["covers"], ["short_description_fr"])

    # The pending value brought back to the published one: the proposal is withdrawn.
    listing_services.propose_changes(
        partner.listing, changes={"short_description_fr": ""}, actor=partner.user
    )
    log.one("listing.proposal_withdrawn", partner.user, office, org(partner))

    listing_services.propose_changes(partner.listing, changes={"covers": 70}, actor=partner.user)  # no change
    with pytest.raises(ListingError):
        listing_services.propose_changes(partner.listing, changes={"rooms": "beaucoup"}, actor=partner.user)
    log.none()


def test_approve_and_reject(partner, office, staff_user):
    pending = listing_services.propose_changes(
        partner.listing, changes={"rooms": 5}, actor=partner.user
    ).pending
    log = Log()
    version = listing_services.approve_proposal(pending, actor=staff_user)
    entry = log.one("listing.proposal_approved", staff_user, office, org(partner))
    assert entry.data["fields"] == ["rooms"] and entry.data["version"] == version.number == 2
    assert isinstance(entry.data["email"], int)
    with pytest.raises(ListingError):
        listing_services.approve_proposal(pending, actor=staff_user)  # already decided
    log.none()

    pending = listing_services.propose_changes(
        partner.listing, changes={"beds": 9}, actor=partner.user
    ).pending
    log = Log()
    with pytest.raises(ListingError):
        listing_services.reject_proposal(pending, actor=staff_user, reason="  ")
    log.none()
    listing_services.reject_proposal(pending, actor=staff_user, reason="Neuf lits ?")
    entry = log.one("listing.proposal_rejected", staff_user, office, org(partner))
    assert (entry.data["reason"], entry.data["fields"]) == ("Neuf lits ?", ["beds"])
    assert audit.describe(entry) == "Fiche Le Moulin des Marais : modifications refusées : Neuf lits ?"


def test_decide_field_by_field_and_discard_what_was_rejected(partner, office, staff_user):
    pending = listing_services.propose_changes(
        partner.listing, changes={"rooms": 5, "beds": 90}, actor=partner.user
    ).pending
    log = Log()
    with pytest.raises(ListingError):  # a rejection without its reason
        listing_services.decide_proposal(
            pending, decisions={"rooms": {"approved": True}, "beds": {"approved": False}}, actor=staff_user
        )
    log.none()
    decision = listing_services.decide_proposal(
        pending,
        decisions={"rooms": {"approved": True}, "beds": {"approved": False, "reason": "90 lits ?"}},
        actor=staff_user,
    )
    entry = log.one("listing.proposal_decided", staff_user, office, org(partner))
    assert (entry.data["approved"], entry.data["rejected"]) == (["rooms"], {"beds": "90 lits ?"})
    assert entry.data["version"] == decision.version.number and isinstance(entry.data["email"], int)
    assert audit.describe(entry) == (
        "Fiche Le Moulin des Marais : modifications décidées champ par champ (validées : rooms ; "
        "refusées : beds)"
    )

    assert listing_services.discard_returned_changes(partner.listing, actor=partner.user) == ["beds"]
    entry = log.one("listing.returned_changes_discarded", partner.user, office, org(partner))
    assert audit.describe(entry) == (
        "Fiche Le Moulin des Marais : modifications refusées abandonnées par le partenaire (beds)"
    )
    assert listing_services.discard_returned_changes(partner.listing, actor=partner.user) == []
    log.none()


def test_staff_edit_and_restore(partner, office, staff_user):
    log = Log()
    version = listing_services.edit_listing(partner.listing, changes={"covers": 30}, actor=staff_user)
    entry = log.one("listing.edited", staff_user, office, org(partner))
    assert entry.data == {"fields": ["covers"], "version": version.number}
    assert listing_services.edit_listing(partner.listing, changes={"covers": 30}, actor=staff_user) is None
    with pytest.raises(ListingError):
        listing_services.edit_listing(partner.listing, changes={"covers": "trente"}, actor=staff_user)
    log.none()

    first = partner.listing.versions.get(number=1)
    restored = listing_services.restore_version(first, actor=staff_user)
    entry = log.one("listing.version_restored", staff_user, office, org(partner))
    assert entry.data == {"restored": 1, "version": restored.number, "fields": ["covers"]}
    assert audit.describe(entry) == (
        f"Fiche Le Moulin des Marais : version 1 restaurée, publiée comme version {restored.number}"
    )


def test_a_photo_upload_is_one_entry_with_its_proposal(partner, office):
    log = Log()
    with pytest.raises(ListingError):
        listing_services.upload_photo(
            partner.listing,
            image=jpeg_upload(),
            credit=" ",
            alt_texts={},
            rights_declared=True,
            actor=partner.user,
        )
    log.none()
    photo = listing_services.upload_photo(
        partner.listing,
        image=jpeg_upload(),
        credit="C. D.",
        alt_texts={},
        rights_declared=True,
        actor=partner.user,
    )
    entry = log.one("listing.photo_uploaded", partner.user, office, org(partner))
    proposal = ChangeProposal.objects.get(listing=partner.listing)
    assert entry.data == {
        "photo": photo.pk,
        "credit": "C. D.",
        "published": [],
        "pending": ["photos"],
        "proposal": proposal.pk,
    }
    assert Photo.objects.get(pk=photo.pk).status == Photo.Status.PROPOSED


def test_availability(partner, office):
    log = Log()
    day = datetime.date(2023, 1, 14)
    listing_services.set_availability(
        partner.listing, days={day: "full", day + datetime.timedelta(days=2): None}, actor=partner.user
    )
    entry = log.one("listing.availability_set", partner.user, office, org(partner))
    assert (entry.data["days"], entry.data["first"], entry.data["last"]) == (2, "2023-01-14", "2023-01-16")
    assert audit.describe(entry) == (
        "Fiche Le Moulin des Marais : disponibilités de 2 nuit(s) mises à jour, du 14/01/2023 au 16/01/2023"
    )
    with pytest.raises(ListingError):
        listing_services.set_availability(
            partner.listing, days={datetime.date(2022, 1, 1): "full"}, actor=partner.user
        )
    log.none()


# --- Listings: publication -------------------------------------------------------------------


def test_confirm_unpublish_republish(partner, office, staff_user):
    log = Log()
    listing_services.confirm_listing(partner.listing, actor=partner.user)
    assert log.one("listing.confirmed", partner.user, office, org(partner)).data == {}

    with pytest.raises(ListingError):
        listing_services.unpublish_listing(partner.listing, reason=" ", actor=staff_user)
    log.none()
    listing_services.unpublish_listing(partner.listing, reason="Fermé", actor=staff_user)
    entry = log.one("listing.unpublished", staff_user, office, org(partner))
    assert entry.data["reason"] == "Fermé" and isinstance(entry.data["email"], int)
    assert audit.describe(entry) == "Fiche Le Moulin des Marais retirée des supports : Fermé"
    with pytest.raises(ListingError):
        listing_services.unpublish_listing(partner.listing, reason="Encore", actor=staff_user)
    log.none()

    listing_services.republish_listing(partner.listing, actor=staff_user)
    log.one("listing.republished", staff_user, office, org(partner))
    with pytest.raises(ListingError):
        listing_services.republish_listing(partner.listing, actor=staff_user)
    log.none()


def test_office_place_and_external_source(partner, other_partner, office, staff_user):
    log = Log()
    listing_services.mark_office_place(partner.listing, is_office_place=True, actor=staff_user)
    log.one("listing.office_place_marked", staff_user, office, org(partner))
    listing_services.mark_office_place(partner.listing, is_office_place=True, actor=staff_user)  # unchanged
    log.none()
    listing_services.mark_office_place(partner.listing, is_office_place=False, actor=staff_user)
    log.one("listing.office_place_unmarked", staff_user, office, org(partner))

    listing_services.set_external_source(partner.listing, source="datatourisme", external_id="https://x/1")
    entry = log.one("listing.external_source_set", None, office, org(partner))
    assert entry.data["changes"] == {
        "source": {"old": "", "new": "datatourisme"},
        "external_id": {"old": "", "new": "https://x/1"},
    }
    with pytest.raises(ListingError):
        listing_services.set_external_source(
            other_partner.listing, source="datatourisme", external_id="https://x/1"
        )
    log.none()


# --- Amenity lists ---------------------------------------------------------------------------


def test_amenity_lists(office, staff_user):
    log = Log()
    listing_services.install_default_amenities(office)
    entry = log.one("amenity.defaults_installed", None, office)
    assert entry.data["count"] == len(listing_services.DEFAULT_AMENITIES)
    listing_services.install_default_amenities(office)  # all there already
    with pytest.raises(ListingError):
        listing_services.create_amenity(office, group="pets", names={"fr": ""}, actor=staff_user)
    log.none()

    amenity = listing_services.create_amenity(
        office, group="pets", names={"fr": "Gamelles"}, actor=staff_user
    )
    entry = log.one("amenity.created", staff_user, office)
    assert (entry.target_id, entry.data["slug"], entry.data["group"]) == (str(amenity.pk), "gamelles", "pets")

    listing_services.update_amenity(
        amenity, group="pets", names={"fr": "Gamelles d'eau"}, position=amenity.position, actor=staff_user
    )
    entry = log.one("amenity.updated", staff_user, office)
    assert entry.data["changes"] == {"name_fr": {"old": "Gamelles", "new": "Gamelles d'eau"}}

    listing_services.deactivate_amenity(amenity, actor=staff_user)
    log.one("amenity.deactivated", staff_user, office)
    with pytest.raises(ListingError):
        listing_services.deactivate_amenity(amenity, actor=staff_user)
    log.none()
    listing_services.reactivate_amenity(Amenity.objects.get(pk=amenity.pk), actor=staff_user)
    log.one("amenity.reactivated", staff_user, office)


# --- Update campaigns ------------------------------------------------------------------------


def make_campaign(office, actor, **overrides):
    values = dict(title="Mise à jour 2023", deadline=DEADLINE, grace_days=15, reminder_offsets=[7])
    return campaign_services.create_campaign(office, actor=actor, **{**values, **overrides})


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=PARIS), tick=False)


def test_campaign_drafting_launching_and_closing(partner, other_partner, office, staff_user):
    log = Log()
    with pytest.raises(CampaignError):
        make_campaign(office, staff_user, title=" ")
    log.none()
    campaign = make_campaign(office, staff_user)
    entry = log.one("campaign.created", staff_user, office)
    assert (entry.data["deadline"], entry.data["reminder_offsets"]) == ("2023-01-31", [7])
    assert (
        audit.describe(entry) == "Campagne de mise à jour Mise à jour 2023 créée (date limite : 31/01/2023)"
    )

    campaign_services.update_campaign(campaign, actor=staff_user, grace_days=10)
    entry = log.one("campaign.updated", staff_user, office)
    assert entry.data == {"fields": ["grace_days"], "changes": {"grace_days": {"old": 15, "new": 10}}}

    campaign_services.launch_campaign(campaign, actor=staff_user)  # two partners e-mailed, one entry
    assert log.one("campaign.launched", staff_user, office).data == {"targets": 2, "emailed": 2}
    with pytest.raises(CampaignError):
        campaign_services.launch_campaign(campaign, actor=staff_user)
    with pytest.raises(CampaignError):
        campaign_services.update_campaign(campaign, actor=staff_user, grace_days=3)
    log.none()

    campaign_services.close_campaign(campaign, actor=staff_user)
    log.one("campaign.closed", staff_user, office)
    with pytest.raises(CampaignError):
        campaign_services.close_campaign(campaign, actor=staff_user)
    log.none()


def test_campaign_confirmations_are_the_listing_entry(partner, other_partner, office, staff_user):
    campaign = campaign_services.launch_campaign(make_campaign(office, staff_user), actor=staff_user)
    target = CampaignTarget.objects.get(campaign=campaign, listing=partner.listing)
    log = Log()
    campaign_services.record_confirmation(target, actor=partner.user)
    assert log.one("listing.confirmed", partner.user, office, org(partner)).data == {
        "campaign_targets": [target.pk]
    }
    with pytest.raises(CampaignError):
        campaign_services.record_confirmation(target, actor=partner.user)  # already confirmed
    assert campaign_services.record_listing_changes(partner.listing, actor=partner.user) == 0  # nothing open
    log.none()

    other_target = CampaignTarget.objects.get(campaign=campaign, listing=other_partner.listing)
    assert campaign_services.record_listing_changes(other_partner.listing, actor=other_partner.user) == 1
    entry = log.one("listing.confirmed", other_partner.user, office, org(other_partner))
    assert entry.data == {"campaign_targets": [other_target.pk]}
    assert campaign_services.record_listing_confirmation(other_partner.listing, actor=other_partner.user) == 0
    assert log.one("listing.confirmed", other_partner.user, office, org(other_partner)).data == {
        "campaign_targets": []
    }


def test_the_daily_jobs_and_the_withdrawal_write_one_entry_per_object(
    partner, other_partner, office, staff_user
):
    campaign = campaign_services.launch_campaign(make_campaign(office, staff_user), actor=staff_user)
    log = Log()
    assert campaign_services.send_due_reminders(today=datetime.date(2023, 1, 4)) == 2
    entries = log.new()
    assert [(e.action, e.actor, e.office_id) for e in entries] == [
        ("campaign.reminder_sent", None, office.pk)
    ] * 2
    assert {e.organisation_id for e in entries} == {org(partner), org(other_partner)}
    assert entries[0].data["offset"] == 7 and isinstance(entries[0].data["email"], int)
    assert (
        audit.describe(entries[0]) == "Rappel à J+7 de la campagne : Mise à jour 2023 — Le Moulin des Marais"
    )
    log = Log()
    assert campaign_services.send_due_reminders(today=datetime.date(2023, 1, 5)) == 0  # once per offset
    log.none()

    campaign_services.record_confirmation(
        CampaignTarget.objects.get(campaign=campaign, listing=other_partner.listing), actor=other_partner.user
    )
    log = Log()
    assert campaign_services.flag_overdue(today=DEADLINE + datetime.timedelta(days=1)) == 1
    entry = log.one("campaign.target_flagged", None, office, org(partner))
    assert entry.data["unpublish_from"] == "2023-02-16"
    assert audit.describe(entry) == (
        "Fiche non confirmée à la date limite (31/01/2023) : Mise à jour 2023 — Le Moulin des Marais ; "
        "elle peut être retirée des supports à partir du 16/02/2023 (CGV art. 2)"
    )

    with at(datetime.date(2023, 2, 1)), pytest.raises(CampaignError):
        campaign_services.unpublish_overdue(campaign, actor=staff_user)  # grace period running
    log.none()
    with at(datetime.date(2023, 2, 16)):
        assert campaign_services.unpublish_overdue(campaign, actor=staff_user) == 1
    entry = log.one("listing.unpublished", staff_user, office, org(partner))
    assert entry.data["campaign"] == campaign.pk


# --- Events ----------------------------------------------------------------------------------


def fields(**overrides) -> dict:
    values = dict(
        title_fr="Concert au marais",
        category="concert",
        starts_at=datetime.datetime(2023, 1, 14, 20, tzinfo=PARIS),
        ends_at=datetime.datetime(2023, 1, 14, 23, tzinfo=PARIS),
        place_name="Ponton du Haut-Pont",
        city="Saint-Omer",
        postcode="62500",
    )
    return {**values, **overrides}


def test_a_partner_event_from_proposal_to_cancellation(partner, office, staff_user):
    organisation = partner.membership.organisation
    log = Log()
    with pytest.raises(EventError):
        event_services.submit_event(organisation, actor=partner.user, **fields(city=""))
    log.none()
    event = event_services.submit_event(organisation, actor=partner.user, **fields())
    entry = log.one("event.submitted", partner.user, office, organisation.pk)
    assert audit.describe(entry) == "Événement Concert au marais du 14/01/2023 proposé à l'agenda"

    event_services.update_event(event, actor=partner.user, **fields(price_text="12 €"))
    assert log.one("event.updated", partner.user, office, organisation.pk).data["fields"] == ["price_text_fr"]
    event_services.reject_event(event, actor=staff_user, reason="Le tarif enfant ?")
    assert (
        log.one("event.rejected", staff_user, office, organisation.pk).data["reason"] == "Le tarif enfant ?"
    )
    event_services.update_event(event, actor=partner.user, **fields(price_text="12 €, 6 € enfant"))
    log.one("event.resubmitted", partner.user, office, organisation.pk)
    event_services.approve_event(event, actor=staff_user)
    entry = log.one("event.approved", staff_user, office, organisation.pk)
    assert isinstance(entry.data["email"], int)
    with pytest.raises(EventError):
        event_services.approve_event(event, actor=staff_user)  # already decided
    with pytest.raises(EventError):
        event_services.reject_event(event, actor=staff_user, reason=" ")
    with pytest.raises(EventError):
        event_services.withdraw_event(event, actor=partner.user)  # published: cancel it instead
    log.none()

    event_services.update_event(event, actor=partner.user, **fields(price_text="15 €"))
    assert log.one("event.change_proposed", partner.user, office, organisation.pk).data["fields"] == [
        "price_text_fr"
    ]
    event_services.reject_event(event, actor=staff_user, reason="Non.")
    log.one("event.change_rejected", staff_user, office, organisation.pk)
    event_services.update_event(event, actor=partner.user, **fields(price_text="16 €"))
    log.one("event.change_proposed", partner.user, office, organisation.pk)
    event_services.update_event(event, actor=partner.user, **fields(price_text="12 €, 6 € enfant"))  # back
    log.one("event.change_withdrawn", partner.user, office, organisation.pk)
    event_services.update_event(event, actor=partner.user, **fields(price_text="17 €"))
    log.one("event.change_proposed", partner.user, office, organisation.pk)
    event_services.approve_event(event, actor=staff_user)
    entry = log.one("event.change_approved", staff_user, office, organisation.pk)
    assert entry.data["sequence"] == 1

    event_services.edit_event(event, actor=staff_user, **fields(price_text="18 €"))
    log.one("event.edited", staff_user, office, organisation.pk)
    with pytest.raises(EventError):
        event_services.cancel_event(event, actor=staff_user, by_office=True)  # a reason is needed
    log.none()
    event_services.cancel_event(event, actor=staff_user, reason="Crue", by_office=True)
    entry = log.one("event.cancelled", staff_user, office, organisation.pk)
    assert (entry.data["reason"], entry.data["by_office"]) == ("Crue", True)
    assert audit.describe(entry) == "Événement Concert au marais du 14/01/2023 annulé : Crue"
    with pytest.raises(EventError):
        event_services.edit_event(event, actor=staff_user, **fields(price_text="19 €"))
    log.none()


def test_a_withdrawn_proposal_and_an_office_event(partner, office, staff_user):
    event = event_services.submit_event(partner.membership.organisation, actor=partner.user, **fields())
    log = Log()
    event_services.withdraw_event(event, actor=partner.user)
    entry = log.one("event.withdrawn", partner.user, office, org(partner))
    assert entry.target_id == str(event.pk) and not Event.objects.filter(pk=event.pk).exists()
    assert audit.describe(entry) == "Proposition d'événement Concert au marais retirée"

    own = event_services.create_office_event(office, actor=staff_user, **fields(title_fr="Feu d'artifice"))
    entry = log.one("event.created", staff_user, office)
    assert entry.target_id == str(own.pk)
    with pytest.raises(EventError):
        event_services.create_office_event(office, actor=staff_user, **fields(city=""))
    log.none()
